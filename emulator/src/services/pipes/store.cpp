#include "services/pipes/store.hpp"

namespace eddy::pipes {

namespace {

const std::vector<std::string_view> schema = {
    R"(CREATE TABLE pipes_pipes (arn TEXT PRIMARY KEY, body TEXT NOT NULL))",
    R"(CREATE TABLE pipes_checkpoints (pipe TEXT NOT NULL, shard TEXT NOT NULL, sequence TEXT NOT NULL,
         ended INTEGER NOT NULL, PRIMARY KEY (pipe, shard)))",
};

json to_json(const pipe& p) {
    return {{"account", p.account},    {"region", p.region},        {"name", p.name},       {"arn", p.arn},
            {"spec", p.spec},          {"desired", p.desired},      {"current", p.current}, {"reason", p.reason},
            {"created", p.created_ms}, {"modified", p.modified_ms}, {"tags", p.tags}};
}

pipe from_json(const json& j) {
    pipe p;
    p.account = j.at("account");
    p.region = j.at("region");
    p.name = j.at("name");
    p.arn = j.at("arn");
    p.spec = j.at("spec");
    p.desired = j.at("desired");
    p.current = j.at("current");
    p.reason = j.value("reason", "");
    p.created_ms = j.at("created");
    p.modified_ms = j.at("modified");
    p.tags = j.value("tags", std::map<std::string, std::string>{});
    return p;
}

}  // namespace

store::store(storage::database& db) : db_(db) {
    db_.migrate("pipes", schema);
}

void store::put(const pipe& p) {
    storage::statement(db_, "INSERT OR REPLACE INTO pipes_pipes (arn, body) VALUES (?, ?)")
        .bind_all(p.arn, to_json(p).dump())
        .run();
}

void store::remove(const std::string& arn) {
    storage::transaction t(db_);
    storage::statement(db_, "DELETE FROM pipes_pipes WHERE arn = ?").bind(1, arn).run();
    storage::statement(db_, "DELETE FROM pipes_checkpoints WHERE pipe = ?").bind(1, arn).run();
    t.commit();
}

std::vector<pipe> store::load_all() {
    std::vector<pipe> out;
    storage::statement s(db_, "SELECT body FROM pipes_pipes ORDER BY arn");
    while (s.step())
        out.push_back(from_json(json::parse(s.text_view(0))));
    return out;
}

std::map<std::string, shard_checkpoint> store::checkpoints(const std::string& pipe_arn) {
    std::map<std::string, shard_checkpoint> out;
    storage::statement s(db_, "SELECT shard, sequence, ended FROM pipes_checkpoints WHERE pipe = ?");
    s.bind(1, pipe_arn);
    while (s.step())
        out[s.text(0)] = {s.text(1), s.int64(2) != 0};
    return out;
}

void store::save_checkpoint(const std::string& pipe_arn, const std::string& shard_id, const shard_checkpoint& c) {
    storage::statement(db_,
                       "INSERT OR REPLACE INTO pipes_checkpoints (pipe, shard, sequence, ended) VALUES (?, ?, ?, ?)")
        .bind_all(pipe_arn, shard_id, c.sequence_number, c.ended ? 1 : 0)
        .run();
}

}  // namespace eddy::pipes
