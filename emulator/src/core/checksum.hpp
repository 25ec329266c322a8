#pragma once

#include "core/digest.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eddy {

// The algorithms of S3's flexible checksums (x-amz-checksum-algorithm, x-amz-sdk-checksum-algorithm).
enum class checksum_algorithm { crc32, crc32c, crc64nvme, sha1, sha256 };

// By S3's name, "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", in any case; nullopt otherwise.
std::optional<checksum_algorithm> checksum_algorithm_named(std::string_view name);
// By the header that carries it, "x-amz-checksum-crc32" and so on (an aws-chunked trailer's name).
std::optional<checksum_algorithm> checksum_algorithm_of_header(std::string_view header);
std::string_view checksum_name(checksum_algorithm a);    // "CRC32"
std::string_view checksum_header(checksum_algorithm a);  // "x-amz-checksum-crc32"
std::size_t checksum_size(checksum_algorithm a);         // bytes of the raw digest: 4, 4, 8, 20, 32
bool is_crc(checksum_algorithm a);

// An incremental checksum of a body by algorithm, for a request body streamed to a file.
// finish() gives the raw big-endian digest; finish_base64() the x-amz-checksum-* header value.
class checksum {
  public:
    explicit checksum(checksum_algorithm a) : algorithm_(a) {}
    checksum& update(std::string_view bytes);
    std::string finish();
    std::string finish_base64();
    checksum_algorithm algorithm() const { return algorithm_; }

    static std::string base64_of(checksum_algorithm a, std::string_view bytes) {
        return checksum(a).update(bytes).finish_base64();
    }

  private:
    checksum_algorithm algorithm_;
    std::uint64_t crc_ = 0;
    sha1 sha1_;
    sha256 sha256_;
};

// A header value's raw digest, or nullopt when it is not base64 of the algorithm's digest size.
std::optional<std::string> decode_checksum(checksum_algorithm a, std::string_view base64);

// A completed multipart upload's COMPOSITE checksum: the algorithm over the parts' raw checksums
// in part order, base64, then "-" and the number of parts. Parts are given as their base64
// values; nullopt when one is malformed.
std::optional<std::string> composite_checksum(checksum_algorithm a, const std::vector<std::string>& parts_base64);

// A completed multipart upload's FULL_OBJECT checksum (CRC algorithms only): the CRC of the whole
// object, combined from each part's base64 CRC and byte length. nullopt for a SHA algorithm or
// a malformed part checksum.
std::optional<std::string> full_object_checksum(checksum_algorithm a,
                                                const std::vector<std::pair<std::string, std::uint64_t>>& parts);

}  // namespace eddy
