#pragma once

#include "services/dispatcher.hpp"
#include "services/kinesis/stream.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

namespace eddy::kinesis {

class streams;

// How other services (pipes, Lambda event source mappings) read one shard: from
// a position, batch after batch, sleeping until records arrive instead of
// polling. Lives on the event loop, as long as its poller.
class reader {
  public:
    struct start {
        std::string type = "TRIM_HORIZON";  // TRIM_HORIZON, LATEST, AT_/AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP
        std::string sequence_number;
        std::int64_t timestamp_ms = 0;
    };
    struct item {
        std::string sequence_number;
        std::int64_t arrival_ms;
        std::string partition_key;
        std::string data;
    };
    struct batch {
        std::vector<item> records;
        std::int64_t millis_behind = 0;
        bool shard_ended = false;           // a closed shard, read to its end
        std::vector<std::string> children;  // its child shards, once ended
    };

    // Throws aws_error as GetShardIterator would (no such stream or shard, bad position).
    reader(const dispatcher& calls, stream_key stream, std::string shard_id, const start& from);

    // Up to `limit` records from the position on, waiting up to `wait` for the
    // first when there are none. The position moves past what is returned.
    boost::asio::awaitable<batch> next(int limit, std::chrono::milliseconds wait);
    const std::string& shard_id() const { return shard_id_; }

  private:
    stream& current();

    streams& streams_;
    stream_key key_;
    std::string shard_id_;
    std::int64_t created_ms_ = 0;  // a stream of the same name made later is another stream
    int shard_ = 0;
    std::uint64_t counter_ = 0;
};

}  // namespace eddy::kinesis
