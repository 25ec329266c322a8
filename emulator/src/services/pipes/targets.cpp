// What a pipe does with a batch: filters it, enriches it, renders each event with the
// target's input template and hands the events to the target, noting which failed; and
// the pipe's execution log and its dead-letter queue.
#include "core/aws_error.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "services/pipes/live_pipe.hpp"
#include "services/pipes/spec.hpp"

#include <algorithm>
#include <set>

namespace eddy::pipes {

namespace asio = boost::asio;

namespace {

// An event as its target receives it: the template's rendering (JSON when it is JSON, else
// the text), or the event itself without a template.
json rendered(const std::optional<eventing::input_template>& t, const json& event, const eventing::variables& vars) {
    if (!t) return event;
    auto text = t->render(event, vars);
    auto parsed = json::parse(text, nullptr, false);
    return parsed.is_discarded() ? json(text) : parsed;
}

std::string body_of(const json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
}

// Target parameters may read the event: a string value "$.path" is that path's value in the
// event (its payload parsed), as Pipes' dynamic path parameters are.
json with_dynamic_values(const json& params, const json& event) {
    if (params.is_string()) {
        auto& s = params.get_ref<const std::string&>();
        if (s.rfind("$.", 0) != 0) return params;
        auto parsed = eventing::with_parsed_payload(event);
        auto found = eventing::json_path::parse(s).select(parsed);
        auto* v = found.get();
        if (!v) return json();
        return v->is_string() ? *v : json(v->dump());
    }
    if (params.is_object()) {
        json out = json::object();
        for (auto& [k, v] : params.items())
            out[k] = with_dynamic_values(v, event);
        return out;
    }
    if (params.is_array()) {
        json out = json::array();
        for (auto& v : params)
            out.push_back(with_dynamic_values(v, event));
        return out;
    }
    return params;
}

// Pipes spells ECS's members with a capital first letter (ContainerOverrides); RunTask does not.
json ecs_spelling(const json& v) {
    if (v.is_array()) {
        json out = json::array();
        for (auto& item : v)
            out.push_back(ecs_spelling(item));
        return out;
    }
    if (!v.is_object()) return v;
    json out = json::object();
    for (auto& [k, item] : v.items()) {
        auto key = k;
        if (!key.empty()) key[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(key[0])));
        out[key] = ecs_spelling(item);
    }
    return out;
}

// TaskCount, also when a "$." path gave it as text.
int task_count(const json& ecs) {
    auto it = ecs.find("TaskCount");
    if (it == ecs.end()) return 1;
    if (it->is_number_integer()) return it->get<int>();
    if (it->is_string()) return std::max(1, std::atoi(it->get<std::string>().c_str()));
    return 1;
}

json payload(const json& events) {
    return {{"payload", events}};
}

json failure(const std::string& message) {
    return {{"error", {{"message", message}}}};
}

std::vector<std::size_t> all_of(std::size_t n) {
    std::vector<std::size_t> out(n);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = i;
    return out;
}

// The log levels a record of `level` is written at: ERROR < INFO < TRACE.
int rank(const std::string& level) {
    return level == "ERROR" ? 1 : level == "INFO" ? 2 : level == "TRACE" ? 3 : 0;
}

}  // namespace

asio::awaitable<std::vector<std::size_t>> service::deliver(const pipe& p, const live_pipe& live, const json& records) {
    std::vector<std::size_t> failed_records;
    json events = json::array();
    std::vector<std::size_t> origin;  // events[i] came from records[origin[i]]
    for (std::size_t i = 0; i < records.size(); ++i) {
        bool keep = live.filters.empty();
        if (!keep) {
            auto parsed = eventing::with_parsed_payload(records[i]);
            keep = std::any_of(live.filters.begin(), live.filters.end(),
                               [&](const eventing::event_pattern& f) { return f.matches(parsed); });
        }
        if (keep) {
            events.push_back(records[i]);
            origin.push_back(i);
        }
    }
    if (events.empty()) co_return failed_records;

    auto execution = new_uuid();
    auto ctx = scope(p);
    // the templates' variables: the pipe's, and when this batch came in
    auto vars = live.vars;
    vars["aws.pipes.event.ingestion-time"] = format_iso8601(env_.clock.now_ms());
    co_await write_log(p, "INFO", "EXECUTION_STARTED", execution, payload(events));
    auto enrichment = p.spec.value("Enrichment", "");
    bool enriched = false;
    if (!enrichment.empty()) {
        json input = json::array();
        for (auto& e : events)
            input.push_back(rendered(live.enrichment_template, e, vars));
        co_await write_log(p, "TRACE", "ENRICHMENT_INVOCATION_STARTED", execution);
        std::string error;
        try {
            json request = {{"stateMachineArn", enrichment}, {"input", input.dump()}};
            auto out = co_await env_.calls.call(in_scope_of(ctx, enrichment), "stepfunctions", "StartSyncExecution",
                                                std::move(request));
            if (out.value("status", "") != "SUCCEEDED") {
                error = "The enrichment execution " + out.value("executionArn", "") + " ended " +
                        out.value("status", "") + ": " + out.value("error", "") + " " + out.value("cause", "");
            } else {
                auto output = json::parse(out.value("output", "null"), nullptr, false);
                if (output.is_discarded()) output = out.value("output", "");
                events = output.is_array() ? output : json::array({output});
                enriched = true;
            }
        } catch (const aws_error& e) {
            error = e.code + ": " + e.message();
        }
        if (!error.empty()) {
            co_await write_log(p, "ERROR", "ENRICHMENT_INVOCATION_FAILED", execution, failure(error));
            co_await write_log(p, "ERROR", "EXECUTION_FAILED", execution, failure(error));
            co_return origin;
        }
        co_await write_log(p, "TRACE", "ENRICHMENT_INVOCATION_SUCCEEDED", execution);
        if (events.empty()) {
            co_await write_log(p, "INFO", "EXECUTION_SUCCEEDED", execution);
            co_return failed_records;
        }
    }

    co_await write_log(p, "TRACE", "TARGET_INVOCATION_STARTED", execution);
    std::string error;
    auto failed = co_await invoke_target(p, live, vars, events, error);
    if (failed.empty()) {
        co_await write_log(p, "TRACE", "TARGET_INVOCATION_SUCCEEDED", execution);
        co_await write_log(p, "INFO", "EXECUTION_SUCCEEDED", execution);
        co_return failed_records;
    }
    // after an enrichment the events no longer stand for records one to one: retry them all
    if (enriched) {
        failed_records = origin;
    } else {
        for (auto i : failed)
            failed_records.push_back(origin[i]);
    }
    co_await write_log(
        p, "ERROR", failed.size() == events.size() ? "TARGET_INVOCATION_FAILED" : "TARGET_INVOCATION_PARTIALLY_FAILED",
        execution, failure(error));
    co_await write_log(p, "ERROR", "EXECUTION_FAILED", execution, failure(error));
    co_return failed_records;
}

asio::awaitable<std::vector<std::size_t>> service::invoke_target(const pipe& p, const live_pipe& live,
                                                                 const eventing::variables& vars, const json& events,
                                                                 std::string& error) {
    auto target = p.spec.value("Target", "");
    auto& tparams = member(p.spec, "TargetParameters");
    auto ctx = in_scope_of(scope(p), target);
    arn_parts parts;
    parse_arn(target, parts);
    std::vector<std::size_t> failed;
    try {
        if (parts.service == "states") {
            // the batch goes as one JSON array, even of one event
            json input = json::array();
            for (auto& e : events)
                input.push_back(rendered(live.target_template, e, vars));
            auto& sfn = member(tparams, "StepFunctionStateMachineParameters");
            if (sfn.value("InvocationType", "FIRE_AND_FORGET") == "REQUEST_RESPONSE") {
                json request = {{"stateMachineArn", target}, {"input", input.dump()}};
                auto out = co_await env_.calls.call(ctx, "stepfunctions", "StartSyncExecution", std::move(request));
                if (out.value("status", "") != "SUCCEEDED") {
                    error = "The execution " + out.value("executionArn", "") + " ended " + out.value("status", "") +
                            ": " + out.value("error", "") + " " + out.value("cause", "");
                    co_return all_of(events.size());
                }
                // a target may name the events it failed, by messageId or sequenceNumber
                auto output = json::parse(out.value("output", "null"), nullptr, false);
                if (output.is_object() && output.contains("batchItemFailures")) {
                    std::set<std::string> ids;
                    for (auto& f : output["batchItemFailures"])
                        if (f.is_object()) ids.insert(f.value("itemIdentifier", ""));
                    for (std::size_t i = 0; i < events.size(); ++i) {
                        auto& e = events[i];
                        auto id = e.is_object() ? e.value("messageId", e.value("sequenceNumber", "")) : "";
                        if (ids.count(id)) failed.push_back(i);
                    }
                    if (!failed.empty()) error = "The target reported batchItemFailures";
                }
            } else {
                json request = {{"stateMachineArn", target}, {"input", input.dump()}};
                co_await env_.calls.call(ctx, "stepfunctions", "StartExecution", std::move(request));
            }
        } else if (parts.service == "sqs") {
            auto url = co_await eventing::queue_url(env_.calls, ctx, target);
            auto& sqs = member(tparams, "SqsQueueParameters");
            for (std::size_t start = 0; start < events.size(); start += 10) {
                json entries = json::array();
                for (std::size_t i = start; i < events.size() && i < start + 10; ++i) {
                    json entry = {{"Id", std::to_string(i)},
                                  {"MessageBody", body_of(rendered(live.target_template, events[i], vars))}};
                    auto dynamic = with_dynamic_values(sqs, events[i]);
                    for (auto* m : {"MessageGroupId", "MessageDeduplicationId"})
                        if (dynamic.contains(m) && dynamic[m].is_string()) entry[m] = dynamic[m];
                    entries.push_back(std::move(entry));
                }
                json batch = {{"QueueUrl", url}, {"Entries", std::move(entries)}};
                auto out = co_await env_.calls.call(ctx, "sqs", "SendMessageBatch", std::move(batch));
                for (auto& f : out.value("Failed", json::array())) {
                    failed.push_back(std::stoul(f.value("Id", "0")));
                    error = f.value("Code", "") + ": " + f.value("Message", "");
                }
            }
        } else if (parts.service == "kinesis") {
            auto& kin = member(tparams, "KinesisStreamParameters");
            json records = json::array();
            for (auto& e : events) {
                auto data = body_of(rendered(live.target_template, e, vars));
                auto key = with_dynamic_values(kin, e).value("PartitionKey", "");
                records.push_back({{"Data", json::binary(std::vector<std::uint8_t>(data.begin(), data.end()))},
                                   {"PartitionKey", key}});
            }
            json request = {{"StreamARN", target}, {"Records", std::move(records)}};
            auto out = co_await env_.calls.call(ctx, "kinesis", "PutRecords", std::move(request));
            auto& results = out["Records"];
            for (std::size_t i = 0; i < results.size(); ++i)
                if (results[i].contains("ErrorCode")) {
                    failed.push_back(i);
                    error = results[i].value("ErrorCode", "") + ": " + results[i].value("ErrorMessage", "");
                }
        } else if (parts.service == "logs") {
            auto group = parts.resource.substr(std::string_view("log-group:").size());
            if (auto colon = group.find(':'); colon != std::string::npos) group.resize(colon);
            auto& cwl = member(tparams, "CloudWatchLogsParameters");
            json log_events = json::array();
            std::string stream;
            for (auto& e : events) {
                auto dynamic = with_dynamic_values(cwl, e);
                stream = dynamic.value("LogStreamName", p.name);
                std::int64_t at = env_.clock.now_ms();
                if (dynamic.contains("Timestamp")) {
                    auto& t = dynamic["Timestamp"];
                    if (t.is_number())
                        at = t.get<std::int64_t>();
                    else if (t.is_string() && !t.get<std::string>().empty()) {
                        auto text = t.get<std::string>();
                        // an ISO 8601 time, or milliseconds since the epoch
                        if (!parse_iso8601(text, at)) at = std::strtoll(text.c_str(), nullptr, 10);
                    }
                }
                log_events.push_back(
                    {{"timestamp", at}, {"message", body_of(rendered(live.target_template, e, vars))}});
            }
            try {
                json request = {{"logGroupName", group}, {"logStreamName", stream}};
                co_await env_.calls.call(ctx, "logs", "CreateLogStream", std::move(request));
            } catch (const aws_error& e) {
                if (e.code != "ResourceAlreadyExistsException") throw;
            }
            json request = {{"logGroupName", group}, {"logStreamName", stream}, {"logEvents", log_events}};
            co_await env_.calls.call(ctx, "logs", "PutLogEvents", std::move(request));
        } else if (parts.service == "ecs") {
            // one RunTask per event: ECS has no batch API
            for (std::size_t i = 0; i < events.size(); ++i) {
                auto ecs = with_dynamic_values(member(tparams, "EcsTaskParameters"), events[i]);
                json input = {{"cluster", target},
                              {"taskDefinition", ecs.value("TaskDefinitionArn", "")},
                              {"count", task_count(ecs)}};
                for (auto* m :
                     {"LaunchType", "NetworkConfiguration", "PlatformVersion", "Group", "CapacityProviderStrategy",
                      "EnableECSManagedTags", "EnableExecuteCommand", "PlacementConstraints", "PlacementStrategy",
                      "PropagateTags", "ReferenceId", "Overrides", "Tags"})
                    if (ecs.contains(m)) {
                        std::string key = m;
                        key[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(key[0])));
                        input[key] = ecs_spelling(ecs[m]);
                    }
                try {
                    auto out = co_await env_.calls.call(ctx, "ecs", "RunTask", std::move(input));
                    if (!out.value("failures", json::array()).empty()) {
                        failed.push_back(i);
                        error = out["failures"][0].value("reason", "RunTask failed");
                    }
                } catch (const aws_error& e) {
                    failed.push_back(i);
                    error = e.code + ": " + e.message();
                }
            }
        }
    } catch (const aws_error& e) {
        error = e.code + ": " + e.message();
        co_return all_of(events.size());
    }
    co_return failed;
}

asio::awaitable<void> service::write_log(const pipe& p, const std::string& level, const std::string& type,
                                         const std::string& execution_id, json extra) {
    auto& config = member(p.spec, "LogConfiguration");
    if (rank(level) == 0 || rank(level) > rank(config.value("Level", "OFF"))) co_return;
    auto group_arn = member(config, "CloudwatchLogsLogDestination").value("LogGroupArn", "");
    arn_parts parts;
    if (!parse_arn(group_arn, parts)) co_return;
    auto group = parts.resource.substr(std::string_view("log-group:").size());
    if (auto colon = group.find(':'); colon != std::string::npos) group.resize(colon);
    json record = {{"resourceArn", p.arn},
                   {"timestamp", env_.clock.now_ms()},
                   {"executionId", execution_id},
                   {"messageType", type},
                   {"logLevel", level}};
    bool with_data = !config.value("IncludeExecutionData", json::array()).empty();
    for (auto& [k, v] : extra.items())
        if (k != "payload" || with_data) record[k] = k == "payload" ? json(v.dump()) : v;
    auto ctx = in_scope_of(scope(p), group_arn);
    // one stream per pipe, made on first use
    try {
        try {
            json request = {{"logGroupName", group}, {"logStreamName", p.name}};
            co_await env_.calls.call(ctx, "logs", "CreateLogStream", std::move(request));
        } catch (const aws_error& e) {
            if (e.code != "ResourceAlreadyExistsException") throw;
        }
        json request = {{"logGroupName", group},
                        {"logStreamName", p.name},
                        {"logEvents", {{{"timestamp", env_.clock.now_ms()}, {"message", record.dump()}}}}};
        co_await env_.calls.call(ctx, "logs", "PutLogEvents", std::move(request));
    } catch (const aws_error& e) {
        log::warn("pipe " + p.name + ": writing its log to " + group + ": " + e.message());
    }
}

asio::awaitable<void> service::dead_letter(const pipe& p, const std::string& shard_id,
                                           const eventing::kinesis_shard_reader::batch& batch, int attempts,
                                           const std::string& condition) {
    auto& params = member(member(p.spec, "SourceParameters"), "KinesisStreamParameters");
    auto dlq = member(params, "DeadLetterConfig").value("Arn", "");
    log::warn("pipe " + p.name + ": gave up on " + std::to_string(batch.records.size()) + " records of " + shard_id +
              " (" + condition + ")");
    if (dlq.empty() || batch.records.empty()) co_return;
    // what the queue gets is where the records are, not the records (as for Lambda's
    // stream event source mappings)
    json message = {{"requestContext",
                     {{"requestId", new_uuid()},
                      {"functionArn", p.arn},
                      {"condition", condition},
                      {"approximateInvokeCount", attempts}}},
                    {"version", "1.0"},
                    {"timestamp", format_iso8601(env_.clock.now_ms())},
                    {"KinesisBatchInfo",
                     {{"shardId", shard_id},
                      {"startSequenceNumber", batch.sequence_numbers.front()},
                      {"endSequenceNumber", batch.sequence_numbers.back()},
                      {"approximateArrivalOfFirstRecord", format_iso8601(batch.arrivals_ms.front())},
                      {"approximateArrivalOfLastRecord", format_iso8601(batch.arrivals_ms.back())},
                      {"batchSize", batch.records.size()},
                      {"streamArn", p.spec.value("Source", "")}}}};
    auto ctx = in_scope_of(scope(p), dlq);
    try {
        auto url = co_await eventing::queue_url(env_.calls, ctx, dlq);
        json request = {{"QueueUrl", url}, {"MessageBody", message.dump()}};
        co_await env_.calls.call(ctx, "sqs", "SendMessage", std::move(request));
    } catch (const aws_error& e) {
        log::warn("pipe " + p.name + ": sending to its dead-letter queue " + dlq + ": " + e.message());
    }
}

}  // namespace eddy::pipes
