#include "protocol/router.hpp"

#include "wire_helpers.hpp"

#include <doctest/doctest.h>

using namespace eddy;
using namespace eddy::protocol;
using namespace eddy::protocol::test;

namespace {

std::string authorization(std::string_view service, std::string_view region = "us-east-1") {
    return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/" + std::string(region) + "/" + std::string(service) +
           "/aws4_request, SignedHeaders=content-type;host;x-amz-date, "
           "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
}

// What a route names, for compact checks.
struct named {
    std::string service, model, protocol, operation;
    bool operator==(const named&) const = default;
};

std::ostream& operator<<(std::ostream& os, const named& n) {
    return os << n.service << "/" << n.model << "/" << n.protocol << "/" << n.operation;
}

named name_of(const route& r) {
    return {r.op.service ? std::string(r.op.service->id) : "", r.op.model ? r.op.model->name() : "", r.op.protocol,
            r.op.name};
}

route routed(const wire_request& r) {
    auto out = route_request(r);
    if (out.error) INFO("routing error: ", out.error->code, ": ", out.error->message());
    return out;
}

// Routes a request that must succeed and names operation `op` of `service`.
route expect_route(const wire_request& r, named expected) {
    auto out = route_request(r);
    INFO(std::string(r.method + " " + r.path + (r.query.empty() ? "" : "?" + r.query)));
    CHECK_FALSE_MESSAGE(out.error.has_value(), (out.error ? out.error->code + ": " + out.error->message() : ""));
    CHECK(name_of(out) == expected);
    CHECK(out.op.op != nullptr);
    if (out.op.op && out.op.model) CHECK(out.op.op == out.op.model->operation(expected.operation));
    return out;
}

wire_request rest(std::string method, std::string path, std::string query = {}, std::string_view service = {},
                  std::initializer_list<std::pair<std::string, std::string>> extra = {}) {
    auto r = request(std::move(method), std::move(path), std::move(query));
    if (!service.empty()) r.headers.emplace_back("authorization", authorization(service));
    for (auto& h : extra)
        r.headers.push_back(h);
    return r;
}

std::string label(const route& r, std::string_view name) {
    for (auto& [k, v] : r.op.labels)
        if (k == name) return v;
    return "<no label " + std::string(name) + ">";
}

}  // namespace

// --- X-Amz-Target ----------------------------------------------------------------------------

TEST_CASE("router: X-Amz-Target names the operation of every json service") {
    int checked = 0;
    for (auto& svc : services()) {
        if (svc.protocol != "json") continue;
        auto& m = model(svc.id);
        std::string version = m.metadata().value("jsonVersion", "1.0");
        for (auto& [op_name, op] : m.operations().items()) {
            auto r = json_request(std::string(svc.target_prefix) + "." + op_name, "{}", version);
            r.headers.emplace_back("authorization", authorization(svc.signing_name));
            auto out = route_request(r);
            INFO(svc.id, " ", op_name);
            REQUIRE_FALSE(out.error.has_value());
            CHECK(out.op.service == &svc);
            CHECK(out.op.model == &m);
            CHECK(out.op.protocol == "json");
            CHECK(out.op.name == op_name);
            CHECK(out.op.op == &op);
            ++checked;
        }
    }
    CHECK(checked > 500);
}

TEST_CASE("router: X-Amz-Target without any signature, json 1.0 and 1.1") {
    expect_route(json_request("AmazonSQS.SendMessage", "{}", "1.0"), {"sqs", "sqs", "json", "SendMessage"});
    expect_route(json_request("Kinesis_20131202.PutRecord", "{}", "1.1"), {"kinesis", "kinesis", "json", "PutRecord"});
    expect_route(json_request("DynamoDB_20120810.PutItem", "{}", "1.0"), {"dynamodb", "dynamodb", "json", "PutItem"});
    expect_route(json_request("Logs_20140328.PutLogEvents", "{}", "1.1"), {"logs", "logs", "json", "PutLogEvents"});
    expect_route(json_request("AWSEvents.PutEvents", "{}", "1.1"), {"events", "events", "json", "PutEvents"});
    expect_route(json_request("AmazonEC2ContainerServiceV20141113.RunTask", "{}", "1.1"),
                 {"ecs", "ecs", "json", "RunTask"});
    expect_route(json_request("AmazonSSM.GetParameter", "{}", "1.1"), {"ssm", "ssm", "json", "GetParameter"});
}

TEST_CASE("router: the SigV4 scope is kept with the route") {
    auto r = json_request("AmazonSQS.ListQueues", "{}");
    r.headers.emplace_back("authorization", authorization("sqs", "eu-central-1"));
    auto out = expect_route(r, {"sqs", "sqs", "json", "ListQueues"});
    CHECK(out.scope.service == "sqs");
    CHECK(out.scope.region == "eu-central-1");
    CHECK(out.scope.access_key == "AKIDEXAMPLE");
    CHECK(out.scope.date == "20261127");
}

TEST_CASE("router: host names play no part") {
    for (std::string host : {"localhost:4566", "sync-localhost:4566", "127.0.0.1:4566", "sqs.us-east-1.amazonaws.com",
                             "data-localhost:4566", "my-bucket.s3.localhost:4566"}) {
        INFO(host);
        auto sync = json_request("AWSStepFunctions.StartSyncExecution", "{}");
        sync.headers.emplace_back("host", host);
        expect_route(sync, {"stepfunctions", "stepfunctions", "json", "StartSyncExecution"});

        auto query = form_request("Action=GetCallerIdentity&Version=2011-06-15");
        query.headers.emplace_back("host", host);
        expect_route(query, {"sts", "sts", "query", "GetCallerIdentity"});

        auto lambda = rest("GET", "/2015-03-31/functions/f", {}, "lambda", {{"host", host}});
        expect_route(lambda, {"lambda", "lambda", "rest-json", "GetFunction"});
    }
}

TEST_CASE("router: an unknown X-Amz-Target is UnknownOperationException") {
    auto out = routed(json_request("Frobnicator_20300101.Spin", "{}"));
    REQUIRE(out.error.has_value());
    CHECK(out.error->code == "UnknownOperationException");
    CHECK(out.error->status == 400);
    CHECK(out.op.op == nullptr);
    CHECK(out.op.protocol == "json");

    auto op = routed(json_request("AmazonSQS.Frobnicate", "{}"));
    REQUIRE(op.error.has_value());
    CHECK(op.error->code == "UnknownOperationException");
    CHECK(op.op.op == nullptr);
    // the service is known, so the error can be sent the way its clients read errors
    REQUIRE(op.op.service);
    CHECK(op.op.service->id == "sqs");
    CHECK(op.op.protocol == "json");

    auto bare = routed(json_request("NoDotAtAll", "{}"));
    REQUIRE(bare.error.has_value());
    CHECK(bare.error->code == "UnknownOperationException");
}

// --- query Action ----------------------------------------------------------------------------

TEST_CASE("router: a query Action in a signed form body goes to the service's query model") {
    auto r = form_request("Action=CreateQueue&Version=2012-11-05&QueueName=q");
    r.headers.emplace_back("authorization", authorization("sqs"));
    auto out = expect_route(r, {"sqs", "sqs-query", "query", "CreateQueue"});
    CHECK(out.scope.service == "sqs");

    auto sts = form_request("Action=AssumeRole&Version=2011-06-15&RoleArn=a&RoleSessionName=s");
    sts.headers.emplace_back("authorization", authorization("sts"));
    expect_route(sts, {"sts", "sts", "query", "AssumeRole"});
}

TEST_CASE("router: a query Action without a signature is found by its name") {
    expect_route(form_request("Action=CreateQueue&QueueName=q"), {"sqs", "sqs-query", "query", "CreateQueue"});
    expect_route(form_request("Action=GetQueueAttributes&QueueUrl=u&AttributeName.1=All"),
                 {"sqs", "sqs-query", "query", "GetQueueAttributes"});
    expect_route(form_request("Version=2011-06-15&Action=GetCallerIdentity"),
                 {"sts", "sts", "query", "GetCallerIdentity"});
    expect_route(form_request("Action=AssumeRole"), {"sts", "sts", "query", "AssumeRole"});
}

TEST_CASE("router: a query Action in the URL query string") {
    expect_route(request("GET", "/", "Action=ListQueues&Version=2012-11-05"),
                 {"sqs", "sqs-query", "query", "ListQueues"});
    expect_route(request("GET", "/000000000000/orders", "Action=ReceiveMessage&MaxNumberOfMessages=10"),
                 {"sqs", "sqs-query", "query", "ReceiveMessage"});
    expect_route(request("POST", "/", "Action=GetCallerIdentity&Version=2011-06-15"),
                 {"sts", "sts", "query", "GetCallerIdentity"});
    auto signed_get =
        request("GET", "/", "Action=GetCallerIdentity&Version=2011-06-15", {{"authorization", authorization("sts")}});
    expect_route(signed_get, {"sts", "sts", "query", "GetCallerIdentity"});
}

TEST_CASE("router: the form body is read only when the content type says it is a form") {
    auto r = request("POST", "/", {}, {{"content-type", "application/json"}}, "Action=CreateQueue&QueueName=q");
    auto out = routed(r);
    CHECK(out.op.name != "CreateQueue");
    CHECK(out.error.has_value());
}

TEST_CASE("router: an unknown query Action is InvalidAction") {
    auto out = routed(form_request("Action=Frobnicate&Version=2012-11-05"));
    REQUIRE(out.error.has_value());
    CHECK(out.error->code == "InvalidAction");
    CHECK(out.error->status == 400);
    CHECK(out.error->message() == "The action Frobnicate is not valid for this web service.");
    CHECK(out.op.op == nullptr);
    CHECK(out.op.protocol == "query");

    auto r = form_request("Action=PutRecord");  // a json operation is no query action
    r.headers.emplace_back("authorization", authorization("sqs"));
    auto signed_out = routed(r);
    REQUIRE(signed_out.error.has_value());
    CHECK(signed_out.error->code == "InvalidAction");
    REQUIRE(signed_out.op.service);
    CHECK(signed_out.op.service->id == "sqs");
    CHECK(signed_out.op.model->name() == "sqs-query");
}

// --- REST: Lambda ----------------------------------------------------------------------------

TEST_CASE("router: Lambda operations by method and path, labels captured") {
    for (bool signed_request : {true, false}) {
        INFO("signed: ", signed_request);
        std::string_view svc = signed_request ? "lambda" : "";
        auto invoke = expect_route(rest("POST", "/2015-03-31/functions/my-func/invocations", "Qualifier=live", svc),
                                   {"lambda", "lambda", "rest-json", "Invoke"});
        CHECK(label(invoke, "FunctionName") == "my-func");

        auto get = expect_route(rest("GET", "/2015-03-31/functions/my-func", {}, svc),
                                {"lambda", "lambda", "rest-json", "GetFunction"});
        CHECK(label(get, "FunctionName") == "my-func");

        expect_route(rest("GET", "/2015-03-31/functions/my-func/configuration", {}, svc),
                     {"lambda", "lambda", "rest-json", "GetFunctionConfiguration"});
        expect_route(rest("GET", "/2015-03-31/functions/", {}, svc),
                     {"lambda", "lambda", "rest-json", "ListFunctions"});
        expect_route(rest("GET", "/2015-03-31/functions", {}, svc), {"lambda", "lambda", "rest-json", "ListFunctions"});
        expect_route(rest("POST", "/2015-03-31/functions", {}, svc),
                     {"lambda", "lambda", "rest-json", "CreateFunction"});
        expect_route(rest("DELETE", "/2015-03-31/functions/my-func", {}, svc),
                     {"lambda", "lambda", "rest-json", "DeleteFunction"});
        expect_route(rest("PUT", "/2015-03-31/functions/my-func/code", {}, svc),
                     {"lambda", "lambda", "rest-json", "UpdateFunctionCode"});
        auto alias = expect_route(rest("GET", "/2015-03-31/functions/my-func/aliases/live", {}, svc),
                                  {"lambda", "lambda", "rest-json", "GetAlias"});
        CHECK(label(alias, "FunctionName") == "my-func");
        CHECK(label(alias, "Name") == "live");
        expect_route(rest("POST", "/2015-03-31/event-source-mappings/", {}, svc),
                     {"lambda", "lambda", "rest-json", "CreateEventSourceMapping"});
    }
}

TEST_CASE("router: Lambda labels stay percent-encoded until the codec decodes them") {
    auto out = expect_route(
        rest("POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations",
             {}, "lambda"),
        {"lambda", "lambda", "rest-json", "Invoke"});
    CHECK(label(out, "FunctionName") == "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af");
}

TEST_CASE("router: a query literal in the URI template makes a route more specific") {
    expect_route(rest("GET", "/2019-09-30/functions/f/provisioned-concurrency", "List=ALL", "lambda"),
                 {"lambda", "lambda", "rest-json", "ListProvisionedConcurrencyConfigs"});
    expect_route(rest("GET", "/2019-09-30/functions/f/provisioned-concurrency", "Qualifier=1", "lambda"),
                 {"lambda", "lambda", "rest-json", "GetProvisionedConcurrencyConfig"});
}

TEST_CASE("router: a signed REST request that matches no route is UnknownOperationException") {
    auto out = routed(rest("GET", "/2015-03-31/nothing-here", {}, "lambda"));
    REQUIRE(out.error.has_value());
    CHECK(out.error->code == "UnknownOperationException");
    CHECK(out.error->status == 404);
    REQUIRE(out.op.service);
    CHECK(out.op.service->id == "lambda");
    CHECK(out.op.protocol == "rest-json");
    CHECK(out.op.op == nullptr);

    auto wrong_method = routed(rest("PATCH", "/2015-03-31/functions/f", {}, "lambda"));
    REQUIRE(wrong_method.error.has_value());
    CHECK(wrong_method.error->code == "UnknownOperationException");
}

// --- REST: S3 --------------------------------------------------------------------------------

TEST_CASE("router: S3 bucket operations") {
    expect_route(rest("GET", "/", {}, "s3"), {"s3", "s3", "rest-xml", "ListBuckets"});
    auto create = expect_route(rest("PUT", "/my-bucket", {}, "s3"), {"s3", "s3", "rest-xml", "CreateBucket"});
    CHECK(label(create, "Bucket") == "my-bucket");
    expect_route(rest("PUT", "/my-bucket/", {}, "s3"), {"s3", "s3", "rest-xml", "CreateBucket"});
    expect_route(rest("HEAD", "/my-bucket", {}, "s3"), {"s3", "s3", "rest-xml", "HeadBucket"});
    expect_route(rest("DELETE", "/my-bucket", {}, "s3"), {"s3", "s3", "rest-xml", "DeleteBucket"});
    expect_route(rest("GET", "/my-bucket", "location", "s3"), {"s3", "s3", "rest-xml", "GetBucketLocation"});
    expect_route(rest("GET", "/my-bucket", "versioning", "s3"), {"s3", "s3", "rest-xml", "GetBucketVersioning"});
    expect_route(rest("PUT", "/my-bucket", "tagging", "s3"), {"s3", "s3", "rest-xml", "PutBucketTagging"});
    expect_route(rest("POST", "/my-bucket", "delete", "s3"), {"s3", "s3", "rest-xml", "DeleteObjects"});
    expect_route(rest("GET", "/my-bucket", "uploads", "s3"), {"s3", "s3", "rest-xml", "ListMultipartUploads"});
}

TEST_CASE("router: S3 ?list-type=2 prefers ListObjectsV2 over ListObjects") {
    expect_route(rest("GET", "/my-bucket", "list-type=2", "s3"), {"s3", "s3", "rest-xml", "ListObjectsV2"});
    expect_route(rest("GET", "/my-bucket", "list-type=2&prefix=a%2F&delimiter=%2F&encoding-type=url", "s3"),
                 {"s3", "s3", "rest-xml", "ListObjectsV2"});
    expect_route(rest("GET", "/my-bucket", "prefix=a&list-type=2", "s3"), {"s3", "s3", "rest-xml", "ListObjectsV2"});
    expect_route(rest("GET", "/my-bucket", {}, "s3"), {"s3", "s3", "rest-xml", "ListObjects"});
    expect_route(rest("GET", "/my-bucket", "prefix=a&marker=b", "s3"), {"s3", "s3", "rest-xml", "ListObjects"});
    expect_route(rest("GET", "/my-bucket", "list-type=1", "s3"), {"s3", "s3", "rest-xml", "ListObjects"});
}

TEST_CASE("router: S3 greedy key labels keep their slashes") {
    auto get = expect_route(rest("GET", "/my-bucket/photos/2026/cat%20one.jpg", {}, "s3"),
                            {"s3", "s3", "rest-xml", "GetObject"});
    CHECK(label(get, "Bucket") == "my-bucket");
    CHECK(label(get, "Key") == "photos/2026/cat%20one.jpg");

    auto folder = expect_route(rest("HEAD", "/my-bucket/folder/", {}, "s3"), {"s3", "s3", "rest-xml", "HeadObject"});
    CHECK(label(folder, "Key") == "folder/");

    auto uploads = expect_route(rest("POST", "/my-bucket/big/file.bin", "uploads", "s3"),
                                {"s3", "s3", "rest-xml", "CreateMultipartUpload"});
    CHECK(label(uploads, "Key") == "big/file.bin");
    expect_route(rest("POST", "/my-bucket/big/file.bin", "uploadId=u1", "s3"),
                 {"s3", "s3", "rest-xml", "CompleteMultipartUpload"});
    expect_route(rest("GET", "/my-bucket/k", "tagging", "s3"), {"s3", "s3", "rest-xml", "GetObjectTagging"});
    expect_route(rest("PUT", "/my-bucket/k", "tagging", "s3"), {"s3", "s3", "rest-xml", "PutObjectTagging"});
}

TEST_CASE("router: unsigned S3 requests are found by path") {
    expect_route(rest("GET", "/my-bucket/a/b.txt"), {"s3", "s3", "rest-xml", "GetObject"});
    expect_route(rest("GET", "/my-bucket", "list-type=2"), {"s3", "s3", "rest-xml", "ListObjectsV2"});
}

TEST_CASE("router: a presigned URL's X-Amz-Credential names the service") {
    auto out = expect_route(rest("GET", "/my-bucket/report.csv",
                                 "X-Amz-Algorithm=AWS4-HMAC-SHA256"
                                 "&X-Amz-Credential=AKIDEXAMPLE%2F20261127%2Feu-west-1%2Fs3%2Faws4_request"
                                 "&X-Amz-Date=20261127T213000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
                                 "&X-Amz-Signature=abcdef"),
                            {"s3", "s3", "rest-xml", "GetObject"});
    CHECK(out.scope.service == "s3");
    CHECK(out.scope.region == "eu-west-1");
    CHECK(out.scope.access_key == "AKIDEXAMPLE");
    CHECK(label(out, "Key") == "report.csv");
}

// S3 tells these apart by query parameters and headers the URI template does not list:
// UploadPart needs partNumber and uploadId, CopyObject an x-amz-copy-source header,
// AbortMultipartUpload an uploadId, ListParts an uploadId.
TEST_CASE("router: S3 object operations that share /{Bucket}/{Key+}") {
    expect_route(rest("PUT", "/my-bucket/a/b/c.txt", {}, "s3"), {"s3", "s3", "rest-xml", "PutObject"});
    expect_route(rest("PUT", "/my-bucket/a/b/c.txt"), {"s3", "s3", "rest-xml", "PutObject"});
    expect_route(rest("DELETE", "/my-bucket/a/b/c.txt", {}, "s3"), {"s3", "s3", "rest-xml", "DeleteObject"});
    expect_route(rest("PUT", "/my-bucket/a/b/c.txt", "partNumber=1&uploadId=u1", "s3"),
                 {"s3", "s3", "rest-xml", "UploadPart"});
    expect_route(rest("PUT", "/my-bucket/a/b/c.txt", {}, "s3", {{"x-amz-copy-source", "/src-bucket/src.txt"}}),
                 {"s3", "s3", "rest-xml", "CopyObject"});
    expect_route(rest("PUT", "/my-bucket/a/b/c.txt", "partNumber=2&uploadId=u1", "s3",
                      {{"x-amz-copy-source", "/src-bucket/src.txt"}}),
                 {"s3", "s3", "rest-xml", "UploadPartCopy"});
    expect_route(rest("DELETE", "/my-bucket/a/b/c.txt", "uploadId=u1", "s3"),
                 {"s3", "s3", "rest-xml", "AbortMultipartUpload"});
    expect_route(rest("GET", "/my-bucket/a/b/c.txt", "uploadId=u1", "s3"), {"s3", "s3", "rest-xml", "ListParts"});
    expect_route(rest("GET", "/my-bucket/a/b/c.txt", {}, "s3"), {"s3", "s3", "rest-xml", "GetObject"});
}

// --- route_from_headers ----------------------------------------------------------------------

TEST_CASE("route_from_headers names the service before the body is read") {
    auto target = route_from_headers(json_request("Kinesis_20131202.PutRecord", ""));
    REQUIRE(target.op.service);
    CHECK(target.op.service->id == "kinesis");
    CHECK(target.op.name == "PutRecord");

    auto query = form_request("");
    query.headers.emplace_back("authorization", authorization("sqs"));
    auto q = route_from_headers(query);
    REQUIRE(q.op.service);
    CHECK(q.op.service->id == "sqs");
    CHECK(q.op.model->name() == "sqs-query");
    CHECK(q.op.protocol == "query");

    auto s3 = route_from_headers(rest("PUT", "/b/k", {}, "s3"));
    REQUIRE(s3.op.service);
    CHECK(s3.op.service->id == "s3");
    CHECK(s3.op.protocol == "rest-xml");

    auto nothing = route_from_headers(request("POST", "/"));
    CHECK(nothing.op.service == nullptr);
    CHECK(nothing.op.protocol == "json");
}
