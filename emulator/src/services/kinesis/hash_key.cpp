#include "services/kinesis/hash_key.hpp"

#include "core/digest.hpp"

#include <algorithm>

namespace eddy::kinesis {

hash_key hash_of_partition_key(std::string_view partition_key) {
    auto digest = md5::of(partition_key);
    hash_key k = 0;
    for (auto b : digest)
        k = (k << 8) | b;
    return k;
}

std::string to_decimal(hash_key k) {
    if (k == 0) return "0";
    std::string out;
    while (k) {
        out.push_back(static_cast<char>('0' + static_cast<int>(k % 10)));
        k /= 10;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::optional<hash_key> parse_decimal(std::string_view text) {
    if (text.empty() || text.size() > 39 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
    hash_key k = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        auto digit = static_cast<hash_key>(c - '0');
        if (k > (max_hash_key - digit) / 10) return std::nullopt;
        k = k * 10 + digit;
    }
    return k;
}

std::vector<hash_range> uniform_ranges(int count) {
    // 2^128 = q * count + r, without a 129-bit integer.
    auto n = static_cast<hash_key>(count);
    hash_key q = max_hash_key / n, r = max_hash_key % n + 1;
    if (r == n) {
        ++q;
        r = 0;
    }
    auto start = [&](hash_key i) { return i * q + i * r / n; };
    std::vector<hash_range> out;
    for (hash_key i = 0; i < n; ++i)
        out.push_back({start(i), i + 1 == n ? max_hash_key : start(i + 1) - 1});
    return out;
}

}  // namespace eddy::kinesis
