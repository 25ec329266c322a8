#include "core/digest.hpp"

#include "core/encoding.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace eddy;

namespace {

template <typename Digest>
std::string hex_of(const Digest& d) {
    return to_hex(d.data(), d.size());
}

}  // namespace

TEST_CASE("md5 gives RFC 1321's test-suite digests, one block or many, whole or in pieces") {
    CHECK(md5::hex("") == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(md5::hex("a") == "0cc175b9c0f1b6a831c399e269772661");
    CHECK(md5::hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(md5::hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
    CHECK(md5::hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
    CHECK(md5::hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
          "d174ab98d277d9f5a5611c2c9f419d9f");
    std::string digits;
    for (int i = 0; i < 8; ++i)
        digits += "1234567890";
    CHECK(md5::hex(digits) == "57edf4a22be3c955ac49da2e2107b67a");
    md5 pieces;
    for (int i = 0; i < 8; ++i)
        pieces.update("1234567890");
    CHECK(hex_of(pieces.finish()) == "57edf4a22be3c955ac49da2e2107b67a");
    // finish() starts the hasher afresh
    CHECK(hex_of(pieces.update("a").finish()) == "0cc175b9c0f1b6a831c399e269772661");
}

TEST_CASE("sha1 and sha256 match the FIPS 180 examples, whole or fed a byte at a time") {
    CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(sha1_hex(std::string(1000000, 'a')) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    CHECK(sha256::hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256::hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256::hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha1 h1;
    sha256 h256;
    for (char c : two_blocks) {
        h1.update(std::string_view(&c, 1));
        h256.update(std::string_view(&c, 1));
    }
    CHECK(hex_of(h1.finish()) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(hex_of(h256.finish()) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("sha512_hex and sha384_hex match the FIPS 180 examples") {
    CHECK(sha512_hex("abc") ==
          "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
          "454d4423643ce80e2a9ac94fa54ca49f");
    CHECK(sha512_hex("") ==
          "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f"
          "63b931bd47417a81a538327af927da3e");
    CHECK(sha384_hex("abc") ==
          "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
}
