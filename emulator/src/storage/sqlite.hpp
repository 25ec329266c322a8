#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eddy::storage {

struct sqlite_error : std::runtime_error {
    int code;
    sqlite_error(int code_, const std::string& what) : std::runtime_error(what), code(code_) {}
};

class database;

// A prepared statement. Bind with 1-based indexes, step, read columns with
// 0-based ones; reset() makes it reusable. Owned by one thread at a time.
class statement {
  public:
    statement(database& db, std::string_view sql);
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;
    statement(statement&& other) noexcept : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
    ~statement();

    statement& bind(int index, std::int64_t value);
    statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    statement& bind(int index, double value);
    statement& bind(int index, std::string_view text);
    statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    statement& bind_blob(int index, std::string_view bytes);
    // Without SQLite's copy, for a statement run at once: the bytes must stay alive and
    // unchanged until run() or reset() (which also drop them).
    statement& bind_view(int index, std::string_view text);
    statement& bind_blob_view(int index, std::string_view bytes);
    statement& bind_null(int index);
    template <typename... Args>
    statement& bind_all(Args&&... args) {
        int i = 0;
        (bind(++i, std::forward<Args>(args)), ...);
        return *this;
    }

    // True while a row is available; false when done. Throws sqlite_error on failure.
    bool step();
    // Runs to completion (for statements that return no rows).
    void run();
    void reset();

    bool is_null(int col) const;
    std::int64_t int64(int col) const;
    double real(int col) const;
    std::string text(int col) const;
    std::string_view text_view(int col) const;  // valid until the next step or reset

    int changes() const;

  private:
    database* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// One SQLite connection. A data directory gives a durable WAL database; no
// directory gives a private in-memory one. Lives for the whole server, used
// only from the server's event loop thread.
class database {
  public:
    // `path` empty or ":memory:" opens an in-memory database.
    explicit database(const std::string& path);
    database(const database&) = delete;
    database& operator=(const database&) = delete;
    ~database();

    void exec(std::string_view sql);
    sqlite3* handle() { return db_; }
    bool in_memory() const { return in_memory_; }
    std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

    // Applies, in order, the steps of `service`'s schema that this database has not seen yet.
    // A step once shipped never changes; new schema comes as a new step.
    void migrate(std::string_view service, const std::vector<std::string_view>& steps);
    int schema_version(std::string_view service);

    [[noreturn]] void fail(int rc, std::string_view what);

  private:
    sqlite3* db_ = nullptr;
    bool in_memory_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed before it ends. Inside a
// transaction already open (a group commit's) it is a savepoint of that one instead.
class transaction {
  public:
    explicit transaction(database& db);
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    ~transaction();
    void commit();

  private:
    database& db_;
    bool nested_;
    bool done_ = false;
};

}  // namespace eddy::storage
