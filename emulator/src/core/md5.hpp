#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace eddy {

// RFC 1321 MD5. AWS uses it for message checksums (SQS) and partition-key
// hashing (Kinesis); it is not used for security anywhere in eddy.
class md5 {
  public:
    md5();
    md5& update(std::string_view bytes);
    std::array<std::uint8_t, 16> digest();

    static std::array<std::uint8_t, 16> of(std::string_view bytes) { return md5().update(bytes).digest(); }
    static std::string hex(std::string_view bytes);

  private:
    void block(const std::uint8_t* p);
    std::uint32_t a_, b_, c_, d_;
    std::uint64_t length_ = 0;
    std::uint8_t buffer_[64];
    std::size_t buffered_ = 0;
};

std::string to_hex(const std::uint8_t* bytes, std::size_t n);

}  // namespace eddy
