#include "services/kinesis/sequence.hpp"

#include <charconv>

namespace eddy::kinesis {

namespace {

// Writes `v` as exactly `width` decimal digits, zero-padded, ending at `end`.
void digits(char* end, std::size_t width, unsigned long long v) {
    for (std::size_t i = 0; i < width; ++i, v /= 10)
        *--end = static_cast<char>('0' + v % 10);
}

}  // namespace

std::string sequence::str() const {
    std::string out(56, '0');
    out[0] = '4';
    out[1] = '9';
    digits(out.data() + 12, 10, static_cast<unsigned long long>(shard_created_s));
    digits(out.data() + 22, 10, static_cast<unsigned long long>(shard_index));
    digits(out.data() + 43, 21, counter);
    digits(out.data() + 56, 13, static_cast<unsigned long long>(arrival_ms));
    return out;
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
