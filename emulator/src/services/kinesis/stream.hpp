#pragma once

#include "services/kinesis/hash_key.hpp"
#include "services/kinesis/sequence.hpp"

#include <compare>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace eddy::kinesis {

struct record {
    std::uint64_t counter = 0;  // orders records within their shard; see sequence.hpp
    std::int64_t arrival_ms = 0;
    std::string partition_key;
    std::string data;
};

// "shardId-" and the index in twelve digits, as AWS names shards.
std::string shard_id(std::int64_t index);

struct shard {
    int index = 0;
    std::optional<int> parent, adjacent_parent;
    hash_range range;
    std::int64_t created_ms = 0;
    std::optional<std::int64_t> closed_ms;  // set once split or merged away
    std::uint64_t next_counter = 1;         // the counter the next record gets
    std::deque<record> records;             // oldest first; the trimmed ones are gone
    std::vector<int> children;

    std::string id() const { return shard_id(index); }
    bool open() const { return !closed_ms; }
    sequence sequence_of(std::uint64_t counter, std::int64_t arrival_ms) const {
        return {created_ms / 1000, index, counter, arrival_ms};
    }
    std::string starting_sequence() const { return sequence_of(0, created_ms).str(); }
    // The last number the shard gave out, or could have: its starting one when it holds nothing.
    std::string ending_sequence() const { return sequence_of(next_counter - 1, *closed_ms).str(); }
    // The first record whose counter is `counter` or more.
    std::deque<record>::const_iterator at(std::uint64_t counter) const;
};

struct stream_key {
    std::string account, region, name;
    auto operator<=>(const stream_key&) const = default;
};

struct consumer {
    std::string name;
    std::string arn;
    std::int64_t created_ms = 0;
    std::int64_t ready_ms = 0;  // CREATING until then
};

// One stream, everything about it but where its records live on disk.
struct stream {
    stream_key key;
    std::string arn;
    std::string id;  // StreamId
    std::int64_t row_id = 0;
    std::int64_t created_ms = 0;
    std::string mode = "PROVISIONED";
    int retention_hours = 24;
    int max_record_kib = 1024;
    std::string encryption = "NONE";
    std::string key_id;
    std::vector<std::string> shard_level_metrics;
    std::map<std::string, std::string> tags;
    std::string policy;
    std::map<std::string, consumer> consumers;
    std::vector<shard> shards;  // by index
    // CREATING, UPDATING or DELETING until busy_until_ms, ACTIVE afterwards (DELETING: gone).
    std::string pending_status = "CREATING";
    std::int64_t busy_until_ms = 0;

    std::string status(std::int64_t now_ms) const {
        return now_ms >= busy_until_ms && pending_status != "DELETING" ? "ACTIVE" : pending_status;
    }
    int open_shard_count() const;
    shard* find_shard(std::string_view shard_id);
    // The open shard whose range holds `k`.
    shard& route(hash_key k);
    std::int64_t retention_ms() const { return static_cast<std::int64_t>(retention_hours) * 3'600'000; }
    // A closed shard is listed until its last records pass the retention period.
    bool listed(const shard& s, std::int64_t now_ms) const {
        return s.open() || *s.closed_ms + retention_ms() > now_ms;
    }
};

}  // namespace eddy::kinesis
