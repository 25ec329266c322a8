#include "services/stepfunctions/asl/definition.hpp"
#include "services/stepfunctions/asl/intrinsics.hpp"
#include "services/stepfunctions/asl/json_path.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace eddy::asl;

// The parsers read what users send to CreateStateMachine: whatever the bytes, they answer with a
// diagnostic or a parse error, never a crash or a hang.
TEST_CASE("asl parsers survive hostile input") {
    std::mt19937 rng(42);
    const std::string alphabet = "$.[]()?@'\"*:,-0123456789abcSt!=<>&| \\{}";
    const std::vector<std::string> seeds = {"$.a[?(@.b > 1)]", "States.Format('{}', $.a)", "$..x[1:2]",
                                            "States.Array(States.Array(1), 'x\\'y')"};
    for (int i = 0; i < 20000; ++i) {
        std::string text = seeds[i % seeds.size()];
        int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            std::size_t pos = text.empty() ? 0 : rng() % text.size();
            char c = alphabet[rng() % alphabet.size()];
            switch (rng() % 3) {
                case 0:
                    text.insert(text.begin() + static_cast<long>(pos), c);
                    break;
                case 1:
                    if (!text.empty()) text.erase(pos, 1);
                    break;
                default:
                    if (!text.empty()) text[pos] = c;
            }
        }
        json input = {{"a", {1, 2, {{"b", 3}}}}, {"x", "y"}};
        path_scope scope{&input, &input, &input};
        try {
            json_path::parse(text).find(scope);
        } catch (const std::invalid_argument&) {
        } catch (const states_error&) {
        }
        try {
            evaluate_intrinsic(text, scope);
        } catch (const std::invalid_argument&) {
        } catch (const states_error&) {
        }
    }
    CHECK_FALSE(json_path::valid("$[?(" + std::string(100000, '(') + "@.a" + std::string(100000, ')') + ")]"));
    CHECK_FALSE(json_path::valid("$[?(" + std::string(100000, '!') + "@.a)]"));
    CHECK(json_path::valid("$[?(!@.a && !@.b && !@.c)]"));
    CHECK_FALSE(validate_definition(std::string(50000, '[')).empty());
    CHECK_FALSE(validate_definition("").empty());
    CHECK_FALSE(validate_definition("[]").empty());
    CHECK_FALSE(validate_definition(R"({"StartAt": 1, "States": []})").empty());
    CHECK_FALSE(
        validate_definition(R"({"StartAt": "A", "States": {"A": {"Type": "Map", "ItemProcessor": 3, "End": true}}})")
            .empty());
}

TEST_CASE("asl definitions nested absurdly deep are refused, not recursed into") {
    std::string nots;
    for (int i = 0; i < 100000; ++i)
        nots += R"({"Not": )";
    nots += R"({"Variable": "$.a", "IsNull": true})";
    for (int i = 0; i < 100000; ++i)
        nots += "}";
    std::string definition = R"({"StartAt": "C", "States": {"C": {"Type": "Choice", "Default": "D", "Choices": [)" +
                             nots.substr(0, nots.size() - 1) + R"(, "Next": "D"}]}, "D": {"Type": "Succeed"}}})";
    auto diagnostics = validate_definition(definition);
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0] == "INVALID_JSON_DESCRIPTION: The definition nests deeper than 256 levels");
}
