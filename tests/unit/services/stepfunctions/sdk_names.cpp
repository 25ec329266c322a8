#include "services/stepfunctions/sdk_names.hpp"

#include <doctest/doctest.h>

using namespace eddy::stepfunctions;
using eddy::protocol::json;

namespace {

const json& input_shape(const eddy::protocol::service_model& m, const char* op) {
    return m.target((*m.operation(op))["input"]);
}
const json& output_shape(const eddy::protocol::service_model& m, const char* op) {
    return m.target((*m.operation(op))["output"]);
}

}  // namespace

TEST_CASE("sdk names: PascalCase parameters become ECS's camelCase members, nested through lists") {
    auto& ecs = eddy::protocol::model("ecs");
    json params = json::parse(R"({
        "Cluster": "c", "TaskDefinition": "t:1", "LaunchType": "FARGATE",
        "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": ["s1"], "AssignPublicIp": "ENABLED"}},
        "Overrides": {"ContainerOverrides": [{"Name": "app", "Environment": [{"Name": "K", "Value": "V"}]}]}})");
    json out = to_model_names(ecs, input_shape(ecs, "RunTask"), params);
    CHECK(out == json::parse(R"({
        "cluster": "c", "taskDefinition": "t:1", "launchType": "FARGATE",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s1"], "assignPublicIp": "ENABLED"}},
        "overrides": {"containerOverrides": [{"name": "app", "environment": [{"name": "K", "value": "V"}]}]}})"));
}

TEST_CASE("sdk names: results come back in PascalCase; map keys and unknown members stay as they are") {
    auto& ecs = eddy::protocol::model("ecs");
    json result = json::parse(R"({"tasks": [{"taskArn": "a", "containers": [{"exitCode": 0}]}], "failures": []})");
    CHECK(to_sdk_names(ecs, output_shape(ecs, "RunTask"), result) ==
          json::parse(R"({"Tasks": [{"TaskArn": "a", "Containers": [{"ExitCode": 0}]}], "Failures": []})"));

    auto& sqs = eddy::protocol::model("sqs");
    json send = json::parse(
        R"({"QueueUrl": "u", "MessageBody": "b", "MessageAttributes": {"myKey": {"DataType": "String", "StringValue": "x"}},
            "NotAMember": 1})");
    CHECK(to_model_names(sqs, input_shape(sqs, "SendMessage"), send) == send);
    json attrs = json::parse(R"({"Attributes": {"ApproximateNumberOfMessages": "1", "lowercase": "2"}})");
    CHECK(to_sdk_names(sqs, output_shape(sqs, "GetQueueAttributes"), attrs) == attrs);
}
