#pragma once

#include "core/clock.hpp"
#include "services/dispatcher.hpp"
#include "services/s3/blobs.hpp"
#include "services/s3/store.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace eddy::s3 {

// What every S3 handler shares: the metadata store, the bytes, and the clock.
// One per server, on its event loop.
struct service {
    service(storage::database& db, std::string blob_dir, const eddy::clock& c)
        : meta(db), blobs(std::move(blob_dir)), clock(c) {}

    store meta;
    blob_store blobs;
    const eddy::clock& clock;
    dispatcher* calls = nullptr;            // for notifications to SQS
    boost::asio::any_io_executor executor;  // where they are sent from, after the request

    std::int64_t now_ms() const { return clock.now_ms(); }
    // The bucket, or NoSuchBucket.
    bucket require_bucket(const std::string& name);
    // The version a request names (VersionId, or the newest), or S3's error for it.
    object_version require_object(const bucket& b, const std::string& key, const json& input);
    // Drops a version for good, bytes included.
    void erase(const object_version& v);
    void free_blobs(const std::vector<std::string>& ids);
    // Sends `event` ("ObjectCreated:Put", ...) about `v` to the queues the bucket's
    // notification configuration names for it (notifications.cpp).
    void notify(const request_context& ctx, const bucket& b, const object_version& v, const std::string& event);
    // The s3:TestEvent S3 sends each queue of a new notification configuration.
    void send_test_events(const request_context& ctx, const bucket& b, const json& configuration);
    std::uint64_t next_sequencer();

  private:
    std::uint64_t last_sequencer_ = 0;
};

// An event's sequencer: hexadecimal, growing with each change to a key.
std::string to_hex_sequencer(std::uint64_t id);

// The canonical user S3 names as every object's owner: one per account.
json owner_of(const std::string& account);
double seconds(std::int64_t ms);
std::string new_version_id();
// "<md5 hex>" with S3's quotes.
std::string quoted_etag(std::string_view bytes);

// A `Range: bytes=` header against an object's size: the first and last byte, or
// nullopt when the header asks for the whole object (absent, or a form S3 ignores).
// Throws InvalidRange when no byte of the object is in range.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_range(const std::string& header, std::uint64_t size);

// A member that is a string, or "".
std::string text_member(const json& input, const char* name);

// x-amz-copy-source: "bucket/key?versionId=v", percent-encoded, with or without a leading slash.
struct copy_source {
    std::string bucket, key, version_id;
};
copy_source parse_copy_source(const std::string& header);
// The object a copy reads, or S3's error for it.
object_version require_source(service& s3, const copy_source& source);

// An upload's bytes as received: in memory, or in a file the server wrote them to.
struct upload_body {
    std::string bytes;  // when `file` is empty
    std::string file;
    std::uint64_t size = 0;
    std::string md5;  // the 16 raw bytes of its MD5
    json checksum;    // {Algorithm, Value (base64), Type}: the one sent and checked, else CRC64NVME

    std::string etag() const;
};
// The bytes of a request's streamed payload: the in-process caller's Body member, or
// the HTTP body (decoded when the client sent it aws-chunked), with its MD5 and its
// checksum; a checksum sent in a header or trailer must match (BadDigest).
upload_body receive_body(service& s3, const request_context& ctx, const json& input);
// Content-MD5, when sent, must be the body's: S3 refuses a corrupted upload.
void check_content_md5(const json& input, const upload_body& body);
// Keeps the bytes as a new blob; the body is spent.
std::string keep_body(service& s3, upload_body& body);

// "Tag1=v1&Tag2=v2" (x-amz-tagging) as a TagSet map, checked against S3's limits.
json parse_tagging_header(const std::string& header);
void check_tags(const json& tags);
json tag_set(const json& tags);  // map -> [{Key, Value}]

// The bucket's CORS rules applied to a request with an Origin (cors.cpp).
std::optional<dispatcher::cors_answer> bucket_cors(service& s3, const protocol::wire_request& r, bool preflight);

void register_object_handlers(dispatcher& calls, service& s3);
void register_bucket_handlers(dispatcher& calls, service& s3);
void register_multipart_handlers(dispatcher& calls, service& s3);

}  // namespace eddy::s3
