#include "protocol/aws_chunked.hpp"

#include "core/checksum.hpp"
#include "core/encoding.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

using namespace eddy;
using namespace eddy::protocol;

namespace {

std::string read_file(const std::string& name) {
    std::ifstream in(std::string(EDDY_AWS_CHUNKED_TEST_DATA) + "/" + name, std::ios::binary);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A header's value from a capture's .headers file, "" when absent.
std::string header(const std::string& headers, std::string_view name) {
    std::istringstream in(headers);
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon != std::string::npos && ascii_iequals(std::string_view(line).substr(0, colon), name)) {
            auto value = line.substr(colon + 1);
            while (!value.empty() && (value.front() == ' '))
                value.erase(0, 1);
            while (!value.empty() && (value.back() == '\r' || value.back() == ' '))
                value.pop_back();
            return value;
        }
    }
    return "";
}

// A decoder that appends its payload to `out`.
aws_chunked_decoder decoder_into(std::string& out, aws_chunked_decoder::options opts) {
    return aws_chunked_decoder(std::move(opts), [&out](std::string_view p) { out.append(p); });
}

aws_chunked_decoder::options options_of(const std::string& headers) {
    aws_chunked_decoder::options o;
    o.mode = *aws_chunked_mode_of(header(headers, "X-Amz-Content-SHA256"));
    auto length = header(headers, "X-Amz-Decoded-Content-Length");
    if (!length.empty()) o.decoded_length = std::stoull(length);
    o.declared_trailers = header(headers, "X-Amz-Trailer");
    return o;
}

// Decodes `body` fed as the two pieces cut at `cut`; the error code, or "" when it decodes.
std::string decode_split(const std::string& body, std::size_t cut, aws_chunked_decoder::options opts,
                         std::string& payload) {
    payload.clear();
    auto d = decoder_into(payload, std::move(opts));
    d.feed(std::string_view(body).substr(0, cut));
    d.feed(std::string_view(body).substr(cut));
    d.finish();
    return d.error() ? d.error()->code : "";
}

std::string code_of(const std::string& body, aws_chunked_decoder::options opts = {}) {
    std::string payload;
    return decode_split(body, body.size(), std::move(opts), payload);
}

}  // namespace

TEST_CASE("aws_chunked_mode_of knows the streaming x-amz-content-sha256 values") {
    CHECK(aws_chunked_mode_of("STREAMING-UNSIGNED-PAYLOAD-TRAILER") == aws_chunked_mode::unsigned_trailer);
    CHECK(aws_chunked_mode_of("STREAMING-AWS4-HMAC-SHA256-PAYLOAD") == aws_chunked_mode::signed_chunks);
    CHECK(aws_chunked_mode_of("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD") == aws_chunked_mode::signed_chunks);
    CHECK(aws_chunked_mode_of("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") == aws_chunked_mode::signed_trailer);
    CHECK_FALSE(aws_chunked_mode_of("UNSIGNED-PAYLOAD"));
    CHECK_FALSE(aws_chunked_mode_of("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

TEST_CASE("aws-chunked bodies boto3 sent decode the same split at every offset, and their trailer checksums match") {
    struct capture {
        const char* name;
        std::string payload;
    };
    const capture captures[] = {
        {"put_object_default", "Hello, aws-chunked world!\n"},
        {"put_object_streamed_sha1", read_file("streamed_payload.bin")},
        {"put_object_empty_sha256", ""},
    };
    for (const auto& c : captures) {
        CAPTURE(c.name);
        std::string headers = read_file(std::string(c.name) + ".headers");
        std::string body = read_file(std::string(c.name) + ".body");
        auto opts = options_of(headers);
        std::string trailer_name = header(headers, "X-Amz-Trailer");
        auto algorithm = *checksum_algorithm_of_header(trailer_name);
        std::size_t step = body.size() > 2000 ? 97 : 1;  // the 40 KB body at every 97th offset, and its seams below
        for (std::size_t cut = 0; cut <= body.size(); cut += step) {
            std::string payload;
            REQUIRE(decode_split(body, cut, opts, payload) == "");
            REQUIRE(payload == c.payload);
        }
        // byte by byte, with what the caller sees along the way
        std::string payload;
        checksum sum(algorithm);
        aws_chunked_decoder d(opts, [&](std::string_view p) {
            payload.append(p);
            sum.update(p);
        });
        for (char byte : body)
            REQUIRE(d.feed(std::string_view(&byte, 1)));
        CHECK(d.complete());
        CHECK(d.finish());
        CHECK(payload == c.payload);
        CHECK(d.decoded_length() == c.payload.size());
        REQUIRE(d.trailers().size() == 1);
        CHECK(d.trailers()[0].first == trailer_name);
        CHECK(d.trailer(trailer_name) == sum.finish_base64());  // boto3's checksum of what was decoded
    }
    // the streamed upload's chunks, one per read of at most 9000 bytes, each cut through
    std::string headers = read_file("put_object_streamed_sha1.headers");
    std::string body = read_file("put_object_streamed_sha1.body");
    std::string expected = read_file("streamed_payload.bin");
    for (std::size_t seam : {std::size_t(0), std::size_t(6), std::size_t(9006), std::size_t(9008), std::size_t(9014),
                             body.size() - 40, body.size() - 1})
        for (std::size_t cut = seam > 8 ? seam - 8 : 0; cut <= std::min(body.size(), seam + 8); ++cut) {
            std::string payload;
            REQUIRE(decode_split(body, cut, options_of(headers), payload) == "");
            REQUIRE(payload == expected);
        }
}

TEST_CASE("a body cut short anywhere is IncompleteBody, as S3 words it") {
    std::string headers = read_file("put_object_default.headers");
    std::string body = read_file("put_object_default.body");
    for (std::size_t n = 0; n < body.size(); ++n) {
        CAPTURE(n);
        std::string payload;
        auto d = decoder_into(payload, options_of(headers));
        d.feed(std::string_view(body).substr(0, n));
        CHECK_FALSE(d.finish());
        REQUIRE(d.error());
        CHECK(d.error()->code == "IncompleteBody");
        CHECK(d.error()->message == "The request body terminated unexpectedly");
    }
}

TEST_CASE("signed aws-chunked bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD and -TRAILER) are read, signatures kept") {
    // The layout of S3's documented example: 66560 bytes of 'a' in a 64 KiB and a 1 KiB chunk.
    std::string sig1(64, '1'), sig2(64, '2'), sig3(64, '3'), sig4(64, '4');
    std::string body = "10000;chunk-signature=" + sig1 + "\r\n" + std::string(65536, 'a') + "\r\n" +
                       "400;chunk-signature=" + sig2 + "\r\n" + std::string(1024, 'a') + "\r\n" +
                       "0;chunk-signature=" + sig3 + "\r\n\r\n";
    aws_chunked_decoder::options o;
    o.mode = aws_chunked_mode::signed_chunks;
    o.decoded_length = 66560;
    std::string payload;
    auto d = decoder_into(payload, o);
    CHECK(d.feed(body));
    CHECK(d.finish());
    CHECK(payload == std::string(66560, 'a'));
    CHECK(d.chunks() == 2);
    CHECK(d.last_chunk_signature() == sig3);

    std::string with_trailer = "400;chunk-signature=" + sig1 + "\r\n" + std::string(1024, 'b') + "\r\n" +
                               "0;chunk-signature=" + sig2 + "\r\n" + "x-amz-checksum-crc32c:suQIkg==\r\n" +
                               "x-amz-trailer-signature:" + sig4 + "\r\n\r\n";
    o.mode = aws_chunked_mode::signed_trailer;
    o.decoded_length = 1024;
    o.declared_trailers = "x-amz-checksum-crc32c";
    payload.clear();
    auto t = decoder_into(payload, o);
    for (char byte : with_trailer)
        REQUIRE(t.feed(std::string_view(&byte, 1)));
    CHECK(t.finish());
    CHECK(payload == std::string(1024, 'b'));
    CHECK(t.trailer("x-amz-checksum-crc32c") == "suQIkg==");
    CHECK(t.trailer_signature() == sig4);

    // a signed variant's chunk without its signature is no such body
    o.mode = aws_chunked_mode::signed_chunks;
    o.decoded_length.reset();
    o.declared_trailers.clear();
    CHECK(code_of("3\r\nabc\r\n0\r\n\r\n", o) == "IncompleteBody");
}

TEST_CASE("malformed aws-chunked bodies get S3's errors") {
    aws_chunked_decoder::options plain;  // STREAMING-UNSIGNED-PAYLOAD-TRAILER, no headers
    CHECK(code_of("3\r\nabc\r\n0\r\n\r\n", plain) == "");
    CHECK(code_of("zz\r\nabc\r\n0\r\n\r\n", plain) == "IncompleteBody");     // not hex
    CHECK(code_of("\r\nabc\r\n0\r\n\r\n", plain) == "IncompleteBody");       // no size
    CHECK(code_of("3\nabc\r\n0\r\n\r\n", plain) == "IncompleteBody");        // bare LF
    CHECK(code_of("3\r\nabcX\r\n0\r\n\r\n", plain) == "IncompleteBody");     // data longer than its size
    CHECK(code_of("3;x=y\r\nabc\r\n0\r\n\r\n", plain) == "IncompleteBody");  // unknown extension
    CHECK(code_of("11111111111111111\r\n", plain) == "IncompleteBody");      // over 64 bits
    CHECK(code_of("3\r\nabc\r\n0\r\n\r\nmore", plain) == "IncompleteBody");  // bytes after the end
    CHECK(code_of(std::string(5000, '0'), plain) == "IncompleteBody");       // a size line without end

    SUBCASE("only the last chunk may be under 8 KiB: S3 names the chunk after it and the short size") {
        std::string payload;
        auto d = decoder_into(payload, plain);
        CHECK_FALSE(d.feed("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
        REQUIRE(d.error());
        CHECK(d.error()->code == "InvalidChunkSizeError");
        CHECK(d.error()->message == "Only the last chunk is allowed to have a size less than 8192 bytes");
        CHECK(d.error()->details ==
              std::vector<std::pair<std::string, std::string>>{{"Chunk", "2"}, {"BadChunkSize", "3"}});
        CHECK_FALSE(d.feed("x"));  // refused from then on
        CHECK(code_of("2000\r\n" + std::string(8192, 'x') + "\r\n2\r\nde\r\n0\r\n\r\n", plain) == "");
    }
    SUBCASE("a decoded length other than x-amz-decoded-content-length") {
        auto o = plain;
        o.decoded_length = 3;
        std::string payload;
        auto d = decoder_into(payload, o);
        CHECK_FALSE(d.feed("5\r\nhello\r\n0\r\n\r\n"));
        CHECK(d.error()->code == "IncompleteBody");
        CHECK(d.error()->message ==
              "You did not provide the number of bytes specified by the Content-Length HTTP header");
        CHECK(d.error()->details == std::vector<std::pair<std::string, std::string>>{{"NumberBytesExpected", "3"},
                                                                                     {"NumberBytesProvided", "5"}});
        CHECK(payload.empty());  // refused before any of it was handed on
        // a size that would wrap the running sum is still over the declared length
        auto wrapping = o;
        wrapping.decoded_length = 8200;
        auto w = decoder_into(payload, wrapping);
        CHECK_FALSE(w.feed("2000\r\n" + std::string(8192, 'x') + "\r\nffffffffffffffff\r\n"));
        CHECK(w.error()->message ==
              "You did not provide the number of bytes specified by the Content-Length HTTP header");
        payload.clear();
        o.decoded_length = 10;
        auto shorter = decoder_into(payload, o);
        CHECK_FALSE(shorter.feed("5\r\nhello\r\n0\r\n\r\n"));
        CHECK(shorter.error()->details == std::vector<std::pair<std::string, std::string>>{
                                              {"NumberBytesExpected", "10"}, {"NumberBytesProvided", "5"}});
    }
    SUBCASE("trailers that are malformed or not the declared ones are MalformedTrailerError") {
        auto o = plain;
        o.declared_trailers = "x-amz-checksum-crc32";
        CHECK(code_of("3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n", o) == "");
        CHECK(code_of("3\r\nabc\r\n0\r\nx-amz-checksum-crc32\r\n\r\n", o) == "MalformedTrailerError");
        CHECK(code_of("3\r\nabc\r\n0\r\n:NSRBwg==\r\n\r\n", o) == "MalformedTrailerError");
        CHECK(code_of("3\r\nabc\r\n0\r\nx-amz-checksum-crc32c:AAAAAA==\r\n\r\n", o) == "MalformedTrailerError");
        CHECK(code_of("3\r\nabc\r\n0\r\n\r\n", o) == "MalformedTrailerError");  // declared, not sent
        CHECK(code_of("3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n", plain) == "MalformedTrailerError");
        CHECK(code_of("3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n" + std::string(20000, 'x'), o) ==
              "MalformedTrailerError");
        // an unsigned body has no trailer signature
        CHECK(code_of("3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\nx-amz-trailer-signature:abcd\r\n\r\n", o) ==
              "MalformedTrailerError");
    }
}
