#include "core/md5.hpp"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("md5 gives RFC 1321's test-suite digests, one block or many, whole or in pieces") {
    CHECK(eddy::md5::hex("") == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(eddy::md5::hex("a") == "0cc175b9c0f1b6a831c399e269772661");
    CHECK(eddy::md5::hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(eddy::md5::hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
    CHECK(eddy::md5::hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
    CHECK(eddy::md5::hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
          "d174ab98d277d9f5a5611c2c9f419d9f");
    std::string digits;
    for (int i = 0; i < 8; ++i)
        digits += "1234567890";
    CHECK(eddy::md5::hex(digits) == "57edf4a22be3c955ac49da2e2107b67a");
    eddy::md5 pieces;
    for (int i = 0; i < 8; ++i)
        pieces.update("1234567890");
    auto d = pieces.digest();
    CHECK(eddy::to_hex(d.data(), d.size()) == "57edf4a22be3c955ac49da2e2107b67a");
}
