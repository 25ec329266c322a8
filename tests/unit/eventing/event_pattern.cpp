#include "eventing/event_pattern.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

using eddy::eventing::event_pattern;
using eddy::eventing::pattern_error;
using json = nlohmann::json;
// The table is read in document order so a pattern keeps its key order, which decides which of
// several problems AWS reports.
using ojson = nlohmann::ordered_json;

namespace {

const std::filesystem::path data_dir = EDDY_EVENTING_TEST_DATA;

ojson read_table(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return ojson::parse(buffer.str());
}

std::string pattern_text(const ojson& c) {
    return c.contains("pattern_text") ? c["pattern_text"].get<std::string>() : c["pattern"].dump();
}

std::string label(const std::filesystem::path& file, const ojson& c, size_t index) {
    std::string name = c.contains("name") ? c["name"].get<std::string>() : pattern_text(c);
    return file.filename().string() + " #" + std::to_string(index) + ": " + name;
}

}  // namespace

TEST_CASE("event patterns: the table of matching cases") {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(data_dir)) {
        if (entry.path().extension() != ".json" || entry.path().filename() == "invalid.json") continue;
        ojson table = read_table(entry.path());
        size_t index = 0;
        for (const ojson& c : table["cases"]) {
            ++count;
            std::string what = label(entry.path(), c, index++);
            json event = json::parse(c["event"].dump());
            bool expected = c["match"].get<bool>();
            try {
                event_pattern parsed = event_pattern::parse(pattern_text(c));
                CHECK_MESSAGE(parsed.matches(event) == expected, what);
                // The nlohmann::json entry point compiles the same pattern.
                event_pattern converted = event_pattern::from_json(json::parse(pattern_text(c)));
                CHECK_MESSAGE(converted.matches(event) == expected, what);
            } catch (const pattern_error& e) {
                FAIL_CHECK(what << ": refused with " << e.what());
            }
        }
    }
    CHECK(count >= 180);
}

TEST_CASE("event patterns: invalid patterns give AWS's messages") {
    ojson table = read_table(data_dir / "invalid.json");
    std::string prefix = table["prefix"].get<std::string>();
    size_t index = 0;
    for (const ojson& c : table["cases"]) {
        std::string what = label("invalid.json", c, index++);
        std::string expected = prefix + c["error"].get<std::string>();
        try {
            event_pattern::parse(pattern_text(c));
            FAIL_CHECK(what << ": accepted");
        } catch (const pattern_error& e) {
            CHECK_MESSAGE(std::string(e.what()) == expected, what);
        }
    }
    CHECK(index >= 80);
}

TEST_CASE("event patterns: `{}` matches everything and says so") {
    event_pattern everything = event_pattern::parse("{}");
    CHECK(everything.matches_everything());
    CHECK(everything.matches(json::object()));
    CHECK(everything.matches(json::parse(R"({"source": "x"})")));
    CHECK_FALSE(event_pattern::parse(R"({"source": ["x"]})").matches_everything());
}

TEST_CASE("event patterns: from_json refuses what parse refuses") {
    CHECK_THROWS_WITH_AS(event_pattern::from_json(json::array()),
                         "Event pattern is not valid. Reason: Filter is not an object", pattern_error);
    CHECK_THROWS_WITH_AS(event_pattern::from_json(json::parse(R"({"a": []})")),
                         "Event pattern is not valid. Reason: Empty arrays are not allowed", pattern_error);
}

TEST_CASE("event patterns: a compiled pattern is shared by copies and threads") {
    event_pattern pattern =
        event_pattern::parse(R"({"detail": {"n": [{"numeric": [">", 10]}], "s": [{"wildcard": "a*z"}]}})");
    event_pattern copy = pattern;
    json yes = json::parse(R"({"detail": {"n": 11, "s": "abcz"}})");
    json no = json::parse(R"({"detail": {"n": 11, "s": "abc"}})");
    std::vector<std::thread> threads;
    std::vector<int> mismatches(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 1000; ++i) {
                if (!copy.matches(yes) || copy.matches(no)) ++mismatches[t];
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    for (int m : mismatches)
        CHECK(m == 0);
    CHECK(pattern.matches(yes));
}
