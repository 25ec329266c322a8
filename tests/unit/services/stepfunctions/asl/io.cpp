#include "services/stepfunctions/asl/io.hpp"

#include "helpers.hpp"

using namespace eddy::asl;
using eddy::asl::testing::machine_with;

namespace {

// AWS's worked example of InputPath, Parameters, ResultSelector, ResultPath and OutputPath.
const json example_input = json::parse(R"({
  "comment": "Example for InputPath.",
  "dataset1": {"val1": 1, "val2": 2, "val3": 3},
  "dataset2": {"val1": "a", "val2": "b", "val3": "c"}
})");

}  // namespace

TEST_CASE("io: InputPath then Parameters give the effective input") {
    auto m = machine_with(R"({"Type": "Task", "Resource": "arn:x", "InputPath": "$.dataset2",
                               "Parameters": {"first.$": "$.val1", "static": 1, "exec.$": "$$.Execution.Id"}, "End": true})");
    environment env;
    env.context = {{"Execution", {{"Id", "arn:e"}}}};
    CHECK(effective_input(m.start(), example_input, env) ==
          json::parse(R"({"first": "a", "static": 1, "exec": "arn:e"})"));
}

TEST_CASE("io: InputPath and OutputPath null give {}") {
    auto m = machine_with(R"({"Type": "Pass", "InputPath": null, "OutputPath": null, "End": true})");
    environment env;
    CHECK(apply_input_path(m.start(), example_input, env) == json::object());
    CHECK(apply_output_path(m.start(), example_input, env) == json::object());
}

TEST_CASE("io: a missing InputPath or OutputPath is States.Runtime") {
    auto m = machine_with(R"({"Type": "Pass", "InputPath": "$.nope", "End": true})");
    environment env;
    try {
        apply_input_path(m.start(), example_input, env);
        FAIL("expected an error");
    } catch (const states_error& e) {
        CHECK(e.error == "States.Runtime");
        CHECK(e.cause == "Invalid path '$.nope' : No results for path: $['nope']");
    }
}

TEST_CASE("io: ResultSelector, ResultPath and OutputPath after a task") {
    auto m = machine_with(R"({"Type": "Task", "Resource": "arn:x",
        "ResultSelector": {"ClusterId.$": "$.output.ClusterId", "ResourceType.$": "$.resourceType"},
        "ResultPath": "$.EMROutput", "OutputPath": "$.EMROutput", "End": true})");
    json raw_result = json::parse(R"({"resourceType": "elasticmapreduce", "resource": "createCluster.sync",
                                       "output": {"SdkHttpMetadata": {"HttpStatusCode": 200}, "ClusterId": "AKIAIOSFODNN7EXAMPLE"}})");
    environment env;
    auto out = finish_state(m.start(), example_input, raw_result, env);
    CHECK(out.output == json::parse(R"({"ClusterId": "AKIAIOSFODNN7EXAMPLE", "ResourceType": "elasticmapreduce"})"));
    CHECK(out.assigned == json::object());
}

TEST_CASE("io: ResultPath absent replaces, null discards, a path merges") {
    json input = {{"a", 1}};
    json result = {{"r", 2}};
    CHECK(apply_result_path(path_field{}, input, result) == result);
    CHECK(apply_result_path(path_field{path_field::kind::null, std::nullopt}, input, result) == input);
    CHECK(apply_result_path(path_field{path_field::kind::path, json_path::parse("$.out")}, input, result) ==
          json::parse(R"({"a": 1, "out": {"r": 2}})"));
    CHECK(apply_result_path(path_field{path_field::kind::path, json_path::parse("$")}, input, result) == result);
}

TEST_CASE("io: Assign sees the selected result and the old variables") {
    auto m = machine_with(R"({"Type": "Task", "Resource": "arn:x", "ResultSelector": {"n.$": "$.count"},
        "Assign": {"count.$": "$.n", "previous.$": "$count", "fixed": "v", "when.$": "$$.Execution.StartTime"},
        "ResultPath": null, "End": true})");
    environment env;
    env.variables = {{"count", 1}};
    env.context = {{"Execution", {{"StartTime", "2024-01-01T00:00:00Z"}}}};
    auto out = finish_state(m.start(), {{"in", true}}, {{"count", 7}}, env);
    CHECK(out.output == json({{"in", true}}));
    CHECK(out.assigned == json::parse(R"({"count": 7, "previous": 1, "fixed": "v", "when": "2024-01-01T00:00:00Z"})"));
    apply_assignments(env.variables, out.assigned);
    CHECK(env.variables["count"] == 7);
    CHECK(env.variables["fixed"] == "v");
}

TEST_CASE("io: payloads over 256 KiB are States.DataLimitExceeded") {
    auto m = machine_with(R"({"Type": "Task", "Resource": "arn:x", "End": true})");
    environment env;
    json big = {{"data", std::string(max_payload_bytes, 'x')}};
    try {
        finish_state(m.start(), json::object(), big, env);
        FAIL("expected an error");
    } catch (const states_error& e) {
        CHECK(e.error == "States.DataLimitExceeded");
        CHECK(e.cause.find("'S'") != std::string::npos);
    }
    json fits = {{"data", std::string(max_payload_bytes - 20, 'x')}};
    CHECK_NOTHROW(finish_state(m.start(), json::object(), fits, env));
}
