#include "services/ecs/store.hpp"

namespace eddy::ecs {

namespace {

const std::vector<std::string_view> schema = {
    "CREATE TABLE ecs_resources (kind TEXT NOT NULL, arn TEXT NOT NULL, document TEXT NOT NULL, "
    "seq INTEGER NOT NULL, PRIMARY KEY (kind, arn))",
};

storage::database& migrated(storage::database& db) {
    db.migrate("ecs", schema);
    return db;
}

}  // namespace

store::store(storage::database& db)
    : db_(migrated(db)),
      put_(db,
           "INSERT INTO ecs_resources (kind, arn, document, seq) VALUES (?1, ?2, ?3, "
           "(SELECT COALESCE(MAX(seq), 0) + 1 FROM ecs_resources)) "
           "ON CONFLICT (kind, arn) DO UPDATE SET document = excluded.document"),
      remove_(db, "DELETE FROM ecs_resources WHERE kind = ?1 AND arn = ?2"),
      all_(db, "SELECT document FROM ecs_resources WHERE kind = ?1 ORDER BY seq") {}

void store::put(std::string_view kind, std::string_view arn, const json& document) {
    put_.reset();
    put_.bind_all(kind, arn, document.dump()).run();
}

void store::remove(std::string_view kind, std::string_view arn) {
    remove_.reset();
    remove_.bind_all(kind, arn).run();
}

void store::each(std::string_view kind, const std::function<void(json&)>& fn) {
    all_.reset();
    all_.bind(1, kind);
    while (all_.step()) {
        auto doc = json::parse(all_.text_view(0));
        fn(doc);
    }
}

}  // namespace eddy::ecs
