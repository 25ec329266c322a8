#include "core/checksum.hpp"

#include "core/crc.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace eddy;

namespace {

// Byte i of a "pattern:<n>" input, as checksum_vectors.py makes it.
std::string pattern(std::size_t n) {
    std::string out(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<char>((i * 131 + i / 512) % 256);
    return out;
}

struct vector_line {
    std::string algorithm, input, expected;
};

// checksum_vectors.txt: "<algorithm> <input spec> <base64>", the spec possibly holding spaces.
std::vector<vector_line> read_vectors(std::vector<vector_line>& composites) {
    std::ifstream in(std::string(EDDY_CHECKSUM_TEST_DATA) + "/checksum_vectors.txt");
    REQUIRE(in);
    std::vector<vector_line> out;
    std::string line;
    while (std::getline(in, line)) {
        auto first = line.find(' ');
        auto last = line.rfind(' ');
        std::string head = line.substr(0, first);
        std::string middle = line.substr(first + 1, last - first - 1);
        std::string tail = line.substr(last + 1);
        if (head == "composite")
            composites.push_back({middle, "", tail});
        else
            out.push_back({head, middle, tail});
    }
    return out;
}

std::string input_of(const std::string& spec) {
    if (spec.rfind("text:", 0) == 0) return spec.substr(5);
    return pattern(std::stoul(spec.substr(8)));
}

}  // namespace

TEST_CASE("crc32, crc32c and crc64nvme give the catalogue check values of \"123456789\"") {
    CHECK(crc32(0, "123456789") == 0xcbf43926u);
    CHECK(crc32c(0, "123456789") == 0xe3069283u);
    CHECK(crc32c_portable(0, "123456789") == 0xe3069283u);
    CHECK(crc64nvme(0, "123456789") == 0xae8b14860a799888ull);
}

TEST_CASE("crc32c gives RFC 3720's iSCSI examples, on the instruction and on tables") {
    std::string zeros(32, '\0'), ones(32, '\xff'), up(32, '\0'), down(32, '\0');
    for (int i = 0; i < 32; ++i) {
        up[i] = static_cast<char>(i);
        down[i] = static_cast<char>(31 - i);
    }
    for (auto f : {&crc32c, &crc32c_portable}) {
        CHECK(f(0, zeros) == 0x8a9136aau);
        CHECK(f(0, ones) == 0x62a8ab43u);
        CHECK(f(0, up) == 0x46dd794eu);
        CHECK(f(0, down) == 0x113fdb5cu);
    }
}

TEST_CASE("checksum gives the base64 digests of zlib, awscrt, crcmod and hashlib, whole or in pieces") {
    std::vector<vector_line> composites;
    auto vectors = read_vectors(composites);
    REQUIRE(vectors.size() == 40);
    for (const auto& v : vectors) {
        CAPTURE(v.algorithm);
        CAPTURE(v.input);
        auto algorithm = checksum_algorithm_named(v.algorithm);
        REQUIRE(algorithm);
        std::string data = input_of(v.input);
        CHECK(checksum::base64_of(*algorithm, data) == v.expected);
        // fed in pieces of 1, 2, 3... bytes, so every alignment of the 8-byte loops is crossed
        checksum pieces(*algorithm);
        std::size_t at = 0;
        for (std::size_t n = 1; at < data.size(); ++n) {
            pieces.update(std::string_view(data).substr(at, n));
            at += n;
        }
        CHECK(pieces.finish_base64() == v.expected);
        if (*algorithm == checksum_algorithm::crc32c) CHECK(crc32c_portable(0, data) == crc32c(0, data));
    }
}

TEST_CASE("a multipart upload's COMPOSITE and FULL_OBJECT checksums, from its parts' checksums") {
    std::vector<vector_line> composites;
    auto vectors = read_vectors(composites);
    REQUIRE(composites.size() == 5);
    std::string whole = pattern(100003);
    std::vector<std::string> parts = {whole.substr(0, 5000), whole.substr(5000, 1), whole.substr(5001, 65000 - 1),
                                      whole.substr(70000)};
    for (const auto& c : composites) {
        CAPTURE(c.algorithm);
        auto algorithm = *checksum_algorithm_named(c.algorithm);
        std::vector<std::string> part_checksums;
        std::vector<std::pair<std::string, std::uint64_t>> with_lengths;
        for (const auto& p : parts) {
            part_checksums.push_back(checksum::base64_of(algorithm, p));
            with_lengths.emplace_back(part_checksums.back(), p.size());
        }
        CHECK(composite_checksum(algorithm, part_checksums) == c.expected);
        auto full = full_object_checksum(algorithm, with_lengths);
        if (is_crc(algorithm)) {
            // the CRC of the whole object, as the vector of pattern:100003 gives it
            for (const auto& v : vectors)
                if (v.algorithm == c.algorithm && v.input == "pattern:100003") CHECK(full == v.expected);
        } else {
            CHECK_FALSE(full);
        }
    }
    CHECK_FALSE(composite_checksum(checksum_algorithm::crc32, {"AAAAAAAA"}));  // six bytes, not four
    CHECK_FALSE(full_object_checksum(checksum_algorithm::crc32, {{"not base64!", 3}}));
    CHECK(full_object_checksum(checksum_algorithm::crc64nvme, {}) == "AAAAAAAAAAA=");
}

TEST_CASE("crc combine joins the CRCs of two pieces into the CRC of both, for any split") {
    std::string data = pattern(3000);
    for (std::size_t cut : {std::size_t(0), std::size_t(1), std::size_t(7), std::size_t(1500), std::size_t(3000)}) {
        std::string_view a = std::string_view(data).substr(0, cut), b = std::string_view(data).substr(cut);
        CHECK(crc32_combine(crc32(0, a), crc32(0, b), b.size()) == crc32(0, data));
        CHECK(crc32c_combine(crc32c(0, a), crc32c(0, b), b.size()) == crc32c(0, data));
        CHECK(crc64nvme_combine(crc64nvme(0, a), crc64nvme(0, b), b.size()) == crc64nvme(0, data));
    }
}

TEST_CASE("checksum algorithms by S3's names and header names") {
    CHECK(checksum_algorithm_named("CRC64NVME") == checksum_algorithm::crc64nvme);
    CHECK(checksum_algorithm_named("crc32c") == checksum_algorithm::crc32c);
    CHECK_FALSE(checksum_algorithm_named("MD5"));
    CHECK(checksum_algorithm_of_header("X-Amz-Checksum-Sha256") == checksum_algorithm::sha256);
    CHECK_FALSE(checksum_algorithm_of_header("x-amz-checksum-md5"));
    CHECK(checksum_header(checksum_algorithm::crc32) == "x-amz-checksum-crc32");
    CHECK(checksum_name(checksum_algorithm::sha1) == "SHA1");
    CHECK(decode_checksum(checksum_algorithm::crc32, "6Le+Qw==") == std::string("\xe8\xb7\xbe\x43", 4));
    CHECK_FALSE(decode_checksum(checksum_algorithm::crc64nvme, "6Le+Qw=="));
    CHECK_FALSE(decode_checksum(checksum_algorithm::crc32, "6Le+Q*=="));
}

TEST_CASE("the folded CRCs agree with the table ones at every length and alignment") {
    std::string data = pattern(2200);
    for (std::size_t offset = 0; offset < 4; ++offset)
        for (std::size_t n = 0; n + offset <= 2200; n += (n < 300 ? 1 : 7)) {
            std::string_view s = std::string_view(data).substr(offset, n);
            CAPTURE(n);
            REQUIRE(crc32c(0, s) == crc32c_portable(0, s));
            // 32-byte pieces stay under the folding threshold, so they are summed on the tables
            std::uint32_t c32 = 0;
            std::uint64_t c64 = 0;
            for (std::size_t at = 0; at < n; at += 32) {
                c32 = crc32(c32, s.substr(at, 32));
                c64 = crc64nvme(c64, s.substr(at, 32));
            }
            REQUIRE(crc32(0, s) == c32);
            REQUIRE(crc64nvme(0, s) == c64);
        }
}
