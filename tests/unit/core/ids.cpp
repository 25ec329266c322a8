#include "core/ids.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <set>

using namespace eddy;

namespace {

bool is_hex_lower(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

std::int64_t iso(std::string_view text) {
    std::int64_t ms = -1;
    REQUIRE_MESSAGE(parse_iso8601(text, ms), text);
    return ms;
}

std::int64_t rfc822(std::string_view text) {
    std::int64_t ms = -1;
    REQUIRE_MESSAGE(parse_rfc822(text, ms), text);
    return ms;
}

constexpr std::int64_t nov27 = 1'795'815'000'000;  // 2026-11-27T21:30:00Z

}  // namespace

TEST_CASE("new_uuid is a lower-case RFC 4122 version 4 UUID") {
    std::set<std::string> seen;
    std::set<char> digits;
    for (int i = 0; i < 200; ++i) {
        auto id = new_uuid();
        digits.insert(id.begin(), id.end());
        REQUIRE(id.size() == 36);
        for (std::size_t k = 0; k < id.size(); ++k) {
            if (k == 8 || k == 13 || k == 18 || k == 23)
                CHECK(id[k] == '-');
            else
                CHECK(is_hex_lower(id[k]));
        }
        CHECK(id[14] == '4');                                                    // version
        CHECK(std::string_view("89ab").find(id[19]) != std::string_view::npos);  // variant 10xx
        seen.insert(id);
    }
    CHECK(seen.size() == 200);
    CHECK(digits.size() == 17);  // every hex digit, and the dash
}

TEST_CASE("make_arn joins the parts in AWS's order") {
    CHECK(make_arn("sqs", "us-east-1", "000000000000", "orders") == "arn:aws:sqs:us-east-1:000000000000:orders");
    CHECK(make_arn("lambda", "eu-west-1", "123456789012", "function:f") ==
          "arn:aws:lambda:eu-west-1:123456789012:function:f");
    CHECK(make_arn("s3", "", "", "bucket/key") == "arn:aws:s3:::bucket/key");
}

TEST_CASE("parse_arn keeps colons and slashes of the resource") {
    arn_parts p;
    REQUIRE(parse_arn("arn:aws:lambda:us-east-1:000000000000:function:my-func:live", p));
    CHECK(p.partition == "aws");
    CHECK(p.service == "lambda");
    CHECK(p.region == "us-east-1");
    CHECK(p.account == "000000000000");
    CHECK(p.resource == "function:my-func:live");

    REQUIRE(parse_arn("arn:aws:states:us-east-1:000000000000:stateMachine:flow", p));
    CHECK(p.resource == "stateMachine:flow");

    REQUIRE(parse_arn("arn:aws-us-gov:ecs:us-gov-west-1:000000000000:task/cluster:x/abc", p));
    CHECK(p.partition == "aws-us-gov");
    CHECK(p.resource == "task/cluster:x/abc");
}

TEST_CASE("parse_arn rejects what is not an ARN") {
    arn_parts p;
    CHECK_FALSE(parse_arn("", p));
    CHECK_FALSE(parse_arn("arn:aws:sqs", p));
    CHECK_FALSE(parse_arn("urn:aws:sqs:us-east-1:000000000000:q", p));
    CHECK_FALSE(parse_arn("arn::sqs:us-east-1:000000000000:q", p));
    CHECK_FALSE(parse_arn("arn:aws::us-east-1:000000000000:q", p));
}

// Most ARNs have a resource without a colon: SQS queues, S3 buckets, IAM roles.
TEST_CASE("parse_arn accepts a resource without a colon") {
    arn_parts p;
    CHECK(parse_arn("arn:aws:sqs:us-east-1:000000000000:dead-letters", p));
    CHECK(p.service == "sqs");
    CHECK(p.region == "us-east-1");
    CHECK(p.account == "000000000000");
    CHECK(p.resource == "dead-letters");

    CHECK(parse_arn("arn:aws:s3:::my-bucket", p));
    CHECK(p.service == "s3");
    CHECK(p.region.empty());
    CHECK(p.account.empty());
    CHECK(p.resource == "my-bucket");

    CHECK(parse_arn("arn:aws:iam::000000000000:role/service-role/runner", p));
    CHECK(p.resource == "role/service-role/runner");

    // what make_arn writes, parse_arn reads back
    CHECK(parse_arn(make_arn("sqs", "eu-west-1", "123456789012", "q.fifo"), p));
    CHECK(p.resource == "q.fifo");
}

TEST_CASE("is_valid_region") {
    CHECK(is_valid_region("us-east-1"));
    CHECK(is_valid_region("ap-southeast-2"));
    CHECK_FALSE(is_valid_region(""));
    CHECK_FALSE(is_valid_region("US-EAST-1"));
    CHECK_FALSE(is_valid_region("us east 1"));
    CHECK_FALSE(is_valid_region(std::string(33, 'a')));
}

TEST_CASE("format_iso8601 writes UTC with milliseconds") {
    CHECK(format_iso8601(0) == "1970-01-01T00:00:00.000Z");
    CHECK(format_iso8601(nov27) == "2026-11-27T21:30:00.000Z");
    CHECK(format_iso8601(nov27 + 123) == "2026-11-27T21:30:00.123Z");
    CHECK(format_iso8601(951'825'600'000) == "2000-02-29T12:00:00.000Z");
    CHECK(format_iso8601(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("parse_iso8601 reads fractions, zones and offsets") {
    CHECK(iso("2026-11-27T21:30:00Z") == nov27);
    CHECK(iso("2026-11-27T21:30:00z") == nov27);
    CHECK(iso("2026-11-27T21:30:00") == nov27);  // no zone: UTC
    CHECK(iso("2026-11-27T21:30Z") == nov27);    // seconds optional
    CHECK(iso("2026-11-27") == 1'795'737'600'000);
    CHECK(iso("2026-11-27T21:30:00.1Z") == nov27 + 100);
    CHECK(iso("2026-11-27T21:30:00.123Z") == nov27 + 123);
    CHECK(iso("2026-11-27T21:30:00.123456Z") == nov27 + 123);  // micro- and nanoseconds truncate
    CHECK(iso("2026-11-27T21:30:00,5Z") == nov27 + 500);
    CHECK(iso("2026-11-27T23:30:00+02:00") == nov27);
    CHECK(iso("2026-11-28T03:00:00+0530") == nov27);
    CHECK(iso("2026-11-27T16:30:00-05:00") == nov27);
    CHECK(iso("2026-11-27T21:30:00.250+01:00") == nov27 - 3'600'000 + 250);
    CHECK(iso("2000-02-29T12:00:00Z") == 951'825'600'000);
    CHECK(iso("1969-12-31T23:59:59.500Z") == -500);
}

TEST_CASE("parse_iso8601 and format_iso8601 round trip") {
    for (std::int64_t ms :
         {std::int64_t{0}, nov27, nov27 + 7, std::int64_t{1'700'000'000'999}, std::int64_t{-86'400'000}}) {
        std::int64_t back = 0;
        REQUIRE(parse_iso8601(format_iso8601(ms), back));
        CHECK(back == ms);
    }
}

TEST_CASE("parse_iso8601 rejects malformed text") {
    std::int64_t ms = 0;
    CHECK_FALSE(parse_iso8601("", ms));
    CHECK_FALSE(parse_iso8601("yesterday", ms));
    CHECK_FALSE(parse_iso8601("2026-1-27", ms));
    CHECK_FALSE(parse_iso8601("2026-13-01T00:00:00Z", ms));
    CHECK_FALSE(parse_iso8601("2026-00-10T00:00:00Z", ms));
    CHECK_FALSE(parse_iso8601("2026-11-32T00:00:00Z", ms));
    CHECK_FALSE(parse_iso8601("2026-11-27T24:00:00Z", ms));
    CHECK_FALSE(parse_iso8601("2026-11-27T21:60:00Z", ms));
    CHECK_FALSE(parse_iso8601("2026-11-27T21:30:00.Z", ms));
    CHECK_FALSE(parse_iso8601("2026-11-27T21:30:00Zjunk", ms));
    CHECK_FALSE(parse_iso8601("2026-11-27T21:30:00+5", ms));
    CHECK_FALSE(parse_iso8601("1795815000", ms));
}

// A Kinesis AT_TIMESTAMP of 2026-02-30 is an error at AWS, not the 2nd of March.
TEST_CASE("parse_iso8601 rejects days the month does not have") {
    std::int64_t ms = 0;
    CHECK(parse_iso8601("2024-02-29T00:00:00Z", ms));  // leap year
    CHECK_FALSE(parse_iso8601("2026-02-29T00:00:00Z", ms));
    CHECK_FALSE(parse_iso8601("2026-02-30T00:00:00Z", ms));
    CHECK_FALSE(parse_iso8601("2026-04-31T00:00:00Z", ms));
    CHECK_FALSE(parse_iso8601("1900-02-29T00:00:00Z", ms));
}

TEST_CASE("format_rfc822 and parse_rfc822") {
    CHECK(format_rfc822(nov27) == "Fri, 27 Nov 2026 21:30:00 GMT");
    CHECK(format_rfc822(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
    CHECK(format_rfc822(nov27 + 999) == "Fri, 27 Nov 2026 21:30:00 GMT");  // HTTP dates have whole seconds
    CHECK(rfc822("Fri, 27 Nov 2026 21:30:00 GMT") == nov27);
    CHECK(rfc822("Tue, 29 Feb 2000 12:00:00 GMT") == 951'825'600'000);
    CHECK(rfc822(format_rfc822(1'700'000'000'000)) == 1'700'000'000'000);

    std::int64_t ms = 0;
    CHECK_FALSE(parse_rfc822("", ms));
    CHECK_FALSE(parse_rfc822("27 Nov 2026 21:30:00 GMT", ms));
    CHECK_FALSE(parse_rfc822("Fri, 27 Foo 2026 21:30:00 GMT", ms));
    CHECK_FALSE(parse_rfc822("Fri, 27 Nov 2026 21-30-00 GMT", ms));
    CHECK_FALSE(parse_rfc822("2026-11-27T21:30:00Z", ms));
}
