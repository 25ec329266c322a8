// Step Functions operations: state machines, executions, their histories and the task
// callbacks, with AWS's errors. The executions themselves run in engine.cpp.
#include "core/aws_error.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "services/registry.hpp"
#include "services/stepfunctions/asl/errors.hpp"
#include "services/stepfunctions/engine.hpp"
#include "services/stepfunctions/store.hpp"

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <memory>

namespace eddy::stepfunctions {

namespace {

namespace asio = boost::asio;

constexpr std::size_t max_express_kept = 10000;

double seconds(std::int64_t ms) {
    return static_cast<double>(ms) / 1000.0;
}

std::string str(const json& input, const char* member) {
    auto it = input.find(member);
    return it == input.end() || !it->is_string() ? std::string() : it->get<std::string>();
}

// Names of state machines and executions: 1-80 characters, none of whitespace, brackets,
// wildcards, the special characters "#%\^|~`$&,;:/ or control characters.
bool valid_name(const std::string& name) {
    if (name.empty() || name.size() > 80) return false;
    for (unsigned char c : name) {
        if (c <= 0x20 || c == 0x7f) return false;
        if (std::string_view("<>{}[]?*\"#%\\^|~`$&,;:/").find(static_cast<char>(c)) != std::string_view::npos)
            return false;
    }
    return true;
}

aws_error invalid_name(const std::string& name) {
    return aws_error("InvalidName", "Invalid Name: '" + name + "'");
}

aws_error invalid_arn(const std::string& why) {
    return aws_error("InvalidArn", "Invalid Arn: '" + why + "'");
}

// arn:aws:states:<region>:<account>:<kind>:<rest>
struct states_arn {
    std::string region, account, kind, rest;
};

states_arn parse_states_arn(const std::string& arn, std::initializer_list<std::string_view> kinds) {
    arn_parts parts;
    if (!parse_arn(arn, parts) || parts.service != "states") throw invalid_arn("Invalid ARN prefix: " + arn);
    auto colon = parts.resource.find(':');
    states_arn out{parts.region, parts.account, parts.resource.substr(0, colon),
                   colon == std::string::npos ? "" : parts.resource.substr(colon + 1)};
    // AWS names the resource type it refuses, not the ARN
    if (std::find(kinds.begin(), kinds.end(), out.kind) == kinds.end())
        throw invalid_arn("Resource type not valid in this context: " + out.kind);
    return out;
}

std::string page_token(std::size_t offset) {
    return base64_encode("eddy-page|" + std::to_string(offset));
}

std::size_t page_offset(const json& input) {
    auto token = str(input, "nextToken");
    if (token.empty()) return 0;
    std::string decoded;
    if (!base64_decode(token, decoded) || decoded.rfind("eddy-page|", 0) != 0)
        throw aws_error("InvalidToken", "Invalid Token: '" + token + "'");
    return static_cast<std::size_t>(std::stoull(decoded.substr(10)));
}

std::size_t page_size(const json& input, std::size_t fallback) {
    auto n = input.value("maxResults", 0);
    return n <= 0 ? fallback : static_cast<std::size_t>(n);
}

json tags_json(const std::map<std::string, std::string>& tags) {
    json out = json::array();
    for (auto& [k, v] : tags)
        out.push_back({{"key", k}, {"value", v}});
    return out;
}

// An ended execution's error and cause as AWS describes them: only those it has (a Fail state
// may name neither), and none for one that timed out.
void add_error(json& out, const execution& e) {
    if (e.status == "TIMED_OUT") return;
    if (e.error && !e.error->empty()) out["error"] = *e.error;
    if (e.cause && !e.cause->empty()) out["cause"] = *e.cause;
}

// StartSyncExecution's billing: the duration rounded up to the next 100 ms, and the smallest
// memory step of 64 MB.
json billing(const execution& e) {
    std::int64_t ms = std::max<std::int64_t>(e.stop_ms - e.start_ms, 1);
    return {{"billedMemoryUsedInMB", 64}, {"billedDurationInMilliseconds", (ms + 99) / 100 * 100}};
}

// What AWS checks of task resources beyond the States Language: an aws-sdk resource it does
// not recognize, and (EXPRESS workflows run neither) .sync and .waitForTaskToken tasks in an
// EXPRESS machine. Worded and placed as AWS reports them (the EXPRESS message ends with a space).
void resource_problems(const asl::state_machine& sm, bool express, const std::string& at,
                       std::vector<std::string>& out) {
    for (const auto& s : sm.states) {
        std::string here = at + "/States/" + s.name;
        if (!s.resource.empty() && !sdk_resource_known(s.resource))
            out.push_back("SCHEMA_VALIDATION_FAILED: The resource provided " + s.resource +
                          " is not recognized. The value is not a valid resource ARN, or the resource is not "
                          "available in this region. at " +
                          here + "/Resource");
        for (const char* pattern : {".waitForTaskToken", ".sync"})
            if (express && s.resource.find(pattern) != std::string::npos)
                out.push_back(std::string("SCHEMA_VALIDATION_FAILED: Express state machine does not support '") +
                              pattern + "' service integration  at " + here + "/Resource");
        for (std::size_t i = 0; i < s.branches.size(); ++i)
            resource_problems(s.branches[i], express, here + "/Branches/" + std::to_string(i), out);
        if (s.item_processor) resource_problems(*s.item_processor, express, here + "/ItemProcessor", out);
    }
}

// "CODE: message at /location" from the asl layer, as ValidateStateMachineDefinition lists it.
json diagnostic(const std::string& text) {
    json d = {{"severity", "ERROR"}};
    auto colon = text.find(": ");
    std::string code = colon == std::string::npos ? "SCHEMA_VALIDATION_FAILED" : text.substr(0, colon);
    std::string rest = colon == std::string::npos ? text : text.substr(colon + 2);
    auto at = rest.rfind(" at /");
    d["code"] = code;
    if (at != std::string::npos) {
        d["location"] = rest.substr(at + 4);
        rest = rest.substr(0, at);
    } else if (rest.ends_with(" at null")) {
        rest.resize(rest.size() - 8);  // a problem of the whole workflow has no location
    }
    d["message"] = rest;
    return d;
}

class service {
  public:
    explicit service(service_env& env) : env_(env), store_(env.db, env.executor), engine_(env, store_) {
        engine_.find_execution = [this](const std::string& arn) -> std::shared_ptr<execution> {
            auto it = executions_.find(arn);
            return it == executions_.end() ? nullptr : it->second;
        };
        engine_.on_end = [this](const std::shared_ptr<execution>& e) {
            if (e->type != "EXPRESS") return;
            express_done_.push_back(e->arn);
            while (express_done_.size() > max_express_kept) {
                forget(express_done_.front());
                express_done_.erase(express_done_.begin());
            }
        };
        load();
    }

    json create_state_machine(request_context& ctx, const json& in) {
        auto name = str(in, "name");
        if (!valid_name(name)) throw invalid_name(name);
        auto type = in.value("type", "STANDARD");
        auto definition = str(in, "definition");
        auto program = parse(definition, type);
        auto role = str(in, "roleArn");
        check_role(role);
        auto arn = make_arn("states", ctx.region, ctx.account, "stateMachine:" + name);
        json logging = in.value("loggingConfiguration", json::object());
        check_logging(logging);
        json tracing = in.value("tracingConfiguration", json::object());
        if (auto it = machines_.find(arn); it != machines_.end()) {
            auto& m = *it->second;
            // The same request again answers as the first time did. As on AWS, the request is the
            // same when its name, definition, type, logging and tracing are: a different roleArn
            // or tags are ignored (and not applied).
            if (m.definition == definition && m.type == type && m.logging == logging_or_default(logging) &&
                m.tracing == tracing_or_default(tracing))
                return {{"stateMachineArn", m.arn}, {"creationDate", seconds(m.created_ms)}};
            throw aws_error("StateMachineAlreadyExists", "State Machine Already Exists: '" + arn + "'");
        }
        auto m = std::make_shared<machine>();
        m->arn = arn;
        m->name = name;
        m->account = ctx.account;
        m->region = ctx.region;
        m->type = type;
        m->definition = definition;
        m->role_arn = role;
        m->logging = logging_or_default(logging);
        m->tracing = tracing_or_default(tracing);
        m->created_ms = m->updated_ms = env_.clock.now_ms();
        // no revisionId until the first update that changes something, as AWS describes it
        m->program = std::move(program);
        for (auto& t : in.value("tags", json::array()))
            m->tags[t.value("key", "")] = t.value("value", "");
        store_.put_machine(*m);
        machines_[arn] = m;
        return {{"stateMachineArn", arn}, {"creationDate", seconds(m->created_ms)}};
    }

    json describe_state_machine(request_context&, const json& in) {
        auto& m = find_machine(str(in, "stateMachineArn"));
        json out = {{"stateMachineArn", m.arn},
                    {"name", m.name},
                    {"status", "ACTIVE"},
                    {"definition", m.definition},
                    {"roleArn", m.role_arn},
                    {"type", m.type},
                    {"creationDate", seconds(m.created_ms)},
                    {"loggingConfiguration", m.logging},
                    {"tracingConfiguration", m.tracing}};
        if (!m.revision_id.empty()) out["revisionId"] = m.revision_id;
        if (!m.description.empty()) out["description"] = m.description;
        return out;
    }

    json update_state_machine(request_context&, const json& in) {
        auto& m = find_machine(str(in, "stateMachineArn"));
        if (!in.contains("definition") && !in.contains("roleArn") && !in.contains("loggingConfiguration") &&
            !in.contains("tracingConfiguration"))
            throw aws_error("MissingRequiredParameter",
                            "Either the definition, the role ARN, the LoggingConfiguration, or the "
                            "TracingConfiguration must be specified");
        std::shared_ptr<const asl::state_machine> program;
        if (in.contains("definition")) program = parse(str(in, "definition"), m.type);
        if (in.contains("roleArn")) check_role(str(in, "roleArn"));
        if (in.contains("loggingConfiguration")) check_logging(in["loggingConfiguration"]);
        bool changed = false;
        auto set = [&](auto& field, auto value) {
            if (field == value) return;
            field = std::move(value);
            changed = true;
        };
        if (program) {
            set(m.definition, str(in, "definition"));
            m.program = std::move(program);
        }
        if (in.contains("roleArn")) set(m.role_arn, str(in, "roleArn"));
        if (in.contains("loggingConfiguration")) set(m.logging, logging_or_default(in["loggingConfiguration"]));
        if (in.contains("tracingConfiguration")) set(m.tracing, tracing_or_default(in["tracingConfiguration"]));
        m.updated_ms = env_.clock.now_ms();
        // an update that changes nothing keeps the revision AWS answered last time
        if (changed || m.revision_id.empty()) m.revision_id = new_uuid();
        store_.put_machine(m);
        return {{"updateDate", seconds(m.updated_ms)}, {"revisionId", m.revision_id}};
    }

    json delete_state_machine(request_context&, const json& in) {
        auto arn = str(in, "stateMachineArn");
        parse_states_arn(arn, {"stateMachine"});
        // deleting one that is gone already succeeds, as AWS answers
        if (machines_.erase(arn)) store_.delete_machine(arn);
        return json::object();
    }

    json list_state_machines(request_context& ctx, const json& in) {
        auto offset = page_offset(in);
        auto size = page_size(in, 100);
        json list = json::array();
        std::size_t seen = 0;
        std::optional<std::size_t> next;
        // by name, as AWS lists them (the ARNs of one account and region differ only there)
        for (auto& [arn, entry] : machines_) {
            auto& m = *entry;
            if (m.account != ctx.account || m.region != ctx.region) continue;
            if (seen++ < offset) continue;
            if (list.size() == size) {
                next = seen - 1;
                break;
            }
            list.push_back({{"stateMachineArn", m.arn},
                            {"name", m.name},
                            {"type", m.type},
                            {"creationDate", seconds(m.created_ms)}});
        }
        json out = {{"stateMachines", list}};
        if (next) out["nextToken"] = page_token(*next);
        return out;
    }

    json validate_state_machine_definition(request_context&, const json& in) {
        auto problems = asl::validate_definition(str(in, "definition"));
        if (problems.empty())
            resource_problems(asl::parse_definition(str(in, "definition")), in.value("type", "STANDARD") == "EXPRESS",
                              "", problems);
        json diags = json::array();
        std::size_t max = page_size(in, 100);
        for (auto& p : problems)
            if (diags.size() < max) diags.push_back(diagnostic(p));
        return {{"result", problems.empty() ? "OK" : "FAIL"},
                {"diagnostics", diags},
                {"truncated", problems.size() > diags.size()}};
    }

    // StartExecution and StartSyncExecution share everything up to how they answer.
    std::shared_ptr<execution> begin(request_context& ctx, const json& in, bool sync) {
        auto& m = find_machine(str(in, "stateMachineArn"));
        if (sync && m.type != "EXPRESS")
            throw aws_error("StateMachineTypeNotSupported",
                            "This operation is not supported by this type of state machine");
        auto name = in.contains("name") ? str(in, "name") : new_uuid();
        if (!valid_name(name)) throw invalid_name(name);
        std::string input = in.contains("input") ? str(in, "input") : "{}";
        auto parsed = json::parse(input, nullptr, false);
        // (an empty input AWS words on its own)
        if (parsed.is_discarded())
            throw aws_error("InvalidExecutionInput", "Invalid State Machine Execution Input: '" +
                                                         (input.empty() ? "Invalid execution input." : input) + "'");
        if (input.size() > asl::max_payload_bytes)
            throw aws_error("InvalidExecutionInput",
                            "Invalid State Machine Execution Input: 'The input exceeds the maximum size of 262144 "
                            "bytes'");
        std::string arn =
            m.type == "EXPRESS"
                ? make_arn("states", m.region, m.account, "express:" + m.name + ":" + name + ":" + new_uuid())
                : make_arn("states", m.region, m.account, "execution:" + m.name + ":" + name);
        if (auto it = executions_.find(arn); it != executions_.end()) {
            // the same name and input while it runs is the same execution
            if (it->second->input == input && it->second->status == "RUNNING") return it->second;
            throw aws_error("ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'");
        }
        auto e = std::make_shared<execution>();
        e->arn = arn;
        e->name = name;
        e->machine_arn = m.arn;
        e->account = m.account;
        e->region = m.region;
        e->type = m.type;
        e->role_arn = m.role_arn;
        e->definition = m.definition;
        e->program = m.program;
        e->input = input;
        e->logging = m.logging;
        e->start_ms = env_.clock.now_ms();
        e->machine_updated_ms = m.updated_ms;
        e->persisted = store_.durable() && m.type == "STANDARD";
        executions_[arn] = e;
        by_machine_[m.arn].push_back(arn);
        engine_.start(e);
        return e;
    }

    json start_execution(request_context& ctx, const json& in) {
        auto e = begin(ctx, in, false);
        return {{"executionArn", e->arn}, {"startDate", seconds(e->start_ms)}};
    }

    asio::awaitable<json> start_sync_execution(request_context& ctx, json in) {
        auto e = begin(ctx, in, true);
        co_await engine_.finished(e);
        json out = {{"executionArn", e->arn},
                    {"stateMachineArn", e->machine_arn},
                    {"name", e->name},
                    {"startDate", seconds(e->start_ms)},
                    {"stopDate", seconds(e->stop_ms)},
                    {"status", e->status},
                    {"input", e->input},
                    {"inputDetails", {{"included", true}}},
                    {"billingDetails", billing(*e)}};
        if (e->output) {
            out["output"] = *e->output;
            out["outputDetails"] = {{"included", true}};
        }
        add_error(out, *e);
        co_return out;
    }

    json stop_execution(request_context&, const json& in) {
        auto e = find_standard_execution(str(in, "executionArn"));
        std::optional<std::string> error, cause;
        if (in.contains("error")) error = str(in, "error");
        if (in.contains("cause")) cause = str(in, "cause");
        if (e->status == "RUNNING") engine_.stop(e, error, cause);
        return {{"stopDate", seconds(e->stop_ms)}};
    }

    json describe_execution(request_context&, const json& in) {
        auto e = find_standard_execution(str(in, "executionArn"));
        json out = {{"executionArn", e->arn},
                    {"stateMachineArn", e->machine_arn},
                    {"name", e->name},
                    {"status", e->status},
                    {"startDate", seconds(e->start_ms)},
                    {"input", e->input},
                    {"inputDetails", {{"included", true}}},
                    {"redriveCount", 0},
                    {"redriveStatus", "NOT_REDRIVABLE"},
                    {"redriveStatusReason", "Execution is RUNNING and cannot be redriven"}};
        if (e->status != "RUNNING") {
            out["stopDate"] = seconds(e->stop_ms);
            out["redriveStatusReason"] = "Execution is " + e->status + " and cannot be redriven";
        }
        if (e->output) {
            out["output"] = *e->output;
            out["outputDetails"] = {{"included", true}};
        }
        add_error(out, *e);
        return out;
    }

    json describe_state_machine_for_execution(request_context&, const json& in) {
        auto e = find_standard_execution(str(in, "executionArn"));
        json out = {{"stateMachineArn", e->machine_arn},
                    {"name", e->machine_arn.substr(e->machine_arn.rfind(':') + 1)},
                    {"definition", e->definition},
                    {"roleArn", e->role_arn},
                    // the version it ran: its creation date, or that of the update before it started
                    {"updateDate", seconds(e->machine_updated_ms)}};
        if (auto it = machines_.find(e->machine_arn); it != machines_.end()) {
            out["loggingConfiguration"] = it->second->logging;
            out["tracingConfiguration"] = it->second->tracing;
            if (!it->second->revision_id.empty()) out["revisionId"] = it->second->revision_id;
        }
        return out;
    }

    json list_executions(request_context&, const json& in) {
        auto arn = str(in, "stateMachineArn");
        if (arn.empty()) throw aws_error("ValidationException", "Must provide a StateMachine ARN or MapRun ARN");
        auto& m = find_machine(arn);
        if (m.type == "EXPRESS")
            throw aws_error("StateMachineTypeNotSupported",
                            "This operation is not supported by this type of state machine");
        auto filter = str(in, "statusFilter");
        auto offset = page_offset(in);
        auto size = page_size(in, 100);
        json list = json::array();
        std::optional<std::size_t> next;
        std::size_t seen = 0;
        auto& arns = by_machine_[m.arn];
        // newest first, as AWS lists them
        for (auto it = arns.rbegin(); it != arns.rend(); ++it) {
            auto& e = *executions_[*it];
            if (!filter.empty() && e.status != filter) continue;
            if (seen++ < offset) continue;
            if (list.size() == size) {
                next = seen - 1;
                break;
            }
            json item = {{"executionArn", e.arn}, {"stateMachineArn", e.machine_arn}, {"name", e.name},
                         {"status", e.status},    {"startDate", seconds(e.start_ms)}, {"redriveCount", 0}};
            if (e.status != "RUNNING") item["stopDate"] = seconds(e.stop_ms);
            list.push_back(item);
        }
        json out = {{"executions", list}};
        if (next) out["nextToken"] = page_token(*next);
        return out;
    }

    json get_execution_history(request_context&, const json& in) {
        auto e = find_standard_execution(str(in, "executionArn"));
        bool reverse = in.value("reverseOrder", false);
        bool data = in.value("includeExecutionData", true);
        auto offset = page_offset(in);
        auto size = page_size(in, 100);
        std::size_t n = e->events.size();
        json list = json::array();
        for (std::size_t k = offset; k < n && list.size() < size; ++k) {
            auto& ev = e->events[reverse ? n - 1 - k : k];
            json item = {
                {"timestamp", seconds(ev.at_ms)}, {"type", ev.type}, {"id", ev.id}, {"previousEventId", ev.previous}};
            if (!ev.details_key.empty()) {
                json d = ev.details.is_null() ? json::object() : ev.details;
                if (!data) {
                    for (auto* k2 : {"input", "output", "parameters"})
                        d.erase(k2);
                    for (auto* k2 : {"inputDetails", "outputDetails"})
                        if (d.contains(k2)) d[k2] = {{"truncated", false}};
                }
                item[ev.details_key] = d;
            }
            list.push_back(item);
        }
        json out = {{"events", list}};
        if (offset + list.size() < n) out["nextToken"] = page_token(offset + list.size());
        return out;
    }

    json send_task_success(request_context&, const json& in) {
        engine_.task_success(str(in, "taskToken"), str(in, "output"));
        return json::object();
    }
    json send_task_failure(request_context&, const json& in) {
        engine_.task_failure(str(in, "taskToken"), str(in, "error"), str(in, "cause"));
        return json::object();
    }
    json send_task_heartbeat(request_context&, const json& in) {
        engine_.task_heartbeat(str(in, "taskToken"));
        return json::object();
    }

    json tag_resource(request_context&, const json& in) {
        auto& m = tagged(str(in, "resourceArn"));
        auto tags = m.tags;
        for (auto& t : in.value("tags", json::array()))
            tags[t.value("key", "")] = t.value("value", "");
        if (tags.size() > 50) throw aws_error("TooManyTags", "Too many tags: the resource can have at most 50 tags");
        m.tags = std::move(tags);
        store_.put_machine(m);
        return json::object();
    }
    json untag_resource(request_context&, const json& in) {
        auto& m = tagged(str(in, "resourceArn"));
        for (auto& k : in.value("tagKeys", json::array()))
            m.tags.erase(k.get<std::string>());
        store_.put_machine(m);
        return json::object();
    }
    json list_tags_for_resource(request_context&, const json& in) {
        return {{"tags", tags_json(tagged(str(in, "resourceArn")).tags)}};
    }

  private:
    std::shared_ptr<const asl::state_machine> parse(const std::string& definition, const std::string& type) {
        std::shared_ptr<const asl::state_machine> program;
        try {
            program = std::make_shared<const asl::state_machine>(asl::parse_definition(definition));
        } catch (const asl::invalid_definition& e) {
            throw aws_error("InvalidDefinition", e.what());
        }
        std::vector<std::string> problems;
        resource_problems(*program, type == "EXPRESS", "", problems);
        if (!problems.empty()) throw aws_error("InvalidDefinition", asl::invalid_definition_message(problems));
        return program;
    }

    // What DescribeStateMachine shows for a configuration given in part or not at all.
    static json logging_or_default(const json& logging) {
        json out = logging.is_object() ? logging : json::object();
        if (!out.contains("level")) out["level"] = "OFF";
        if (!out.contains("includeExecutionData")) out["includeExecutionData"] = false;
        return out;
    }
    static json tracing_or_default(const json& tracing) {
        json out = tracing.is_object() ? tracing : json::object();
        if (!out.contains("enabled")) out["enabled"] = false;
        return out;
    }

    void check_logging(const json& logging) {
        auto level = logging.value("level", "OFF");
        auto destinations = logging.value("destinations", json::array());
        if (level != "OFF" && destinations.size() != 1)
            throw aws_error("InvalidLoggingConfiguration",
                            "Invalid Logging Configuration: Must specify exactly one Log Destination.");
    }

    void check_role(const std::string& role) {
        arn_parts parts;
        if (!parse_arn(role, parts)) throw invalid_arn("Invalid ARN prefix: " + role);
        if (parts.service != "iam" || parts.resource.rfind("role/", 0) != 0)
            throw invalid_arn("Resource type not valid in this context: " + role);
    }

    machine& find_machine(const std::string& arn) {
        parse_states_arn(arn, {"stateMachine"});
        auto it = machines_.find(arn);
        if (it == machines_.end())
            throw aws_error("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'");
        return *it->second;
    }

    machine& tagged(const std::string& arn) {
        parse_states_arn(arn, {"stateMachine", "activity"});
        auto it = machines_.find(arn);
        if (it == machines_.end()) throw aws_error("ResourceNotFound", "Resource not found: '" + arn + "'");
        return *it->second;
    }

    // DescribeExecution, GetExecutionHistory, StopExecution and DescribeStateMachineForExecution
    // take STANDARD executions only: AWS refuses an EXPRESS one's ARN for its resource type,
    // naming the type rather than the ARN, whether or not the execution exists.
    std::shared_ptr<execution> find_standard_execution(const std::string& arn) {
        if (parse_states_arn(arn, {"execution", "express"}).kind == "express")
            throw invalid_arn("Resource type not valid in this context: express");
        auto it = executions_.find(arn);
        if (it == executions_.end())
            throw aws_error("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
        return it->second;
    }

    void forget(const std::string& arn) {
        auto it = executions_.find(arn);
        if (it == executions_.end()) return;
        auto& list = by_machine_[it->second->machine_arn];
        list.erase(std::find(list.begin(), list.end(), arn));
        executions_.erase(it);
    }

    // A restarted eddy: the machines and STANDARD executions as they were; the RUNNING
    // ones carry on from their checkpoints.
    void load() {
        store_.each_machine([&](machine m) {
            try {
                m.program = std::make_shared<const asl::state_machine>(asl::parse_definition(m.definition));
            } catch (const std::exception& x) {
                log::warn("states: stored state machine " + m.arn + " no longer parses: " + x.what());
                return;
            }
            auto arn = m.arn;
            machines_[arn] = std::make_shared<machine>(std::move(m));
        });
        std::vector<std::shared_ptr<execution>> resume;
        store_.each_execution([&](execution e) {
            try {
                e.program = std::make_shared<const asl::state_machine>(asl::parse_definition(e.definition));
            } catch (const std::exception&) {
                return;
            }
            auto p = std::make_shared<execution>(std::move(e));
            executions_[p->arn] = p;
            if (p->status == "RUNNING") resume.push_back(p);
        });
        std::vector<std::shared_ptr<execution>> all;
        for (auto& [arn, e] : executions_)
            all.push_back(e);
        std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a->start_ms < b->start_ms; });
        for (auto& e : all)
            by_machine_[e->machine_arn].push_back(e->arn);
        for (auto& e : resume)
            engine_.resume(e);
    }

    service_env& env_;
    store store_;
    engine engine_;
    std::map<std::string, std::shared_ptr<machine>> machines_;
    std::map<std::string, std::shared_ptr<execution>> executions_;
    std::map<std::string, std::vector<std::string>> by_machine_;  // executions by start
    std::vector<std::string> express_done_;
};

}  // namespace

void register_handlers(service_env& env) {
    auto svc = std::make_shared<service>(env);
    auto add = [&](const char* op, json (service::*fn)(request_context&, const json&)) {
        env.calls.add("stepfunctions", op,
                      sync_handler([svc, fn](request_context& ctx, const json& in) { return ((*svc).*fn)(ctx, in); }));
    };
    add("CreateStateMachine", &service::create_state_machine);
    add("DescribeStateMachine", &service::describe_state_machine);
    add("UpdateStateMachine", &service::update_state_machine);
    add("DeleteStateMachine", &service::delete_state_machine);
    add("ListStateMachines", &service::list_state_machines);
    add("ValidateStateMachineDefinition", &service::validate_state_machine_definition);
    add("StartExecution", &service::start_execution);
    add("StopExecution", &service::stop_execution);
    add("DescribeExecution", &service::describe_execution);
    add("DescribeStateMachineForExecution", &service::describe_state_machine_for_execution);
    add("ListExecutions", &service::list_executions);
    add("GetExecutionHistory", &service::get_execution_history);
    add("SendTaskSuccess", &service::send_task_success);
    add("SendTaskFailure", &service::send_task_failure);
    add("SendTaskHeartbeat", &service::send_task_heartbeat);
    add("TagResource", &service::tag_resource);
    add("UntagResource", &service::untag_resource);
    add("ListTagsForResource", &service::list_tags_for_resource);
    env.calls.add("stepfunctions", "StartSyncExecution",
                  [svc](request_context& ctx, json input) { return svc->start_sync_execution(ctx, std::move(input)); });
}

}  // namespace eddy::stepfunctions
