#pragma once

#include "core/clock.hpp"
#include "protocol/wire.hpp"
#include "services/dispatcher.hpp"
#include "storage/group_commit.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace eddy::http {

struct server_config {
    std::string host = "127.0.0.1";
    std::uint16_t port = 4566;
    std::size_t body_limit = 64 * 1024 * 1024;
    // S3 uploads may be larger: a 5 GiB PUT, aws-chunked framing included.
    std::uint64_t upload_limit = 5ull * 1024 * 1024 * 1024 + 64 * 1024 * 1024;
    // Where an upload's body is received as it arrives when eddy is durable (S3's temporary
    // folder, so a finished object is renamed into place); empty: uploads are held in memory.
    std::string spool_dir;
    std::chrono::seconds idle_timeout{120};
    storage::group_commit* commits = nullptr;  // set for a durable database
    manual_clock* manual = nullptr;            // set when time moves only through /_eddy/clock
    // Origins browsers may call eddy from ("*": any); empty: no CORS answers at all.
    std::vector<std::string> cors_origins = {"*"};
};

// The one listener every service answers on. Owns the accept loop and the
// sessions; everything runs on the io_context it is given (one thread), so
// handlers never race. Lives until stop() has let in-flight requests finish.
class server {
  public:
    server(boost::asio::io_context& io, server_config config, dispatcher& calls, const eddy::clock& clock);
    ~server();

    // Binds and starts accepting; throws std::runtime_error with a readable reason.
    void start();
    std::uint16_t port() const;
    // Also accepts on `host` (same port): the gateway of eddy's container network, so
    // containers reach eddy without it listening on every interface. Throws like start().
    void listen_also(const std::string& host);
    // Stops accepting, closes idle connections, lets requests in flight finish,
    // then calls `drained` on the io_context.
    void stop(std::function<void()> drained);

    // The whole request-to-response path without sockets: routing, decoding,
    // validation, the handler, encoding, and the access-log line. `request` must live
    // until the answer is returned.
    boost::asio::awaitable<protocol::wire_response> handle(const protocol::wire_request& request);

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace eddy::http
