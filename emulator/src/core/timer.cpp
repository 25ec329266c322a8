#include "core/timer.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace eddy {

namespace asio = boost::asio;

clock_timer::clock_timer(const eddy::clock& clock, asio::any_io_executor executor)
    : clock_(clock), timer_(std::move(executor)) {
    moves_ = clock_.on_move([this] { timer_.cancel(); });
}

clock_timer::~clock_timer() {
    clock_.forget(moves_);
}

asio::awaitable<bool> clock_timer::wait_until(eddy::clock::time_point at) {
    cancelled_ = false;
    for (;;) {
        if (cancelled_) co_return false;
        auto now = clock_.now();
        if (now >= at) co_return true;
        // A manual clock only moves by advance(), which cancels the sleep; the
        // system clock gets here again if it was set back while we slept.
        timer_.expires_after(moves_ ? std::chrono::hours(24 * 365) : std::chrono::steady_clock::duration(at - now));
        boost::system::error_code ec;
        co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

void clock_timer::cancel() {
    cancelled_ = true;
    timer_.cancel();
}

}  // namespace eddy
