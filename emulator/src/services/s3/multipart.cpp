// Multipart uploads: Create, UploadPart, UploadPartCopy, Complete, Abort, ListParts,
// ListMultipartUploads.
#include "core/checksum.hpp"
#include "core/digest.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "services/s3/errors.hpp"
#include "services/s3/objects.hpp"

#include <algorithm>

namespace eddy::s3 {

namespace {

constexpr std::int64_t min_part_size = 5 * 1024 * 1024;  // every part but the last
constexpr int max_parts = 10000;
constexpr std::uint64_t max_part_size = 5ull * 1024 * 1024 * 1024;

upload require_upload(service& s3, const bucket& b, const std::string& key, const std::string& id) {
    auto u = s3.meta.find_upload(id);
    if (!u || u->bucket != b.id || u->key != key) throw errors::no_such_upload(id);
    return *u;
}

int part_number(const json& input) {
    int n = input["PartNumber"];
    if (n < 1 || n > max_parts)
        throw errors::invalid_argument("Part number must be an integer between 1 and 10000, inclusive", "partNumber",
                                       std::to_string(n));
    return n;
}

json create_upload(service& s3, request_context& ctx, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    upload u;
    u.id = base64_encode(new_uuid() + new_uuid());
    std::replace(u.id.begin(), u.id.end(), '+', '.');
    std::replace(u.id.begin(), u.id.end(), '/', '_');
    std::erase(u.id, '=');
    u.bucket = b.id;
    u.key = input["Key"];
    u.initiated_ms = s3.now_ms();
    json fields = input;
    u.meta = json::object();
    // what the object will carry, fixed now as S3 fixes it
    for (auto* name :
         {"CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage", "ContentType", "Expires",
          "WebsiteRedirectLocation", "StorageClass", "Metadata", "Tagging", "ChecksumAlgorithm", "ChecksumType"})
        if (fields.contains(name)) u.meta[name] = fields[name];
    if (u.meta.contains("Tagging")) parse_tagging_header(u.meta["Tagging"]);
    u.meta["Account"] = ctx.account;
    s3.meta.create_upload(u);
    json out = {{"Bucket", b.name}, {"Key", u.key}, {"UploadId", u.id}};
    if (u.meta.contains("ChecksumAlgorithm")) out["ChecksumAlgorithm"] = u.meta["ChecksumAlgorithm"];
    return out;
}

json store_part(service& s3, const upload& u, int number, upload_body& body) {
    if (body.size > max_part_size)
        throw aws_error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            .with("ProposedSize", std::to_string(body.size))
            .with("MaxSizeAllowed", std::to_string(max_part_size));
    part p;
    p.number = number;
    p.size = static_cast<std::int64_t>(body.size);
    p.etag = body.etag();
    p.checksum = body.checksum;
    p.modified_ms = s3.now_ms();
    p.blob = keep_body(s3, body);
    if (auto replaced = s3.meta.put_part(u.id, p)) s3.blobs.remove(*replaced);
    return {{"ETag", p.etag}, {"LastModified", seconds(p.modified_ms)}};
}

json upload_part(service& s3, request_context& ctx, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    auto u = require_upload(s3, b, input["Key"], input["UploadId"]);
    int number = part_number(input);
    auto body = receive_body(s3, ctx, input);
    check_content_md5(input, body);
    auto r = store_part(s3, u, number, body);
    return {{"ETag", r["ETag"]}, {"Checksum" + body.checksum["Algorithm"].get<std::string>(), body.checksum["Value"]}};
}

json upload_part_copy(service& s3, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    auto u = require_upload(s3, b, input["Key"], input["UploadId"]);
    int number = part_number(input);
    auto copied = parse_copy_source(input["CopySource"]);
    auto source = require_source(s3, copied);
    std::uint64_t first = 0, length = static_cast<std::uint64_t>(source.size);
    if (input.contains("CopySourceRange")) {
        std::string range = input["CopySourceRange"];
        auto r = parse_range(range, length);
        if (!r || range.find("=-") != std::string::npos || range.back() == '-')
            throw errors::invalid_argument(
                "The x-amz-copy-source-range value must be of the form bytes=first-last "
                "where first and last are the zero-based offsets of the first and last "
                "bytes to copy",
                "x-amz-copy-source-range", range);
        first = r->first;
        length = r->second - r->first + 1;
    }
    json copied_part = {{"Body", s3.blobs.slice(source.blob, first, length)}};
    auto body = receive_body(s3, request_context{}, copied_part);
    auto result = store_part(s3, u, number, body);
    json out = {{"CopyPartResult", result}};
    if (source.version_id != "null") out["CopySourceVersionId"] = source.version_id;
    return out;
}

// The completed object's checksum: the upload's algorithm (CRC64NVME when it named none)
// over its parts, COMPOSITE ("<base64>-N") or FULL_OBJECT as the upload asked; a part's
// checksum the request states must be the one it was uploaded with (InvalidPart).
json upload_checksum(service& s3, const upload& u, const std::vector<const part*>& chosen, const json& asked) {
    auto named = u.meta.contains("ChecksumAlgorithm")
                     ? checksum_algorithm_named(u.meta["ChecksumAlgorithm"].get<std::string>())
                     : std::nullopt;
    auto algorithm = named.value_or(checksum_algorithm::crc64nvme);
    std::string name(checksum_name(algorithm));
    std::string type = u.meta.value("ChecksumType", named ? "COMPOSITE" : "FULL_OBJECT");
    std::vector<std::string> values;
    std::vector<std::pair<std::string, std::uint64_t>> sized;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        auto* p = chosen[i];
        std::string value = p->checksum.value("Algorithm", "") == name ? p->checksum.value("Value", "") : "";
        if (value.empty())  // uploaded under another algorithm: computed from its bytes now
            value = checksum::base64_of(algorithm, s3.blobs.slice(p->blob, 0, static_cast<std::uint64_t>(p->size)));
        if (auto stated = asked[i].find("Checksum" + name); stated != asked[i].end() && *stated != value)
            throw aws_error("InvalidPart",
                            "One or more of the specified parts could not be found.  The part may not have been "
                            "uploaded, or the specified entity tag may not match the part's entity tag.")
                .with("PartNumber", std::to_string(p->number));
        values.push_back(value);
        sized.emplace_back(value, static_cast<std::uint64_t>(p->size));
    }
    auto combined =
        type == "FULL_OBJECT" ? full_object_checksum(algorithm, sized) : composite_checksum(algorithm, values);
    if (!combined) throw internal_failure("cannot combine the parts' " + name + " checksums");
    return {{"Algorithm", name}, {"Value", *combined}, {"Type", type}};
}

json complete_upload(service& s3, const request_context& ctx, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    std::string key = input["Key"];
    auto u = require_upload(s3, b, key, input["UploadId"]);
    auto asked = input.value("MultipartUpload", json::object()).value("Parts", json::array());
    if (asked.empty())
        throw aws_error("MalformedXML",
                        "The XML you provided was not well-formed or did not validate against our published schema");
    auto stored = s3.meta.parts(u.id);
    std::vector<const part*> chosen;
    int previous = 0;
    for (auto& a : asked) {
        int n = a.value("PartNumber", 0);
        if (n <= previous)
            throw aws_error("InvalidPartOrder",
                            "The list of parts was not in ascending order. The parts list must be "
                            "specified in order by part number.");
        previous = n;
        std::string etag = a.value("ETag", "");
        if (!etag.empty() && etag.front() != '"') etag = "\"" + etag + "\"";
        auto it = std::find_if(stored.begin(), stored.end(), [&](const part& p) { return p.number == n; });
        if (it == stored.end() || it->etag != etag)
            throw aws_error("InvalidPart",
                            "One or more of the specified parts could not be found.  The part may not have been "
                            "uploaded, or the specified entity tag may not match the part's entity tag.")
                .with("UploadId", u.id)
                .with("PartNumber", std::to_string(n))
                .with("ETag", a.value("ETag", ""));
        chosen.push_back(&*it);
    }
    for (std::size_t i = 0; i + 1 < chosen.size(); ++i)
        if (chosen[i]->size < min_part_size)
            throw aws_error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
                .with("ProposedSize", std::to_string(chosen[i]->size))
                .with("MinSizeAllowed", std::to_string(min_part_size))
                .with("PartNumber", std::to_string(chosen[i]->number))
                .with("ETag", chosen[i]->etag);
    // The object's ETag: the MD5 of the parts' binary MD5s, then "-" and their count.
    std::string digests;
    std::vector<std::string> blobs;
    json sizes = json::array();
    std::int64_t total = 0;
    for (auto* p : chosen) {
        std::string raw;
        auto hex = p->etag.substr(1, p->etag.size() - 2);
        for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
            raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
        digests += raw;
        blobs.push_back(p->blob);
        sizes.push_back(p->size);
        total += p->size;
    }
    json precheck = input;
    if (input.contains("IfNoneMatch") || input.contains("IfMatch")) {
        auto current = s3.meta.latest(b.id, key);
        bool exists = current && !current->delete_marker;
        if (input.contains("IfNoneMatch") && exists) throw errors::precondition_failed("If-None-Match");
        if (input.contains("IfMatch") && !exists) throw errors::no_such_key(key);
        if (input.contains("IfMatch") && current->etag != text_member(input, "IfMatch") &&
            current->etag != "\"" + text_member(input, "IfMatch") + "\"")
            throw errors::precondition_failed("If-Match");
    }
    object_version v;
    v.bucket = b.id;
    v.key = key;
    v.meta = json::object();
    v.meta["Checksum"] = upload_checksum(s3, u, chosen, asked);
    for (auto* name : {"CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage", "ContentType",
                       "Expires", "WebsiteRedirectLocation"})
        if (u.meta.contains(name)) v.meta[name] = u.meta[name];
    if (!v.meta.contains("ContentType")) v.meta["ContentType"] = "binary/octet-stream";
    v.meta["Metadata"] = u.meta.value("Metadata", json::object());
    if (u.meta.contains("StorageClass") && u.meta["StorageClass"] != "STANDARD")
        v.meta["StorageClass"] = u.meta["StorageClass"];
    if (u.meta.contains("Tagging")) v.meta["Tags"] = parse_tagging_header(u.meta["Tagging"]);
    v.meta["Parts"] = sizes;
    v.version_id = b.versioning == "Enabled" ? new_version_id() : std::string("null");
    v.size = total;
    v.etag = "\"" + md5::hex(digests) + "-" + std::to_string(chosen.size()) + "\"";
    v.modified_ms = s3.now_ms();
    v.blob = s3.blobs.join(blobs);
    s3.free_blobs(s3.meta.put(v));
    s3.notify(ctx, b, v, "ObjectCreated:CompleteMultipartUpload");
    for (auto& p : stored)
        s3.blobs.remove(p.blob);
    s3.meta.delete_upload(u.id);
    json out = {{"Location", "/" + b.name + "/" + url_encode(key, true)},
                {"Bucket", b.name},
                {"Key", key},
                {"ETag", v.etag},
                {"Checksum" + v.meta["Checksum"]["Algorithm"].get<std::string>(), v.meta["Checksum"]["Value"]},
                {"ChecksumType", v.meta["Checksum"]["Type"]}};
    if (!b.versioning.empty()) out["VersionId"] = v.version_id;
    return out;
}

json abort_upload(service& s3, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    auto u = require_upload(s3, b, input["Key"], input["UploadId"]);
    for (auto& p : s3.meta.parts(u.id))
        s3.blobs.remove(p.blob);
    s3.meta.delete_upload(u.id);
    return json::object();
}

json list_parts(service& s3, request_context& ctx, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    auto u = require_upload(s3, b, input["Key"], input["UploadId"]);
    int marker = input.value("PartNumberMarker", 0);
    int max = std::clamp(input.value("MaxParts", 1000), 0, 1000);
    json parts = json::array();
    bool truncated = false;
    int last = marker;
    for (auto& p : s3.meta.parts(u.id)) {
        if (p.number <= marker) continue;
        if (static_cast<int>(parts.size()) == max) {
            truncated = true;
            break;
        }
        json entry = {
            {"PartNumber", p.number}, {"LastModified", seconds(p.modified_ms)}, {"ETag", p.etag}, {"Size", p.size}};
        if (u.meta.contains("ChecksumAlgorithm") && p.checksum.value("Algorithm", "") == u.meta["ChecksumAlgorithm"])
            entry["Checksum" + p.checksum["Algorithm"].get<std::string>()] = p.checksum["Value"];
        parts.push_back(std::move(entry));
        last = p.number;
    }
    json owner = owner_of(u.meta.value("Account", ctx.account));
    json out = {{"Bucket", b.name},
                {"Key", u.key},
                {"UploadId", u.id},
                {"PartNumberMarker", marker},
                {"NextPartNumberMarker", last},
                {"MaxParts", max},
                {"IsTruncated", truncated},
                {"Initiator", owner},
                {"Owner", owner},
                {"StorageClass", u.meta.value("StorageClass", "STANDARD")}};
    if (!parts.empty()) out["Parts"] = std::move(parts);
    if (u.meta.contains("ChecksumAlgorithm")) out["ChecksumAlgorithm"] = u.meta["ChecksumAlgorithm"];
    return out;
}

json list_uploads(service& s3, request_context& ctx, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    std::string prefix = text_member(input, "Prefix"), delimiter = text_member(input, "Delimiter");
    std::string key_marker = text_member(input, "KeyMarker"), id_marker = text_member(input, "UploadIdMarker");
    int max = std::clamp(input.value("MaxUploads", 1000), 0, 1000);
    json uploads = json::array(), prefixes = json::array();
    std::string last_prefix, next_key, next_id;
    bool truncated = false;
    int entries = 0;
    bool past_marker = key_marker.empty();
    for (auto& u : s3.meta.uploads(b.id)) {
        if (!past_marker) {
            if (u.key < key_marker) continue;
            if (u.key == key_marker) {
                if (id_marker.empty()) continue;
                if (u.id == id_marker) past_marker = true;
                continue;
            }
            past_marker = true;
        }
        if (!u.key.starts_with(prefix)) continue;
        std::string common;
        if (!delimiter.empty())
            if (auto at = u.key.find(delimiter, prefix.size()); at != std::string::npos)
                common = u.key.substr(0, at + delimiter.size());
        if (!common.empty() && common == last_prefix) continue;
        if (entries == max) {
            truncated = true;
            break;
        }
        ++entries;
        if (!common.empty()) {
            prefixes.push_back({{"Prefix", common}});
            last_prefix = common;
            continue;
        }
        json owner = owner_of(u.meta.value("Account", ctx.account));
        uploads.push_back({{"UploadId", u.id},
                           {"Key", u.key},
                           {"Initiated", seconds(u.initiated_ms)},
                           {"StorageClass", u.meta.value("StorageClass", "STANDARD")},
                           {"Owner", owner},
                           {"Initiator", owner}});
        next_key = u.key;
        next_id = u.id;
    }
    json out = {{"Bucket", b.name}, {"KeyMarker", key_marker}, {"UploadIdMarker", id_marker},
                {"Prefix", prefix}, {"MaxUploads", max},       {"IsTruncated", truncated}};
    if (!delimiter.empty()) out["Delimiter"] = delimiter;
    if (!uploads.empty()) out["Uploads"] = std::move(uploads);
    if (!prefixes.empty()) out["CommonPrefixes"] = std::move(prefixes);
    if (truncated) {
        out["NextKeyMarker"] = next_key;
        out["NextUploadIdMarker"] = next_id;
    }
    return out;
}

}  // namespace

void register_multipart_handlers(dispatcher& calls, service& s3) {
    calls.add("s3", "CreateMultipartUpload",
              sync_handler([&s3](request_context& ctx, json input) { return create_upload(s3, ctx, input); }));
    calls.add("s3", "UploadPart",
              sync_handler([&s3](request_context& ctx, json input) { return upload_part(s3, ctx, input); }));
    calls.add("s3", "UploadPartCopy",
              sync_handler([&s3](request_context&, json input) { return upload_part_copy(s3, input); }));
    calls.add("s3", "CompleteMultipartUpload",
              sync_handler([&s3](request_context& ctx, json input) { return complete_upload(s3, ctx, input); }));
    calls.add("s3", "AbortMultipartUpload",
              sync_handler([&s3](request_context&, json input) { return abort_upload(s3, input); }));
    calls.add("s3", "ListParts",
              sync_handler([&s3](request_context& ctx, json input) { return list_parts(s3, ctx, input); }));
    calls.add("s3", "ListMultipartUploads",
              sync_handler([&s3](request_context& ctx, json input) { return list_uploads(s3, ctx, input); }));
}

}  // namespace eddy::s3
