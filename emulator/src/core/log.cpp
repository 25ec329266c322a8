#include "core/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace eddy::log {

namespace {
level threshold = level::info;
}

void set_level(level l) {
    threshold = l;
}
level current_level() {
    return threshold;
}

bool parse_level(std::string_view text, level& out) {
    if (text == "debug")
        out = level::debug;
    else if (text == "info")
        out = level::info;
    else if (text == "warn" || text == "warning")
        out = level::warn;
    else if (text == "error")
        out = level::error;
    else if (text == "off" || text == "none")
        out = level::off;
    else
        return false;
    return true;
}

void write(level l, std::string_view line) {
    static constexpr const char* names[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms % 1000));
    std::string out;
    out.reserve(line.size() + 24);
    out.append(stamp).append(" ").append(names[static_cast<int>(l)]).append(" ").append(line);
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stderr);
}

}  // namespace eddy::log
