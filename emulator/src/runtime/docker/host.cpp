#include "runtime/docker/host.hpp"

#include <charconv>
#include <stdexcept>

namespace eddy::runtime::docker {

std::string engine_address::describe() const {
    return unix_socket ? "unix://" + path : "tcp://" + host + ":" + std::to_string(port);
}

engine_address parse_docker_host(std::string_view value) {
    engine_address a;
    if (value.empty()) {
        a.path = "/var/run/docker.sock";
        return a;
    }
    auto bad = [&](const std::string& why) {
        return std::invalid_argument("DOCKER_HOST='" + std::string(value) + "': " + why +
                                     " (eddy speaks to unix:///path/to/docker.sock or tcp://host:port)");
    };
    if (value.starts_with("unix://")) {
        a.path = std::string(value.substr(7));
        if (a.path.empty() || a.path[0] != '/') throw bad("the socket path must be absolute");
        return a;
    }
    if (!value.starts_with("tcp://")) throw bad("unsupported scheme");
    auto rest = value.substr(6);
    while (!rest.empty() && rest.back() == '/')
        rest.remove_suffix(1);
    a.unix_socket = false;
    std::string_view host = rest, port;
    if (rest.starts_with("[")) {  // [::1]:2375
        auto close = rest.find(']');
        if (close == std::string_view::npos) throw bad("unclosed '[' in the address");
        host = rest.substr(1, close - 1);
        auto after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') throw bad("expected ':' after the address");
            port = after.substr(1);
        }
    } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.empty()) throw bad("no host");
    a.host = std::string(host);
    a.port = 2375;  // Docker's plain-HTTP port, as the docker CLI assumes
    if (!port.empty()) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
        if (ec != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535)
            throw bad("the port must be a number from 1 to 65535");
        a.port = static_cast<std::uint16_t>(v);
    }
    return a;
}

}  // namespace eddy::runtime::docker
