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

}  // namespace

void batch_window::added(std::size_t records) {
    if (count_ == 0 && records > 0) closes_ms_ = clock_.now_ms() + policy_.window.count();
    count_ += records;
}

bool batch_window::ready() const {
    return count_ > 0 && (count_ >= static_cast<std::size_t>(policy_.size) || clock_.now_ms() >= closes_ms_);
}

std::size_t batch_window::room() const {
    auto size = static_cast<std::size_t>(policy_.size);
    return count_ >= size ? 0 : size - count_;
}

std::chrono::milliseconds batch_window::remaining() const {
    return milliseconds(count_ == 0 ? 0 : std::max<std::int64_t>(0, closes_ms_ - clock_.now_ms()));
}

asio::awaitable<std::string> queue_url(dispatcher& calls, request_context scope, const std::string& queue_arn) {
    arn_parts parts;
    if (!parse_arn(queue_arn, parts) || parts.service != "sqs")
        throw aws_error("ValidationException", queue_arn + " is not an SQS queue ARN");
    scope.account = parts.account;
    scope.region = parts.region;
    json request = {{"QueueName", parts.resource}, {"QueueOwnerAWSAccountId", parts.account}};
    auto out = co_await calls.call(scope, "sqs", "GetQueueUrl", std::move(request));
    co_return out.at("QueueUrl").get<std::string>();
}

asio::awaitable<sqs_reader> sqs_reader::open(dispatcher& calls, request_context scope, std::string queue_arn) {
    auto url = co_await queue_url(calls, scope, queue_arn);
    arn_parts parts;
    parse_arn(queue_arn, parts);
    scope.account = parts.account;
    scope.region = parts.region;
    co_return sqs_reader(sqs::consumer(calls, scope, std::move(url)), std::move(queue_arn), parts.region, *scope.clock);
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
    batch_window window(b, *clock_);
    auto take = [&](const json& messages) {
        window.added(messages.size());
        for (auto& m : messages)
            records.push_back(record(m, arn_, region_));
    };
    for (;;) {
        int want = static_cast<int>(std::min<std::size_t>(10, window.room()));
        // SQS waits in whole seconds: within a window, up to the last whole second of it
        int wait = window.empty()
                       ? idle_poll_seconds
                       : static_cast<int>(std::min<std::int64_t>(idle_poll_seconds, window.remaining().count() / 1000));
        auto messages = co_await consumer_.receive(want, wait);
        if (messages.empty() && !window.empty() && !window.ready()) {
            // The rest of the window (under a second, or cut short by a queue going away or
            // eddy stopping) is slept on eddy's clock; then one last look.
            clock_timer timer(*clock_, co_await asio::this_coro::executor);
            co_await timer.wait_for(window.remaining());
            take(co_await consumer_.receive(want, 0));
            co_return records;
        }
        take(messages);
        if (records.empty() || window.ready()) co_return records;  // empty: an idle poll ended
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

json kinesis_shard_reader::record(const kinesis::reader::item& r, const std::string& shard_id,
                                  const std::string& stream_arn, const std::string& region) {
    return {{"kinesisSchemaVersion", "1.0"},
            {"partitionKey", r.partition_key},
            {"sequenceNumber", r.sequence_number},
            {"data", base64_encode(r.data)},
            {"approximateArrivalTimestamp", static_cast<double>(r.arrival_ms) / 1000.0},
            {"eventSource", "aws:kinesis"},
            {"eventVersion", "1.0"},
            {"eventID", shard_id + ":" + r.sequence_number},
            {"eventName", "aws:kinesis:record"},
            {"awsRegion", region},
            {"eventSourceARN", stream_arn}};
}

asio::awaitable<kinesis_shard_reader::batch> kinesis_shard_reader::next(const batching& b) {
    batch out;
    batch_window window(b, *clock_);
    for (;;) {
        auto wait = window.empty() ? milliseconds(idle_poll_seconds * 1000) : window.remaining();
        auto got = co_await reader_.next(static_cast<int>(window.room()), wait);
        window.added(got.records.size());
        for (auto& r : got.records) {
            out.records.push_back(record(r, reader_.shard_id(), stream_arn_, region_));
            out.sequence_numbers.push_back(r.sequence_number);
            out.arrivals_ms.push_back(r.arrival_ms);
        }
        if (got.shard_ended) {
            out.ended = true;
            co_return out;
        }
        // empty: an idle wait ended, or one within a window was cut short (eddy stopping);
        // either way the caller looks at its state
        if (out.records.empty() || got.records.empty() || window.ready()) co_return out;
    }
}

}  // namespace eddy::eventing
