#include "core/encoding.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace eddy {

std::string to_hex(const std::uint8_t* bytes, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[i * 2] = digits[bytes[i] >> 4];
        out[i * 2 + 1] = digits[bytes[i] & 15];
    }
    return out;
}

namespace {
constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> b64_table() {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t)
        v = -1;
    for (int i = 0; i < 64; ++i)
        t[static_cast<unsigned char>(b64[i])] = static_cast<std::int8_t>(i);
    return t;
}
constexpr auto b64_index = b64_table();

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

void base64_append(std::string& out, std::string_view in) {
    auto at = out.size();
    out.resize(at + (in.size() + 2) / 3 * 4);
    char* o = out.data() + at;
    auto* p = reinterpret_cast<const std::uint8_t*>(in.data());
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        std::uint32_t v = (std::uint32_t(p[i]) << 16) | (std::uint32_t(p[i + 1]) << 8) | p[i + 2];
        o[0] = b64[v >> 18];
        o[1] = b64[(v >> 12) & 63];
        o[2] = b64[(v >> 6) & 63];
        o[3] = b64[v & 63];
        o += 4;
    }
    if (i + 1 == in.size()) {
        std::uint32_t v = std::uint32_t(p[i]) << 16;
        o[0] = b64[v >> 18];
        o[1] = b64[(v >> 12) & 63];
        o[2] = o[3] = '=';
    } else if (i + 2 == in.size()) {
        std::uint32_t v = (std::uint32_t(p[i]) << 16) | (std::uint32_t(p[i + 1]) << 8);
        o[0] = b64[v >> 18];
        o[1] = b64[(v >> 12) & 63];
        o[2] = b64[(v >> 6) & 63];
        o[3] = '=';
    }
}

std::string base64_encode(std::string_view in) {
    std::string out;
    base64_append(out, in);
    return out;
}

namespace {

// Decodes into any byte container with resize() and data(); false on bad input.
template <typename Bytes>
bool decode_base64(std::string_view in, Bytes& out) {
    std::size_t pad = 0;
    while (pad < in.size() && pad < 3 && in[in.size() - 1 - pad] == '=')
        ++pad;
    if (pad > 2) return false;
    std::size_t data = in.size() - pad;
    if (data % 4 == 1 || (pad && in.size() % 4 != 0)) return false;
    out.resize(data / 4 * 3 + (data % 4 ? data % 4 - 1 : 0));
    auto* o = reinterpret_cast<std::uint8_t*>(out.data());
    auto* p = reinterpret_cast<const unsigned char*>(in.data());
    std::size_t i = 0;
    for (; i + 4 <= data; i += 4) {
        int a = b64_index[p[i]], b = b64_index[p[i + 1]], c = b64_index[p[i + 2]], d = b64_index[p[i + 3]];
        if ((a | b | c | d) < 0) return false;
        std::uint32_t v = (std::uint32_t(a) << 18) | (std::uint32_t(b) << 12) | (std::uint32_t(c) << 6) | d;
        o[0] = static_cast<std::uint8_t>(v >> 16);
        o[1] = static_cast<std::uint8_t>(v >> 8);
        o[2] = static_cast<std::uint8_t>(v);
        o += 3;
    }
    if (std::size_t rest = data - i) {
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < rest; ++k) {
            int x = b64_index[p[i + k]];
            if (x < 0) return false;
            v |= std::uint32_t(x) << (18 - 6 * k);
        }
        o[0] = static_cast<std::uint8_t>(v >> 16);
        if (rest == 3) o[1] = static_cast<std::uint8_t>(v >> 8);
    }
    return true;
}

}  // namespace

bool base64_decode(std::string_view in, std::string& out) {
    return decode_base64(in, out);
}

bool base64_decode(std::string_view in, std::vector<std::uint8_t>& out) {
    return decode_base64(in, out);
}

std::string url_decode(std::string_view in, bool plus_is_space) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%' && i + 2 < in.size()) {
            int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += (plus_is_space && c == '+') ? ' ' : c;
    }
    return out;
}

std::string url_encode(std::string_view in, bool keep_slash) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(in.size());
    for (unsigned char c : in) {
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '_' || c == '.' || c == '~' || (keep_slash && c == '/');
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

bool is_valid_utf8(std::string_view s) {
    return each_code_point(s, [](std::uint32_t) { return true; });
}

namespace {

// The run of ASCII from 0x20 on at the start of `s`; with `json_escapes`, one that also
// holds no quote and no backslash. Sixteen bytes at a time where SSE2 is there (every
// x86-64), else eight, then byte by byte.
template <bool json_escapes>
std::size_t ascii_prefix(std::string_view s) {
    constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    auto has_zero = [&](std::uint64_t v) { return (v - ones) & ~v & highs; };
    std::size_t i = 0;
#ifdef __SSE2__
    // As signed bytes, those from 0x80 on are negative: one comparison with 0x20 finds
    // them and the controls together.
    const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    for (; i + 16 <= s.size(); i += 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
        __m128i stop = _mm_cmplt_epi8(v, space);
        if constexpr (json_escapes)
            stop = _mm_or_si128(stop, _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        if (int mask = _mm_movemask_epi8(stop)) return i + static_cast<std::size_t>(__builtin_ctz(mask));
    }
#endif
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        // Any byte below 0x20 or from 0x80 on (or quote, or backslash): look byte by byte.
        std::uint64_t stop = (w - 0x20 * ones) | w;
        if constexpr (json_escapes) stop |= has_zero(w ^ ('"' * ones)) | has_zero(w ^ ('\\' * ones));
        if (stop & highs) break;
    }
    for (; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c >= 0x80 || (json_escapes && (c == '"' || c == '\\'))) break;
    }
    return i;
}

}  // namespace

bool ascii_iequals(std::string_view a, std::string_view b) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

std::size_t printable_ascii_prefix(std::string_view s) {
    return ascii_prefix<false>(s);
}

std::size_t json_plain_prefix(std::string_view s) {
    return ascii_prefix<true>(s);
}

}  // namespace eddy
