#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace eddy::asl {

// A Step Functions timestamp: RFC 3339 with an uppercase 'T' between date and time and an
// uppercase 'Z' when there is no numeric offset; fractional seconds allowed. Returns nanoseconds
// since the Unix epoch, or nullopt when `text` is not one.
std::optional<std::int64_t> parse_timestamp(std::string_view text);

}  // namespace eddy::asl
