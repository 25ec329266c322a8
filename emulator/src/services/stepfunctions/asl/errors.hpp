#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace eddy::asl {

using json = nlohmann::json;

// The predefined error names of the States Language; a task's own errors are any other string.
namespace error_names {
inline constexpr const char* all = "States.ALL";
inline constexpr const char* heartbeat_timeout = "States.HeartbeatTimeout";
inline constexpr const char* timeout = "States.Timeout";
inline constexpr const char* task_failed = "States.TaskFailed";
inline constexpr const char* permissions = "States.Permissions";
inline constexpr const char* result_path_match_failure = "States.ResultPathMatchFailure";
inline constexpr const char* parameter_path_failure = "States.ParameterPathFailure";
inline constexpr const char* query_evaluation_error = "States.QueryEvaluationError";
inline constexpr const char* branch_failed = "States.BranchFailed";
inline constexpr const char* no_choice_matched = "States.NoChoiceMatched";
inline constexpr const char* intrinsic_failure = "States.IntrinsicFailure";
inline constexpr const char* exceed_tolerated_failure_threshold = "States.ExceedToleratedFailureThreshold";
inline constexpr const char* item_reader_failed = "States.ItemReaderFailed";
inline constexpr const char* result_writer_failed = "States.ResultWriterFailed";
inline constexpr const char* runtime = "States.Runtime";
inline constexpr const char* data_limit_exceeded = "States.DataLimitExceeded";
}  // namespace error_names

// An error raised while a state runs: what the engine routes to Retry and Catch, or fails the
// execution with. `cause` is AWS's text without the "An error occurred while executing the state
// 'X' (entered at the event id #N)." prefix, which only the engine knows.
struct states_error : std::runtime_error {
    states_error(std::string error, std::string cause)
        : std::runtime_error(error + ": " + cause), error(std::move(error)), cause(std::move(cause)) {}
    std::string error;
    std::string cause;
};

// A definition AWS would refuse: each diagnostic is "CODE: message at /location"; message() is
// the InvalidDefinition text CreateStateMachine answers.
struct invalid_definition : std::runtime_error {
    explicit invalid_definition(std::vector<std::string> diagnostics);
    std::vector<std::string> diagnostics;
};

// "Invalid State Machine Definition: 'A, B'", the form AWS lists several problems in.
std::string invalid_definition_message(const std::vector<std::string>& diagnostics);

}  // namespace eddy::asl
