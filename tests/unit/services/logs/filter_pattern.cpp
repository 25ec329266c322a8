#include "services/logs/filter_pattern.hpp"

#include <doctest/doctest.h>

using namespace eddy::logs;

namespace {

bool match(std::string_view pattern, std::string_view message) {
    std::string error;
    auto p = filter_pattern::parse(pattern, error);
    REQUIRE_MESSAGE(p.has_value(), error);
    return p->matches(message);
}

bool parses(std::string_view pattern) {
    std::string error;
    return filter_pattern::parse(pattern, error).has_value();
}

}  // namespace

TEST_CASE("filter patterns: an empty pattern matches every event") {
    CHECK(match("", "anything"));
    CHECK(match("   ", "anything"));
}

TEST_CASE("filter patterns: every term must appear, case-sensitively") {
    CHECK(match("ERROR", "2026-11-27 ERROR disk full"));
    CHECK_FALSE(match("ERROR", "2026-11-27 error disk full"));
    CHECK(match("ERROR disk", "ERROR: disk full"));
    CHECK(match("disk ERROR", "ERROR: disk full"));  // order does not matter
    CHECK_FALSE(match("ERROR network", "ERROR: disk full"));
    CHECK(match("ERR", "ERROR"));  // a term matches inside a word
}

TEST_CASE("filter patterns: quoted phrases match as a whole") {
    CHECK(match("\"disk full\"", "ERROR: disk full"));
    CHECK_FALSE(match("\"full disk\"", "ERROR: disk full"));
    CHECK(match("ERROR \"disk full\"", "ERROR: disk full now"));
    CHECK_FALSE(match("\"disk  full\"", "disk full"));
    CHECK(match("\"a:b\"", "key a:b value"));
}

TEST_CASE("filter patterns: ?terms need any one, -terms none") {
    CHECK(match("?ERROR ?WARN", "WARN low memory"));
    CHECK(match("?ERROR ?WARN", "ERROR crash"));
    CHECK_FALSE(match("?ERROR ?WARN", "INFO fine"));
    CHECK(match("ERROR -retry", "ERROR crash"));
    CHECK_FALSE(match("ERROR -retry", "ERROR will retry"));
    CHECK_FALSE(match("-\"will retry\"", "ERROR will retry"));
}

TEST_CASE("filter patterns: JSON, space-delimited and regex patterns are refused, not misread") {
    CHECK_FALSE(parses("{ $.level = \"ERROR\" }"));
    CHECK_FALSE(parses("[ip, user, status=500]"));
    CHECK_FALSE(parses("%ERR.R%"));
    CHECK_FALSE(parses("\"unterminated"));
}
