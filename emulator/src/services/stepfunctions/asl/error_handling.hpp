#pragma once

#include "services/stepfunctions/asl/definition.hpp"
#include "services/stepfunctions/asl/io.hpp"

#include <functional>
#include <string_view>
#include <vector>

namespace eddy::asl {

// Whether an ErrorEquals entry covers an error name. States.ALL covers everything but
// States.Runtime and States.DataLimitExceeded; States.TaskFailed everything but States.Timeout;
// States.Runtime is never caught or retried, even by name.
bool error_matches(std::string_view pattern, std::string_view error);
bool error_equals_matches(const std::vector<std::string>& error_equals, std::string_view error);

// What the engine does with a failed state.
struct error_decision {
    enum class kind { retry, catch_, fail };
    kind what = kind::fail;
    std::size_t retrier = 0;         // retry: which Retrier
    double delay_seconds = 0;        // retry: wait before the next attempt
    std::size_t catcher = 0;         // catch_: which Catcher
    std::string next;                // catch_: the state to go to
    json output;                     // catch_: the input with {"Error","Cause"} placed by the ResultPath
    json assigned = json::object();  // catch_: the Catcher's Assign, evaluated with `$` = the error output
};

// `retries` holds the retries made so far per Retrier (resized to the Retry count) and is
// updated when the decision is to retry. `uniform` draws from [0, 1) for FULL jitter.
error_decision decide_on_error(const state& s, const states_error& error, std::vector<int>& retries,
                               const json& raw_input, const environment& env, const std::function<double()>& uniform);

// The delay before retry number `attempt` (0-based) of a Retrier, before jitter:
// IntervalSeconds * BackoffRate^attempt, capped by MaxDelaySeconds.
double retry_delay_seconds(const retrier& r, int attempt);

}  // namespace eddy::asl
