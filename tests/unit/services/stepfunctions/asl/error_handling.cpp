#include "services/stepfunctions/asl/error_handling.hpp"

#include "helpers.hpp"

using namespace eddy::asl;
using eddy::asl::testing::machine_with;

namespace {

double half() {
    return 0.5;
}

}  // namespace

TEST_CASE("errors: which ErrorEquals names match") {
    CHECK(error_matches("Custom", "Custom"));
    CHECK_FALSE(error_matches("Custom", "custom"));
    CHECK(error_matches("States.ALL", "Custom"));
    CHECK(error_matches("States.ALL", "States.Timeout"));
    CHECK(error_matches("States.ALL", "States.TaskFailed"));
    CHECK_FALSE(error_matches("States.ALL", "States.DataLimitExceeded"));
    CHECK(error_matches("States.DataLimitExceeded", "States.DataLimitExceeded"));
    CHECK_FALSE(error_matches("States.ALL", "States.Runtime"));
    CHECK_FALSE(error_matches("States.Runtime", "States.Runtime"));
    CHECK(error_matches("States.TaskFailed", "Lambda.ServiceException"));
    CHECK(error_matches("States.TaskFailed", "States.HeartbeatTimeout"));
    CHECK_FALSE(error_matches("States.TaskFailed", "States.Timeout"));
    CHECK(error_matches("States.Timeout", "States.Timeout"));
    CHECK(error_equals_matches({"A", "B"}, "B"));
    CHECK_FALSE(error_equals_matches({"A", "B"}, "C"));
}

TEST_CASE("errors: retry delays grow by BackoffRate and stop at MaxDelaySeconds") {
    retrier r;
    r.interval_seconds = 3;
    r.backoff_rate = 2;
    CHECK(retry_delay_seconds(r, 0) == 3);
    CHECK(retry_delay_seconds(r, 1) == 6);
    CHECK(retry_delay_seconds(r, 2) == 12);
    r.max_delay_seconds = 10;
    CHECK(retry_delay_seconds(r, 2) == 10);
}

TEST_CASE("errors: retry until MaxAttempts, then catch") {
    auto m = machine_with(R"({"Type": "Task", "Resource": "arn:x", "End": true,
        "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 3}],
        "Catch": [{"ErrorEquals": ["Other"], "Next": "S"},
                  {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "S", "Assign": {"why.$": "$.Cause"}}]})");
    const state& s = m.start();
    std::vector<int> retries;
    environment env;
    json input = {{"in", 1}};
    states_error flaky("Flaky", "it broke");

    auto first = decide_on_error(s, flaky, retries, input, env, half);
    CHECK(first.what == error_decision::kind::retry);
    CHECK(first.delay_seconds == 1);
    auto second = decide_on_error(s, flaky, retries, input, env, half);
    CHECK(second.what == error_decision::kind::retry);
    CHECK(second.delay_seconds == 3);
    CHECK(retries == std::vector<int>{2});

    auto third = decide_on_error(s, flaky, retries, input, env, half);
    REQUIRE(third.what == error_decision::kind::catch_);
    CHECK(third.catcher == 1);
    CHECK(third.next == "S");
    CHECK(third.output == json::parse(R"({"in": 1, "error": {"Error": "Flaky", "Cause": "it broke"}})"));
    CHECK(third.assigned == json({{"why", "it broke"}}));

    auto other = decide_on_error(s, states_error("Other", "x"), retries, input, env, half);
    CHECK(other.what == error_decision::kind::catch_);
    CHECK(other.catcher == 0);
    CHECK(other.output == json({{"Error", "Other"}, {"Cause", "x"}}));  // no ResultPath: replaces the input
}

TEST_CASE("errors: MaxAttempts 0 never retries, only the first matching Retrier counts, jitter") {
    auto m = machine_with(R"({"Type": "Task", "Resource": "arn:x", "End": true,
        "Retry": [{"ErrorEquals": ["A"], "MaxAttempts": 0},
                  {"ErrorEquals": ["A", "B"], "IntervalSeconds": 4, "JitterStrategy": "FULL"}]})");
    std::vector<int> retries;
    environment env;
    auto a = decide_on_error(m.start(), states_error("A", ""), retries, json::object(), env, half);
    CHECK(a.what == error_decision::kind::fail);
    auto b = decide_on_error(m.start(), states_error("B", ""), retries, json::object(), env, half);
    CHECK(b.what == error_decision::kind::retry);
    CHECK(b.retrier == 1);
    CHECK(b.delay_seconds == 2);  // FULL jitter: a random share of 4 seconds
    CHECK(retries == std::vector<int>{0, 1});
}

TEST_CASE("errors: defaults are 1 second, 3 attempts, rate 2") {
    auto m = machine_with(
        R"({"Type": "Task", "Resource": "arn:x", "End": true, "Retry": [{"ErrorEquals": ["States.ALL"]}]})");
    std::vector<int> retries;
    environment env;
    std::vector<double> delays;
    while (true) {
        auto d = decide_on_error(m.start(), states_error("X", ""), retries, json::object(), env, half);
        if (d.what != error_decision::kind::retry) break;
        delays.push_back(d.delay_seconds);
    }
    CHECK(delays == std::vector<double>{1, 2, 4});
}

TEST_CASE("errors: States.Runtime fails the execution even with States.ALL") {
    auto m = machine_with(R"({"Type": "Task", "Resource": "arn:x", "End": true,
        "Retry": [{"ErrorEquals": ["States.ALL"]}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "S"}]})");
    std::vector<int> retries;
    environment env;
    auto d = decide_on_error(m.start(), states_error("States.Runtime", "bad path"), retries, json::object(), env, half);
    CHECK(d.what == error_decision::kind::fail);
    auto limit =
        decide_on_error(m.start(), states_error("States.DataLimitExceeded", ""), retries, json::object(), env, half);
    CHECK(limit.what == error_decision::kind::fail);
}
