#include "storage/sqlite.hpp"

namespace eddy::storage {

database::database(const std::string& path) : in_memory_(path.empty() || path == ":memory:") {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(in_memory_ ? ":memory:" : path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw sqlite_error(rc, "cannot open database " + path + ": " + msg);
    }
    if (!in_memory_) {
        // One eddy owns its data directory while it runs: the file stays locked from here
        // to close, so no transaction takes or drops a lock (an fcntl per durable SendMessage
        // before) and in WAL mode no shared-memory index is kept.
        // A second eddy on the same directory is refused here instead of diverging from it.
        sqlite3_busy_timeout(db_, 1000);  // an earlier eddy's exit may still be releasing it
        try {
            exec("PRAGMA locking_mode=EXCLUSIVE");
            // WAL: a committed transaction is in the log before COMMIT returns, so it survives
            // the process being killed; synchronous=NORMAL defers only the fsync, which matters
            // for power loss, not for a crash of eddy itself.
            exec("PRAGMA journal_mode=WAL");
            exec("PRAGMA synchronous=NORMAL");
            exec("BEGIN EXCLUSIVE");
            exec("COMMIT");
        } catch (const sqlite_error& e) {
            sqlite3_close(db_);
            db_ = nullptr;
            if (e.code != SQLITE_BUSY) throw;
            throw sqlite_error(e.code, path +
                                           " is in use by another process (another eddy with the same data "
                                           "directory?): eddy keeps it to itself while it runs");
        }
    }
    sqlite3_busy_timeout(db_, 5000);
    exec("PRAGMA foreign_keys=ON");
    exec("CREATE TABLE IF NOT EXISTS eddy_schema (service TEXT PRIMARY KEY, version INTEGER NOT NULL)");
}

database::~database() {
    if (db_) sqlite3_close_v2(db_);
}

void database::fail(int rc, std::string_view what) {
    throw sqlite_error(rc, std::string(what) + ": " + sqlite3_errmsg(db_));
}

void database::exec(std::string_view sql) {
    std::string text(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw sqlite_error(rc, msg + " in: " + text);
    }
}

int database::schema_version(std::string_view service) {
    statement s(*this, "SELECT version FROM eddy_schema WHERE service = ?");
    s.bind(1, service);
    return s.step() ? static_cast<int>(s.int64(0)) : 0;
}

void database::migrate(std::string_view service, const std::vector<std::string_view>& steps) {
    transaction tx(*this);
    int have = schema_version(service);
    for (int i = have; i < static_cast<int>(steps.size()); ++i)
        exec(steps[i]);
    if (have < static_cast<int>(steps.size())) {
        statement s(*this,
                    "INSERT INTO eddy_schema(service, version) VALUES(?, ?) "
                    "ON CONFLICT(service) DO UPDATE SET version = excluded.version");
        s.bind(1, service).bind(2, static_cast<std::int64_t>(steps.size())).run();
    }
    tx.commit();
}

statement::statement(database& db, std::string_view sql) : db_(&db) {
    int rc = sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) db.fail(rc, "prepare " + std::string(sql));
}

statement::~statement() {
    if (stmt_) sqlite3_finalize(stmt_);
}

statement& statement::bind(int index, std::int64_t value) {
    if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) db_->fail(rc, "bind");
    return *this;
}

statement& statement::bind(int index, double value) {
    if (int rc = sqlite3_bind_double(stmt_, index, value); rc != SQLITE_OK) db_->fail(rc, "bind");
    return *this;
}

statement& statement::bind(int index, std::string_view text) {
    int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK) db_->fail(rc, "bind");
    return *this;
}

statement& statement::bind_blob(int index, std::string_view bytes) {
    int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) db_->fail(rc, "bind");
    return *this;
}

statement& statement::bind_view(int index, std::string_view text) {
    int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
    if (rc != SQLITE_OK) db_->fail(rc, "bind");
    return *this;
}

statement& statement::bind_blob_view(int index, std::string_view bytes) {
    int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC);
    if (rc != SQLITE_OK) db_->fail(rc, "bind");
    return *this;
}

statement& statement::bind_null(int index) {
    if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) db_->fail(rc, "bind");
    return *this;
}

bool statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_->fail(rc, "step");
}

void statement::run() {
    while (step()) {
    }
    reset();
}

void statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool statement::is_null(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}
std::int64_t statement::int64(int col) const {
    return sqlite3_column_int64(stmt_, col);
}
double statement::real(int col) const {
    return sqlite3_column_double(stmt_, col);
}

std::string_view statement::text_view(int col) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_blob(stmt_, col));
    int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string_view(p, static_cast<std::size_t>(n)) : std::string_view();
}

std::string statement::text(int col) const {
    return std::string(text_view(col));
}

int statement::changes() const {
    return sqlite3_changes(db_->handle());
}

transaction::transaction(database& db) : db_(db), nested_(sqlite3_get_autocommit(db.handle()) == 0) {
    db_.exec(nested_ ? "SAVEPOINT eddy_tx" : "BEGIN IMMEDIATE");
}

transaction::~transaction() {
    if (!done_) {
        try {
            db_.exec(nested_ ? "ROLLBACK TO eddy_tx; RELEASE eddy_tx" : "ROLLBACK");
        } catch (...) {
        }
    }
}

void transaction::commit() {
    db_.exec(nested_ ? "RELEASE eddy_tx" : "COMMIT");
    done_ = true;
}

}  // namespace eddy::storage
