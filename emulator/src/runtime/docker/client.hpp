#pragma once

#include "runtime/docker/host.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace eddy::runtime::docker {

// Closes a streaming request from outside (logs, events): the stream's
// coroutine then returns. Shared by the stream and whoever may end it.
struct stream_control {
    std::function<void()> close;  // set while the stream is connected
    bool closed = false;
    void cancel() {
        closed = true;
        if (close) close();
    }
};

// An HTTP/1.1 client of the Docker Engine API over a unix socket or TCP, one
// connection per request (a unix-socket connect costs microseconds). Beast stays
// inside client.cpp. Lives on eddy's io_context; not thread-safe.
class engine_client {
  public:
    struct response {
        int status = 0;
        std::string body;
        nlohmann::json json() const;  // the body parsed, null when empty or not JSON
        // The engine's {"message": ...}, or the status when there is none.
        std::string message() const;
    };

    engine_client(boost::asio::any_io_executor ex, engine_address address);

    // `target` is the API path without the version prefix ("/containers/json?all=1").
    // The API version is negotiated on first use (see client.cpp). Throws
    // runtime::error(engine) when the engine cannot be reached or has not answered
    // within `limit`.
    boost::asio::awaitable<response> request(std::string_view method, std::string target,
                                             const nlohmann::json* body = nullptr,
                                             std::chrono::seconds limit = std::chrono::seconds(60));
    // A request whose body is `body` as it is (an archive for POST /images/create).
    boost::asio::awaitable<response> upload(std::string_view method, std::string target, std::string body,
                                            std::string_view content_type,
                                            std::chrono::seconds limit = std::chrono::seconds(60));
    // Streams a response body: `on_open(status)` once the header is in, then
    // `on_bytes` for each piece of the (de-chunked) body until the engine ends it
    // or `control->cancel()` is called. Returns the HTTP status.
    boost::asio::awaitable<int> stream(std::string_view method, std::string target,
                                       std::shared_ptr<stream_control> control, std::function<void(int)> on_open,
                                       std::function<void(std::string_view)> on_bytes);
    // GET /_ping without version prefix; true when the engine answers "OK".
    boost::asio::awaitable<bool> ping();

    const std::string& api_version() const { return version_; }
    const engine_address& address() const { return address_; }

  private:
    boost::asio::awaitable<void> negotiate(std::chrono::seconds limit);
    boost::asio::awaitable<response> send(std::string_view method, std::string target, const std::string* body,
                                          std::chrono::seconds limit,
                                          std::string_view content_type = "application/json");

    boost::asio::any_io_executor ex_;
    engine_address address_;
    std::string version_;  // "v1.41", empty until negotiated
};

// Percent-encodes a query parameter value or path segment.
std::string url_encode(std::string_view s);

// The API version eddy speaks to an engine offering [min_version, max_version]:
// 1.41 (Debian 12's docker.io) where allowed, else the engine's minimum; empty
// when the engine is older than 1.41.
std::string choose_api_version(std::string_view min_version, std::string_view max_version);

// Whether an engine answers at `address` within `timeout`; runs its own io_context.
bool engine_answers(const engine_address& address, std::chrono::milliseconds timeout);

}  // namespace eddy::runtime::docker
