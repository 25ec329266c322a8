#include "services/s3/store.hpp"

namespace eddy::s3 {

namespace {

// Each step ships once and never changes; new schema comes as a new step.
const std::vector<std::string_view> schema = {
    R"(CREATE TABLE s3_buckets (
         id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, region TEXT NOT NULL,
         name TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL, versioning TEXT NOT NULL, configs TEXT NOT NULL))",
    R"(CREATE TABLE s3_objects (
         id INTEGER PRIMARY KEY AUTOINCREMENT, bucket INTEGER NOT NULL, key TEXT NOT NULL, version TEXT NOT NULL,
         latest INTEGER NOT NULL, marker INTEGER NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL,
         etag TEXT NOT NULL, modified_ms INTEGER NOT NULL, meta TEXT NOT NULL))",
    "CREATE INDEX s3_objects_by_key ON s3_objects(bucket, key, id)",
    "CREATE INDEX s3_objects_latest ON s3_objects(bucket, latest, key)",
    "CREATE INDEX s3_objects_by_blob ON s3_objects(blob)",
    R"(CREATE TABLE s3_uploads (
         id TEXT PRIMARY KEY, bucket INTEGER NOT NULL, key TEXT NOT NULL, initiated_ms INTEGER NOT NULL,
         meta TEXT NOT NULL))",
    R"(CREATE TABLE s3_parts (
         upload TEXT NOT NULL, number INTEGER NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL,
         etag TEXT NOT NULL, modified_ms INTEGER NOT NULL, checksum TEXT NOT NULL,
         PRIMARY KEY (upload, number)))",
};

constexpr const char* version_columns = "id, bucket, key, version, latest, marker, blob, size, etag, modified_ms, meta";

bucket read_bucket(storage::statement& s) {
    bucket b;
    b.id = s.int64(0);
    b.account = s.text(1);
    b.region = s.text(2);
    b.name = s.text(3);
    b.created_ms = s.int64(4);
    b.versioning = s.text(5);
    b.configs = json::parse(s.text_view(6));
    return b;
}

struct reset_on_exit {
    storage::statement& s;
    ~reset_on_exit() { s.reset(); }
};

}  // namespace

static storage::database& migrated(storage::database& db) {
    db.migrate("s3", schema);
    return db;
}

static const std::string version_select = std::string("SELECT ") + version_columns + " FROM s3_objects ";

store::store(storage::database& db)
    : db_(migrated(db)),
      find_bucket_(db,
                   "SELECT id, account, region, name, created_ms, versioning, configs FROM s3_buckets "
                   "WHERE name = ?"),
      latest_(db, version_select + "WHERE bucket = ? AND key = ? AND latest = 1"),
      version_(db, version_select + "WHERE bucket = ? AND key = ? AND version = ?"),
      drop_same_(db, "DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND version = ? RETURNING blob"),
      clear_latest_(db, "UPDATE s3_objects SET latest = 0 WHERE bucket = ? AND key = ? AND latest = 1"),
      insert_(db,
              "INSERT INTO s3_objects(bucket, key, version, latest, marker, blob, size, etag, modified_ms, meta) "
              "VALUES(?, ?, ?, 1, ?, ?, ?, ?, ?, ?)") {}

object_version store::read_version(storage::statement& s) {
    object_version v;
    v.id = s.int64(0);
    v.bucket = s.int64(1);
    v.key = s.text(2);
    v.version_id = s.text(3);
    v.latest = s.int64(4) != 0;
    v.delete_marker = s.int64(5) != 0;
    v.blob = s.text(6);
    v.size = s.int64(7);
    v.etag = s.text(8);
    v.modified_ms = s.int64(9);
    v.meta = json::parse(s.text_view(10));
    return v;
}

std::optional<bucket> store::find_bucket(const std::string& name) {
    reset_on_exit done{find_bucket_};
    find_bucket_.bind(1, name);
    if (!find_bucket_.step()) return std::nullopt;
    return read_bucket(find_bucket_);
}

std::vector<bucket> store::buckets(const std::string& account) {
    storage::statement s(db_,
                         "SELECT id, account, region, name, created_ms, versioning, configs FROM s3_buckets "
                         "WHERE account = ? ORDER BY name");
    s.bind(1, account);
    std::vector<bucket> out;
    while (s.step())
        out.push_back(read_bucket(s));
    return out;
}

void store::create_bucket(const bucket& b) {
    storage::statement s(db_,
                         "INSERT INTO s3_buckets(account, region, name, created_ms, versioning, configs) "
                         "VALUES(?, ?, ?, ?, ?, ?)");
    s.bind_all(b.account, b.region, b.name, b.created_ms, b.versioning, b.configs.dump());
    s.run();
}

void store::delete_bucket(std::int64_t id) {
    storage::transaction t(db_);
    storage::statement(db_, "DELETE FROM s3_parts WHERE upload IN (SELECT id FROM s3_uploads WHERE bucket = ?)")
        .bind(1, id)
        .run();
    storage::statement(db_, "DELETE FROM s3_uploads WHERE bucket = ?").bind(1, id).run();
    storage::statement(db_, "DELETE FROM s3_buckets WHERE id = ?").bind(1, id).run();
    t.commit();
}

void store::set_versioning(std::int64_t id, const std::string& status) {
    storage::statement(db_, "UPDATE s3_buckets SET versioning = ? WHERE id = ?").bind_all(status, id).run();
}

void store::set_configs(std::int64_t id, const json& configs) {
    storage::statement(db_, "UPDATE s3_buckets SET configs = ? WHERE id = ?").bind_all(configs.dump(), id).run();
}

std::optional<object_version> store::latest(std::int64_t bucket, const std::string& key) {
    reset_on_exit done{latest_};
    latest_.bind(1, bucket).bind(2, key);
    if (!latest_.step()) return std::nullopt;
    return read_version(latest_);
}

std::optional<object_version> store::version(std::int64_t bucket, const std::string& key,
                                             const std::string& version_id) {
    reset_on_exit done{version_};
    version_.bind(1, bucket).bind(2, key).bind(3, version_id);
    if (!version_.step()) return std::nullopt;
    return read_version(version_);
}

std::vector<std::string> store::put(object_version& v) {
    std::vector<std::string> freed;
    storage::transaction t(db_);
    {
        reset_on_exit done{drop_same_};
        drop_same_.bind(1, v.bucket).bind(2, v.key).bind(3, v.version_id);
        while (drop_same_.step())
            if (!drop_same_.is_null(0) && !drop_same_.text_view(0).empty()) freed.push_back(drop_same_.text(0));
    }
    clear_latest_.bind(1, v.bucket).bind(2, v.key).run();
    insert_.bind_all(v.bucket, v.key, v.version_id, v.delete_marker ? 1 : 0, v.blob, v.size, v.etag, v.modified_ms,
                     v.meta.dump());
    insert_.run();
    v.id = db_.last_insert_rowid();
    v.latest = true;
    t.commit();
    return freed;
}

void store::remove(const object_version& v) {
    storage::transaction t(db_);
    storage::statement(db_, "DELETE FROM s3_objects WHERE id = ?").bind(1, v.id).run();
    if (v.latest)
        storage::statement(db_,
                           "UPDATE s3_objects SET latest = 1 WHERE id = (SELECT max(id) FROM s3_objects "
                           "WHERE bucket = ? AND key = ?)")
            .bind(1, v.bucket)
            .bind(2, v.key)
            .run();
    t.commit();
}

void store::update_meta(const object_version& v) {
    storage::statement(db_, "UPDATE s3_objects SET meta = ? WHERE id = ?").bind_all(v.meta.dump(), v.id).run();
}

bool store::has_objects(std::int64_t bucket) {
    storage::statement s(db_, "SELECT 1 FROM s3_objects WHERE bucket = ? AND latest = 1 AND marker = 0 LIMIT 1");
    s.bind(1, bucket);
    return s.step();
}

bool store::has_versions(std::int64_t bucket) {
    storage::statement s(db_, "SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1");
    s.bind(1, bucket);
    return s.step();
}

std::vector<object_version> store::list(std::int64_t bucket, const std::string& after, bool inclusive, int limit) {
    storage::statement s(db_, std::string("SELECT ") + version_columns +
                                  " FROM s3_objects WHERE bucket = ? AND latest = 1 AND marker = 0 AND key " +
                                  (inclusive ? ">=" : ">") + " ? ORDER BY key LIMIT ?");
    s.bind(1, bucket).bind(2, after).bind(3, limit);
    std::vector<object_version> out;
    while (s.step())
        out.push_back(read_version(s));
    return out;
}

std::vector<object_version> store::list_versions(std::int64_t bucket, const std::string& after_key,
                                                 std::int64_t before_id, int limit) {
    storage::statement s(db_, std::string("SELECT ") + version_columns +
                                  " FROM s3_objects WHERE bucket = ?1 AND (key > ?2 OR (key = ?2 AND id < ?3)) "
                                  "ORDER BY key, id DESC LIMIT ?4");
    s.bind(1, bucket).bind(2, after_key).bind(3, before_id).bind(4, limit);
    std::vector<object_version> out;
    while (s.step())
        out.push_back(read_version(s));
    return out;
}

void store::create_upload(const upload& u) {
    storage::statement(db_, "INSERT INTO s3_uploads(id, bucket, key, initiated_ms, meta) VALUES(?, ?, ?, ?, ?)")
        .bind_all(u.id, u.bucket, u.key, u.initiated_ms, u.meta.dump())
        .run();
}

std::optional<upload> store::find_upload(const std::string& id) {
    storage::statement s(db_, "SELECT id, bucket, key, initiated_ms, meta FROM s3_uploads WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return upload{s.text(0), s.int64(1), s.text(2), s.int64(3), json::parse(s.text_view(4))};
}

std::vector<upload> store::uploads(std::int64_t bucket) {
    storage::statement s(db_,
                         "SELECT id, bucket, key, initiated_ms, meta FROM s3_uploads WHERE bucket = ? "
                         "ORDER BY key, initiated_ms, id");
    s.bind(1, bucket);
    std::vector<upload> out;
    while (s.step())
        out.push_back(upload{s.text(0), s.int64(1), s.text(2), s.int64(3), json::parse(s.text_view(4))});
    return out;
}

void store::delete_upload(const std::string& id) {
    storage::transaction t(db_);
    storage::statement(db_, "DELETE FROM s3_parts WHERE upload = ?").bind(1, id).run();
    storage::statement(db_, "DELETE FROM s3_uploads WHERE id = ?").bind(1, id).run();
    t.commit();
}

std::optional<std::string> store::put_part(const std::string& upload_id, const part& p) {
    std::optional<std::string> replaced;
    storage::transaction t(db_);
    {
        storage::statement old(db_, "DELETE FROM s3_parts WHERE upload = ? AND number = ? RETURNING blob");
        old.bind(1, upload_id).bind(2, p.number);
        if (old.step()) replaced = old.text(0);
    }
    storage::statement(db_,
                       "INSERT INTO s3_parts(upload, number, blob, size, etag, modified_ms, checksum) "
                       "VALUES(?, ?, ?, ?, ?, ?, ?)")
        .bind_all(upload_id, p.number, p.blob, p.size, p.etag, p.modified_ms, p.checksum.dump())
        .run();
    t.commit();
    return replaced;
}

std::vector<part> store::parts(const std::string& upload_id) {
    storage::statement s(db_,
                         "SELECT number, blob, size, etag, modified_ms, checksum FROM s3_parts "
                         "WHERE upload = ? ORDER BY number");
    s.bind(1, upload_id);
    std::vector<part> out;
    while (s.step())
        out.push_back(part{static_cast<int>(s.int64(0)), s.text(1), s.int64(2), s.text(3), s.int64(4),
                           json::parse(s.text_view(5))});
    return out;
}

bool store::blob_referenced(const std::string& blob) {
    storage::statement s(db_,
                         "SELECT 1 FROM s3_objects WHERE blob = ?1 UNION ALL "
                         "SELECT 1 FROM s3_parts WHERE blob = ?1 LIMIT 1");
    s.bind(1, blob);
    return s.step();
}

}  // namespace eddy::s3
