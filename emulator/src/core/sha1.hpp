#pragma once

#include <string>
#include <string_view>

namespace eddy {

// FIPS 180-4 SHA-1 of `bytes`, lowercase hex (Step Functions' States.Hash).
std::string sha1_hex(std::string_view bytes);

}  // namespace eddy
