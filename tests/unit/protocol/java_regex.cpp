// eddy's Java regex engine, construct by construct, on whole texts as Matcher.matches().
#include "protocol/java_regex.hpp"

#include "protocol/pattern.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace eddy::protocol;

namespace {

std::u32string decode(std::string_view utf8) {
    std::u32string out;
    for (std::size_t i = 0; i < utf8.size();) {
        auto c = static_cast<unsigned char>(utf8[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
        char32_t cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
        for (std::size_t k = 1; k < n; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3f);
        out += cp;
        i += n;
    }
    return out;
}

bool matches(std::string_view pattern, std::string_view text) {
    std::string error;
    auto re = java_regex::compile(pattern, error);
    REQUIRE_MESSAGE(re, pattern << ": " << error);
    return re->matches(decode(text));
}

std::string refused(std::string_view pattern) {
    std::string error;
    auto re = java_regex::compile(pattern, error);
    return re ? "" : error;
}

}  // namespace

TEST_CASE("java regex: literals, '.', and the whole text") {
    CHECK(matches("abc", "abc"));
    CHECK_FALSE(matches("abc", "abcd"));
    CHECK_FALSE(matches("abc", "xabc"));
    CHECK(matches("a.c",
                  "a\xc3\xa9"
                  "c"));                  // '.' is one code point, not one byte
    CHECK_FALSE(matches("a.c", "a\nc"));  // nor a line terminator
    CHECK_FALSE(matches("a.c",
                        "a\xe2\x80\xa8"
                        "c"));
    CHECK(matches("(?s)a.c", "a\nc"));
    CHECK(matches("", ""));
    CHECK_FALSE(matches("", "a"));
}

TEST_CASE("java regex: classes, ranges, negation, escapes") {
    CHECK(matches("[a-c0-2_]+", "ab2_"));
    CHECK_FALSE(matches("[a-c0-2_]+", "d"));
    CHECK(matches("[^a-c]", "d"));
    CHECK_FALSE(matches("[^a-c]", "b"));
    CHECK(matches("[]a]+", "]a"));  // ']' first is itself
    CHECK(matches("[a-]+", "-a"));  // '-' last is itself
    CHECK(matches("[\\w-_]+", "a-_"));
    CHECK(matches("\\d\\w\\s\\S\\W\\D", "1a x!b"));
    CHECK_FALSE(matches("\\w", "\xc3\xa9"));  // \w is ASCII in Java
    CHECK_FALSE(matches("\\d", "\xd9\xa3"));  // and so is \d
    CHECK(matches("[\\d\\s]+", "1 2"));
    CHECK(matches("[^\\s]+", "ab"));
    CHECK_FALSE(matches("[^\\s]+", "a b"));
    CHECK(matches("\\x41\\u0042\\x{43}\\0104\\t", "ABCD\t"));
    CHECK(matches("\\uD83D\\uDE00", "\xf0\x9f\x98\x80"));  // a surrogate pair is one code point
    CHECK(matches("[\\u0020-\\u007E]+", "a ~"));
    CHECK(matches("\\$\\.\\*\\[\\]\\/", "$.*[]/"));
    CHECK(matches("\\Qa.b\\E+", "a.bb"));
    CHECK(matches("[a-z&&[^aeiou]]+", "xyz"));  // intersection
    CHECK_FALSE(matches("[a-z&&[^aeiou]]+", "xaz"));
    CHECK(matches("[a-c[x-z]]+", "axc"));  // union
    CHECK(matches("(?i)all|[0-9]{12}", "AlL"));
    CHECK_FALSE(matches("(?i)[^a]", "A"));
}

TEST_CASE("java regex: Unicode properties, in and out of brackets") {
    // letters of several scripts: Latin, Greek, Cyrillic, Arabic, Han, Hiragana, Devanagari
    CHECK(matches("\\p{L}+", "\xc3\xa9\xce\xbb\xd0\xb6\xd8\xb9\xe4\xb8\xad\xe3\x81\x82\xe0\xa4\x95"));
    CHECK_FALSE(matches("\\p{L}", "1"));
    CHECK_FALSE(matches("\\p{L}", "\xe0\xa4\xbf"));  // a Devanagari vowel sign is a mark
    CHECK(matches("\\p{M}", "\xe0\xa4\xbf"));
    CHECK(matches("\\p{N}+", "1\xd9\xa3\xe2\x85\xab\xc2\xbd"));      // 1, Arabic-Indic 3, Roman XII, one half
    CHECK(matches("\\p{Z}+", " \xc2\xa0\xe3\x80\x80\xe2\x80\xa8"));  // space, no-break, ideographic, line separator
    CHECK_FALSE(matches("\\p{Z}", "\t"));
    CHECK(matches("\\p{Lu}\\p{Ll}\\p{IsNd}\\p{gc=Sm}", "Ab1+"));
    CHECK_FALSE(matches("\\p{Lu}", "a"));
    CHECK(matches("\\P{L}", "1"));
    CHECK_FALSE(matches("\\P{L}", "a"));
    CHECK(matches("[^\\p{L}]", "1"));
    CHECK(matches("[\\P{N}]", "a"));
    CHECK(matches("\\pL\\pN", "a1"));
    CHECK(matches("\\p{Print}+", "a ~"));
    CHECK_FALSE(matches("\\p{Print}", "\xc3\xa9"));
    CHECK(matches("\\p{ASCII}*", ""));
    CHECK(unicode_category(U'A') == "Lu");
    CHECK(unicode_category(0x10FFFF) == "Cn");
    CHECK(unicode_category(0xE000) == "Co");
}

TEST_CASE("java regex: groups, alternation, quantifiers") {
    CHECK(matches("(ab|cd)+", "abcdab"));
    CHECK_FALSE(matches("(ab|cd)+", "abc"));
    CHECK(matches("(?:ab)?c", "c"));
    CHECK(matches("(?<name>a)b", "ab"));
    CHECK(matches("x(|y)z", "xz"));
    CHECK(matches("a{3}", "aaa"));
    CHECK_FALSE(matches("a{3}", "aa"));
    CHECK(matches("a{2,}", "aaaaa"));
    CHECK_FALSE(matches("a{2,}", "a"));
    CHECK(matches("(ab){1,2}", "abab"));
    CHECK_FALSE(matches("(ab){1,2}", "ababab"));
    CHECK(matches("(\\|\\^?[a-z]{3,24}){0,4}", "|abc|^defg"));
    CHECK(matches("a.*?b", "axxbxxb"));  // lazy: still the whole text
    CHECK(matches("a+?", "aaa"));
    CHECK(matches("a{1,3}?a", "aaaa"));
    CHECK_FALSE(matches("a{1,3}?a", "aaaaa"));
}

TEST_CASE("java regex: anchors") {
    CHECK(matches("^abc$", "abc"));
    CHECK(matches("$|arn:.*", ""));
    CHECK(matches("$|arn:.*", "arn:x"));
    CHECK_FALSE(matches("^abc$", "abc\n"));  // $ may stand before a final newline, but matches() wants it all
    CHECK(matches("abc$\\n", "abc\n"));
    CHECK(matches("^(AWS|Custom):.*$", "Custom:x"));
    CHECK(matches("\\Aab\\z", "ab"));
    CHECK(matches("a\\b-\\Bb", "a-b") == false);
    CHECK(matches("a\\b-b", "a-b"));
    CHECK(matches("(?m)a$\\n^b", "a\nb"));
}

TEST_CASE("java regex: lookahead and lookbehind") {
    CHECK(matches("(?!^\\d+$)^[0-9a-zA-Z-_]+$", "a1"));
    CHECK_FALSE(matches("(?!^\\d+$)^[0-9a-zA-Z-_]+$", "12"));
    CHECK(matches("^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$", "1.2"));
    CHECK_FALSE(matches("^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$", "12"));
    CHECK(matches("(^(?!(system\\x2e)))(^[_a-zA-Z0-9])([^$]*)", "systemx"));
    CHECK_FALSE(matches("(^(?!(system\\x2e)))(^[_a-zA-Z0-9])([^$]*)", "system.x"));
    CHECK(matches("[a-z.]*(?<!\\.)", "a.b"));
    CHECK_FALSE(matches("[a-z.]*(?<!\\.)", "a.b."));
    CHECK(matches("[a-z]*(?<=ab|b)", "xab"));  // a lookbehind of bounded but varying length
    CHECK_FALSE(matches("[a-z]*(?<=ab|b)", "xa"));
    CHECK(matches(".*(?=[a-z]+)((?!aws\\.).*)", "my.bus"));
    CHECK_FALSE(refused("(?<=a+)b").empty());  // Java: no obvious maximum length
}

TEST_CASE("java regex: backreferences, read as Java reads \\17") {
    CHECK(matches("(a|b)\\1", "bb"));
    CHECK_FALSE(matches("(a|b)\\1", "ab"));
    CHECK(matches("(a)\\11", "aa1"));  // one group so far: \11 is \1 then '1'
    // SSM's ISO 8601 pattern: \3 repeats the date separator
    std::string_view iso =
        "^([\\-]?\\d{4}(?!\\d{2}\\b))((-?)((0[1-9]|1[0-2])(\\3([12]\\d|0[1-9]|3[01]))?|W([0-4]\\d|5[0-2])(-?[1-7])?|"
        "(00[1-9]|0[1-9]\\d|[12]\\d{2}|3([0-5]\\d|6[1-6])))([T\\s]((([01]\\d|2[0-3])((:?)[0-5]\\d)?|24\\:?00)([\\.,]"
        "\\d(?!:))?)?(\\17[0-5]\\d([\\.,]\\d)?)?([zZ]|([\\-])([01]\\d|2[0-3]):?([0-5]\\d)?)?)?)?$";
    CHECK(matches(iso, "2024-03-15T10:20:30Z"));
    CHECK(matches(iso, "20240315T102030Z"));
    CHECK_FALSE(matches(iso, "2024-0315"));            // separators must agree
    CHECK_FALSE(matches(iso, "2024-03-15T10:2030Z"));  // so must the time's
}

// Where Java departs from the textbook, as java.util.regex answers (checked with OpenJDK 17).
TEST_CASE("java regex: Java's own rules for empty repeats, open groups and lookaround groups") {
    // (?m)^ never matches at the end of the text, even an empty one
    CHECK_FALSE(matches("(?m)^", ""));
    CHECK_FALSE(matches("(?m)a\n^", "a\n"));
    CHECK(matches("(?m)^a", "a"));
    // a repeat of a group ends at a round that matched nothing, even before its minimum
    CHECK_FALSE(matches("(?:(?<!a)a?){2}", "a"));
    CHECK(matches("(?:(?<!a)a?){2}", ""));
    CHECK(matches("(?:a|(?=b)){3}b", "ab"));
    // a backreference inside its own group sees the previous round's text
    CHECK_FALSE(matches("(a|b\\1)+", "ab"));
    CHECK(matches("(a|b\\1)+", "aba"));
    // a group set inside a negative lookahead stays set after the lookahead failed
    CHECK(matches("(?!(a)).*|a\\1", "aa"));
    CHECK_FALSE(matches("(?!(a)).*|a\\1", "a"));
}

TEST_CASE("java regex: what it does not read is refused with a reason") {
    CHECK(refused("a*+") == "possessive quantifier");
    CHECK(refused("(?x)a") == "inline flag other than i, s, m");
    CHECK(refused("\\p{InGreek}") == "unknown character property \\p{InGreek}");
    CHECK(refused("\\k<n>") == "escape \\k");
    CHECK(refused("(a") == "unclosed group");
    CHECK(refused("[a") == "unclosed character class");
    CHECK(refused("*a") == "dangling quantifier");
    CHECK(refused("[z-a]") == "illegal character range");
    CHECK(refused("a{2,1}") == "illegal repetition range");
}

TEST_CASE("java regex: long texts and large repeats, without recursion or state explosion") {
    std::string error;
    auto ssm = java_regex::compile("^.{1,100000}$", error);
    REQUIRE(ssm);
    std::u32string text(100000, U'x');
    CHECK(ssm->matches(text));
    text += U'x';
    CHECK_FALSE(ssm->matches(text));
    // a loop over a group goes through the explicit stack, one frame per repeat
    auto groups = java_regex::compile("(ab|cd)*", error);
    REQUIRE(groups);
    std::u32string pairs;
    for (int i = 0; i < 200000; ++i)
        pairs += i % 2 ? U"cd" : U"ab";
    CHECK(groups->matches(pairs));
    pairs += U'a';
    CHECK_FALSE(groups->matches(pairs));
    CHECK(matches("[\\s\\S]*\\S[\\s\\S]*", std::string(100000, ' ') + "x"));
}

// Counted in instructions run, not in time: plain backtracking needs about 2^30 steps for
// these on 30 characters and never ends on 2,000; the memo keeps them linear here.
TEST_CASE("java regex: patterns that are exponential for plain backtracking stay polynomial") {
    std::string a30(30, 'a'), a2000(2000, 'a');
    auto steps = [](std::string_view pattern, std::string_view text) {
        CHECK_FALSE(matches(pattern, text));
        return java_regex::last_steps();
    };
    for (std::string_view p : {"(a+)+b", "(a|a)*b", "(a*)*b", "(a|aa)+b", "(.*a){12}b", "(\\w+\\s?)+$x"}) {
        auto short_text = steps(p, a30), long_text = steps(p, a2000);
        MESSAGE(p << ": " << short_text << " steps on 30 characters, " << long_text << " on 2,000");
        CHECK(short_text < 100 * a30.size());  // linear in the text, with room
        CHECK(long_text < 100 * a2000.size());
    }
    // an arn pattern of the models against a long near miss
    std::string arn = "arn:aws:kinesis:" + std::string(3000, ':') + "1";
    CHECK(steps("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+", arn) < 100 * arn.size());
}

// Java's own answers (OpenJDK's java.util.regex, recorded by tools/record-java-regex) for
// texts built from every pattern of the models and for random patterns: eddy's must be the same.
TEST_CASE("java regex: agrees with Java on every model pattern and on random ones") {
    std::ifstream in(std::string(EDDY_JAVA_REGEX_TEST_DATA) + "/verdicts.json");
    REQUIRE(in);
    auto doc = nlohmann::json::parse(in);
    std::size_t texts = 0;
    for (auto& c : doc.at("cases")) {
        auto pattern = c.at("pattern").get<std::string>();
        shape_pattern p(pattern);
        REQUIRE_MESSAGE(p.supported(), pattern << ": " << p.error());
        for (auto& t : c.at("matches")) {
            CHECK_MESSAGE(p.matches(t.get<std::string>()), pattern << " should match " << t.dump());
            ++texts;
        }
        for (auto& t : c.at("fails")) {
            CHECK_MESSAGE(!p.matches(t.get<std::string>()), pattern << " should not match " << t.dump());
            ++texts;
        }
    }
    CHECK(texts > 2000);
}
