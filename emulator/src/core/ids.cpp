#include "core/ids.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>

namespace eddy {

std::string new_uuid() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uint64_t halves[2] = {rng(), rng()};
    std::uint8_t b[16];
    std::memcpy(b, halves, sizeof b);
    b[6] = (b[6] & 0x0f) | 0x40;  // version 4
    b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
    // Two ids per SendMessage: each byte's two digits come from one table.
    static constexpr auto digits = [] {
        std::array<char, 512> t{};
        constexpr char hex[] = "0123456789abcdef";
        for (int i = 0; i < 256; ++i) {
            t[2 * i] = hex[i >> 4];
            t[2 * i + 1] = hex[i & 15];
        }
        return t;
    }();
    static constexpr std::uint8_t at[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
    std::string out(36, '-');
    for (int i = 0; i < 16; ++i)
        std::memcpy(out.data() + at[i], &digits[2 * b[i]], 2);
    return out;
}

std::string root_user_arn(std::string_view account) {
    return "arn:aws:iam::" + std::string(account) + ":root";
}

std::string make_arn(std::string_view service, std::string_view region, std::string_view account,
                     std::string_view resource) {
    std::string out = "arn:aws:";
    out.append(service).append(":").append(region).append(":").append(account).append(":");
    out.append(resource);
    return out;
}

bool parse_arn(std::string_view arn, arn_parts& out) {
    // arn:partition:service:region:account:resource, where the resource may hold more colons
    if (arn.substr(0, 4) != "arn:") return false;
    std::string_view rest = arn.substr(4);
    std::string* fields[] = {&out.partition, &out.service, &out.region, &out.account};
    for (auto* field : fields) {
        auto colon = rest.find(':');
        if (colon == std::string_view::npos) return false;
        *field = std::string(rest.substr(0, colon));
        rest.remove_prefix(colon + 1);
    }
    out.resource = std::string(rest);
    return !out.partition.empty() && !out.service.empty() && !out.resource.empty();
}

bool is_valid_region(std::string_view region) {
    if (region.empty() || region.size() > 32) return false;
    for (char c : region)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}

namespace {

std::tm to_tm(std::int64_t epoch_ms) {
    std::time_t secs = static_cast<std::time_t>(epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return tm;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool read_int(std::string_view s, std::size_t& pos, int digits, int& out) {
    if (pos + digits > s.size()) return false;
    auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + digits, out);
    if (ec != std::errc() || p != s.data() + pos + digits) return false;
    pos += digits;
    return true;
}

}  // namespace

std::string format_iso8601(std::int64_t epoch_ms) {
    auto tm = to_tm(epoch_ms);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(((epoch_ms % 1000) + 1000) % 1000));
    return buf;
}

std::string format_rfc822(std::int64_t epoch_ms) {
    auto tm = to_tm(epoch_ms);
    char buf[40];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

bool parse_iso8601(std::string_view s, std::int64_t& epoch_ms) {
    std::size_t pos = 0;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (!read_int(s, pos, 4, y) || pos >= s.size() || s[pos++] != '-') return false;
    if (!read_int(s, pos, 2, mo) || pos >= s.size() || s[pos++] != '-') return false;
    if (!read_int(s, pos, 2, d)) return false;
    int frac_ms = 0, offset_min = 0;
    if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
        ++pos;
        if (!read_int(s, pos, 2, h) || pos >= s.size() || s[pos++] != ':') return false;
        if (!read_int(s, pos, 2, mi)) return false;
        if (pos < s.size() && s[pos] == ':') {
            ++pos;
            if (!read_int(s, pos, 2, sec)) return false;
        }
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
            ++pos;
            int scale = 100, digits = 0;
            while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                frac_ms += (s[pos] - '0') * scale;
                scale /= 10;
                ++pos;
                ++digits;
            }
            if (digits == 0) return false;
        }
        if (pos < s.size()) {
            char c = s[pos];
            if (c == 'Z' || c == 'z') {
                ++pos;
            } else if (c == '+' || c == '-') {
                ++pos;
                int oh, om = 0;
                if (!read_int(s, pos, 2, oh)) return false;
                if (pos < s.size() && s[pos] == ':') ++pos;
                if (pos < s.size() && !read_int(s, pos, 2, om)) return false;
                offset_min = (oh * 60 + om) * (c == '+' ? 1 : -1);
            }
        }
    }
    if (pos != s.size() || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60) return false;
    static constexpr int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > month_days[mo - 1] || (mo == 2 && d == 29 && !leap)) return false;
    std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    epoch_ms = secs * 1000 + frac_ms;
    return true;
}

bool parse_rfc822(std::string_view s, std::int64_t& epoch_ms) {
    // "Fri, 27 Nov 2026 21:30:00 GMT"
    static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    auto comma = s.find(", ");
    if (comma == std::string_view::npos) return false;
    std::size_t pos = comma + 2;
    int d, y, h, mi, sec;
    if (!read_int(s, pos, 2, d) || pos >= s.size() || s[pos++] != ' ') return false;
    if (pos + 3 > s.size()) return false;
    auto m = months.find(s.substr(pos, 3));
    if (m == std::string_view::npos || m % 3 != 0) return false;
    pos += 3;
    if (pos >= s.size() || s[pos++] != ' ' || !read_int(s, pos, 4, y)) return false;
    if (pos >= s.size() || s[pos++] != ' ' || !read_int(s, pos, 2, h)) return false;
    if (pos >= s.size() || s[pos++] != ':' || !read_int(s, pos, 2, mi)) return false;
    if (pos >= s.size() || s[pos++] != ':' || !read_int(s, pos, 2, sec)) return false;
    std::int64_t days = days_from_civil(y, static_cast<unsigned>(m / 3 + 1), static_cast<unsigned>(d));
    epoch_ms = (days * 86400 + h * 3600 + mi * 60 + sec) * 1000;
    return true;
}

}  // namespace eddy
