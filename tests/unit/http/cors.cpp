// CORS through the server's request path, without sockets: preflights and the headers of
// answers to pages, for any origin and for named ones.
#include "../runtime/run.hpp"
#include "http/server.hpp"

#include <doctest/doctest.h>

namespace {

struct cors_server {
    boost::asio::io_context io;
    eddy::dispatcher calls;
    eddy::system_clock clock;
    eddy::http::server server;

    explicit cors_server(std::vector<std::string> origins) : server(io, config(std::move(origins)), calls, clock) {}
    static eddy::http::server_config config(std::vector<std::string> origins) {
        eddy::http::server_config c;
        c.port = 0;
        c.cors_origins = std::move(origins);
        return c;
    }

    eddy::protocol::wire_response answer(eddy::protocol::wire_request r) {
        return eddy::test::run(
            io,
            [](eddy::http::server& s,
               eddy::protocol::wire_request r) -> boost::asio::awaitable<eddy::protocol::wire_response> {
                co_return co_await s.handle(r);
            }(server, std::move(r)));
    }
};

eddy::protocol::wire_request preflight(std::string origin) {
    eddy::protocol::wire_request r;
    r.method = "OPTIONS";
    r.path = "/";
    r.headers = {{"origin", std::move(origin)},
                 {"access-control-request-method", "PUT"},
                 {"access-control-request-headers", "x-amz-date,content-type"}};
    return r;
}

std::string header(const eddy::protocol::wire_response& r, std::string_view name) {
    for (auto& [k, v] : r.headers)
        if (k == name) return v;
    return "";
}

}  // namespace

TEST_CASE("cors: a preflight echoes what the page asked for") {
    cors_server s({"*"});
    auto out = s.answer(preflight("http://localhost:3000"));
    CHECK(out.status == 200);
    CHECK(header(out, "Access-Control-Allow-Origin") == "http://localhost:3000");
    CHECK(header(out, "Access-Control-Allow-Methods") == "PUT");
    CHECK(header(out, "Access-Control-Allow-Headers") == "x-amz-date,content-type");
    CHECK(header(out, "Access-Control-Max-Age") == "86400");
    CHECK(out.body.empty());
}

TEST_CASE("cors: origins not named are refused") {
    cors_server s({"https://console.example"});
    CHECK(s.answer(preflight("https://console.example")).status == 200);
    auto out = s.answer(preflight("https://elsewhere.example"));
    CHECK(out.status == 403);
    CHECK(header(out, "Access-Control-Allow-Origin").empty());
    cors_server off({});
    CHECK(off.answer(preflight("https://console.example")).status == 403);
}

TEST_CASE("cors: an answer to a page names its origin and exposes its headers") {
    cors_server s({"*"});
    eddy::protocol::wire_request r;
    r.method = "GET";
    r.path = "/_eddy/health";
    r.headers = {{"origin", "http://localhost:3000"}};
    auto out = s.answer(r);
    CHECK(out.status == 200);
    CHECK(header(out, "Access-Control-Allow-Origin") == "http://localhost:3000");
    CHECK(header(out, "Access-Control-Expose-Headers").find("x-amzn-RequestId") != std::string::npos);
    CHECK(header(out, "Access-Control-Expose-Headers").find("ETag") != std::string::npos);
    r.headers.clear();
    CHECK(header(s.answer(r), "Access-Control-Allow-Origin").empty());
}
