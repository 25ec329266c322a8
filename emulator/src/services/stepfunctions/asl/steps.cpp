#include "services/stepfunctions/asl/steps.hpp"

#include "services/stepfunctions/asl/intrinsics.hpp"
#include "services/stepfunctions/asl/payload.hpp"
#include "services/stepfunctions/asl/timestamp.hpp"

#include <cmath>

namespace eddy::asl {

namespace {

path_scope scope_of(const json& input, const environment& env) {
    return path_scope{&input, &env.context, &env.variables};
}

// The value at a *Path field; States.Runtime when it is missing.
json path_value(const json_path& path, const json& input, const environment& env) {
    return path.evaluate(scope_of(input, env));
}

std::optional<long long> as_integer(const json& v) {
    if (v.is_number_integer()) return v.get<long long>();
    if (v.is_number_float()) {
        double d = v.get<double>();
        if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e18) return static_cast<long long>(d);
    }
    return std::nullopt;
}

long long positive_integer_at(const json_path& path, const char* field, const json& input, const environment& env) {
    json v = path_value(path, input, env);
    auto n = as_integer(v);
    if (!n || *n <= 0)
        throw states_error(error_names::runtime, "The value at '" + path.text() + "' for the field '" + field +
                                                     "' must be a positive integer, but was " + v.dump());
    return *n;
}

transition finish_without_task(const state& s, const json& raw_input, const json& result, const json& dollar,
                               const environment& env) {
    transition out;
    if (s.assign) out.assigned = evaluate_assign(*s.assign, dollar, env);
    out.output = apply_output_path(s, apply_result_path(s.result_path, raw_input, result), env);
    check_data_limit(out.output, s.name);
    out.next = s.next;
    return out;
}

}  // namespace

transition run_pass(const state& s, const json& raw_input, const environment& env) {
    json input = effective_input(s, raw_input, env);
    json result = s.result ? *s.result : input;
    return finish_without_task(s, raw_input, result, result, env);
}

transition run_choice(const state& s, const json& raw_input, const environment& env) {
    json input = apply_input_path(s, raw_input, env);
    auto scope = scope_of(input, env);
    transition out;
    const choice_rule* chosen = nullptr;
    for (const auto& rule : s.choices)
        if (evaluate_choice_rule(rule, scope)) {
            chosen = &rule;
            break;
        }
    if (chosen) {
        out.next = chosen->next;
        out.assigned = evaluate_assign(chosen->assign, input, env);
    } else if (!s.default_next.empty()) {
        out.next = s.default_next;
    } else {
        throw states_error(error_names::no_choice_matched, "No Matches!");
    }
    // The state-level Assign runs whichever branch is taken; a rule's Assign wins on a clash.
    if (s.assign) {
        json state_assigned = evaluate_assign(*s.assign, input, env);
        apply_assignments(state_assigned, out.assigned);
        out.assigned = std::move(state_assigned);
    }
    out.output = apply_output_path(s, input, env);
    return out;
}

json run_succeed(const state& s, const json& raw_input, const environment& env) {
    return apply_output_path(s, apply_input_path(s, raw_input, env), env);
}

states_error run_fail(const state& s, const json& raw_input, const environment& env) {
    auto scope = scope_of(raw_input, env);
    auto dynamic = [&](const std::string& text, const char* field) -> std::string {
        json v = looks_like_intrinsic(text) ? evaluate_intrinsic(text, scope) : json_path::parse(text).evaluate(scope);
        if (!v.is_string())
            throw states_error(error_names::runtime, "The value at '" + text + "' for the field '" + field +
                                                         "' must be a string, but was " + v.dump());
        return v.get<std::string>();
    };
    std::string error = s.error_path ? dynamic(*s.error_path, "ErrorPath") : s.error.value_or("");
    std::string cause = s.cause_path ? dynamic(*s.cause_path, "CausePath") : s.cause.value_or("");
    return states_error(error, cause);
}

wait_plan plan_wait(const state& s, const json& raw_input, const environment& env, std::int64_t now_ns) {
    json input = apply_input_path(s, raw_input, env);
    wait_plan out;
    constexpr std::int64_t ns = 1000000000;
    if (s.seconds) {
        out.until_ns = now_ns + s.seconds->get<long long>() * ns;
    } else if (s.timestamp) {
        out.until_ns = *parse_timestamp(*s.timestamp);
    } else if (s.seconds_path) {
        json v = path_value(*s.seconds_path, input, env);
        auto n = as_integer(v);
        if (!n || *n < 0)
            throw states_error(error_names::runtime,
                               "The SecondsPath parameter does not reference a valid "
                               "non-negative integer value: " +
                                   v.dump());
        out.until_ns = now_ns + *n * ns;
    } else if (s.timestamp_path) {
        json v = path_value(*s.timestamp_path, input, env);
        std::optional<std::int64_t> at;
        if (v.is_string()) at = parse_timestamp(v.get<std::string>());
        if (!at)
            throw states_error(error_names::runtime,
                               "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
                               "date-time format string: " +
                                   v.dump());
        out.until_ns = *at;
    }
    if (s.assign) out.after.assigned = evaluate_assign(*s.assign, input, env);
    out.after.output = apply_output_path(s, input, env);
    out.after.next = s.next;
    return out;
}

std::optional<long long> resolve_timeout_seconds(const state& s, const json& input, const environment& env) {
    if (s.timeout_seconds_path) return positive_integer_at(*s.timeout_seconds_path, "TimeoutSecondsPath", input, env);
    return s.timeout_seconds;
}

std::optional<long long> resolve_heartbeat_seconds(const state& s, const json& input, const environment& env) {
    if (s.heartbeat_seconds_path)
        return positive_integer_at(*s.heartbeat_seconds_path, "HeartbeatSecondsPath", input, env);
    return s.heartbeat_seconds;
}

json map_items(const state& s, const json& input, const environment& env) {
    json items = s.items_path.what == path_field::kind::path ? path_value(*s.items_path.path, input, env) : input;
    if (!items.is_array())
        throw states_error(error_names::runtime,
                           "Item path " + (s.items_path.path ? s.items_path.path->text() : std::string("$")) +
                               " does not point to an array: " + items.dump());
    return items;
}

json map_item_input(const state& s, const json& input, const json& item, std::size_t index, const environment& env) {
    if (!s.parameters) return item;
    environment item_env = env;
    item_env.context["Map"]["Item"] = {{"Index", index}, {"Value", item}};
    return evaluate_payload(*s.parameters, scope_of(input, item_env));
}

long long resolve_max_concurrency(const state& s, const json& input, const environment& env) {
    if (s.max_concurrency_path) {
        json v = path_value(*s.max_concurrency_path, input, env);
        auto n = as_integer(v);
        if (!n || *n < 0)
            throw states_error(error_names::runtime,
                               "The MaxConcurrencyPath field refers to value \"" + v.dump() +
                                   "\" which is not a valid integer: must be a non-negative integer");
        return *n;
    }
    return s.max_concurrency.value_or(0);
}

bool map_failure_exceeds_tolerance(const state& s, std::size_t failed, std::size_t total, const json& input,
                                   const environment& env) {
    if (failed == 0) return false;
    std::optional<long long> count = s.tolerated_failure_count;
    std::optional<double> percentage = s.tolerated_failure_percentage;
    if (s.tolerated_failure_count_path) {
        json v = path_value(*s.tolerated_failure_count_path, input, env);
        auto n = as_integer(v);
        if (!n || *n < 0)
            throw states_error(error_names::runtime, "The ToleratedFailureCountPath field refers to value \"" +
                                                         v.dump() + "\" which is not a valid non-negative integer");
        count = *n;
    }
    if (s.tolerated_failure_percentage_path) {
        json v = path_value(*s.tolerated_failure_percentage_path, input, env);
        if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 100)
            throw states_error(error_names::runtime, "The ToleratedFailurePercentagePath field refers to value \"" +
                                                         v.dump() + "\" which is not a number between 0 and 100");
        percentage = v.get<double>();
    }
    if (!count && !percentage) return true;
    // With both set, crossing either threshold fails the Map.
    if (count && static_cast<long long>(failed) > *count) return true;
    if (percentage && total > 0 && 100.0 * static_cast<double>(failed) / static_cast<double>(total) > *percentage)
        return true;
    return false;
}

}  // namespace eddy::asl
