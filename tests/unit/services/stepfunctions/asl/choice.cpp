#include "services/stepfunctions/asl/choice.hpp"

#include <doctest/doctest.h>

using namespace eddy::asl;

namespace {

choice_rule rule(const std::string& text) {
    std::vector<std::string> diagnostics;
    auto r = parse_choice_rule(json::parse(text), "/States/C/Choices/0", false, diagnostics);
    REQUIRE_MESSAGE(r.has_value(), text);
    return *r;
}

bool holds(const std::string& text, const json& input) {
    return evaluate_choice_rule(rule(text), path_scope{&input, nullptr, nullptr});
}

std::vector<std::string> problems(const std::string& text, bool top_level = true) {
    std::vector<std::string> diagnostics;
    parse_choice_rule(json::parse(text), "/States/C/Choices/0", top_level, diagnostics);
    return diagnostics;
}

}  // namespace

TEST_CASE("choice: string comparisons") {
    json in = {{"s", "b"}, {"other", "c"}, {"n", 1}};
    CHECK(holds(R"({"Variable": "$.s", "StringEquals": "b"})", in));
    CHECK_FALSE(holds(R"({"Variable": "$.s", "StringEquals": "B"})", in));
    CHECK(holds(R"({"Variable": "$.s", "StringLessThan": "c"})", in));
    CHECK(holds(R"({"Variable": "$.s", "StringGreaterThan": "a"})", in));
    CHECK(holds(R"({"Variable": "$.s", "StringLessThanEquals": "b"})", in));
    CHECK(holds(R"({"Variable": "$.s", "StringGreaterThanEquals": "b"})", in));
    CHECK(holds(R"({"Variable": "$.s", "StringLessThanPath": "$.other"})", in));
    CHECK(holds(R"({"Variable": "$.s", "StringEqualsPath": "$.s"})", in));
    CHECK_FALSE(holds(R"({"Variable": "$.s", "StringGreaterThanPath": "$.other"})", in));
    CHECK_FALSE(holds(R"({"Variable": "$.s", "StringGreaterThanEqualsPath": "$.other"})", in));
    CHECK(holds(R"({"Variable": "$.s", "StringLessThanEqualsPath": "$.other"})", in));
    // A value of another type never matches.
    CHECK_FALSE(holds(R"({"Variable": "$.n", "StringEquals": "1"})", in));
}

TEST_CASE("choice: numeric comparisons") {
    json in = {{"n", 5}, {"f", 5.5}, {"limit", 10}, {"s", "5"}};
    CHECK(holds(R"({"Variable": "$.n", "NumericEquals": 5})", in));
    CHECK(holds(R"({"Variable": "$.n", "NumericEquals": 5.0})", in));
    CHECK(holds(R"({"Variable": "$.f", "NumericGreaterThan": 5})", in));
    CHECK(holds(R"({"Variable": "$.f", "NumericLessThan": 6})", in));
    CHECK(holds(R"({"Variable": "$.n", "NumericLessThanEquals": 5})", in));
    CHECK(holds(R"({"Variable": "$.n", "NumericGreaterThanEquals": 5})", in));
    CHECK(holds(R"({"Variable": "$.n", "NumericLessThanPath": "$.limit"})", in));
    CHECK(holds(R"({"Variable": "$.limit", "NumericGreaterThanPath": "$.n"})", in));
    CHECK(holds(R"({"Variable": "$.n", "NumericEqualsPath": "$.n"})", in));
    CHECK(holds(R"({"Variable": "$.n", "NumericLessThanEqualsPath": "$.limit"})", in));
    CHECK_FALSE(holds(R"({"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.limit"})", in));
    CHECK_FALSE(holds(R"({"Variable": "$.s", "NumericEquals": 5})", in));
}

TEST_CASE("choice: boolean and timestamp comparisons") {
    json in = {
        {"b", true}, {"t", "2016-03-14T01:59:00Z"}, {"later", "2016-03-14T03:00:00+01:00"}, {"bad", "2016-03-14"}};
    CHECK(holds(R"({"Variable": "$.b", "BooleanEquals": true})", in));
    CHECK_FALSE(holds(R"({"Variable": "$.b", "BooleanEquals": false})", in));
    CHECK(holds(R"({"Variable": "$.b", "BooleanEqualsPath": "$.b"})", in));
    CHECK(holds(R"({"Variable": "$.t", "TimestampEquals": "2016-03-14T02:59:00+01:00"})", in));
    CHECK(holds(R"({"Variable": "$.t", "TimestampLessThan": "2016-03-14T02:00:00Z"})", in));
    CHECK(holds(R"({"Variable": "$.t", "TimestampGreaterThan": "2016-03-14T01:58:59.999Z"})", in));
    CHECK(holds(R"({"Variable": "$.t", "TimestampLessThanEquals": "2016-03-14T01:59:00Z"})", in));
    CHECK(holds(R"({"Variable": "$.t", "TimestampGreaterThanEquals": "2016-03-14T01:59:00Z"})", in));
    CHECK(holds(R"({"Variable": "$.t", "TimestampLessThanPath": "$.later"})", in));
    CHECK_FALSE(holds(R"({"Variable": "$.t", "TimestampEqualsPath": "$.later"})", in));
    CHECK(holds(R"({"Variable": "$.later", "TimestampGreaterThanPath": "$.t"})", in));
    CHECK(holds(R"({"Variable": "$.t", "TimestampLessThanEqualsPath": "$.t"})", in));
    CHECK(holds(R"({"Variable": "$.t", "TimestampGreaterThanEqualsPath": "$.t"})", in));
    CHECK_FALSE(holds(R"({"Variable": "$.bad", "TimestampLessThan": "2030-01-01T00:00:00Z"})", in));
}

TEST_CASE("choice: type tests and IsPresent") {
    json in = {{"nul", nullptr}, {"n", 1.5}, {"s", "x"}, {"b", false}, {"t", "2020-01-01T00:00:00Z"}};
    CHECK(holds(R"({"Variable": "$.nul", "IsNull": true})", in));
    CHECK(holds(R"({"Variable": "$.n", "IsNull": false})", in));
    CHECK(holds(R"({"Variable": "$.n", "IsNumeric": true})", in));
    CHECK(holds(R"({"Variable": "$.s", "IsNumeric": false})", in));
    CHECK(holds(R"({"Variable": "$.s", "IsString": true})", in));
    CHECK(holds(R"({"Variable": "$.b", "IsBoolean": true})", in));
    CHECK(holds(R"({"Variable": "$.t", "IsTimestamp": true})", in));
    CHECK(holds(R"({"Variable": "$.s", "IsTimestamp": false})", in));
    CHECK(holds(R"({"Variable": "$.s", "IsPresent": true})", in));
    CHECK(holds(R"({"Variable": "$.missing", "IsPresent": false})", in));
    CHECK_FALSE(holds(R"({"Variable": "$.missing", "IsPresent": true})", in));
}

TEST_CASE("choice: And, Or, Not") {
    json in = {{"n", 5}, {"s", "x"}};
    CHECK(holds(R"({"And": [{"Variable": "$.n", "NumericGreaterThan": 1}, {"Variable": "$.s", "StringEquals": "x"}]})",
                in));
    CHECK_FALSE(holds(
        R"({"And": [{"Variable": "$.n", "NumericGreaterThan": 9}, {"Variable": "$.s", "StringEquals": "x"}]})", in));
    CHECK(holds(R"({"Or": [{"Variable": "$.n", "NumericGreaterThan": 9}, {"Variable": "$.s", "StringEquals": "x"}]})",
                in));
    CHECK(holds(R"({"Not": {"Variable": "$.s", "StringEquals": "y"}})", in));
    // Or stops at the first true rule, so a missing variable after it does not fail.
    CHECK(holds(R"({"Or": [{"Variable": "$.s", "IsPresent": true}, {"Variable": "$.gone", "IsNull": true}]})", in));
}

TEST_CASE("choice: a missing Variable is States.Runtime") {
    json in = {{"a", 1}};
    try {
        holds(R"({"Variable": "$.x", "NumericEquals": 1})", in);
        FAIL("expected an error");
    } catch (const states_error& e) {
        CHECK(e.error == "States.Runtime");
        // AWS's wording for Choice conditions, not Jayway's
        CHECK(e.cause == "Invalid path '$.x': The choice state's condition path references an invalid value.");
    }
    try {
        holds(R"({"Variable": "$.a", "NumericEqualsPath": "$.x"})", in);
        FAIL("expected an error");
    } catch (const states_error& e) {
        CHECK(e.error == "States.Runtime");
        CHECK(e.cause == "Invalid path '$.x': The choice state's condition path references an invalid value.");
    }
}

TEST_CASE("choice: StringMatches wildcards and escapes") {
    CHECK(string_matches("log-2024.txt", "log-*.txt"));
    CHECK(string_matches("anything", "*"));
    CHECK(string_matches("", "*"));
    CHECK(string_matches("abc", "a*b*c"));
    CHECK(string_matches("a*c", "a\\*c"));
    CHECK_FALSE(string_matches("abc", "a\\*c"));
    CHECK(string_matches("a\\c", "a\\\\c"));
    CHECK_FALSE(string_matches("log.txt", "log-*.txt"));
    CHECK_FALSE(string_matches("abcd", "abc"));
    CHECK(string_matches("mississippi", "*iss*ppi"));
    CHECK(holds(R"({"Variable": "$.f", "StringMatches": "*.log"})", {{"f", "app.log"}}));
}

TEST_CASE("choice: rule validation") {
    CHECK(problems(R"({"Variable": "$.a", "StringEquals": "x", "Next": "N"})").empty());
    CHECK(
        problems(R"({"Variable": "$.a", "StringEquals": "x"})") ==
        std::vector<std::string>{"SCHEMA_VALIDATION_FAILED: These fields are required: [Next] at /States/C/Choices/0"});
    CHECK(problems(R"({"Variable": "$.a", "Next": "N"})").size() == 1);
    CHECK(problems(R"({"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "N"})").size() == 1);
    CHECK(problems(R"({"Variable": "$.a", "StringEquals": 1, "Next": "N"})") ==
          std::vector<std::string>{
              "SCHEMA_VALIDATION_FAILED: Expected value of type String at /States/C/Choices/0/StringEquals"});
    CHECK(problems(R"({"Variable": "$.a", "NumericEquals": "1", "Next": "N"})").size() == 1);
    CHECK(problems(R"({"Variable": "$.a", "IsNull": "yes", "Next": "N"})").size() == 1);
    CHECK(problems(R"({"Variable": "$.a", "TimestampEquals": "yesterday", "Next": "N"})") ==
          std::vector<std::string>{"SCHEMA_VALIDATION_FAILED: The value for the field 'TimestampEquals' must be a "
                                   "valid timestamp at /States/C/Choices/0/TimestampEquals"});
    CHECK(problems(R"({"Variable": "a.b", "StringEquals": "x", "Next": "N"})") ==
          std::vector<std::string>{"SCHEMA_VALIDATION_FAILED: The value for the field 'Variable' must be a valid "
                                   "JSONPath at /States/C/Choices/0/Variable"});
    CHECK(problems(R"({"Variable": "$.a", "StringEqualsPath": "nope", "Next": "N"})").size() == 1);
    // StringMatches has no *Path form.
    CHECK(problems(R"({"Variable": "$.a", "StringMatchesPath": "$.b", "Next": "N"})").front() ==
          "SCHEMA_VALIDATION_FAILED: Field 'StringMatchesPath' is not supported at /States/C/Choices/0");
    CHECK(problems(R"({"Variable": "$.a", "StringEquals": "x", "Next": "N", "Extra": 1})") ==
          std::vector<std::string>{"SCHEMA_VALIDATION_FAILED: Field 'Extra' is not supported at /States/C/Choices/0"});
    CHECK(problems(R"({"And": [], "Next": "N"})").size() == 1);
    // Nested rules have no Next.
    CHECK(
        problems(R"({"Not": {"Variable": "$.a", "IsNull": true, "Next": "N"}, "Next": "N"})") ==
        std::vector<std::string>{"SCHEMA_VALIDATION_FAILED: Field 'Next' is not supported at /States/C/Choices/0/Not"});
}
