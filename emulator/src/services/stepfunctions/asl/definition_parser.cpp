#include "services/stepfunctions/asl/definition.hpp"

#include "services/stepfunctions/asl/intrinsics.hpp"
#include "services/stepfunctions/asl/payload.hpp"
#include "services/stepfunctions/asl/timestamp.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

namespace eddy::asl {

namespace {

// Read with key order kept, so states and problems come in the order they were written.
using ojson = nlohmann::ordered_json;

// AWS's bounds on the numeric fields of Retry and Catch.
constexpr long long max_retry_number = 99999999;
constexpr long long max_delay_limit = 31622400;
// Far beyond any real definition, well within the stack of the recursive passes over it.
constexpr int max_json_depth = 256;

const std::map<std::string, state_type>& type_names() {
    static const std::map<std::string, state_type> names = {
        {"Task", state_type::task},         {"Pass", state_type::pass},       {"Choice", state_type::choice},
        {"Wait", state_type::wait},         {"Succeed", state_type::succeed}, {"Fail", state_type::fail},
        {"Parallel", state_type::parallel}, {"Map", state_type::map}};
    return names;
}

// The fields each state type accepts besides Type, Comment and QueryLanguage.
const std::set<std::string>& allowed_fields(state_type type) {
    static const std::map<state_type, std::set<std::string>> fields = {
        {state_type::pass, {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Assign"}},
        {state_type::task,
         {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Resource", "Retry",
          "Catch", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials",
          "Assign"}},
        {state_type::choice, {"InputPath", "OutputPath", "Choices", "Default", "Assign"}},
        {state_type::wait,
         {"Next", "End", "InputPath", "OutputPath", "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign"}},
        {state_type::succeed, {"InputPath", "OutputPath"}},
        {state_type::fail, {"Error", "ErrorPath", "Cause", "CausePath"}},
        {state_type::parallel,
         {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Branches", "Retry",
          "Catch", "Assign"}},
        {state_type::map,
         {"Next",
          "End",
          "InputPath",
          "OutputPath",
          "ResultPath",
          "Parameters",
          "ItemSelector",
          "ResultSelector",
          "Iterator",
          "ItemProcessor",
          "ItemsPath",
          "ItemReader",
          "ItemBatcher",
          "ResultWriter",
          "MaxConcurrency",
          "MaxConcurrencyPath",
          "ToleratedFailureCount",
          "ToleratedFailureCountPath",
          "ToleratedFailurePercentage",
          "ToleratedFailurePercentagePath",
          "Label",
          "Retry",
          "Catch",
          "Assign"}},
    };
    return fields.at(type);
}

class reader {
  public:
    std::vector<std::string> diagnostics;
    std::set<std::string> all_names;  // state names are unique across the whole definition

    void add(const std::string& code, const std::string& message, const std::string& location) {
        diagnostics.push_back(code + ": " + message + " at " + location);
    }
    void schema(const std::string& message, const std::string& location) {
        add("SCHEMA_VALIDATION_FAILED", message, location);
    }
    void expected(const char* type, const std::string& location) {
        schema(std::string("Expected value of type ") + type + "", location);
    }

    std::optional<std::string> string_field(const ojson& j, const char* key, const std::string& at) {
        if (!j.contains(key)) return std::nullopt;
        if (!j[key].is_string()) {
            expected("String", at + "/" + key);
            return std::nullopt;
        }
        return j[key].get<std::string>();
    }

    // Integers in [min, max]; Step Functions reads 5.0 as 5.
    std::optional<long long> integer_field(const ojson& j, const char* key, const std::string& at, long long min,
                                           long long max) {
        if (!j.contains(key)) return std::nullopt;
        const ojson& v = j[key];
        bool integral = v.is_number_integer() ||
                        (v.is_number_float() && std::isfinite(v.get<double>()) &&
                         std::floor(v.get<double>()) == v.get<double>() && std::fabs(v.get<double>()) < 9.0e18);
        if (!integral) {
            expected("Integer", at + "/" + key);
            return std::nullopt;
        }
        long long n = v.get<long long>();
        if (v.is_number_unsigned() && v.get<unsigned long long>() > static_cast<unsigned long long>(max)) n = max + 1;
        if (n < min || n > max) {
            schema("The value of the field '" + std::string(key) + "' must be between " + std::to_string(min) +
                       " and " + std::to_string(max),
                   at + "/" + key);
            return std::nullopt;
        }
        return n;
    }

    std::optional<json_path> path_value(const ojson& j, const char* key, const std::string& at, bool reference) {
        if (!j.contains(key)) return std::nullopt;
        const ojson& v = j[key];
        if (v.is_string()) {
            try {
                auto p = json_path::parse(v.get<std::string>());
                if (!reference || p.reference()) return p;
            } catch (const std::invalid_argument&) {
            }
        }
        schema("The value for the field '" + std::string(key) + "' must be a valid " +
                   (reference ? "ReferencePath" : "JSONPath"),
               at + "/" + key);
        return std::nullopt;
    }

    path_field nullable_path(const ojson& j, const char* key, const std::string& at, bool reference) {
        path_field out;
        if (!j.contains(key)) return out;
        if (j[key].is_null()) {
            out.what = path_field::kind::null;
            return out;
        }
        out.path = path_value(j, key, at, reference);
        if (out.path) out.what = path_field::kind::path;
        return out;
    }

    std::optional<json> template_field(const ojson& j, const char* key, const std::string& at) {
        if (!j.contains(key)) return std::nullopt;
        if (!j[key].is_object()) {
            expected("Object", at + "/" + key);
            return std::nullopt;
        }
        validate_payload(json(j[key]), at + "/" + key, diagnostics);
        return json(j[key]);
    }

    // Assign is a template whose top-level keys name variables, so they must read as `$name`.
    std::optional<json> assign_field(const ojson& j, const std::string& at) {
        auto assign = template_field(j, "Assign", at);
        if (!assign) return assign;
        for (auto it = assign->begin(); it != assign->end(); ++it) {
            std::string name = it.key().ends_with(".$") ? it.key().substr(0, it.key().size() - 2) : it.key();
            bool ok = !name.empty() && name != "states" &&
                      (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
            for (char c : name)
                ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
            if (!ok) schema("The variable name '" + name + "' is not valid", at + "/Assign");
        }
        return assign;
    }

    std::vector<std::string> error_equals(const ojson& j, const std::string& at) {
        std::vector<std::string> out;
        if (!j.contains("ErrorEquals")) {
            schema("These fields are required: [ErrorEquals]", at);
            return out;
        }
        const ojson& list = j["ErrorEquals"];
        if (!list.is_array() || list.empty()) {
            schema("The field 'ErrorEquals' must be a non-empty array of strings", at + "/ErrorEquals");
            return out;
        }
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (!list[i].is_string()) {
                expected("String", at + "/ErrorEquals/" + std::to_string(i));
                continue;
            }
            out.push_back(list[i].get<std::string>());
        }
        bool has_all = std::find(out.begin(), out.end(), error_names::all) != out.end();
        if (has_all && out.size() > 1)
            schema("States.ALL must appear alone in the ErrorEquals array", at + "/ErrorEquals");
        return out;
    }

    void unknown_fields(const ojson& j, const std::set<std::string>& allowed, const std::string& at) {
        for (auto it = j.begin(); it != j.end(); ++it)
            if (!allowed.count(it.key())) schema("Field '" + it.key() + "' is not supported", at);
    }

    void retriers(const ojson& s, const std::string& at, state& out) {
        if (!s.contains("Retry")) return;
        if (!s["Retry"].is_array()) return expected("Array", at + "/Retry");
        const ojson& list = s["Retry"];
        for (std::size_t i = 0; i < list.size(); ++i) {
            std::string where = at + "/Retry/" + std::to_string(i);
            const ojson& r = list[i];
            if (!r.is_object()) {
                expected("Object", where);
                continue;
            }
            unknown_fields(r,
                           {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
                            "JitterStrategy", "Comment"},
                           where);
            retrier rt;
            rt.error_equals = error_equals(r, where);
            if (auto v = integer_field(r, "IntervalSeconds", where, 1, max_retry_number))
                rt.interval_seconds = double(*v);
            if (auto v = integer_field(r, "MaxAttempts", where, 0, max_retry_number)) rt.max_attempts = int(*v);
            if (r.contains("BackoffRate")) {
                if (!r["BackoffRate"].is_number())
                    expected("Number", where + "/BackoffRate");
                else if (r["BackoffRate"].get<double>() < 1.0)
                    schema("The value of the field 'BackoffRate' must be greater than or equal to 1.0",
                           where + "/BackoffRate");
                else
                    rt.backoff_rate = r["BackoffRate"].get<double>();
            }
            rt.max_delay_seconds = integer_field(r, "MaxDelaySeconds", where, 1, max_delay_limit);
            if (auto jitter = string_field(r, "JitterStrategy", where)) {
                if (*jitter != "FULL" && *jitter != "NONE")
                    schema("The value of the field 'JitterStrategy' must be one of [FULL, NONE]",
                           where + "/JitterStrategy");
                rt.full_jitter = *jitter == "FULL";
            }
            bool has_all =
                std::find(rt.error_equals.begin(), rt.error_equals.end(), error_names::all) != rt.error_equals.end();
            if (has_all && i + 1 != list.size()) schema("A Retrier with States.ALL must be the last Retrier", where);
            out.retry.push_back(std::move(rt));
        }
    }

    void catchers(const ojson& s, const std::string& at, state& out) {
        if (!s.contains("Catch")) return;
        if (!s["Catch"].is_array()) return expected("Array", at + "/Catch");
        const ojson& list = s["Catch"];
        for (std::size_t i = 0; i < list.size(); ++i) {
            std::string where = at + "/Catch/" + std::to_string(i);
            const ojson& c = list[i];
            if (!c.is_object()) {
                expected("Object", where);
                continue;
            }
            unknown_fields(c, {"ErrorEquals", "Next", "ResultPath", "Assign", "Comment"}, where);
            catcher ct;
            ct.error_equals = error_equals(c, where);
            if (!c.contains("Next"))
                schema("These fields are required: [Next]", where);
            else if (auto next = string_field(c, "Next", where))
                ct.next = *next;
            ct.result_path = nullable_path(c, "ResultPath", where, true);
            if (auto assign = assign_field(c, where)) ct.assign = *assign;
            bool has_all =
                std::find(ct.error_equals.begin(), ct.error_equals.end(), error_names::all) != ct.error_equals.end();
            if (has_all && i + 1 != list.size()) schema("A Catcher with States.ALL must be the last Catcher", where);
            out.catchers.push_back(std::move(ct));
        }
    }

    // Error/Cause paths may be paths or intrinsic calls.
    std::optional<std::string> dynamic_text(const ojson& s, const char* key, const std::string& at) {
        auto text = string_field(s, key, at);
        if (!text) return std::nullopt;
        bool ok = true;
        try {
            if (looks_like_intrinsic(*text))
                parse_intrinsic(*text);
            else
                json_path::parse(*text);
        } catch (const std::invalid_argument&) {
            ok = false;
        }
        if (!ok) {
            schema("The value for the field '" + std::string(key) +
                       "' must be a valid JSONPath or a valid intrinsic function call",
                   at + "/" + key);
            return std::nullopt;
        }
        return text;
    }

    void one_state(const std::string& name, const ojson& s, const std::string& at, state& out);
    state_machine machine(const ojson& j, const std::string& at, bool top_level);
};

void reader::one_state(const std::string& name, const ojson& s, const std::string& at, state& out) {
    out.name = name;
    out.raw = json(s);
    if (!s.contains("Type")) return schema("These fields are required: [Type]", at);
    if (!s["Type"].is_string()) return expected("String", at + "/Type");
    auto type = type_names().find(s["Type"].get<std::string>());
    if (type == type_names().end())
        return schema(
            "The value of the field 'Type' must be one of [Task, Pass, Choice, Wait, Succeed, Fail, "
            "Parallel, Map]",
            at + "/Type");
    out.type = type->second;
    std::set<std::string> allowed = allowed_fields(out.type);
    allowed.insert({"Type", "Comment", "QueryLanguage"});
    unknown_fields(s, allowed, at);
    if (auto ql = string_field(s, "QueryLanguage", at); ql && *ql != "JSONPath")
        schema("The QueryLanguage '" + *ql + "' is not supported by eddy; only 'JSONPath' is", at + "/QueryLanguage");

    bool transitions = out.type == state_type::pass || out.type == state_type::task || out.type == state_type::wait ||
                       out.type == state_type::parallel || out.type == state_type::map;
    if (transitions) {
        bool has_next = s.contains("Next"), has_end = s.contains("End");
        if (has_end && !(s["End"].is_boolean() && s["End"].get<bool>()))
            schema("The value of the field 'End' must be true", at + "/End");
        if (has_next && has_end)
            schema("Only one of the fields [Next, End] may be set", at);
        else if (!has_next && !has_end)
            schema("One of the fields [Next, End] is required", at);
        if (auto next = string_field(s, "Next", at)) out.next = *next;
        out.end = has_end && s["End"].is_boolean() && s["End"].get<bool>() && !has_next;
    }

    out.input_path = nullable_path(s, "InputPath", at, false);
    out.output_path = nullable_path(s, "OutputPath", at, false);
    out.result_path = nullable_path(s, "ResultPath", at, true);
    out.parameters = template_field(
        s, out.type == state_type::map && s.contains("ItemSelector") ? "ItemSelector" : "Parameters", at);
    if (out.type == state_type::map && s.contains("ItemSelector") && s.contains("Parameters"))
        schema("Only one of the fields [ItemSelector, Parameters] may be set", at);
    out.result_selector = template_field(s, "ResultSelector", at);
    out.assign = assign_field(s, at);
    if (s.contains("Result")) out.result = json(s["Result"]);
    retriers(s, at, out);
    catchers(s, at, out);

    switch (out.type) {
        case state_type::task: {
            if (!s.contains("Resource"))
                schema("These fields are required: [Resource]", at);
            else if (auto r = string_field(s, "Resource", at))
                out.resource = *r;
            if (s.contains("TimeoutSeconds") && s.contains("TimeoutSecondsPath"))
                schema("Only one of the fields [TimeoutSeconds, TimeoutSecondsPath] may be set", at);
            if (s.contains("HeartbeatSeconds") && s.contains("HeartbeatSecondsPath"))
                schema("Only one of the fields [HeartbeatSeconds, HeartbeatSecondsPath] may be set", at);
            out.timeout_seconds = integer_field(s, "TimeoutSeconds", at, 1, max_retry_number);
            out.heartbeat_seconds = integer_field(s, "HeartbeatSeconds", at, 1, max_retry_number);
            out.timeout_seconds_path = path_value(s, "TimeoutSecondsPath", at, true);
            out.heartbeat_seconds_path = path_value(s, "HeartbeatSecondsPath", at, true);
            if (out.timeout_seconds && out.heartbeat_seconds && *out.heartbeat_seconds >= *out.timeout_seconds)
                schema("The value of the field 'HeartbeatSeconds' must be smaller than 'TimeoutSeconds'",
                       at + "/HeartbeatSeconds");
            if (s.contains("Credentials")) out.credentials = template_field(s, "Credentials", at);
            break;
        }
        case state_type::choice: {
            if (!s.contains("Choices")) {
                schema("These fields are required: [Choices]", at);
            } else if (!s["Choices"].is_array() || s["Choices"].empty()) {
                schema("The field 'Choices' must be a non-empty array", at + "/Choices");
            } else {
                const ojson& list = s["Choices"];
                for (std::size_t i = 0; i < list.size(); ++i) {
                    std::string where = at + "/Choices/" + std::to_string(i);
                    auto rule = parse_choice_rule(json(list[i]), where, true, diagnostics);
                    if (rule) {
                        if (!rule->assign.is_null()) assign_field(list[i], where);
                        out.choices.push_back(std::move(*rule));
                    }
                }
            }
            if (auto d = string_field(s, "Default", at)) out.default_next = *d;
            break;
        }
        case state_type::wait: {
            int count = 0;
            for (const char* key : {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"})
                count += s.contains(key);
            if (count != 1)
                schema("Exactly one of the fields [Seconds, SecondsPath, Timestamp, TimestampPath] is required", at);
            if (s.contains("Seconds"))
                if (auto v = integer_field(s, "Seconds", at, 0, max_retry_number)) out.seconds = *v;
            if (auto ts = string_field(s, "Timestamp", at)) {
                if (!parse_timestamp(*ts))
                    schema("The value of the field 'Timestamp' must be a valid timestamp", at + "/Timestamp");
                else
                    out.timestamp = *ts;
            }
            out.seconds_path = path_value(s, "SecondsPath", at, true);
            out.timestamp_path = path_value(s, "TimestampPath", at, true);
            break;
        }
        case state_type::fail: {
            if (s.contains("Error") && s.contains("ErrorPath"))
                schema("Only one of the fields [Error, ErrorPath] may be set", at);
            if (s.contains("Cause") && s.contains("CausePath"))
                schema("Only one of the fields [Cause, CausePath] may be set", at);
            out.error = string_field(s, "Error", at);
            out.cause = string_field(s, "Cause", at);
            out.error_path = dynamic_text(s, "ErrorPath", at);
            out.cause_path = dynamic_text(s, "CausePath", at);
            break;
        }
        case state_type::parallel: {
            if (!s.contains("Branches")) {
                schema("These fields are required: [Branches]", at);
            } else if (!s["Branches"].is_array() || s["Branches"].empty()) {
                schema("The field 'Branches' must be a non-empty array", at + "/Branches");
            } else {
                for (std::size_t i = 0; i < s["Branches"].size(); ++i)
                    out.branches.push_back(machine(s["Branches"][i], at + "/Branches/" + std::to_string(i), false));
            }
            break;
        }
        case state_type::map: {
            bool has_processor = s.contains("ItemProcessor"), has_iterator = s.contains("Iterator");
            if (has_processor && has_iterator)
                schema("Only one of the fields [ItemProcessor, Iterator] may be set", at);
            if (!has_processor && !has_iterator) {
                schema("These fields are required: [ItemProcessor]", at);
            } else {
                const char* key = has_processor ? "ItemProcessor" : "Iterator";
                std::string where = at + "/" + key;
                const ojson& p = s[key];
                if (!p.is_object()) {
                    expected("Object", where);
                } else {
                    if (p.contains("ProcessorConfig")) {
                        const ojson& config = p["ProcessorConfig"];
                        if (!config.is_object()) {
                            expected("Object", where + "/ProcessorConfig");
                        } else {
                            unknown_fields(config, {"Mode", "ExecutionType"}, where + "/ProcessorConfig");
                            if (auto mode = string_field(config, "Mode", where + "/ProcessorConfig");
                                mode && *mode != "INLINE" && *mode != "DISTRIBUTED")
                                schema("The value of the field 'Mode' must be one of [INLINE, DISTRIBUTED]",
                                       where + "/ProcessorConfig/Mode");
                            else if (mode && *mode == "DISTRIBUTED")
                                // refused rather than run inline: its child executions and Map Runs are not
                                schema("The Map mode 'DISTRIBUTED' is not supported by eddy; only 'INLINE' is",
                                       where + "/ProcessorConfig/Mode");
                            if (auto type = string_field(config, "ExecutionType", where + "/ProcessorConfig");
                                type && *type != "STANDARD" && *type != "EXPRESS")
                                schema("The value of the field 'ExecutionType' must be one of [STANDARD, EXPRESS]",
                                       where + "/ProcessorConfig/ExecutionType");
                            out.processor_config = json(config);
                        }
                    }
                    ojson inner = p;
                    inner.erase("ProcessorConfig");
                    out.item_processor = std::make_shared<const state_machine>(machine(inner, where, false));
                }
            }
            out.items_path = nullable_path(s, "ItemsPath", at, false);
            out.max_concurrency = integer_field(s, "MaxConcurrency", at, 0, max_retry_number);
            out.tolerated_failure_count = integer_field(s, "ToleratedFailureCount", at, 0, max_retry_number);
            if (s.contains("ToleratedFailurePercentage")) {
                const ojson& v = s["ToleratedFailurePercentage"];
                if (!v.is_number())
                    expected("Number", at + "/ToleratedFailurePercentage");
                else if (v.get<double>() < 0 || v.get<double>() > 100)
                    schema("The value of the field 'ToleratedFailurePercentage' must be between 0 and 100",
                           at + "/ToleratedFailurePercentage");
                else
                    out.tolerated_failure_percentage = v.get<double>();
            }
            out.max_concurrency_path = path_value(s, "MaxConcurrencyPath", at, true);
            out.tolerated_failure_count_path = path_value(s, "ToleratedFailureCountPath", at, true);
            out.tolerated_failure_percentage_path = path_value(s, "ToleratedFailurePercentagePath", at, true);
            // the Distributed Map's fields: refused rather than ignored
            for (const char* key : {"ItemReader", "ItemBatcher", "ResultWriter"})
                if (s.contains(key))
                    schema(std::string("The field '") + key + "' of a Distributed Map is not supported by eddy",
                           at + "/" + key);
            out.label = string_field(s, "Label", at);
            break;
        }
        default:
            break;
    }
}

state_machine reader::machine(const ojson& j, const std::string& at, bool top_level) {
    state_machine out;
    std::string root = at.empty() ? "/" : at;
    if (!j.is_object()) {
        expected("Object", root);
        return out;
    }
    std::set<std::string> allowed = {"StartAt", "States", "Comment"};
    if (top_level) allowed.insert({"TimeoutSeconds", "Version", "QueryLanguage"});
    unknown_fields(j, allowed, root);
    std::vector<std::string> missing;
    // in AWS's order: "These fields are required: [States, StartAt]"
    if (!j.contains("States")) missing.push_back("States");
    if (!j.contains("StartAt")) missing.push_back("StartAt");
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing)
            list += (list.empty() ? "" : ", ") + m;
        schema("These fields are required: [" + list + "]", root);
    }
    auto start_at = string_field(j, "StartAt", at);
    if (start_at) out.start_at = *start_at;
    out.comment = string_field(j, "Comment", at);
    if (top_level) {
        out.timeout_seconds = integer_field(j, "TimeoutSeconds", at, 1, max_retry_number);
        if (auto ql = string_field(j, "QueryLanguage", at)) {
            if (*ql != "JSONPath")
                schema("The QueryLanguage '" + *ql + "' is not supported by eddy; only 'JSONPath' is",
                       at + "/QueryLanguage");
            out.query_language = *ql;
        }
    }
    if (!j.contains("States")) return out;
    if (!j["States"].is_object() || j["States"].empty()) {
        schema("The field 'States' must be a non-empty object", at + "/States");
        return out;
    }
    const ojson& states = j["States"];
    for (auto it = states.begin(); it != states.end(); ++it) {
        std::string where = at + "/States/" + it.key();
        if (!all_names.insert(it.key()).second) add("DUPLICATE_STATE_NAME", "Duplicate State name: " + it.key(), where);
        if (it.key().empty() || it.key().size() > 80)
            schema("State names must be between 1 and 80 characters long", where);
        if (!it->is_object()) {
            expected("Object", where);
            continue;
        }
        state s;
        one_state(it.key(), *it, where, s);
        out.states.push_back(std::move(s));
    }

    // Transitions stay inside their own States: a branch cannot jump out, nor the top level in.
    auto exists = [&](const std::string& name) { return states.contains(name); };
    if (start_at && !exists(out.start_at))
        add("MISSING_TRANSITION_TARGET", "Missing 'StartAt' target: " + out.start_at, at + "/StartAt");
    std::map<std::string, std::vector<std::string>> edges;
    for (const auto& s : out.states) {
        std::string where = at + "/States/" + s.name;
        auto edge = [&](const std::string& target, const std::string& field, const std::string& loc) {
            if (target.empty()) return;
            if (!exists(target))
                add("MISSING_TRANSITION_TARGET", "Missing '" + field + "' target: " + target, loc);
            else
                edges[s.name].push_back(target);
        };
        edge(s.next, "Next", where + "/Next");
        edge(s.default_next, "Default", where + "/Default");
        for (std::size_t i = 0; i < s.choices.size(); ++i)
            edge(s.choices[i].next, "Next", where + "/Choices/" + std::to_string(i) + "/Next");
        for (std::size_t i = 0; i < s.catchers.size(); ++i)
            edge(s.catchers[i].next, "Next", where + "/Catch/" + std::to_string(i) + "/Next");
    }
    bool terminal = false;
    for (const auto& s : out.states)
        terminal = terminal || s.end || s.type == state_type::succeed || s.type == state_type::fail;
    if (!terminal) add("MISSING_END_STATE", "Workflow has no terminal state", top_level ? "null" : at);
    if (exists(out.start_at)) {
        std::set<std::string> seen{out.start_at};
        std::vector<std::string> todo{out.start_at};
        while (!todo.empty()) {
            std::string name = todo.back();
            todo.pop_back();
            for (const auto& target : edges[name])
                if (seen.insert(target).second) todo.push_back(target);
        }
        if (terminal)
            for (const auto& s : out.states)
                if (!seen.count(s.name))
                    add("MISSING_TRANSITION_TARGET", "State \"" + s.name + "\" is not reachable.",
                        at + "/States/" + s.name);
    }
    return out;
}

}  // namespace

const state* state_machine::find(std::string_view name) const {
    for (const auto& s : states)
        if (s.name == name) return &s;
    return nullptr;
}

std::string_view state_type_name(state_type type) {
    for (const auto& [name, t] : type_names())
        if (t == type) return name;
    return "";
}

namespace {

// Reads the JSON, noting state names written twice in one States object (which a JSON
// parser would otherwise silently collapse).
state_machine read(std::string_view text, std::vector<std::string>& diagnostics) {
    reader r;
    struct frame {
        std::string parent_key;
        std::set<std::string> keys;
    };
    std::vector<frame> stack;
    std::string last_key;
    std::vector<std::string> duplicates;
    // Every later pass over the definition recurses, so nesting is bounded here, while reading.
    struct too_deep {};
    auto callback = [&](int depth, ojson::parse_event_t event, ojson& parsed) {
        if (depth > max_json_depth) throw too_deep{};
        if (event == ojson::parse_event_t::object_start) {
            stack.push_back({last_key, {}});
        } else if (event == ojson::parse_event_t::object_end) {
            if (!stack.empty()) stack.pop_back();
        } else if (event == ojson::parse_event_t::key) {
            last_key = parsed.get<std::string>();
            if (!stack.empty() && !stack.back().keys.insert(last_key).second && stack.back().parent_key == "States")
                duplicates.push_back(last_key);
        }
        return true;
    };
    ojson j;
    try {
        j = ojson::parse(text.begin(), text.end(), callback);
    } catch (const too_deep&) {
        diagnostics.push_back("INVALID_JSON_DESCRIPTION: The definition nests deeper than " +
                              std::to_string(max_json_depth) + " levels");
        return {};
    } catch (const ojson::parse_error& e) {
        std::string what = e.what();
        if (auto colon = what.find("] "); colon != std::string::npos) what = what.substr(colon + 2);
        diagnostics.push_back("INVALID_JSON_DESCRIPTION: " + what);
        return {};
    }
    for (const auto& name : duplicates)
        diagnostics.push_back("DUPLICATE_STATE_NAME: Duplicate State name: " + name + " at /States");
    auto machine = r.machine(j, "", true);
    diagnostics.insert(diagnostics.end(), r.diagnostics.begin(), r.diagnostics.end());
    return machine;
}

}  // namespace

state_machine parse_definition(std::string_view text) {
    std::vector<std::string> diagnostics;
    auto machine = read(text, diagnostics);
    if (!diagnostics.empty()) throw invalid_definition(std::move(diagnostics));
    return machine;
}

std::vector<std::string> validate_definition(std::string_view text) {
    std::vector<std::string> diagnostics;
    read(text, diagnostics);
    return diagnostics;
}

}  // namespace eddy::asl
