#include "services/stepfunctions/asl/steps.hpp"

#include "helpers.hpp"
#include "services/stepfunctions/asl/timestamp.hpp"

using namespace eddy::asl;
using eddy::asl::testing::machine_with;

namespace {

constexpr std::int64_t sec = 1000000000;

state_machine pass_machine(const std::string& body) {
    return machine_with(R"({"Type": "Pass", )" + body + "}");
}

}  // namespace

TEST_CASE("Pass: the input passes through, Result replaces it, ResultPath places it") {
    environment env;
    json input = {{"georefOf", "Home"}};
    CHECK(run_pass(pass_machine(R"("End": true)").start(), input, env).output == input);
    auto with_result = pass_machine(R"("Result": {"x-datum": 0.381018, "y-datum": 622.2269926397355},
                                        "ResultPath": "$.coords", "End": true)");
    auto out = run_pass(with_result.start(), input, env);
    CHECK(out.output ==
          json::parse(R"({"georefOf": "Home", "coords": {"x-datum": 0.381018, "y-datum": 622.2269926397355}})"));
    CHECK(out.next.empty());
    auto params = pass_machine(R"("Parameters": {"g.$": "$.georefOf"}, "ResultPath": "$.p", "End": true)");
    CHECK(run_pass(params.start(), input, env).output == json::parse(R"({"georefOf": "Home", "p": {"g": "Home"}})"));
    auto discard = pass_machine(R"("Result": 1, "ResultPath": null, "End": true)");
    CHECK(run_pass(discard.start(), input, env).output == input);
}

TEST_CASE("Pass: Assign and Next") {
    auto m = parse_definition(R"({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": {"v": 3}, "Assign": {"v.$": "$.v"}, "Next": "B"},
        "B": {"Type": "Succeed"}}})");
    environment env;
    auto out = run_pass(m.start(), json::object(), env);
    CHECK(out.next == "B");
    CHECK(out.assigned == json({{"v", 3}}));
}

TEST_CASE("Choice: first match, Default, States.NoChoiceMatched") {
    auto m = parse_definition(R"({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "InputPath": "$.in", "OutputPath": "$.x", "Assign": {"seen": true},
              "Choices": [{"Variable": "$.x", "NumericGreaterThan": 10, "Next": "Big", "Assign": {"size": "big"}},
                          {"Variable": "$.x", "NumericGreaterThan": 5, "Next": "Medium"}],
              "Default": "Small"},
        "Big": {"Type": "Succeed"}, "Medium": {"Type": "Succeed"}, "Small": {"Type": "Succeed"}}})");
    environment env;
    auto big = run_choice(m.start(), {{"in", {{"x", 20}}}}, env);
    CHECK(big.next == "Big");
    CHECK(big.output == 20);
    CHECK(big.assigned == json({{"seen", true}, {"size", "big"}}));
    CHECK(run_choice(m.start(), {{"in", {{"x", 7}}}}, env).next == "Medium");
    CHECK(run_choice(m.start(), {{"in", {{"x", 1}}}}, env).next == "Small");

    auto strict = parse_definition(R"({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "D"}]},
        "D": {"Type": "Succeed"}}})");
    try {
        run_choice(strict.start(), json::object(), env);
        FAIL("expected an error");
    } catch (const states_error& e) {
        CHECK(e.error == "States.NoChoiceMatched");
    }
}

TEST_CASE("Succeed and Fail") {
    environment env;
    auto succeed = machine_with(R"({"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"})");
    CHECK(run_succeed(succeed.start(), {{"a", {{"b", 1}}}}, env) == 1);

    auto fixed = machine_with(R"({"Type": "Fail", "Error": "Custom.Error", "Cause": "because"})");
    auto e = run_fail(fixed.start(), json::object(), env);
    CHECK(e.error == "Custom.Error");
    CHECK(e.cause == "because");

    auto dynamic =
        machine_with(R"J({"Type": "Fail", "ErrorPath": "$.err", "CausePath": "States.Format('n={}', $.n)"})J");
    auto d = run_fail(dynamic.start(), {{"err", "E"}, {"n", 3}}, env);
    CHECK(d.error == "E");
    CHECK(d.cause == "n=3");
    CHECK_THROWS_AS(run_fail(dynamic.start(), {{"err", 1}, {"n", 3}}, env), states_error);

    auto bare = machine_with(R"({"Type": "Fail"})");
    CHECK(run_fail(bare.start(), json::object(), env).error.empty());
}

TEST_CASE("Wait: Seconds, Timestamp, SecondsPath, TimestampPath") {
    environment env;
    std::int64_t now = 1000 * sec;
    CHECK(plan_wait(machine_with(R"({"Type": "Wait", "Seconds": 10, "End": true})").start(), json::object(), env, now)
              .until_ns == 1010 * sec);
    CHECK(plan_wait(machine_with(R"({"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "End": true})").start(),
                    json::object(), env, now)
              .until_ns == *parse_timestamp("2016-03-14T01:59:00Z"));
    auto by_path = machine_with(R"({"Type": "Wait", "SecondsPath": "$.s", "End": true})");
    CHECK(plan_wait(by_path.start(), {{"s", 5}}, env, now).until_ns == 1005 * sec);
    CHECK(plan_wait(by_path.start(), {{"s", 5}}, env, now).after.output == json({{"s", 5}}));
    CHECK_THROWS_AS(plan_wait(by_path.start(), {{"s", -1}}, env, now), states_error);
    CHECK_THROWS_AS(plan_wait(by_path.start(), {{"s", "5"}}, env, now), states_error);
    CHECK_THROWS_AS(plan_wait(by_path.start(), json::object(), env, now), states_error);
    auto ts_path = machine_with(R"({"Type": "Wait", "TimestampPath": "$.t", "End": true})");
    CHECK(plan_wait(ts_path.start(), {{"t", "2020-01-01T00:00:00Z"}}, env, now).until_ns == 1577836800LL * sec);
    try {
        plan_wait(ts_path.start(), {{"t", "tomorrow"}}, env, now);
        FAIL("expected an error");
    } catch (const states_error& e) {
        CHECK(e.error == "States.Runtime");
    }
}

TEST_CASE("Task: TimeoutSecondsPath and HeartbeatSecondsPath") {
    environment env;
    auto m = machine_with(
        R"({"Type": "Task", "Resource": "arn:x", "TimeoutSecondsPath": "$.t", "HeartbeatSecondsPath": "$.h", "End": true})");
    CHECK(resolve_timeout_seconds(m.start(), {{"t", 30}, {"h", 5}}, env) == 30);
    CHECK(resolve_heartbeat_seconds(m.start(), {{"t", 30}, {"h", 5}}, env) == 5);
    CHECK_THROWS_AS(resolve_timeout_seconds(m.start(), {{"t", 0}}, env), states_error);
    CHECK_THROWS_AS(resolve_timeout_seconds(m.start(), {{"t", "30"}}, env), states_error);
    auto fixed = machine_with(R"({"Type": "Task", "Resource": "arn:x", "TimeoutSeconds": 9, "End": true})");
    CHECK(resolve_timeout_seconds(fixed.start(), json::object(), env) == 9);
    CHECK_FALSE(resolve_heartbeat_seconds(fixed.start(), json::object(), env).has_value());
}

TEST_CASE("Map: items, item inputs with $$.Map.Item, concurrency") {
    auto m = machine_with(R"({"Type": "Map", "ItemsPath": "$.detail.shipped", "MaxConcurrency": 0,
        "ItemSelector": {"parcel.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "courier.$": "$.detail.courier"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true})");
    json input = json::parse(R"({"detail": {"courier": "UQS", "shipped": [{"prod": "R31"}, {"prod": "S39"}]}})");
    environment env;
    json items = map_items(m.start(), input, env);
    REQUIRE(items.size() == 2);
    CHECK(map_item_input(m.start(), input, items[1], 1, env) ==
          json::parse(R"({"parcel": {"prod": "S39"}, "index": 1, "courier": "UQS"})"));
    CHECK(resolve_max_concurrency(m.start(), input, env) == 0);

    auto plain = machine_with(R"({"Type": "Map", "MaxConcurrencyPath": "$.c",
        "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true})");
    CHECK(map_items(plain.start(), json::array({1, 2}), env) == json::array({1, 2}));
    CHECK(map_item_input(plain.start(), json::array({1, 2}), 2, 1, env) == 2);
    CHECK_THROWS_AS(map_items(plain.start(), {{"not", "array"}}, env), states_error);
    CHECK(resolve_max_concurrency(plain.start(), {{"c", 3}}, env) == 3);
    CHECK_THROWS_AS(resolve_max_concurrency(plain.start(), {{"c", -1}}, env), states_error);
}

TEST_CASE("Map: tolerated failures") {
    environment env;
    auto strict = machine_with(
        R"({"Type": "Map", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true})");
    CHECK_FALSE(map_failure_exceeds_tolerance(strict.start(), 0, 10, json::object(), env));
    CHECK(map_failure_exceeds_tolerance(strict.start(), 1, 10, json::object(), env));

    auto count = machine_with(
        R"({"Type": "Map", "ToleratedFailureCount": 2, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true})");
    CHECK_FALSE(map_failure_exceeds_tolerance(count.start(), 2, 10, json::object(), env));
    CHECK(map_failure_exceeds_tolerance(count.start(), 3, 10, json::object(), env));

    auto pct = machine_with(
        R"({"Type": "Map", "ToleratedFailurePercentage": 25, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true})");
    CHECK_FALSE(map_failure_exceeds_tolerance(pct.start(), 1, 4, json::object(), env));
    CHECK(map_failure_exceeds_tolerance(pct.start(), 2, 4, json::object(), env));

    auto both = machine_with(
        R"({"Type": "Map", "ToleratedFailureCount": 5, "ToleratedFailurePercentage": 10, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true})");
    CHECK(map_failure_exceeds_tolerance(both.start(), 2, 10, json::object(), env));  // 20% > 10%

    auto by_path = machine_with(
        R"({"Type": "Map", "ToleratedFailureCountPath": "$.n", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true})");
    CHECK_FALSE(map_failure_exceeds_tolerance(by_path.start(), 1, 4, {{"n", 1}}, env));
    CHECK_THROWS_AS(map_failure_exceeds_tolerance(by_path.start(), 1, 4, {{"n", "x"}}, env), states_error);
}
