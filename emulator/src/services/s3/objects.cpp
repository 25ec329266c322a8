// Objects: Put, Get, Head, Delete, DeleteObjects, CopyObject, GetObjectAttributes,
// tagging, and the listings (v1, v2, versions).
#include "services/s3/objects.hpp"

#include "core/checksum.hpp"
#include "core/digest.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "protocol/aws_chunked.hpp"
#include "protocol/codec_detail.hpp"
#include "services/s3/errors.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <random>

namespace eddy::s3 {

namespace {

constexpr std::uint64_t max_single_put = 5ull * 1024 * 1024 * 1024;  // 5 GiB
constexpr std::size_t max_user_metadata = 2 * 1024;                  // bytes of keys and values

// The Content-* members kept with an object and returned with it.
constexpr const char* content_members[] = {"CacheControl",           "ContentDisposition", "ContentEncoding",
                                           "ContentLanguage",        "ContentType",        "Expires",
                                           "WebsiteRedirectLocation"};

std::string text_of(const json& v) {
    if (v.is_binary()) return std::string(v.get_binary().begin(), v.get_binary().end());
    if (v.is_string()) return v.get<std::string>();
    return v.dump();
}

// What a PUT, a copy with REPLACE, or CreateMultipartUpload fixes for the object.
json object_meta_from(const json& input) {
    json meta = json::object();
    for (auto* name : content_members)
        if (input.contains(name)) meta[name] = input[name];
    if (!meta.contains("ContentType")) meta["ContentType"] = "binary/octet-stream";
    // aws-chunked names how the upload travelled, not what the object is: S3 keeps only the rest
    if (meta.contains("ContentEncoding")) {
        std::string kept;
        for (auto& coding : split_list(meta["ContentEncoding"].get<std::string>()))
            if (coding != "aws-chunked") kept += (kept.empty() ? "" : ",") + coding;
        if (kept.empty())
            meta.erase("ContentEncoding");
        else
            meta["ContentEncoding"] = kept;
    }
    json user = input.value("Metadata", json::object());
    std::size_t size = 0;
    for (auto& [k, v] : user.items())
        size += k.size() + text_of(v).size();
    if (size > max_user_metadata)
        throw aws_error("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.")
            .with("Size", std::to_string(size))
            .with("MaxSizeAllowed", std::to_string(max_user_metadata));
    meta["Metadata"] = user;
    if (input.contains("StorageClass") && input["StorageClass"] != "STANDARD")
        meta["StorageClass"] = input["StorageClass"];
    if (input.contains("Tagging")) meta["Tags"] = parse_tagging_header(text_member(input, "Tagging"));
    return meta;
}

// RFC 7232's rules as S3 applies them to a read: If-Match and If-Unmodified-Since
// fail with 412; If-None-Match and If-Modified-Since answer 304 Not Modified.
bool etag_matches(const std::string& condition, const std::string& etag) {
    for (auto& item : split_list(condition)) {
        std::string want = item;
        if (want == "*" || want == etag || "\"" + want + "\"" == etag) return true;
    }
    return false;
}

void check_read_conditions(const json& input, const object_version& v, const char* prefix = "") {
    auto name = [&](const char* member) { return std::string(prefix) + member; };
    double modified = static_cast<double>(v.modified_ms / 1000);
    bool if_match = input.contains(name("IfMatch"));
    if (if_match && !etag_matches(input[name("IfMatch")].get<std::string>(), v.etag))
        throw errors::precondition_failed("If-Match");
    if (!if_match && input.contains(name("IfUnmodifiedSince")) &&
        modified > input[name("IfUnmodifiedSince")].get<double>())
        throw errors::precondition_failed("If-Unmodified-Since");
    bool if_none_match = input.contains(name("IfNoneMatch"));
    bool not_modified = false;
    if (if_none_match)
        not_modified = etag_matches(input[name("IfNoneMatch")].get<std::string>(), v.etag);
    else if (input.contains(name("IfModifiedSince")))
        not_modified = modified <= input[name("IfModifiedSince")].get<double>();
    if (not_modified) {
        // a copy source's If-None-Match / If-Modified-Since fails the copy; a read is answered 304
        if (*prefix)
            throw errors::precondition_failed(if_none_match ? "x-amz-copy-source-If-None-Match"
                                                            : "x-amz-copy-source-If-Modified-Since");
        throw aws_error("NotModified", "Not Modified", 304);
    }
}

// The write conditions of PutObject and CompleteMultipartUpload (conditional writes).
void check_write_conditions(service& s3, const bucket& b, const std::string& key, const json& input) {
    if (!input.contains("IfNoneMatch") && !input.contains("IfMatch")) return;
    auto current = s3.meta.latest(b.id, key);
    bool exists = current && !current->delete_marker;
    if (input.contains("IfNoneMatch")) {
        if (text_member(input, "IfNoneMatch") != "*")
            throw aws_error("NotImplemented", "A header you provided implies functionality that is not implemented",
                            501)
                .with("Header", "If-None-Match");
        if (exists) throw errors::precondition_failed("If-None-Match");
    }
    if (input.contains("IfMatch")) {
        if (!exists) throw errors::no_such_key(key);
        if (!etag_matches(text_member(input, "IfMatch"), current->etag)) throw errors::precondition_failed("If-Match");
    }
}

// The version id a write gets: a new one in a versioned bucket, S3's "null" otherwise.
std::string version_for_write(const bucket& b) {
    return b.versioning == "Enabled" ? new_version_id() : std::string("null");
}

// VersionId is sent back once a bucket has had versioning turned on.
void add_version_header(const bucket& b, const object_version& v, json& out) {
    if (!b.versioning.empty()) out["VersionId"] = v.version_id;
}

void add_object_headers(const object_version& v, json& out, bool with_checksum) {
    for (auto* name : content_members)
        if (v.meta.contains(name)) out[name] = v.meta[name];
    out["Metadata"] = v.meta.value("Metadata", json::object());
    out["ETag"] = v.etag;
    out["LastModified"] = seconds(v.modified_ms);
    out["AcceptRanges"] = "bytes";
    if (v.meta.contains("StorageClass")) out["StorageClass"] = v.meta["StorageClass"];
    if (v.meta.contains("Parts")) out["PartsCount"] = v.meta["Parts"].size();
    if (auto tags = v.meta.value("Tags", json::object()); !tags.empty()) out["TagCount"] = tags.size();
    if (with_checksum && v.meta.contains("Checksum")) {
        auto& c = v.meta["Checksum"];
        out["Checksum" + c.value("Algorithm", std::string())] = c.value("Value", "");
        out["ChecksumType"] = c.value("Type", "FULL_OBJECT");
    }
}

// The response-* query parameters of a GET override the stored headers.
void apply_response_overrides(const json& input, json& out) {
    static const std::pair<const char*, const char*> overrides[] = {
        {"ResponseCacheControl", "CacheControl"},       {"ResponseContentDisposition", "ContentDisposition"},
        {"ResponseContentEncoding", "ContentEncoding"}, {"ResponseContentLanguage", "ContentLanguage"},
        {"ResponseContentType", "ContentType"},         {"ResponseExpires", "Expires"}};
    for (auto& [from, to] : overrides)
        if (input.contains(from))
            out[to] = input[from].is_number()
                          ? json(format_rfc822(static_cast<std::int64_t>(input[from].get<double>() * 1000)))
                          : input[from];
}

}  // namespace

// ---- shared helpers (objects.hpp) ----

std::string text_member(const json& input, const char* name) {
    auto it = input.find(name);
    return it != input.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double seconds(std::int64_t ms) {
    return static_cast<double>(ms) / 1000.0;
}

json owner_of(const std::string& account) {
    return {{"ID", sha256::hex("eddy canonical user " + account)}};
}

std::string new_version_id() {
    // S3's version ids are 32 URL-safe characters; time first, so newer ones never look older.
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._";
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string id(32, '0');
    for (auto& c : id)
        c = alphabet[rng() % 64];
    return id;
}

std::string quoted_etag(std::string_view bytes) {
    return "\"" + md5::hex(bytes) + "\"";
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_range(const std::string& header, std::uint64_t size) {
    std::string_view h = header;
    if (!h.starts_with("bytes=")) return std::nullopt;
    h.remove_prefix(6);
    if (h.find(',') != std::string_view::npos) return std::nullopt;  // several ranges: S3 sends the whole object
    auto dash = h.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto number = [](std::string_view t, std::uint64_t& out) {
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
        return ec == std::errc() && p == t.data() + t.size() && !t.empty();
    };
    std::uint64_t first = 0, last = 0;
    auto a = h.substr(0, dash), b = h.substr(dash + 1);
    auto unsatisfiable = [&] {
        return aws_error("InvalidRange", "The requested range is not satisfiable", 416)
            .with("RangeRequested", header)
            .with("ActualObjectSize", std::to_string(size));
    };
    if (a.empty()) {  // the last n bytes
        std::uint64_t n = 0;
        if (!number(b, n)) return std::nullopt;
        if (n == 0 || size == 0) throw unsatisfiable();
        first = n >= size ? 0 : size - n;
        last = size - 1;
    } else {
        if (!number(a, first)) return std::nullopt;
        if (b.empty())
            last = size - 1;
        else if (!number(b, last) || last < first)
            return std::nullopt;
        if (first >= size) throw unsatisfiable();
        last = std::min(last, size - 1);
    }
    return std::make_pair(first, last);
}

std::string upload_body::etag() const {
    return "\"" + to_hex(reinterpret_cast<const std::uint8_t*>(md5.data()), md5.size()) + "\"";
}

namespace {

constexpr checksum_algorithm all_algorithms[] = {checksum_algorithm::crc32, checksum_algorithm::crc32c,
                                                 checksum_algorithm::crc64nvme, checksum_algorithm::sha1,
                                                 checksum_algorithm::sha256};

// Writes all of `bytes` to `fd`.
void append_to(int fd, std::string_view bytes, const std::string& path) {
    while (!bytes.empty()) {
        auto n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw internal_failure("cannot write " + path);
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Calls `f` with a file's bytes, a block at a time.
template <typename F>
void each_block(const std::string& path, F f) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) throw internal_failure("cannot read the upload received in " + path);
    std::string block(1 << 20, '\0');
    std::size_t n = 0;
    while ((n = std::fread(block.data(), 1, block.size(), file)) > 0)
        f(std::string_view(block.data(), n));
    std::fclose(file);
}

}  // namespace

upload_body receive_body(service& s3, const request_context& ctx, const json& input) {
    upload_body out;
    const protocol::wire_request* wire = input.contains("Body") ? nullptr : ctx.wire;
    // The checksum to check: sent in a header, promised in a trailer, or only named; S3
    // computes CRC64NVME for an object uploaded with none.
    std::optional<checksum_algorithm> algorithm;
    std::string expected, trailer;
    for (auto a : all_algorithms)
        if (auto it = input.find("Checksum" + std::string(checksum_name(a))); it != input.end()) {
            algorithm = a;
            expected = it->get<std::string>();
        }
    if (!algorithm && wire && wire->has_header("x-amz-trailer")) {
        trailer = std::string(wire->header("x-amz-trailer"));
        algorithm = checksum_algorithm_of_header(trailer);
    }
    if (!algorithm && input.contains("ChecksumAlgorithm"))
        algorithm = checksum_algorithm_named(input["ChecksumAlgorithm"].get<std::string>());
    if (!algorithm) algorithm = checksum_algorithm::crc64nvme;
    md5 digest;
    eddy::checksum sum(*algorithm);
    auto hash = [&](std::string_view bytes) {
        digest.update(bytes);
        sum.update(bytes);
        out.size += bytes.size();
    };

    auto mode = wire ? protocol::aws_chunked_mode_of(wire->header("x-amz-content-sha256")) : std::nullopt;
    if (!mode) {
        if (!wire)
            out.bytes = text_of(input["Body"]);
        else if (!wire->body_file.empty())
            out.file = wire->body_file;
        else
            out.bytes = wire->body;
        if (out.file.empty())
            hash(out.bytes);
        else
            each_block(out.file, hash);  // read back in blocks: a large upload is never whole in memory
    } else {
        // aws-chunked: the payload is decoded from its framing into memory, or into a new file
        protocol::aws_chunked_decoder::options options;
        options.mode = *mode;
        options.declared_trailers = trailer;
        if (auto length = wire->header("x-amz-decoded-content-length"); !length.empty())
            options.decoded_length = std::strtoull(std::string(length).c_str(), nullptr, 10);
        int fd = -1;
        if (!wire->body_file.empty()) {
            out.file = s3.blobs.temp_path();
            fd = ::open(out.file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (fd < 0) throw internal_failure("cannot create " + out.file);
        }
        struct closer {
            int fd;
            ~closer() {
                if (fd >= 0) ::close(fd);
            }
        } closing{fd};
        protocol::aws_chunked_decoder decoder(options, [&](std::string_view payload) {
            hash(payload);
            if (fd >= 0)
                append_to(fd, payload, out.file);
            else
                out.bytes.append(payload);
        });
        auto refuse = [&] {
            auto& e = *decoder.error();
            aws_error error = e.as_aws_error();
            for (auto& [name, value] : e.details)
                error.with(name, value);
            if (!out.file.empty()) ::unlink(out.file.c_str());
            throw error;
        };
        if (wire->body_file.empty()) {
            if (!decoder.feed(wire->body)) refuse();
        } else {
            each_block(wire->body_file, [&](std::string_view raw) {
                if (!decoder.error()) decoder.feed(raw);
            });
            if (decoder.error()) refuse();
        }
        if (!decoder.finish()) refuse();
        if (!trailer.empty())
            if (auto value = decoder.trailer(trailer)) expected = std::string(*value);
    }
    auto d = digest.finish();
    out.md5.assign(reinterpret_cast<const char*>(d.data()), d.size());
    auto computed = sum.finish();
    std::string name(checksum_name(*algorithm));
    if (!expected.empty()) {
        auto sent = decode_checksum(*algorithm, expected);
        if (!sent)
            throw aws_error("InvalidRequest",
                            "Value for " + std::string(checksum_header(*algorithm)) + " header is invalid.");
        if (*sent != computed) {
            if (!out.file.empty() && wire && out.file != wire->body_file) ::unlink(out.file.c_str());
            throw errors::bad_digest("The " + name + " you specified did not match the calculated checksum.");
        }
    }
    out.checksum = {{"Algorithm", name}, {"Value", base64_encode(computed)}, {"Type", "FULL_OBJECT"}};
    return out;
}

void check_content_md5(const json& input, const upload_body& body) {
    if (!input.contains("ContentMD5")) return;
    std::string digest;
    if (!base64_decode(text_member(input, "ContentMD5"), digest) || digest.size() != 16)
        throw aws_error("InvalidDigest", "The Content-MD5 you specified was invalid.")
            .with("Content-MD5", text_member(input, "ContentMD5"));
    if (body.md5 != digest)
        throw errors::bad_digest("The Content-MD5 you specified did not match what we received.")
            .with("ExpectedDigest", text_member(input, "ContentMD5"));
}

std::string keep_body(service& s3, upload_body& body) {
    if (!body.file.empty()) {
        if (s3.blobs.in_memory()) {  // received into a file although eddy is ephemeral: read it in
            body.bytes = s3.blobs.slice_file(body.file, body.size);
            return s3.blobs.put(std::move(body.bytes));
        }
        return s3.blobs.adopt(body.file);
    }
    return s3.blobs.put(std::move(body.bytes));
}

json parse_tagging_header(const std::string& header) {
    json tags = json::object();
    for (auto& [k, v] : protocol::detail::parse_form(header))
        tags[k] = v;
    check_tags(tags);
    return tags;
}

void check_tags(const json& tags) {
    if (tags.size() > 10) throw aws_error("BadRequest", "Object tags cannot be greater than 10");
    for (auto& [k, v] : tags.items()) {
        if (k.empty() || k.size() > 128) throw aws_error("InvalidTag", "The TagKey you have provided is invalid");
        if (v.get<std::string>().size() > 256)
            throw aws_error("InvalidTag", "The TagValue you have provided is invalid");
    }
}

json tag_set(const json& tags) {
    json out = json::array();
    for (auto& [k, v] : tags.items())
        out.push_back({{"Key", k}, {"Value", v}});
    return out;
}

// "bucket/key?versionId=v" (x-amz-copy-source), percent-encoded, with or without a leading slash.
copy_source parse_copy_source(const std::string& header) {
    std::string_view text = header;
    std::string version;
    if (auto q = text.find("?versionId="); q != std::string_view::npos) {
        version = url_decode(text.substr(q + 11));
        text = text.substr(0, q);
    }
    std::string decoded = url_decode(text);
    std::string_view path = decoded;
    if (!path.empty() && path.front() == '/') path.remove_prefix(1);
    auto slash = path.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == path.size())
        throw aws_error("InvalidArgument", "Invalid copy source object key")
            .with("ArgumentName", "x-amz-copy-source")
            .with("ArgumentValue", header);
    return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1)), version};
}

object_version require_source(service& s3, const copy_source& src) {
    auto b = s3.require_bucket(src.bucket);
    json input = json::object();
    if (!src.version_id.empty()) input["VersionId"] = src.version_id;
    auto v = s3.require_object(b, src.key, input);
    return v;
}

bucket service::require_bucket(const std::string& name) {
    auto b = meta.find_bucket(name);
    if (!b) throw errors::no_such_bucket(name);
    return *b;
}

object_version service::require_object(const bucket& b, const std::string& key, const json& input) {
    if (input.contains("VersionId")) {
        auto id = input["VersionId"].get<std::string>();
        auto v = meta.version(b.id, key, id);
        if (!v) {
            if (id != "null" && id.size() != 32)
                throw aws_error("InvalidArgument", "Invalid version id specified")
                    .with("ArgumentName", "versionId")
                    .with("ArgumentValue", id);
            throw errors::no_such_version(key, id);
        }
        return *v;
    }
    auto v = meta.latest(b.id, key);
    if (!v || v->delete_marker) throw errors::no_such_key(key);
    return *v;
}

void service::erase(const object_version& v) {
    meta.remove(v);
    if (!v.blob.empty()) blobs.remove(v.blob);
}

void service::free_blobs(const std::vector<std::string>& ids) {
    for (auto& id : ids)
        blobs.remove(id);
}

namespace {

// ---- handlers ----

json put_object(service& s3, request_context& ctx, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    std::string key = input["Key"];
    auto body = receive_body(s3, ctx, input);
    if (body.size > max_single_put)
        throw aws_error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            .with("ProposedSize", std::to_string(body.size))
            .with("MaxSizeAllowed", std::to_string(max_single_put));
    check_content_md5(input, body);
    check_write_conditions(s3, b, key, input);
    object_version v;
    v.bucket = b.id;
    v.key = key;
    v.meta = object_meta_from(input);
    v.meta["Checksum"] = body.checksum;
    v.version_id = version_for_write(b);
    v.size = static_cast<std::int64_t>(body.size);
    v.etag = body.etag();
    v.modified_ms = s3.now_ms();
    v.blob = keep_body(s3, body);
    s3.free_blobs(s3.meta.put(v));
    s3.notify(ctx, b, v, "ObjectCreated:Put");
    json out = {{"ETag", v.etag},
                {"Checksum" + body.checksum["Algorithm"].get<std::string>(), body.checksum["Value"]},
                {"ChecksumType", "FULL_OBJECT"}};
    add_version_header(b, v, out);
    return out;
}

json read_object(service& s3, request_context& ctx, const json& input, bool with_body) {
    auto b = s3.require_bucket(input["Bucket"]);
    std::string key = input["Key"];
    std::optional<object_version> found;
    if (input.contains("VersionId")) {
        found = s3.require_object(b, key, input);
        if (found->delete_marker) {
            aws_error e("MethodNotAllowed", "The specified method is not allowed against this resource.", 405);
            e.with("Method", with_body ? "GET" : "HEAD").with("ResourceType", "DeleteMarker");
            throw e;
        }
    } else {
        found = s3.meta.latest(b.id, key);
        if (!found || found->delete_marker) throw errors::no_such_key(key);
    }
    auto& v = *found;
    check_read_conditions(input, v);
    json out = json::object();
    add_object_headers(v, out, text_member(input, "ChecksumMode") == "ENABLED");
    add_version_header(b, v, out);
    apply_response_overrides(input, out);
    auto size = static_cast<std::uint64_t>(v.size);
    std::uint64_t first = 0, length = size;
    if (input.contains("PartNumber")) {
        int n = input["PartNumber"];
        auto parts = v.meta.value("Parts", json::array({v.size}));
        if (n < 1 || n > static_cast<int>(parts.size()))
            throw aws_error("InvalidPartNumber", "The requested partnumber is not satisfiable", 416)
                .with("PartNumberRequested", std::to_string(n))
                .with("ActualPartCount", std::to_string(parts.size()));
        for (int i = 0; i + 1 < n; ++i)
            first += parts[static_cast<std::size_t>(i)].get<std::uint64_t>();
        length = parts[static_cast<std::size_t>(n - 1)].get<std::uint64_t>();
        out["PartsCount"] = parts.size();
        if (v.meta.contains("Parts"))
            out["ContentRange"] = "bytes " + std::to_string(first) + "-" + std::to_string(first + length - 1) + "/" +
                                  std::to_string(size);
    } else if (input.contains("Range")) {
        if (auto range = parse_range(text_member(input, "Range"), size)) {
            first = range->first;
            length = range->second - range->first + 1;
            out["ContentRange"] =
                "bytes " + std::to_string(first) + "-" + std::to_string(range->second) + "/" + std::to_string(size);
            // a checksum covers the whole object, not a range of it
            for (auto* c : {"ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256",
                            "ChecksumType"})
                out.erase(c);
        }
    }
    out["ContentLength"] = length;
    if (with_body) {
        if (out.contains("ContentRange")) ctx.reply_status = 206;
        ctx.reply_payload = s3.blobs.read(v.blob, first, length);
    }
    return out;
}

json delete_object(service& s3, const request_context& ctx, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    std::string key = input["Key"];
    json out = json::object();
    if (input.contains("VersionId")) {
        auto v = s3.meta.version(b.id, key, input["VersionId"]);
        if (!v) {
            auto id = input["VersionId"].get<std::string>();
            if (id != "null" && id.size() != 32)
                throw aws_error("InvalidArgument", "Invalid version id specified")
                    .with("ArgumentName", "versionId")
                    .with("ArgumentValue", id);
            out["VersionId"] = id;
            return out;  // deleting what is not there succeeds
        }
        s3.erase(*v);
        s3.notify(ctx, b, *v, "ObjectRemoved:Delete");
        out["VersionId"] = v->version_id;
        if (v->delete_marker) out["DeleteMarker"] = true;
        return out;
    }
    if (input.contains("IfMatch")) {
        auto current = s3.meta.latest(b.id, key);
        if (!current || current->delete_marker) throw errors::no_such_key(key);
        if (!etag_matches(text_member(input, "IfMatch"), current->etag)) throw errors::precondition_failed("If-Match");
    }
    if (b.versioning.empty()) {
        if (auto v = s3.meta.latest(b.id, key)) {
            s3.erase(*v);
            s3.notify(ctx, b, *v, "ObjectRemoved:Delete");
        }
        return out;
    }
    // versioned (or suspended): a delete marker becomes the newest version
    object_version marker;
    marker.bucket = b.id;
    marker.key = key;
    marker.delete_marker = true;
    marker.version_id = version_for_write(b);
    marker.modified_ms = s3.now_ms();
    s3.free_blobs(s3.meta.put(marker));
    s3.notify(ctx, b, marker, "ObjectRemoved:DeleteMarkerCreated");
    out["DeleteMarker"] = true;
    out["VersionId"] = marker.version_id;
    return out;
}

json delete_objects(service& s3, request_context& ctx, const json& input) {
    auto& request = input["Delete"];
    auto objects = request.value("Objects", json::array());
    if (objects.empty() || objects.size() > 1000) throw errors::malformed_xml();
    bool quiet = request.value("Quiet", false);
    json deleted = json::array(), failed = json::array();
    for (auto& o : objects) {
        json one = {{"Bucket", input["Bucket"]}, {"Key", o.value("Key", "")}};
        if (o.contains("VersionId")) one["VersionId"] = o["VersionId"];
        try {
            auto r = delete_object(s3, ctx, one);
            if (quiet) continue;
            json d = {{"Key", one["Key"]}};
            if (o.contains("VersionId")) d["VersionId"] = o["VersionId"];
            if (r.value("DeleteMarker", false)) {
                d["DeleteMarker"] = true;
                d[o.contains("VersionId") ? "VersionId" : "DeleteMarkerVersionId"] = r["VersionId"];
                if (o.contains("VersionId")) d["DeleteMarkerVersionId"] = r["VersionId"];
            }
            deleted.push_back(std::move(d));
        } catch (const aws_error& e) {
            if (e.status >= 500 || e.code == "NoSuchBucket") throw;
            json f = {{"Key", one["Key"]}, {"Code", e.code}, {"Message", e.message()}};
            if (o.contains("VersionId")) f["VersionId"] = o["VersionId"];
            failed.push_back(std::move(f));
        }
    }
    json out = json::object();
    if (!deleted.empty()) out["Deleted"] = std::move(deleted);
    if (!failed.empty()) out["Errors"] = std::move(failed);
    return out;
}

json copy_object(service& s3, const request_context& ctx, const json& input) {
    auto src = parse_copy_source(input["CopySource"]);
    auto source = require_source(s3, src);
    if (source.delete_marker) throw errors::no_such_key(src.key);
    check_read_conditions(input, source, "CopySource");
    auto b = s3.require_bucket(input["Bucket"]);
    std::string key = input["Key"];
    std::string directive = input.value("MetadataDirective", "COPY");
    std::string tagging = input.value("TaggingDirective", "COPY");
    if (directive != "COPY" && directive != "REPLACE")
        throw errors::invalid_argument("Unknown metadata directive.", "x-amz-metadata-directive", directive);
    if (tagging != "COPY" && tagging != "REPLACE")
        throw errors::invalid_argument("Unknown tagging directive.", "x-amz-tagging-directive", tagging);
    bool same = src.bucket == b.name && src.key == key && src.version_id.empty();
    if (same && directive == "COPY" && !input.contains("StorageClass") && !input.contains("WebsiteRedirectLocation") &&
        !input.contains("ServerSideEncryption"))
        throw aws_error("InvalidRequest",
                        "This copy request is illegal because it is trying to copy an object to itself without "
                        "changing the object's metadata, storage class, website redirect location or encryption "
                        "attributes.");
    check_write_conditions(s3, b, key, input);
    object_version v;
    v.bucket = b.id;
    v.key = key;
    if (directive == "REPLACE") {
        json fresh = input;
        fresh.erase("Tagging");
        v.meta = object_meta_from(fresh);
    } else {
        v.meta = source.meta;
        v.meta.erase("Tags");
        if (input.contains("StorageClass")) v.meta["StorageClass"] = input["StorageClass"];
    }
    if (tagging == "REPLACE")
        v.meta["Tags"] =
            input.contains("Tagging") ? parse_tagging_header(text_member(input, "Tagging")) : json::object();
    else if (source.meta.contains("Tags"))
        v.meta["Tags"] = source.meta["Tags"];
    if (v.meta.value("StorageClass", "") == "STANDARD") v.meta.erase("StorageClass");
    v.meta.erase("Parts");  // a copy is one part, whatever the source was
    v.version_id = version_for_write(b);
    v.size = source.size;
    v.etag = source.meta.contains("Parts") ? quoted_etag(s3.blobs.slice(source.blob, 0, source.size)) : source.etag;
    v.modified_ms = s3.now_ms();
    v.blob = s3.blobs.share(source.blob);
    s3.free_blobs(s3.meta.put(v));
    s3.notify(ctx, b, v, "ObjectCreated:Copy");
    json result = {{"ETag", v.etag}, {"LastModified", seconds(v.modified_ms)}};
    if (v.meta.contains("Checksum")) {
        auto& c = v.meta["Checksum"];
        result["Checksum" + c.value("Algorithm", std::string())] = c.value("Value", "");
        result["ChecksumType"] = c.value("Type", "FULL_OBJECT");
    }
    json out = {{"CopyObjectResult", result}};
    if (!src.version_id.empty() || source.version_id != "null") out["CopySourceVersionId"] = source.version_id;
    add_version_header(b, v, out);
    return out;
}

json get_object_attributes(service& s3, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    auto v = s3.require_object(b, input["Key"], input);
    if (v.delete_marker) {
        aws_error e("MethodNotAllowed", "The specified method is not allowed against this resource.", 405);
        throw e.with("Method", "GET").with("ResourceType", "DeleteMarker");
    }
    json out = {{"LastModified", seconds(v.modified_ms)}};
    add_version_header(b, v, out);
    for (auto& a : input["ObjectAttributes"]) {
        std::string name = a;
        if (name == "ETag") {
            out["ETag"] = v.etag.size() >= 2 ? v.etag.substr(1, v.etag.size() - 2) : v.etag;
        } else if (name == "ObjectSize") {
            out["ObjectSize"] = v.size;
        } else if (name == "StorageClass") {
            out["StorageClass"] = v.meta.value("StorageClass", "STANDARD");
        } else if (name == "Checksum" && v.meta.contains("Checksum")) {
            auto& c = v.meta["Checksum"];
            out["Checksum"] = {{"Checksum" + c.value("Algorithm", std::string()), c.value("Value", "")},
                               {"ChecksumType", c.value("Type", "FULL_OBJECT")}};
        } else if (name == "ObjectParts" && v.meta.contains("Parts")) {
            auto& parts = v.meta["Parts"];
            int marker = input.value("PartNumberMarker", 0);
            int max = input.value("MaxParts", 1000);
            json list = json::array();
            int n = static_cast<int>(parts.size()), last = marker;
            for (int i = marker; i < n && static_cast<int>(list.size()) < max; ++i) {
                list.push_back({{"PartNumber", i + 1}, {"Size", parts[static_cast<std::size_t>(i)]}});
                last = i + 1;
            }
            out["ObjectParts"] = {{"TotalPartsCount", n}, {"PartNumberMarker", marker}, {"NextPartNumberMarker", last},
                                  {"MaxParts", max},      {"IsTruncated", last < n},    {"Parts", list}};
        }
    }
    return out;
}

json put_object_tagging(service& s3, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    auto v = s3.require_object(b, input["Key"], input);
    json tags = json::object();
    for (auto& t : input["Tagging"].value("TagSet", json::array())) {
        std::string k = t.value("Key", "");
        if (tags.contains(k))
            throw aws_error("InvalidTag", "Cannot provide multiple Tags with the same key").with("TagKey", k);
        tags[k] = t.value("Value", "");
    }
    check_tags(tags);
    v.meta["Tags"] = tags;
    s3.meta.update_meta(v);
    json out = json::object();
    add_version_header(b, v, out);
    return out;
}

json get_object_tagging(service& s3, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    auto v = s3.require_object(b, input["Key"], input);
    json out = {{"TagSet", tag_set(v.meta.value("Tags", json::object()))}};
    add_version_header(b, v, out);
    return out;
}

json delete_object_tagging(service& s3, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    auto v = s3.require_object(b, input["Key"], input);
    v.meta.erase("Tags");
    s3.meta.update_meta(v);
    json out = json::object();
    add_version_header(b, v, out);
    return out;
}

// ---- listings ----

// The smallest string after every string that starts with `prefix`: where a
// listing carries on once a common prefix has been rolled up.
std::string after_prefix(std::string prefix) {
    while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff)
        prefix.pop_back();
    if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
    return prefix;
}

std::string maybe_encode(const std::string& text, bool url) {
    return url ? url_encode(text, true) : text;
}

struct listing {
    std::vector<object_version> contents;
    std::vector<std::string> prefixes;
    bool truncated = false;
    std::string last;  // the last key or common prefix returned
};

// Keys after `start` under `prefix`, with keys that share a part up to `delimiter`
// rolled up into common prefixes, at most `max` entries of both kinds together.
listing list_keys(service& s3, std::int64_t bucket, const std::string& prefix, const std::string& delimiter,
                  std::string start, int max) {
    listing out;
    const std::string marker = start;
    bool inclusive = false;
    if (start < prefix) {
        start = prefix;
        inclusive = true;
    }
    int entries = 0;
    for (;;) {
        auto batch = s3.meta.list(bucket, start, inclusive, 1000);
        if (batch.empty()) return out;
        for (auto& v : batch) {
            if (v.key.compare(0, prefix.size(), prefix) != 0) return out;
            std::string common;
            if (!delimiter.empty()) {
                auto at = v.key.find(delimiter, prefix.size());
                if (at != std::string::npos) common = v.key.substr(0, at + delimiter.size());
            }
            if (!common.empty() && common <= marker) {
                // a marker (or token) that is itself a common prefix: that group was listed already
                start = after_prefix(common);
                inclusive = true;
                if (start.empty()) return out;
                goto next_batch;
            }
            if (entries == max) {
                out.truncated = true;
                return out;
            }
            ++entries;
            if (!common.empty()) {
                out.prefixes.push_back(common);
                out.last = common;
                start = after_prefix(common);
                inclusive = true;
                if (start.empty()) return out;
                goto next_batch;  // the batch's rest may share the prefix: ask again from past it
            }
            out.contents.push_back(v);
            out.last = v.key;
            start = v.key;
            inclusive = false;
        }
        if (static_cast<int>(batch.size()) < 1000) return out;
    next_batch:;
    }
}

json object_entry(const object_version& v, bool url, const json* owner) {
    json e = {{"Key", maybe_encode(v.key, url)},
              {"LastModified", seconds(v.modified_ms)},
              {"ETag", v.etag},
              {"Size", v.size},
              {"StorageClass", v.meta.value("StorageClass", "STANDARD")}};
    if (v.meta.contains("Checksum")) {
        e["ChecksumAlgorithm"] = json::array({v.meta["Checksum"].value("Algorithm", "")});
        e["ChecksumType"] = v.meta["Checksum"].value("Type", "FULL_OBJECT");
    }
    if (owner) e["Owner"] = *owner;
    return e;
}

// What ListObjects and ListObjectsV2 both answer: the keys, the common prefixes, the
// delimiter and the encoding.
void add_listing(json& out, const listing& l, const std::string& delimiter, bool url, const json* owner) {
    if (!l.contents.empty()) {
        json contents = json::array();
        for (auto& v : l.contents)
            contents.push_back(object_entry(v, url, owner));
        out["Contents"] = std::move(contents);
    }
    if (!l.prefixes.empty()) {
        json prefixes = json::array();
        for (auto& p : l.prefixes)
            prefixes.push_back({{"Prefix", maybe_encode(p, url)}});
        out["CommonPrefixes"] = std::move(prefixes);
    }
    if (!delimiter.empty()) out["Delimiter"] = maybe_encode(delimiter, url);
    if (url) out["EncodingType"] = "url";
}

int max_keys_of(const json& input) {
    int max = input.value("MaxKeys", 1000);
    return std::clamp(max, 0, 1000);
}

void check_encoding(const json& input) {
    if (input.contains("EncodingType") && input["EncodingType"] != "url")
        throw errors::invalid_argument("Invalid Encoding Method specified in Request", "encoding-type",
                                       input["EncodingType"]);
}

json list_objects_v2(service& s3, request_context& ctx, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    check_encoding(input);
    bool url = input.contains("EncodingType");
    std::string prefix = text_member(input, "Prefix"), delimiter = text_member(input, "Delimiter");
    std::string start = text_member(input, "StartAfter");
    if (input.contains("ContinuationToken")) {
        std::string decoded;
        if (!base64_decode(text_member(input, "ContinuationToken"), decoded) || !decoded.starts_with("eddy:"))
            throw errors::invalid_argument("The continuation token provided is incorrect", "continuation-token",
                                           text_member(input, "ContinuationToken"));
        start = decoded.substr(5);
    }
    int max = max_keys_of(input);
    auto l = list_keys(s3, b.id, prefix, delimiter, start, max);
    json owner = owner_of(ctx.account);
    bool fetch_owner = input.value("FetchOwner", false);
    json out = {{"Name", b.name},
                {"Prefix", maybe_encode(prefix, url)},
                {"MaxKeys", max},
                {"KeyCount", l.contents.size() + l.prefixes.size()},
                {"IsTruncated", l.truncated}};
    add_listing(out, l, delimiter, url, fetch_owner ? &owner : nullptr);
    if (input.contains("StartAfter")) out["StartAfter"] = maybe_encode(text_member(input, "StartAfter"), url);
    if (input.contains("ContinuationToken")) out["ContinuationToken"] = input["ContinuationToken"];
    if (l.truncated) out["NextContinuationToken"] = base64_encode("eddy:" + l.last);
    return out;
}

json list_objects(service& s3, request_context& ctx, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    check_encoding(input);
    bool url = input.contains("EncodingType");
    std::string prefix = text_member(input, "Prefix"), delimiter = text_member(input, "Delimiter"),
                marker = text_member(input, "Marker");
    int max = max_keys_of(input);
    auto l = list_keys(s3, b.id, prefix, delimiter, marker, max);
    json owner = owner_of(ctx.account);
    json out = {{"Name", b.name},
                {"Prefix", maybe_encode(prefix, url)},
                {"Marker", maybe_encode(marker, url)},
                {"MaxKeys", max},
                {"IsTruncated", l.truncated}};
    add_listing(out, l, delimiter, url, &owner);
    // S3 gives NextMarker only with a delimiter; without one a client carries on from the last key
    if (l.truncated && !delimiter.empty()) out["NextMarker"] = maybe_encode(l.last, url);
    return out;
}

json list_object_versions(service& s3, request_context& ctx, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    check_encoding(input);
    bool url = input.contains("EncodingType");
    std::string prefix = text_member(input, "Prefix"), delimiter = text_member(input, "Delimiter");
    std::string key_marker = text_member(input, "KeyMarker"), version_marker = text_member(input, "VersionIdMarker");
    if (!version_marker.empty() && key_marker.empty())
        throw errors::invalid_argument("A version-id marker cannot be specified without a key marker.",
                                       "version-id-marker", version_marker);
    int max = max_keys_of(input);
    // where to start: after the key marker's versions, or after one version of it
    std::string after = key_marker;
    std::int64_t before_id = 0;  // 0: past every version of `after`
    if (!version_marker.empty()) {
        auto v = s3.meta.version(b.id, key_marker, version_marker);
        if (!v) throw errors::invalid_argument("Invalid version id specified", "version-id-marker", version_marker);
        before_id = v->id;
    }
    if (after < prefix) {
        after = prefix;
        before_id = std::numeric_limits<std::int64_t>::max();
        if (after.empty()) before_id = 0;
    }
    json owner = owner_of(ctx.account);
    json versions = json::array(), markers = json::array(), prefixes = json::array();
    int entries = 0;
    bool truncated = false;
    std::string next_key, next_version, last_prefix;
    bool done = false;
    while (!done) {
        auto batch = s3.meta.list_versions(b.id, after, before_id, 1000);
        if (batch.empty()) break;
        for (auto& v : batch) {
            if (v.key.compare(0, prefix.size(), prefix) != 0) {
                done = true;
                break;
            }
            std::string common;
            if (!delimiter.empty()) {
                auto at = v.key.find(delimiter, prefix.size());
                if (at != std::string::npos) common = v.key.substr(0, at + delimiter.size());
            }
            if (!common.empty() && common == last_prefix) continue;
            if (entries == max) {
                truncated = true;
                done = true;
                break;
            }
            ++entries;
            if (!common.empty()) {
                prefixes.push_back({{"Prefix", maybe_encode(common, url)}});
                last_prefix = common;
                next_key = common;
                next_version.clear();
                continue;
            }
            json e = {{"Key", maybe_encode(v.key, url)},
                      {"VersionId", v.version_id},
                      {"IsLatest", v.latest},
                      {"LastModified", seconds(v.modified_ms)},
                      {"Owner", owner}};
            if (v.delete_marker) {
                markers.push_back(std::move(e));
            } else {
                e["ETag"] = v.etag;
                e["Size"] = v.size;
                e["StorageClass"] = v.meta.value("StorageClass", "STANDARD");
                versions.push_back(std::move(e));
            }
            next_key = v.key;
            next_version = v.version_id;
        }
        if (done || static_cast<int>(batch.size()) < 1000) break;
        after = batch.back().key;
        before_id = batch.back().id;
    }
    json out = {{"Name", b.name},
                {"Prefix", maybe_encode(prefix, url)},
                {"KeyMarker", maybe_encode(key_marker, url)},
                {"VersionIdMarker", version_marker},
                {"MaxKeys", max},
                {"IsTruncated", truncated}};
    if (!versions.empty()) out["Versions"] = std::move(versions);
    if (!markers.empty()) out["DeleteMarkers"] = std::move(markers);
    if (!prefixes.empty()) out["CommonPrefixes"] = std::move(prefixes);
    if (!delimiter.empty()) out["Delimiter"] = maybe_encode(delimiter, url);
    if (url) out["EncodingType"] = "url";
    if (truncated) {
        out["NextKeyMarker"] = maybe_encode(next_key, url);
        if (!next_version.empty()) out["NextVersionIdMarker"] = next_version;
    }
    return out;
}

}  // namespace

void register_object_handlers(dispatcher& calls, service& s3) {
    auto add = [&](const char* name, auto f) {
        calls.add("s3", name, sync_handler([&s3, f](request_context& ctx, json input) { return f(s3, ctx, input); }));
    };
    add("PutObject", [](service& s, request_context& ctx, const json& in) { return put_object(s, ctx, in); });
    add("GetObject", [](service& s, request_context& ctx, const json& in) { return read_object(s, ctx, in, true); });
    add("HeadObject", [](service& s, request_context& ctx, const json& in) { return read_object(s, ctx, in, false); });
    add("DeleteObject", [](service& s, request_context& ctx, const json& in) { return delete_object(s, ctx, in); });
    add("DeleteObjects", [](service& s, request_context& ctx, const json& in) { return delete_objects(s, ctx, in); });
    add("CopyObject", [](service& s, request_context& ctx, const json& in) { return copy_object(s, ctx, in); });
    add("GetObjectAttributes",
        [](service& s, request_context&, const json& in) { return get_object_attributes(s, in); });
    add("PutObjectTagging", [](service& s, request_context&, const json& in) { return put_object_tagging(s, in); });
    add("GetObjectTagging", [](service& s, request_context&, const json& in) { return get_object_tagging(s, in); });
    add("DeleteObjectTagging",
        [](service& s, request_context&, const json& in) { return delete_object_tagging(s, in); });
    add("ListObjectsV2", [](service& s, request_context& ctx, const json& in) { return list_objects_v2(s, ctx, in); });
    add("ListObjects", [](service& s, request_context& ctx, const json& in) { return list_objects(s, ctx, in); });
    add("ListObjectVersions",
        [](service& s, request_context& ctx, const json& in) { return list_object_versions(s, ctx, in); });
}

}  // namespace eddy::s3
