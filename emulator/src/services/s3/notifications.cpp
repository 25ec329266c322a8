// Bucket notifications: S3 event records sent to the SQS queues a bucket's
// notification configuration names, after the request that caused them.
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "eventing/sources.hpp"
#include "services/s3/objects.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace eddy::s3 {

namespace {

// "s3:ObjectCreated:*" covers "ObjectCreated:Put"; otherwise the names must be equal.
bool event_matches(const std::string& configured, const std::string& event) {
    std::string_view c = configured;
    if (c.starts_with("s3:")) c.remove_prefix(3);
    if (c.ends_with(":*")) return std::string_view(event).starts_with(c.substr(0, c.size() - 1));
    return c == event;
}

bool key_matches(const json& config, const std::string& key) {
    auto rules =
        config.value("Filter", json::object()).value("Key", json::object()).value("FilterRules", json::array());
    for (auto& rule : rules) {
        std::string name = rule.value("Name", ""), value = rule.value("Value", "");
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name == "prefix" && !key.starts_with(value)) return false;
        if (name == "suffix" && !key.ends_with(value)) return false;
    }
    return true;
}

boost::asio::awaitable<void> deliver(dispatcher& calls, request_context scope, std::string queue_arn,
                                     std::string body) {
    std::string failure;
    try {
        auto url = co_await eventing::queue_url(calls, scope, queue_arn);
        json request = {{"QueueUrl", url}, {"MessageBody", body}};
        co_await calls.call(scope, "sqs", "SendMessage", std::move(request));
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (!failure.empty()) log::warn("S3 notification to " + queue_arn + " not delivered: " + failure);
}

void send(service& s3, const request_context& ctx, const std::string& queue_arn, std::string body) {
    request_context scope;
    scope.account = ctx.account;
    scope.region = ctx.region;
    scope.request_id = new_uuid();
    scope.clock = ctx.clock;
    scope.calls = s3.calls;
    boost::asio::co_spawn(s3.executor, deliver(*s3.calls, scope, queue_arn, std::move(body)), boost::asio::detached);
}

}  // namespace

void service::notify(const request_context& ctx, const bucket& b, const object_version& v, const std::string& event) {
    if (!calls || !b.configs.contains("notification")) return;
    auto queues = b.configs["notification"].value("QueueConfigurations", json::array());
    for (auto& q : queues) {
        bool wanted = false;
        for (auto& e : q.value("Events", json::array()))
            wanted = wanted || event_matches(e.get<std::string>(), event);
        if (!wanted || !key_matches(q, v.key)) continue;
        json object = {{"key", url_encode(v.key, true)}, {"sequencer", to_hex_sequencer(next_sequencer())}};
        if (!v.delete_marker && event.starts_with("ObjectCreated")) {
            object["size"] = v.size;
            object["eTag"] = v.etag.size() >= 2 ? v.etag.substr(1, v.etag.size() - 2) : v.etag;
        }
        if (v.version_id != "null" || !b.versioning.empty()) object["versionId"] = v.version_id;
        json principal = {{"principalId", "AWS:" + ctx.account}};
        json record = {
            {"eventVersion", "2.1"},
            {"eventSource", "aws:s3"},
            {"awsRegion", b.region},
            {"eventTime", format_iso8601(v.modified_ms ? v.modified_ms : now_ms())},
            {"eventName", event},
            {"userIdentity", principal},
            {"requestParameters", {{"sourceIPAddress", "127.0.0.1"}}},
            {"responseElements", {{"x-amz-request-id", ctx.request_id}, {"x-amz-id-2", ctx.request_id}}},
            {"s3",
             {{"s3SchemaVersion", "1.0"},
              {"configurationId", q.value("Id", "")},
              {"bucket", {{"name", b.name}, {"ownerIdentity", principal}, {"arn", "arn:aws:s3:::" + b.name}}},
              {"object", object}}}};
        send(*this, ctx, q.value("QueueArn", ""), json{{"Records", json::array({record})}}.dump());
    }
}

void service::send_test_events(const request_context& ctx, const bucket& b, const json& configuration) {
    if (!calls) return;
    for (auto& q : configuration.value("QueueConfigurations", json::array())) {
        json test = {{"Service", "Amazon S3"}, {"Event", "s3:TestEvent"},     {"Time", format_iso8601(now_ms())},
                     {"Bucket", b.name},       {"RequestId", ctx.request_id}, {"HostId", ctx.request_id}};
        send(*this, ctx, q.value("QueueArn", ""), test.dump());
    }
}

std::uint64_t service::next_sequencer() {
    // S3's sequencer orders the events of a key: here it grows with every event, from the clock on
    last_sequencer_ = std::max(last_sequencer_ + 1, static_cast<std::uint64_t>(now_ms()) << 16);
    return last_sequencer_;
}

std::string to_hex_sequencer(std::uint64_t id) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llX", static_cast<unsigned long long>(id));
    return buf;
}

}  // namespace eddy::s3
