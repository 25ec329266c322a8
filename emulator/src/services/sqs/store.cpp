#include "services/sqs/store.hpp"

#include <nlohmann/json.hpp>

namespace eddy::sqs {

namespace {

const std::vector<std::string_view> schema = {
    R"(CREATE TABLE sqs_queues (
         account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
         attributes TEXT NOT NULL, tags TEXT NOT NULL,
         created_ms INTEGER NOT NULL, modified_ms INTEGER NOT NULL,
         PRIMARY KEY (account, region, name)))",
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

queue row(storage::statement& s) {
    queue q;
    q.account = s.text(0);
    q.region = s.text(1);
    q.name = s.text(2);
    q.attributes = map_from(s.text_view(3));
    q.tags = map_from(s.text_view(4));
    q.created_ms = s.int64(5);
    q.modified_ms = s.int64(6);
    return q;
}

constexpr const char* columns = "account, region, name, attributes, tags, created_ms, modified_ms";

}  // namespace

store::store(storage::database& db)
    : db_(migrated(db)),
      find_(db, std::string("SELECT ") + columns + " FROM sqs_queues WHERE account = ? AND region = ? AND name = ?"),
      insert_(db, std::string("INSERT INTO sqs_queues(") + columns + ") VALUES(?, ?, ?, ?, ?, ?, ?)"),
      update_(db,
              "UPDATE sqs_queues SET attributes = ?, tags = ?, modified_ms = ? "
              "WHERE account = ? AND region = ? AND name = ?"),
      remove_(db, "DELETE FROM sqs_queues WHERE account = ? AND region = ? AND name = ?"),
      list_(db, std::string("SELECT ") + columns +
                    " FROM sqs_queues WHERE account = ? AND region = ? AND substr(name, 1, ?) = ? AND name > ? "
                    "ORDER BY name LIMIT ?") {}

std::optional<queue> store::find(std::string_view account, std::string_view region, std::string_view name) {
    find_.bind_all(account, region, name);
    std::optional<queue> out;
    if (find_.step()) out = row(find_);
    find_.reset();
    return out;
}

void store::insert(const queue& q) {
    insert_.bind_all(q.account, q.region, q.name, map_text(q.attributes), map_text(q.tags), q.created_ms,
                     q.modified_ms);
    insert_.run();
}

void store::update(const queue& q) {
    update_.bind_all(map_text(q.attributes), map_text(q.tags), q.modified_ms, q.account, q.region, q.name);
    update_.run();
}

bool store::remove(std::string_view account, std::string_view region, std::string_view name) {
    remove_.bind_all(account, region, name);
    remove_.step();
    bool removed = remove_.changes() > 0;
    remove_.reset();
    return removed;
}

std::vector<queue> store::list(std::string_view account, std::string_view region, std::string_view prefix,
                               std::string_view after, std::size_t limit) {
    list_.bind_all(account, region, static_cast<std::int64_t>(prefix.size()), prefix, after,
                   static_cast<std::int64_t>(limit));
    std::vector<queue> out;
    while (list_.step())
        out.push_back(row(list_));
    list_.reset();
    return out;
}

}  // namespace eddy::sqs
