#include "services/stepfunctions/asl/io.hpp"

#include "services/stepfunctions/asl/payload.hpp"

namespace eddy::asl {

namespace {

path_scope scope_of(const json& input, const environment& env) {
    return path_scope{&input, &env.context, &env.variables};
}

}  // namespace

json apply_input_path(const state& s, const json& raw_input, const environment& env) {
    switch (s.input_path.what) {
        case path_field::kind::absent:
            return raw_input;
        case path_field::kind::null:
            return json::object();
        case path_field::kind::path:
            break;
    }
    return s.input_path.path->evaluate(scope_of(raw_input, env));
}

json effective_input(const state& s, const json& raw_input, const environment& env) {
    json input = apply_input_path(s, raw_input, env);
    if (!s.parameters) return input;
    json out = evaluate_payload(*s.parameters, scope_of(input, env));
    check_data_limit(out, s.name);
    return out;
}

json select_result(const state& s, const json& raw_result, const environment& env) {
    if (!s.result_selector) return raw_result;
    return evaluate_payload(*s.result_selector, scope_of(raw_result, env));
}

json apply_result_path(const path_field& result_path, const json& raw_input, const json& result) {
    switch (result_path.what) {
        case path_field::kind::absent:
            return result;
        case path_field::kind::null:
            return raw_input;
        case path_field::kind::path:
            break;
    }
    return apply_reference_path(raw_input, *result_path.path, result);
}

json apply_output_path(const state& s, const json& value, const environment& env) {
    switch (s.output_path.what) {
        case path_field::kind::absent:
            return value;
        case path_field::kind::null:
            return json::object();
        case path_field::kind::path:
            break;
    }
    return s.output_path.path->evaluate(scope_of(value, env));
}

json evaluate_assign(const json& assign, const json& dollar, const environment& env) {
    if (assign.is_null()) return json::object();
    return evaluate_payload(assign, scope_of(dollar, env));
}

void apply_assignments(json& variables, const json& assigned) {
    if (!variables.is_object()) variables = json::object();
    for (auto it = assigned.begin(); it != assigned.end(); ++it)
        variables[it.key()] = it.value();
}

state_output finish_state(const state& s, const json& raw_input, const json& raw_result, const environment& env) {
    check_data_limit(raw_result, s.name);
    json result = select_result(s, raw_result, env);
    state_output out;
    if (s.assign) {
        out.assigned = evaluate_assign(*s.assign, result, env);
        check_data_limit(out.assigned, s.name);
    }
    out.output = apply_output_path(s, apply_result_path(s.result_path, raw_input, result), env);
    check_data_limit(out.output, s.name);
    return out;
}

void check_data_limit(const json& value, const std::string& state_name) {
    if (value.dump().size() > max_payload_bytes)
        throw states_error(error_names::data_limit_exceeded,
                           "The state/task '" + state_name +
                               "' returned a result with a size exceeding the maximum number of bytes service limit.");
}

}  // namespace eddy::asl
