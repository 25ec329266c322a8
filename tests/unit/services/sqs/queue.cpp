#include "services/sqs/queue.hpp"

#include "core/aws_error.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace eddy;
using namespace eddy::sqs;

namespace {

// The code of the aws_error that check_attributes throws, or "" when it accepts.
std::string verdict(const attribute_map& attrs, bool fifo = false, bool creating = true) {
    try {
        check_attributes(attrs, fifo, creating);
        return "";
    } catch (const aws_error& e) {
        return e.code;
    }
}

std::string message_of(const attribute_map& attrs, bool fifo = false, bool creating = true) {
    try {
        check_attributes(attrs, fifo, creating);
        return "";
    } catch (const aws_error& e) {
        return e.message();
    }
}

bool name_ok(std::string_view name, bool fifo) {
    return !check_queue_name(name, fifo).has_value();
}

constexpr const char* dlq_arn = "arn:aws:sqs:us-east-1:000000000000:dead-letters";

}  // namespace

TEST_CASE("queue names: standard queues") {
    CHECK(name_ok("orders", false));
    CHECK(name_ok("a", false));
    CHECK(name_ok("Orders_2026-v2", false));
    CHECK(name_ok(std::string(80, 'q'), false));
    CHECK_FALSE(name_ok("", false));
    CHECK_FALSE(name_ok(std::string(81, 'q'), false));
    CHECK_FALSE(name_ok("has space", false));
    CHECK_FALSE(name_ok("dotted.name", false));
    CHECK_FALSE(name_ok("orders.fifo", false));  // the suffix is for FIFO queues only
    CHECK_FALSE(name_ok("slash/name", false));
    CHECK_FALSE(name_ok("caf\xC3\xA9", false));
    CHECK(*check_queue_name("bad name", false) ==
          "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
}

TEST_CASE("queue names: FIFO queues") {
    CHECK(name_ok("orders.fifo", true));
    CHECK(name_ok("a.fifo", true));
    CHECK(name_ok(std::string(75, 'q') + ".fifo", true));  // 80 with the suffix
    CHECK_FALSE(name_ok(std::string(76, 'q') + ".fifo", true));
    CHECK_FALSE(name_ok("orders", true));
    CHECK_FALSE(name_ok(".fifo", true));
    CHECK_FALSE(name_ok("orders.FIFO", true));
    CHECK_FALSE(name_ok("or.ders.fifo", true));
    CHECK_FALSE(name_ok("bad name.fifo", true));
    REQUIRE(check_queue_name("orders", true).has_value());
    CHECK(check_queue_name("orders", true)->find(".fifo") != std::string::npos);
}

TEST_CASE("default attributes of standard and FIFO queues") {
    auto standard = default_attributes(false);
    CHECK(standard.at("DelaySeconds") == "0");
    CHECK(standard.at("MaximumMessageSize") == "1048576");
    CHECK(standard.at("MessageRetentionPeriod") == "345600");
    CHECK(standard.at("ReceiveMessageWaitTimeSeconds") == "0");
    CHECK(standard.at("VisibilityTimeout") == "30");
    CHECK(standard.at("SqsManagedSseEnabled") == "true");
    CHECK_FALSE(standard.contains("FifoQueue"));
    CHECK_FALSE(standard.contains("ContentBasedDeduplication"));

    auto fifo = default_attributes(true);
    CHECK(fifo.at("FifoQueue") == "true");
    CHECK(fifo.at("ContentBasedDeduplication") == "false");
    CHECK(fifo.at("DeduplicationScope") == "queue");
    CHECK(fifo.at("FifoThroughputLimit") == "perQueue");
    CHECK_NOTHROW(check_attributes(standard, false, true));
    CHECK_NOTHROW(check_attributes(fifo, true, true));
}

TEST_CASE("queue: fifo() and arn()") {
    queue q;
    q.account = "000000000000";
    q.region = "eu-west-1";
    q.name = "orders";
    q.attributes = default_attributes(false);
    CHECK_FALSE(q.fifo());
    CHECK(q.arn() == "arn:aws:sqs:eu-west-1:000000000000:orders");
    q.name = "orders.fifo";
    q.attributes = default_attributes(true);
    CHECK(q.fifo());
    CHECK(q.arn() == "arn:aws:sqs:eu-west-1:000000000000:orders.fifo");
}

TEST_CASE("attribute ranges, at and just beyond each bound") {
    struct range {
        const char* name;
        long long min, max;
    };
    for (auto r : {range{"DelaySeconds", 0, 900}, range{"MaximumMessageSize", 1024, 1048576},
                   range{"MessageRetentionPeriod", 60, 1209600}, range{"ReceiveMessageWaitTimeSeconds", 0, 20},
                   range{"VisibilityTimeout", 0, 43200}, range{"KmsDataKeyReusePeriodSeconds", 60, 86400}}) {
        INFO(r.name);
        CHECK(verdict({{r.name, std::to_string(r.min)}}) == "");
        CHECK(verdict({{r.name, std::to_string(r.max)}}) == "");
        CHECK(verdict({{r.name, std::to_string(r.min - 1)}}) == "InvalidAttributeValue");
        CHECK(verdict({{r.name, std::to_string(r.max + 1)}}) == "InvalidAttributeValue");
        CHECK(verdict({{r.name, ""}}) == "InvalidAttributeValue");
        CHECK(verdict({{r.name, "ten"}}) == "InvalidAttributeValue");
        CHECK(verdict({{r.name, "10s"}}) == "InvalidAttributeValue");
        CHECK(verdict({{r.name, "1.5"}}) == "InvalidAttributeValue");
    }
    CHECK(message_of({{"DelaySeconds", "901"}}) == "Invalid value for the parameter DelaySeconds.");
}

TEST_CASE("attribute names") {
    CHECK(verdict({{"Bogus", "1"}}) == "InvalidAttributeName");
    CHECK(message_of({{"Bogus", "1"}}) == "Unknown Attribute Bogus.");
    CHECK(verdict({{"visibilitytimeout", "30"}}) == "InvalidAttributeName");  // names are case-sensitive
    // read-only attributes cannot be set
    CHECK(verdict({{"QueueArn", "arn:aws:sqs:us-east-1:000000000000:q"}}) == "InvalidAttributeName");
    CHECK(verdict({{"ApproximateNumberOfMessages", "0"}}) == "InvalidAttributeName");
    CHECK(verdict({{"CreatedTimestamp", "0"}}) == "InvalidAttributeName");
    // FifoQueue only when creating
    CHECK(verdict({{"FifoQueue", "true"}}, true, true) == "");
    CHECK(verdict({{"FifoQueue", "true"}}, true, false) == "InvalidAttributeName");
    // FIFO-only attributes on a standard queue
    CHECK(verdict({{"ContentBasedDeduplication", "true"}}, false) == "InvalidAttributeName");
    CHECK(verdict({{"DeduplicationScope", "queue"}}, false) == "InvalidAttributeName");
    CHECK(verdict({{"FifoThroughputLimit", "perQueue"}}, false) == "InvalidAttributeName");
    CHECK(verdict({{"ContentBasedDeduplication", "true"}}, true) == "");

    CHECK(is_known_attribute("VisibilityTimeout"));
    CHECK(is_known_attribute("QueueArn"));
    CHECK(is_known_attribute("All"));
    CHECK(is_known_attribute("RedriveAllowPolicy"));
    CHECK_FALSE(is_known_attribute("Bogus"));
    CHECK(is_read_only_attribute("ApproximateNumberOfMessagesNotVisible"));
    CHECK(is_read_only_attribute("LastModifiedTimestamp"));
    CHECK_FALSE(is_read_only_attribute("VisibilityTimeout"));
}

TEST_CASE("boolean and enumerated attributes") {
    CHECK(verdict({{"FifoQueue", "true"}}, true) == "");
    CHECK(verdict({{"FifoQueue", "yes"}}, true) == "InvalidAttributeValue");
    CHECK(verdict({{"ContentBasedDeduplication", "false"}}, true) == "");
    CHECK(verdict({{"ContentBasedDeduplication", "TRUE"}}, true) == "InvalidAttributeValue");
    CHECK(verdict({{"SqsManagedSseEnabled", "false"}}) == "");
    CHECK(verdict({{"SqsManagedSseEnabled", "1"}}) == "InvalidAttributeValue");
    CHECK(verdict({{"DeduplicationScope", "messageGroup"}}, true) == "");
    CHECK(verdict({{"DeduplicationScope", "queue"}}, true) == "");
    CHECK(verdict({{"DeduplicationScope", "message"}}, true) == "InvalidAttributeValue");
    CHECK(verdict({{"FifoThroughputLimit", "perMessageGroupId"}}, true) == "");
    CHECK(verdict({{"FifoThroughputLimit", "perQueue"}}, true) == "");
    CHECK(verdict({{"FifoThroughputLimit", "unlimited"}}, true) == "InvalidAttributeValue");
    // high throughput FIFO needs deduplication per message group
    CHECK(verdict({{"DeduplicationScope", "messageGroup"}, {"FifoThroughputLimit", "perMessageGroupId"}}, true) == "");
    CHECK(verdict({{"DeduplicationScope", "queue"}, {"FifoThroughputLimit", "perMessageGroupId"}}, true) ==
          "InvalidAttributeValue");
}

TEST_CASE("Policy must be a JSON object") {
    CHECK(verdict({{"Policy", R"({"Version":"2012-10-17","Statement":[]})"}}) == "");
    CHECK(verdict({{"Policy", ""}}) == "");  // an empty policy removes it
    CHECK(verdict({{"Policy", "not json"}}) == "InvalidAttributeValue");
    CHECK(verdict({{"Policy", "[1,2]"}}) == "InvalidAttributeValue");
}

TEST_CASE("RedrivePolicy: JSON with both members and a maxReceiveCount from 1 to 1000") {
    CHECK(verdict({{"RedrivePolicy", ""}}) == "");  // an empty policy removes it
    CHECK(verdict({{"RedrivePolicy", "{oops"}}) == "InvalidAttributeValue");
    CHECK(verdict({{"RedrivePolicy", "[]"}}) == "InvalidAttributeValue");
    CHECK(verdict({{"RedrivePolicy", R"({"maxReceiveCount":"5"})"}}) == "InvalidAttributeValue");
    CHECK(message_of({{"RedrivePolicy", R"({"maxReceiveCount":"5"})"}}) ==
          R"(Value {"maxReceiveCount":"5"} for parameter RedrivePolicy is invalid. Reason: Redrive policy does not )"
          "contain mandatory attribute: deadLetterTargetArn.");
    CHECK(message_of({{"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"})"}})
              .ends_with("Reason: Redrive policy does not contain mandatory attribute: maxReceiveCount."));
    for (auto count : {R"("0")", "0", R"("1001")", "1001", R"("five")", "-1", "null", "2.5"}) {
        INFO(std::string(count));
        auto policy = std::string(R"({"deadLetterTargetArn":")") + dlq_arn + R"(","maxReceiveCount":)" + count + "}";
        CHECK(verdict({{"RedrivePolicy", policy}}) == "InvalidAttributeValue");
    }
    CHECK(message_of(
              {{"RedrivePolicy", std::string(R"({"deadLetterTargetArn":")") + dlq_arn + R"(","maxReceiveCount":0})"}})
              .ends_with(
                  "Reason: Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive."));
    // the target must be an SQS queue ARN
    CHECK(verdict({{"RedrivePolicy",
                    R"({"deadLetterTargetArn":"arn:aws:sns:us-east-1:000000000000:topic:x","maxReceiveCount":5})"}}) ==
          "InvalidAttributeValue");
    CHECK(verdict({{"RedrivePolicy", R"({"deadLetterTargetArn":"not-an-arn","maxReceiveCount":5})"}}) ==
          "InvalidAttributeValue");
    CHECK(verdict({{"RedrivePolicy", R"({"deadLetterTargetArn":42,"maxReceiveCount":5})"}}) == "InvalidAttributeValue");
}

// The ordinary dead-letter queue ARN has no colon in its resource part.
TEST_CASE("RedrivePolicy accepts an SQS queue ARN as deadLetterTargetArn") {
    for (auto count : {R"("1")", R"("5")", "5", "1000"}) {
        INFO(std::string(count));
        auto policy = std::string(R"({"deadLetterTargetArn":")") + dlq_arn + R"(","maxReceiveCount":)" + count + "}";
        CHECK(message_of({{"RedrivePolicy", policy}}) == "");
    }
    CHECK(
        verdict(
            {{"RedrivePolicy",
              R"({"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:orders-dlq.fifo","maxReceiveCount":"3"})"}},
            true) == "");
}

TEST_CASE("RedriveAllowPolicy") {
    CHECK(verdict({{"RedriveAllowPolicy", R"({"redrivePermission":"allowAll"})"}}) == "");
    CHECK(verdict({{"RedriveAllowPolicy", R"({"redrivePermission":"denyAll"})"}}) == "");
    CHECK(verdict({{"RedriveAllowPolicy",
                    std::string(R"({"redrivePermission":"byQueue","sourceQueueArns":[")") + dlq_arn + "\"]}"}}) == "");
    CHECK(verdict({{"RedriveAllowPolicy", ""}}) == "");
    CHECK(verdict({{"RedriveAllowPolicy", R"({"redrivePermission":"byQueue"})"}}) == "InvalidAttributeValue");
    CHECK(verdict({{"RedriveAllowPolicy", R"({"redrivePermission":"byQueue","sourceQueueArns":[]})"}}) ==
          "InvalidAttributeValue");
    std::string eleven = R"({"redrivePermission":"byQueue","sourceQueueArns":[)";
    for (int i = 0; i < 11; ++i)
        eleven += std::string(i ? "," : "") + "\"arn:aws:sqs:us-east-1:000000000000:q" + std::to_string(i) + "\"";
    eleven += "]}";
    CHECK(verdict({{"RedriveAllowPolicy", eleven}}) == "InvalidAttributeValue");
    CHECK(verdict({{"RedriveAllowPolicy", std::string(R"({"redrivePermission":"allowAll","sourceQueueArns":[")") +
                                              dlq_arn + "\"]}"}}) == "InvalidAttributeValue");
    CHECK(verdict({{"RedriveAllowPolicy", R"({"redrivePermission":"someQueues"})"}}) == "InvalidAttributeValue");
    CHECK(verdict({{"RedriveAllowPolicy", R"({"other":"x"})"}}) == "InvalidAttributeValue");
    CHECK(verdict({{"RedriveAllowPolicy", "nope"}}) == "InvalidAttributeValue");
}

TEST_CASE("parse_queue_url takes the last two path segments") {
    std::string account, name;
    REQUIRE(parse_queue_url("http://localhost:4566/000000000000/orders", account, name));
    CHECK(account == "000000000000");
    CHECK(name == "orders");
    REQUIRE(parse_queue_url("https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo", account, name));
    CHECK(account == "123456789012");
    CHECK(name == "orders.fifo");
    REQUIRE(parse_queue_url("http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/q1/", account, name));
    CHECK(name == "q1");
    REQUIRE(parse_queue_url("http://localhost:4566/000000000000/q?Action=SendMessage", account, name));
    CHECK(name == "q");
    REQUIRE(parse_queue_url("/000000000000/path-only", account, name));
    CHECK(account == "000000000000");
    CHECK(name == "path-only");
    REQUIRE(parse_queue_url("http://localhost:4566/queue/us-east-1/000000000000/deep", account, name));
    CHECK(account == "000000000000");
    CHECK(name == "deep");
}

TEST_CASE("parse_queue_url rejects URLs without an account and a name") {
    std::string account, name;
    CHECK_FALSE(parse_queue_url("", account, name));
    CHECK_FALSE(parse_queue_url("orders", account, name));
    CHECK_FALSE(parse_queue_url("http://localhost:4566", account, name));
    CHECK_FALSE(parse_queue_url("http://localhost:4566/", account, name));
    CHECK_FALSE(parse_queue_url("http://localhost:4566/orders", account, name));
    CHECK_FALSE(parse_queue_url("http://localhost:4566//orders", account, name));
}
