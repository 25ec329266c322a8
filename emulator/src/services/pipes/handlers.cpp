// EventBridge Pipes operations: creating, describing, updating, listing, starting,
// stopping and deleting pipes, and their tags, with the checks AWS makes of a pipe's
// source, target, parameters, filters and templates.
#include "core/aws_error.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "eventing/event_pattern.hpp"
#include "eventing/input_template.hpp"
#include "services/pipes/service.hpp"
#include "services/pipes/spec.hpp"
#include "services/registry.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace eddy::pipes {

namespace {

namespace asio = boost::asio;

aws_error validation(const std::string& message) {
    return aws_error("ValidationException", message);
}

aws_error not_found(const std::string& name) {
    return aws_error("NotFoundException", "Pipe " + name + " does not exist.", 404);
}

aws_error conflict(const pipe& p, const std::string& action) {
    return aws_error("ConflictException",
                     "Cannot " + action + " pipe " + p.name + " while it is in state " + p.current + ".", 409);
}

// What eddy cannot run (yet): said plainly, as for an operation it lacks.
aws_error unsupported(const std::string& what) {
    return aws_error("NotImplemented", "eddy does not run pipes with " + what + " yet", 501, false);
}

double seconds(std::int64_t ms) {
    return static_cast<double>(ms) / 1000.0;
}

// The kinds of source, enrichment and target eddy runs, told by their ARN.
enum class kind { sqs, kinesis, states, logs, ecs, other };

kind kind_of(const std::string& arn, arn_parts& parts) {
    if (!parse_arn(arn, parts)) return kind::other;
    if (parts.service == "sqs") return kind::sqs;
    if (parts.service == "kinesis" && parts.resource.rfind("stream/", 0) == 0) return kind::kinesis;
    if (parts.service == "states" && parts.resource.rfind("stateMachine:", 0) == 0) return kind::states;
    if (parts.service == "logs" && parts.resource.rfind("log-group:", 0) == 0) return kind::logs;
    if (parts.service == "ecs" && parts.resource.rfind("cluster/", 0) == 0) return kind::ecs;
    return kind::other;
}

// The most records each target takes in one call (AWS's "Pipes batching" table); 0: no limit.
// A target without a batch API (ECS) takes one.
int target_batch_limit(kind k) {
    switch (k) {
        case kind::sqs:
            return 10;
        case kind::kinesis:
            return 500;
        case kind::logs:
            return 10000;
        case kind::ecs:
            return 1;
        default:
            return 0;
    }
}

// Target parameters read the event where a string starts with "$.": each must be a path.
void check_dynamic_paths(const json& v, const std::string& field) {
    if (v.is_string()) {
        auto& s = v.get_ref<const std::string&>();
        if (s.rfind("$.", 0) != 0) return;
        try {
            eventing::json_path::parse(s);
        } catch (const eventing::template_error& e) {
            throw validation(field + " is not a valid JSON path: " + e.what());
        }
    } else if (v.is_object()) {
        for (auto& [k, item] : v.items())
            if (k != "InputTemplate") check_dynamic_paths(item, field + "." + k);
    } else if (v.is_array()) {
        for (std::size_t i = 0; i < v.size(); ++i)
            check_dynamic_paths(v[i], field + "." + std::to_string(i + 1));
    }
}

void check_template(const json& parameters, const char* field) {
    auto it = parameters.find("InputTemplate");
    if (it == parameters.end() || !it->is_string()) return;
    try {
        eventing::input_template::parse(it->get<std::string>());
    } catch (const eventing::template_error& e) {
        throw validation(std::string(field) + ".InputTemplate is not valid: " + e.what());
    }
}

// Every check of a pipe's definition that needs nothing but the definition itself.
void check_spec(const json& spec) {
    auto source = spec.value("Source", "");
    arn_parts sp, tp, ep;
    auto source_kind = kind_of(source, sp);
    if (source_kind != kind::sqs && source_kind != kind::kinesis)
        throw unsupported("the source " + source + " (eddy reads SQS queues and Kinesis streams)");
    auto& params = member(spec, "SourceParameters");
    for (auto& [key, value] : params.items()) {
        bool fits = key == "FilterCriteria" || (key == "SqsQueueParameters" && source_kind == kind::sqs) ||
                    (key == "KinesisStreamParameters" && source_kind == kind::kinesis);
        if (!fits && !value.is_null())
            throw validation("SourceParameters." + key + " does not apply to the source " + source + ".");
    }
    int batch = 0, window = 0;
    if (source_kind == kind::sqs) {
        auto& sqs = member(params, "SqsQueueParameters");
        batch = sqs.value("BatchSize", 10);
        window = sqs.value("MaximumBatchingWindowInSeconds", 0);
        bool fifo = source.size() > 5 && source.compare(source.size() - 5, 5, ".fifo") == 0;
        if (fifo && batch > 10)
            throw validation(
                "SourceParameters.SqsQueueParameters.BatchSize must be between 1 and 10 for a FIFO queue.");
        if (batch > 10 && window < 1)
            throw validation(
                "SourceParameters.SqsQueueParameters.MaximumBatchingWindowInSeconds must be at least 1 when BatchSize "
                "is greater than 10.");
    } else {
        auto& kin = member(params, "KinesisStreamParameters");
        if (!params.contains("KinesisStreamParameters") || !kin.contains("StartingPosition"))
            throw validation(
                "SourceParameters.KinesisStreamParameters.StartingPosition is required for a Kinesis stream source.");
        batch = kin.value("BatchSize", 100);
        if (kin.value("StartingPosition", "") == "AT_TIMESTAMP" && !kin.contains("StartingPositionTimestamp"))
            throw validation(
                "SourceParameters.KinesisStreamParameters.StartingPositionTimestamp is required when StartingPosition "
                "is AT_TIMESTAMP.");
        auto age = kin.value("MaximumRecordAgeInSeconds", -1);
        if (age != -1 && age < 60)
            throw validation(
                "SourceParameters.KinesisStreamParameters.MaximumRecordAgeInSeconds must be -1 (no limit) or between "
                "60 and 604800.");
        if (auto& dlq = member(kin, "DeadLetterConfig"); dlq.contains("Arn")) {
            arn_parts dp;
            if (kind_of(dlq.value("Arn", ""), dp) != kind::sqs)
                throw validation(
                    "SourceParameters.KinesisStreamParameters.DeadLetterConfig.Arn must be an SQS queue ARN.");
        }
    }
    auto& filters = member(params, "FilterCriteria");
    if (auto it = filters.find("Filters"); it != filters.end() && it->is_array()) {
        for (std::size_t i = 0; i < it->size(); ++i) {
            auto text = (*it)[i].value("Pattern", "");
            try {
                eventing::event_pattern::parse(text);
            } catch (const eventing::pattern_error& e) {
                throw validation("SourceParameters.FilterCriteria.Filters." + std::to_string(i + 1) +
                                 ".Pattern is not valid: " + e.what());
            }
        }
    }

    auto enrichment = spec.value("Enrichment", "");
    if (!enrichment.empty() && kind_of(enrichment, ep) != kind::states)
        throw unsupported("the enrichment " + enrichment +
                          " (eddy enriches with Step Functions EXPRESS state machines)");
    if (spec.contains("EnrichmentParameters")) {
        auto& e = member(spec, "EnrichmentParameters");
        if (e.contains("HttpParameters")) throw unsupported("EnrichmentParameters.HttpParameters");
        check_template(e, "EnrichmentParameters");
    }

    auto target = spec.value("Target", "");
    auto target_kind = kind_of(target, tp);
    if (target_kind == kind::other)
        throw unsupported("the target " + target +
                          " (eddy delivers to Step Functions, SQS, Kinesis, CloudWatch Logs and ECS tasks)");
    auto& tparams = member(spec, "TargetParameters");
    static const std::map<kind, std::string> parameters_of = {{kind::states, "StepFunctionStateMachineParameters"},
                                                              {kind::sqs, "SqsQueueParameters"},
                                                              {kind::kinesis, "KinesisStreamParameters"},
                                                              {kind::logs, "CloudWatchLogsParameters"},
                                                              {kind::ecs, "EcsTaskParameters"}};
    for (auto& [key, value] : tparams.items())
        if (key != "InputTemplate" && key != parameters_of.at(target_kind) && !value.is_null())
            throw validation("TargetParameters." + key + " does not apply to the target " + target + ".");
    if (target_kind == kind::kinesis && !member(tparams, "KinesisStreamParameters").contains("PartitionKey"))
        throw validation(
            "TargetParameters.KinesisStreamParameters.PartitionKey is required for a Kinesis stream target.");
    if (target_kind == kind::ecs && !member(tparams, "EcsTaskParameters").contains("TaskDefinitionArn"))
        throw validation("TargetParameters.EcsTaskParameters.TaskDefinitionArn is required for an ECS cluster target.");
    check_template(tparams, "TargetParameters");
    check_dynamic_paths(tparams, "TargetParameters");
    if (int limit = target_batch_limit(target_kind); limit && batch > limit)
        throw validation("The batch size " + std::to_string(batch) + " is greater than the target " + target +
                         " takes in one call (" + std::to_string(limit) + ").");

    if (auto& log = member(spec, "LogConfiguration"); !log.empty()) {
        if (log.contains("S3LogDestination") || log.contains("FirehoseLogDestination"))
            throw unsupported("LogConfiguration destinations other than CloudWatch Logs");
        auto group = member(log, "CloudwatchLogsLogDestination").value("LogGroupArn", "");
        arn_parts lp;
        if (log.value("Level", "OFF") != "OFF" && kind_of(group, lp) != kind::logs)
            throw validation("LogConfiguration.CloudwatchLogsLogDestination.LogGroupArn must name a log group.");
    }
}

// The members a pipe keeps beyond its name, state and tags.
constexpr const char* spec_members[] = {"Description",          "Source",          "SourceParameters", "Enrichment",
                                        "EnrichmentParameters", "Target",          "TargetParameters", "RoleArn",
                                        "LogConfiguration",     "KmsKeyIdentifier"};

json summary(const pipe& p) {
    json out = {{"Name", p.name},
                {"Arn", p.arn},
                {"DesiredState", p.desired},
                {"CurrentState", p.current},
                {"CreationTime", seconds(p.created_ms)},
                {"LastModifiedTime", seconds(p.modified_ms)},
                {"Source", p.spec.value("Source", "")},
                {"Target", p.spec.value("Target", "")}};
    if (!p.reason.empty()) out["StateReason"] = p.reason;
    if (auto e = p.spec.value("Enrichment", ""); !e.empty()) out["Enrichment"] = e;
    return out;
}

json state_answer(const pipe& p) {
    return {{"Arn", p.arn},
            {"Name", p.name},
            {"DesiredState", p.desired},
            {"CurrentState", p.current},
            {"CreationTime", seconds(p.created_ms)},
            {"LastModifiedTime", seconds(p.modified_ms)}};
}

bool transitional(const std::string& state) {
    return state == "CREATING" || state == "UPDATING" || state == "DELETING" || state == "STARTING" ||
           state == "STOPPING";
}

}  // namespace

request_context service::scope(const pipe& p) const {
    request_context ctx;
    ctx.account = p.account;
    ctx.region = p.region;
    ctx.request_id = new_uuid();
    ctx.clock = &env_.clock;
    ctx.calls = &env_.calls;
    return ctx;
}

std::shared_ptr<pipe> service::find(const request_context& ctx, const std::string& name) {
    auto it = pipes_.find(make_arn("pipes", ctx.region, ctx.account, "pipe/" + name));
    if (it == pipes_.end()) throw not_found(name);
    return it->second;
}

json service::create_pipe(request_context& ctx, const json& input) {
    auto name = input.value("Name", "");  // its pattern and length are the model's, checked before
    auto arn = make_arn("pipes", ctx.region, ctx.account, "pipe/" + name);
    if (pipes_.count(arn)) throw aws_error("ConflictException", "Pipe " + name + " already exists.", 409);
    auto p = std::make_shared<pipe>();
    for (auto* m : spec_members)
        if (auto it = input.find(m); it != input.end() && !it->is_null()) p->spec[m] = *it;
    check_spec(p->spec);
    p->account = ctx.account;
    p->region = ctx.region;
    p->name = name;
    p->arn = arn;
    p->desired = input.value("DesiredState", "RUNNING");
    p->current = "CREATING";
    p->created_ms = p->modified_ms = env_.clock.now_ms();
    if (auto it = input.find("Tags"); it != input.end() && it->is_object())
        for (auto& [k, v] : it->items())
            p->tags[k] = v.get<std::string>();
    pipes_[arn] = p;
    save(*p);
    launch(p, "CREATE_FAILED");
    return state_answer(*p);
}

json service::describe_pipe(request_context& ctx, const json& input) {
    auto p = find(ctx, input.value("Name", ""));
    json out = summary(*p);
    out.erase("Source");
    out.erase("Target");
    for (auto& [k, v] : p->spec.items())
        out[k] = v;
    if (out.contains("LogConfiguration")) {
        // described as set, less what only a request carries
        out["LogConfiguration"].erase("IncludeExecutionData");
        if (p->spec["LogConfiguration"].contains("IncludeExecutionData"))
            out["LogConfiguration"]["IncludeExecutionData"] = p->spec["LogConfiguration"]["IncludeExecutionData"];
    }
    json tags = json::object();
    for (auto& [k, v] : p->tags)
        tags[k] = v;
    out["Tags"] = std::move(tags);
    return out;
}

namespace {

// UpdatePipe's view of a pipe: AWS updates the members given; within the parameter objects,
// each service's block is replaced as a whole, and a Kinesis starting position stays as created.
json updated_spec(const json& current, const json& input) {
    json spec = current;
    for (auto* m : spec_members) {
        auto it = input.find(m);
        if (it == input.end() || it->is_null()) continue;
        std::string_view name = m;
        if (name != "SourceParameters" && name != "EnrichmentParameters" && name != "TargetParameters") {
            spec[m] = *it;
            continue;
        }
        if (!spec.contains(m)) spec[m] = json::object();
        for (auto& [k, v] : it->items()) {
            json block = v;
            if (name == "SourceParameters" && k == "KinesisStreamParameters")
                for (auto* keep : {"StartingPosition", "StartingPositionTimestamp"})
                    if (spec[m].contains(k) && spec[m][k].contains(keep)) block[keep] = spec[m][k][keep];
            spec[m][k] = std::move(block);
        }
    }
    return spec;
}

asio::awaitable<std::optional<bool>> is_express(dispatcher& calls, const request_context& ctx, std::string arn) {
    json request = {{"stateMachineArn", arn}};
    try {
        auto out =
            co_await calls.call(in_scope_of(ctx, arn), "stepfunctions", "DescribeStateMachine", std::move(request));
        co_return out.value("type", "") == "EXPRESS";
    } catch (const aws_error&) {
        co_return std::nullopt;
    }
}

}  // namespace

json service::update_pipe(request_context& ctx, const json& input) {
    auto p = find(ctx, input.value("Name", ""));
    if (transitional(p->current)) throw conflict(*p, "update");
    auto spec = updated_spec(p->spec, input);
    check_spec(spec);
    p->spec = std::move(spec);
    if (input.contains("DesiredState")) p->desired = input["DesiredState"].get<std::string>();
    p->current = "UPDATING";
    p->reason.clear();
    p->modified_ms = env_.clock.now_ms();
    save(*p);
    halt(p, [this, p] { launch(p, "UPDATE_FAILED"); });
    return state_answer(*p);
}

// The checks that need another service: a pipe enriches only with EXPRESS state machines,
// and calls a STANDARD one only with FIRE_AND_FORGET. Machines that do not exist are left
// to the pipe's start, which fails with a reason.
asio::awaitable<void> service::check_state_machines(const request_context& ctx, const json& spec) {
    // whether the machine is EXPRESS; nullopt when there is none
    auto express = [this, &ctx](std::string arn) { return is_express(env_.calls, ctx, std::move(arn)); };
    arn_parts parts;
    auto enrichment = spec.value("Enrichment", "");
    if (kind_of(enrichment, parts) == kind::states && co_await express(enrichment) == false)
        throw validation("Enrichment " + enrichment +
                         " is a STANDARD state machine: a pipe enriches only with EXPRESS state machines.");
    auto target = spec.value("Target", "");
    auto invocation = member(member(spec, "TargetParameters"), "StepFunctionStateMachineParameters")
                          .value("InvocationType", "FIRE_AND_FORGET");
    if (kind_of(target, parts) == kind::states && invocation == "REQUEST_RESPONSE" && co_await express(target) == false)
        throw validation(
            "TargetParameters.StepFunctionStateMachineParameters.InvocationType REQUEST_RESPONSE needs "
            "an EXPRESS state machine; " +
            target + " is STANDARD.");
}

asio::awaitable<json> service::create_pipe_checked(request_context& ctx, json input) {
    json spec = json::object();
    for (auto* m : spec_members)
        if (auto it = input.find(m); it != input.end() && !it->is_null()) spec[m] = *it;
    co_await check_state_machines(ctx, spec);
    co_return create_pipe(ctx, input);
}

asio::awaitable<json> service::update_pipe_checked(request_context& ctx, json input) {
    auto p = find(ctx, input.value("Name", ""));
    co_await check_state_machines(ctx, updated_spec(p->spec, input));
    co_return update_pipe(ctx, input);
}

json service::delete_pipe(request_context& ctx, const json& input) {
    auto p = find(ctx, input.value("Name", ""));
    if (transitional(p->current) && p->current != "STOPPING") throw conflict(*p, "delete");
    p->current = "DELETING";
    p->modified_ms = env_.clock.now_ms();
    save(*p);
    json out = state_answer(*p);
    out["DesiredState"] = "DELETED";
    halt(p, [this, p] {
        pipes_.erase(p->arn);
        store_.remove(p->arn);
    });
    return out;
}

json service::list_pipes(request_context& ctx, const json& input) {
    auto name_prefix = input.value("NamePrefix", "");
    auto source_prefix = input.value("SourcePrefix", "");
    auto target_prefix = input.value("TargetPrefix", "");
    auto desired = input.value("DesiredState", "");
    auto current = input.value("CurrentState", "");
    std::size_t limit = static_cast<std::size_t>(input.value("Limit", 100));
    std::string after;
    if (auto token = input.value("NextToken", ""); !token.empty()) {
        if (!base64_decode(token, after) || after.rfind("pipe/", 0) != 0)
            throw validation("Invalid NextToken: " + token);
    }
    std::vector<const pipe*> found;
    for (auto& [arn, p] : pipes_) {
        if (p->account != ctx.account || p->region != ctx.region) continue;
        if (p->name.rfind(name_prefix, 0) != 0) continue;
        if (p->spec.value("Source", "").rfind(source_prefix, 0) != 0) continue;
        if (p->spec.value("Target", "").rfind(target_prefix, 0) != 0) continue;
        if (!desired.empty() && p->desired != desired) continue;
        if (!current.empty() && p->current != current) continue;
        if (!after.empty() && "pipe/" + p->name <= after) continue;
        found.push_back(p.get());
    }
    std::sort(found.begin(), found.end(), [](auto* a, auto* b) { return a->name < b->name; });
    json out = {{"Pipes", json::array()}};
    for (std::size_t i = 0; i < found.size() && i < limit; ++i)
        out["Pipes"].push_back(summary(*found[i]));
    if (found.size() > limit) out["NextToken"] = base64_encode("pipe/" + found[limit - 1]->name);
    return out;
}

json service::start_pipe(request_context& ctx, const json& input) {
    auto p = find(ctx, input.value("Name", ""));
    if (p->current == "RUNNING" || transitional(p->current)) throw conflict(*p, "start");
    p->desired = "RUNNING";
    p->current = "STARTING";
    p->reason.clear();
    p->modified_ms = env_.clock.now_ms();
    save(*p);
    launch(p, "START_FAILED");
    return state_answer(*p);
}

json service::stop_pipe(request_context& ctx, const json& input) {
    auto p = find(ctx, input.value("Name", ""));
    if (p->current == "STOPPED" || transitional(p->current)) throw conflict(*p, "stop");
    p->desired = "STOPPED";
    p->current = "STOPPING";
    p->modified_ms = env_.clock.now_ms();
    save(*p);
    halt(p, [this, p] {
        if (p->current != "STOPPING") return;
        p->current = "STOPPED";
        p->modified_ms = env_.clock.now_ms();
        save(*p);
    });
    return state_answer(*p);
}

namespace {
std::shared_ptr<pipe> by_arn(std::map<std::string, std::shared_ptr<pipe>>& pipes, const std::string& arn) {
    auto it = pipes.find(arn);
    if (it == pipes.end()) {
        arn_parts parts;
        auto name = parse_arn(arn, parts) && parts.resource.rfind("pipe/", 0) == 0 ? parts.resource.substr(5) : arn;
        throw not_found(name);
    }
    return it->second;
}
}  // namespace

json service::tag_resource(request_context&, const json& input) {
    auto p = by_arn(pipes_, input.value("resourceArn", ""));
    auto tags = input.value("tags", json::object());
    for (auto& [k, v] : tags.items())
        p->tags[k] = v.get<std::string>();
    save(*p);
    return json::object();
}

json service::untag_resource(request_context&, const json& input) {
    auto p = by_arn(pipes_, input.value("resourceArn", ""));
    for (auto& k : input.value("tagKeys", json::array()))
        p->tags.erase(k.get<std::string>());
    save(*p);
    return json::object();
}

json service::list_tags_for_resource(request_context&, const json& input) {
    auto p = by_arn(pipes_, input.value("resourceArn", ""));
    json tags = json::object();
    for (auto& [k, v] : p->tags)
        tags[k] = v;
    return {{"tags", std::move(tags)}};
}

service::service(service_env& env) : env_(env), store_(env.db) {}

void register_handlers(service_env& env) {
    auto svc = std::make_shared<service>(env);
    auto add = [&](const char* op, json (service::*fn)(request_context&, const json&)) {
        env.calls.add("pipes", op,
                      sync_handler([svc, fn](request_context& ctx, const json& in) { return ((*svc).*fn)(ctx, in); }));
    };
    env.calls.add("pipes", "CreatePipe",
                  [svc](request_context& ctx, json input) { return svc->create_pipe_checked(ctx, std::move(input)); });
    env.calls.add("pipes", "UpdatePipe",
                  [svc](request_context& ctx, json input) { return svc->update_pipe_checked(ctx, std::move(input)); });
    add("DescribePipe", &service::describe_pipe);
    add("DeletePipe", &service::delete_pipe);
    add("ListPipes", &service::list_pipes);
    add("StartPipe", &service::start_pipe);
    add("StopPipe", &service::stop_pipe);
    add("TagResource", &service::tag_resource);
    add("UntagResource", &service::untag_resource);
    add("ListTagsForResource", &service::list_tags_for_resource);
    // Pipes are known from the start; they run once the services they read and call have
    // restored their own state.
    svc->restore();
    env.calls.on_ready([svc] { svc->start_restored(); });
    env.on_stop([svc] { svc->stop_all(); });
}

}  // namespace eddy::pipes
