// Java patterns from the models, evaluated as Java's Matcher.matches() would, or not at all.
#include "protocol/pattern.hpp"

#include "protocol/model.hpp"

#include <doctest/doctest.h>

#include <chrono>
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

TEST_CASE("pattern: Unicode categories, lookbehind and long repeats are checked") {
    // the tag key pattern of ECS, Logs, SSM and STS: letters, spaces and digits of any script
    std::string_view tag = "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$";
    CHECK(matches(tag, "team"));
    CHECK(matches(tag, "\xc3\xa9quipe \xd0\xba\xd0\xbe\xd0\xbc\xd0\xb0\xd0\xbd\xd0\xb4\xd0\xb0"));  // équipe команда
    CHECK(matches(tag, "\xe3\x83\x81\xe3\x83\xbc\xe3\x83\xa0\xd9\xa3"));  // チーム٣ (an Arabic-Indic digit)
    CHECK(matches(tag,
                  "a\xe3\x80\x80"
                  "b"));  // an ideographic space is a Z
    CHECK_FALSE(matches(tag, "team#1"));
    CHECK_FALSE(matches(tag, "\xf0\x9f\x98\x80"));  // an emoji is a symbol, So
    CHECK_FALSE(matches(tag, "a\tb"));              // a tab is a control, Cc
    // Lambda's alias: no final dot
    CHECK(matches("[0-9A-Za-z\\.\\-_]*(?<!\\.)", "v1.2"));
    CHECK(matches("[0-9A-Za-z\\.\\-_]*(?<!\\.)", ""));
    CHECK_FALSE(matches("[0-9A-Za-z\\.\\-_]*(?<!\\.)", "v1."));
    // SSM's 100000-character bound, on a value of that length and one longer
    CHECK(matches("^.{1,100000}$", std::string(100000, 'x')));
    CHECK_FALSE(matches("^.{1,100000}$", std::string(100001, 'x')));
    CHECK_FALSE(matches("^.{1,100000}$", ""));
}

TEST_CASE("pattern: values that are not UTF-8 are not checked") {
    CHECK(matches("[a-z]+", std::string_view("\xff\xfe", 2)));
    CHECK_FALSE(matches("[a-z]+", "\xc3\xa9"));
}

// Every pattern of every embedded model is one the engine reads: a model update bringing
// a construct it lacks fails here instead of leaving that pattern unchecked.
TEST_CASE("pattern: every pattern of every model compiles") {
    std::size_t patterns = 0;
    for (auto name : embedded_model_names()) {
        auto& m = model(name);
        for (auto& [shape_name, shape] : m.shapes().items())
            if (shape.contains("pattern")) {
                auto& p = m.node(shape).pattern;
                REQUIRE(p);
                CHECK_MESSAGE(p->supported(), name << " " << shape_name << ": " << p->source() << ": " << p->error());
                ++patterns;
            }
    }
    CHECK(patterns > 300);
}

// Not a check: figures to compare engines by (run with --no-skip). Compiling every
// pattern of every model, and matching typical short values on hot paths.
TEST_CASE("pattern: compile and match times" * doctest::skip()) {
    using clock = std::chrono::steady_clock;
    std::vector<std::string> sources;
    auto t0 = clock::now();
    for (auto name : embedded_model_names())
        for (auto& [shape_name, shape] : model(name).shapes().items())
            if (auto it = shape.find("pattern"); it != shape.end()) sources.push_back(it->get<std::string>());
    auto t1 = clock::now();
    std::size_t compiled = 0, matched = 0;
    for (auto& s : sources)
        if (auto p = shape_pattern::compile(s)) {
            ++compiled;
            matched += p->matches("x");
        }
    auto t2 = clock::now();
    auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
    MESSAGE("parsed every model in " << ms(t1 - t0) << " ms; compiled " << compiled << " of " << sources.size()
                                     << " patterns again and matched 'x' against each (" << matched << " matched) in "
                                     << ms(t2 - t1) << " ms");
    auto time_match = [&](std::string_view pattern, std::string_view text) {
        auto p = shape_pattern::compile(pattern);
        REQUIRE(p);
        constexpr int runs = 200000;
        int hits = 0;
        auto start = clock::now();
        for (int i = 0; i < runs; ++i)
            hits += p->matches(text);
        auto ns = std::chrono::duration<double, std::nano>(clock::now() - start).count() / runs;
        CHECK(hits == runs);
        MESSAGE(pattern << " on '" << text << "': " << ns << " ns a match");
    };
    time_match("[a-zA-Z0-9_.-]+", "orders-stream_1");
    time_match("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+", "arn:aws:kinesis:us-east-1:000000000000:stream/orders");
    time_match("^[a-zA-Z0-9_\\-.]{1,128}$", "orders-pipe");
}
