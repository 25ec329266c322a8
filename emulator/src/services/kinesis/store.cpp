#include "services/kinesis/store.hpp"

#include <nlohmann/json.hpp>

namespace eddy::kinesis {

using json = nlohmann::json;

namespace {

// Each step ships once and never changes; new schema comes as a new step.
const std::vector<std::string_view> schema = {
    R"(CREATE TABLE kinesis_streams (
         account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
         PRIMARY KEY (account, region, name)))",
    // The records one request put to one shard, packed into one row (see pack()):
    // a row insert per record would cost more than the rest of PutRecords.
    R"(CREATE TABLE kinesis_records (
         stream INTEGER NOT NULL, shard INTEGER NOT NULL, first_counter INTEGER NOT NULL,
         last_counter INTEGER NOT NULL, records BLOB NOT NULL,
         PRIMARY KEY (stream, shard, first_counter)) WITHOUT ROWID)",
};

storage::database& migrated(storage::database& db) {
    db.migrate("kinesis", schema);
    return db;
}

json doc_of(const stream& s) {
    json shards = json::array();
    for (auto& sh : s.shards) {
        json j = {{"index", sh.index},
                  {"start", to_decimal(sh.range.start)},
                  {"end", to_decimal(sh.range.end)},
                  {"created", sh.created_ms},
                  {"next", sh.next_counter},
                  {"children", sh.children}};
        if (sh.parent) j["parent"] = *sh.parent;
        if (sh.adjacent_parent) j["adjacent"] = *sh.adjacent_parent;
        if (sh.closed_ms) j["closed"] = *sh.closed_ms;
        shards.push_back(std::move(j));
    }
    json consumers = json::array();
    for (auto& [name, c] : s.consumers)
        consumers.push_back({{"name", c.name}, {"arn", c.arn}, {"created", c.created_ms}, {"ready", c.ready_ms}});
    return {{"arn", s.arn},
            {"id", s.id},
            {"created", s.created_ms},
            {"mode", s.mode},
            {"retention", s.retention_hours},
            {"max_record_kib", s.max_record_kib},
            {"encryption", s.encryption},
            {"key_id", s.key_id},
            {"metrics", s.shard_level_metrics},
            {"tags", s.tags},
            {"policy", s.policy},
            {"consumers", consumers},
            {"shards", shards},
            {"status", s.pending_status},
            {"busy_until", s.busy_until_ms}};
}

stream stream_of(stream_key key, const json& d) {
    stream s;
    s.key = std::move(key);
    s.arn = d.at("arn");
    s.id = d.at("id");
    s.created_ms = d.at("created");
    s.mode = d.at("mode");
    s.retention_hours = d.at("retention");
    s.max_record_kib = d.at("max_record_kib");
    s.encryption = d.at("encryption");
    s.key_id = d.at("key_id");
    s.shard_level_metrics = d.at("metrics").get<std::vector<std::string>>();
    s.tags = d.at("tags").get<std::map<std::string, std::string>>();
    s.policy = d.at("policy");
    for (auto& c : d.at("consumers"))
        s.consumers[c.at("name")] = {c.at("name"), c.at("arn"), c.at("created"), c.at("ready")};
    for (auto& j : d.at("shards")) {
        shard sh;
        sh.index = j.at("index");
        sh.range = {*parse_decimal(j.at("start").get<std::string>()), *parse_decimal(j.at("end").get<std::string>())};
        sh.created_ms = j.at("created");
        sh.next_counter = j.at("next");
        sh.children = j.at("children").get<std::vector<int>>();
        if (j.contains("parent")) sh.parent = j["parent"].get<int>();
        if (j.contains("adjacent")) sh.adjacent_parent = j["adjacent"].get<int>();
        if (j.contains("closed")) sh.closed_ms = j["closed"].get<std::int64_t>();
        s.shards.push_back(std::move(sh));
    }
    s.pending_status = d.at("status");
    s.busy_until_ms = d.at("busy_until");
    return s;
}

void put_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
        out += static_cast<char>((v >> (8 * i)) & 0xff);
}

bool get_u64(std::string_view& in, std::uint64_t& v) {
    if (in.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
    in.remove_prefix(8);
    return true;
}

// Each record: counter, arrival, key length, data length (8 bytes each, little endian), key, data.
template <typename Iterator>
std::string pack(Iterator begin, Iterator end) {
    std::string out;
    for (auto it = begin; it != end; ++it) {
        auto& r = *it;
        put_u64(out, r.counter);
        put_u64(out, static_cast<std::uint64_t>(r.arrival_ms));
        put_u64(out, r.partition_key.size());
        put_u64(out, r.data.size());
        out += r.partition_key;
        out += r.data;
    }
    return out;
}

bool unpack(std::string_view in, const std::function<void(record)>& fn) {
    while (!in.empty()) {
        std::uint64_t counter, arrival, key, data;
        if (!get_u64(in, counter) || !get_u64(in, arrival) || !get_u64(in, key) || !get_u64(in, data) ||
            in.size() < key + data)
            return false;
        fn(record{counter, static_cast<std::int64_t>(arrival), std::string(in.substr(0, key)),
                  std::string(in.substr(key, data))});
        in.remove_prefix(key + data);
    }
    return true;
}

}  // namespace

store::store(storage::database& db)
    : db_(migrated(db)),
      keep_records_(!db.in_memory()),
      insert_(db, "INSERT INTO kinesis_streams(account, region, name, doc) VALUES(?, ?, ?, ?)"),
      update_(db, "UPDATE kinesis_streams SET doc = ? WHERE rowid = ?"),
      remove_(db, "DELETE FROM kinesis_streams WHERE rowid = ?"),
      remove_records_(db, "DELETE FROM kinesis_records WHERE stream = ?"),
      append_(db,
              "INSERT INTO kinesis_records(stream, shard, first_counter, last_counter, records) "
              "VALUES(?, ?, ?, ?, ?)"),
      trim_(db, "DELETE FROM kinesis_records WHERE stream = ? AND shard = ? AND last_counter <= ?"),
      streams_(db, "SELECT rowid, account, region, name, doc FROM kinesis_streams"),
      records_(db, "SELECT shard, records FROM kinesis_records WHERE stream = ? ORDER BY shard, first_counter") {}

void store::save(stream& s) {
    auto doc = doc_of(s).dump();
    if (s.row_id) {
        update_.bind_all(doc, s.row_id).run();
        return;
    }
    insert_.bind_all(s.key.account, s.key.region, s.key.name, doc).run();
    s.row_id = db_.last_insert_rowid();
}

void store::remove(const stream& s) {
    remove_.bind(1, s.row_id).run();
    remove_records_.bind(1, s.row_id).run();
}

void store::append(const stream& s, const shard& sh, std::size_t newest) {
    if (!keep_records_ || newest == 0) return;
    auto first = sh.records.end() - static_cast<std::ptrdiff_t>(newest);
    append_.bind_all(s.row_id, sh.index, static_cast<std::int64_t>(first->counter),
                     static_cast<std::int64_t>(sh.records.back().counter));
    append_.bind_blob(5, pack(first, sh.records.end())).run();
}

void store::trim(const stream& s, const shard& sh, std::uint64_t through_counter) {
    if (!keep_records_) return;
    trim_.bind_all(s.row_id, sh.index, static_cast<std::int64_t>(through_counter)).run();
}

void store::each_stream(const std::function<void(stream s)>& fn) {
    std::vector<stream> loaded;
    while (streams_.step()) {
        auto s = stream_of({streams_.text(1), streams_.text(2), streams_.text(3)}, json::parse(streams_.text_view(4)));
        s.row_id = streams_.int64(0);
        loaded.push_back(std::move(s));
    }
    streams_.reset();
    for (auto& s : loaded) {
        records_.bind(1, s.row_id);
        while (records_.step()) {
            auto& sh = s.shards.at(static_cast<std::size_t>(records_.int64(0)));
            bool whole = unpack(records_.text_view(1), [&](record r) {
                // Counters already given out are never given again, even when trimmed since.
                sh.next_counter = std::max(sh.next_counter, r.counter + 1);
                // A row partly past retention comes back whole; reads trim it again.
                if (sh.records.empty() || r.counter > sh.records.back().counter) sh.records.push_back(std::move(r));
            });
            if (!whole) throw std::runtime_error("a Kinesis record row of stream " + s.key.name + " is damaged");
        }
        records_.reset();
        fn(std::move(s));
    }
}

}  // namespace eddy::kinesis
