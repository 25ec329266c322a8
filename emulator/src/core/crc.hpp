#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace eddy {

// The CRCs of S3's flexible checksums, zlib-style: crc = crc32(crc, bytes) runs on from the
// value returned for the bytes before (0 for none), so a body is checksummed as it streams in.
//   CRC-32      zlib's, reflected polynomial 0xedb88320
//   CRC-32C     Castagnoli, 0x82f63b78
//   CRC-64/NVME the NVMe command set's, 0x9a6c9329ac4bc9b5
// Where the CPU has PCLMULQDQ (checked at run time) inputs of 64 bytes on (1 KiB on for CRC-32C)
// are folded with carry-less multiplication; CRC-32C below that uses the SSE4.2 crc32
// instruction when there is one; everything else runs on slice-by-8 tables.
std::uint32_t crc32(std::uint32_t crc, std::string_view bytes);
std::uint32_t crc32c(std::uint32_t crc, std::string_view bytes);
std::uint64_t crc64nvme(std::uint64_t crc, std::string_view bytes);

// The CRC of A followed by B from crc(A), crc(B) and B's length, as zlib's crc32_combine: how a
// multipart upload's full-object CRC is had from its parts' CRCs without reading them again.
std::uint32_t crc32_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t length_b);
std::uint32_t crc32c_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t length_b);
std::uint64_t crc64nvme_combine(std::uint64_t crc_a, std::uint64_t crc_b, std::uint64_t length_b);

// The table version of CRC-32C, which crc32c uses where the CPU has neither (and tests compare).
std::uint32_t crc32c_portable(std::uint32_t crc, std::string_view bytes);
// Whether crc32c runs on the SSE4.2 instruction here.
bool crc32c_uses_sse42();

}  // namespace eddy
