#pragma once

#include "services/stepfunctions/asl/definition.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace eddy::stepfunctions {

using json = nlohmann::json;

// A state machine as CreateStateMachine made it; `program` is its parsed definition,
// shared with the executions started from it (an update does not change a running one).
struct machine {
    std::string arn, name, account, region, type = "STANDARD";
    std::string definition, role_arn, description, revision_id;
    json logging = json::object(), tracing = json::object();
    std::int64_t created_ms = 0, updated_ms = 0;
    std::map<std::string, std::string> tags;
    std::shared_ptr<const asl::state_machine> program;
};

// One entry of GetExecutionHistory: `details_key` names its *EventDetails member (empty when
// the type has none).
struct history_event {
    std::int64_t id = 0, previous = 0, at_ms = 0;
    std::string type, details_key;
    json details;
};

// Where one strand of an execution was when it last suspended, so a restarted eddy can pick
// it up there: the execution itself and, under a Parallel or Map state that was running, each
// of its branches or iterations by index. `phase` is "wait" (until `until_ms`), "token"
// (awaiting `token`), "sync" (waiting for the job in `task`), "retry" (the next attempt is
// at `until_ms`, the Retry counts are in `task`), "branches" (a Parallel or Map: its strands
// are in `running`, the outputs of the finished ones in `done`, a failure that stops them in
// `task`) or "run" (the state is re-entered). `last_event` is the strand's latest event: the previousEventId of its
// next one.
struct checkpoint {
    std::string state, phase;
    json input, variables = json::object();
    std::int64_t entered_event = 0, until_ms = 0, last_event = 0;
    std::string token;
    json task;  // token phase: resourceType, resource, timeout/heartbeat deadlines; sync: the job
    std::map<std::size_t, checkpoint> running;
    std::map<std::size_t, json> done;
    std::size_t failed = 0;  // a Map's tolerated failures among `done` (their output is null)
};

struct execution {
    std::string arn, name, machine_arn, account, region, type, role_arn;
    std::string definition;
    std::shared_ptr<const asl::state_machine> program;
    std::string input = "{}";
    std::string status = "RUNNING";  // SUCCEEDED, FAILED, TIMED_OUT, ABORTED
    std::optional<std::string> output;
    std::optional<std::string> error, cause;
    std::int64_t start_ms = 0, stop_ms = 0;
    std::int64_t machine_updated_ms = 0;  // when the machine it ran was last created or updated
    std::vector<history_event> events;
    checkpoint at;
    json logging = json::object();  // the machine's loggingConfiguration when it started
    bool persisted = false;         // STANDARD with a data directory: mirrored in SQLite
};

}  // namespace eddy::stepfunctions
