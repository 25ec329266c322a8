#pragma once

#include "core/aws_error.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eddy::protocol {

// The variants of S3's aws-chunked body coding, by their x-amz-content-sha256 value.
enum class aws_chunked_mode {
    unsigned_trailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER: plain chunks, then trailers
    signed_chunks,     // STREAMING-AWS4-HMAC-SHA256-PAYLOAD (or -ECDSA-P256-): chunk-signature on each chunk
    signed_trailer,    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER (or ECDSA): both, and x-amz-trailer-signature
};

// nullopt when `content_sha256` names no aws-chunked variant (a hex digest, UNSIGNED-PAYLOAD).
std::optional<aws_chunked_mode> aws_chunked_mode_of(std::string_view content_sha256);

// A refusal as S3 words it; `details` are the extra elements S3 puts in its <Error>
// (Chunk and BadChunkSize, NumberBytesExpected and NumberBytesProvided).
struct aws_chunked_error {
    std::string code;
    std::string message;
    std::vector<std::pair<std::string, std::string>> details;

    aws_error as_aws_error() const { return aws_error(code, message, 400); }
};

// Decodes an aws-chunked request body as it arrives, in slices of any size:
//   hex-size[;chunk-signature=sig]\r\n data\r\n ... 0[;chunk-signature=sig]\r\n
//   [name:value\r\n]... [x-amz-trailer-signature:sig\r\n] \r\n
// Payload bytes go to the sink as they are decoded (so they can be written and hashed without
// holding the body); trailers are collected. Signatures are read, not verified. Once an error
// is found every later feed is refused. Lives with its request; not thread-safe.
class aws_chunked_decoder {
  public:
    struct options {
        aws_chunked_mode mode = aws_chunked_mode::unsigned_trailer;
        std::optional<std::uint64_t> decoded_length;  // x-amz-decoded-content-length, when sent
        std::string declared_trailers;                // x-amz-trailer, when sent: comma-separated names
    };
    using sink = std::function<void(std::string_view payload)>;

    aws_chunked_decoder(options opts, sink on_payload);

    // The next bytes of the body. False once the body is found malformed (see error()).
    bool feed(std::string_view bytes);
    // The body has ended. False unless it was complete (else IncompleteBody).
    bool finish();

    bool complete() const { return state_ == state::done; }
    const std::optional<aws_chunked_error>& error() const { return error_; }
    std::uint64_t decoded_length() const { return decoded_; }
    std::size_t chunks() const { return chunks_; }  // data chunks, not counting the final empty one
    // Trailers in the order sent, names as sent (x-amz-trailer-signature is kept apart).
    const std::vector<std::pair<std::string, std::string>>& trailers() const { return trailers_; }
    std::optional<std::string_view> trailer(std::string_view name) const;
    const std::string& last_chunk_signature() const { return chunk_signature_; }
    const std::string& trailer_signature() const { return trailer_signature_; }

  private:
    enum class state { size_line, data, data_end, trailer_line, done, failed };

    bool fail(std::string code, std::string message, std::vector<std::pair<std::string, std::string>> details = {});
    bool incomplete();
    bool on_size_line();
    bool on_trailer_line();
    bool on_trailers_end();
    // Appends to line_ up to and including "\r\n"; true when a whole line is there.
    bool take_line(std::string_view& bytes, std::size_t limit);

    options options_;
    sink sink_;
    state state_ = state::size_line;
    std::optional<aws_chunked_error> error_;
    std::string line_;
    std::uint64_t remaining_ = 0;      // of the current chunk's data
    std::uint64_t decoded_ = 0;        // payload bytes so far
    std::uint64_t previous_size_ = 0;  // of the last data chunk, for S3's 8 KiB minimum
    std::size_t chunks_ = 0;
    std::size_t crlf_seen_ = 0;  // of the "\r\n" after a chunk's data
    std::size_t trailer_bytes_ = 0;
    std::vector<std::pair<std::string, std::string>> trailers_;
    std::string chunk_signature_;
    std::string trailer_signature_;
};

}  // namespace eddy::protocol
