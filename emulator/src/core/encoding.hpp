#pragma once

#include <string>
#include <string_view>

namespace eddy {

std::string base64_encode(std::string_view bytes);
// False when `text` is not valid base64 (padding optional).
bool base64_decode(std::string_view text, std::string& out);

// Percent-decoding; `plus_is_space` for application/x-www-form-urlencoded.
std::string url_decode(std::string_view text, bool plus_is_space = false);
// RFC 3986 percent-encoding of everything but unreserved characters (and '/' when `keep_slash`).
std::string url_encode(std::string_view text, bool keep_slash = false);

bool is_valid_utf8(std::string_view text);

}  // namespace eddy
