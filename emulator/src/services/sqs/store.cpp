#include "services/sqs/store.hpp"

#include "core/digest.hpp"

#include <limits>

namespace eddy::sqs {

namespace {

// Each step ships once and never changes; new schema comes as a new step.
const std::vector<std::string_view> schema = {
    R"(CREATE TABLE sqs_queues (
         account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
         attributes TEXT NOT NULL, tags TEXT NOT NULL,
         created_ms INTEGER NOT NULL, modified_ms INTEGER NOT NULL,
         PRIMARY KEY (account, region, name)))",
    R"(CREATE TABLE sqs_messages (
         queue INTEGER NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, body BLOB NOT NULL,
         attributes BLOB, trace_header TEXT, sender_id TEXT, sent_ms INTEGER NOT NULL,
         visible_at_ms INTEGER NOT NULL, receive_count INTEGER NOT NULL, first_receive_ms INTEGER NOT NULL,
         nonce TEXT NOT NULL, group_id TEXT, dedup_id TEXT, sequence_number TEXT, dead_letter_source TEXT,
         PRIMARY KEY (queue, seq)))",
    R"(CREATE TABLE sqs_dedup (
         queue INTEGER NOT NULL, key TEXT NOT NULL, expires_ms INTEGER NOT NULL, message_id TEXT NOT NULL,
         PRIMARY KEY (queue, key)))",
};

storage::database& migrated(storage::database& db) {
    db.migrate("sqs", schema);
    return db;
}

attribute_map map_from(std::string_view text) {
    attribute_map out;
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_object())
        for (auto& [k, v] : doc.items())
            out[k] = v.get<std::string>();
    return out;
}

std::string map_text(const attribute_map& m) {
    return nlohmann::json(m).dump();
}

}  // namespace

store::store(storage::database& db)
    : db_(migrated(db)),
      keep_messages_(!db.in_memory()),
      insert_(db,
              "INSERT INTO sqs_queues(account, region, name, attributes, tags, created_ms, modified_ms) "
              "VALUES(?, ?, ?, ?, ?, ?, ?)"),
      update_(db, "UPDATE sqs_queues SET attributes = ?, tags = ?, modified_ms = ? WHERE rowid = ?"),
      remove_(db, "DELETE FROM sqs_queues WHERE rowid = ?"),
      remove_messages_(db, "DELETE FROM sqs_messages WHERE queue = ?"),
      all_(db, "SELECT rowid, account, region, name, attributes, tags, created_ms, modified_ms FROM sqs_queues"),
      insert_msg_(db,
                  "INSERT INTO sqs_messages(queue, seq, id, body, attributes, trace_header, sender_id, sent_ms, "
                  "visible_at_ms, receive_count, first_receive_ms, nonce, group_id, dedup_id, sequence_number, "
                  "dead_letter_source) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      update_msg_(db,
                  "UPDATE sqs_messages SET visible_at_ms = ?, receive_count = ?, first_receive_ms = ?, nonce = ? "
                  "WHERE queue = ? AND seq = ?"),
      delete_msg_(db, "DELETE FROM sqs_messages WHERE queue = ? AND seq = ?"),
      messages_(db,
                "SELECT seq, id, body, attributes, trace_header, sender_id, sent_ms, visible_at_ms, receive_count, "
                "first_receive_ms, nonce, group_id, dedup_id, sequence_number, dead_letter_source "
                "FROM sqs_messages WHERE queue = ? ORDER BY seq"),
      insert_dedup_(db, "INSERT OR REPLACE INTO sqs_dedup(queue, key, expires_ms, message_id) VALUES(?, ?, ?, ?)"),
      dedup_(db, "SELECT key, expires_ms, message_id FROM sqs_dedup WHERE queue = ? AND expires_ms > ?"),
      prune_dedup_(db, "DELETE FROM sqs_dedup WHERE queue = ? AND expires_ms <= ?") {}

std::int64_t store::insert(const queue& q) {
    insert_.bind_all(q.account, q.region, q.name, map_text(q.attributes), map_text(q.tags), q.created_ms,
                     q.modified_ms);
    insert_.run();
    return db_.last_insert_rowid();
}

void store::update(std::int64_t row_id, const queue& q) {
    update_.bind_all(map_text(q.attributes), map_text(q.tags), q.modified_ms, row_id);
    update_.run();
}

void store::remove(std::int64_t row_id) {
    storage::transaction tx(db_);
    remove_messages_.bind(1, row_id).run();
    prune_dedup_.bind_all(row_id, std::numeric_limits<std::int64_t>::max()).run();
    remove_.bind(1, row_id).run();
    tx.commit();
}

void store::each_queue(const std::function<void(std::int64_t, queue)>& fn) {
    while (all_.step()) {
        queue q;
        q.account = all_.text(1);
        q.region = all_.text(2);
        q.name = all_.text(3);
        q.attributes = map_from(all_.text_view(4));
        q.tags = map_from(all_.text_view(5));
        q.created_ms = all_.int64(6);
        q.modified_ms = all_.int64(7);
        fn(all_.int64(0), std::move(q));
    }
    all_.reset();
}

void store::insert_message(std::int64_t queue_row, const message& m) {
    if (!keep_messages_) return;
    auto& s = insert_msg_;
    // The message and its CBOR outlive run(): SQLite need not copy them.
    s.bind(1, queue_row).bind(2, m.seq).bind_view(3, m.id).bind_blob_view(4, m.body);
    std::vector<std::uint8_t> cbor;
    if (m.attributes.empty()) {
        s.bind_null(5);
    } else {
        cbor = json::to_cbor(m.attributes);
        s.bind_blob_view(5, std::string_view(reinterpret_cast<const char*>(cbor.data()), cbor.size()));
    }
    s.bind_view(6, m.trace_header()).bind_view(7, m.sender_id).bind(8, m.sent_ms).bind(9, m.visible_at_ms);
    s.bind(10, static_cast<std::int64_t>(m.receive_count)).bind(11, m.first_receive_ms).bind_view(12, m.nonce);
    s.bind_view(13, m.group_id()).bind_view(14, m.dedup_id()).bind_view(15, m.sequence_number());
    s.bind_view(16, m.dead_letter_source_arn());
    s.run();
}

void store::update_message(std::int64_t queue_row, const message& m) {
    if (!keep_messages_) return;
    update_msg_.bind_all(m.visible_at_ms, static_cast<std::int64_t>(m.receive_count), m.first_receive_ms, m.nonce,
                         queue_row, m.seq);
    update_msg_.run();
}

void store::delete_message(std::int64_t queue_row, std::int64_t seq) {
    if (!keep_messages_) return;
    delete_msg_.bind_all(queue_row, seq).run();
}

void store::delete_messages(std::int64_t queue_row) {
    if (!keep_messages_) return;
    remove_messages_.bind(1, queue_row).run();
}

void store::each_message(std::int64_t queue_row, const std::function<void(message)>& fn) {
    auto& s = messages_;
    s.bind(1, queue_row);
    while (s.step()) {
        message m;
        m.seq = s.int64(0);
        m.id = s.text(1);
        m.body = s.text(2);
        m.md5_body = md5::of(m.body);
        if (!s.is_null(3)) {
            auto raw = s.text_view(3);
            m.attributes = json::from_cbor(raw.begin(), raw.end());
        }
        m.sender_id = s.text(5);
        m.sent_ms = s.int64(6);
        m.visible_at_ms = s.int64(7);
        m.receive_count = static_cast<std::int32_t>(s.int64(8));
        m.first_receive_ms = s.int64(9);
        m.nonce = s.text(10);
        // Only messages that have them get the extras.
        for (auto [column, field] : {std::pair{4, &message_extras::trace_header},
                                     {11, &message_extras::group_id},
                                     {12, &message_extras::dedup_id},
                                     {13, &message_extras::sequence_number},
                                     {14, &message_extras::dead_letter_source_arn}})
            if (auto text = s.text_view(column); !text.empty()) m.extras.write().*field = std::string(text);
        fn(std::move(m));
    }
    s.reset();
}

void store::insert_dedup(std::int64_t queue_row, std::string_view key, std::int64_t expires_ms, std::string_view id) {
    if (!keep_messages_) return;
    insert_dedup_.bind_all(queue_row, key, expires_ms, id);
    insert_dedup_.run();
}

void store::each_dedup(std::int64_t queue_row, std::int64_t now_ms,
                       const std::function<void(std::string, std::int64_t, std::string)>& fn) {
    if (!keep_messages_) return;
    prune_dedup_.bind_all(queue_row, now_ms);
    prune_dedup_.run();
    dedup_.bind_all(queue_row, now_ms);
    while (dedup_.step())
        fn(dedup_.text(0), dedup_.int64(1), dedup_.text(2));
    dedup_.reset();
}

}  // namespace eddy::sqs
