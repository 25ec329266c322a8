// Buckets: create, head, delete, list, location, versioning, and the
// configurations S3 stores and returns (policy, CORS, lifecycle, tagging,
// encryption, notifications).
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "eventing/sources.hpp"
#include "protocol/xml.hpp"
#include "services/s3/errors.hpp"
#include "services/s3/objects.hpp"

#include <algorithm>

namespace eddy::s3 {

namespace {

bool is_ip_like(std::string_view name) {
    int dots = 0;
    for (char c : name) {
        if (c == '.')
            ++dots;
        else if (c < '0' || c > '9')
            return false;
    }
    return dots == 3;
}

// S3's rules for general purpose bucket names.
bool valid_bucket_name(std::string_view name) {
    if (name.size() < 3 || name.size() > 63) return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(name.front()) || !alnum(name.back())) return false;
    for (char c : name)
        if (!alnum(c) && c != '.' && c != '-') return false;
    if (name.find("..") != std::string_view::npos || is_ip_like(name)) return false;
    for (auto prefix : {"xn--", "sthree-", "amzn-s3-demo-"})
        if (name.starts_with(prefix)) return false;
    for (auto suffix : {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"})
        if (name.ends_with(suffix)) return false;
    return true;
}

json create_bucket(service& s3, request_context& ctx, const json& input) {
    std::string name = input["Bucket"];
    if (!valid_bucket_name(name))
        throw aws_error("InvalidBucketName", "The specified bucket is not valid.").with("BucketName", name);
    std::string constraint;
    if (auto c = input.find("CreateBucketConfiguration"); c != input.end() && c->contains("LocationConstraint"))
        constraint = (*c)["LocationConstraint"].get<std::string>();
    if (ctx.region == "us-east-1") {
        if (!constraint.empty() && constraint != "us-east-1" && is_valid_region(constraint))
            throw aws_error("IllegalLocationConstraintException",
                            "The " + constraint +
                                " location constraint is incompatible for the region specific endpoint this "
                                "request was sent to.");
        if (constraint == "us-east-1" || (!constraint.empty() && !is_valid_region(constraint)))
            throw aws_error("InvalidLocationConstraint", "The specified location-constraint is not valid")
                .with("LocationConstraint", constraint);
    } else if (constraint != ctx.region) {
        throw aws_error("IllegalLocationConstraintException",
                        "The " + (constraint.empty() ? std::string("unspecified") : constraint) +
                            " location constraint is incompatible for the region specific endpoint this request "
                            "was sent to.");
    }
    if (auto existing = s3.meta.find_bucket(name)) {
        if (existing->account != ctx.account)
            throw aws_error("BucketAlreadyExists",
                            "The requested bucket name is not available. The bucket namespace is shared by all users "
                            "of the system. Please select a different name and try again.",
                            409)
                .with("BucketName", name);
        // us-east-1 answers a repeated create by the owner with success, other regions refuse it
        if (ctx.region != "us-east-1")
            throw aws_error("BucketAlreadyOwnedByYou",
                            "Your previous request to create the named bucket succeeded and you already own it.", 409)
                .with("BucketName", name);
        return {{"Location", "/" + name}};
    }
    bucket b;
    b.account = ctx.account;
    b.region = ctx.region;
    b.name = name;
    b.created_ms = s3.now_ms();
    b.configs = json::object();
    s3.meta.create_bucket(b);
    return {{"Location", "/" + name}, {"BucketArn", "arn:aws:s3:::" + name}};
}

json head_bucket(service& s3, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    return {{"BucketRegion", b.region}, {"BucketArn", "arn:aws:s3:::" + b.name}};
}

json delete_bucket(service& s3, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    if (s3.meta.has_versions(b.id))
        throw aws_error("BucketNotEmpty",
                        b.versioning.empty() || s3.meta.has_objects(b.id)
                            ? "The bucket you tried to delete is not empty"
                            : "The bucket you tried to delete is not empty. You must delete all versions in the "
                              "bucket.",
                        409)
            .with("BucketName", b.name);
    for (auto& u : s3.meta.uploads(b.id)) {
        for (auto& p : s3.meta.parts(u.id))
            s3.blobs.remove(p.blob);
    }
    s3.meta.delete_bucket(b.id);
    return json::object();
}

json list_buckets(service& s3, request_context& ctx, const json& input) {
    int max = input.value("MaxBuckets", 10000);
    if (max < 1 || max > 10000)
        throw errors::invalid_argument("Argument max-buckets must be an integer between 1 and 10000", "max-buckets",
                                       std::to_string(max));
    std::string after;
    if (input.contains("ContinuationToken")) {
        std::string decoded;
        if (!base64_decode(input["ContinuationToken"].get<std::string>(), decoded) || !decoded.starts_with("eddy:"))
            throw errors::invalid_argument("The continuation token provided is incorrect", "continuation-token",
                                           input["ContinuationToken"]);
        after = decoded.substr(5);
    }
    std::string prefix = input.value("Prefix", "");
    std::string region = input.value("BucketRegion", "");
    json list = json::array();
    std::string last;
    bool more = false;
    for (auto& b : s3.meta.buckets(ctx.account)) {
        if (b.name <= after && !after.empty()) continue;
        if (!b.name.starts_with(prefix) || (!region.empty() && b.region != region)) continue;
        if (static_cast<int>(list.size()) == max) {
            more = true;
            break;
        }
        list.push_back({{"Name", b.name},
                        {"CreationDate", seconds(b.created_ms)},
                        {"BucketRegion", b.region},
                        {"BucketArn", "arn:aws:s3:::" + b.name}});
        last = b.name;
    }
    json out = {{"Buckets", list}, {"Owner", owner_of(ctx.account)}};
    if (!prefix.empty()) out["Prefix"] = prefix;
    if (more) out["ContinuationToken"] = base64_encode("eddy:" + last);
    return out;
}

// GetBucketLocation's answer is one element whose text is the region (null for
// us-east-1): SDKs read the document's root, not a member inside it.
json get_bucket_location(service& s3, request_context& ctx, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    std::string body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    if (b.region != "us-east-1") protocol::xml::escape(body, b.region);
    body += "</LocationConstraint>";
    auto payload = std::make_shared<protocol::body_source>();
    payload->length = body.size();
    payload->memory = std::make_shared<const std::string>(std::move(body));
    ctx.reply_payload = std::move(payload);
    return json::object();
}

json put_bucket_versioning(service& s3, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    auto& config = input["VersioningConfiguration"];
    std::string status = config.value("Status", "");
    if (status != "Enabled" && status != "Suspended") throw errors::malformed_xml();
    s3.meta.set_versioning(b.id, status);
    return json::object();
}

json get_bucket_versioning(service& s3, const json& input) {
    auto b = s3.require_bucket(input["Bucket"]);
    json out = json::object();
    if (!b.versioning.empty()) out["Status"] = b.versioning;
    return out;
}

// One stored configuration: Put keeps the payload member, Get gives it back (or
// S3's "no such configuration" error), Delete forgets it.
struct stored_config {
    const char* put;
    const char* get;
    const char* remove;  // may be null
    const char* key;     // the name kept in the bucket's configs
    const char* member;  // the payload member of Put
    const char* missing_code;
    const char* missing_message;
};

const stored_config configs[] = {
    {"PutBucketCors", "GetBucketCors", "DeleteBucketCors", "cors", "CORSConfiguration", "NoSuchCORSConfiguration",
     "The CORS configuration does not exist"},
    {"PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration", "DeleteBucketLifecycle", "lifecycle",
     "LifecycleConfiguration", "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"},
    {"PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging", "tagging", "Tagging", "NoSuchTagSet",
     "The TagSet does not exist"},
    {"PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy", "policy", "Policy", "NoSuchBucketPolicy",
     "The bucket policy does not exist"},
    {"PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption", "encryption",
     "ServerSideEncryptionConfiguration", nullptr, nullptr},
    {"PutBucketNotificationConfiguration", "GetBucketNotificationConfiguration", nullptr, "notification",
     "NotificationConfiguration", nullptr, nullptr},
    {"PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite", "website", "WebsiteConfiguration",
     "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"},
    {"PutBucketOwnershipControls", "GetBucketOwnershipControls", "DeleteBucketOwnershipControls", "ownership",
     "OwnershipControls", "OwnershipControlsNotFoundError", "The bucket ownership controls were not found"},
    {"PutPublicAccessBlock", "GetPublicAccessBlock", "DeletePublicAccessBlock", "public_access",
     "PublicAccessBlockConfiguration", "NoSuchPublicAccessBlockConfiguration",
     "The public access block configuration was not found"},
};

void check_config(const stored_config& c, const json& value) {
    std::string key = c.key;
    if (key == "policy") {
        auto text = value.is_string() ? value.get<std::string>() : std::string();
        auto doc = json::parse(text, nullptr, false);
        if (text.empty() || text.front() != '{' || doc.is_discarded() || !doc.is_object())
            throw aws_error("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'");
    } else if (key == "cors") {
        auto rules = value.value("CORSRules", json::array());
        if (rules.empty() || rules.size() > 100) throw errors::malformed_xml();
        for (auto& r : rules) {
            if (!r.contains("AllowedOrigins") || !r.contains("AllowedMethods")) throw errors::malformed_xml();
            for (auto& m : r["AllowedMethods"]) {
                static const char* allowed[] = {"GET", "PUT", "HEAD", "POST", "DELETE"};
                if (std::none_of(std::begin(allowed), std::end(allowed), [&](const char* a) { return m == a; }))
                    throw aws_error("InvalidRequest",
                                    "Found unsupported HTTP method in CORS config. Unsupported "
                                    "method is " +
                                        m.get<std::string>());
            }
        }
    } else if (key == "tagging") {
        auto tags = value.value("TagSet", json::array());
        if (tags.size() > 50) throw aws_error("InvalidTag", "Bucket tag count cannot be greater than 50");
        json seen = json::object();
        for (auto& t : tags) {
            std::string k = t.value("Key", "");
            if (seen.contains(k))
                throw aws_error("InvalidTag", "Cannot provide multiple Tags with the same key").with("TagKey", k);
            seen[k] = true;
            if (k.empty() || k.size() > 128) throw aws_error("InvalidTag", "The TagKey you have provided is invalid");
            if (t.value("Value", "").size() > 256)
                throw aws_error("InvalidTag", "The TagValue you have provided is invalid");
        }
    }
}

json default_config(const std::string& key) {
    if (key == "encryption")
        return {{"Rules", json::array({{{"ApplyServerSideEncryptionByDefault", {{"SSEAlgorithm", "AES256"}}},
                                        {"BucketKeyEnabled", false}}})}};
    return json::object();  // notifications: none
}

void register_configs(dispatcher& calls, service& s3) {
    for (auto& c : configs) {
        calls.add("s3", c.put, sync_handler([&s3, &c](request_context&, json input) {
                      auto b = s3.require_bucket(input["Bucket"]);
                      json value = input.value(c.member, json::object());
                      check_config(c, value);
                      b.configs[c.key] = value;
                      s3.meta.set_configs(b.id, b.configs);
                      return json::object();
                  }));
        calls.add("s3", c.get, sync_handler([&s3, &c](request_context&, json input) {
                      auto b = s3.require_bucket(input["Bucket"]);
                      json value;
                      if (b.configs.contains(c.key))
                          value = b.configs[c.key];
                      else if (!c.missing_code)
                          value = default_config(c.key);
                      else
                          throw aws_error(c.missing_code, c.missing_message, 404).with("BucketName", b.name);
                      // a configuration whose members are the output's own (CORSRules, Rules, TagSet)
                      if (std::string(c.key) == "policy") return json{{"Policy", value}};
                      if (std::string(c.key) == "encryption" || std::string(c.key) == "ownership" ||
                          std::string(c.key) == "public_access")
                          return json{{c.member, value}};
                      return value;
                  }));
        if (c.remove)
            calls.add("s3", c.remove, sync_handler([&s3, &c](request_context&, json input) {
                          auto b = s3.require_bucket(input["Bucket"]);
                          b.configs.erase(c.key);
                          s3.meta.set_configs(b.id, b.configs);
                          return json::object();
                      }));
    }
}

}  // namespace

void register_bucket_handlers(dispatcher& calls, service& s3) {
    calls.add("s3", "CreateBucket",
              sync_handler([&s3](request_context& ctx, json input) { return create_bucket(s3, ctx, input); }));
    calls.add("s3", "HeadBucket", sync_handler([&s3](request_context&, json input) { return head_bucket(s3, input); }));
    calls.add("s3", "DeleteBucket",
              sync_handler([&s3](request_context&, json input) { return delete_bucket(s3, input); }));
    calls.add("s3", "ListBuckets",
              sync_handler([&s3](request_context& ctx, json input) { return list_buckets(s3, ctx, input); }));
    calls.add("s3", "GetBucketLocation",
              sync_handler([&s3](request_context& ctx, json input) { return get_bucket_location(s3, ctx, input); }));
    calls.add("s3", "PutBucketVersioning",
              sync_handler([&s3](request_context&, json input) { return put_bucket_versioning(s3, input); }));
    calls.add("s3", "GetBucketVersioning",
              sync_handler([&s3](request_context&, json input) { return get_bucket_versioning(s3, input); }));
    register_configs(calls, s3);
    // S3 checks each destination exists before it keeps the configuration, then sends each a test event.
    calls.add("s3", "PutBucketNotificationConfiguration",
              [&s3](request_context& ctx, json input) -> boost::asio::awaitable<json> {
                  auto b = s3.require_bucket(input["Bucket"]);
                  json value = input.value("NotificationConfiguration", json::object());
                  std::vector<std::string> missing;
                  for (auto& q : value.value("QueueConfigurations", json::array())) {
                      std::string arn = q.value("QueueArn", "");
                      bool found = true;
                      try {
                          co_await eventing::queue_url(*ctx.calls, ctx, arn);
                      } catch (const aws_error&) {
                          found = false;
                      }
                      if (!found) missing.push_back(arn);
                  }
                  if (!missing.empty()) {
                      aws_error e("InvalidArgument", "Unable to validate the following destination configurations");
                      for (auto& arn : missing)
                          e.with("ArgumentName", arn).with("ArgumentValue", "The destination queue does not exist");
                      throw e;
                  }
                  b.configs["notification"] = value;
                  s3.meta.set_configs(b.id, b.configs);
                  s3.send_test_events(ctx, b, value);
                  co_return json::object();
              });
}

}  // namespace eddy::s3
