#include "services/stepfunctions/asl/definition.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace eddy::asl;

namespace {

const std::filesystem::path data_dir = EDDY_ASL_TEST_DATA;

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace

TEST_CASE("definitions: the valid examples parse") {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(data_dir / "valid")) {
        ++count;
        std::string text = read_file(entry.path());
        CHECK_MESSAGE(validate_definition(text).empty(), entry.path().filename().string());
        CHECK_NOTHROW(parse_definition(text));
    }
    CHECK(count >= 3);
}

TEST_CASE("definitions: each invalid example gives AWS's diagnostics") {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(data_dir / "invalid")) {
        if (entry.path().extension() != ".json") continue;
        ++count;
        json test_case = json::parse(read_file(entry.path()));
        auto expected = test_case["diagnostics"].get<std::vector<std::string>>();
        std::string text = test_case["definition"].dump();
        CHECK_MESSAGE(validate_definition(text) == expected, entry.path().filename().string());
        try {
            parse_definition(text);
            FAIL("accepted " << entry.path().filename().string());
        } catch (const invalid_definition& e) {
            CHECK(std::string(e.what()) == invalid_definition_message(expected));
        }
    }
    CHECK(count >= 10);
}

TEST_CASE("definitions: the InvalidDefinition message lists problems the way AWS does") {
    CHECK(
        invalid_definition_message({"MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next",
                                    "MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2"}) ==
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at "
        "/States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2'");
}

TEST_CASE("definitions: the typed representation") {
    auto machine = parse_definition(read_file(data_dir / "valid" / "every-state-type.asl.json"));
    CHECK(machine.start_at == "Prepare");
    CHECK(machine.timeout_seconds == 3600);
    CHECK(machine.comment.has_value());
    REQUIRE(machine.states.size() == 6);
    CHECK(machine.states[0].name == "Prepare");  // definition order

    const state& prepare = machine.start();
    CHECK(prepare.type == state_type::pass);
    CHECK(prepare.next == "Decide");
    CHECK(prepare.result_path.what == path_field::kind::path);
    CHECK(prepare.result_path.path->text() == "$.prepared");
    CHECK(prepare.assign.has_value());

    const state& decide = *machine.find("Decide");
    CHECK(decide.type == state_type::choice);
    REQUIRE(decide.choices.size() == 2);
    CHECK(decide.choices[0].what == choice_rule::kind::and_);
    CHECK(decide.choices[0].next == "Fan out");
    CHECK(decide.choices[0].assign == json({{"branch", "fan"}}));
    CHECK(decide.default_next == "Done");

    const state& pause = *machine.find("Pause");
    CHECK(pause.seconds_path->text() == "$.seconds");

    const state& fan = *machine.find("Fan out");
    CHECK(fan.type == state_type::parallel);
    REQUIRE(fan.branches.size() == 2);
    REQUIRE(fan.retry.size() == 2);
    CHECK(fan.retry[0].max_attempts == 0);
    CHECK(fan.retry[0].interval_seconds == 2);
    CHECK(fan.retry[1].backoff_rate == 1.5);
    CHECK(fan.retry[1].max_delay_seconds == 10);
    CHECK(fan.retry[1].full_jitter);
    REQUIRE(fan.catchers.size() == 1);
    CHECK(fan.catchers[0].next == "Broken");

    const state& each = fan.branches[0].start();
    CHECK(each.type == state_type::map);
    CHECK(each.items_path.path->text() == "$.prepared.items");
    CHECK(each.parameters->contains("value.$"));  // ItemSelector
    CHECK(each.max_concurrency == 2);
    CHECK(each.tolerated_failure_percentage == 10);
    CHECK(each.processor_config == json({{"Mode", "INLINE"}}));
    REQUIRE(each.item_processor);
    const state& work = each.item_processor->start();
    CHECK(work.resource == "arn:aws:states:::lambda:invoke");
    CHECK(work.timeout_seconds_path->text() == "$.timeout");
    CHECK(work.heartbeat_seconds == 10);
    CHECK(work.end);

    const state& legacy = fan.branches[1].start();
    REQUIRE(legacy.item_processor);
    CHECK(legacy.item_processor->start().type == state_type::succeed);

    const state& broken = *machine.find("Broken");
    CHECK(broken.error_path == "$.error.Error");
    CHECK(broken.cause_path == "States.Format('failed: {}', $.error.Cause)");
}

TEST_CASE("definitions: JSON problems and duplicate names in one States object") {
    auto bad_json = validate_definition("{\"StartAt\": ");
    REQUIRE(bad_json.size() == 1);
    CHECK(bad_json[0].starts_with("INVALID_JSON_DESCRIPTION: "));
    auto duplicate =
        validate_definition(R"({"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "A": {"Type": "Succeed"}}})");
    CHECK(duplicate == std::vector<std::string>{"DUPLICATE_STATE_NAME: Duplicate State name: A at /States"});
    CHECK(validate_definition(R"({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}, "Bogus": 1})") ==
          std::vector<std::string>{"SCHEMA_VALIDATION_FAILED: Field 'Bogus' is not supported at /"});
    CHECK(validate_definition(R"({"StartAt": "B", "States": {"A": {"Type": "Succeed"}}})") ==
          std::vector<std::string>{"MISSING_TRANSITION_TARGET: Missing 'StartAt' target: B at /StartAt"});
}
