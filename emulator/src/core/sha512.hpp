#pragma once

#include <string>
#include <string_view>

namespace eddy {

// FIPS 180-4 SHA-512 and SHA-384 (the same compression, other initial values, truncated) of
// `bytes`, lowercase hex (Step Functions' States.Hash).
std::string sha512_hex(std::string_view bytes);
std::string sha384_hex(std::string_view bytes);

}  // namespace eddy
