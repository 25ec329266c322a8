#include "storage/group_commit.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace eddy::storage {

namespace asio = boost::asio;

group_commit::group_commit(database& db, asio::any_io_executor executor)
    : db_(db),
      begin_(db, "BEGIN IMMEDIATE"),
      commit_(db, "COMMIT"),
      rollback_(db, "ROLLBACK"),
      executor_(std::move(executor)) {}

void group_commit::join() {
    if (open_ || sqlite3_get_autocommit(db_.handle()) == 0) return;
    begin_.run();
    open_ = true;
}

void group_commit::flush() {
    flush_posted_ = false;
    std::exception_ptr failure;
    if (open_) {
        open_ = false;
        try {
            commit_.run();
        } catch (...) {
            failure = std::current_exception();
            commit_.reset();
            try {
                rollback_.run();
            } catch (...) {
                rollback_.reset();
            }
        }
    }
    auto waiting = std::move(waiters_);
    waiters_.clear();
    failure_ = failure;
    for (auto* t : waiting)
        t->cancel();
}

asio::awaitable<void> group_commit::durable() {
    if (!open_) co_return;
    asio::steady_timer wake(executor_, asio::steady_timer::time_point::max());
    waiters_.push_back(&wake);
    if (!flush_posted_) {
        // after the requests already ready in this turn of the loop have joined
        flush_posted_ = true;
        asio::post(executor_, [this] { flush(); });
    }
    co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
    if (failure_) std::rethrow_exception(failure_);
}

}  // namespace eddy::storage
