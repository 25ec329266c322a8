#include "services/kinesis/sequence.hpp"

#include <charconv>
#include <cstdio>

namespace eddy::kinesis {

std::string sequence::str() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "49%010lld%010lld%021llu%013lld", static_cast<long long>(shard_created_s),
                  static_cast<long long>(shard_index), static_cast<unsigned long long>(counter),
                  static_cast<long long>(arrival_ms));
    return buf;
}

std::optional<sequence> sequence::parse(std::string_view text) {
    if (text.size() != 56 || text.substr(0, 2) != "49") return std::nullopt;
    auto field = [&](std::size_t at, std::size_t n, auto& out) {
        auto* begin = text.data() + at;
        auto [p, ec] = std::from_chars(begin, begin + n, out);
        return ec == std::errc() && p == begin + n;
    };
    sequence s;
    if (!field(2, 10, s.shard_created_s) || !field(12, 10, s.shard_index) || !field(22, 21, s.counter) ||
        !field(43, 13, s.arrival_ms))
        return std::nullopt;
    return s;
}

}  // namespace eddy::kinesis
