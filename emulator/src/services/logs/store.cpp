#include "services/logs/store.hpp"

#include "core/ids.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace eddy::logs {

namespace {

// Each step ships once and never changes; new schema comes as a new step.
const std::vector<std::string_view> schema = {
    // AUTOINCREMENT: ids are never reused, so ids a writer kept never name a newer group or stream.
    R"(CREATE TABLE logs_groups (
         id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
         created_ms INTEGER NOT NULL, retention_days INTEGER, class TEXT NOT NULL, kms_key_id TEXT NOT NULL,
         stored_bytes INTEGER NOT NULL, tags TEXT NOT NULL, deletion_protection INTEGER NOT NULL,
         UNIQUE (account, region, name)))",
    R"(CREATE TABLE logs_streams (
         id INTEGER PRIMARY KEY AUTOINCREMENT, grp INTEGER NOT NULL, name TEXT NOT NULL, created_ms INTEGER NOT NULL,
         first_event_ms INTEGER, last_event_ms INTEGER, last_ingestion_ms INTEGER,
         stored_bytes INTEGER NOT NULL, sequence INTEGER NOT NULL,
         UNIQUE (grp, name)))",
    // Events are read by stream (GetLogEvents) and by group (FilterLogEvents), in time order.
    R"(CREATE TABLE logs_events (
         id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, stream INTEGER NOT NULL, ts INTEGER NOT NULL,
         ingested INTEGER NOT NULL, message TEXT NOT NULL))",
    "CREATE INDEX logs_events_by_stream ON logs_events(stream, ts)",
    "CREATE INDEX logs_events_by_group ON logs_events(grp, ts)",
};

storage::database& migrated(storage::database& db) {
    db.migrate("logs", schema);
    return db;
}

constexpr const char* group_columns =
    "id, account, region, name, created_ms, retention_days, class, kms_key_id, stored_bytes, deletion_protection";
constexpr const char* stream_columns =
    "id, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms, stored_bytes, sequence, grp";

log_group group_from(storage::statement& s) {
    log_group g;
    g.id = s.int64(0);
    g.account = s.text(1);
    g.region = s.text(2);
    g.name = s.text(3);
    g.created_ms = s.int64(4);
    if (!s.is_null(5)) g.retention_days = static_cast<int>(s.int64(5));
    g.log_class = s.text(6);
    g.kms_key_id = s.text(7);
    g.stored_bytes = s.int64(8);
    g.deletion_protection = s.int64(9) != 0;
    return g;
}

log_stream stream_from(storage::statement& s) {
    log_stream st;
    st.id = s.int64(0);
    st.name = s.text(1);
    st.created_ms = s.int64(2);
    if (!s.is_null(3)) st.first_event_ms = s.int64(3);
    if (!s.is_null(4)) st.last_event_ms = s.int64(4);
    if (!s.is_null(5)) st.last_ingestion_ms = s.int64(5);
    st.stored_bytes = s.int64(6);
    st.sequence = s.int64(7);
    st.group_id = s.int64(8);
    return st;
}

// Resets a statement however the read that used it ends.
struct reset_on_exit {
    storage::statement& s;
    ~reset_on_exit() { s.reset(); }
};

}  // namespace

std::optional<group_ref> parse_group_arn(std::string_view arn) {
    arn_parts parts;
    if (!parse_arn(arn, parts) || parts.service != "logs" || !parts.resource.starts_with("log-group:"))
        return std::nullopt;
    std::string name = parts.resource.substr(10);
    if (name.ends_with(":*")) name.resize(name.size() - 2);
    if (name.empty()) return std::nullopt;
    return group_ref{parts.account, parts.region, name};
}

store::store(storage::database& db)
    : db_(migrated(db)),
      insert_group_(db,
                    "INSERT OR IGNORE INTO logs_groups(account, region, name, created_ms, retention_days, class, "
                    "kms_key_id, stored_bytes, tags, deletion_protection) VALUES(?, ?, ?, ?, NULL, ?, ?, 0, ?, ?)"),
      find_group_(db, std::string("SELECT ") + group_columns +
                          " FROM logs_groups WHERE account = ? AND region = ? AND name = ?"),
      delete_group_(db, "DELETE FROM logs_groups WHERE id = ?"),
      delete_group_streams_(db, "DELETE FROM logs_streams WHERE grp = ?"),
      delete_group_events_(db, "DELETE FROM logs_events WHERE grp = ?"),
      all_groups_(db, std::string("SELECT ") + group_columns +
                          " FROM logs_groups WHERE account = ? AND region = ? ORDER BY name"),
      set_retention_(db, "UPDATE logs_groups SET retention_days = ? WHERE id = ?"),
      set_protection_(db, "UPDATE logs_groups SET deletion_protection = ? WHERE id = ?"),
      get_tags_(db, "SELECT tags FROM logs_groups WHERE id = ?"),
      set_tags_(db, "UPDATE logs_groups SET tags = ? WHERE id = ?"),
      insert_stream_(db,
                     "INSERT OR IGNORE INTO logs_streams(grp, name, created_ms, stored_bytes, sequence) "
                     "VALUES(?, ?, ?, 0, 0)"),
      find_stream_(db, std::string("SELECT ") + stream_columns + " FROM logs_streams WHERE grp = ? AND name = ?"),
      delete_stream_(db, "DELETE FROM logs_streams WHERE id = ?"),
      delete_stream_events_(db, "DELETE FROM logs_events WHERE stream = ?"),
      all_streams_(db, std::string("SELECT ") + stream_columns + " FROM logs_streams WHERE grp = ? ORDER BY name"),
      insert_event_(db, "INSERT INTO logs_events(grp, stream, ts, ingested, message) VALUES(?, ?, ?, ?, ?)"),
      update_stream_(
          db,
          "UPDATE logs_streams SET first_event_ms = min(coalesce(first_event_ms, ?1), ?1), "
          "last_event_ms = max(coalesce(last_event_ms, ?2), ?2), last_ingestion_ms = ?3, "
          "stored_bytes = stored_bytes + ?4, sequence = sequence + 1 WHERE id = ?5 AND grp = ?6 RETURNING sequence"),
      update_group_bytes_(db, "UPDATE logs_groups SET stored_bytes = stored_bytes + ? WHERE id = ?"),
      forward_(db,
               "SELECT id, stream, ts, ingested, message FROM logs_events WHERE stream = ?1 AND ts >= ?2 AND ts < ?3 "
               "AND (ts, id) > (?4, ?5) ORDER BY ts, id LIMIT ?6"),
      backward_(db,
                "SELECT id, stream, ts, ingested, message FROM logs_events WHERE stream = ?1 AND ts >= ?2 AND ts < ?3 "
                "AND (ts, id) < (?4, ?5) ORDER BY ts DESC, id DESC LIMIT ?6"),
      group_events_(db,
                    "SELECT id, stream, ts, ingested, message FROM logs_events WHERE grp = ?1 AND ts >= ?2 AND ts < ?3 "
                    "AND (ts, id) > (?4, ?5) ORDER BY ts, id"),
      retained_groups_(db, "SELECT id, retention_days FROM logs_groups WHERE retention_days IS NOT NULL"),
      expire_events_(db, "DELETE FROM logs_events WHERE grp = ? AND ts < ?"),
      stream_bytes_(db, "SELECT coalesce(sum(length(CAST(message AS BLOB))), 0) FROM logs_events WHERE stream = ?"),
      recount_stream_(db,
                      "UPDATE logs_streams SET stored_bytes = (SELECT coalesce(sum(length(CAST(message AS BLOB))), 0) "
                      "FROM logs_events WHERE stream = logs_streams.id) WHERE grp = ?"),
      recount_group_(db,
                     "UPDATE logs_groups SET stored_bytes = (SELECT coalesce(sum(stored_bytes), 0) FROM logs_streams "
                     "WHERE grp = logs_groups.id) WHERE id = ?") {}

bool store::create_group(log_group& g, const tag_map& tags) {
    insert_group_.bind_all(g.account, g.region, g.name, g.created_ms, g.log_class, g.kms_key_id,
                           nlohmann::json(tags).dump(), g.deletion_protection ? 1 : 0);
    insert_group_.run();
    if (insert_group_.changes() == 0) return false;
    g.id = db_.last_insert_rowid();
    return true;
}

std::optional<log_group> store::find_group(std::string_view account, std::string_view region, std::string_view name) {
    reset_on_exit r{find_group_};
    find_group_.bind_all(account, region, name);
    if (!find_group_.step()) return std::nullopt;
    return group_from(find_group_);
}

bool store::delete_group(std::int64_t group_id) {
    storage::transaction tx(db_);
    delete_group_events_.bind(1, group_id).run();
    delete_group_streams_.bind(1, group_id).run();
    delete_group_.bind(1, group_id).run();
    bool deleted = delete_group_.changes() > 0;
    tx.commit();
    return deleted;
}

std::vector<log_group> store::groups(std::string_view account, std::string_view region) {
    reset_on_exit r{all_groups_};
    std::vector<log_group> out;
    all_groups_.bind_all(account, region);
    while (all_groups_.step())
        out.push_back(group_from(all_groups_));
    return out;
}

void store::set_retention(std::int64_t group_id, std::optional<int> days) {
    if (days)
        set_retention_.bind(1, *days);
    else
        set_retention_.bind_null(1);
    set_retention_.bind(2, group_id).run();
}

void store::set_deletion_protection(std::int64_t group_id, bool enabled) {
    set_protection_.bind_all(enabled ? 1 : 0, group_id).run();
}

tag_map store::tags(std::int64_t group_id) {
    reset_on_exit r{get_tags_};
    tag_map out;
    get_tags_.bind(1, group_id);
    if (get_tags_.step()) {
        auto doc = nlohmann::json::parse(get_tags_.text_view(0), nullptr, false);
        if (doc.is_object())
            for (auto& [k, v] : doc.items())
                out[k] = v.get<std::string>();
    }
    return out;
}

void store::set_tags(std::int64_t group_id, const tag_map& tags) {
    set_tags_.bind_all(nlohmann::json(tags).dump(), group_id).run();
}

bool store::create_stream(std::int64_t group_id, std::string_view name, std::int64_t now_ms) {
    insert_stream_.bind_all(group_id, name, now_ms).run();
    return insert_stream_.changes() > 0;
}

std::optional<log_stream> store::find_stream(std::int64_t group_id, std::string_view name) {
    reset_on_exit r{find_stream_};
    find_stream_.bind_all(group_id, name);
    if (!find_stream_.step()) return std::nullopt;
    return stream_from(find_stream_);
}

bool store::delete_stream(std::int64_t group_id, std::int64_t stream_id) {
    storage::transaction tx(db_);
    std::int64_t bytes = 0;
    {
        reset_on_exit r{stream_bytes_};
        stream_bytes_.bind(1, stream_id);
        if (stream_bytes_.step()) bytes = stream_bytes_.int64(0);
    }
    delete_stream_events_.bind(1, stream_id).run();
    delete_stream_.bind(1, stream_id).run();
    bool deleted = delete_stream_.changes() > 0;
    update_group_bytes_.bind_all(-bytes, group_id).run();
    tx.commit();
    return deleted;
}

std::vector<log_stream> store::streams(std::int64_t group_id) {
    reset_on_exit r{all_streams_};
    std::vector<log_stream> out;
    all_streams_.bind(1, group_id);
    while (all_streams_.step())
        out.push_back(stream_from(all_streams_));
    return out;
}

std::int64_t store::append(std::int64_t group_id, std::int64_t stream_id, std::span<const input_event> events,
                           std::int64_t now_ms) {
    if (events.empty()) return -1;
    std::int64_t first = std::numeric_limits<std::int64_t>::max(), last = std::numeric_limits<std::int64_t>::min();
    std::int64_t bytes = 0;
    for (auto& e : events) {
        first = std::min(first, e.timestamp_ms);
        last = std::max(last, e.timestamp_ms);
        bytes += static_cast<std::int64_t>(e.message.size());
    }
    storage::transaction tx(db_);
    std::int64_t sequence = 0;
    {
        // The stream first: a writer that kept the ids of a stream deleted since
        // must not leave events behind that belong to nothing.
        reset_on_exit r{update_stream_};
        update_stream_.bind_all(first, last, now_ms, bytes, stream_id, group_id);
        if (!update_stream_.step()) return -1;
        sequence = update_stream_.int64(0);
    }
    for (auto& e : events)
        insert_event_.bind_all(group_id, stream_id, e.timestamp_ms, now_ms, e.message).run();
    if (bytes) update_group_bytes_.bind_all(bytes, group_id).run();
    tx.commit();
    return sequence;
}

std::vector<stored_event> store::read_stream(std::int64_t stream_id, const window& w, cursor from, bool forward,
                                             std::int64_t max_count, std::int64_t max_bytes) {
    auto& s = forward ? forward_ : backward_;
    reset_on_exit r{s};
    std::vector<stored_event> out;
    std::int64_t bytes = 0;
    s.bind_all(stream_id, w.start_ms, w.end_ms, from.timestamp_ms, from.id, max_count);
    while (s.step()) {
        stored_event e{s.int64(0), s.int64(1), s.int64(2), s.int64(3), s.text(4)};
        bytes += static_cast<std::int64_t>(e.message.size()) + event_overhead_bytes;
        if (!out.empty() && bytes > max_bytes) break;
        out.push_back(std::move(e));
    }
    // A backward read walks from the newest event; callers get oldest first either way.
    if (!forward) std::reverse(out.begin(), out.end());
    return out;
}

void store::read_group(std::int64_t group_id, const window& w, cursor from,
                       const std::function<bool(stored_event&)>& fn) {
    reset_on_exit r{group_events_};
    group_events_.bind_all(group_id, w.start_ms, w.end_ms, from.timestamp_ms, from.id);
    while (group_events_.step()) {
        stored_event e{group_events_.int64(0), group_events_.int64(1), group_events_.int64(2), group_events_.int64(3),
                       group_events_.text(4)};
        if (!fn(e)) return;
    }
}

std::int64_t store::expire(std::int64_t now_ms) {
    std::vector<std::pair<std::int64_t, int>> retained;
    {
        reset_on_exit r{retained_groups_};
        while (retained_groups_.step())
            retained.emplace_back(retained_groups_.int64(0), static_cast<int>(retained_groups_.int64(1)));
    }
    std::int64_t removed = 0;
    storage::transaction tx(db_);
    for (auto [group_id, days] : retained) {
        expire_events_.bind_all(group_id, now_ms - retention_ms(days)).run();
        if (expire_events_.changes() == 0) continue;
        removed += expire_events_.changes();
        recount_stream_.bind(1, group_id).run();
        recount_group_.bind(1, group_id).run();
    }
    tx.commit();
    return removed;
}

log_group store::ensure_group(std::string_view account, std::string_view region, std::string_view name,
                              std::int64_t now_ms) {
    if (auto g = find_group(account, region, name)) return *g;
    log_group g;
    g.account = account;
    g.region = region;
    g.name = name;
    g.created_ms = now_ms;
    create_group(g, {});
    return *find_group(account, region, name);
}

std::optional<log_stream> store::ensure_stream(std::string_view account, std::string_view region,
                                               std::string_view group, std::string_view stream, std::int64_t now_ms) {
    auto g = find_group(account, region, group);
    if (!g) return std::nullopt;
    if (auto s = find_stream(g->id, stream)) return s;
    create_stream(g->id, stream, now_ms);
    return find_stream(g->id, stream);
}

bool store::append(std::string_view account, std::string_view region, std::string_view group, std::string_view stream,
                   std::span<const input_event> events, std::int64_t now_ms) {
    auto g = find_group(account, region, group);
    if (!g) return false;
    auto s = find_stream(g->id, stream);
    if (!s) return false;
    append(g->id, s->id, events, now_ms);
    return true;
}

}  // namespace eddy::logs
