// Java patterns from the models, evaluated as Java's Matcher.matches() would, or not at all.
#include "protocol/pattern.hpp"

#include "protocol/model.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace eddy::protocol;

namespace {

bool matches(std::string_view pattern, std::string_view text) {
    auto p = shape_pattern::compile(pattern);
    REQUIRE_MESSAGE(p, pattern);
    return p->matches(text);
}

}  // namespace

TEST_CASE("pattern: the whole text must match, as Matcher.matches() decides") {
    CHECK(matches("[a-zA-Z0-9_.-]+", "stream_1.a-b"));
    CHECK_FALSE(matches("[a-zA-Z0-9_.-]+", ""));
    CHECK_FALSE(matches("[a-zA-Z0-9_.-]+", "a b"));
    CHECK(matches("0|([1-9]\\d{0,128})", "0"));
    CHECK(matches("0|([1-9]\\d{0,128})", "49590338271490256608559692538361571095921575989136588898"));
    CHECK_FALSE(matches("0|([1-9]\\d{0,128})", "01"));
    CHECK_FALSE(matches("0|([1-9]\\d{0,128})", "12a"));
}

TEST_CASE("pattern: Java's escapes, classes and flags") {
    // \uD800\uDC00-\uDBFF\uDFFF is a range of supplementary characters written as surrogate pairs
    std::string_view xml_chars = "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*";
    CHECK(matches(xml_chars, "hello\n\tworld"));
    CHECK(matches(xml_chars, "caf\xc3\xa9 \xf0\x9f\x98\x80"));
    CHECK_FALSE(matches(xml_chars, std::string_view("a\x01", 2)));
    CHECK(matches("\\p{Print}+", "abc ~"));
    CHECK_FALSE(matches("\\p{Print}+", "caf\xc3\xa9"));
    CHECK_FALSE(matches("\\p{Print}+", "a\tb"));
    CHECK(matches("\\p{ASCII}*", ""));
    CHECK_FALSE(matches("\\p{ASCII}*", "\xc3\xa9"));
    CHECK(matches("(?i)all|[0-9]{12}", "ALL"));
    CHECK(matches("(?i)all|[0-9]{12}", "123456789012"));
    // a '-' after a range or a class escape is itself
    CHECK(matches("[a-zA-Z0-9-_]+", "a-b_c"));
    CHECK(matches("[\\w-_]*", "a-b_c"));
    CHECK_FALSE(matches("[\\w-_]*", "a.b"));
    CHECK(matches("[!#$%&'*+-.^_`|~0-9a-zA-Z]+", "x-amz.a,b"));  // +-. is a range holding ','
    CHECK(matches("^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$", "v1"));
    CHECK_FALSE(matches("^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$", "123"));
    CHECK(matches("[\\x20-\\x21\\x23-\\x2B\\x2D-\\x7E]*", "ab c"));
    CHECK_FALSE(matches("[\\x20-\\x21\\x23-\\x2B\\x2D-\\x7E]*", "a\"b"));
    CHECK(matches("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+", "arn:aws:kinesis:us-east-1:000000000000:stream/s"));
}

TEST_CASE("pattern: what eddy cannot evaluate faithfully is not checked") {
    CHECK_FALSE(shape_pattern::compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"));
    CHECK_FALSE(shape_pattern::compile("[0-9A-Za-z\\.\\-_]*(?<!\\.)"));
    CHECK_FALSE(shape_pattern::compile("^.{1,100000}$"));
    CHECK_FALSE(shape_pattern::compile("a*+"));
    // texts too long for std::regex's recursion pass unchecked
    auto p = shape_pattern::compile("[a]*");
    REQUIRE(p);
    CHECK(p->matches(std::string(shape_pattern::max_checked_length - 1, 'a')));
    CHECK(p->matches(std::string(shape_pattern::max_checked_length + 1, 'b')));
    CHECK_FALSE(p->matches("b"));
}

// The list the README of tests/unit/protocol/validation points at: every pattern of the
// embedded models that eddy leaves unchecked. A new model adding one shows up here.
TEST_CASE("pattern: the models' patterns eddy leaves unchecked") {
    std::set<std::string> unchecked;
    for (auto name : embedded_model_names()) {
        auto& m = model(name);
        for (auto& [shape_name, shape] : m.shapes().items())
            if (shape.contains("pattern") && !m.node(shape).pattern)
                unchecked.insert(shape["pattern"].get<std::string>());
    }
    // \p{L}, \p{Z}, \p{N}: Unicode categories in tag patterns (ECS, EventBridge, Logs, SSM, STS);
    // (?<!\.): lookbehind (Lambda); {1,100000}, {1,2000}: repeats std::regex would unroll (SSM).
    std::set<std::string> expected = {
        R"re(([\p{L}\p{Z}\p{N}_.:/=+\-@]*))re",
        R"re([0-9A-Za-z\.\-_]*(?<!\.))re",
        R"re([\p{L}\p{Z}\p{N}_.:/=+\-@]*)re",
        R"re([\p{L}\p{Z}\p{N}_.:/=+\-@]+)re",
        R"re(^!?\*?([\p{L}\p{Z}\p{N}_.:/=+\-@]*)\*?$)re",
        R"re(^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$)re",
        R"re(^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$)re",
        R"re(^.{1,100000}$)re",
        R"re(^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$)re",
        R"re(^[\p{L}\p{Z}\p{N}_.:/=\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name)re",
        R"re(^https:\/\/[-a-zA-Z0-9@:%._\+~#=]{1,253}\.s3(\.[a-z\d-]{9,16})?\.amazonaws\.com\/.{1,2000})re",
    };
    CHECK(unchecked == expected);
}
