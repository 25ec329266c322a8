#include "services/stepfunctions/asl/error_handling.hpp"

#include <cmath>

namespace eddy::asl {

bool error_matches(std::string_view pattern, std::string_view error) {
    if (error == error_names::runtime) return false;
    if (pattern == error) return true;
    if (pattern == error_names::all) return error != error_names::data_limit_exceeded;
    if (pattern == error_names::task_failed)
        return error != error_names::timeout && error != error_names::data_limit_exceeded;
    return false;
}

bool error_equals_matches(const std::vector<std::string>& error_equals, std::string_view error) {
    for (const auto& pattern : error_equals)
        if (error_matches(pattern, error)) return true;
    return false;
}

double retry_delay_seconds(const retrier& r, int attempt) {
    double delay = r.interval_seconds * std::pow(r.backoff_rate, attempt);
    if (r.max_delay_seconds) delay = std::min(delay, static_cast<double>(*r.max_delay_seconds));
    return delay;
}

error_decision decide_on_error(const state& s, const states_error& error, std::vector<int>& retries,
                               const json& raw_input, const environment& env, const std::function<double()>& uniform) {
    error_decision out;
    retries.resize(s.retry.size(), 0);
    // Only the first Retrier that names the error counts; once it is spent, the Catchers decide.
    for (std::size_t i = 0; i < s.retry.size(); ++i) {
        const auto& r = s.retry[i];
        if (!error_equals_matches(r.error_equals, error.error)) continue;
        if (retries[i] < r.max_attempts) {
            out.what = error_decision::kind::retry;
            out.retrier = i;
            out.delay_seconds = retry_delay_seconds(r, retries[i]);
            if (r.full_jitter) out.delay_seconds *= uniform();
            ++retries[i];
            return out;
        }
        break;
    }
    for (std::size_t i = 0; i < s.catchers.size(); ++i) {
        const auto& c = s.catchers[i];
        if (!error_equals_matches(c.error_equals, error.error)) continue;
        json error_output = {{"Error", error.error}, {"Cause", error.cause}};
        out.what = error_decision::kind::catch_;
        out.catcher = i;
        out.next = c.next;
        out.assigned = evaluate_assign(c.assign, error_output, env);
        out.output = apply_result_path(c.result_path, raw_input, error_output);
        check_data_limit(out.output, s.name);
        return out;
    }
    out.what = error_decision::kind::fail;
    return out;
}

}  // namespace eddy::asl
