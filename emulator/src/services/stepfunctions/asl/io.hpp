#pragma once

#include "services/stepfunctions/asl/definition.hpp"

#include <cstddef>

namespace eddy::asl {

// AWS's limit on any payload passed between states (input, result, output, error output).
inline constexpr std::size_t max_payload_bytes = 256 * 1024;

// What a state sees besides its input: the context object (`$$`) and the workflow variables
// visible to it (`$name`), an object of name -> value.
struct environment {
    json context = json::object();
    json variables = json::object();
};

// What a state hands on: its output, and the variables its Assign set (empty object when none),
// which become visible to the states after it.
struct state_output {
    json output;
    json assigned = json::object();
};

// InputPath: null gives {}.
json apply_input_path(const state& s, const json& raw_input, const environment& env);
// InputPath, then Parameters (ItemSelector on a Map): what the task is called with.
json effective_input(const state& s, const json& raw_input, const environment& env);
// ResultSelector over the task's raw result.
json select_result(const state& s, const json& raw_result, const environment& env);
// ResultPath: absent replaces the input with the result, null keeps the input.
json apply_result_path(const path_field& result_path, const json& raw_input, const json& result);
// OutputPath: null gives {}.
json apply_output_path(const state& s, const json& value, const environment& env);

// Assign evaluated with `$` = `dollar` and the variables as they were before this state: every
// expression sees the old values. Returns name -> new value.
json evaluate_assign(const json& assign, const json& dollar, const environment& env);
// Merges `assigned` into the variables.
void apply_assignments(json& variables, const json& assigned);

// Everything after the task: ResultSelector, Assign (with `$` = the selected result),
// ResultPath onto the raw input, OutputPath, and the data limit. For Task, Parallel and Map.
state_output finish_state(const state& s, const json& raw_input, const json& raw_result, const environment& env);

// States.DataLimitExceeded when `value` serializes to more than 256 KiB.
void check_data_limit(const json& value, const std::string& state_name);

}  // namespace eddy::asl
