#include "eventing/sources.hpp"

#include "core/aws_error.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "core/timer.hpp"

#include <boost/asio/this_coro.hpp>

#include <algorithm>

namespace eddy::eventing {

namespace asio = boost::asio;
using namespace std::chrono;

namespace {

// How long one idle ReceiveMessage waits: the longest SQS allows.
constexpr int idle_poll_seconds = 20;

std::int64_t remaining_ms(const eddy::clock& clock, std::int64_t until_ms) {
    return std::max<std::int64_t>(0, until_ms - clock.now_ms());
}

}  // namespace

asio::awaitable<sqs_reader> sqs_reader::open(dispatcher& calls, request_context scope, std::string queue_arn) {
    arn_parts parts;
    if (!parse_arn(queue_arn, parts) || parts.service != "sqs")
        throw aws_error("ValidationException", "Source " + queue_arn + " is not an SQS queue ARN");
    scope.account = parts.account;
    scope.region = parts.region;
    json args1 = {{"QueueName", parts.resource}, {"QueueOwnerAWSAccountId", parts.account}};
    auto out = co_await calls.call(scope, "sqs", "GetQueueUrl", std::move(args1));
    auto region = parts.region;
    co_return sqs_reader(sqs::consumer(calls, scope, out.at("QueueUrl").get<std::string>()), std::move(queue_arn),
                         std::move(region), *scope.clock);
}

bool sqs_reader::fifo() const {
    return arn_.size() > 5 && arn_.compare(arn_.size() - 5, 5, ".fifo") == 0;
}

json sqs_reader::record(const json& m, const std::string& queue_arn, const std::string& region) {
    json attributes = m.value("Attributes", json::object());
    json message_attributes = json::object();
    auto given = m.value("MessageAttributes", json::object());
    for (auto& [k, v] : given.items()) {
        json a = {{"stringListValues", json::array()},
                  {"binaryListValues", json::array()},
                  {"dataType", v.value("DataType", "")}};
        if (v.contains("StringValue")) a["stringValue"] = v["StringValue"];
        if (v.contains("BinaryValue")) {
            auto& b = v["BinaryValue"];
            a["binaryValue"] = b.is_binary() ? base64_encode(std::string(b.get_binary().begin(), b.get_binary().end()))
                                             : b.get<std::string>();
        }
        message_attributes[k] = std::move(a);
    }
    json r = {{"messageId", m.value("MessageId", "")},
              {"receiptHandle", m.value("ReceiptHandle", "")},
              {"body", m.value("Body", "")},
              {"attributes", std::move(attributes)},
              {"messageAttributes", std::move(message_attributes)},
              {"md5OfBody", m.value("MD5OfBody", "")}};
    if (m.contains("MD5OfMessageAttributes")) r["md5OfMessageAttributes"] = m["MD5OfMessageAttributes"];
    r["eventSource"] = "aws:sqs";
    r["eventSourceARN"] = queue_arn;
    r["awsRegion"] = region;
    return r;
}

asio::awaitable<json> sqs_reader::next(const batching& b) {
    json records = json::array();
    std::int64_t until_ms = 0;  // the window's end, once a first message came
    for (;;) {
        int want = std::min(10, b.size - static_cast<int>(records.size()));
        int wait = idle_poll_seconds;
        if (!records.empty()) {
            // SQS waits in whole seconds: the last part of a window is slept on eddy's clock.
            auto left = remaining_ms(*clock_, until_ms);
            wait = static_cast<int>(std::min<std::int64_t>(idle_poll_seconds, left / 1000));
            if (wait == 0 && left > 0) {
                clock_timer timer(*clock_, co_await asio::this_coro::executor);
                co_await timer.wait_for(milliseconds(left));
            }
        }
        auto messages = co_await consumer_.receive(want, wait);
        if (records.empty() && !messages.empty()) until_ms = clock_->now_ms() + b.window.count();
        for (auto& m : messages)
            records.push_back(record(m, arn_, region_));
        if (records.empty()) co_return records;  // an idle poll ended: the caller looks at its state
        if (static_cast<int>(records.size()) >= b.size || clock_->now_ms() >= until_ms) co_return records;
    }
}

asio::awaitable<void> sqs_reader::remove(const std::vector<std::string>& receipt_handles) {
    if (!receipt_handles.empty()) co_await consumer_.remove(receipt_handles);
}

kinesis_shard_reader::kinesis_shard_reader(const dispatcher& calls, kinesis::stream_key stream, std::string stream_arn,
                                           std::string shard_id, const kinesis::reader::start& from,
                                           const eddy::clock& clock)
    : reader_(calls, stream, std::move(shard_id), from),
      stream_arn_(std::move(stream_arn)),
      region_(stream.region),
      clock_(&clock) {}

asio::awaitable<kinesis_shard_reader::batch> kinesis_shard_reader::next(const batching& b) {
    batch out;
    std::int64_t until_ms = 0;
    for (;;) {
        auto wait = out.records.empty() ? milliseconds(idle_poll_seconds * 1000)
                                        : milliseconds(remaining_ms(*clock_, until_ms));
        auto got = co_await reader_.next(b.size - static_cast<int>(out.records.size()), wait);
        if (out.records.empty() && !got.records.empty()) until_ms = clock_->now_ms() + b.window.count();
        for (auto& r : got.records) {
            out.records.push_back({{"kinesisSchemaVersion", "1.0"},
                                   {"partitionKey", r.partition_key},
                                   {"sequenceNumber", r.sequence_number},
                                   {"data", base64_encode(r.data)},
                                   {"approximateArrivalTimestamp", static_cast<double>(r.arrival_ms) / 1000.0},
                                   {"eventSource", "aws:kinesis"},
                                   {"eventVersion", "1.0"},
                                   {"eventID", reader_.shard_id() + ":" + r.sequence_number},
                                   {"eventName", "aws:kinesis:record"},
                                   {"awsRegion", region_},
                                   {"eventSourceARN", stream_arn_}});
            out.sequence_numbers.push_back(r.sequence_number);
            out.arrivals_ms.push_back(r.arrival_ms);
        }
        if (got.shard_ended) {
            out.ended = true;
            co_return out;
        }
        if (out.records.empty()) co_return out;  // an idle wait ended: the caller looks at its state
        if (static_cast<int>(out.records.size()) >= b.size || clock_->now_ms() >= until_ms) co_return out;
    }
}

}  // namespace eddy::eventing
