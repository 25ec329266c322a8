#pragma once

#include "services/dispatcher.hpp"
#include "services/kinesis/reader.hpp"
#include "services/sqs/consumer.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace eddy::eventing {

// When a reader hands on what it gathered: once it has `size` records, or once
// `window` has passed since the first of them arrived (0: at once).
struct batching {
    int size = 1;
    std::chrono::milliseconds window{0};
};

// The URL of the SQS queue `queue_arn` names, asked as a client would (GetQueueUrl in the
// queue's account and region). Throws aws_error when there is no such queue.
boost::asio::awaitable<std::string> queue_url(dispatcher& calls, request_context scope, const std::string& queue_arn);

// Decides when a batch being gathered goes: once it is full, or once its window, which
// its first record opens, has closed on eddy's clock. One per batch.
class batch_window {
  public:
    batch_window(const batching& b, const eddy::clock& clock) : policy_(b), clock_(clock) {}

    void added(std::size_t records);
    bool empty() const { return count_ == 0; }
    // Full, or its window closed; never while empty.
    bool ready() const;
    // How many more records the batch takes.
    std::size_t room() const;
    // How long the window stays open from now (0 once closed or before it opens).
    std::chrono::milliseconds remaining() const;

  private:
    batching policy_;
    const eddy::clock& clock_;
    std::size_t count_ = 0;
    std::int64_t closes_ms_ = 0;
};

// Reads an SQS queue for a pipe or an event source mapping: batches of messages in
// the record shape both give their targets (messageId, receiptHandle, body, attributes,
// messageAttributes, md5OfBody, eventSource, eventSourceARN, awsRegion). Messages stay
// in flight while the batch is handled; remove() deletes those that were handled, and
// the others return once their visibility timeout ends, so the queue's redrive policy
// counts them. Lives on the event loop as long as its poller.
class sqs_reader {
  public:
    // `queue_arn` names the queue; throws aws_error when it does not exist.
    static boost::asio::awaitable<sqs_reader> open(dispatcher& calls, request_context scope, std::string queue_arn);

    // The next batch; waits (long polls, never spins) until at least one message is there,
    // or returns an empty one after an idle poll of 20 s so its caller can look at its state.
    boost::asio::awaitable<json> next(const batching& b);
    boost::asio::awaitable<void> remove(const std::vector<std::string>& receipt_handles);

    static json record(const json& message, const std::string& queue_arn, const std::string& region);

  private:
    sqs_reader(sqs::consumer c, std::string arn, std::string region, const eddy::clock& clock)
        : consumer_(std::move(c)), arn_(std::move(arn)), region_(std::move(region)), clock_(&clock) {}

    sqs::consumer consumer_;
    std::string arn_, region_;
    const eddy::clock* clock_;
};

// Reads one Kinesis shard in batches for a pipe or an event source mapping, records in
// the flat shape Pipes gives (kinesisSchemaVersion, partitionKey, sequenceNumber, base64
// data, approximateArrivalTimestamp, eventSource, eventID, eventName, eventSourceARN,
// awsRegion, ...). Lives on the event loop as long as its poller.
class kinesis_shard_reader {
  public:
    struct batch {
        json records = json::array();
        std::vector<std::string> sequence_numbers;
        std::vector<std::int64_t> arrivals_ms;
        bool ended = false;  // the shard is closed and read to its end
    };

    // Throws aws_error as GetShardIterator would.
    kinesis_shard_reader(const dispatcher& calls, kinesis::stream_key stream, std::string stream_arn,
                         std::string shard_id, const kinesis::reader::start& from, const eddy::clock& clock);

    // The next batch, waiting without polling until a record arrives or the shard ends;
    // empty after 20 s without records, so its caller can look at its state.
    boost::asio::awaitable<batch> next(const batching& b);
    const std::string& shard_id() const { return reader_.shard_id(); }

    static json record(const kinesis::reader::item& r, const std::string& shard_id, const std::string& stream_arn,
                       const std::string& region);

  private:
    kinesis::reader reader_;
    std::string stream_arn_, region_;
    const eddy::clock* clock_;
};

}  // namespace eddy::eventing
