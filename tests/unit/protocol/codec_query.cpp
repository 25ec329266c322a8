// The query protocol: form-encoded requests and XML responses, for STS and for
// SQS clients from before SQS moved to JSON (the frozen sqs-query model).
#include "protocol/codec.hpp"
#include "protocol/codec_detail.hpp"

#include "wire_helpers.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace eddy;
using namespace eddy::protocol;
using namespace eddy::protocol::test;

namespace {

operation_ref sqs_query(std::string op) {
    return op_ref("sqs", "sqs-query", "query", std::move(op));
}

json decode_form(const operation_ref& op, std::string body) {
    return decode_request(op, form_request(std::move(body)));
}

wire_response encode(const operation_ref& op, const json& output, const std::string& request_id = "req-1") {
    wire_response r;
    encode_output(op, output, request_id, r);
    return r;
}

// Reads the result element of a query response back into neutral form, as a client would.
json read_result(const operation_ref& op, const xml::element& root) {
    auto& output = (*op.op)["output"];
    auto* result = root.child(output["resultWrapper"].get<std::string>());
    REQUIRE(result);
    return detail::from_xml(*op.model, detail::target_of(*op.model, output), *result);
}

std::vector<std::string> texts(const std::vector<const xml::element*>& elements) {
    std::vector<std::string> out;
    for (auto* e : elements)
        out.push_back(e->text);
    return out;
}

}  // namespace

TEST_CASE("query: SQS CreateQueue reads flattened Attribute.N and Tag.N maps") {
    auto op = sqs_query("CreateQueue");
    auto input = decode_form(op,
                             "Action=CreateQueue&Version=2012-11-05&QueueName=orders.fifo"
                             "&Attribute.1.Name=FifoQueue&Attribute.1.Value=true"
                             "&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=60"
                             "&Attribute.3.Name=RedrivePolicy"
                             "&Attribute.3.Value=%7B%22maxReceiveCount%22%3A%225%22%7D"
                             "&Tag.1.Key=team&Tag.1.Value=blue&Tag.2.Key=cost+center&Tag.2.Value=42");
    CHECK(input ==
          json{{"QueueName", "orders.fifo"},
               {"Attributes",
                {{"FifoQueue", "true"}, {"VisibilityTimeout", "60"}, {"RedrivePolicy", R"({"maxReceiveCount":"5"})"}}},
               {"tags", {{"team", "blue"}, {"cost center", "42"}}}});
}

TEST_CASE("query: parameters may come in any order and from the URL query string") {
    auto op = sqs_query("CreateQueue");
    auto r = request("POST", "/", "Action=CreateQueue&QueueName=from-url",
                     {{"content-type", "application/x-www-form-urlencoded"}},
                     "Attribute.1.Value=5&Attribute.1.Name=DelaySeconds&Version=2012-11-05");
    auto input = decode_request(op, r);
    CHECK(input == json{{"QueueName", "from-url"}, {"Attributes", {{"DelaySeconds", "5"}}}});

    auto get = request("GET", "/", "Action=CreateQueue&QueueName=by-get&Version=2012-11-05");
    CHECK(decode_request(op, get) == json{{"QueueName", "by-get"}});
}

TEST_CASE("query: SQS GetQueueAttributes reads the flattened AttributeName.N list") {
    auto op = sqs_query("GetQueueAttributes");
    auto input = decode_form(op,
                             "Action=GetQueueAttributes&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders"
                             "&AttributeName.1=All&AttributeName.2=QueueArn&AttributeName.3=VisibilityTimeout");
    CHECK(input["QueueUrl"] == "http://localhost:4566/000000000000/orders");
    CHECK(input["AttributeNames"] == json::array({"All", "QueueArn", "VisibilityTimeout"}));
    CHECK(decode_form(op, "QueueUrl=u") == json{{"QueueUrl", "u"}});
}

TEST_CASE("query: SQS SendMessage with message attributes, a binary value and an integer") {
    auto op = sqs_query("SendMessage");
    auto input = decode_form(op,
                             "Action=SendMessage&QueueUrl=u&MessageBody=hello+world%21+%2B+%26&DelaySeconds=15"
                             "&MessageAttribute.1.Name=color&MessageAttribute.1.Value.DataType=String"
                             "&MessageAttribute.1.Value.StringValue=red"
                             "&MessageAttribute.2.Name=raw&MessageAttribute.2.Value.DataType=Binary"
                             "&MessageAttribute.2.Value.BinaryValue=AAH%2F"
                             "&MessageSystemAttribute.1.Name=AWSTraceHeader"
                             "&MessageSystemAttribute.1.Value.DataType=String"
                             "&MessageSystemAttribute.1.Value.StringValue=Root%3D1-abc");
    CHECK(input["MessageBody"] == "hello world! + &");
    CHECK(input["DelaySeconds"] == 15);
    CHECK(input["DelaySeconds"].is_number_integer());
    CHECK(input["MessageAttributes"]["color"] == json{{"DataType", "String"}, {"StringValue", "red"}});
    CHECK(input["MessageAttributes"]["raw"]["DataType"] == "Binary");
    CHECK(bytes_of(input["MessageAttributes"]["raw"]["BinaryValue"]) == std::string("\x00\x01\xff", 3));
    CHECK(input["MessageSystemAttributes"]["AWSTraceHeader"]["StringValue"] == "Root=1-abc");
}

TEST_CASE("query: SQS batch entries are a flattened list of structures") {
    auto op = sqs_query("DeleteMessageBatch");
    auto input =
        decode_form(op,
                    "Action=DeleteMessageBatch&QueueUrl=u"
                    "&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=rh1"
                    "&DeleteMessageBatchRequestEntry.2.Id=b&DeleteMessageBatchRequestEntry.2.ReceiptHandle=rh2");
    CHECK(input["Entries"] ==
          json::array({{{"Id", "a"}, {"ReceiptHandle", "rh1"}}, {{"Id", "b"}, {"ReceiptHandle", "rh2"}}}));
}

TEST_CASE("query: STS AssumeRole reads member.N lists, nested structures and integers") {
    auto op = op_ref("sts", "sts", "query", "AssumeRole");
    auto input = decode_form(op,
                             "Action=AssumeRole&Version=2011-06-15"
                             "&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Frunner&RoleSessionName=s1"
                             "&DurationSeconds=900"
                             "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FA"
                             "&PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FB"
                             "&Tags.member.1.Key=project&Tags.member.1.Value=eddy"
                             "&TransitiveTagKeys.member.1=project");
    CHECK(input["RoleArn"] == "arn:aws:iam::000000000000:role/runner");
    CHECK(input["RoleSessionName"] == "s1");
    CHECK(input["DurationSeconds"] == 900);
    CHECK(input["PolicyArns"] ==
          json::array({{{"arn", "arn:aws:iam::aws:policy/A"}}, {{"arn", "arn:aws:iam::aws:policy/B"}}}));
    CHECK(input["Tags"] == json::array({{{"Key", "project"}, {"Value", "eddy"}}}));
    CHECK(input["TransitiveTagKeys"] == json::array({"project"}));
}

TEST_CASE("query: an empty list is sent as the bare parameter name") {
    auto op = op_ref("sts", "sts", "query", "AssumeRole");
    auto input = decode_form(op, "RoleArn=a&RoleSessionName=s&PolicyArns=");
    CHECK(input["PolicyArns"] == json::array());
}

TEST_CASE("query: values that do not fit the shape are refused") {
    auto op = sqs_query("SendMessage");
    auto e = thrown([&] { decode_form(op, "QueueUrl=u&MessageBody=b&DelaySeconds=soon"); });
    CHECK(e.status == 400);
    CHECK(e.sender_fault);
    auto binary_attr = thrown([&] {
        decode_form(op,
                    "QueueUrl=u&MessageBody=b&MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=Binary"
                    "&MessageAttribute.1.Value.BinaryValue=%21%21");
    });
    CHECK(binary_attr.status == 400);
}

TEST_CASE("query: an operation without input members decodes to an empty object") {
    auto op = op_ref("sts", "sts", "query", "GetCallerIdentity");
    CHECK(decode_form(op, "Action=GetCallerIdentity&Version=2011-06-15") == json::object());
}

// --- responses -------------------------------------------------------------------------------

TEST_CASE("query XML: GetQueueAttributes has a flattened Attribute map inside its resultWrapper") {
    auto op = sqs_query("GetQueueAttributes");
    json output = {{"Attributes", {{"VisibilityTimeout", "30"}, {"QueueArn", "arn:aws:sqs:us-east-1:000000000000:q"}}}};
    auto r = encode(op, output, "6fde8d1e-52cd-4581-8cd9-c512f4c64223");
    CHECK(r.status == 200);
    CHECK(header(r, "Content-Type") == "text/xml");
    CHECK(header(r, "x-amzn-RequestId") == "6fde8d1e-52cd-4581-8cd9-c512f4c64223");

    auto root = parse_xml(r.body);
    CHECK(root.name == "GetQueueAttributesResponse");
    REQUIRE(root.attributes.size() == 1);
    CHECK(root.attributes[0] ==
          std::pair<std::string, std::string>{"xmlns", "http://queue.amazonaws.com/doc/2012-11-05/"});
    auto* result = root.child("GetQueueAttributesResult");
    REQUIRE(result);
    auto attrs = result->children_named("Attribute");
    REQUIRE(attrs.size() == 2);
    std::map<std::string, std::string> seen;
    for (auto* a : attrs) {
        REQUIRE(a->child("Name"));
        REQUIRE(a->child("Value"));
        seen[a->child("Name")->text] = a->child("Value")->text;
    }
    CHECK(seen == std::map<std::string, std::string>{{"VisibilityTimeout", "30"},
                                                     {"QueueArn", "arn:aws:sqs:us-east-1:000000000000:q"}});
    CHECK(result->child("Attributes") == nullptr);  // flattened: no wrapper element
    CHECK(xml_text(root, "ResponseMetadata/RequestId") == "6fde8d1e-52cd-4581-8cd9-c512f4c64223");
    CHECK(read_result(op, root) == output);
}

TEST_CASE("query XML: ListQueues has a flattened QueueUrl list") {
    auto op = sqs_query("ListQueues");
    json output = {
        {"QueueUrls", json::array({"http://localhost:4566/000000000000/a", "http://localhost:4566/000000000000/b"})},
        {"NextToken", "t"}};
    auto root = parse_xml(encode(op, output).body);
    auto* result = root.child("ListQueuesResult");
    REQUIRE(result);
    CHECK(texts(result->children_named("QueueUrl")) ==
          std::vector<std::string>{"http://localhost:4566/000000000000/a", "http://localhost:4566/000000000000/b"});
    CHECK(result->child("QueueUrls") == nullptr);
    CHECK(xml_text(*result, "NextToken") == "t");
    CHECK(read_result(op, root) == output);

    // no queues: an empty result element
    auto empty = parse_xml(encode(op, {{"QueueUrls", json::array()}}).body);
    REQUIRE(empty.child("ListQueuesResult"));
    CHECK(empty.child("ListQueuesResult")->children.empty());
}

TEST_CASE("query XML: ReceiveMessage messages with attributes and message attributes") {
    auto op = sqs_query("ReceiveMessage");
    json message = {{"MessageId", "m-1"},
                    {"ReceiptHandle", "rh+/="},
                    {"MD5OfBody", "5d41402abc4b2a76b9719d911017c592"},
                    {"Body", "<hello> & \"bye\""},
                    {"Attributes", {{"SentTimestamp", "1795815000000"}, {"ApproximateReceiveCount", "1"}}},
                    {"MessageAttributes",
                     {{"color", {{"DataType", "String"}, {"StringValue", "red"}}},
                      {"raw", {{"DataType", "Binary"}, {"BinaryValue", binary(std::string("\x00\x01\xff", 3))}}}}}};
    json output = {{"Messages", json::array({message})}};
    auto r = encode(op, output);
    CHECK(r.body.find("&lt;hello&gt; &amp; &quot;bye&quot;") != std::string::npos);
    auto root = parse_xml(r.body);
    auto* result = root.child("ReceiveMessageResult");
    REQUIRE(result);
    auto messages = result->children_named("Message");
    REQUIRE(messages.size() == 1);
    auto& m = *messages[0];
    CHECK(xml_text(m, "Body") == "<hello> & \"bye\"");
    CHECK(m.children_named("Attribute").size() == 2);
    auto mattrs = m.children_named("MessageAttribute");
    REQUIRE(mattrs.size() == 2);
    for (auto* a : mattrs) {
        if (a->child("Name")->text == "raw") {
            CHECK(xml_text(*a, "Value/DataType") == "Binary");
            CHECK(xml_text(*a, "Value/BinaryValue") == "AAH/");
        } else {
            CHECK(xml_text(*a, "Value/StringValue") == "red");
        }
    }
    CHECK(read_result(op, root) == output);

    auto none = parse_xml(encode(op, json::object()).body);
    REQUIRE(none.child("ReceiveMessageResult"));
    CHECK(none.child("ReceiveMessageResult")->children.empty());
}

TEST_CASE("query XML: batch results are flattened lists of structures") {
    auto op = sqs_query("DeleteMessageBatch");
    json output = {
        {"Successful", json::array({{{"Id", "a"}}, {{"Id", "b"}}})},
        {"Failed",
         json::array(
             {{{"Id", "c"}, {"SenderFault", true}, {"Code", "ReceiptHandleIsInvalid"}, {"Message", "bad handle"}}})}};
    auto root = parse_xml(encode(op, output).body);
    auto* result = root.child("DeleteMessageBatchResult");
    REQUIRE(result);
    CHECK(result->children_named("DeleteMessageBatchResultEntry").size() == 2);
    REQUIRE(result->children_named("BatchResultErrorEntry").size() == 1);
    CHECK(xml_text(*result, "BatchResultErrorEntry/SenderFault") == "true");
    CHECK(read_result(op, root) == output);
}

TEST_CASE("query XML: an operation without output has only ResponseMetadata") {
    auto op = sqs_query("DeleteQueue");
    auto r = encode(op, json::object(), "rid-3");
    auto root = parse_xml(r.body);
    CHECK(root.name == "DeleteQueueResponse");
    REQUIRE(root.children.size() == 1);
    CHECK(xml_text(root, "ResponseMetadata/RequestId") == "rid-3");
}

TEST_CASE("query XML: STS GetCallerIdentity and AssumeRole") {
    auto who = op_ref("sts", "sts", "query", "GetCallerIdentity");
    json identity = {
        {"UserId", "AKIAIOSFODNN7EXAMPLE"}, {"Account", "000000000000"}, {"Arn", "arn:aws:iam::000000000000:root"}};
    auto root = parse_xml(encode(who, identity).body);
    CHECK(root.name == "GetCallerIdentityResponse");
    REQUIRE_FALSE(root.attributes.empty());
    CHECK(root.attributes[0].second == "https://sts.amazonaws.com/doc/2011-06-15/");
    CHECK(xml_text(root, "GetCallerIdentityResult/Account") == "000000000000");
    CHECK(xml_text(root, "GetCallerIdentityResult/Arn") == "arn:aws:iam::000000000000:root");
    CHECK(read_result(who, root) == identity);

    auto assume = op_ref("sts", "sts", "query", "AssumeRole");
    json creds = {
        {"Credentials",
         {{"AccessKeyId", "ASIA000"},
          {"SecretAccessKey", "secret"},
          {"SessionToken", "token"},
          {"Expiration", 1795815000.0}}},
        {"AssumedRoleUser", {{"AssumedRoleId", "AROA:s1"}, {"Arn", "arn:aws:sts::000000000000:assumed-role/r/s1"}}},
        {"PackedPolicySize", 6}};
    auto a = parse_xml(encode(assume, creds).body);
    // timestamps in query XML are ISO 8601
    CHECK(xml_text(a, "AssumeRoleResult/Credentials/Expiration") == "2026-11-27T21:30:00.000Z");
    CHECK(xml_text(a, "AssumeRoleResult/PackedPolicySize") == "6");
    CHECK(read_result(assume, a) == creds);
}

// --- errors ----------------------------------------------------------------------------------

TEST_CASE("query error: ErrorResponse with the query-era SQS code") {
    wire_response r;
    encode_error(service_by_id("sqs"), &model("sqs-query"), "query",
                 aws_error("QueueDoesNotExist", "The specified queue does not exist for this wsdl version."), "rid-5",
                 r);
    CHECK(r.status == 400);
    CHECK(header(r, "Content-Type") == "text/xml");
    CHECK(header(r, "x-amzn-RequestId") == "rid-5");
    auto root = parse_xml(r.body);
    CHECK(root.name == "ErrorResponse");
    REQUIRE_FALSE(root.attributes.empty());
    CHECK(root.attributes[0].second == "http://queue.amazonaws.com/doc/2012-11-05/");
    CHECK(xml_text(root, "Error/Type") == "Sender");
    CHECK(xml_text(root, "Error/Code") == "AWS.SimpleQueueService.NonExistentQueue");
    CHECK(xml_text(root, "Error/Message") == "The specified queue does not exist for this wsdl version.");
    CHECK(xml_text(root, "RequestId") == "rid-5");
}

TEST_CASE("query error: the code is the query-era one even when the json model is at hand") {
    wire_response r;
    encode_error(service_by_id("sqs"), &model("sqs"), "query", aws_error("QueueNameExists", "exists"), "rid", r);
    CHECK(xml_text(parse_xml(r.body), "Error/Code") == "QueueAlreadyExists");
}

TEST_CASE("query error: unknown codes pass through; receiver faults say Receiver; text is escaped") {
    wire_response r;
    encode_error(service_by_id("sts"), &model("sts"), "query", aws_error("ValidationError", "Value '<x>' & more", 400),
                 "rid", r);
    auto root = parse_xml(r.body);
    CHECK(xml_text(root, "Error/Code") == "ValidationError");
    CHECK(xml_text(root, "Error/Type") == "Sender");
    CHECK(xml_text(root, "Error/Message") == "Value '<x>' & more");

    wire_response internal;
    encode_error(service_by_id("sqs"), &model("sqs-query"), "query", internal_failure("boom"), "rid", internal);
    CHECK(internal.status == 500);
    auto i = parse_xml(internal.body);
    CHECK(xml_text(i, "Error/Type") == "Receiver");
    CHECK(xml_text(i, "Error/Code") == "InternalFailure");

    wire_response anonymous;
    encode_error(nullptr, nullptr, "query", aws_error("InvalidAction", "nope"), "rid", anonymous);
    auto a = parse_xml(anonymous.body);
    CHECK(a.name == "ErrorResponse");
    CHECK(xml_text(a, "Error/Code") == "InvalidAction");
}

// --- validation ------------------------------------------------------------------------------

TEST_CASE("validate_input: SQS over query gives MissingParameter") {
    auto op = sqs_query("CreateQueue");
    auto e = thrown([&] { validate_input(op, decode_form(op, "Action=CreateQueue")); });
    CHECK(e.code == "MissingParameter");
    CHECK(e.message() == "The request must contain the parameter QueueName.");
    CHECK_NOTHROW(validate_input(op, decode_form(op, "Action=CreateQueue&QueueName=q")));
}

TEST_CASE("validate_input: STS says ValidationError with Coral's message") {
    auto op = op_ref("sts", "sts", "query", "AssumeRole");
    auto e = thrown([&] {
        validate_input(
            op, decode_form(
                    op, "RoleSessionName=s1&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fr&DurationSeconds=100"));
    });
    CHECK(e.code == "ValidationError");
    CHECK(e.status == 400);
    CHECK(e.message() ==
          "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy constraint: "
          "Member must have value greater than or equal to 900");
    e = thrown([&] { validate_input(op, decode_form(op, "RoleSessionName=s1")); });
    CHECK(e.message() ==
          "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: "
          "Member must not be null");
    CHECK(thrown([&] {
              validate_input(op, decode_form(op,
                                             "RoleSessionName=s1&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fr"
                                             "&DurationSeconds=43201"));
          }).message() ==
          "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: "
          "Member must have value less than or equal to 43200");
}
