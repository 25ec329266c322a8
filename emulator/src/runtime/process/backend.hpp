#pragma once

#include "runtime/runtime.hpp"

#include <map>
#include <memory>
#include <string>

namespace eddy::runtime::process {

// The process backend, for machines without Docker: a container is a host
// process (its own process group) running the executable its image maps to
// (see images.hpp), with only the container's environment (plus PATH and
// HOSTNAME), output read from pipes, the exit learned through a pidfd. Its
// address is 127.0.0.1. Children die with eddy (PR_SET_PDEATHSIG), so no run
// leaves any behind. Memory and CPU limits are not enforced.
std::unique_ptr<backend> make_backend(boost::asio::any_io_executor executor, std::map<std::string, std::string> images);

}  // namespace eddy::runtime::process
