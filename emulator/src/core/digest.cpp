// The digest-specific low-level interface (MD5_Init, SHA256_Update...) is deprecated in OpenSSL 3
// but kept through 3.x: it needs no heap context and no provider lookup, which the EVP interface
// costs on every message (106 against 70 ns for SHA-256 of 64 bytes here).
#define OPENSSL_SUPPRESS_DEPRECATED

#include "core/digest.hpp"

#include "core/encoding.hpp"

#include <openssl/md5.h>
#include <openssl/sha.h>

namespace eddy {

namespace {

// How each algorithm drives libcrypto, by the hasher's Algorithm number.
template <int Algorithm>
struct ops;

template <>
struct ops<0> {
    using context = MD5_CTX;
    static void init(context* c) { MD5_Init(c); }
    static void update(context* c, const void* p, std::size_t n) { MD5_Update(c, p, n); }
    static void final(unsigned char* out, context* c) { MD5_Final(out, c); }
};

template <>
struct ops<1> {
    using context = SHA_CTX;
    static void init(context* c) { SHA1_Init(c); }
    static void update(context* c, const void* p, std::size_t n) { SHA1_Update(c, p, n); }
    static void final(unsigned char* out, context* c) { SHA1_Final(out, c); }
};

template <>
struct ops<2> {
    using context = SHA256_CTX;
    static void init(context* c) { SHA256_Init(c); }
    static void update(context* c, const void* p, std::size_t n) { SHA256_Update(c, p, n); }
    static void final(unsigned char* out, context* c) { SHA256_Final(out, c); }
};

}  // namespace

namespace detail {

template <typename Digest, int Algorithm>
hasher<Digest, Algorithm>::hasher() {
    using context = typename ops<Algorithm>::context;
    static_assert(sizeof(context) <= sizeof(state_) && alignof(context) <= 8);
    ops<Algorithm>::init(reinterpret_cast<context*>(state_));
}

template <typename Digest, int Algorithm>
hasher<Digest, Algorithm>& hasher<Digest, Algorithm>::update(std::string_view bytes) {
    ops<Algorithm>::update(reinterpret_cast<typename ops<Algorithm>::context*>(state_), bytes.data(), bytes.size());
    return *this;
}

template <typename Digest, int Algorithm>
Digest hasher<Digest, Algorithm>::finish() {
    auto* c = reinterpret_cast<typename ops<Algorithm>::context*>(state_);
    Digest out{};
    ops<Algorithm>::final(out.data(), c);
    ops<Algorithm>::init(c);
    return out;
}

template <typename Digest, int Algorithm>
Digest hasher<Digest, Algorithm>::of(std::string_view bytes) {
    return hasher().update(bytes).finish();
}

template <typename Digest, int Algorithm>
std::string hasher<Digest, Algorithm>::hex(std::string_view bytes) {
    auto d = of(bytes);
    return to_hex(d.data(), d.size());
}

template class hasher<md5_digest, 0>;
template class hasher<sha1_digest, 1>;
template class hasher<sha256_digest, 2>;

}  // namespace detail

std::string sha1_hex(std::string_view bytes) {
    return sha1::hex(bytes);
}

std::string sha384_hex(std::string_view bytes) {
    unsigned char out[SHA384_DIGEST_LENGTH];
    SHA384(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out);
    return to_hex(out, sizeof out);
}

std::string sha512_hex(std::string_view bytes) {
    unsigned char out[SHA512_DIGEST_LENGTH];
    SHA512(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out);
    return to_hex(out, sizeof out);
}

}  // namespace eddy
