#include "core/crc.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#include <wmmintrin.h>
#endif

namespace eddy {

namespace {

// Slice-by-8 tables for a reflected CRC: t[0] is the bytewise table, t[k][b] the CRC of byte b
// followed by k zero bytes, so eight input bytes take eight lookups and no serial shifts.
template <typename T, T poly>
struct tables {
    std::array<std::array<T, 256>, 8> t{};
    constexpr tables() {
        for (unsigned b = 0; b < 256; ++b) {
            T c = b;
            for (int i = 0; i < 8; ++i)
                c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
            t[0][b] = c;
        }
        for (unsigned b = 0; b < 256; ++b)
            for (int k = 1; k < 8; ++k)
                t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
    }
};

constexpr std::uint32_t crc32_poly = 0xedb88320;
constexpr std::uint32_t crc32c_poly = 0x82f63b78;
constexpr std::uint64_t crc64nvme_poly = 0x9a6c9329ac4bc9b5;

constexpr tables<std::uint32_t, crc32_poly> crc32_tables;
constexpr tables<std::uint32_t, crc32c_poly> crc32c_tables;
constexpr tables<std::uint64_t, crc64nvme_poly> crc64_tables;

inline std::uint64_t load_le64(const unsigned char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);  // little-endian hosts only, as eddy's targets are
    return v;
}

// The register (not inverted) over `n` bytes, eight at a time.
template <typename T, typename Tables>
T slice8(T c, const unsigned char* p, std::size_t n, const Tables& tb) {
    const auto& t = tb.t;
    while (n >= 8) {
        std::uint64_t v = load_le64(p) ^ static_cast<std::uint64_t>(c);
        c = t[7][v & 0xff] ^ t[6][(v >> 8) & 0xff] ^ t[5][(v >> 16) & 0xff] ^ t[4][(v >> 24) & 0xff] ^
            t[3][(v >> 32) & 0xff] ^ t[2][(v >> 40) & 0xff] ^ t[1][(v >> 48) & 0xff] ^ t[0][v >> 56];
        p += 8;
        n -= 8;
    }
    while (n-- > 0)
        c = (c >> 8) ^ t[0][(c ^ *p++) & 0xff];
    return c;
}

const unsigned char* bytes_of(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(std::uint32_t c, const unsigned char* p, std::size_t n) {
    std::uint64_t c64 = c;
    while (n >= 8) {
        c64 = _mm_crc32_u64(c64, load_le64(p));
        p += 8;
        n -= 8;
    }
    c = static_cast<std::uint32_t>(c64);
    while (n-- > 0)
        c = _mm_crc32_u8(c, *p++);
    return c;
}

const bool have_sse42 = __builtin_cpu_supports("sse4.2");
#else
const bool have_sse42 = false;
#endif

// Polynomial arithmetic modulo a reflected CRC polynomial, as zlib's crc32_combine does it:
// the CRC of A||B is crc(A) times x^(8*len(B)) plus crc(B).
template <typename T, T poly>
T multiply_mod(T a, T b) {
    constexpr T top = T(1) << (sizeof(T) * 8 - 1);  // x^0 in the reflected order
    T product = 0;
    for (T m = top; m != 0; m >>= 1) {
        if (a & m) product ^= b;
        b = (b & 1) ? (b >> 1) ^ poly : b >> 1;
    }
    return product;
}

// x^(8 * bytes) mod poly, by squaring: x^(2^k) for each set bit of 8 * bytes.
template <typename T, T poly>
T x_to_8n(std::uint64_t bytes) {
    T result = T(1) << (sizeof(T) * 8 - 1);
    T square = T(1) << (sizeof(T) * 8 - 9);  // x^8: one byte
    while (bytes != 0) {
        if (bytes & 1) result = multiply_mod<T, poly>(result, square);
        square = multiply_mod<T, poly>(square, square);
        bytes >>= 1;
    }
    return result;
}

// x^n mod poly, as the 64 reflected bits PCLMULQDQ multiplies (bit i is x^(63-i)).
template <typename T, T poly>
std::uint64_t x_to_n_reflected64(unsigned n) {
    T result = T(1) << (sizeof(T) * 8 - 1);
    T x = T(1) << (sizeof(T) * 8 - 2);
    for (unsigned i = 0; i < n; ++i)
        result = multiply_mod<T, poly>(result, x);
    return static_cast<std::uint64_t>(result) << (64 - sizeof(T) * 8);
}

#if defined(__x86_64__)
// Folding with carry-less multiplication: 16 bytes X followed by d more bits are replaced by
// X.first8 * x^(d+64) + X.last8 * x^d (mod poly), which has the same CRC; four lanes of 16
// bytes fold 64 bytes at a time, then into one, whose CRC and the tail's the tables finish.
// The constants are x^(d+63) and x^(d-1): the product of two reflected 64-bit operands lands
// one bit short of the 128-bit reflected product.
template <typename T, T poly>
struct fold_constants {
    __m128i by_16, by_64;
    fold_constants() {
        by_16 = _mm_set_epi64x(static_cast<long long>(x_to_n_reflected64<T, poly>(127)),
                               static_cast<long long>(x_to_n_reflected64<T, poly>(191)));
        by_64 = _mm_set_epi64x(static_cast<long long>(x_to_n_reflected64<T, poly>(511)),
                               static_cast<long long>(x_to_n_reflected64<T, poly>(575)));
    }
};

__attribute__((target("pclmul,sse4.1"))) inline __m128i fold(__m128i x, __m128i k, __m128i next) {
    return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), next);
}

template <typename T, T poly, typename Tables>
__attribute__((target("pclmul,sse4.1"))) T fold_crc(T c, const unsigned char* p, std::size_t n, const Tables& tb) {
    static const fold_constants<T, poly> k;
    auto load = [](const unsigned char* at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at)); };
    __m128i x = _mm_xor_si128(load(p), _mm_cvtsi64_si128(static_cast<long long>(c)));
    p += 16;
    n -= 16;
    if (n >= 112) {
        __m128i x1 = load(p), x2 = load(p + 16), x3 = load(p + 32);
        p += 48;
        n -= 48;
        while (n >= 64) {
            x = fold(x, k.by_64, load(p));
            x1 = fold(x1, k.by_64, load(p + 16));
            x2 = fold(x2, k.by_64, load(p + 32));
            x3 = fold(x3, k.by_64, load(p + 48));
            p += 64;
            n -= 64;
        }
        x = fold(fold(fold(x, k.by_16, x1), k.by_16, x2), k.by_16, x3);
    }
    while (n >= 16) {
        x = fold(x, k.by_16, load(p));
        p += 16;
        n -= 16;
    }
    alignas(16) unsigned char folded[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(folded), x);
    return slice8<T>(slice8<T>(T(0), folded, 16, tb), p, n, tb);
}

const bool have_pclmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
#endif

template <typename T, T poly>
T combine(T crc_a, T crc_b, std::uint64_t length_b) {
    return multiply_mod<T, poly>(x_to_8n<T, poly>(length_b), crc_a) ^ crc_b;
}

}  // namespace

std::uint32_t crc32(std::uint32_t crc, std::string_view bytes) {
#if defined(__x86_64__)
    if (have_pclmul && bytes.size() >= 64)
        return ~fold_crc<std::uint32_t, crc32_poly>(~crc, bytes_of(bytes), bytes.size(), crc32_tables);
#endif
    return ~slice8<std::uint32_t>(~crc, bytes_of(bytes), bytes.size(), crc32_tables);
}

std::uint32_t crc32c_portable(std::uint32_t crc, std::string_view bytes) {
    return ~slice8<std::uint32_t>(~crc, bytes_of(bytes), bytes.size(), crc32c_tables);
}

std::uint32_t crc32c(std::uint32_t crc, std::string_view bytes) {
#if defined(__x86_64__)
    // one crc32 instruction chain is latency-bound near 10 GB/s; four folding lanes pass it
    // from about 1 KiB on (14 GB/s), below which the instruction is quicker
    if (have_pclmul && bytes.size() >= 1024)
        return ~fold_crc<std::uint32_t, crc32c_poly>(~crc, bytes_of(bytes), bytes.size(), crc32c_tables);
    if (have_sse42) return ~crc32c_sse42(~crc, bytes_of(bytes), bytes.size());
#endif
    return crc32c_portable(crc, bytes);
}

bool crc32c_uses_sse42() {
    return have_sse42;
}

std::uint64_t crc64nvme(std::uint64_t crc, std::string_view bytes) {
#if defined(__x86_64__)
    if (have_pclmul && bytes.size() >= 64)
        return ~fold_crc<std::uint64_t, crc64nvme_poly>(~crc, bytes_of(bytes), bytes.size(), crc64_tables);
#endif
    return ~slice8<std::uint64_t>(~crc, bytes_of(bytes), bytes.size(), crc64_tables);
}

std::uint32_t crc32_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t length_b) {
    return combine<std::uint32_t, crc32_poly>(crc_a, crc_b, length_b);
}

std::uint32_t crc32c_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t length_b) {
    return combine<std::uint32_t, crc32c_poly>(crc_a, crc_b, length_b);
}

std::uint64_t crc64nvme_combine(std::uint64_t crc_a, std::uint64_t crc_b, std::uint64_t length_b) {
    return combine<std::uint64_t, crc64nvme_poly>(crc_a, crc_b, length_b);
}

}  // namespace eddy
