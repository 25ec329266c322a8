#include "services/ssm/store.hpp"

#include "services/ssm/rules.hpp"

#include <nlohmann/json.hpp>

namespace eddy::ssm {

namespace {

using json = nlohmann::json;

// Each step ships once and never changes; new schema comes as a new step.
const std::vector<std::string_view> schema = {
    R"(CREATE TABLE ssm_parameters (
         account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
         PRIMARY KEY (account, region, name)))",
};

storage::database& migrated(storage::database& db) {
    db.migrate("ssm", schema);
    return db;
}

json to_json(const parameter& p) {
    json versions = json::array();
    for (auto& v : p.versions)
        versions.push_back({{"version", v.version},
                            {"value", v.value},
                            {"type", v.type},
                            {"key_id", v.key_id},
                            {"description", v.description},
                            {"allowed_pattern", v.allowed_pattern},
                            {"tier", v.tier},
                            {"data_type", v.data_type},
                            {"user", v.user},
                            {"modified_ms", v.modified_ms},
                            {"labels", v.labels}});
    return {{"name", p.name}, {"versions", std::move(versions)}, {"tags", p.tags}};
}

parameter from_row(storage::statement& s) {
    parameter p;
    p.account = s.text(0);
    p.region = s.text(1);
    auto doc = json::parse(s.text_view(3));
    p.name = doc["name"].get<std::string>();  // as created: the key may have dropped its slash
    for (auto& v : doc["versions"]) {
        parameter_version pv;
        pv.version = v["version"].get<std::int64_t>();
        pv.value = v["value"].get<std::string>();
        pv.type = v["type"].get<std::string>();
        pv.key_id = v["key_id"].get<std::string>();
        pv.description = v["description"].get<std::string>();
        pv.allowed_pattern = v["allowed_pattern"].get<std::string>();
        pv.tier = v["tier"].get<std::string>();
        pv.data_type = v["data_type"].get<std::string>();
        pv.user = v["user"].get<std::string>();
        pv.modified_ms = v["modified_ms"].get<std::int64_t>();
        pv.labels = v["labels"].get<std::vector<std::string>>();
        p.versions.push_back(std::move(pv));
    }
    p.tags = doc["tags"].get<tag_map>();
    return p;
}

// Resets a statement however the read that used it ends.
struct reset_on_exit {
    storage::statement& s;
    ~reset_on_exit() { s.reset(); }
};

}  // namespace

parameter_version* parameter::find_version(std::int64_t v) {
    for (auto& pv : versions)
        if (pv.version == v) return &pv;
    return nullptr;
}

parameter_version* parameter::find_label(std::string_view label) {
    for (auto& pv : versions)
        for (auto& l : pv.labels)
            if (l == label) return &pv;
    return nullptr;
}

store::store(storage::database& db)
    : find_(migrated(db),
            "SELECT account, region, name, doc FROM ssm_parameters WHERE account = ? AND region = ? "
            "AND name = ?"),
      save_(db, "INSERT OR REPLACE INTO ssm_parameters(account, region, name, doc) VALUES(?, ?, ?, ?)"),
      remove_(db, "DELETE FROM ssm_parameters WHERE account = ? AND region = ? AND name = ?"),
      all_(db,
           "SELECT account, region, name, doc FROM ssm_parameters WHERE account = ? AND region = ? AND name > ? "
           "ORDER BY name") {}

std::optional<parameter> store::find(std::string_view account, std::string_view region, std::string_view name) {
    reset_on_exit r{find_};
    find_.bind_all(account, region, key_of(name));
    if (!find_.step()) return std::nullopt;
    return from_row(find_);
}

void store::save(const parameter& p) {
    save_.bind_all(p.account, p.region, key_of(p.name), to_json(p).dump()).run();
}

bool store::remove(std::string_view account, std::string_view region, std::string_view name) {
    remove_.bind_all(account, region, key_of(name)).run();
    return remove_.changes() > 0;
}

std::vector<parameter> store::all(std::string_view account, std::string_view region, std::string_view after) {
    reset_on_exit r{all_};
    std::vector<parameter> out;
    all_.bind_all(account, region, std::string(after));  // a null view would bind NULL, which no name exceeds
    while (all_.step())
        out.push_back(from_row(all_));
    return out;
}

}  // namespace eddy::ssm
