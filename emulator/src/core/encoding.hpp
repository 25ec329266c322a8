#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eddy {

// Lowercase hex of `n` bytes (digests as SQS and Step Functions show them).
std::string to_hex(const std::uint8_t* bytes, std::size_t n);

std::string base64_encode(std::string_view bytes);
void base64_append(std::string& out, std::string_view bytes);
// False when `text` is not valid base64 (padding optional).
bool base64_decode(std::string_view text, std::string& out);
bool base64_decode(std::string_view text, std::vector<std::uint8_t>& out);

// Percent-decoding; `plus_is_space` for application/x-www-form-urlencoded.
std::string url_decode(std::string_view text, bool plus_is_space = false);
// RFC 3986 percent-encoding of everything but unreserved characters (and '/' when `keep_slash`).
std::string url_encode(std::string_view text, bool keep_slash = false);

// Decodes UTF-8, calling accept(code_point) for each character; false when the text is
// malformed (bad sequences, overlong forms, surrogates) or accept returns false.
template <typename Accept>
bool each_code_point(std::string_view s, Accept accept) {
    std::size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t n;
        std::uint32_t cp;
        if (c < 0x80) {
            n = 0;
            cp = c;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size() && n > 0) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            unsigned char cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        if (!accept(cp)) return false;
        i += n + 1;
    }
    return true;
}

bool is_valid_utf8(std::string_view text);

// Equal but for the case of ASCII letters (header names, tokens, model member names).
bool ascii_iequals(std::string_view a, std::string_view b);

// The length of the run of ASCII from 0x20 on (printable, and DEL) at the start of `s`.
std::size_t printable_ascii_prefix(std::string_view s);
// The length of the run at the start of `s` that a JSON string carries as it is:
// ASCII from 0x20 on, but for the quote and the backslash. Read sixteen bytes at a time
// with SSE2, else eight.
std::size_t json_plain_prefix(std::string_view s);

}  // namespace eddy
