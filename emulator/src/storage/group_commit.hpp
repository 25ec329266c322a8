#pragma once

#include "storage/sqlite.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <exception>
#include <vector>

namespace eddy::storage {

// Group commit for a durable database: requests handled in the same turn of the
// event loop write into one transaction, committed once before any of them is
// answered. Each request still gets its answer only after its writes are on
// disk; many requests share the cost of one commit. Lives on the event loop.
class group_commit {
  public:
    group_commit(database& db, boost::asio::any_io_executor executor);

    // Before a request's handler runs: opens the shared transaction if none is open.
    void join();
    // After the handler: completes once everything written so far is committed.
    // Throws if the commit failed.
    boost::asio::awaitable<void> durable();

  private:
    void flush();

    database& db_;
    // Prepared once: parsing BEGIN and COMMIT again for every batch cost as much as a row's insert.
    statement begin_, commit_, rollback_;
    boost::asio::any_io_executor executor_;
    bool open_ = false;
    bool flush_posted_ = false;
    std::vector<boost::asio::steady_timer*> waiters_;
    std::exception_ptr failure_;
};

}  // namespace eddy::storage
