#include "runtime/docker/client.hpp"

#include "runtime/runtime.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <charconv>
#include <cstdio>
#include <memory>

namespace eddy::runtime::docker {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using socket_type = asio::generic::stream_protocol::socket;

namespace {

constexpr const char* preferred_version = "1.41";

// Versions compare as "major.minor" numbers.
std::pair<int, int> version_number(std::string_view v) {
    int major = 0, minor = 0;
    auto dot = v.find('.');
    std::from_chars(v.data(), v.data() + (dot == std::string_view::npos ? v.size() : dot), major);
    if (dot != std::string_view::npos) std::from_chars(v.data() + dot + 1, v.data() + v.size(), minor);
    return {major, minor};
}

asio::awaitable<socket_type> connect(asio::any_io_executor ex, const engine_address& address) {
    socket_type socket(ex);
    boost::system::error_code ec;
    if (address.unix_socket) {
        asio::local::stream_protocol::endpoint ep(address.path);
        std::tie(ec) = co_await socket.async_connect(ep, asio::as_tuple(asio::use_awaitable));
    } else {
        asio::ip::tcp::endpoint ep;
        auto numeric = asio::ip::make_address(address.host, ec);
        if (!ec) {
            ep = {numeric, address.port};
        } else {
            asio::ip::tcp::resolver resolver(ex);
            auto [rec, results] = co_await resolver.async_resolve(address.host, std::to_string(address.port),
                                                                  asio::as_tuple(asio::use_awaitable));
            if (rec || results.empty())
                throw error(error::kind::engine, "cannot resolve the Docker host " + address.host + ": " +
                                                     (rec ? rec.message() : "no address"));
            ep = results.begin()->endpoint();
        }
        std::tie(ec) = co_await socket.async_connect(ep, asio::as_tuple(asio::use_awaitable));
    }
    if (ec)
        throw error(error::kind::engine,
                    "cannot reach the Docker engine at " + address.describe() + ": " + ec.message() +
                        " (start one with tools/docker-engine, set DOCKER_HOST, or use --runtime process)");
    co_return socket;
}

http::request<http::string_body> make_request(std::string_view method, const std::string& target,
                                              const engine_address& address, const std::string* body,
                                              std::string_view content_type = "application/json") {
    http::request<http::string_body> req;
    req.method(http::string_to_verb(method));
    req.target(target);
    req.version(11);
    req.set(http::field::host, address.unix_socket ? std::string("docker") : address.host);
    req.set(http::field::user_agent, "eddy");
    if (body) {
        req.set(http::field::content_type, content_type);
        req.body() = *body;
    }
    req.prepare_payload();
    return req;
}

}  // namespace

nlohmann::json engine_client::response::json() const {
    if (body.empty()) return nullptr;
    return nlohmann::json::parse(body, nullptr, false);
}

std::string engine_client::response::message() const {
    auto j = json();
    if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
    return "HTTP " + std::to_string(status);
}

engine_client::engine_client(asio::any_io_executor ex, engine_address address)
    : ex_(std::move(ex)), address_(std::move(address)) {}

std::string choose_api_version(std::string_view min_version, std::string_view max_version) {
    auto preferred = version_number(preferred_version);
    auto lo = version_number(min_version.empty() ? "1.12" : min_version);
    auto hi = version_number(max_version);
    if (hi < preferred) return "";
    if (lo <= preferred) return preferred_version;
    return std::string(min_version);
}

// The engine tells its range in GET /version (unversioned). eddy's calls exist
// unchanged since 1.41, so it asks for 1.41 where allowed: newer engines keep
// their old behaviour under an old version, and Docker 29 refuses below 1.44.
asio::awaitable<void> engine_client::negotiate(std::chrono::seconds limit) {
    if (!version_.empty()) co_return;
    auto r = co_await send("GET", "/version", nullptr, limit);
    auto j = r.json();
    if (r.status != 200 || !j.is_object())
        throw error(error::kind::engine,
                    "the Docker engine at " + address_.describe() + " did not answer GET /version: " + r.message());
    auto chosen = choose_api_version(j.value("MinAPIVersion", ""), j.value("ApiVersion", ""));
    if (chosen.empty())
        throw error(error::kind::engine, "the Docker engine at " + address_.describe() + " speaks API " +
                                             j.value("ApiVersion", "?") + "; eddy needs 1.41 or newer");
    version_ = "/v" + chosen;
}

asio::awaitable<engine_client::response> engine_client::send(std::string_view method, std::string target,
                                                             const std::string* body, std::chrono::seconds limit,
                                                             std::string_view content_type) {
    auto socket = std::make_shared<socket_type>(co_await connect(ex_, address_));
    // An engine that stops answering fails the request instead of hanging its caller;
    // the watchdog owns the socket too, so it may fire after this frame is gone.
    auto timed_out = std::make_shared<bool>(false);
    asio::steady_timer watchdog(ex_, limit);
    watchdog.async_wait([socket, timed_out](const boost::system::error_code& ec) {
        if (ec) return;
        *timed_out = true;
        boost::system::error_code ignored;
        socket->close(ignored);
    });
    auto failed = [&](const char* what, const boost::system::error_code& ec) {
        return error(error::kind::engine, *timed_out
                                              ? "the Docker engine did not answer " + std::string(method) + " " +
                                                    target + " within " + std::to_string(limit.count()) + " s"
                                              : std::string(what) + " the Docker engine failed: " + ec.message());
    };
    auto req = make_request(method, target, address_, body, content_type);
    auto [wec, written] = co_await http::async_write(*socket, req, asio::as_tuple(asio::use_awaitable));
    if (wec) throw failed("writing to", wec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    auto [rec, read] = co_await http::async_read(*socket, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (rec) throw failed("reading from", rec);
    watchdog.cancel();
    boost::system::error_code ignored;
    socket->shutdown(socket_type::shutdown_both, ignored);
    response r;
    r.status = static_cast<int>(parser.get().result_int());
    r.body = std::move(parser.get().body());
    co_return r;
}

asio::awaitable<engine_client::response> engine_client::request(std::string_view method, std::string target,
                                                                const nlohmann::json* body,
                                                                std::chrono::seconds limit) {
    co_await negotiate(limit);
    std::string text;
    if (body) text = body->dump();
    co_return co_await send(method, version_ + target, body ? &text : nullptr, limit);
}

asio::awaitable<engine_client::response> engine_client::upload(std::string_view method, std::string target,
                                                               std::string body, std::string_view content_type,
                                                               std::chrono::seconds limit) {
    co_await negotiate(limit);
    co_return co_await send(method, version_ + target, &body, limit, content_type);
}

asio::awaitable<bool> engine_client::ping() {
    try {
        auto r = co_await send("GET", "/_ping", nullptr, std::chrono::seconds(30));
        co_return r.status == 200 && r.body == "OK";
    } catch (const error&) {
        co_return false;
    }
}

asio::awaitable<int> engine_client::stream(std::string_view method, std::string target,
                                           std::shared_ptr<stream_control> control, std::function<void(int)> on_open,
                                           std::function<void(std::string_view)> on_bytes) {
    co_await negotiate(std::chrono::seconds(60));
    if (control->closed) co_return 0;
    auto socket = co_await connect(ex_, address_);
    control->close = [&socket] {
        boost::system::error_code ignored;
        socket.close(ignored);
    };
    struct forget {
        stream_control& c;
        ~forget() { c.close = nullptr; }
    } forget_socket{*control};
    if (control->closed) co_return 0;

    auto req = make_request(method, version_ + target, address_, nullptr);
    auto [wec, written] = co_await http::async_write(socket, req, asio::as_tuple(asio::use_awaitable));
    if (wec) {
        if (control->closed) co_return 0;
        throw error(error::kind::engine, "writing to the Docker engine failed: " + wec.message());
    }
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    auto [hec, hn] = co_await http::async_read_header(socket, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (hec) {
        if (control->closed) co_return 0;
        throw error(error::kind::engine, "reading from the Docker engine failed: " + hec.message());
    }
    int status = static_cast<int>(parser.get().result_int());
    if (on_open) on_open(status);
    char chunk[16 * 1024];
    while (!parser.is_done() && !control->closed) {
        parser.get().body().data = chunk;
        parser.get().body().size = sizeof chunk;
        // read_some: a live stream must hand over each piece as it comes, not when 16 KiB are in.
        auto [ec, n] = co_await http::async_read_some(socket, buffer, parser, asio::as_tuple(asio::use_awaitable));
        if (ec == http::error::need_buffer) ec = {};
        std::size_t got = sizeof chunk - parser.get().body().size;
        if (got > 0 && !control->closed) on_bytes(std::string_view(chunk, got));
        if (ec) break;  // closed by cancel(), or the engine went away: the caller decides
    }
    co_return status;
}

std::string url_encode(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

bool engine_answers(const engine_address& address, std::chrono::milliseconds timeout) {
    asio::io_context io;
    engine_client client(io.get_executor(), address);
    bool answered = false;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { answered = co_await client.ping(); },
        [&](std::exception_ptr) { io.stop(); });
    io.run_for(timeout);
    return answered;
}

}  // namespace eddy::runtime::docker
