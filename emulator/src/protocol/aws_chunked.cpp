#include "protocol/aws_chunked.hpp"

#include "core/encoding.hpp"
#include "core/text.hpp"

#include <algorithm>

namespace eddy::protocol {

namespace {

// S3's words (its answers to such bodies, as recorded by S3-compatible servers' test suites).
constexpr std::string_view terminated = "The request body terminated unexpectedly";
constexpr std::string_view wrong_length =
    "You did not provide the number of bytes specified by the Content-Length HTTP header";
constexpr std::string_view small_chunk = "Only the last chunk is allowed to have a size less than 8192 bytes";
constexpr std::string_view malformed_trailer =
    "The request contained trailing data that was not well-formed or did not conform to our published schema.";

constexpr std::uint64_t min_chunk_size = 8192;
constexpr std::size_t max_size_line = 4096;       // a size, a signature (ECDSA's is ~150 hex) and slack
constexpr std::size_t max_trailer_bytes = 16384;  // every trailer line together

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool all_hex(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_hex);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<aws_chunked_mode> aws_chunked_mode_of(std::string_view v) {
    if (v == "STREAMING-UNSIGNED-PAYLOAD-TRAILER") return aws_chunked_mode::unsigned_trailer;
    if (v == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" || v == "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")
        return aws_chunked_mode::signed_chunks;
    if (v == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" || v == "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER")
        return aws_chunked_mode::signed_trailer;
    return std::nullopt;
}

aws_chunked_decoder::aws_chunked_decoder(options opts, sink on_payload)
    : options_(std::move(opts)), sink_(std::move(on_payload)) {}

bool aws_chunked_decoder::fail(std::string code, std::string message,
                               std::vector<std::pair<std::string, std::string>> details) {
    error_ = aws_chunked_error{std::move(code), std::move(message), std::move(details)};
    state_ = state::failed;
    return false;
}

bool aws_chunked_decoder::incomplete() {
    return fail("IncompleteBody", std::string(terminated));
}

bool aws_chunked_decoder::take_line(std::string_view& bytes, std::size_t limit) {
    auto lf = bytes.find('\n');
    std::size_t take = lf == std::string_view::npos ? bytes.size() : lf + 1;
    if (line_.size() + take > limit) {
        // no line this long is valid: keep just enough for the caller to see it is too long
        take = std::min(take, limit + 1 - std::min(limit + 1, line_.size()));
        line_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        return false;
    }
    line_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    return lf != std::string_view::npos;
}

bool aws_chunked_decoder::feed(std::string_view bytes) {
    while (!bytes.empty()) {
        switch (state_) {
            case state::failed:
                return false;
            case state::done:
                return incomplete();  // bytes after the end: the framing was not what it said
            case state::size_line:
                if (!take_line(bytes, max_size_line)) {
                    if (line_.size() > max_size_line) return incomplete();
                    break;
                }
                if (!on_size_line()) return false;
                break;
            case state::data: {
                auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size()));
                sink_(bytes.substr(0, take));
                bytes.remove_prefix(take);
                remaining_ -= take;
                decoded_ += take;
                if (remaining_ == 0) {
                    state_ = state::data_end;
                    crlf_seen_ = 0;
                }
                break;
            }
            case state::data_end:
                // "\r\n" after the data, possibly split across feeds
                if (bytes.front() != "\r\n"[crlf_seen_]) return incomplete();
                bytes.remove_prefix(1);
                if (++crlf_seen_ == 2) state_ = state::size_line;
                break;
            case state::trailer_line:
                if (!take_line(bytes, max_trailer_bytes - std::min(trailer_bytes_, max_trailer_bytes))) {
                    if (trailer_bytes_ + line_.size() > max_trailer_bytes)
                        return fail("MalformedTrailerError", std::string(malformed_trailer));
                    break;
                }
                if (!on_trailer_line()) return false;
                break;
        }
    }
    return state_ != state::failed;
}

bool aws_chunked_decoder::on_size_line() {
    std::string line = std::move(line_);
    line_.clear();
    if (line.size() < 2 || line[line.size() - 2] != '\r') return incomplete();
    std::string_view text(line.data(), line.size() - 2);
    auto semicolon = text.find(';');
    std::string_view size_text = text.substr(0, semicolon);
    if (!all_hex(size_text) || size_text.size() > 16) return incomplete();
    std::uint64_t size = std::stoull(std::string(size_text), nullptr, 16);
    bool is_signed = options_.mode != aws_chunked_mode::unsigned_trailer;
    if (semicolon != std::string_view::npos) {
        std::string_view extension = text.substr(semicolon + 1);
        constexpr std::string_view key = "chunk-signature=";
        if (extension.substr(0, key.size()) != key || !all_hex(extension.substr(key.size()))) return incomplete();
        chunk_signature_ = std::string(extension.substr(key.size()));
    } else if (is_signed) {
        return incomplete();  // a signed variant's chunk carries its signature
    }
    if (size == 0) {
        if (options_.decoded_length && *options_.decoded_length != decoded_)
            return fail("IncompleteBody", std::string(wrong_length),
                        {{"NumberBytesExpected", std::to_string(*options_.decoded_length)},
                         {"NumberBytesProvided", std::to_string(decoded_)}});
        state_ = state::trailer_line;
        return true;
    }
    ++chunks_;
    // S3 finds a short chunk when the next one comes: only the last may be under 8 KiB
    if (chunks_ > 1 && previous_size_ < min_chunk_size)
        return fail("InvalidChunkSizeError", std::string(small_chunk),
                    {{"Chunk", std::to_string(chunks_)}, {"BadChunkSize", std::to_string(previous_size_)}});
    if (options_.decoded_length && size > *options_.decoded_length - decoded_)  // no overflow: decoded_ <= it
        return fail("IncompleteBody", std::string(wrong_length),
                    {{"NumberBytesExpected", std::to_string(*options_.decoded_length)},
                     {"NumberBytesProvided", std::to_string(decoded_ + size)}});
    previous_size_ = size;
    remaining_ = size;
    state_ = state::data;
    return true;
}

bool aws_chunked_decoder::on_trailer_line() {
    std::string line = std::move(line_);
    line_.clear();
    trailer_bytes_ += line.size();
    if (line.size() < 2 || line[line.size() - 2] != '\r')
        return fail("MalformedTrailerError", std::string(malformed_trailer));
    std::string_view text(line.data(), line.size() - 2);
    if (text.empty()) return on_trailers_end();
    auto colon = text.find(':');
    std::string_view name = trim(text.substr(0, colon));
    if (colon == std::string_view::npos || name.empty())
        return fail("MalformedTrailerError", std::string(malformed_trailer));
    std::string_view value = trim(text.substr(colon + 1));
    if (ascii_iequals(name, "x-amz-trailer-signature")) {
        if (options_.mode != aws_chunked_mode::signed_trailer || !all_hex(value))
            return fail("MalformedTrailerError", std::string(malformed_trailer));
        trailer_signature_ = std::string(value);
        return true;
    }
    trailers_.emplace_back(std::string(name), std::string(value));
    return true;
}

bool aws_chunked_decoder::on_trailers_end() {
    // The trailers sent are the ones x-amz-trailer declared, no more and no fewer.
    std::vector<std::string> declared;
    if (!options_.declared_trailers.empty()) declared = split_list(options_.declared_trailers);
    if (options_.mode == aws_chunked_mode::signed_chunks && !trailers_.empty())
        return fail("MalformedTrailerError", std::string(malformed_trailer));
    for (const auto& [name, value] : trailers_)
        if (std::none_of(declared.begin(), declared.end(),
                         [&](const std::string& d) { return ascii_iequals(d, name); }))
            return fail("MalformedTrailerError", std::string(malformed_trailer));
    for (const auto& d : declared)
        if (!trailer(d)) return fail("MalformedTrailerError", std::string(malformed_trailer));
    state_ = state::done;
    return true;
}

bool aws_chunked_decoder::finish() {
    if (state_ == state::failed) return false;
    if (state_ != state::done) return incomplete();
    return true;
}

std::optional<std::string_view> aws_chunked_decoder::trailer(std::string_view name) const {
    for (const auto& [n, v] : trailers_)
        if (ascii_iequals(n, name)) return std::string_view(v);
    return std::nullopt;
}

}  // namespace eddy::protocol
