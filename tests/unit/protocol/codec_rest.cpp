// rest-json (Lambda) and rest-xml (S3): members in the URI, the query string,
// headers, the status code and the payload, checked against the real models.
#include "protocol/codec.hpp"
#include "protocol/codec_detail.hpp"

#include "wire_helpers.hpp"

#include <doctest/doctest.h>

using namespace eddy;
using namespace eddy::protocol;
using namespace eddy::protocol::test;

namespace {

wire_response encode(const operation_ref& op, const json& output, const std::string& request_id = "req-1") {
    wire_response r;
    encode_output(op, output, request_id, r);
    return r;
}

}  // namespace

// --- rest-json: Lambda ---------------------------------------------------------------------

TEST_CASE("rest-json: Lambda Invoke reads the URI label, the querystring, headers and a blob payload") {
    auto op = op_ref("lambda", "lambda", "rest-json", "Invoke", {{"FunctionName", "my-func"}});
    auto r = request("POST", "/2015-03-31/functions/my-func/invocations", "Qualifier=live",
                     {{"content-type", "application/json"},
                      {"x-amz-invocation-type", "Event"},
                      {"x-amz-log-type", "Tail"},
                      {"x-amz-client-context", "eyJjdXN0b20iOnt9fQ=="}},
                     R"({"order":"o-1","items":[1,2]})");
    auto input = decode_request(op, r);
    CHECK(input["FunctionName"] == "my-func");
    CHECK(input["Qualifier"] == "live");
    CHECK(input["InvocationType"] == "Event");
    CHECK(input["LogType"] == "Tail");
    CHECK(input["ClientContext"] == "eyJjdXN0b20iOnt9fQ==");
    CHECK(bytes_of(input["Payload"]) == R"({"order":"o-1","items":[1,2]})");  // the payload is not parsed
    CHECK_NOTHROW(validate_input(op, input));
}

TEST_CASE("rest-json: a percent-encoded label is decoded; absent members stay absent") {
    auto op = op_ref("lambda", "lambda", "rest-json", "Invoke",
                     {{"FunctionName", "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Amy-func%3Alive"}});
    auto input = decode_request(op, request("POST", "/", {}, {}, ""));
    CHECK(input["FunctionName"] == "arn:aws:lambda:us-east-1:000000000000:function:my-func:live");
    CHECK_FALSE(input.contains("Qualifier"));
    CHECK_FALSE(input.contains("InvocationType"));
    CHECK(input["Payload"].is_binary());
    CHECK(bytes_of(input["Payload"]).empty());
}

TEST_CASE("rest-json: Lambda Invoke output sets the status, headers and the raw payload") {
    auto op = op_ref("lambda", "lambda", "rest-json", "Invoke");
    auto r = encode(op,
                    {{"StatusCode", 200},
                     {"FunctionError", "Unhandled"},
                     {"LogResult", "U1RBUlQ="},
                     {"ExecutedVersion", "$LATEST"},
                     {"Payload", binary(R"({"errorMessage":"boom"})")}},
                    "rid-1");
    CHECK(r.status == 200);
    CHECK(header(r, "X-Amz-Function-Error") == "Unhandled");
    CHECK(header(r, "X-Amz-Log-Result") == "U1RBUlQ=");
    CHECK(header(r, "X-Amz-Executed-Version") == "$LATEST");
    CHECK(header(r, "x-amzn-RequestId") == "rid-1");
    CHECK(r.body == R"({"errorMessage":"boom"})");

    auto async = encode(op, {{"StatusCode", 202}, {"Payload", binary("")}});
    CHECK(async.status == 202);
    CHECK(async.body.empty());
    CHECK_FALSE(has_header(async, "X-Amz-Function-Error"));
}

TEST_CASE("rest-json: Lambda GetFunction output is a JSON body of nested structures and maps") {
    auto op = op_ref("lambda", "lambda", "rest-json", "GetFunction", {{"FunctionName", "f"}});
    auto input = decode_request(op, request("GET", "/2015-03-31/functions/f", "Qualifier=7"));
    CHECK(input == json{{"FunctionName", "f"}, {"Qualifier", "7"}});

    json output = {{"Configuration",
                    {{"FunctionName", "f"},
                     {"FunctionArn", "arn:aws:lambda:us-east-1:000000000000:function:f"},
                     {"Runtime", "provided.al2023"},
                     {"Handler", "bootstrap"},
                     {"CodeSize", 1048576},
                     {"Timeout", 3},
                     {"MemorySize", 128},
                     {"LastModified", "2026-11-27T21:30:00.000+0000"},
                     {"Environment", {{"Variables", {{"QUEUE_URL", "http://localhost:4566/000000000000/q"}}}}},
                     {"State", "Active"},
                     {"Architectures", json::array({"x86_64"})}}},
                   {"Code", {{"RepositoryType", "S3"}, {"Location", "http://localhost:4566/code.zip"}}},
                   {"Tags", {{"team", "blue"}}}};
    auto r = encode(op, output);
    CHECK(r.status == 200);
    CHECK(header(r, "Content-Type") == "application/json");
    auto body = json::parse(r.body);
    CHECK(body == output);  // rest-json bodies use the member names as they are
    CHECK(body["Configuration"]["Timeout"].is_number_integer());
    auto back = detail::from_wire_json(*op.model, detail::target_of(*op.model, (*op.op)["output"]), body, "");
    CHECK(back == output);
}

TEST_CASE("rest-json: Lambda CreateFunction body members, with a base64 blob inside") {
    auto op = op_ref("lambda", "lambda", "rest-json", "CreateFunction");
    auto r = request("POST", "/2015-03-31/functions", {}, {{"content-type", "application/json"}},
                     R"({"FunctionName":"f","Role":"arn:aws:iam::000000000000:role/r","Runtime":"provided.al2023",
                         "Handler":"bootstrap","Code":{"ZipFile":"UEsDBA=="},"Timeout":30,"Publish":true,
                         "Environment":{"Variables":{"LEVEL":"1"}}})");
    auto input = decode_request(op, r);
    CHECK(input["FunctionName"] == "f");
    CHECK(bytes_of(input["Code"]["ZipFile"]) == "PK\x03\x04");
    CHECK(input["Timeout"] == 30);
    CHECK(input["Publish"] == true);
    CHECK(input["Environment"]["Variables"]["LEVEL"] == "1");
    CHECK_NOTHROW(validate_input(op, input));

    auto created = encode(op, {{"FunctionName", "f"}, {"Timeout", 30}});
    CHECK(created.status == 201);  // the model's responseCode
    CHECK(json::parse(created.body) == json{{"FunctionName", "f"}, {"Timeout", 30}});

    CHECK(thrown([&] {
              decode_request(op, request("POST", "/2015-03-31/functions", {}, {{"content-type", "application/json"}},
                                         "{not json"));
          }).code == "SerializationException");
}

TEST_CASE("rest-json: validation of header enums and body ranges") {
    auto invoke = op_ref("lambda", "lambda", "rest-json", "Invoke", {{"FunctionName", "f"}});
    auto input = decode_request(invoke, request("POST", "/", {}, {{"x-amz-invocation-type", "Later"}}, "{}"));
    auto e = thrown([&] { validate_input(invoke, input); });
    CHECK(e.code == "ValidationException");
    CHECK(e.message() ==
          "1 validation error detected: Value 'Later' at 'invocationType' failed to satisfy constraint: "
          "Member must satisfy enum value set: [Event, RequestResponse, DryRun]");

    auto create = op_ref("lambda", "lambda", "rest-json", "CreateFunction");
    json in = {{"FunctionName", "f"},
               {"Role", "arn:aws:iam::000000000000:role/r"},
               {"Code", json::object()},
               {"MemorySize", 64}};
    CHECK(thrown([&] { validate_input(create, in); }).message() ==
          "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: "
          "Member must have value greater than or equal to 128");
    in["MemorySize"] = 40000;
    CHECK(thrown([&] { validate_input(create, in); }).message() ==
          "1 validation error detected: Value '40000' at 'memorySize' failed to satisfy constraint: "
          "Member must have value less than or equal to 32768");
    in.erase("MemorySize");
    in.erase("Role");
    CHECK(thrown([&] { validate_input(create, in); }).message() ==
          "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null");
}

TEST_CASE("rest-json error: Lambda ResourceNotFoundException") {
    wire_response r;
    encode_error(service_by_id("lambda"), &model("lambda"), "rest-json",
                 aws_error("ResourceNotFoundException",
                           "Function not found: arn:aws:lambda:us-east-1:000000000000:function:f", 404),
                 "rid-2", r);
    CHECK(r.status == 404);
    CHECK(header(r, "x-amzn-ErrorType") == "ResourceNotFoundException");
    CHECK(header(r, "x-amzn-RequestId") == "rid-2");
    CHECK(header(r, "Content-Type") == "application/json");
    CHECK_FALSE(has_header(r, "x-amzn-query-error"));
    auto body = json::parse(r.body);
    // Lambda's error shape spells it Message
    CHECK(body["Message"] == "Function not found: arn:aws:lambda:us-east-1:000000000000:function:f");
}

// --- rest-xml: S3 --------------------------------------------------------------------------

TEST_CASE("rest-xml: S3 PutObject with a greedy key, metadata headers and a body") {
    auto op =
        op_ref("s3", "s3", "rest-xml", "PutObject", {{"Bucket", "photos"}, {"Key", "2026/11/cat%20one%2Btwo.jpg"}});
    std::string body("\xff\xd8\xff\xe0 jpeg bytes \x00 and more", 27);
    auto r = request("PUT", "/photos/2026/11/cat%20one%2Btwo.jpg", {},
                     {{"content-type", "image/jpeg"},
                      {"content-length", std::to_string(body.size())},
                      {"x-amz-meta-camera", "Nikon"},
                      {"x-amz-meta-taken-by", "Ann Lee"},
                      {"x-amz-acl", "private"},
                      {"x-amz-storage-class", "STANDARD_IA"},
                      {"x-amz-checksum-crc32", "AAAAAA=="},
                      {"x-amz-sdk-checksum-algorithm", "CRC32"},
                      {"cache-control", "max-age=60"}},
                     body);
    auto input = decode_request(op, r);
    CHECK(input["Bucket"] == "photos");
    CHECK(input["Key"] == "2026/11/cat one+two.jpg");
    CHECK(input["ContentType"] == "image/jpeg");
    CHECK(input["ContentLength"] == static_cast<std::int64_t>(body.size()));
    CHECK(input["Metadata"] == json{{"camera", "Nikon"}, {"taken-by", "Ann Lee"}});
    CHECK(input["ACL"] == "private");
    CHECK(input["StorageClass"] == "STANDARD_IA");
    CHECK(input["ChecksumCRC32"] == "AAAAAA==");
    CHECK(input["ChecksumAlgorithm"] == "CRC32");
    CHECK(input["CacheControl"] == "max-age=60");
    // the object's bytes are not copied into the input: S3 reads them from the request
    CHECK(streaming_payload(op, true) == "Body");
    CHECK_FALSE(input.contains("Body"));
    CHECK_NOTHROW(validate_input(op, input));

    auto out = encode(op, {{"ETag", "\"5d41402abc4b2a76b9719d911017c592\""}, {"VersionId", "v1"}}, "rid-4");
    CHECK(out.status == 200);
    CHECK(header(out, "ETag") == "\"5d41402abc4b2a76b9719d911017c592\"");
    CHECK(header(out, "x-amz-version-id") == "v1");
    CHECK(header(out, "x-amz-request-id") == "rid-4");
    CHECK(out.body.empty());
}

TEST_CASE("rest-xml: S3 GetObject output: body, headers, metadata and an HTTP-date timestamp") {
    auto op = op_ref("s3", "s3", "rest-xml", "GetObject", {{"Bucket", "b"}, {"Key", "k"}});
    auto r = encode(op, {{"Body", binary(std::string("a\0b", 3))},
                         {"ContentType", "text/plain"},
                         {"ContentLength", 3},
                         {"ETag", "\"e\""},
                         {"LastModified", 1795815000.0},
                         {"Metadata", {{"camera", "Nikon"}}},
                         {"AcceptRanges", "bytes"}});
    CHECK(r.status == 200);
    CHECK(r.body == std::string("a\0b", 3));
    CHECK(header(r, "Content-Type") == "text/plain");
    CHECK(header(r, "Content-Length") == "3");
    CHECK(header(r, "Last-Modified") == "Fri, 27 Nov 2026 21:30:00 GMT");
    CHECK(header(r, "x-amz-meta-camera") == "Nikon");
    CHECK(header(r, "accept-ranges") == "bytes");
}

TEST_CASE("rest-xml: timestamps in headers are read as HTTP dates") {
    auto op = op_ref("s3", "s3", "rest-xml", "GetObject", {{"Bucket", "b"}, {"Key", "k"}});
    auto input =
        decode_request(op, request("GET", "/b/k", "response-content-type=text%2Fhtml&partNumber=2",
                                   {{"if-modified-since", "Fri, 27 Nov 2026 21:30:00 GMT"}, {"range", "bytes=0-9"}}));
    CHECK(input["IfModifiedSince"].get<double>() == doctest::Approx(1795815000.0));
    CHECK(input["Range"] == "bytes=0-9");
    CHECK(input["ResponseContentType"] == "text/html");
    CHECK(input["PartNumber"] == 2);
}

TEST_CASE("rest-xml: S3 ListObjectsV2 output has flattened Contents with ISO 8601 timestamps") {
    auto op = op_ref("s3", "s3", "rest-xml", "ListObjectsV2", {{"Bucket", "photos"}});
    auto input = decode_request(op, request("GET", "/photos", "list-type=2&prefix=2026%2F&delimiter=%2F&max-keys=100"));
    CHECK(input == json{{"Bucket", "photos"}, {"Prefix", "2026/"}, {"Delimiter", "/"}, {"MaxKeys", 100}});

    json output = {{"IsTruncated", false},
                   {"Name", "photos"},
                   {"Prefix", "2026/"},
                   {"Delimiter", "/"},
                   {"MaxKeys", 100},
                   {"KeyCount", 3},
                   {"Contents", json::array({{{"Key", "2026/a.jpg"},
                                              {"LastModified", 1795815000.0},
                                              {"ETag", "\"aa\""},
                                              {"Size", 10},
                                              {"StorageClass", "STANDARD"}},
                                             {{"Key", "2026/b & c.jpg"},
                                              {"LastModified", 1795815000.5},
                                              {"ETag", "\"bb\""},
                                              {"Size", 0},
                                              {"StorageClass", "STANDARD"}}})},
                   {"CommonPrefixes", json::array({{{"Prefix", "2026/11/"}}})}};
    auto r = encode(op, output);
    CHECK(r.status == 200);
    CHECK(header(r, "Content-Type") == "application/xml");
    CHECK(r.body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    auto root = parse_xml(r.body);
    auto contents = root.children_named("Contents");
    REQUIRE(contents.size() == 2);  // flattened: one element per object, directly under the root
    CHECK(xml_text(*contents[0], "Key") == "2026/a.jpg");
    CHECK(xml_text(*contents[0], "LastModified") == "2026-11-27T21:30:00.000Z");
    CHECK(xml_text(*contents[1], "LastModified") == "2026-11-27T21:30:00.500Z");
    CHECK(xml_text(*contents[0], "Size") == "10");
    CHECK(xml_text(*contents[1], "Key") == "2026/b & c.jpg");
    CHECK(r.body.find("2026/b &amp; c.jpg") != std::string::npos);
    CHECK(xml_text(root, "IsTruncated") == "false");
    CHECK(xml_text(root, "KeyCount") == "3");
    CHECK(xml_text(root, "Name") == "photos");
    auto prefixes = root.children_named("CommonPrefixes");
    REQUIRE(prefixes.size() == 1);
    CHECK(xml_text(*prefixes[0], "Prefix") == "2026/11/");

    auto back = detail::from_xml(*op.model, detail::target_of(*op.model, (*op.op)["output"]), root);
    CHECK(back == output);
}

TEST_CASE("rest-xml: S3 CreateBucket reads its CreateBucketConfiguration payload") {
    auto op = op_ref("s3", "s3", "rest-xml", "CreateBucket", {{"Bucket", "my-bucket"}});
    auto input = decode_request(op, request("PUT", "/my-bucket", {}, {{"x-amz-acl", "private"}},
                                            R"(<?xml version="1.0" encoding="UTF-8"?>
<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <LocationConstraint>eu-west-1</LocationConstraint>
</CreateBucketConfiguration>)"));
    CHECK(input == json{{"Bucket", "my-bucket"},
                        {"ACL", "private"},
                        {"CreateBucketConfiguration", {{"LocationConstraint", "eu-west-1"}}}});
    CHECK_NOTHROW(validate_input(op, input));

    // us-east-1 clients send no body at all
    auto plain = decode_request(op, request("PUT", "/my-bucket"));
    CHECK(plain == json{{"Bucket", "my-bucket"}});

    auto out = encode(op, {{"Location", "/my-bucket"}});
    CHECK(header(out, "Location") == "/my-bucket");
    CHECK(out.body.empty());
}

TEST_CASE("rest-xml: S3 DeleteObjects reads a flattened list in the payload") {
    auto op = op_ref("s3", "s3", "rest-xml", "DeleteObjects", {{"Bucket", "b"}});
    auto input = decode_request(op, request("POST", "/b", "delete", {},
                                            "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                                            "<Object><Key>a.txt</Key></Object>"
                                            "<Object><Key>dir/b&amp;c.txt</Key><VersionId>v2</VersionId></Object>"
                                            "<Quiet>true</Quiet></Delete>"));
    CHECK(input["Delete"] ==
          json{{"Objects", json::array({{{"Key", "a.txt"}}, {{"Key", "dir/b&c.txt"}, {"VersionId", "v2"}}})},
               {"Quiet", true}});
}

TEST_CASE("rest-xml: a structure payload is written with its element name") {
    auto op = op_ref("s3", "s3", "rest-xml", "GetBucketTagging", {{"Bucket", "b"}});
    json output = {{"TagSet", json::array({{{"Key", "team"}, {"Value", "blue"}}})}};
    auto r = encode(op, output);
    auto root = parse_xml(r.body);
    // the real service and botocore's tests:
    // <Tagging><TagSet><Tag><Key>..</Key><Value>..</Value></Tag></TagSet></Tagging>
    auto* set = root.child("TagSet");
    REQUIRE(set);
    REQUIRE(set->children_named("Tag").size() == 1);
    CHECK(xml_text(*set->children_named("Tag")[0], "Key") == "team");
    CHECK(detail::from_xml(*op.model, detail::target_of(*op.model, (*op.op)["output"]), root) == output);
}

TEST_CASE("rest-xml error: <Error><Code>") {
    wire_response r;
    encode_error(service_by_id("s3"), &model("s3"), "rest-xml",
                 aws_error("NoSuchBucket", "The specified bucket does not exist", 404), "rid-6", r);
    CHECK(r.status == 404);
    CHECK(header(r, "x-amz-request-id") == "rid-6");
    auto root = parse_xml(r.body);
    CHECK(root.name == "Error");
    CHECK(xml_text(root, "Code") == "NoSuchBucket");
    CHECK(xml_text(root, "Message") == "The specified bucket does not exist");
    CHECK(xml_text(root, "RequestId") == "rid-6");
}

// S3 answers a body it cannot parse with MalformedXML (S3 API reference, "Error responses").
TEST_CASE("rest-xml: S3 answers a malformed XML payload with MalformedXML") {
    auto op = op_ref("s3", "s3", "rest-xml", "CreateBucket", {{"Bucket", "b"}});
    for (std::string body :
         {"<CreateBucketConfiguration><LocationConstraint>", "not xml at all", "<CreateBucketConfiguration></Wrong>"}) {
        INFO(body);
        auto e = thrown([&] { decode_request(op, request("PUT", "/b", {}, {}, body)); });
        CHECK(e.code == "MalformedXML");
        CHECK(e.status == 400);
        CHECK(e.sender_fault);
    }
}
