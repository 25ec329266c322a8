#pragma once

#include "services/stepfunctions/asl/choice.hpp"
#include "services/stepfunctions/asl/json_path.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::asl {

// A path-valued field that may also be null: absent (the default, `$`), null (InputPath and
// OutputPath give {}, ResultPath discards the result) or a path.
struct path_field {
    enum class kind { absent, null, path };
    kind what = kind::absent;
    std::optional<json_path> path;
};

struct retrier {
    std::vector<std::string> error_equals;
    double interval_seconds = 1;
    int max_attempts = 3;
    double backoff_rate = 2.0;
    std::optional<long long> max_delay_seconds;
    bool full_jitter = false;  // JitterStrategy FULL
};

struct catcher {
    std::vector<std::string> error_equals;
    std::string next;
    path_field result_path;
    json assign;  // null when absent
};

enum class state_type { task, pass, choice, wait, succeed, fail, parallel, map };

struct state_machine;

// One state as written, typed. Fields that a type does not have stay empty. Built once at
// CreateStateMachine; the engine reads it for every execution.
struct state {
    std::string name;
    state_type type = state_type::pass;
    std::string next;
    bool end = false;

    // Data processing (see io.hpp); `parameters` is Parameters, or ItemSelector on a Map.
    path_field input_path, output_path, result_path;
    std::optional<json> parameters, result_selector, result, assign;

    std::vector<retrier> retry;
    std::vector<catcher> catchers;

    // Task
    std::string resource;
    std::optional<long long> timeout_seconds, heartbeat_seconds;
    std::optional<json_path> timeout_seconds_path, heartbeat_seconds_path;
    std::optional<json> credentials;

    // Choice
    std::vector<choice_rule> choices;
    std::string default_next;

    // Wait: exactly one of these.
    std::optional<json> seconds;  // a non-negative integer
    std::optional<std::string> timestamp;
    std::optional<json_path> seconds_path, timestamp_path;

    // Fail; *_path are paths or intrinsic calls, kept as text.
    std::optional<std::string> error, cause, error_path, cause_path;

    // Parallel
    std::vector<state_machine> branches;

    // Map
    std::shared_ptr<const state_machine> item_processor;
    json processor_config;  // {"Mode": "INLINE"|"DISTRIBUTED", "ExecutionType": ...} or null
    path_field items_path;
    std::optional<long long> max_concurrency, tolerated_failure_count;
    std::optional<double> tolerated_failure_percentage;
    std::optional<json_path> max_concurrency_path, tolerated_failure_count_path, tolerated_failure_percentage_path;
    std::optional<std::string> label;

    json raw;  // the state's JSON as written
};

// A StartAt and its States: the whole machine, a Parallel branch or a Map's ItemProcessor.
struct state_machine {
    std::string start_at;
    std::optional<std::string> comment;
    std::optional<long long> timeout_seconds;
    std::string query_language = "JSONPath";
    std::vector<state> states;  // in definition order

    const state* find(std::string_view name) const;
    const state& start() const { return *find(start_at); }
};

// Parses and validates a definition, throwing invalid_definition with every problem found.
state_machine parse_definition(std::string_view text);
// Every problem AWS would report, empty when the definition is valid.
std::vector<std::string> validate_definition(std::string_view text);

std::string_view state_type_name(state_type type);

}  // namespace eddy::asl
