// The json protocol (1.0 and 1.1): X-Amz-Target requests with JSON bodies, checked
// against the real embedded models of SQS, Kinesis, DynamoDB and CloudWatch Logs.
#include "protocol/codec.hpp"
#include "protocol/codec_detail.hpp"

#include "wire_helpers.hpp"

#include <doctest/doctest.h>

using namespace eddy;
using namespace eddy::protocol;
using namespace eddy::protocol::test;

namespace {

json decode(const operation_ref& op, std::string body) {
    return decode_request(op, json_request(std::string(op.service->target_prefix) + "." + op.name, std::move(body),
                                           op.model->metadata().value("jsonVersion", "1.0")));
}

wire_response encode(const operation_ref& op, const json& output, const std::string& request_id = "req-1") {
    wire_response r;
    encode_output(op, output, request_id, r);
    return r;
}

// The wire JSON of `neutral` for the operation's input shape: what a client would have sent.
json wire_input(const operation_ref& op, const json& neutral) {
    return detail::to_wire_json(*op.model, detail::target_of(*op.model, (*op.op)["input"]), neutral);
}

// What a client reads back from a response body, in neutral form.
json read_output(const operation_ref& op, const wire_response& r) {
    return detail::from_wire_json(*op.model, detail::target_of(*op.model, (*op.op)["output"]), json::parse(r.body), "");
}

}  // namespace

TEST_CASE("json 1.0: SQS CreateQueue decodes maps and round trips") {
    auto op = op_ref("sqs", "sqs", "json", "CreateQueue");
    json wire = {{"QueueName", "orders"},
                 {"Attributes", {{"DelaySeconds", "5"}, {"VisibilityTimeout", "60"}}},
                 {"tags", {{"team", "blue"}}}};
    auto input = decode(op, wire.dump());
    CHECK(input == wire);  // no renaming in json: neutral names are wire names
    CHECK(wire_input(op, input) == wire);

    auto r = encode(op, {{"QueueUrl", "http://localhost:4566/000000000000/orders"}}, "rid-7");
    CHECK(r.status == 200);
    CHECK(header(r, "x-amzn-RequestId") == "rid-7");
    CHECK(header(r, "Content-Type") == "application/x-amz-json-1.0");
    CHECK(json::parse(r.body) == json{{"QueueUrl", "http://localhost:4566/000000000000/orders"}});
}

TEST_CASE("json: SQS ReceiveMessage output with message attributes, integers and lists") {
    auto op = op_ref("sqs", "sqs", "json", "ReceiveMessage");
    auto input = decode(op, R"({"QueueUrl":"u","MaxNumberOfMessages":10,"WaitTimeSeconds":0,
                                "MessageAttributeNames":["All"],"MessageSystemAttributeNames":["SentTimestamp"]})");
    CHECK(input["MaxNumberOfMessages"] == 10);
    CHECK(input["MaxNumberOfMessages"].is_number_integer());
    CHECK(input["WaitTimeSeconds"] == 0);
    CHECK(input["MessageAttributeNames"] == json::array({"All"}));

    json message = {{"MessageId", "m-1"},
                    {"ReceiptHandle", "rh"},
                    {"Body", "hello"},
                    {"Attributes", {{"SentTimestamp", "1795815000000"}}},
                    {"MessageAttributes",
                     {{"color", {{"DataType", "String"}, {"StringValue", "red"}}},
                      {"raw", {{"DataType", "Binary"}, {"BinaryValue", binary(std::string("\x00\x01\xff", 3))}}}}}};
    json output = {{"Messages", json::array({message})}};
    auto r = encode(op, output);
    auto body = json::parse(r.body);
    auto& m = body["Messages"][0];
    CHECK(m["Body"] == "hello");
    CHECK(m["MessageAttributes"]["raw"]["BinaryValue"] == "AAH/");  // blobs travel as base64
    CHECK(read_output(op, r) == output);
}

TEST_CASE("json: members outside the shape and nulls are not sent") {
    auto op = op_ref("sqs", "sqs", "json", "CreateQueue");
    auto r = encode(op, {{"QueueUrl", "u"}, {"Internal", "secret"}, {"Other", nullptr}});
    CHECK(json::parse(r.body) == json{{"QueueUrl", "u"}});

    auto input = decode(op, R"({"QueueName":"q","Unknown":1,"Attributes":null})");
    CHECK(input == json{{"QueueName", "q"}});
}

// botocore's protocol tests AwsJson10ServiceRespondsWithNoPayload and
// json_1_1_service_responds_with_no_payload; kinesalite recorded '' from Kinesis.
TEST_CASE("json: an operation without output answers an empty body with its Content-Type") {
    auto op = op_ref("sqs", "sqs", "json", "DeleteQueue");
    auto r = encode(op, json::object());
    CHECK(r.status == 200);
    CHECK(r.body.empty());
    CHECK(header(r, "Content-Type") == "application/x-amz-json-1.0");
    auto kinesis = op_ref("kinesis", "kinesis", "json", "RemoveTagsFromStream");
    CHECK(encode(kinesis, json::object()).body.empty());
}

TEST_CASE("json: an empty body is an empty input") {
    auto op = op_ref("sqs", "sqs", "json", "ListQueues");
    CHECK(decode(op, "") == json::object());
    CHECK(decode(op, "  \r\n") == json::object());
    CHECK(decode(op, "{}") == json::object());
}

TEST_CASE("json: bodies that are not a JSON object are SerializationException") {
    auto op = op_ref("sqs", "sqs", "json", "CreateQueue");
    for (std::string body : {"{", "not json", "[]", "\"QueueName\"", "42"}) {
        INFO(body);
        auto e = thrown([&] { decode(op, body); });
        CHECK(e.code == "SerializationException");
        CHECK(e.status == 400);
    }
}

TEST_CASE("json: values of the wrong type are SerializationException") {
    auto kinesis = op_ref("kinesis", "kinesis", "json", "CreateStream");
    CHECK(thrown([&] { decode(kinesis, R"({"StreamName":"s","ShardCount":"2"})"); }).code == "SerializationException");
    // Coral truncates a fraction given for an integer (kinesalite, recorded from AWS)
    CHECK(decode(kinesis, R"({"StreamName":"s","ShardCount":2.5})")["ShardCount"] == 2);
    CHECK(thrown([&] { decode(kinesis, R"({"StreamName":7})"); }).code == "SerializationException");
    CHECK(thrown([&] { decode(kinesis, R"({"StreamName":"s","Tags":["a"]})"); }).code == "SerializationException");
    auto dynamo = op_ref("dynamodb", "dynamodb", "json", "GetItem");
    CHECK(thrown([&] { decode(dynamo, R"({"TableName":"t","Key":{},"ConsistentRead":"true"})"); }).code ==
          "SerializationException");
    auto put = op_ref("kinesis", "kinesis", "json", "PutRecord");
    CHECK(thrown([&] { decode(put, R"({"StreamName":"s","PartitionKey":"p","Data":"!!notbase64"})"); }).code ==
          "SerializationException");
    CHECK(thrown([&] { decode(put, R"({"StreamName":"s","PartitionKey":"p","Data":123})"); }).code ==
          "SerializationException");
}

TEST_CASE("json 1.1: integers and booleans keep their types") {
    auto op = op_ref("kinesis", "kinesis", "json", "CreateStream");
    auto input = decode(op, R"({"StreamName":"s","ShardCount":2,"StreamModeDetails":{"StreamMode":"PROVISIONED"}})");
    CHECK(input["ShardCount"] == 2);
    CHECK(input["ShardCount"].is_number_integer());
    CHECK(input["StreamModeDetails"]["StreamMode"] == "PROVISIONED");
    // an integral float is accepted as an integer
    CHECK(decode(op, R"({"StreamName":"s","ShardCount":3.0})")["ShardCount"].is_number_integer());

    auto get = op_ref("dynamodb", "dynamodb", "json", "GetItem");
    auto g = decode(get, R"({"TableName":"t","Key":{"id":{"S":"1"}},"ConsistentRead":true})");
    CHECK(g["ConsistentRead"] == true);
    CHECK(g["ConsistentRead"].is_boolean());
}

TEST_CASE("json 1.1: kinesis PutRecord Data is base64 on the wire and binary in neutral form") {
    auto op = op_ref("kinesis", "kinesis", "json", "PutRecord");
    auto input = decode(op, R"({"StreamName":"events","Data":"aGVsbG8gd29ybGQ=","PartitionKey":"pk-1"})");
    CHECK(input["StreamName"] == "events");
    CHECK(input["PartitionKey"] == "pk-1");
    CHECK(bytes_of(input["Data"]) == "hello world");
    CHECK(wire_input(op, input)["Data"] == "aGVsbG8gd29ybGQ=");

    auto r = encode(op, {{"ShardId", "shardId-000000000000"}, {"SequenceNumber", "4960"}});
    CHECK(header(r, "Content-Type") == "application/x-amz-json-1.1");
    CHECK(json::parse(r.body) == json{{"SequenceNumber", "4960"}, {"ShardId", "shardId-000000000000"}});
}

TEST_CASE("json 1.1: binary data of every byte survives decode and encode") {
    std::string all;
    for (int i = 0; i < 256; ++i)
        all += static_cast<char>(i);
    auto get = op_ref("kinesis", "kinesis", "json", "GetRecords");
    json record = {{"SequenceNumber", "1"},
                   {"Data", binary(all)},
                   {"PartitionKey", "p"},
                   {"ApproximateArrivalTimestamp", 1700000000.123}};
    json output = {{"Records", json::array({record})}, {"NextShardIterator", "it-2"}, {"MillisBehindLatest", 0}};
    auto r = encode(get, output);
    auto back = read_output(get, r);
    CHECK(bytes_of(back["Records"][0]["Data"]) == all);
    CHECK(back == output);
}

TEST_CASE("json 1.1: timestamps are epoch seconds, as numbers") {
    auto op = op_ref("kinesis", "kinesis", "json", "GetShardIterator");
    auto input = decode(op, R"({"StreamName":"s","ShardId":"shardId-000000000000",
                                "ShardIteratorType":"AT_TIMESTAMP","Timestamp":1795815000.5})");
    CHECK(input["Timestamp"].is_number());
    CHECK(input["Timestamp"].get<double>() == doctest::Approx(1795815000.5));

    // whole seconds, as botocore sends them
    input = decode(op, R"({"ShardId":"s","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1795815000})");
    CHECK(input["Timestamp"].get<double>() == doctest::Approx(1795815000.0));

    // an ISO 8601 string is read too, as some SDKs send it
    input = decode(op, R"({"ShardId":"s","ShardIteratorType":"AT_TIMESTAMP","Timestamp":"2026-11-27T21:30:00.250Z"})");
    CHECK(input["Timestamp"].get<double>() == doctest::Approx(1795815000.25));

    CHECK(thrown([&] {
              decode(op, R"({"ShardId":"s","ShardIteratorType":"AT_TIMESTAMP","Timestamp":"soon"})");
          }).code == "SerializationException");
    CHECK(thrown([&] { decode(op, R"({"ShardId":"s","ShardIteratorType":"AT_TIMESTAMP","Timestamp":true})"); }).code ==
          "SerializationException");

    auto get = op_ref("kinesis", "kinesis", "json", "GetRecords");
    json record = {{"SequenceNumber", "1"},
                   {"Data", binary("x")},
                   {"PartitionKey", "p"},
                   {"ApproximateArrivalTimestamp", 1795815000.25}};
    auto r = encode(get, {{"Records", json::array({record})}});
    auto ts = json::parse(r.body)["Records"][0]["ApproximateArrivalTimestamp"];
    CHECK(ts.is_number());
    CHECK(ts.get<double>() == doctest::Approx(1795815000.25));
}

TEST_CASE("json 1.1: CloudWatch Logs timestamps are epoch milliseconds as longs") {
    auto op = op_ref("logs", "logs", "json", "PutLogEvents");
    auto input = decode(op, R"({"logGroupName":"/ecs/app","logStreamName":"task/1",
                                "logEvents":[{"timestamp":1795815000123,"message":"line 1"},
                                             {"timestamp":1795815000124,"message":"line 2"}]})");
    REQUIRE(input["logEvents"].size() == 2);
    CHECK(input["logEvents"][0]["timestamp"] == 1795815000123);
    CHECK(input["logEvents"][0]["timestamp"].is_number_integer());
    CHECK(input["logEvents"][1]["message"] == "line 2");

    auto r = encode(op, {{"nextSequenceToken", "2"}});
    CHECK(json::parse(r.body) == json{{"nextSequenceToken", "2"}});
}

TEST_CASE("json 1.0: DynamoDB PutItem attribute values nest maps, lists, numbers and binaries") {
    auto op = op_ref("dynamodb", "dynamodb", "json", "PutItem");
    json wire = {
        {"TableName", "orders"},
        {"Item",
         {{"id", {{"S", "o-1"}}},
          {"total", {{"N", "42.50"}}},
          {"photo", {{"B", "AAEC/w=="}}},
          {"tags", {{"SS", json::array({"a", "b"})}}},
          {"chunks", {{"BS", json::array({"AQ==", "Ag=="})}}},
          {"shipped", {{"BOOL", false}}},
          {"note", {{"NULL", true}}},
          {"address",
           {{"M",
             {{"city", {{"S", "Lyon"}}},
              {"lines",
               {{"L", json::array({{{"S", "1 rue"}}, {{"N", "2"}}, {{"M", {{"deep", {{"B", "AA=="}}}}}}})}}}}}}}}},
        {"ConditionExpression", "attribute_not_exists(id)"},
        {"ReturnValues", "ALL_OLD"}};
    auto input = decode(op, wire.dump());
    auto& item = input["Item"];
    CHECK(item["id"]["S"] == "o-1");
    CHECK(item["total"]["N"] == "42.50");  // numbers travel as strings in DynamoDB
    CHECK(bytes_of(item["photo"]["B"]) == std::string("\x00\x01\x02\xff", 4));
    CHECK(item["tags"]["SS"] == json::array({"a", "b"}));
    CHECK(bytes_of(item["chunks"]["BS"][1]) == "\x02");
    CHECK(item["shipped"]["BOOL"] == false);
    CHECK(item["note"]["NULL"] == true);
    auto& lines = item["address"]["M"]["lines"]["L"];
    REQUIRE(lines.size() == 3);
    CHECK(lines[0]["S"] == "1 rue");
    CHECK(lines[1]["N"] == "2");
    CHECK(bytes_of(lines[2]["M"]["deep"]["B"]) == std::string("\x00", 1));
    CHECK(input["ReturnValues"] == "ALL_OLD");

    CHECK(wire_input(op, input) == wire);  // and back, unchanged

    json output = {{"Attributes", {{"id", {{"S", "o-1"}}}, {"photo", {{"B", binary("old")}}}}},
                   {"ConsumedCapacity", {{"TableName", "orders"}, {"CapacityUnits", 1.0}}}};
    auto r = encode(op, output);
    auto body = json::parse(r.body);
    CHECK(body["Attributes"]["photo"]["B"] == "b2xk");
    CHECK(body["ConsumedCapacity"]["CapacityUnits"] == 1.0);
    CHECK(read_output(op, r) == output);
}

TEST_CASE("json: strings are sent as they are, including unicode and control characters") {
    auto op = op_ref("sqs", "sqs", "json", "SendMessage");
    json wire = {{"QueueUrl", "u"}, {"MessageBody", "caf\xC3\xA9 \xF0\x9F\x98\x80 \"quoted\"\n\ttab"}};
    auto input = decode(op, wire.dump());
    CHECK(input["MessageBody"] == wire["MessageBody"]);
    auto r = encode(op, {{"MessageId", "m"}, {"MD5OfMessageBody", "caf\xC3\xA9"}});
    CHECK(json::parse(r.body)["MD5OfMessageBody"] == "caf\xC3\xA9");
}

// --- errors --------------------------------------------------------------------------------

TEST_CASE("json error: SQS QueueDoesNotExist carries the query-era code for awsQueryCompatible clients") {
    wire_response r;
    encode_error(service_by_id("sqs"), &model("sqs"), "json",
                 aws_error("QueueDoesNotExist", "The specified queue does not exist."), "rid-9", r);
    CHECK(r.status == 400);
    CHECK(header(r, "x-amzn-query-error") == "AWS.SimpleQueueService.NonExistentQueue;Sender");
    CHECK(header(r, "x-amzn-RequestId") == "rid-9");
    CHECK(header(r, "Content-Type") == "application/x-amz-json-1.0");
    auto body = json::parse(r.body);
    // botocore takes the code after any '#', so a bare or namespaced __type both read as QueueDoesNotExist
    auto type = body["__type"].get<std::string>();
    CHECK(type.substr(type.find('#') + 1) == "QueueDoesNotExist");
    CHECK(body["message"] == "The specified queue does not exist.");
}

TEST_CASE("json error: the query-era code of other SQS errors") {
    auto query_error = [](const aws_error& e) {
        wire_response r;
        encode_error(service_by_id("sqs"), &model("sqs"), "json", e, "rid", r);
        return header(r, "x-amzn-query-error");
    };
    CHECK(query_error(aws_error("QueueNameExists", "exists")) == "QueueAlreadyExists;Sender");
    CHECK(query_error(aws_error("PurgeQueueInProgress", "purging", 403)) ==
          "AWS.SimpleQueueService.PurgeQueueInProgress;Sender");
    CHECK(query_error(aws_error("TooManyEntriesInBatchRequest", "too many")) ==
          "AWS.SimpleQueueService.TooManyEntriesInBatchRequest;Sender");
    // codes the model does not know pass through with the error's own fault
    CHECK(query_error(aws_error("InvalidParameterValue", "bad")) == "InvalidParameterValue;Sender");
    CHECK(query_error(internal_failure("boom")) == "InternalFailure;Receiver");
}

TEST_CASE("json error: services without awsQueryCompatible send no x-amzn-query-error") {
    wire_response r;
    r.headers.emplace_back("x-stale", "from an earlier attempt");
    encode_error(service_by_id("kinesis"), &model("kinesis"), "json",
                 aws_error("ResourceNotFoundException", "Stream s under account 000000000000 not found."), "rid", r);
    CHECK(r.status == 400);
    CHECK_FALSE(has_header(r, "x-amzn-query-error"));
    CHECK_FALSE(has_header(r, "x-stale"));
    CHECK(header(r, "Content-Type") == "application/x-amz-json-1.1");
    CHECK(header(r, "x-amzn-ErrorType") == "ResourceNotFoundException");
    auto body = json::parse(r.body);
    CHECK(body["__type"] == "ResourceNotFoundException");
    CHECK(body["message"] == "Stream s under account 000000000000 not found.");
}

TEST_CASE("json error: the status and a 500 for internal failures") {
    wire_response r;
    encode_error(service_by_id("dynamodb"), &model("dynamodb"), "json", internal_failure("disk on fire"), "rid", r);
    CHECK(r.status == 500);
    CHECK(json::parse(r.body)["__type"] == "InternalFailure");

    // with no service at all (the request named none) the error is still readable JSON
    wire_response unknown;
    encode_error(nullptr, nullptr, "json", aws_error("UnknownOperationException", "no such target"), "rid", unknown);
    CHECK(unknown.status == 400);
    CHECK(json::parse(unknown.body)["__type"] == "UnknownOperationException");
    CHECK(header(unknown, "Content-Type") == "application/x-amz-json-1.0");
}

// --- validation ----------------------------------------------------------------------------

TEST_CASE("validate_input: Coral's message for a missing required member") {
    auto op = op_ref("kinesis", "kinesis", "json", "CreateStream");
    auto e = thrown([&] { validate_input(op, json::object()); });
    CHECK(e.code == "ValidationException");
    CHECK(e.status == 400);
    CHECK(e.message() ==
          "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be "
          "null");
    CHECK_NOTHROW(validate_input(op, {{"StreamName", "s"}}));
    // null counts as missing
    CHECK(thrown([&] { validate_input(op, {{"StreamName", nullptr}}); }).code == "ValidationException");
}

TEST_CASE("validate_input: lengths, ranges and enums, all named in one message") {
    auto create = op_ref("kinesis", "kinesis", "json", "CreateStream");
    CHECK(thrown([&] {
              validate_input(create, {{"StreamName", ""}});
          }).message() ==
          "2 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: "
          "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at 'streamName' failed to "
          "satisfy constraint: Member must have length greater than or equal to 1");
    std::string long_name(129, 'a');
    CHECK(thrown([&] {
              validate_input(create, {{"StreamName", long_name}});
          }).message() ==
          "1 validation error detected: Value '" + long_name +
              "' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128");
    CHECK_NOTHROW(validate_input(create, {{"StreamName", std::string(128, 'a')}}));
    CHECK(thrown([&] {
              validate_input(create, {{"StreamName", "s"}, {"ShardCount", 0}});
          }).message() ==
          "1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: "
          "Member must have value greater than or equal to 1");
    CHECK_NOTHROW(validate_input(create, {{"StreamName", "s"}, {"ShardCount", 1}}));

    auto iterator = op_ref("kinesis", "kinesis", "json", "GetShardIterator");
    auto e = thrown([&] { validate_input(iterator, {{"ShardId", "s"}, {"ShardIteratorType", "OLDEST"}}); });
    CHECK(e.code == "ValidationException");
    CHECK(e.message() ==
          "1 validation error detected: Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: "
          "Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, "
          "AT_TIMESTAMP]");
    CHECK_NOTHROW(validate_input(iterator, {{"ShardId", "s"}, {"ShardIteratorType", "TRIM_HORIZON"}}));

    e = thrown([&] { validate_input(iterator, {{"ShardId", ""}}); });
    CHECK(e.message().starts_with("3 validation errors detected: "));
    CHECK(e.message().find("Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null") !=
          std::string::npos);
    CHECK(e.message().find("Value '' at 'shardId' failed to satisfy constraint: Member must have length greater "
                           "than or equal to 1") != std::string::npos);
    CHECK(e.message().find("; ") != std::string::npos);
}

TEST_CASE("validate_input: paths into lists and maps follow Coral's member naming") {
    auto op = op_ref("kinesis", "kinesis", "json", "PutRecords");
    json input = {{"StreamName", "s"},
                  {"Records", json::array({{{"Data", binary("a")}, {"PartitionKey", "p"}},
                                           {{"Data", binary("b")}, {"PartitionKey", ""}}})}};
    CHECK(thrown([&] { validate_input(op, input); }).message() ==
          "1 validation error detected: Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: "
          "Member must have length greater than or equal to 1");
    input["Records"][1].erase("Data");
    input["Records"][1]["PartitionKey"] = "p";
    CHECK(thrown([&] { validate_input(op, input); }).message() ==
          "1 validation error detected: Value null at 'records.2.member.data' failed to satisfy constraint: "
          "Member must not be null");
    CHECK_NOTHROW(
        validate_input(op, decode(op, R"({"StreamName":"s","Records":[{"Data":"YQ==","PartitionKey":"p"}]})")));
    CHECK(thrown([&] {
              validate_input(op, {{"StreamName", "s"}, {"Records", json::array()}});
          }).message() ==
          "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
          "Member must have length greater than or equal to 1");
}

TEST_CASE("validate_input: lengths count characters, not bytes") {
    // a partition key has no pattern: a stream name would refuse é
    auto op = op_ref("kinesis", "kinesis", "json", "PutRecord");
    std::string key;
    for (int i = 0; i < 256; ++i)
        key += "\xC3\xA9";  // é, two bytes each
    CHECK_NOTHROW(validate_input(op, {{"StreamName", "s"}, {"Data", binary("a")}, {"PartitionKey", key}}));
}

TEST_CASE("validate_input: SQS names the first missing parameter and leaves values to its handlers") {
    auto op = op_ref("sqs", "sqs", "json", "CreateQueue");
    auto e = thrown([&] { validate_input(op, json::object()); });
    CHECK(e.code == "MissingParameter");
    CHECK(e.status == 400);
    CHECK(e.message() == "The request must contain the parameter QueueName.");

    auto send = op_ref("sqs", "sqs", "json", "SendMessage");
    CHECK(thrown([&] {
              validate_input(send, {{"QueueUrl", "u"}});
          }).message() == "The request must contain the parameter MessageBody.");
    CHECK_NOTHROW(validate_input(send, {{"QueueUrl", "u"}, {"MessageBody", "b"}}));

    // SQS reports bad values as InvalidParameterValue or InvalidAttributeName, from its handlers
    auto attrs = op_ref("sqs", "sqs", "json", "GetQueueAttributes");
    CHECK_NOTHROW(validate_input(attrs, {{"QueueUrl", "u"}, {"AttributeNames", json::array({"NotAnAttribute"})}}));
}
