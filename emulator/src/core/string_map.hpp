#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace eddy {

// Hashes std::string, string_view and literals alike, so a table keyed by strings
// is searched by a string_view without building a string for the search.
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// A table from names to values, searched by any string-like key.
template <typename Key, typename Value>
using string_map = std::unordered_map<Key, Value, string_hash, std::equal_to<>>;

}  // namespace eddy
