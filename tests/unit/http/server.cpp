#include "http/server.hpp"

#include <doctest/doctest.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <string>
#include <thread>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// A server on a free port, its io_context on a thread of its own; stops and joins on exit.
struct running_server {
    asio::io_context io;
    eddy::dispatcher calls;
    eddy::system_clock clock;
    eddy::http::server server;
    std::thread thread;

    explicit running_server(std::chrono::seconds idle) : server(io, config(idle), calls, clock) {
        server.start();
        thread = std::thread([this] { io.run(); });
    }
    ~running_server() {
        asio::post(io, [this] { server.stop([this] { io.stop(); }); });
        thread.join();
    }
    static eddy::http::server_config config(std::chrono::seconds idle) {
        eddy::http::server_config c;
        c.port = 0;
        c.idle_timeout = idle;
        return c;
    }
    tcp::socket connect() {
        tcp::socket s(client_io);
        s.connect({asio::ip::make_address("127.0.0.1"), server.port()});
        return s;
    }
    asio::io_context client_io;
};

// One GET /_eddy/health on `s`; true when a 200 came back on the same connection.
bool health(tcp::socket& s) {
    std::string request = "GET /_eddy/health HTTP/1.1\r\nHost: x\r\n\r\n";
    boost::system::error_code ec;
    asio::write(s, asio::buffer(request), ec);
    if (ec) return false;
    std::string got;
    char chunk[4096];
    while (got.find("\r\n\r\n") == std::string::npos) {
        auto n = s.read_some(asio::buffer(chunk), ec);
        if (ec) return false;
        got.append(chunk, n);
    }
    auto head_end = got.find("\r\n\r\n") + 4;
    auto at = got.find("Content-Length: ");
    auto length = std::stoul(got.substr(at + 16));
    while (got.size() < head_end + length) {
        auto n = s.read_some(asio::buffer(chunk), ec);
        if (ec) return false;
        got.append(chunk, n);
    }
    return got.rfind("HTTP/1.1 200", 0) == 0;
}

// Seconds until the server closes `s`, which sends nothing.
double seconds_until_closed(tcp::socket& s) {
    auto started = std::chrono::steady_clock::now();
    char byte;
    boost::system::error_code ec;
    s.read_some(asio::buffer(&byte, 1), ec);
    CHECK(ec);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace

TEST_CASE("the server closes a connection that stays idle for the idle timeout") {
    running_server eddy(1s);
    auto s = eddy.connect();
    auto waited = seconds_until_closed(s);
    CHECK(waited > 0.9);
    CHECK(waited < 3.0);
}

TEST_CASE("requests keep a connection open past the idle timeout, and idleness after them closes it") {
    running_server eddy(1s);
    auto s = eddy.connect();
    auto until = std::chrono::steady_clock::now() + 2500ms;
    int answered = 0;
    while (std::chrono::steady_clock::now() < until) {
        REQUIRE(health(s));
        ++answered;
        std::this_thread::sleep_for(300ms);
    }
    CHECK(answered >= 7);
    auto waited = seconds_until_closed(s);
    CHECK(waited > 0.6);  // counted from the last answer, less the sleep after it
    CHECK(waited < 3.0);
}
