#include "core/encoding.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace eddy;

namespace {

std::string decoded(std::string_view text) {
    std::string out;
    REQUIRE_MESSAGE(base64_decode(text, out), text);
    return out;
}

bool rejects(std::string_view text) {
    std::string out;
    return !base64_decode(text, out);
}

}  // namespace

TEST_CASE("base64_encode follows RFC 4648 test vectors") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_encode("fooba") == "Zm9vYmE=");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    CHECK(base64_encode(std::string("\xff\xfe\x00\x01", 4)) == "//4AAQ==");
}

TEST_CASE("base64_decode reads padded and unpadded text") {
    CHECK(decoded("") == "");
    CHECK(decoded("Zg==") == "f");
    CHECK(decoded("Zm8=") == "fo");
    CHECK(decoded("Zm9vYmFy") == "foobar");
    CHECK(decoded("Zg") == "f");
    CHECK(decoded("Zm8") == "fo");
    CHECK(decoded("//4AAQ==") == std::string("\xff\xfe\x00\x01", 4));
}

TEST_CASE("base64 round trips every byte value") {
    std::string all;
    for (int i = 0; i < 256; ++i)
        all += static_cast<char>(i);
    for (std::size_t n = 0; n <= all.size(); n += 37) {
        auto part = all.substr(0, n);
        CHECK(decoded(base64_encode(part)) == part);
    }
    CHECK(decoded(base64_encode(all)) == all);
}

TEST_CASE("base64_decode rejects invalid input") {
    CHECK(rejects("Zm9v!"));
    CHECK(rejects("Zm9v YmFy"));
    CHECK(rejects("Zm9v\n"));
    CHECK(rejects("Z"));      // one character cannot hold a byte
    CHECK(rejects("Zm9vY"));  // nor can five
    CHECK(rejects("Zg==="));  // three pad characters
    CHECK(
        rejects("Zg=="
                "Zg=="));  // data after padding
    CHECK(rejects("Zg=g"));
    CHECK(rejects("Zm8=="));  // too much padding for the data
    CHECK(rejects("Zg-_"));   // the URL-safe alphabet is not base64
}

TEST_CASE("url_decode") {
    CHECK(url_decode("abc") == "abc");
    CHECK(url_decode("a%20b") == "a b");
    CHECK(url_decode("%2Fpath%2fto") == "/path/to");
    CHECK(url_decode("%41") == "A");
    CHECK(url_decode("%E2%82%AC") == "\xE2\x82\xAC");
    CHECK(url_decode("a+b") == "a+b");
    CHECK(url_decode("a+b", true) == "a b");
    CHECK(url_decode("a%2Bb", true) == "a+b");
    // malformed escapes pass through unchanged
    CHECK(url_decode("100%") == "100%");
    CHECK(url_decode("%4") == "%4");
    CHECK(url_decode("%zz") == "%zz");
}

TEST_CASE("url_encode leaves only unreserved characters") {
    CHECK(url_encode("AZaz09-_.~") == "AZaz09-_.~");
    CHECK(url_encode("a b") == "a%20b");
    CHECK(url_encode("a+b=c&d") == "a%2Bb%3Dc%26d");
    CHECK(url_encode("dir/file.txt") == "dir%2Ffile.txt");
    CHECK(url_encode("dir/file.txt", true) == "dir/file.txt");
    CHECK(url_encode("\xE2\x82\xAC") == "%E2%82%AC");
    for (std::string s : {"", "x y/z?&=+%", "arn:aws:lambda:us-east-1:000000000000:function:f"})
        CHECK(url_decode(url_encode(s)) == s);
}

TEST_CASE("is_valid_utf8") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain ascii"));
    CHECK(is_valid_utf8("caf\xC3\xA9"));             // é
    CHECK(is_valid_utf8("\xE2\x82\xAC"));            // €
    CHECK(is_valid_utf8("\xF0\x9F\x98\x80"));        // U+1F600
    CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));        // U+10FFFF
    CHECK_FALSE(is_valid_utf8("\xC3"));              // truncated
    CHECK_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
    CHECK_FALSE(is_valid_utf8("\x80"));              // lone continuation
    CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
    CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
    CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    CHECK_FALSE(is_valid_utf8("\xFF"));
    CHECK_FALSE(is_valid_utf8("ok\xC3(bad"));
}

TEST_CASE("json_plain_prefix stops at the first byte JSON escapes or decodes, at every offset") {
    CHECK(json_plain_prefix("") == 0);
    CHECK(json_plain_prefix("plain text, no escapes ~\x7F") == 25);
    // Each stopping byte, placed at every position of a run longer than two 16-byte blocks, and at its end.
    for (char stop : {'"', '\\', '\n', '\x01', '\x1f', '\x80', '\xC3', '\xFF'})
        for (std::size_t at = 0; at <= 40; ++at) {
            std::string s(40, 'a');
            s.insert(at, 1, stop);
            CAPTURE(at);
            CAPTURE(static_cast<int>(static_cast<unsigned char>(stop)));
            CHECK(json_plain_prefix(s) == at);
        }
    // Bytes just inside the plain range do not stop it.
    CHECK(json_plain_prefix(std::string(17, ' ') + std::string(17, '#') + std::string(17, ']')) == 51);
}

TEST_CASE("printable_ascii_prefix stops at controls and bytes from 0x80 on, not at quotes or backslashes") {
    CHECK(printable_ascii_prefix("say \"hi\" \\ ~\x7F") == 13);
    for (char stop : {'\t', '\n', '\x01', '\x80', '\xFF'})
        for (std::size_t at = 0; at <= 40; ++at) {
            std::string s(40, '"');
            s.insert(at, 1, stop);
            CAPTURE(at);
            CHECK(printable_ascii_prefix(s) == at);
        }
}

TEST_CASE("ascii_iequals ignores the case of ASCII letters only") {
    CHECK(ascii_iequals("100-Continue", "100-continue"));
    CHECK(ascii_iequals("QueueUrl", "queueurl"));
    CHECK_FALSE(ascii_iequals("QueueUrl", "QueueUr"));
    CHECK_FALSE(ascii_iequals("a[", "A{"));  // '[' and '{' differ by the same bit as case
    CHECK_FALSE(ascii_iequals("caf\xC3\xA9", "CAF\xC3\x89"));
}
