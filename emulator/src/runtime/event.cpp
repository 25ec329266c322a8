#include "runtime/event.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>

namespace eddy::runtime {

namespace asio = boost::asio;

asio::awaitable<void> event::wait() {
    while (!set_)
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> run_all(asio::any_io_executor ex, std::vector<std::function<asio::awaitable<void>()>> tasks) {
    if (tasks.empty()) co_return;
    auto done = std::make_shared<event>(ex);
    auto left = std::make_shared<std::size_t>(tasks.size());
    for (auto& t : tasks)
        asio::co_spawn(ex, t(), [done, left](std::exception_ptr) {
            if (--*left == 0) done->set();
        });
    co_await done->wait();
}

}  // namespace eddy::runtime
