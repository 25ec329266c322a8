#include "protocol/json_reader.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using eddy::protocol::json;
using eddy::protocol::parse_json;

namespace {

// Equal values of equal types all the way down: json's == calls 1u and 1 equal.
bool same(const json& a, const json& b) {
    if (a.type() != b.type()) return false;
    if (a.is_object()) {
        if (a.size() != b.size()) return false;
        for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt)
            if (it.key() != jt.key() || !same(*it, *jt)) return false;
        return true;
    }
    if (a.is_array()) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!same(a[i], b[i])) return false;
        return true;
    }
    if (a.is_number_float()) return a.dump() == b.dump();
    return a == b;
}

// parse_json agrees with json::parse on `text`: both refuse it, or both read the same value.
void agrees(const std::string& text) {
    CAPTURE(text);
    json expected = json::parse(text, nullptr, false);
    json got;
    bool ok = parse_json(text, got);
    REQUIRE(ok == !expected.is_discarded());
    if (ok) CHECK(same(got, expected));
}

const std::vector<std::string> samples = {
    R"({"QueueUrl":"http://localhost:4566/000000000000/q","MessageBody":"hello"})",
    R"({"a":[1,-2,3.5,-0,-0.0,1e3,1E-2,2.5e+10,18446744073709551615,18446744073709551616,-9223372036854775808,-9223372036854775809],"b":{"c":null,"d":true,"e":false}})",
    R"(  { "k" : "v" , "k" : [ ] , "o" : { } }  )",
    R"(["\"\\\/\b\f\n\r\t","\u0041\u00e9\u20AC\ud83d\ude00","\u0000","caf\u00e9 — 日本 🙂"])",
    "\xEF\xBB\xBF{\"bom\":1}",
    R"([[[[[[[[[[{"deep":[[[]]]}]]]]]]]]]])",
    "1e308",
    "123",
    "\"just a string\"",
};

const std::vector<std::string> refused = {
    "",
    " ",
    "{",
    "}",
    "{\"a\":1,}",
    "[1,]",
    "[1 2]",
    "{\"a\" 1}",
    "{a:1}",
    "{'a':1}",
    "01",
    "-",
    "1.",
    ".5",
    "+1",
    "1e",
    "1e+",
    "1e400",
    "-1e400",
    "tru",
    "truex",
    "nul",
    "NaN",
    "[1]x",
    "{} {}",
    "/* c */ {}",
    "\"unterminated",
    "\"tab\there\"",
    "\"bad \\x escape\"",
    "\"\\u12\"",
    "\"\\ud83d\"",
    "\"\\ud83d\\u0041\"",
    "\"\\ude00\"",
    "\"\xC3\"",
    "\"\xC0\x80\"",
    "\"\xED\xA0\x80\"",
    "\"\xF4\x90\x80\x80\"",
    "\"\xFF\"",
    "\xEF\xBB{}",
    " \xEF\xBB\xBF{}",
    std::string("{\"a\":\"\0\"}", 9),
    std::string("[1,\0]", 5),
};

}  // namespace

TEST_CASE("parse_json reads what json::parse reads, with the same types") {
    for (auto& text : samples)
        agrees(text);
    json v;
    REQUIRE(parse_json(R"({"n":1,"m":-1,"f":1.0,"k":1,"k":"last"})", v));
    CHECK(v["n"].is_number_unsigned());
    CHECK(v["m"].is_number_integer());
    CHECK(v["f"].is_number_float());
    CHECK(v["k"] == "last");
}

TEST_CASE("parse_json refuses what json::parse refuses") {
    for (auto& text : refused) {
        agrees(text);
        json v;
        CAPTURE(text);
        CHECK_FALSE(parse_json(text, v));
    }
}

TEST_CASE("parse_json agrees with json::parse on mutated bodies") {
    // Random edits of valid bodies reach the corners: cut strings, stray bytes, broken escapes.
    std::mt19937 random(20261128);
    const std::string alphabet = "{}[]\":,\\ \t\n0123456789-+.eEtruefalsn/bu\x01\x7f\x80\xbf\xc3\xe2\xed\xf0\xf4\xff";
    std::size_t accepted = 0, tried = 0;
    for (auto& base : samples) {
        for (int round = 0; round < 3000; ++round) {
            std::string text = base;
            int edits = 1 + static_cast<int>(random() % 3);
            for (int e = 0; e < edits && !text.empty(); ++e) {
                std::size_t at = random() % text.size();
                switch (random() % 3) {
                    case 0:
                        text[at] = alphabet[random() % alphabet.size()];
                        break;
                    case 1:
                        text.insert(text.begin() + static_cast<long>(at), alphabet[random() % alphabet.size()]);
                        break;
                    default:
                        text.erase(at, 1 + random() % 3);
                }
            }
            agrees(text);
            json v;
            accepted += parse_json(text, v);
            ++tried;
        }
    }
    // Both sides of the comparison are exercised.
    CHECK(accepted > tried / 50);
    CHECK(accepted < tried);
}

TEST_CASE("parse_json keeps deep nesting off the stack") {
    std::string deep(200000, '[');
    deep += std::string(200000, ']');
    json v;
    REQUIRE(parse_json(deep, v));
    CHECK(v.is_array());
    CHECK_FALSE(parse_json(deep + "]", v));
}
