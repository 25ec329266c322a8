#include "runtime/process/images.hpp"

#include <unistd.h>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace eddy::runtime::process {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

std::string normalize_image(std::string_view image) {
    auto last = image.rfind('/');
    auto tail = image.substr(last == std::string_view::npos ? 0 : last + 1);
    if (tail.find(':') == std::string_view::npos && image.find('@') == std::string_view::npos)
        return std::string(image) + ":latest";
    return std::string(image);
}

std::map<std::string, std::string> parse_images(std::string_view spec) {
    std::string text(spec);
    std::string source = "EDDY_PROCESS_IMAGES";
    if (spec.starts_with("@")) {
        source = std::string(spec.substr(1));
        std::ifstream in(source);
        if (!in) throw std::invalid_argument("EDDY_PROCESS_IMAGES: cannot read " + source);
        std::stringstream ss;
        ss << in.rdbuf();
        text = ss.str();
    }
    std::map<std::string, std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find_first_of(",\n", start);
        if (end == std::string::npos) end = text.size();
        auto entry = trim(std::string_view(text).substr(start, end - start));
        start = end + 1;
        if (entry.empty() || entry.front() == '#') continue;
        auto eq = entry.find('=');
        if (eq == std::string_view::npos || trim(entry.substr(0, eq)).empty() || trim(entry.substr(eq + 1)).empty())
            throw std::invalid_argument(source + ": '" + std::string(entry) + "' is not image=/path/to/executable");
        out[normalize_image(trim(entry.substr(0, eq)))] = std::string(trim(entry.substr(eq + 1)));
    }
    return out;
}

std::string find_executable(const std::string& program, const std::string& path) {
    if (program.find('/') != std::string::npos) return program;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        std::string dir = path.substr(start, end - start);
        std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    return program;
}

}  // namespace eddy::runtime::process
