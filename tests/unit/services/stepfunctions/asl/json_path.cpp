#include "services/stepfunctions/asl/json_path.hpp"

#include <doctest/doctest.h>

using namespace eddy::asl;

namespace {

const json store = json::parse(R"({
  "store": {
    "book": [
      {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95},
      {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99},
      {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99},
      {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99}
    ],
    "bicycle": {"color": "red", "price": 19.95}
  },
  "odd key": 1,
  "n": 2
})");

json eval(std::string_view path, const json& doc = store) {
    return json_path::parse(path).evaluate(path_scope{&doc, nullptr, nullptr});
}

std::string runtime_cause(std::string_view path, const json& doc = store) {
    try {
        eval(path, doc);
    } catch (const states_error& e) {
        CHECK(e.error == "States.Runtime");
        return e.cause;
    }
    return "";
}

}  // namespace

TEST_CASE("json_path: definite paths select one value") {
    CHECK(eval("$") == store);
    CHECK(eval("$.store.bicycle.color") == "red");
    CHECK(eval("$['store']['bicycle']['color']") == "red");
    CHECK(eval("$[\"odd key\"]") == 1);
    CHECK(eval("$.store.book[0].author") == "Nigel Rees");
    CHECK(eval("$.store.book[-1].title") == "The Lord of the Rings");
    CHECK(eval("$.store.book[-2].price") == 8.99);
}

TEST_CASE("json_path: indefinite paths give an array of matches") {
    CHECK(eval("$.store.book[*].author") ==
          json::array({"Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"}));
    CHECK(eval("$.store.bicycle.*") == json::array({"red", 19.95}));
    CHECK(eval("$.store.book[0,2].price") == json::array({8.95, 8.99}));
    CHECK(eval("$.store.book[1:3].price") == json::array({12.99, 8.99}));
    CHECK(eval("$.store.book[:2].price") == json::array({8.95, 12.99}));
    CHECK(eval("$.store.book[-2:].price") == json::array({8.99, 22.99}));
    CHECK(eval("$..isbn") == json::array({"0-553-21311-3", "0-395-19395-8"}));
    CHECK(eval("$..price").size() == 5);
    CHECK(eval("$.store['book','bicycle']").size() == 2);
    // No match is an empty array, not an error.
    CHECK(eval("$.store.book[*].missing") == json::array());
}

TEST_CASE("json_path: filters") {
    CHECK(eval("$.store.book[?(@.price > 10)].title") == json::array({"Sword of Honour", "The Lord of the Rings"}));
    CHECK(eval("$.store.book[?(@.isbn)].title") == json::array({"Moby Dick", "The Lord of the Rings"}));
    CHECK(eval("$.store.book[?(@.category == 'reference')].author") == json::array({"Nigel Rees"}));
    CHECK(eval("$.store.book[?(@.price < 10 && @.category != 'reference')].title") == json::array({"Moby Dick"}));
    CHECK(eval("$.store.book[?(@.price > 20 || @.price < 9)].price") == json::array({8.95, 8.99, 22.99}));
    CHECK(eval("$.store.book[?(!(@.price > 10))].price") == json::array({8.95, 8.99}));
    CHECK(eval("$.store.book[?(@.price >= 12.99)].price") == json::array({12.99, 22.99}));
    CHECK(eval("$.store.book[?(@.price <= $.n)].price") == json::array());
    CHECK(eval("$.store.book[?(@.author == \"Evelyn Waugh\")].price") == json::array({12.99}));
}

TEST_CASE("json_path: a definite path that matches nothing is States.Runtime with AWS's message") {
    CHECK(runtime_cause("$.x") == "Invalid path '$.x' : No results for path: $['x']");
    CHECK(runtime_cause("$.store.book[7]") ==
          "Invalid path '$.store.book[7]' : No results for path: $['store']['book'][7]");
    // A member missing on the way is worded as Jayway words it.
    CHECK(runtime_cause("$.nope.deeper.still") ==
          "Invalid path '$.nope.deeper.still' : Missing property in path $['nope']");
    CHECK(runtime_cause("$.store.nope.deeper") ==
          "Invalid path '$.store.nope.deeper' : Missing property in path $['store']['nope']");
    CHECK(
        runtime_cause("$.store.bicycle.color.deeper") ==
        "Invalid path '$.store.bicycle.color.deeper' : No results for path: $['store']['bicycle']['color']['deeper']");
}

TEST_CASE("json_path: context object and variables") {
    json context = {{"Execution", {{"Id", "arn:x"}, {"Input", {{"a", 1}}}}}, {"Task", {{"Token", "tok"}}}};
    json variables = {{"counter", 3}, {"user", {{"name", "Ana"}}}};
    json input = {{"a", 1}};
    path_scope scope{&input, &context, &variables};
    CHECK(json_path::parse("$$.Task.Token").evaluate(scope) == "tok");
    CHECK(json_path::parse("$$.Execution.Input.a").evaluate(scope) == 1);
    CHECK(json_path::parse("$$").evaluate(scope) == context);
    CHECK(json_path::parse("$counter").evaluate(scope) == 3);
    CHECK(json_path::parse("$user.name").evaluate(scope) == "Ana");
    CHECK(json_path::parse("$user").root() == json_path::root_kind::variable);
    CHECK(json_path::parse("$user").variable() == "user");
    CHECK_THROWS_AS(json_path::parse("$missing").evaluate(scope), states_error);
}

TEST_CASE("json_path: syntax") {
    for (const char* bad :
         {"", "a.b", "$.", "$..", "$[", "$[abc]", "$.a[?(@.b >)]", "$['a'", "$.a]", "$.a[1", "$[?(1)]"})
        CHECK_MESSAGE(!json_path::valid(bad), bad);
    for (const char* good : {"$", "$.a", "$$", "$$.Map.Item.Value", "$var", "$var.x[0]", "$.a-b", "$[0]", "$.*", "$..a",
                             "$..[0]", "$.a[?(@.b == 'x, y')]"})
        CHECK_MESSAGE(json_path::valid(good), good);
}

TEST_CASE("json_path: reference paths are definite and rooted at $") {
    CHECK(json_path::parse("$").reference());
    CHECK(json_path::parse("$.a.b[0]").reference());
    CHECK(json_path::parse("$['a b'].c").reference());
    CHECK_FALSE(json_path::parse("$.a[*]").reference());
    CHECK_FALSE(json_path::parse("$..a").reference());
    CHECK_FALSE(json_path::parse("$.a[-1]").reference());
    CHECK_FALSE(json_path::parse("$.a[0:1]").reference());
    CHECK_FALSE(json_path::parse("$$.Execution").reference());
    CHECK_FALSE(json_path::parse("$x").reference());
}

TEST_CASE("apply_reference_path: replace, nest, merge and fail") {
    json input = {{"a", 1}, {"nested", {{"keep", true}}}, {"list", {1, 2}}};
    CHECK(apply_reference_path(input, json_path::parse("$"), "r") == "r");
    CHECK(apply_reference_path(input, json_path::parse("$.result"), 5)["result"] == 5);
    CHECK(apply_reference_path(input, json_path::parse("$.a"), 5)["a"] == 5);
    json nested = apply_reference_path(input, json_path::parse("$.nested.added"), "x");
    CHECK(nested["nested"] == json({{"keep", true}, {"added", "x"}}));
    json created = apply_reference_path(input, json_path::parse("$.x.y.z"), 1);
    CHECK(created["x"] == json({{"y", {{"z", 1}}}}));
    CHECK(apply_reference_path(input, json_path::parse("$.list[1]"), 9)["list"] == json({1, 9}));
    CHECK(input["a"] == 1);  // the input is not modified
    try {
        apply_reference_path("text", json_path::parse("$.a"), 1);
        FAIL("expected an error");
    } catch (const states_error& e) {
        CHECK(e.error == "States.ResultPathMatchFailure");
        CHECK(e.cause == "Unable to apply ReferencePath $.a to input \"text\"");
    }
    CHECK_THROWS_AS(apply_reference_path(input, json_path::parse("$.a.b"), 1), states_error);
    CHECK_THROWS_AS(apply_reference_path(input, json_path::parse("$.list[5]"), 1), states_error);
}
