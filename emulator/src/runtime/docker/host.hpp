#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace eddy::runtime::docker {

// Where the Docker Engine listens, from DOCKER_HOST: unix:///path or
// tcp://host:port (plain HTTP; TLS is not spoken). Empty means the default
// socket, /var/run/docker.sock.
struct engine_address {
    bool unix_socket = true;
    std::string path;  // unix socket path
    std::string host;  // tcp: a numeric address or a name
    std::uint16_t port = 0;

    std::string describe() const;
};

// Throws std::invalid_argument with a message saying what DOCKER_HOST must look like.
engine_address parse_docker_host(std::string_view value);

}  // namespace eddy::runtime::docker
