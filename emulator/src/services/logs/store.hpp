#pragma once

#include "storage/sqlite.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::logs {

using tag_map = std::map<std::string, std::string>;

// What an event costs beyond its message in CloudWatch Logs' size limits.
inline constexpr std::int64_t event_overhead_bytes = 26;

struct log_group {
    std::int64_t id = 0;
    std::string account, region, name;
    std::int64_t created_ms = 0;
    std::optional<int> retention_days;
    std::string log_class = "STANDARD";
    std::string kms_key_id;
    std::int64_t stored_bytes = 0;
    bool deletion_protection = false;
};

struct log_stream {
    std::int64_t id = 0;
    std::int64_t group_id = 0;
    std::string name;
    std::int64_t created_ms = 0;
    std::optional<std::int64_t> first_event_ms, last_event_ms, last_ingestion_ms;
    std::int64_t stored_bytes = 0;
    std::int64_t sequence = 0;  // bumped by every append; the upload sequence token shows it
};

// What a writer hands in: when it happened (ms since the epoch) and the line.
struct input_event {
    std::int64_t timestamp_ms = 0;
    std::string message;
};

struct stored_event {
    std::int64_t id = 0;  // ascending in ingestion order; breaks ties between equal timestamps
    std::int64_t stream_id = 0;
    std::int64_t timestamp_ms = 0;
    std::int64_t ingestion_ms = 0;
    std::string message;
};

// A position between events in (timestamp, id) order: reads continue strictly after
// (forward) or strictly before (backward) it.
struct cursor {
    std::int64_t timestamp_ms = 0;
    std::int64_t id = 0;
    static cursor first() { return {std::numeric_limits<std::int64_t>::min(), 0}; }
    static cursor last() { return {std::numeric_limits<std::int64_t>::max(), 0}; }
};

// A time window: events with start_ms <= timestamp < end_ms.
struct window {
    std::int64_t start_ms = std::numeric_limits<std::int64_t>::min();
    std::int64_t end_ms = std::numeric_limits<std::int64_t>::max();
};

// CloudWatch Logs' groups, streams and events, kept in SQLite only: the database
// (in memory without a data directory) is the one copy, so reads are queries and
// a batch of events is one transaction of prepared inserts. Lives as long as the
// server, used from the event loop thread only.
//
// Other services write logs through it in process (ECS's awslogs driver, Step
// Functions' execution logging): ensure_group (awslogs-create-group), ensure_stream,
// then append(stream.group_id, stream.id, events, now) for each batch of lines. A
// batch is one transaction, so a writer should hand over what it has read at once
// rather than line by line.
class store {
  public:
    explicit store(storage::database& db);

    // --- log groups
    // False when the group already exists.
    bool create_group(log_group& g, const tag_map& tags);
    std::optional<log_group> find_group(std::string_view account, std::string_view region, std::string_view name);
    bool delete_group(std::int64_t group_id);
    // The account's groups in the region, by name.
    std::vector<log_group> groups(std::string_view account, std::string_view region);
    void set_retention(std::int64_t group_id, std::optional<int> days);
    void set_deletion_protection(std::int64_t group_id, bool enabled);
    tag_map tags(std::int64_t group_id);
    void set_tags(std::int64_t group_id, const tag_map& tags);

    // --- log streams
    // False when the stream already exists.
    bool create_stream(std::int64_t group_id, std::string_view name, std::int64_t now_ms);
    std::optional<log_stream> find_stream(std::int64_t group_id, std::string_view name);
    bool delete_stream(std::int64_t group_id, std::int64_t stream_id);
    std::vector<log_stream> streams(std::int64_t group_id);

    // --- events
    // Stores a batch in one transaction; `events` need not be in order. Returns the
    // stream's new sequence number, or -1 (storing nothing) for an empty batch or a
    // stream that no longer exists.
    std::int64_t append(std::int64_t group_id, std::int64_t stream_id, std::span<const input_event> events,
                        std::int64_t now_ms);
    // Up to `max_count` events and `max_bytes` (counted as PutLogEvents counts them) of
    // one stream, the nearest after (forward) or before (backward) `from`, oldest first
    // either way. At least one event when any is there.
    std::vector<stored_event> read_stream(std::int64_t stream_id, const window& w, cursor from, bool forward,
                                          std::int64_t max_count, std::int64_t max_bytes);
    // Every event of a group after `from`, interleaved by time; `fn` returns false to stop.
    void read_group(std::int64_t group_id, const window& w, cursor from, const std::function<bool(stored_event&)>& fn);
    // Drops the events each group's retention no longer keeps. Returns how many.
    std::int64_t expire(std::int64_t now_ms);

    // --- the in-process interface for other services
    // The group, created (with no retention, STANDARD class) when missing.
    log_group ensure_group(std::string_view account, std::string_view region, std::string_view name,
                           std::int64_t now_ms);
    // The stream, created when missing; nullopt when the group does not exist.
    std::optional<log_stream> ensure_stream(std::string_view account, std::string_view region, std::string_view group,
                                            std::string_view stream, std::int64_t now_ms);
    // Appends to an existing stream; false when its group or the stream does not exist.
    bool append(std::string_view account, std::string_view region, std::string_view group, std::string_view stream,
                std::span<const input_event> events, std::int64_t now_ms);

    storage::database& db() { return db_; }

  private:
    storage::database& db_;
    storage::statement insert_group_, find_group_, delete_group_, delete_group_streams_, delete_group_events_,
        all_groups_, set_retention_, set_protection_, get_tags_, set_tags_, insert_stream_, find_stream_,
        delete_stream_, delete_stream_events_, all_streams_, insert_event_, update_stream_, update_group_bytes_,
        forward_, backward_, group_events_, retained_groups_, expire_events_, stream_bytes_, recount_stream_,
        recount_group_;
};

// Which log group an ARN names: "arn:aws:logs:<region>:<account>:log-group:<name>", with or
// without the ":*" DescribeLogGroups appends (Step Functions' logging destinations carry it).
struct group_ref {
    std::string account, region, name;
};
std::optional<group_ref> parse_group_arn(std::string_view arn);

// The milliseconds a retention of `days` keeps.
constexpr std::int64_t retention_ms(int days) {
    return static_cast<std::int64_t>(days) * 24 * 3600 * 1000;
}

}  // namespace eddy::logs
