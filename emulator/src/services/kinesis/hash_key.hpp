#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eddy::kinesis {

// A point of Kinesis's hash key space: 0 to 2^128 - 1. A partition key maps to
// the MD5 of its bytes read as a big-endian integer; each shard owns a range.
using hash_key = unsigned __int128;

constexpr hash_key max_hash_key = ~hash_key(0);

hash_key hash_of_partition_key(std::string_view partition_key);
std::string to_decimal(hash_key k);
// Strict decimal (no sign, no leading zeros but "0"), within 0 .. 2^128 - 1.
std::optional<hash_key> parse_decimal(std::string_view text);

struct hash_range {
    hash_key start = 0;
    hash_key end = max_hash_key;  // inclusive
    bool contains(hash_key k) const { return k >= start && k <= end; }
};

// The key space cut into `count` ranges as AWS cuts it for a new stream or a
// uniform scaling: range i starts at floor(i * 2^128 / count).
std::vector<hash_range> uniform_ranges(int count);

}  // namespace eddy::kinesis
