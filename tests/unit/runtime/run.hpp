#pragma once

// Runs one coroutine of a runtime backend to completion on a test's io_context,
// while the backend's background coroutines (streams, watchers) keep running.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <functional>
#include <stdexcept>

namespace eddy::test {

template <typename T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> work,
      std::chrono::seconds limit = std::chrono::seconds(60)) {
    auto future = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("test coroutine timed out");
        if (io.stopped()) io.restart();
        io.run_one_for(std::chrono::milliseconds(100));
    }
    return future.get();
}

// Runs the loop until `done()` or the limit; true when done.
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::seconds limit = std::chrono::seconds(30)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        if (io.stopped()) io.restart();
        io.run_one_for(std::chrono::milliseconds(100));
    }
    return true;
}

}  // namespace eddy::test
