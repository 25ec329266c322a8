#pragma once

#include <string_view>

namespace eddy::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

// The process-wide threshold; set once at start-up from --log-level.
void set_level(level l);
level current_level();
bool parse_level(std::string_view text, level& out);

// Writes one line to stderr, prefixed with the UTC time and the level.
void write(level l, std::string_view line);

inline bool enabled(level l) {
    return l >= current_level();
}
inline void debug(std::string_view line) {
    if (enabled(level::debug)) write(level::debug, line);
}
inline void info(std::string_view line) {
    if (enabled(level::info)) write(level::info, line);
}
inline void warn(std::string_view line) {
    if (enabled(level::warn)) write(level::warn, line);
}
inline void error(std::string_view line) {
    if (enabled(level::error)) write(level::error, line);
}

}  // namespace eddy::log
