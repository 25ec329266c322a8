#include "eventing/input_template.hpp"

#include <doctest/doctest.h>

#include "core/encoding.hpp"

using eddy::eventing::input_template;
using eddy::eventing::json_path;
using eddy::eventing::render_rules;
using eddy::eventing::template_error;
using eddy::eventing::template_text;
using eddy::eventing::variables;
using eddy::eventing::with_parsed_payload;
using nlohmann::json;

namespace {

std::string render(std::string_view tmpl, const json& event, const variables& vars = {}) {
    return input_template::parse(tmpl).render(event, vars);
}

// Renders a JSON template and parses the result, so the comparison ignores spacing.
json render_json(std::string_view tmpl, const json& event, const variables& vars = {}) {
    auto t = input_template::parse(tmpl);
    REQUIRE(t.is_json());
    std::string text = t.render(event, vars);
    json out = json::parse(text, nullptr, false);
    INFO(text);
    REQUIRE_FALSE(out.is_discarded());
    return out;
}

json sqs_record(std::string body) {
    return {{"messageId", "m-1"},
            {"receiptHandle", "rh"},
            {"body", std::move(body)},
            {"attributes", {{"SenderId", "AIDA1"}, {"ApproximateReceiveCount", "1"}}},
            {"messageAttributes", json::object()},
            {"md5OfBody", "x"},
            {"eventSource", "aws:sqs"},
            {"eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:q"},
            {"awsRegion", "us-east-1"}};
}

json kinesis_record(std::string_view data_bytes) {
    return {{"kinesisSchemaVersion", "1.0"},
            {"partitionKey", "pk-1"},
            {"sequenceNumber", "49590338271490256608559692538361571095921575989136588898"},
            {"data", eddy::base64_encode(data_bytes)},
            {"approximateArrivalTimestamp", 1545084650.987},
            {"eventSource", "aws:kinesis"},
            {"eventVersion", "1.0"},
            {"eventID", "shardId-000000000006:49590338271490256608559692538361571095921575989136588898"},
            {"eventName", "aws:kinesis:record"},
            {"awsRegion", "us-east-1"},
            {"eventSourceARN", "arn:aws:kinesis:us-east-1:000000000000:stream/s"}};
}

const variables pipe_vars = {
    {"aws.pipes.pipe-arn", "arn:aws:pipes:us-east-1:000000000000:pipe/p1"},
    {"aws.pipes.pipe-name", "p1"},
    {"aws.pipes.source-arn", "arn:aws:sqs:us-east-1:000000000000:q"},
    {"aws.pipes.enrichment-arn", "arn:aws:lambda:us-east-1:000000000000:function:f"},
    {"aws.pipes.target-arn", "arn:aws:states:us-east-1:000000000000:stateMachine:sm"},
    {"aws.pipes.event.ingestion-time", "2024-05-01T12:00:00.000Z"},
};

}  // namespace

TEST_CASE("each reserved variable renders its value as a JSON string") {
    json out = render_json(R"({"arn": <aws.pipes.pipe-arn>, "name": <aws.pipes.pipe-name>,
        "source": <aws.pipes.source-arn>, "enrichment": <aws.pipes.enrichment-arn>,
        "target": <aws.pipes.target-arn>, "at": <aws.pipes.event.ingestion-time>})",
                           json::object(), pipe_vars);
    CHECK(out == json{{"arn", "arn:aws:pipes:us-east-1:000000000000:pipe/p1"},
                      {"name", "p1"},
                      {"source", "arn:aws:sqs:us-east-1:000000000000:q"},
                      {"enrichment", "arn:aws:lambda:us-east-1:000000000000:function:f"},
                      {"target", "arn:aws:states:us-east-1:000000000000:stateMachine:sm"},
                      {"at", "2024-05-01T12:00:00.000Z"}});
}

TEST_CASE("reserved variables inside a string and in free text") {
    CHECK(render(R"("<aws.pipes.pipe-name> triggered")", json::object(), pipe_vars) == R"("p1 triggered")");
    CHECK(render("pipe <aws.pipes.pipe-name> from <aws.pipes.source-arn>", json::object(), pipe_vars) ==
          "pipe p1 from arn:aws:sqs:us-east-1:000000000000:q");
}

TEST_CASE("aws.pipes.event is the event as received, escaped; aws.pipes.event.json is it parsed") {
    json record = sqs_record(R"({"order":7})");
    json out = render_json(R"({"raw": <aws.pipes.event>, "parsed": <aws.pipes.event.json>})", record);
    REQUIRE(out["raw"].is_string());
    CHECK(json::parse(out["raw"].get<std::string>()) == record);  // body still a string inside
    CHECK(out["parsed"]["body"] == json{{"order", 7}});
    CHECK(out["parsed"]["messageId"] == "m-1");

    // Inside a string literal the escaped event text keeps the output valid JSON.
    json in_string = render_json(R"({"s": "event=<aws.pipes.event>"})", json{{"a", "x\"y"}});
    CHECK(in_string["s"] == R"(event={"a":"x\"y"})");
}

TEST_CASE("aws.pipes.event.json has no value when the payload is not JSON") {
    json out = render_json(R"({"e": <aws.pipes.event.json>})", sqs_record("plain text"));
    CHECK(out["e"].is_null());
    // An enrichment that answered with text: the event is that text.
    CHECK(render("got <aws.pipes.event>", json("hello")) == "got hello");
    CHECK(render_json(R"({"e": <aws.pipes.event.json>})", json("hello"))["e"].is_null());
}

TEST_CASE("an unknown aws.pipes variable is rejected at parse") {
    CHECK_THROWS_AS(input_template::parse("{\"a\": <aws.pipes.nope>}"), template_error);
    CHECK_THROWS_WITH(input_template::parse("<aws.pipes.pipe_arn>"),
                      "InputTemplate contains invalid placeholder aws.pipes.pipe_arn.");
}

TEST_CASE("unquoted placeholders take the value's JSON, quoted ones its text") {
    json event = {{"s", "RUNNING"}, {"n", 42},           {"f", 1.5},       {"b", true},
                  {"z", nullptr},   {"o", {{"k", "v"}}}, {"a", {1, "two"}}};
    json out = render_json(R"({"s": <$.s>, "n": <$.n>, "f": <$.f>, "b": <$.b>, "z": <$.z>, "o": <$.o>, "a": <$.a>,
        "qs": "<$.s>", "qn": "<$.n>", "qb": "<$.b>", "qo": "<$.o>", "qa": "<$.a>"})",
                           event);
    CHECK(out["s"] == "RUNNING");
    CHECK(out["n"] == 42);
    CHECK(out["f"] == 1.5);
    CHECK(out["b"] == true);
    CHECK(out["z"].is_null());
    CHECK(out["o"] == json{{"k", "v"}});
    CHECK(out["a"] == json{1, "two"});
    CHECK(out["qs"] == "RUNNING");
    CHECK(out["qn"] == "42");
    CHECK(out["qb"] == "true");
    CHECK(out["qo"] == R"({"k":"v"})");
    CHECK(out["qa"] == R"([1,"two"])");
}

TEST_CASE("the guide's EC2 example and a value inside an array") {
    json event = {{"detail", {{"instance-id", "i-0123456789"}, {"state", "RUNNING"}}}};
    json out = render_json(R"({
  "instance" : <$.detail.instance-id>,
  "state": [ 9, <$.detail.state>, true ],
  "status": "instance \"<$.detail.instance-id>\" is in <$.detail.state>"
})",
                           event);
    CHECK(out == json{{"instance", "i-0123456789"},
                      {"state", {9, "RUNNING", true}},
                      {"status", "instance \"i-0123456789\" is in RUNNING"}});
}

TEST_CASE("a JSON string template keeps its quotes and gets the value's text") {
    json event = {{"attributes", {{"SenderId", "AIDA1"}}}};
    CHECK(render(R"("Hello, <$.attributes.SenderId>")", event) == R"("Hello, AIDA1")");
}

TEST_CASE("free-text templates get values as raw text") {
    json event = {{"name", "Bob \"B\""}, {"n", 3}, {"o", {{"key", "value"}}}};
    CHECK(render("Hello, <$.name>! You have <$.n> items.", event) == "Hello, Bob \"B\"! You have 3 items.");
    CHECK_FALSE(input_template::parse("Hello, <$.name>").is_json());
    // A lone placeholder is text too: a string comes bare.
    CHECK(render("<$.name>", event) == "Bob \"B\"");
    CHECK(render("  <$.n>\n", event) == "  3\n");
    // The guide: a template <$.body> turns the body {"key": "value"} into {key: value}.
    CHECK(render("<$.o>", event) == "{key:value}");
    // Static text passes through, and so does a '<' that opens no placeholder.
    CHECK(render("Hello, sender", event) == "Hello, sender");
    CHECK(render("a < b <br> <$.n>", event) == "a < b <br> 3");
    // JSON that does not parse (the guide's own trailing comma) is free text.
    CHECK(render("{\"a\": <$.n>,}", event) == "{\"a\": 3,}");
}

TEST_CASE("inserted strings are escaped for JSON") {
    json event = {{"s", "line1\nline2 \"quoted\" back\\slash\ttab"}};
    std::string text = render(R"({"v": <$.s>, "q": "[<$.s>]"})", event);
    CHECK(text.find('\n') == std::string::npos);
    json out = json::parse(text);
    CHECK(out["v"] == "line1\nline2 \"quoted\" back\\slash\ttab");
    CHECK(out["q"] == "[line1\nline2 \"quoted\" back\\slash\ttab]");
}

TEST_CASE("missing paths: null as a JSON value, nothing inside a string or free text") {
    json event = {{"a", {{"b", 1}}}, {"list", {10, 20}}};
    json out = render_json(R"({"v": <$.a.nope>, "s": "x<$.nope>y", "i": <$.list[5]>, "deep": <$.a.b.c>,
        "arn": <aws.pipes.enrichment-arn>})",
                           event);
    CHECK(out == json{{"v", nullptr}, {"s", "xy"}, {"i", nullptr}, {"deep", nullptr}, {"arn", nullptr}});
    CHECK(render("value=<$.nope>;", event) == "value=;");
}

TEST_CASE("array indexes, bracketed members and wildcards") {
    json event = {{"Records", {{{"id", "r0"}}, {{"id", "r1"}}, {{"id", "r2"}}, {{"id", "r3"}}}},
                  {"odd key", {{"x.y", "dotted"}}},
                  {"m", {{"a", 1}, {"b", 2}}},
                  {"top", {"t0", "t1"}}};
    json out = render_json(R"({"third": <$.Records[3]>, "id": <$.Records[1].id>, "br": <$['odd key']['x.y']>,
        "dq": <$["top"][1]>, "ids": <$.Records[*].id>, "vals": <$.m.*>, "none": <$.m[*].zz>, "all": <$>})",
                           event);
    CHECK(out["third"] == json{{"id", "r3"}});
    CHECK(out["id"] == "r1");
    CHECK(out["br"] == "dotted");
    CHECK(out["dq"] == "t1");
    CHECK(out["ids"] == json{"r0", "r1", "r2", "r3"});
    CHECK(out["vals"] == json{1, 2});
    CHECK(out["none"].is_null());
    CHECK(out["all"] == event);
    // An index on an object, or a member of an array, selects nothing.
    CHECK(render_json(R"({"x": <$.m[0]>, "y": <$.top.a>})", event) == json{{"x", nullptr}, {"y", nullptr}});
}

TEST_CASE("malformed placeholders are rejected at parse") {
    for (const char* bad : {"<$..a>", "<$.>", "<$.a[>", "<$.a[x]>", "<$.a[1>", "<$a>", "<$.a b>", "<$['a>",
                            "{\"a\": <$.a}", "tail <$.a"}) {
        INFO(bad);
        CHECK_THROWS_AS(input_template::parse(bad), template_error);
    }
    CHECK_THROWS_WITH(input_template::parse("<$..a>"), "InputTemplate contains an invalid JSON path: $..a");
    CHECK_NOTHROW(input_template::parse("<$>"));
    CHECK_NOTHROW(input_template::parse("<$.detail-type> <$.a_b.c/d> <$[0]>"));
}

TEST_CASE("SQS: a JSON body is parsed so its members can be read") {
    json record = sqs_record(R"({"a": {"b": "deep", "n": [1, 2]}, "k": "v"})");
    json out = render_json(R"({"b": <$.body.a.b>, "n1": <$.body.a.n[1]>, "body": <$.body>,
        "sender": <$.attributes.SenderId>})",
                           record);
    CHECK(out == json{{"b", "deep"},
                      {"n1", 2},
                      {"body", {{"a", {{"b", "deep"}, {"n", {1, 2}}}}, {"k", "v"}}},
                      {"sender", "AIDA1"}});

    json parsed = with_parsed_payload(record);
    CHECK(parsed["body"]["k"] == "v");
    CHECK(record["body"].is_string());  // a copy: the record itself is untouched
}

TEST_CASE("SQS: a body that is not JSON stays a string") {
    json record = sqs_record("hello {not json");
    CHECK(with_parsed_payload(record) == record);
    json out = render_json(R"({"body": <$.body>, "x": <$.body.x>})", record);
    CHECK(out == json{{"body", "hello {not json"}, {"x", nullptr}});
    CHECK(render("msg: <$.body>", record) == "msg: hello {not json");
}

TEST_CASE("Kinesis: base64 data holding JSON is decoded and parsed") {
    json record = kinesis_record(R"({"Data": {"CustomerId": "c1"}, "n": 5})");
    json out =
        render_json(R"({"id": <$.data.Data.CustomerId>, "n": <$.data.n>, "q": "id-<$.data.Data.CustomerId>"})", record);
    CHECK(out == json{{"id", "c1"}, {"n", 5}, {"q", "id-c1"}});
    CHECK(with_parsed_payload(record)["data"] == json{{"Data", {{"CustomerId", "c1"}}}, {"n", 5}});
}

TEST_CASE("Kinesis: data that is not JSON stays base64") {
    json record = kinesis_record("Hello, this is a test.");
    CHECK(with_parsed_payload(record) == record);
    CHECK(render_json(R"({"d": <$.data>})", record)["d"] == "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==");
    json bad = record;
    bad["data"] = "***";  // not base64 at all
    CHECK(with_parsed_payload(bad) == bad);
}

TEST_CASE("records of other sources are left as they are") {
    json ddb = {{"eventSource", "aws:dynamodb"}, {"body", "{\"a\":1}"}, {"data", "eyJhIjoxfQ=="}};
    CHECK(with_parsed_payload(ddb) == ddb);
    // Without eventSource, an SQS record is known by messageId and body.
    json bare = {{"messageId", "m"}, {"body", "{\"a\":1}"}};
    CHECK(with_parsed_payload(bare)["body"] == json{{"a", 1}});
}

TEST_CASE("the seed Kinesis template renders the state machine's input") {
    // Copied from /work/shared/reference/seed-patterns/kinesis-input-template.txt; the state
    // machine (stream-processor.asl.json) stores "$" as the S3 object body.
    const char* seed = R"({
  "partitionKey": <$.partitionKey>,
  "sequenceNumber": <$.sequenceNumber>,
  "data": <$.data>,
  "eventID": <$.eventID>
})";
    json payload = {{"Metadata", {{"Source", "crm"}, {"Version", 2}}},
                    {"Data", {{"CustomerId", "c1"}, {"FirstName", "x"}}}};
    json record = kinesis_record(payload.dump());
    json out = render_json(seed, record, pipe_vars);
    CHECK(out == json{{"partitionKey", "pk-1"},
                      {"sequenceNumber", "49590338271490256608559692538361571095921575989136588898"},
                      {"data", payload},
                      {"eventID", "shardId-000000000006:49590338271490256608559692538361571095921575989136588898"}});
    CHECK(out["data"]["Data"]["CustomerId"] == "c1");
}

TEST_CASE("a template is rendered per record of a batch") {
    auto t = input_template::parse(R"({"id": <$.body.id>})");
    CHECK(t.render(sqs_record(R"({"id": 1})"), {}) == R"({"id": 1})");
    CHECK(t.render(sqs_record(R"({"id": "two"})"), {}) == R"({"id": "two"})");
}

TEST_CASE("the core serves EventBridge's <name> placeholders with its own rules") {
    // InputPathsMap {"instance": "$.detail.instance-id", "state": "$.detail.state"}
    json event = {{"detail", {{"instance-id", "i-01\"x"}, {"state", "RUNNING"}}}};
    std::map<std::string, json_path> paths = {{"instance", json_path::parse("$.detail.instance-id")},
                                              {"state", json_path::parse("$.detail.state")}};
    auto recognize = [&](std::string_view inner, bool) -> std::optional<std::string> {
        if (paths.count(std::string(inner))) return std::string(inner);
        return std::nullopt;
    };
    auto t = template_text::scan(R"({"instance": <instance>, "msg": "<instance> is in <state>"})", recognize);
    REQUIRE(t.is_json());
    std::vector<json_path::selection> found;
    for (const auto& slot : t.slots())
        found.push_back(paths.at(slot.key).select(event));
    auto resolve = [&](std::size_t i) { return found[i].get(); };
    // EventBridge documents that it does not escape values put inside strings.
    render_rules eventbridge{.escape_in_strings = false, .strip_quotes_of_objects_in_text = false};
    CHECK(t.render(resolve, eventbridge) == R"({"instance": "i-01\"x", "msg": "i-01"x is in RUNNING"})");
    CHECK(t.render(resolve, render_rules{}) == R"({"instance": "i-01\"x", "msg": "i-01\"x is in RUNNING"})");
}
