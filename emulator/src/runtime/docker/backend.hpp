#pragma once

#include "runtime/docker/host.hpp"
#include "runtime/runtime.hpp"

#include <memory>

namespace eddy::runtime::docker {

// The Docker backend: containers on a user-defined bridge network named
// "eddy-<instance>", labelled eddy.managed, eddy.instance and eddy.run (this
// process's run). Output comes from GET /containers/{id}/logs?follow=1, exits
// from one GET /events stream filtered by the instance label. Never pulls.
std::unique_ptr<backend> make_backend(boost::asio::any_io_executor executor, engine_address address,
                                      std::string instance);

}  // namespace eddy::runtime::docker
