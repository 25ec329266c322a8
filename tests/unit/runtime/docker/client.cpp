#include "runtime/docker/client.hpp"

#include "../run.hpp"
#include "runtime/runtime.hpp"

#include <doctest/doctest.h>
#include <boost/asio/local/stream_protocol.hpp>

#include <unistd.h>
#include <filesystem>

namespace asio = boost::asio;
namespace dk = eddy::runtime::docker;

TEST_CASE("engine client: an engine that accepts and never answers fails the request after its limit") {
    asio::io_context io;
    auto path = std::filesystem::temp_directory_path() / ("eddy-silent-" + std::to_string(::getpid()) + ".sock");
    std::filesystem::remove(path);
    asio::local::stream_protocol::acceptor acceptor(io, asio::local::stream_protocol::endpoint(path.string()));
    std::vector<asio::local::stream_protocol::socket> held;  // accepted, never read or answered
    std::function<void()> accept = [&] {
        acceptor.async_accept([&](const boost::system::error_code& ec, asio::local::stream_protocol::socket s) {
            if (ec) return;
            held.push_back(std::move(s));
            accept();
        });
    };
    accept();

    dk::engine_client client(io.get_executor(), dk::parse_docker_host("unix://" + path.string()));
    auto t0 = std::chrono::steady_clock::now();
    try {
        eddy::test::run(io, client.request("GET", "/containers/json", nullptr, std::chrono::seconds(1)));
        FAIL("a silent engine answered");
    } catch (const eddy::runtime::error& e) {
        CHECK(e.what_kind() == eddy::runtime::error::kind::engine);
        // The version negotiation is the first request, and it is held to the same limit.
        CHECK(std::string(e.what()) == "the Docker engine did not answer GET /version within 1 s");
    }
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    acceptor.close();
    std::filesystem::remove(path);
}
