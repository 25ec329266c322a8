// The source readers' batching decisions on a manual clock, and the record shapes Pipes
// and event source mappings hand their targets.
#include "eventing/sources.hpp"

#include "core/clock.hpp"

#include <doctest/doctest.h>

using eddy::json;
using eddy::eventing::batch_window;
using eddy::eventing::batching;
using namespace std::chrono_literals;

TEST_CASE("batch window: an empty batch never goes") {
    eddy::manual_clock clock;
    batch_window w(batching{10, 5000ms}, clock);
    CHECK_FALSE(w.ready());
    clock.advance(10min);
    CHECK_FALSE(w.ready());
    CHECK(w.remaining() == 0ms);
    CHECK(w.room() == 10);
}

TEST_CASE("batch window: the first record opens the window, which closes on the clock") {
    eddy::manual_clock clock;
    batch_window w(batching{10, 5000ms}, clock);
    clock.advance(1000ms);  // time before the first record does not count
    w.added(3);
    CHECK_FALSE(w.ready());
    CHECK(w.remaining() == 5000ms);
    CHECK(w.room() == 7);
    clock.advance(4999ms);
    w.added(2);  // later records do not move the window
    CHECK_FALSE(w.ready());
    CHECK(w.remaining() == 1ms);
    clock.advance(1ms);
    CHECK(w.ready());
    CHECK(w.remaining() == 0ms);
}

TEST_CASE("batch window: a full batch goes at once") {
    eddy::manual_clock clock;
    batch_window w(batching{10, 300000ms}, clock);
    w.added(9);
    CHECK_FALSE(w.ready());
    w.added(1);
    CHECK(w.ready());
    CHECK(w.room() == 0);
}

TEST_CASE("batch window: without a window any record goes at once") {
    eddy::manual_clock clock;
    batch_window w(batching{100, 0ms}, clock);
    CHECK_FALSE(w.ready());
    w.added(1);
    CHECK(w.ready());
}

TEST_CASE("record shapes: an SQS message as Pipes hands it on") {
    json message = {{"MessageId", "m-1"},
                    {"ReceiptHandle", "handle"},
                    {"MD5OfBody", "5d41402abc4b2a76b9719d911017c592"},
                    {"Body", "hello"},
                    {"Attributes", {{"ApproximateReceiveCount", "1"}, {"SentTimestamp", "1700000000000"}}},
                    {"MD5OfMessageAttributes", "abc"},
                    {"MessageAttributes",
                     {{"kind", {{"DataType", "String"}, {"StringValue", "greeting"}}},
                      {"raw", {{"DataType", "Binary"}, {"BinaryValue", json::binary({0, 1, 2})}}}}}};
    auto r = eddy::eventing::sqs_reader::record(message, "arn:aws:sqs:eu-west-1:123456789012:q", "eu-west-1");
    CHECK(r == json{{"messageId", "m-1"},
                    {"receiptHandle", "handle"},
                    {"body", "hello"},
                    {"attributes", {{"ApproximateReceiveCount", "1"}, {"SentTimestamp", "1700000000000"}}},
                    {"messageAttributes",
                     {{"kind",
                       {{"stringValue", "greeting"},
                        {"stringListValues", json::array()},
                        {"binaryListValues", json::array()},
                        {"dataType", "String"}}},
                      {"raw",
                       {{"binaryValue", "AAEC"},
                        {"stringListValues", json::array()},
                        {"binaryListValues", json::array()},
                        {"dataType", "Binary"}}}}},
                    {"md5OfBody", "5d41402abc4b2a76b9719d911017c592"},
                    {"md5OfMessageAttributes", "abc"},
                    {"eventSource", "aws:sqs"},
                    {"eventSourceARN", "arn:aws:sqs:eu-west-1:123456789012:q"},
                    {"awsRegion", "eu-west-1"}});
}

TEST_CASE("record shapes: a Kinesis record as Pipes hands it on") {
    eddy::kinesis::reader::item item{"4959", 1700000000123, "pk", "Hello"};
    auto r = eddy::eventing::kinesis_shard_reader::record(
        item, "shardId-000000000002", "arn:aws:kinesis:us-east-1:123456789012:stream/s", "us-east-1");
    CHECK(r == json{{"kinesisSchemaVersion", "1.0"},
                    {"partitionKey", "pk"},
                    {"sequenceNumber", "4959"},
                    {"data", "SGVsbG8="},
                    {"approximateArrivalTimestamp", 1700000000.123},
                    {"eventSource", "aws:kinesis"},
                    {"eventVersion", "1.0"},
                    {"eventID", "shardId-000000000002:4959"},
                    {"eventName", "aws:kinesis:record"},
                    {"awsRegion", "us-east-1"},
                    {"eventSourceARN", "arn:aws:kinesis:us-east-1:123456789012:stream/s"}});
}
