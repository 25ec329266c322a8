#include "protocol/sigv4.hpp"

#include "wire_helpers.hpp"

#include <doctest/doctest.h>

using namespace eddy::protocol;
using namespace eddy::protocol::test;

TEST_CASE("sigv4: the credential scope of an Authorization header") {
    auto r = request("POST", "/", {},
                     {{"authorization",
                       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/eu-west-1/sqs/aws4_request, "
                       "SignedHeaders=content-type;host;x-amz-date, Signature=abc123"}});
    credential_scope scope;
    REQUIRE(parse_credential_scope(r, scope));
    CHECK(scope.access_key == "AKIDEXAMPLE");
    CHECK(scope.date == "20261127");
    CHECK(scope.region == "eu-west-1");
    CHECK(scope.service == "sqs");

    // some clients leave out the spaces after the commas
    auto tight = request("POST", "/", {},
                         {{"authorization",
                           "AWS4-HMAC-SHA256 Credential=AKID/20261127/us-west-2/kinesis/aws4_request,"
                           "SignedHeaders=host,Signature=abc"}});
    credential_scope s2;
    REQUIRE(parse_credential_scope(tight, s2));
    CHECK(s2.service == "kinesis");
    CHECK(s2.region == "us-west-2");
}

TEST_CASE("sigv4: the credential scope of a presigned URL") {
    auto r =
        request("GET", "/bucket/key",
                "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261127%2Fap-south-1%2Fs3%2Faws4_request"
                "&X-Amz-Date=20261127T213000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=ff");
    credential_scope scope;
    REQUIRE(parse_credential_scope(r, scope));
    CHECK(scope.access_key == "AKID");
    CHECK(scope.region == "ap-south-1");
    CHECK(scope.service == "s3");
}

TEST_CASE("sigv4: no scope when there is none to read") {
    credential_scope scope;
    CHECK_FALSE(parse_credential_scope(request("GET", "/"), scope));
    CHECK(scope.service.empty());
    CHECK_FALSE(parse_credential_scope(request("GET", "/", {}, {{"authorization", "Bearer token"}}), scope));
    CHECK_FALSE(parse_credential_scope(
        request("GET", "/", {}, {{"authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261127, Signature=x"}}), scope));
    CHECK_FALSE(parse_credential_scope(request("GET", "/", "X-Amz-Credential=AKID"), scope));
}
