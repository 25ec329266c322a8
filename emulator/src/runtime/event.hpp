#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <vector>

namespace eddy::runtime {

// A one-shot flag coroutines can wait for (a container has ended, a stream is
// open). Lives on one io_context; set() wakes every waiter, later waits return at once.
class event {
  public:
    explicit event(boost::asio::any_io_executor ex) : timer_(ex, boost::asio::steady_timer::time_point::max()) {}
    void set() {
        set_ = true;
        timer_.cancel();
    }
    bool is_set() const { return set_; }
    boost::asio::awaitable<void> wait();

  private:
    boost::asio::steady_timer timer_;
    bool set_ = false;
};

// Runs the tasks concurrently on `ex` and returns when all have finished;
// an exception of a task is swallowed (each task handles its own failures).
boost::asio::awaitable<void> run_all(boost::asio::any_io_executor ex,
                                     std::vector<std::function<boost::asio::awaitable<void>()>> tasks);

}  // namespace eddy::runtime
