// S3's registration: the handlers, presigned URLs' expiry, and the start-up sweep
// of bytes a crash left without metadata.
#include "core/ids.hpp"
#include "protocol/codec_detail.hpp"
#include "services/registry.hpp"
#include "services/s3/objects.hpp"

#include <filesystem>

namespace eddy::s3 {

namespace {

constexpr std::int64_t max_presigned_seconds = 604800;  // a week

// A presigned URL (SigV4 query authentication) is honoured until X-Amz-Date plus
// X-Amz-Expires; after that S3 refuses it. Signatures themselves are not checked.
void check_presigned(const request_context& ctx) {
    if (!ctx.wire || ctx.wire->query.find("Signature=") == std::string::npos) return;
    std::string date, expires, legacy_expires;
    bool v4 = false;
    for (auto& [k, v] : protocol::detail::parse_form(ctx.wire->query)) {
        if (k == "X-Amz-Date") date = v;
        if (k == "X-Amz-Expires") expires = v;
        if (k == "X-Amz-Signature") v4 = true;
        if (k == "Expires") legacy_expires = v;
    }
    auto now = ctx.clock->now_ms();
    if (!v4) {
        // SigV2 query authentication (boto3's default for S3 presigning): Expires is epoch seconds
        if (legacy_expires.empty()) return;
        std::int64_t until = 0;
        try {
            until = std::stoll(legacy_expires) * 1000;
        } catch (...) {
            throw aws_error("AccessDenied", "Invalid date (should be seconds since epoch): " + legacy_expires, 403);
        }
        if (now > until)
            throw aws_error("AccessDenied", "Request has expired", 403)
                .with("Expires", format_iso8601(until))
                .with("ServerTime", format_iso8601(now));
        return;
    }
    std::int64_t signed_ms = 0;
    // X-Amz-Date is ISO 8601 basic: 20261208T030000Z
    std::string extended = date.size() == 16 ? date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 5) +
                                                   ":" + date.substr(11, 2) + ":" + date.substr(13)
                                             : date;
    if (!parse_iso8601(extended, signed_ms))
        throw aws_error("AuthorizationQueryParametersError",
                        "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
    std::int64_t seconds_valid = 0;
    try {
        seconds_valid = std::stoll(expires);
    } catch (...) {
        throw aws_error("AuthorizationQueryParametersError", "X-Amz-Expires should be a number");
    }
    if (seconds_valid < 0) throw aws_error("AuthorizationQueryParametersError", "X-Amz-Expires must be non-negative");
    if (seconds_valid > max_presigned_seconds)
        throw aws_error("AuthorizationQueryParametersError",
                        "X-Amz-Expires must be less than a week (in seconds) that is 604800");
    if (now > signed_ms + seconds_valid * 1000)
        throw aws_error("AccessDenied", "Request has expired", 403)
            .with("X-Amz-Expires", expires)
            .with("Expires", format_iso8601(signed_ms + seconds_valid * 1000))
            .with("ServerTime", format_iso8601(now));
}

}  // namespace

void register_handlers(service_env& env) {
    std::string dir = env.data_dir.empty() ? std::string() : (std::filesystem::path(env.data_dir) / "s3").string();
    auto s3 = std::make_shared<service>(env.db, dir, env.clock);
    s3->blobs.sweep([s3](const std::string& id) { return s3->meta.blob_referenced(id); });
    s3->calls = &env.calls;
    s3->executor = env.executor;
    env.calls.provide("s3", s3);
    register_bucket_handlers(env.calls, *s3);
    register_object_handlers(env.calls, *s3);
    register_multipart_handlers(env.calls, *s3);
    env.calls.set_cors_rules(
        [s3](const protocol::wire_request& r, bool preflight) { return bucket_cors(*s3, r, preflight); });
    env.calls.set_input_hook("s3", [](const request_context& ctx, json&) { check_presigned(ctx); });
}

}  // namespace eddy::s3
