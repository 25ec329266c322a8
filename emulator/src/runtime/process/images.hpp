#pragma once

#include <map>
#include <string>
#include <string_view>

namespace eddy::runtime::process {

// Which host executable stands for which image when containers run as host
// processes. From EDDY_PROCESS_IMAGES: "image=/path/to/binary" entries
// separated by commas or newlines, or "@/path/to/file" naming a file of such
// lines ('#' starts a comment). Throws std::invalid_argument on a bad entry.
std::map<std::string, std::string> parse_images(std::string_view spec);

// Docker's reading of an image reference: "name" means "name:latest".
std::string normalize_image(std::string_view image);

// Finds an executable the way execvp would, but in the container's PATH; a name with
// a '/' is taken as it is, and one not found comes back unchanged (exec then fails).
std::string find_executable(const std::string& program, const std::string& path);

}  // namespace eddy::runtime::process
