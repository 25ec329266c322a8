#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace eddy {

// Message digests, all computed by libcrypto (SHA-NI and assembly; see core/README.md for the
// measurements). None is used for security: MD5 is SQS's body checksum and Kinesis' key hash,
// SHA-256 SQS's deduplication id, SHA-1 and SHA-256 S3's checksums, all of them States.Hash.

using md5_digest = std::array<std::uint8_t, 16>;
using sha1_digest = std::array<std::uint8_t, 20>;
using sha256_digest = std::array<std::uint8_t, 32>;

namespace detail {
// libcrypto's context for one algorithm, kept by value (no allocation per message) in storage
// the size of the largest context; digest.cpp checks the sizes against openssl/*.h.
template <typename Digest, int Algorithm>
class hasher {
  public:
    hasher();
    hasher& update(std::string_view bytes);
    // The digest of everything updated since construction or the last finish, and a fresh start.
    Digest finish();

    static Digest of(std::string_view bytes);
    static std::string hex(std::string_view bytes);

  private:
    alignas(8) unsigned char state_[128];
};
}  // namespace detail

// Incremental hashers for streamed bodies: h.update(a).update(b); h.finish().
// One-shot: md5::of(bytes), sha256::hex(bytes).
using md5 = detail::hasher<md5_digest, 0>;
using sha1 = detail::hasher<sha1_digest, 1>;
using sha256 = detail::hasher<sha256_digest, 2>;

// Lowercase hex digests for Step Functions' States.Hash.
std::string sha1_hex(std::string_view bytes);
std::string sha384_hex(std::string_view bytes);
std::string sha512_hex(std::string_view bytes);

}  // namespace eddy
