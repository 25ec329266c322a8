#include "http/server.hpp"

#include <doctest/doctest.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

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

    explicit running_server(std::chrono::seconds idle, const std::function<void(eddy::dispatcher&)>& setup = {})
        : server(io, config(idle), calls, clock) {
        if (setup) setup(calls);
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

// Writes `request` on `s` and reads one response: its head and body, or "" when the
// connection failed.
std::string round_trip(tcp::socket& s, const std::string& request) {
    boost::system::error_code ec;
    asio::write(s, asio::buffer(request), ec);
    if (ec) return "";
    std::string got;
    char chunk[4096];
    while (got.find("\r\n\r\n") == std::string::npos) {
        auto n = s.read_some(asio::buffer(chunk), ec);
        if (ec) return "";
        got.append(chunk, n);
    }
    auto head_end = got.find("\r\n\r\n") + 4;
    auto at = got.find("Content-Length: ");
    auto length = std::stoul(got.substr(at + 16));
    while (got.size() < head_end + length) {
        auto n = s.read_some(asio::buffer(chunk), ec);
        if (ec) return "";
        got.append(chunk, n);
    }
    return got;
}

// One GET /_eddy/health on `s`; true when a 200 came back on the same connection.
bool health(tcp::socket& s) {
    return round_trip(s, "GET /_eddy/health HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 200", 0) == 0;
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

// A connection reuses its request's strings from one request to the next: what a later
// request carries must be its own, however many fields or bytes the one before it had.
TEST_CASE("each request on a kept-alive connection carries only its own fields and body") {
    std::vector<eddy::json> seen;
    running_server eddy(30s, [&](eddy::dispatcher& calls) {
        calls.add("s3", "PutObject", eddy::sync_handler([&](eddy::request_context& ctx, eddy::json input) {
                      // a streamed payload stays in the request for the service to read
                      CHECK_FALSE(input.contains("Body"));
                      input["Body"] = ctx.wire ? ctx.wire->body : std::string("no request");
                      seen.push_back(std::move(input));
                      return eddy::json::object();
                  }));
    });
    auto put = [](const std::string& key, const std::string& fields, const std::string& body) {
        return "PUT /bucket/" + key + " HTTP/1.1\r\nHost: x\r\n" + fields +
               "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    };
    auto s = eddy.connect();
    std::string big(100 * 1024, 'b');  // more than the connection keeps a buffer for
    std::string requests[] = {
        put("one", "x-amz-meta-first: 1\r\nx-amz-meta-second: two\r\nContent-Type: text/plain\r\n", "hello world"),
        put("two", "x-amz-meta-third: 3\r\n", "hi"),
        put("three", "", big),
        put("four", "x-amz-meta-fourth: a longer value than the strings keep inline\r\n", "small"),
    };
    for (auto& r : requests)
        REQUIRE(round_trip(s, r).rfind("HTTP/1.1 200", 0) == 0);
    REQUIRE(seen.size() == 4);
    auto body = [](const eddy::json& input) { return input.at("Body").get<std::string>(); };
    CHECK(seen[0]["Key"] == "one");
    CHECK(seen[0]["Metadata"] == eddy::json{{"first", "1"}, {"second", "two"}});
    CHECK(seen[0]["ContentType"] == "text/plain");
    CHECK(body(seen[0]) == "hello world");
    CHECK(seen[1]["Key"] == "two");
    CHECK(seen[1]["Metadata"] == eddy::json{{"third", "3"}});
    CHECK_FALSE(seen[1].contains("ContentType"));
    CHECK(body(seen[1]) == "hi");
    CHECK(seen[2]["Key"] == "three");
    CHECK_FALSE(seen[2].contains("Metadata"));
    CHECK(body(seen[2]) == big);
    CHECK(seen[3]["Key"] == "four");
    CHECK(seen[3]["Metadata"] == eddy::json{{"fourth", "a longer value than the strings keep inline"}});
    CHECK(body(seen[3]) == "small");
}

// An answer larger than the socket takes at once is written as the client reads it; such
// answers, with a small one between them, arrive whole on one connection.
TEST_CASE("answers larger than the socket's buffer arrive whole") {
    std::string payload(6 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<char>('a' + (i * 7 + i / 4093) % 26);
    running_server eddy(30s, [&](eddy::dispatcher& calls) {
        calls.add("s3", "GetObject", eddy::sync_handler([&](eddy::request_context&, const eddy::json& input) {
                      auto n = input.at("Key") == "small" ? std::size_t{5} : payload.size();
                      return eddy::json{{"Body", eddy::json::binary({payload.begin(), payload.begin() + n})}};
                  }));
    });
    auto s = eddy.connect();
    for (const char* key : {"large", "small", "large"}) {
        auto got = round_trip(s, std::string("GET /bucket/") + key + " HTTP/1.1\r\nHost: x\r\n\r\n");
        REQUIRE(got.rfind("HTTP/1.1 200", 0) == 0);
        auto body = got.substr(got.find("\r\n\r\n") + 4);
        CHECK(body == payload.substr(0, std::string_view(key) == "small" ? 5 : payload.size()));
    }
}
