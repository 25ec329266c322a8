#include "services/stepfunctions/asl/payload.hpp"

#include <doctest/doctest.h>

using namespace eddy::asl;

TEST_CASE("payload templates: static values, paths, context, variables and intrinsics") {
    json input = {{"flagged", true}, {"vals", {0, 10, 20}}, {"name", "x"}};
    json context = {{"Execution", {{"Id", "arn:exec"}}}};
    json variables = {{"limit", 5}};
    json tmpl = json::parse(R"J({
        "flagged": true,
        "parts": {"first.$": "$.vals[0]", "last3.$": "$.vals[1:]"},
        "list": [{"n.$": "$.name"}, "plain", 1],
        "id.$": "$$.Execution.Id",
        "limit.$": "$limit",
        "greeting.$": "States.Format('hi {}', $.name)",
        "all.$": "$"
    })J");
    json out = evaluate_payload(tmpl, path_scope{&input, &context, &variables});
    CHECK(out["flagged"] == true);
    CHECK(out["parts"] == json::parse(R"({"first": 0, "last3": [10, 20]})"));
    CHECK(out["list"] == json::parse(R"([{"n": "x"}, "plain", 1])"));
    CHECK(out["id"] == "arn:exec");
    CHECK(out["limit"] == 5);
    CHECK(out["greeting"] == "hi x");
    CHECK(out["all"] == input);
    CHECK_FALSE(out.contains("id.$"));
}

TEST_CASE("payload templates: a missing path is States.Runtime naming the field and the input") {
    json input = {{"a", 1}};
    try {
        evaluate_payload(json::parse(R"({"value.$": "$.bad"})"), path_scope{&input, nullptr, nullptr});
        FAIL("expected an error");
    } catch (const states_error& e) {
        CHECK(e.error == "States.Runtime");
        CHECK(e.cause ==
              "The JSONPath '$.bad' specified for the field 'value.$' could not be found in the input "
              "'{\"a\":1}'");
    }
}

TEST_CASE("payload templates: validation names each bad .$ field") {
    std::vector<std::string> diagnostics;
    validate_payload(json::parse(R"J({"ok.$": "$.a", "bad.$": "a.b", "nested": {"n.$": 1, "f.$": "States.Nope()"},
                                     "arr": [{"x.$": "$["}]})J"),
                     "/States/S/Parameters", diagnostics);
    REQUIRE(diagnostics.size() == 4);
    CHECK(diagnostics[0] ==
          "SCHEMA_VALIDATION_FAILED: The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic "
          "function call at /States/S/Parameters/arr/0");
    CHECK(diagnostics[1].find("'bad.$'") != std::string::npos);
    CHECK(diagnostics[2].find("'f.$'") != std::string::npos);
    CHECK(diagnostics[3].find("'n.$' must be a valid JSONPath or a valid intrinsic function call at "
                              "/States/S/Parameters/nested") != std::string::npos);
}
