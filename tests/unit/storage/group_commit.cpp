#include "storage/group_commit.hpp"

#include "crash_copy.hpp"

#include <doctest/doctest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <filesystem>

namespace asio = boost::asio;
using eddy::storage::database;
using eddy::storage::group_commit;
using eddy::storage::statement;

namespace {

// One request: joins the shared transaction, writes, waits until it is durable, then
// records what a restarted eddy would see were this one killed at that moment.
asio::awaitable<void> request(group_commit& commits, database& db, std::string path, int value,
                              std::int64_t& visible_after) {
    commits.join();
    statement insert(db, "INSERT INTO t(v) VALUES(?)");
    insert.bind(1, value).run();
    co_await commits.durable();
    visible_after = eddy::storage::testing::rows_after_a_crash(path);
}

}  // namespace

TEST_CASE("group commit: requests of one turn share a commit and are durable before they are answered") {
    auto dir = std::filesystem::temp_directory_path() / ("eddy-group-commit-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto path = (dir / "eddy.db").string();
    {
        asio::io_context io;
        database db(path);
        db.exec("CREATE TABLE t(v INTEGER)");
        group_commit commits(db, io.get_executor());
        std::int64_t first = -1, second = -1;
        asio::co_spawn(io, request(commits, db, path, 1, first), asio::detached);
        asio::co_spawn(io, request(commits, db, path, 2, second), asio::detached);
        io.run();
        // Both writes were committed together before either request went on.
        CHECK(first == 2);
        CHECK(second == 2);
        // Nothing is left open: a plain statement runs in autocommit mode again.
        CHECK(sqlite3_get_autocommit(db.handle()) != 0);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("a transaction inside a group commit is a savepoint of it") {
    asio::io_context io;
    database db(":memory:");
    db.exec("CREATE TABLE t(v INTEGER)");
    group_commit commits(db, io.get_executor());
    commits.join();
    {
        eddy::storage::transaction tx(db);
        db.exec("INSERT INTO t(v) VALUES(1)");
        // not committed: rolls back to the savepoint only
    }
    {
        eddy::storage::transaction tx(db);
        db.exec("INSERT INTO t(v) VALUES(2)");
        tx.commit();
    }
    CHECK(sqlite3_get_autocommit(db.handle()) == 0);  // the shared transaction is still open
    asio::co_spawn(
        io, [](group_commit& c) -> asio::awaitable<void> { co_await c.durable(); }(commits), asio::detached);
    io.run();
    statement s(db, "SELECT group_concat(v) FROM t");
    s.step();
    CHECK(s.text(0) == "2");
}

TEST_CASE("a failed group commit is rolled back, its requests hear of it, and the next batch commits") {
    asio::io_context io;
    database db(":memory:");
    db.exec("PRAGMA foreign_keys=ON");
    db.exec("CREATE TABLE parent(id INTEGER PRIMARY KEY)");
    // Checked at COMMIT: a child without its parent makes the commit itself fail.
    db.exec("CREATE TABLE child(parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)");
    group_commit commits(db, io.get_executor());
    auto write = [](group_commit& c, database& d, const char* sql, bool& failed) -> asio::awaitable<void> {
        c.join();
        d.exec(sql);
        try {
            co_await c.durable();
        } catch (const eddy::storage::sqlite_error&) {
            failed = true;
        }
    };
    bool first_failed = false, second_failed = false;
    asio::co_spawn(io, write(commits, db, "INSERT INTO child(parent) VALUES(7)", first_failed), asio::detached);
    io.run();
    CHECK(first_failed);
    CHECK(sqlite3_get_autocommit(db.handle()) != 0);  // rolled back, nothing left open
    io.restart();
    asio::co_spawn(io, write(commits, db, "INSERT INTO parent(id) VALUES(1)", second_failed), asio::detached);
    io.run();
    CHECK_FALSE(second_failed);
    statement s(db, "SELECT (SELECT count(*) FROM child), (SELECT count(*) FROM parent)");
    s.step();
    CHECK(s.int64(0) == 0);
    CHECK(s.int64(1) == 1);
}
