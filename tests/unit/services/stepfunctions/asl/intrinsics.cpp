#include "services/stepfunctions/asl/intrinsics.hpp"

#include <doctest/doctest.h>

#include <regex>

using namespace eddy::asl;

namespace {

json call(std::string_view text, const json& input = json::object()) {
    return evaluate_intrinsic(text, path_scope{&input, nullptr, nullptr});
}

// The cause of the States.IntrinsicFailure the call raises, "" if it succeeds.
std::string failure(std::string_view text, const json& input = json::object()) {
    try {
        call(text, input);
    } catch (const states_error& e) {
        CHECK(e.error == "States.IntrinsicFailure");
        return e.cause;
    }
    return "";
}

bool parses(std::string_view text) {
    try {
        parse_intrinsic(text);
        return true;
    } catch (const std::invalid_argument&) {
        return false;
    }
}

}  // namespace

TEST_CASE("intrinsic syntax") {
    CHECK(parses("States.UUID()"));
    CHECK(parses("States.Format('a {} b', $.x)"));
    CHECK(parses("States.Format('it\\'s \\{\\} \\\\', 1)"));
    CHECK(parses("States.Array(1, -2.5, true, false, null, 'x', $.a, $$.b, States.UUID())"));
    CHECK(parses("States.ArrayGetItem($.a[?(@.b == 'x, y')], 0)"));
    CHECK_FALSE(parses("States.Nope()"));
    CHECK_FALSE(parses("States.UUID(1)"));     // wrong arity
    CHECK_FALSE(parses("States.MathAdd(1)"));  // wrong arity
    CHECK_FALSE(parses("States.Format('unterminated)"));
    CHECK_FALSE(parses("States.Format('\\n')"));  // only ' { } \ may be escaped
    CHECK_FALSE(parses("States.Array(1 2)"));
    CHECK_FALSE(parses("States.Array(\"double\")"));
    CHECK_FALSE(parses("States.Array(1) trailing"));
    CHECK_FALSE(parses("States.Array($.[)"));
    // Ten levels nest, eleven do not.
    std::string nested = "1";
    for (int i = 0; i < 10; ++i)
        nested = "States.Array(" + nested + ")";
    CHECK(parses(nested));
    CHECK_FALSE(parses("States.Array(" + nested + ")"));
}

TEST_CASE("States.Format") {
    CHECK(call("States.Format('Hello, my name is {}.', $.name)", {{"name", "Arnav"}}) == "Hello, my name is Arnav.");
    CHECK(call("States.Format('{} {} {} {}', 1, 2.5, true, null)") == "1 2.5 true null");
    CHECK(call("States.Format('\\{\\} is {}', 'literal')") == "{} is literal");
    CHECK(call("States.Format('it\\'s \\\\ done')") == "it's \\ done");
    CHECK(call("States.Format($.t, 'x')", {{"t", "<{}>"}}) == "<x>");
    CHECK(failure("States.Format('{} {}', 1)") != "");
    CHECK(failure("States.Format('{}', 1, 2)") != "");
    CHECK(failure("States.Format(1)") != "");
}

TEST_CASE("States.StringToJson and States.JsonToString") {
    CHECK(call("States.StringToJson($.escapedJsonString)", {{"escapedJsonString", "{\"foo\": \"bar\"}"}}) ==
          json({{"foo", "bar"}}));
    CHECK(call("States.StringToJson('{\"number\": 20}')") == json({{"number", 20}}));
    json input = {{"foo", "bar"}, {"n", 1}};
    CHECK(call("States.JsonToString($)", input) == "{\"foo\":\"bar\",\"n\":1}");
    CHECK(call("States.JsonToString($.foo)", input) == "\"bar\"");
    CHECK(failure("States.StringToJson('{not json')") != "");
    CHECK(failure("States.StringToJson(1)") != "");
}

TEST_CASE("States.Array") {
    CHECK(call("States.Array($.Id)", {{"Id", 123456}}) == json::array({123456}));
    CHECK(call("States.Array()") == json::array());
    CHECK(call("States.Array('a', 1, $.o)", {{"o", {{"k", 1}}}}) == json::array({"a", 1, {{"k", 1}}}));
}

TEST_CASE("States.ArrayPartition") {
    json input = {{"inputArray", {1, 2, 3, 4, 5, 6, 7, 8, 9}}};
    CHECK(call("States.ArrayPartition($.inputArray, 4)", input) == json::parse("[[1,2,3,4],[5,6,7,8],[9]]"));
    CHECK(call("States.ArrayPartition($.inputArray, 9)", input) == json::parse("[[1,2,3,4,5,6,7,8,9]]"));
    CHECK(call("States.ArrayPartition(States.Array(), 2)") == json::array());
    CHECK(failure("States.ArrayPartition($.inputArray, 0)", input) != "");
    CHECK(failure("States.ArrayPartition($.inputArray, 1.5)", input) != "");
    CHECK(failure("States.ArrayPartition('x', 1)") != "");
}

TEST_CASE("States.ArrayContains") {
    json input = {{"inputArray", {1, 2, 3, 4, 5, 6, 7, 8, 9}}, {"lookingFor", 5}};
    CHECK(call("States.ArrayContains($.inputArray, $.lookingFor)", input) == true);
    CHECK(call("States.ArrayContains($.inputArray, 10)", input) == false);
    CHECK(call("States.ArrayContains(States.Array('a', States.Array(1)), States.Array(1))") == true);
    CHECK(failure("States.ArrayContains('abc', 'a')") != "");
}

TEST_CASE("States.ArrayRange") {
    CHECK(call("States.ArrayRange(1, 9, 2)") == json::parse("[1,3,5,7,9]"));
    CHECK(call("States.ArrayRange(9, 1, -3)") == json::parse("[9,6,3]"));
    CHECK(call("States.ArrayRange(1, 1, 5)") == json::parse("[1]"));
    CHECK(call("States.ArrayRange(5, 1, 1)") == json::array());
    CHECK(call("States.ArrayRange(1, 1000, 1)").size() == 1000);
    CHECK(failure("States.ArrayRange(1, 1001, 1)") != "");  // 1,000 elements at most
    CHECK(failure("States.ArrayRange(1, 9, 0)") != "");
    CHECK(failure("States.ArrayRange(1.5, 9, 1)") != "");
    CHECK(failure("States.ArrayRange('1', 9, 1)") != "");
}

TEST_CASE("States.ArrayGetItem, ArrayLength, ArrayUnique") {
    json input = {{"inputArray", {1, 2, 3, 4, 5, 6, 7, 8, 9}}, {"index", 5}};
    CHECK(call("States.ArrayGetItem($.inputArray, $.index)", input) == 6);
    CHECK(call("States.ArrayLength($.inputArray)", input) == 9);
    CHECK(call("States.ArrayUnique($.a)", {{"a", {1, 2, 3, 3, 3, 3, 3, 3, 4}}}) == json::parse("[1,2,3,4]"));
    CHECK(call("States.ArrayUnique($.a)", {{"a", {"b", 1, "b", {{"x", 1}}, {{"x", 1}}}}}) ==
          json::parse(R"(["b",1,{"x":1}])"));
    CHECK(failure("States.ArrayGetItem($.inputArray, 9)", input) != "");
    CHECK(failure("States.ArrayGetItem($.inputArray, -1)", input) != "");
    CHECK(failure("States.ArrayLength('abc')") != "");
    CHECK(failure("States.ArrayUnique(1)") != "");
}

TEST_CASE("States.Base64Encode and Base64Decode") {
    CHECK(call("States.Base64Encode($.input)", {{"input", "Data to encode"}}) == "RGF0YSB0byBlbmNvZGU=");
    CHECK(call("States.Base64Decode($.base64)", {{"base64", "RGF0YSB0byBlbmNvZGU="}}) == "Data to encode");
    CHECK(call("States.Base64Encode($.s)", {{"s", std::string(10000, 'a')}}).get<std::string>().size() == 13336);
    CHECK(failure("States.Base64Encode($.s)", {{"s", std::string(10001, 'a')}}) != "");
    CHECK(failure("States.Base64Decode($.s)", {{"s", std::string(10001, 'A')}}) != "");
    CHECK(failure("States.Base64Decode('***')") != "");
    // Decoded bytes that are not UTF-8 become U+FFFD rather than a string JSON cannot carry.
    CHECK(call("States.Base64Decode('/2E=')") ==
          "\xef\xbf\xbd"
          "a");
    CHECK_NOTHROW(call("States.Base64Decode('/2E=')").dump());
    CHECK(failure("States.Base64Encode(1)") != "");
}

TEST_CASE("States.Hash") {
    json input = {{"Data", "input data"}};
    CHECK(call("States.Hash($.Data, 'SHA-1')", input) == "aaff4a450a104cd177d28d18d74485e8cae074b7");
    CHECK(call("States.Hash('abc', 'MD5')") == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(call("States.Hash('abc', 'SHA-256')") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(call("States.Hash('abc', 'SHA-384')") ==
          "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
    CHECK(call("States.Hash('abc', 'SHA-512')").get<std::string>().starts_with("ddaf35a193617aba"));
    CHECK(failure("States.Hash('abc', 'SHA-3')") != "");
    CHECK(failure("States.Hash('abc', 'sha-1')") != "");
    CHECK(failure("States.Hash($.s, 'MD5')", {{"s", std::string(10001, 'a')}}) != "");
}

TEST_CASE("States.JsonMerge is shallow") {
    json input =
        json::parse(R"({"json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}})");
    CHECK(call("States.JsonMerge($.json1, $.json2, false)", input) ==
          json::parse(R"({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3})"));
    CHECK(failure("States.JsonMerge($.json1, $.json2, true)", input) != "");
    CHECK(failure("States.JsonMerge($.json1, 'x', false)", input) != "");
    CHECK(failure("States.JsonMerge($.json1, $.json2, 'false')", input) != "");
}

TEST_CASE("States.MathRandom") {
    for (int i = 0; i < 50; ++i) {
        long long n = call("States.MathRandom(1, 999)").get<long long>();
        CHECK(n >= 1);
        CHECK(n < 999);
    }
    // A seed gives the same number every time.
    json first = call("States.MathRandom($.start, $.end, 1234)", {{"start", 1}, {"end", 999}});
    CHECK(call("States.MathRandom(1, 999, 1234)") == first);
    CHECK(first.get<long long>() >= 1);
    CHECK(call("States.MathRandom(5, 6)") == 5);
    CHECK(failure("States.MathRandom(5, 5)") != "");
    CHECK(failure("States.MathRandom('1', 5)") != "");
    CHECK(call("States.MathRandom(4.6, 5.5)") == 5);  // rounded to [5, 6)
}

TEST_CASE("States.MathAdd") {
    CHECK(call("States.MathAdd($.value1, $.step)", {{"value1", 111}, {"step", -1}}) == 110);
    CHECK(call("States.MathAdd(2147483647, 1)") == 2147483648LL);
    CHECK(failure("States.MathAdd(2147483648, 1)") != "");
    // AWS rounds a number that is not an integer to the nearest one
    CHECK(call("States.MathAdd(1.5, 1)") == 3);
    CHECK(call("States.MathAdd($.v, 0)", {{"v", 2.4}}) == 2);
    // the sums AWS gives (recorded against it)
    CHECK(call("States.MathAdd(1.49, 1.5)") == 3);
    CHECK(call("States.MathAdd(1.5, 1.51)") == 4);
    CHECK(call("States.MathAdd(-1.49, -1.5)") == -2);
    CHECK(call("States.MathAdd(-1.5, -1.51)") == -3);
    CHECK(failure("States.MathAdd('1', 1)") != "");
}

TEST_CASE("States.StringSplit") {
    CHECK(call("States.StringSplit($.inputString, $.splitter)", {{"inputString", "1,2,3,4,5"}, {"splitter", ","}}) ==
          json::parse(R"(["1","2","3","4","5"])"));
    CHECK(call("States.StringSplit($.inputString, $.splitter)",
               {{"inputString", "This.is+a,test=string"}, {"splitter", ".+,="}}) ==
          json::parse(R"(["This","is","a","test","string"])"));
    CHECK(call("States.StringSplit('a,,b', ',')") == json::parse(R"(["a","b"])"));
    CHECK(failure("States.StringSplit(1, ',')") != "");
}

TEST_CASE("States.UUID") {
    static const std::regex v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    std::string a = call("States.UUID()"), b = call("States.UUID()");
    CHECK(std::regex_match(a, v4));
    CHECK(a != b);
}

TEST_CASE("intrinsics nest and read paths") {
    json input = {{"ImageRecipe", {{"Arn", "arn:aws:imagebuilder:us-east-1:123:image-recipe/my.recipe/1.0.0"}}}};
    CHECK(call("States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
               "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit("
               "States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1), 'x')",
               input) == "1.0.x");
    try {
        call("States.Array($.missing)");
        FAIL("expected an error");
    } catch (const states_error& e) {
        CHECK(e.error == "States.Runtime");
    }
}
