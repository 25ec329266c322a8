#include "runtime/docker/host.hpp"

#include "runtime/docker/client.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using eddy::runtime::docker::parse_docker_host;

TEST_CASE("DOCKER_HOST: empty is the default socket; unix:// takes an absolute path") {
    auto d = parse_docker_host("");
    CHECK(d.unix_socket);
    CHECK(d.path == "/var/run/docker.sock");
    auto u = parse_docker_host("unix:///run/user/1000/docker.sock");
    CHECK(u.unix_socket);
    CHECK(u.path == "/run/user/1000/docker.sock");
    CHECK_THROWS_AS(parse_docker_host("unix://relative.sock"), std::invalid_argument);
    CHECK_THROWS_AS(parse_docker_host("unix://"), std::invalid_argument);
}

TEST_CASE("DOCKER_HOST: tcp://host:port, IPv6 in brackets, 2375 when no port") {
    auto t = parse_docker_host("tcp://127.0.0.1:2376");
    CHECK_FALSE(t.unix_socket);
    CHECK(t.host == "127.0.0.1");
    CHECK(t.port == 2376);
    CHECK(parse_docker_host("tcp://docker.internal").port == 2375);
    CHECK(parse_docker_host("tcp://localhost:2375/").host == "localhost");
    auto v6 = parse_docker_host("tcp://[::1]:2380");
    CHECK(v6.host == "::1");
    CHECK(v6.port == 2380);
    CHECK(v6.describe() == "tcp://::1:2380");
}

TEST_CASE("DOCKER_HOST: what eddy cannot speak is refused with a message") {
    CHECK_THROWS_AS(parse_docker_host("ssh://me@box"), std::invalid_argument);
    CHECK_THROWS_AS(parse_docker_host("npipe:////./pipe/docker_engine"), std::invalid_argument);
    CHECK_THROWS_AS(parse_docker_host("tcp://:2375"), std::invalid_argument);
    CHECK_THROWS_AS(parse_docker_host("tcp://host:99999"), std::invalid_argument);
    CHECK_THROWS_AS(parse_docker_host("tcp://host:abc"), std::invalid_argument);
    try {
        parse_docker_host("ssh://me@box");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("unix:///") != std::string::npos);
    }
}

TEST_CASE("engine API version: 1.41 where the engine allows it, else its minimum") {
    using eddy::runtime::docker::choose_api_version;
    CHECK(choose_api_version("1.12", "1.41") == "1.41");  // Debian 12's docker.io
    CHECK(choose_api_version("1.24", "1.50") == "1.41");
    CHECK(choose_api_version("1.44", "1.52") == "1.44");  // Docker 29 refuses older clients
    CHECK(choose_api_version("1.12", "1.40").empty());
    CHECK(choose_api_version("1.24", "1.9").empty());  // compared as numbers: 1.9 < 1.41
}

TEST_CASE("url_encode keeps unreserved characters and escapes the rest") {
    using eddy::runtime::docker::url_encode;
    CHECK(url_encode("abc-_.~09") == "abc-_.~09");
    CHECK(url_encode("{\"label\":[\"a=b\"]}") == "%7B%22label%22%3A%5B%22a%3Db%22%5D%7D");
}
