#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace eddy::runtime {

// Cuts a byte stream into lines, as CloudWatch Logs receives them from awslogs:
// one event per '\n'-terminated line, the newline (and a '\r' before it) dropped.
// A line longer than `max_line` is delivered in pieces of that size (awslogs
// splits at 256 KiB too). One splitter per stream; not thread-safe.
class line_splitter {
  public:
    using sink = std::function<void(std::string_view)>;
    explicit line_splitter(std::size_t max_line = 256 * 1024) : max_line_(max_line) {}

    void feed(std::string_view bytes, const sink& emit);
    // End of stream: a last line without newline is delivered too.
    void finish(const sink& emit);

  private:
    std::string partial_;
    std::size_t max_line_;
};

}  // namespace eddy::runtime
