#include "storage/sqlite.hpp"

#include "crash_copy.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <string>

using namespace eddy::storage;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed with everything in it.
struct temp_dir {
    fs::path path;
    temp_dir() {
        std::random_device rd;
        path = fs::temp_directory_path() / ("eddy-unit-sqlite-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::int64_t count(database& db, std::string_view table) {
    statement s(db, "SELECT count(*) FROM " + std::string(table));
    REQUIRE(s.step());
    return s.int64(0);
}

bool has_table(database& db, std::string_view name) {
    statement s(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    s.bind(1, name);
    return s.step();
}

}  // namespace

TEST_CASE("statement binds every type and reads the columns back") {
    database db(":memory:");
    CHECK(db.in_memory());
    db.exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)");
    statement insert(db, "INSERT INTO t VALUES (?, ?, ?, ?, ?)");
    const std::string blob("a\0b\xff", 4);
    insert.bind(1, std::int64_t{9'007'199'254'740'993})
        .bind(2, 2.5)
        .bind(3, std::string("héllo"))
        .bind_blob(4, blob)
        .bind_null(5)
        .run();
    CHECK(insert.changes() == 1);
    CHECK(db.last_insert_rowid() == 1);

    statement select(db, "SELECT i, r, s, b, n FROM t");
    REQUIRE(select.step());
    CHECK(select.int64(0) == 9'007'199'254'740'993);
    CHECK(select.real(1) == 2.5);
    CHECK(select.text(2) == "héllo");
    CHECK(select.text_view(2) == "héllo");
    CHECK(select.text(3) == blob);
    CHECK(select.is_null(4));
    CHECK_FALSE(select.is_null(0));
    CHECK(select.text(4).empty());
    CHECK_FALSE(select.step());
}

TEST_CASE("statement is reusable after reset, and bind_all numbers from 1") {
    database db("");
    CHECK(db.in_memory());
    db.exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)");
    statement insert(db, "INSERT INTO kv VALUES (?, ?)");
    for (int i = 0; i < 5; ++i)
        insert.bind_all("key" + std::to_string(i), i * 10).run();
    CHECK(count(db, "kv") == 5);

    statement select(db, "SELECT k, v FROM kv WHERE v >= ? ORDER BY v");
    select.bind(1, 20);
    std::vector<std::string> keys;
    while (select.step())
        keys.push_back(select.text(0));
    CHECK(keys == std::vector<std::string>{"key2", "key3", "key4"});
    select.reset();
    select.bind(1, 40);
    REQUIRE(select.step());
    CHECK(select.text(0) == "key4");
    CHECK(select.int64(1) == 40);
    CHECK_FALSE(select.step());

    statement update(db, "UPDATE kv SET v = v + 1 WHERE v < 25");
    update.run();
    CHECK(update.changes() == 3);
}

TEST_CASE("statement errors are sqlite_error") {
    database db(":memory:");
    CHECK_THROWS_AS(statement(db, "SELECT * FROM no_such_table"), sqlite_error);
    CHECK_THROWS_AS(db.exec("NOT SQL AT ALL"), sqlite_error);
    db.exec("CREATE TABLE u (k TEXT PRIMARY KEY)");
    statement insert(db, "INSERT INTO u VALUES (?)");
    insert.bind(1, "a").run();
    insert.bind(1, "a");
    try {
        insert.step();
        FAIL("a duplicate key must not insert");
    } catch (const sqlite_error& e) {
        CHECK((e.code & 0xff) == SQLITE_CONSTRAINT);
    }
}

TEST_CASE("statement can be moved") {
    database db(":memory:");
    statement a(db, "SELECT 42");
    statement b(std::move(a));
    REQUIRE(b.step());
    CHECK(b.int64(0) == 42);
}

TEST_CASE("transaction commits") {
    database db(":memory:");
    db.exec("CREATE TABLE t (x INTEGER)");
    {
        transaction tx(db);
        db.exec("INSERT INTO t VALUES (1)");
        db.exec("INSERT INTO t VALUES (2)");
        tx.commit();
    }
    CHECK(count(db, "t") == 2);
}

TEST_CASE("transaction rolls back when it ends without commit") {
    database db(":memory:");
    db.exec("CREATE TABLE t (x INTEGER)");
    db.exec("INSERT INTO t VALUES (0)");
    {
        transaction tx(db);
        db.exec("INSERT INTO t VALUES (1)");
        db.exec("DELETE FROM t WHERE x = 0");
        CHECK(count(db, "t") == 1);
    }
    CHECK(count(db, "t") == 1);
    statement s(db, "SELECT x FROM t");
    REQUIRE(s.step());
    CHECK(s.int64(0) == 0);

    SUBCASE("and when an exception leaves its scope") {
        try {
            transaction tx(db);
            db.exec("INSERT INTO t VALUES (5)");
            throw std::runtime_error("handler failed");
        } catch (const std::runtime_error&) {
        }
        CHECK(count(db, "t") == 1);
    }
    SUBCASE("and a new transaction can start afterwards") {
        transaction tx(db);
        db.exec("INSERT INTO t VALUES (7)");
        tx.commit();
        CHECK(count(db, "t") == 2);
    }
}

TEST_CASE("migrate applies each step once, and only new steps later") {
    database db(":memory:");
    CHECK(db.schema_version("sqs") == 0);
    std::vector<std::string_view> steps = {
        "CREATE TABLE queues (name TEXT PRIMARY KEY)",
        "INSERT INTO queues VALUES ('first')",
    };
    db.migrate("sqs", steps);
    CHECK(db.schema_version("sqs") == 2);
    CHECK(count(db, "queues") == 1);

    // Running the same steps again changes nothing: a second CREATE TABLE or INSERT would show.
    db.migrate("sqs", steps);
    CHECK(db.schema_version("sqs") == 2);
    CHECK(count(db, "queues") == 1);

    steps.push_back("ALTER TABLE queues ADD COLUMN created INTEGER");
    steps.push_back("INSERT INTO queues VALUES ('second', 5)");
    db.migrate("sqs", steps);
    CHECK(db.schema_version("sqs") == 4);
    CHECK(count(db, "queues") == 2);

    // versions are per service
    CHECK(db.schema_version("kinesis") == 0);
    db.migrate("kinesis", {"CREATE TABLE streams (name TEXT)"});
    CHECK(db.schema_version("kinesis") == 1);
    CHECK(db.schema_version("sqs") == 4);
}

TEST_CASE("migrate is all or nothing") {
    database db(":memory:");
    CHECK_THROWS_AS(db.migrate("svc", {"CREATE TABLE a (x)", "THIS IS NOT SQL"}), sqlite_error);
    CHECK(db.schema_version("svc") == 0);
    CHECK_FALSE(has_table(db, "a"));
    db.migrate("svc", {"CREATE TABLE a (x)"});
    CHECK(db.schema_version("svc") == 1);
    CHECK(has_table(db, "a"));
}

TEST_CASE("a file database uses WAL and keeps its data across reopen") {
    temp_dir dir;
    std::string path = (dir.path / "eddy.db").string();
    {
        database db(path);
        CHECK_FALSE(db.in_memory());
        {
            statement mode(db, "PRAGMA journal_mode");
            REQUIRE(mode.step());
            CHECK(mode.text(0) == "wal");
        }
        db.migrate("sqs", {"CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)"});
        transaction tx(db);
        statement(db, "INSERT INTO messages (body) VALUES (?)").bind(1, "kept").run();
        tx.commit();
    }
    CHECK(fs::exists(path));
    {
        database db(path);
        statement mode(db, "PRAGMA journal_mode");
        REQUIRE(mode.step());
        CHECK(mode.text(0) == "wal");
        CHECK(db.schema_version("sqs") == 1);
        statement s(db, "SELECT body FROM messages");
        REQUIRE(s.step());
        CHECK(s.text(0) == "kept");
        CHECK_FALSE(s.step());
    }
}

TEST_CASE("committed data is in the files on disk before the connection closes") {
    temp_dir dir;
    std::string path = (dir.path / "eddy.db").string();
    database writer(path);
    writer.exec("CREATE TABLE t (x INTEGER)");
    {
        transaction tx(writer);
        writer.exec("INSERT INTO t VALUES (1)");
        tx.commit();
    }
    CHECK(eddy::storage::testing::rows_after_a_crash(path) == 1);
}

TEST_CASE("a database file is held by one connection: a second is refused until the first closes") {
    temp_dir dir;
    std::string path = (dir.path / "eddy.db").string();
    {
        database first(path);
        first.exec("CREATE TABLE t (x INTEGER)");
        first.exec("INSERT INTO t VALUES (1)");
        try {
            database second(path);
            FAIL("a second connection opened a held database");
        } catch (const sqlite_error& e) {
            CHECK(e.code == SQLITE_BUSY);
            CHECK(std::string(e.what()).find("is in use by another process") != std::string::npos);
        }
        first.exec("INSERT INTO t VALUES (2)");  // the first goes on undisturbed
    }
    database again(path);
    CHECK(count(again, "t") == 2);
}

TEST_CASE("an in-memory database does not persist") {
    {
        database db(":memory:");
        db.exec("CREATE TABLE t (x INTEGER)");
        db.exec("INSERT INTO t VALUES (1)");
        statement mode(db, "PRAGMA journal_mode");
        REQUIRE(mode.step());
        CHECK(mode.text(0) == "memory");
    }
    database again(":memory:");
    CHECK_FALSE(has_table(again, "t"));
    CHECK(again.schema_version("sqs") == 0);
}

TEST_CASE("opening a database in a missing directory fails with sqlite_error") {
    temp_dir dir;
    CHECK_THROWS_AS(database((dir.path / "missing" / "eddy.db").string()), sqlite_error);
}
