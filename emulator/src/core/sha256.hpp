#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace eddy {

// FIPS 180-4 SHA-256: SQS content-based deduplication ids, S3 checksums, SigV4.
class sha256 {
  public:
    sha256();
    sha256& update(std::string_view bytes);
    std::array<std::uint8_t, 32> digest();
    static std::string hex(std::string_view bytes);

  private:
    void block(const std::uint8_t* p);
    std::uint32_t h_[8];
    std::uint64_t length_ = 0;
    std::uint8_t buffer_[64];
    std::size_t buffered_ = 0;
};

}  // namespace eddy
