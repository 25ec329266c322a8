#pragma once

#include "core/clock.hpp"
#include "services/kinesis/store.hpp"
#include "services/kinesis/stream.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <list>
#include <map>
#include <memory>
#include <span>

namespace eddy::kinesis {

struct put_entry {
    std::string partition_key;
    std::string data;
    std::optional<std::string> explicit_hash_key;
};

struct put_result {
    const shard* to;
    std::string sequence_number;
};

// A reader's place in a shard: the counter of the next record it reads.
struct position {
    int shard = 0;
    std::uint64_t counter = 0;
};

struct read_result {
    std::vector<const record*> records;  // valid until the next write to the stream
    std::uint64_t next = 0;              // where the reader goes on from
    bool at_end = false;                 // a closed shard read to its last record
    std::int64_t millis_behind = 0;
};

// Every stream of every account and region, with their shards and records in
// memory and mirrored to the store. The only place streams change; handlers and
// in-process readers go through it. Lives on the event loop thread.
class streams {
  public:
    // `transition` is how long CREATING, UPDATING and DELETING last (EDDY_KINESIS_TRANSITION_MS).
    streams(storage::database& db, const eddy::clock& clock, boost::asio::any_io_executor executor,
            std::chrono::milliseconds transition);

    stream& create(stream_key key, int shard_count, std::string mode, std::map<std::string, std::string> tags,
                   int max_record_kib);
    // ResourceNotFoundException unless the stream exists (a finished delete is applied here).
    stream& get(const stream_key& key);
    stream* find(const stream_key& key);
    // ResourceInUseException unless ACTIVE: changes of shape need a stream at rest.
    stream& get_active(const stream_key& key);
    void remove(stream& s, bool enforce_consumer_deletion);
    void save(stream& s) { store_.save(s); }
    // Marks the stream UPDATING for the transition delay.
    void begin_update(stream& s);

    // Puts records in order; each shard's share is written to the store as one row.
    std::vector<put_result> put(stream& s, std::span<const put_entry> entries);
    read_result read(stream& s, const position& from, int limit, std::size_t max_bytes);
    // Drops the records of `sh` older than the retention period, at most once a second per shard.
    void trim(stream& s, shard& sh);
    // Closed shards are trimmed too; used before describing a stream.
    void trim_all(stream& s);

    void split(stream& s, shard& parent, hash_key new_start);
    // Two adjacent open shards into one; the child names `parent` and `adjacent` as its parents.
    void merge(stream& s, shard& parent, shard& adjacent);
    // Splits and merges until the open shards are `target` uniform ranges.
    void scale_uniformly(stream& s, int target);

    std::vector<stream*> list(const std::string& account, const std::string& region);
    int open_shards(const std::string& account, const std::string& region);

    // Resumes when a record is put to the shard, when `until_ms` passes, or at shutdown.
    boost::asio::awaitable<void> wait_for_records(const stream& s, int shard, std::int64_t until_ms);
    void stop();
    bool stopping() const { return stopping_; }

    const eddy::clock& clock() const { return clock_; }
    std::int64_t transition_ms() const { return transition_.count(); }

  private:
    shard& add_shard(stream& s, hash_range range, std::optional<int> parent, std::optional<int> adjacent);
    void close(shard& sh, std::int64_t now);
    void wake(const stream& s, int shard);

    const eddy::clock& clock_;
    boost::asio::any_io_executor executor_;
    std::chrono::milliseconds transition_;
    store store_;
    std::map<stream_key, std::unique_ptr<stream>> streams_;
    std::map<std::pair<const stream*, int>, std::int64_t> last_trim_;  // by shard
    std::map<std::pair<const stream*, int>, std::list<boost::asio::steady_timer*>> waiters_;
    bool stopping_ = false;
};

}  // namespace eddy::kinesis
