#pragma once

#include "services/dispatcher.hpp"

#include <optional>
#include <string>
#include <vector>

namespace eddy::sqs {

// How other services (pipes, Lambda event source mappings) read a queue: the
// same SQS operations a client calls, made in process through the dispatcher,
// so they see exactly what a client would. Lives as long as its poller, on the
// event loop.
class consumer {
  public:
    // `scope` gives the account and region the queue lives in.
    consumer(dispatcher& calls, request_context scope, std::string queue_url);

    // Up to `max` messages (1-10) with all their attributes; waits up to
    // `wait_seconds` (0-20) for one to become visible. Empty when none did.
    boost::asio::awaitable<json> receive(int max, int wait_seconds,
                                         std::optional<int> visibility_timeout = std::nullopt);
    // Deletes received messages; returns DeleteMessageBatch's output.
    boost::asio::awaitable<json> remove(const std::vector<std::string>& receipt_handles);
    // Makes received messages visible again at once, for another try.
    boost::asio::awaitable<json> release(const std::vector<std::string>& receipt_handles);

    const std::string& queue_url() const { return queue_url_; }

  private:
    boost::asio::awaitable<json> batch(const char* operation, std::vector<std::string> handles, bool release);

    dispatcher& calls_;
    request_context scope_;
    std::string queue_url_;
};

}  // namespace eddy::sqs
