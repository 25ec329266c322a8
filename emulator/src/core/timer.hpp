#pragma once

#include "core/clock.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace eddy {

// A timer on eddy's clock rather than the machine's: on the system clock it
// sleeps like any Asio timer; on a manual clock it wakes when the clock is moved
// past its deadline. Waiting costs nothing but the timer. One waiter at a time.
class clock_timer {
  public:
    clock_timer(const eddy::clock& clock, boost::asio::any_io_executor executor);
    ~clock_timer();
    clock_timer(const clock_timer&) = delete;
    clock_timer& operator=(const clock_timer&) = delete;

    // Resumes once the clock reads `at` or later (true), or on cancel() (false).
    boost::asio::awaitable<bool> wait_until(eddy::clock::time_point at);
    boost::asio::awaitable<bool> wait_for(eddy::clock::duration d) { return wait_until(clock_.now() + d); }
    // Wakes the waiter, which then returns false. Safe to call when none waits.
    void cancel();

  private:
    const eddy::clock& clock_;
    boost::asio::steady_timer timer_;
    eddy::clock::subscription moves_ = 0;
    bool cancelled_ = false;
};

}  // namespace eddy
