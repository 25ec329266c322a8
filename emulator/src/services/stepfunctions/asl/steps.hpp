#pragma once

#include "services/stepfunctions/asl/definition.hpp"
#include "services/stepfunctions/asl/io.hpp"

#include <cstdint>
#include <optional>

namespace eddy::asl {

// The pure part of each state type: what it outputs and where it goes, given its raw input and
// environment. The engine adds events, waiting and task calls around these.

struct transition {
    json output;
    json assigned = json::object();
    std::string next;  // empty when the state ends its scope
};

// Pass: Result, or else the effective input (Parameters), placed by ResultPath.
transition run_pass(const state& s, const json& raw_input, const environment& env);
// Choice: the first matching rule's Next, else Default; States.NoChoiceMatched otherwise.
transition run_choice(const state& s, const json& raw_input, const environment& env);
// Succeed: InputPath then OutputPath.
json run_succeed(const state& s, const json& raw_input, const environment& env);
// Fail: the error the execution (or branch) fails with, from Error/Cause or ErrorPath/CausePath.
states_error run_fail(const state& s, const json& raw_input, const environment& env);

// Wait: when the wait ends, in nanoseconds since the epoch, and the state's output.
struct wait_plan {
    std::int64_t until_ns = 0;
    transition after;
};
wait_plan plan_wait(const state& s, const json& raw_input, const environment& env, std::int64_t now_ns);

// Task: TimeoutSeconds or TimeoutSecondsPath / HeartbeatSeconds or HeartbeatSecondsPath, read
// from the effective input (after InputPath); nullopt when the state has none.
std::optional<long long> resolve_timeout_seconds(const state& s, const json& input, const environment& env);
std::optional<long long> resolve_heartbeat_seconds(const state& s, const json& input, const environment& env);

// Map: the items (ItemsPath over the input after InputPath), and each iteration's input: the
// ItemSelector (Parameters) evaluated with $$.Map.Item.Index/Value, or the item itself.
json map_items(const state& s, const json& input, const environment& env);
json map_item_input(const state& s, const json& input, const json& item, std::size_t index, const environment& env);
// MaxConcurrency or MaxConcurrencyPath; 0 means no limit.
long long resolve_max_concurrency(const state& s, const json& input, const environment& env);
// Whether the Map fails with States.ExceedToleratedFailureThreshold after `failed` of `total`
// iterations failed.
bool map_failure_exceeds_tolerance(const state& s, std::size_t failed, std::size_t total, const json& input,
                                   const environment& env);

}  // namespace eddy::asl
