#include "runtime/runtime.hpp"

#include "runtime/docker/backend.hpp"
#include "runtime/docker/client.hpp"
#include "runtime/docker/host.hpp"
#include "runtime/process/backend.hpp"
#include "runtime/process/images.hpp"

namespace eddy::runtime {

bool parse_choice(std::string_view text, choice& out) {
    if (text == "docker")
        out = choice::docker;
    else if (text == "process")
        out = choice::process;
    else if (text == "auto")
        out = choice::automatic;
    else
        return false;
    return true;
}

std::unique_ptr<backend> make_backend(choice c, const config& cfg, boost::asio::any_io_executor executor) {
    docker::engine_address address;
    try {
        address = docker::parse_docker_host(cfg.docker_host);
    } catch (const std::invalid_argument& e) {
        if (c != choice::process) throw std::runtime_error(e.what());
    }
    if (c == choice::automatic)
        c = docker::engine_answers(address, std::chrono::seconds(1)) ? choice::docker : choice::process;
    else if (c == choice::docker && !docker::engine_answers(address, std::chrono::seconds(2)))
        throw std::runtime_error(
            "no Docker engine answers at " + address.describe() +
            " (start one, e.g. with tools/docker-engine; set DOCKER_HOST; or use --runtime process)");
    if (c == choice::docker) return docker::make_backend(std::move(executor), address, cfg.instance);
    std::map<std::string, std::string> images;
    try {
        images = process::parse_images(cfg.process_images);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(e.what());
    }
    return process::make_backend(std::move(executor), std::move(images));
}

}  // namespace eddy::runtime
