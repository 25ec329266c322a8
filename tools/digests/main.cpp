// bench_digests: how fast eddy's digests (core/digest.hpp) and S3 checksums (core/checksum.hpp,
// core/crc.hpp) run on SQS-sized messages (64 B, 256 B) and object bodies (1 MiB, 64 MiB).
// Prints nanoseconds per call and GB/s; each case runs for about a quarter of a second.
//   build/tools/bench_digests [seconds per case]
#include "core/checksum.hpp"
#include "core/crc.hpp"
#include "core/digest.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

namespace {

double seconds_per_case = 0.25;
std::uint64_t sink = 0;  // what the digests return goes here, so no call is optimised away

void measure(const char* name, const std::string& data, const std::function<std::uint64_t(std::string_view)>& f) {
    using clock = std::chrono::steady_clock;
    std::uint64_t calls = 0;
    auto start = clock::now();
    double elapsed = 0;
    do {
        for (int i = 0; i < 16; ++i)
            sink += f(data);
        calls += 16;
        elapsed = std::chrono::duration<double>(clock::now() - start).count();
    } while (elapsed < seconds_per_case);
    std::printf("%-18s %10zu B %14.1f ns/call %8.2f GB/s\n", name, data.size(), elapsed / calls * 1e9,
                double(data.size()) * calls / elapsed / 1e9);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace eddy;
    if (argc > 1) seconds_per_case = std::atof(argv[1]);
    std::printf("crc32c on %s\n", crc32c_uses_sse42() ? "the SSE4.2 instruction" : "tables");
    for (std::size_t size : {std::size_t(64), std::size_t(256), std::size_t(1) << 20, std::size_t(64) << 20}) {
        std::string data(size, '\0');
        for (std::size_t i = 0; i < size; ++i)
            data[i] = static_cast<char>(i * 131 + (i >> 9));
        measure("md5", data, [](std::string_view d) { return md5::of(d)[0]; });
        measure("sha1", data, [](std::string_view d) { return sha1::of(d)[0]; });
        measure("sha256", data, [](std::string_view d) { return sha256::of(d)[0]; });
        measure("crc32", data, [](std::string_view d) { return crc32(0, d); });
        measure("crc32c", data, [](std::string_view d) { return crc32c(0, d); });
        measure("crc32c (tables)", data, [](std::string_view d) { return crc32c_portable(0, d); });
        measure("crc64nvme", data, [](std::string_view d) { return crc64nvme(0, d); });
        measure("checksum CRC32", data,
                [](std::string_view d) { return std::uint64_t(checksum::base64_of(checksum_algorithm::crc32, d)[0]); });
    }
    return sink == 42 ? 1 : 0;
}
