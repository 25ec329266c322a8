// CloudWatch Logs operations: translate the neutral input to the store and back.
#include "core/aws_error.hpp"
#include "core/ids.hpp"
#include "services/logs/filter_pattern.hpp"
#include "services/logs/store.hpp"
#include "services/registry.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

namespace eddy::logs {

namespace {

constexpr std::int64_t max_batch_bytes = 1048576;
constexpr std::int64_t max_batch_span_ms = 24LL * 3600 * 1000;
constexpr std::int64_t max_past_ms = 14LL * 24 * 3600 * 1000;
constexpr std::int64_t max_future_ms = 2LL * 3600 * 1000;
constexpr std::int64_t default_events_limit = 10000;
constexpr std::int64_t default_describe_limit = 50;
constexpr std::int64_t max_scanned_events = 100000;  // searched by one FilterLogEvents call
constexpr std::size_t max_tags = 50;
constexpr std::array<int, 22> retention_values = {1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
                                                  365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};

aws_error invalid_parameter(std::string message) {
    return aws_error("InvalidParameterException", std::move(message));
}
aws_error group_not_found() {
    return aws_error("ResourceNotFoundException", "The specified log group does not exist.");
}
aws_error stream_not_found() {
    return aws_error("ResourceNotFoundException", "The specified log stream does not exist.");
}

// The model's name patterns, which the generic validation leaves to the service,
// reported as CloudWatch Logs reports every constraint it checks.
void check_pattern(const json& input, const char* member, bool ok, const char* pattern) {
    if (ok) return;
    throw invalid_parameter(
        "1 validation error detected: Value '" + input[member].get<std::string>() + "' at '" + member +
        "' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern);
}

bool group_name_ok(std::string_view name) {
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '/' || c == '#';
    });
}

void check_group_name(const json& input, const char* member = "logGroupName") {
    if (!input.contains(member)) return;
    check_pattern(input, member, group_name_ok(input[member].get_ref<const std::string&>()), "[\\.\\-_/#A-Za-z0-9]+");
}

void check_stream_name(const json& input, const char* member = "logStreamName") {
    if (!input.contains(member)) return;
    auto& name = input[member].get_ref<const std::string&>();
    check_pattern(input, member, name.find_first_of(":*") == std::string::npos, "[^:*]*");
}

std::string group_arn(const log_group& g) {
    return make_arn("logs", g.region, g.account, "log-group:" + g.name);
}

std::string stream_arn(const log_group& g, const log_stream& s) {
    return group_arn(g) + ":log-stream:" + s.name;
}

// Sequence tokens and event ids are long digit strings on AWS; clients treat them as opaque.
std::string digits(std::int64_t value, int width) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(value));
    return buf;
}

std::string sequence_token(std::int64_t sequence) {
    return digits(sequence, 56);
}

std::optional<std::int64_t> number(std::string_view text) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

// A read position as a token: the timestamp and the event id, each 19 digits wide.
std::string position_token(const cursor& c) {
    return digits(std::max<std::int64_t>(c.timestamp_ms, 0), 19) + digits(std::max<std::int64_t>(c.id, 0), 19);
}

std::optional<cursor> parse_position(std::string_view token) {
    if (token.size() != 38) return std::nullopt;
    auto ts = number(token.substr(0, 19));
    auto id = number(token.substr(19));
    if (!ts || !id) return std::nullopt;
    return cursor{*ts, *id};
}

std::int64_t offset_from(const json& input) {
    if (!input.contains("nextToken")) return 0;
    auto v = number(input["nextToken"].get_ref<const std::string&>());
    if (!v || *v < 0) throw invalid_parameter("The specified nextToken is invalid.");
    return *v;
}

tag_map tags_from(const json& input, const char* member) {
    tag_map out;
    if (auto it = input.find(member); it != input.end())
        for (auto& [k, v] : it->items())
            out[k] = v.get<std::string>();
    return out;
}

class service {
  public:
    service(storage::database& db, const eddy::clock& clock) : store_(db), clock_(clock) {
        // Events a retention period has dropped while eddy was down go now.
        store_.expire(clock_.now_ms());
    }

    logs::store& domain() { return store_; }

    // ---- log groups

    json create_log_group(request_context& ctx, const json& input) {
        check_group_name(input);
        log_group g;
        g.account = ctx.account;
        g.region = ctx.region;
        g.name = input["logGroupName"].get<std::string>();
        g.created_ms = clock_.now_ms();
        g.log_class = input.value("logGroupClass", std::string("STANDARD"));
        g.kms_key_id = input.value("kmsKeyId", std::string());
        g.deletion_protection = input.value("deletionProtectionEnabled", false);
        if (!store_.create_group(g, tags_from(input, "tags")))
            throw aws_error("ResourceAlreadyExistsException", "The specified log group already exists");
        return json::object();
    }

    json delete_log_group(request_context& ctx, const json& input) {
        check_group_name(input);
        auto g = group_named(ctx, input["logGroupName"].get_ref<const std::string&>());
        if (g.deletion_protection)
            throw aws_error("ValidationException",
                            "Cannot delete log group with deletion protection enabled. Disable deletion protection "
                            "first.");
        store_.delete_group(g.id);
        return json::object();
    }

    json describe_log_groups(request_context& ctx, const json& input) {
        check_group_name(input, "logGroupNamePrefix");
        check_group_name(input, "logGroupNamePattern");
        if (input.contains("logGroupNamePrefix") && input.contains("logGroupNamePattern"))
            throw invalid_parameter(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
        auto prefix = input.value("logGroupNamePrefix", std::string());
        // A case-sensitive substring; answers to it carry only the name, ARN and creation time.
        auto pattern = input.value("logGroupNamePattern", std::string());
        auto log_class = input.value("logGroupClass", std::string());
        auto limit = input.value("limit", default_describe_limit);
        auto offset = offset_from(input);

        // Reads already skip expired events; dropping them here keeps storedBytes true too.
        store_.expire(clock_.now_ms());
        json out = json::array();
        std::int64_t index = 0;
        bool more = false;
        for (auto& g : store_.groups(ctx.account, ctx.region)) {
            if (!g.name.starts_with(prefix)) continue;
            if (!pattern.empty() && g.name.find(pattern) == std::string::npos) continue;
            if (!log_class.empty() && g.log_class != log_class) continue;
            if (index++ < offset) continue;
            if (static_cast<std::int64_t>(out.size()) == limit) {
                more = true;
                break;
            }
            auto item = group_json(g);
            if (input.contains("logGroupNamePattern"))
                item = {{"logGroupName", g.name}, {"arn", item["arn"]}, {"creationTime", g.created_ms}};
            out.push_back(std::move(item));
        }
        json result = {{"logGroups", std::move(out)}};
        if (more) result["nextToken"] = std::to_string(offset + limit);
        return result;
    }

    json put_log_group_deletion_protection(request_context& ctx, const json& input) {
        auto& id = input["logGroupIdentifier"].get_ref<const std::string&>();
        auto g = id.starts_with("arn:") ? group_of_arn(ctx, id) : group_named(ctx, id);
        store_.set_deletion_protection(g.id, input["deletionProtectionEnabled"].get<bool>());
        return json::object();
    }

    json put_retention_policy(request_context& ctx, const json& input) {
        check_group_name(input);
        auto days = input["retentionInDays"].get<int>();
        if (std::find(retention_values.begin(), retention_values.end(), days) == retention_values.end()) {
            std::string set;
            for (int v : retention_values)
                set += (set.empty() ? "" : ", ") + std::to_string(v);
            throw invalid_parameter("1 validation error detected: Value '" + std::to_string(days) +
                                    "' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum "
                                    "value set: [" +
                                    set + "]");
        }
        auto g = group_named(ctx, input["logGroupName"].get_ref<const std::string&>());
        store_.set_retention(g.id, days);
        store_.expire(clock_.now_ms());
        return json::object();
    }

    json delete_retention_policy(request_context& ctx, const json& input) {
        check_group_name(input);
        auto g = group_named(ctx, input["logGroupName"].get_ref<const std::string&>());
        store_.set_retention(g.id, std::nullopt);
        return json::object();
    }

    // ---- tags, by group name (the older operations) and by ARN

    json tag_log_group(request_context& ctx, const json& input) {
        check_group_name(input);
        auto g = group_named(ctx, input["logGroupName"].get_ref<const std::string&>());
        add_tags(g, tags_from(input, "tags"), "InvalidParameterException");
        return json::object();
    }

    json untag_log_group(request_context& ctx, const json& input) {
        check_group_name(input);
        auto g = group_named(ctx, input["logGroupName"].get_ref<const std::string&>());
        remove_tags(g, input["tags"]);
        return json::object();
    }

    json list_tags_log_group(request_context& ctx, const json& input) {
        check_group_name(input);
        auto g = group_named(ctx, input["logGroupName"].get_ref<const std::string&>());
        return {{"tags", store_.tags(g.id)}};
    }

    json tag_resource(request_context& ctx, const json& input) {
        auto g = group_of_arn(ctx, input["resourceArn"].get_ref<const std::string&>());
        add_tags(g, tags_from(input, "tags"), "TooManyTagsException");
        return json::object();
    }

    json untag_resource(request_context& ctx, const json& input) {
        auto g = group_of_arn(ctx, input["resourceArn"].get_ref<const std::string&>());
        remove_tags(g, input["tagKeys"]);
        return json::object();
    }

    json list_tags_for_resource(request_context& ctx, const json& input) {
        auto g = group_of_arn(ctx, input["resourceArn"].get_ref<const std::string&>());
        return {{"tags", store_.tags(g.id)}};
    }

    // ---- log streams

    json create_log_stream(request_context& ctx, const json& input) {
        check_group_name(input);
        check_stream_name(input);
        auto g = group_named(ctx, input["logGroupName"].get_ref<const std::string&>());
        if (!store_.create_stream(g.id, input["logStreamName"].get_ref<const std::string&>(), clock_.now_ms()))
            throw aws_error("ResourceAlreadyExistsException", "The specified log stream already exists");
        return json::object();
    }

    json delete_log_stream(request_context& ctx, const json& input) {
        check_group_name(input);
        check_stream_name(input);
        auto g = group_named(ctx, input["logGroupName"].get_ref<const std::string&>());
        auto s = stream_named(g, input["logStreamName"].get_ref<const std::string&>());
        store_.delete_stream(g.id, s.id);
        return json::object();
    }

    json describe_log_streams(request_context& ctx, const json& input) {
        check_stream_name(input, "logStreamNamePrefix");
        auto g = group_identified(ctx, input);
        bool by_time = input.value("orderBy", std::string("LogStreamName")) == "LastEventTime";
        if (by_time && input.contains("logStreamNamePrefix"))
            throw invalid_parameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
        auto prefix = input.value("logStreamNamePrefix", std::string());
        auto limit = input.value("limit", default_describe_limit);
        auto offset = offset_from(input);

        auto streams = store_.streams(g.id);  // by name
        std::erase_if(streams, [&](const log_stream& s) { return !s.name.starts_with(prefix); });
        if (by_time)
            std::stable_sort(streams.begin(), streams.end(), [](const log_stream& a, const log_stream& b) {
                return a.last_event_ms.value_or(0) < b.last_event_ms.value_or(0);
            });
        if (input.value("descending", false)) std::reverse(streams.begin(), streams.end());

        json out = json::array();
        for (auto i = static_cast<std::size_t>(std::min<std::int64_t>(offset, std::ssize(streams)));
             i < streams.size() && static_cast<std::int64_t>(out.size()) < limit; ++i)
            out.push_back(stream_json(g, streams[i]));
        json result = {{"logStreams", std::move(out)}};
        if (offset + limit < std::ssize(streams)) result["nextToken"] = std::to_string(offset + limit);
        return result;
    }

    // ---- events

    json put_log_events(request_context& ctx, const json& input) {
        check_group_name(input);
        check_stream_name(input);
        auto g = group_named(ctx, input["logGroupName"].get_ref<const std::string&>());
        auto s = stream_named(g, input["logStreamName"].get_ref<const std::string&>());

        // The sequence token is accepted and ignored, as CloudWatch Logs does since 2023.
        auto& in = input["logEvents"];
        std::vector<input_event> events;
        events.reserve(in.size());
        std::int64_t bytes = 0;
        for (auto& e : in) {
            events.push_back({e["timestamp"].get<std::int64_t>(), e["message"].get<std::string>()});
            bytes += static_cast<std::int64_t>(events.back().message.size()) + event_overhead_bytes;
        }
        for (std::size_t i = 1; i < events.size(); ++i)
            if (events[i].timestamp_ms < events[i - 1].timestamp_ms)
                throw invalid_parameter("Log events in a single PutLogEvents request must be in chronological order.");
        if (events.back().timestamp_ms - events.front().timestamp_ms > max_batch_span_ms)
            throw invalid_parameter(
                "The batch of log events in a single PutLogEvents request cannot span more than "
                "24 hours.");
        if (bytes > max_batch_bytes)
            throw invalid_parameter("Upload too large: " + std::to_string(bytes) + " bytes exceeds limit of " +
                                    std::to_string(max_batch_bytes));

        // Events outside what the service keeps are rejected, not failed: the oldest
        // ones are a prefix of the batch and the ones from the future a suffix.
        auto now = clock_.now_ms();
        auto count_before = [&](std::int64_t limit_ms) {
            return std::partition_point(events.begin(), events.end(),
                                        [&](const input_event& e) { return e.timestamp_ms < limit_ms; }) -
                   events.begin();
        };
        auto too_old = count_before(now - max_past_ms);
        auto expired = g.retention_days ? count_before(now - retention_ms(*g.retention_days)) : 0;
        auto too_new = count_before(now + max_future_ms + 1);
        auto first = std::max(too_old, expired);

        json result = json::object();
        auto sequence = s.sequence;
        if (first < too_new)
            sequence = store_.append(g.id, s.id, std::span(events).subspan(first, too_new - first), now);
        result["nextSequenceToken"] = sequence_token(sequence);
        json rejected = json::object();
        if (too_old > 0) rejected["tooOldLogEventEndIndex"] = too_old;
        if (expired > 0) rejected["expiredLogEventEndIndex"] = expired;
        if (too_new < std::ssize(events)) rejected["tooNewLogEventStartIndex"] = too_new;
        if (!rejected.empty()) result["rejectedLogEventsInfo"] = std::move(rejected);
        return result;
    }

    json get_log_events(request_context& ctx, const json& input) {
        check_stream_name(input);
        auto g = group_identified(ctx, input);
        auto s = stream_named(g, input["logStreamName"].get_ref<const std::string&>());
        window w = retained_window(g, input);
        if (input.contains("endTime")) w.end_ms = input["endTime"].get<std::int64_t>();

        // A read goes forward from the head or a forward token, or backward from the
        // tail or a backward token.
        bool forward = input.value("startFromHead", false);
        cursor from = forward ? cursor::first() : cursor::last();
        if (input.contains("nextToken")) {
            auto& token = input["nextToken"].get_ref<const std::string&>();
            std::optional<cursor> c;
            if (token.size() > 2 && (token[0] == 'f' || token[0] == 'b') && token[1] == '/')
                c = parse_position(std::string_view(token).substr(2));
            if (!c) throw invalid_parameter("The specified nextToken is invalid.");
            forward = token[0] == 'f';
            from = *c;
        }
        auto limit = input.value("limit", default_events_limit);
        auto events = store_.read_stream(s.id, w, from, forward, limit, max_batch_bytes);

        json out = json::array();
        for (auto& e : events)
            out.push_back({{"timestamp", e.timestamp_ms}, {"message", e.message}, {"ingestionTime", e.ingestion_ms}});
        // Tokens mark the edges of what was returned; with nothing returned the token
        // that was sent comes back, which is how readers know they are at the end.
        cursor next_forward, next_backward;
        if (!events.empty()) {
            next_forward = {events.back().timestamp_ms, events.back().id};
            next_backward = {events.front().timestamp_ms, events.front().id};
        } else if (forward) {
            next_forward = from;
            next_backward = {from.timestamp_ms, from.id + 1};
        } else {
            // Nothing in the window lies before `from`: reading forward starts at the beginning.
            next_backward = from;
            next_forward = cursor::first();
        }
        return {{"events", std::move(out)},
                {"nextForwardToken", "f/" + position_token(next_forward)},
                {"nextBackwardToken", "b/" + position_token(next_backward)}};
    }

    json filter_log_events(request_context& ctx, const json& input) {
        check_stream_name(input, "logStreamNamePrefix");
        if (input.contains("logStreamNames"))
            for (std::size_t i = 0; i < input["logStreamNames"].size(); ++i)
                if (input["logStreamNames"][i].get_ref<const std::string&>().find_first_of(":*") != std::string::npos)
                    throw invalid_parameter("1 validation error detected: Value '" +
                                            input["logStreamNames"][i].get<std::string>() + "' at 'logStreamNames." +
                                            std::to_string(i + 1) +
                                            ".member' failed to satisfy constraint: Member must satisfy regular "
                                            "expression pattern: [^:*]*");
        auto g = group_identified(ctx, input);
        if (input.contains("logStreamNames") && input.contains("logStreamNamePrefix"))
            throw invalid_parameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
        std::string error;
        auto pattern = filter_pattern::parse(input.value("filterPattern", std::string()), error);
        if (!pattern) throw invalid_parameter(error);

        // Which streams are searched, and their names for the answer.
        std::map<std::int64_t, std::string> names;
        auto prefix = input.value("logStreamNamePrefix", std::string());
        std::set<std::string> wanted;
        if (input.contains("logStreamNames"))
            for (auto& n : input["logStreamNames"])
                wanted.insert(n.get<std::string>());
        for (auto& s : store_.streams(g.id))
            if ((wanted.empty() || wanted.contains(s.name)) && s.name.starts_with(prefix)) names[s.id] = s.name;
        // Streams asked for by name must all exist.
        if (names.size() < wanted.size()) throw stream_not_found();

        window w = retained_window(g, input);
        if (input.contains("endTime")) w.end_ms = input["endTime"].get<std::int64_t>() + 1;  // inclusive here
        cursor from = cursor::first();
        if (input.contains("nextToken")) {
            auto c = parse_position(input["nextToken"].get_ref<const std::string&>());
            if (!c) throw invalid_parameter("The specified nextToken is invalid.");
            from = *c;
        }
        auto limit = input.value("limit", default_events_limit);

        // Like CloudWatch Logs, a call searches a bounded stretch of the group: a page may
        // come back short, or empty, with a nextToken to search on from.
        json out = json::array();
        std::int64_t bytes = 0, scanned = 0;
        cursor done = from;  // every event up to here has been considered
        bool more = false;
        store_.read_group(g.id, w, from, [&](stored_event& e) {
            if (++scanned > max_scanned_events) {
                more = true;
                return false;
            }
            auto name = names.find(e.stream_id);
            if (name != names.end() && pattern->matches(e.message)) {
                bytes += static_cast<std::int64_t>(e.message.size()) + event_overhead_bytes;
                if (std::ssize(out) == limit || (!out.empty() && bytes > max_batch_bytes)) {
                    more = true;
                    return false;
                }
                out.push_back({{"logStreamName", name->second},
                               {"timestamp", e.timestamp_ms},
                               {"message", std::move(e.message)},
                               {"ingestionTime", e.ingestion_ms},
                               {"eventId", digits(e.id, 56)}});
            }
            done = cursor{e.timestamp_ms, e.id};
            return true;
        });
        json result = {{"events", std::move(out)}};
        if (more) result["nextToken"] = position_token(done);
        return result;
    }

  private:
    log_group group_named(const request_context& ctx, std::string_view name) {
        auto g = store_.find_group(ctx.account, ctx.region, name);
        if (!g) throw group_not_found();
        return *g;
    }

    log_stream stream_named(const log_group& g, std::string_view name) {
        auto s = store_.find_stream(g.id, name);
        if (!s) throw stream_not_found();
        return *s;
    }

    // A log group's ARN, with or without the ":*" DescribeLogGroups appends.
    log_group group_of_arn(const request_context& ctx, std::string_view arn) {
        auto ref = parse_group_arn(arn);
        if (!ref) throw invalid_parameter("Invalid resource ARN: " + std::string(arn));
        if (ref->account != ctx.account || ref->region != ctx.region) throw group_not_found();
        return group_named(ctx, ref->name);
    }

    // Reads name their group by logGroupName or by logGroupIdentifier (a name or an ARN).
    log_group group_identified(const request_context& ctx, const json& input) {
        check_group_name(input);
        bool by_name = input.contains("logGroupName"), by_id = input.contains("logGroupIdentifier");
        if (by_name && by_id)
            throw invalid_parameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
        if (by_name) return group_named(ctx, input["logGroupName"].get_ref<const std::string&>());
        if (!by_id) throw invalid_parameter("Should provide either logGroupName or logGroupIdentifier.");
        auto& id = input["logGroupIdentifier"].get_ref<const std::string&>();
        if (id.starts_with("arn:")) return group_of_arn(ctx, id);
        return group_named(ctx, id);
    }

    // The caller's time window, cut to what the group's retention still keeps.
    window retained_window(const log_group& g, const json& input) {
        window w;
        if (input.contains("startTime")) w.start_ms = input["startTime"].get<std::int64_t>();
        if (g.retention_days) w.start_ms = std::max(w.start_ms, clock_.now_ms() - retention_ms(*g.retention_days));
        return w;
    }

    void add_tags(const log_group& g, const tag_map& add, const char* too_many_code) {
        auto tags = store_.tags(g.id);
        for (auto& [k, v] : add)
            tags[k] = v;
        if (tags.size() > max_tags) throw aws_error(too_many_code, "A resource can have no more than 50 tags.");
        store_.set_tags(g.id, tags);
    }

    void remove_tags(const log_group& g, const json& keys) {
        auto tags = store_.tags(g.id);
        for (auto& k : keys)
            tags.erase(k.get<std::string>());
        store_.set_tags(g.id, tags);
    }

    json group_json(const log_group& g) const {
        auto arn = group_arn(g);
        json out = {{"logGroupName", g.name},       {"creationTime", g.created_ms},
                    {"metricFilterCount", 0},       {"arn", arn + ":*"},
                    {"logGroupArn", arn},           {"storedBytes", g.stored_bytes},
                    {"logGroupClass", g.log_class}, {"deletionProtectionEnabled", g.deletion_protection}};
        if (g.retention_days) out["retentionInDays"] = *g.retention_days;
        if (!g.kms_key_id.empty()) out["kmsKeyId"] = g.kms_key_id;
        return out;
    }

    json stream_json(const log_group& g, const log_stream& s) const {
        // storedBytes is deprecated and 0 on AWS for every stream created since 2019.
        json out = {
            {"logStreamName", s.name}, {"creationTime", s.created_ms}, {"arn", stream_arn(g, s)}, {"storedBytes", 0}};
        if (s.first_event_ms) out["firstEventTimestamp"] = *s.first_event_ms;
        if (s.last_event_ms) out["lastEventTimestamp"] = *s.last_event_ms;
        if (s.last_ingestion_ms) out["lastIngestionTime"] = *s.last_ingestion_ms;
        if (s.sequence > 0) out["uploadSequenceToken"] = sequence_token(s.sequence);
        return out;
    }

    logs::store store_;
    const eddy::clock& clock_;
};

}  // namespace

void register_handlers(service_env& env) {
    auto svc = std::make_shared<service>(env.db, env.clock);
    auto add = [&](const char* op, json (service::*fn)(request_context&, const json&)) {
        env.calls.add("logs", op,
                      sync_handler([svc, fn](request_context& ctx, const json& in) { return ((*svc).*fn)(ctx, in); }));
    };
    add("CreateLogGroup", &service::create_log_group);
    add("DeleteLogGroup", &service::delete_log_group);
    add("DescribeLogGroups", &service::describe_log_groups);
    add("PutLogGroupDeletionProtection", &service::put_log_group_deletion_protection);
    add("PutRetentionPolicy", &service::put_retention_policy);
    add("DeleteRetentionPolicy", &service::delete_retention_policy);
    add("TagLogGroup", &service::tag_log_group);
    add("UntagLogGroup", &service::untag_log_group);
    add("ListTagsLogGroup", &service::list_tags_log_group);
    add("TagResource", &service::tag_resource);
    add("UntagResource", &service::untag_resource);
    add("ListTagsForResource", &service::list_tags_for_resource);
    add("CreateLogStream", &service::create_log_stream);
    add("DeleteLogStream", &service::delete_log_stream);
    add("DescribeLogStreams", &service::describe_log_streams);
    add("PutLogEvents", &service::put_log_events);
    add("GetLogEvents", &service::get_log_events);
    add("FilterLogEvents", &service::filter_log_events);
    // Other services write their logs through the same store, in process.
    env.logs = std::shared_ptr<logs::store>(svc, &svc->domain());
}

}  // namespace eddy::logs
