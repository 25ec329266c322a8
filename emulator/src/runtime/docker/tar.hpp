#pragma once

#include <string>
#include <string_view>

namespace eddy::runtime::docker {

// A POSIX ustar archive of one regular file, as the engine's image import reads it.
std::string tar_one_file(std::string_view name, std::string_view content, unsigned mode);

}  // namespace eddy::runtime::docker
