#include "services/logs/store.hpp"

#include <doctest/doctest.h>

#include <filesystem>

#include <unistd.h>

using namespace eddy;
using namespace eddy::logs;

namespace {

constexpr std::int64_t t0 = 1'780'000'000'000;

struct fixture {
    storage::database db{":memory:"};
    logs::store store{db};

    log_group group(std::string name = "/app/web") { return store.ensure_group("000000000000", "us-east-1", name, t0); }
    log_stream stream(const log_group& g, std::string name = "web/1") {
        store.create_stream(g.id, name, t0);
        return *store.find_stream(g.id, name);
    }
};

std::vector<std::string> messages(const std::vector<stored_event>& events) {
    std::vector<std::string> out;
    for (auto& e : events)
        out.push_back(e.message);
    return out;
}

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("logs store: groups are unique per account and region") {
    fixture f;
    log_group g;
    g.account = "000000000000";
    g.region = "us-east-1";
    g.name = "/a";
    g.created_ms = t0;
    CHECK(f.store.create_group(g, {{"team", "x"}}));
    CHECK_FALSE(f.store.create_group(g, {}));
    g.region = "eu-west-1";
    CHECK(f.store.create_group(g, {}));
    CHECK(f.store.groups("000000000000", "us-east-1").size() == 1);
    auto found = f.store.find_group("000000000000", "us-east-1", "/a");
    REQUIRE(found);
    CHECK(f.store.tags(found->id) == tag_map{{"team", "x"}});
    CHECK(found->log_class == "STANDARD");
    CHECK_FALSE(found->retention_days);
}

TEST_CASE("logs store: appends keep stream statistics and group bytes") {
    fixture f;
    auto g = f.group();
    auto s = f.stream(g);
    std::vector<input_event> batch = {{t0 + 5, "b"}, {t0 + 1, "aa"}, {t0 + 9, "ccc"}};
    CHECK(f.store.append(g.id, s.id, batch, t0 + 100) == 1);
    CHECK(f.store.append(g.id, s.id, std::span<const input_event>(batch).first(1), t0 + 200) == 2);
    auto after = *f.store.find_stream(g.id, "web/1");
    CHECK(after.first_event_ms == t0 + 1);
    CHECK(after.last_event_ms == t0 + 9);
    CHECK(after.last_ingestion_ms == t0 + 200);
    CHECK(after.sequence == 2);
    CHECK(f.store.find_group("000000000000", "us-east-1", "/app/web")->stored_bytes == 7);
    CHECK(f.store.append(g.id, s.id, {}, t0) == -1);
}

TEST_CASE("logs store: stream reads go forward and backward in time order") {
    fixture f;
    auto g = f.group();
    auto s = f.stream(g);
    std::vector<input_event> batch;
    for (int i = 0; i < 10; ++i)
        batch.push_back({t0 + i, "m" + std::to_string(i)});
    f.store.append(g.id, s.id, batch, t0);

    auto head = f.store.read_stream(s.id, {}, cursor::first(), true, 3, 1 << 20);
    CHECK(messages(head) == strings{"m0", "m1", "m2"});
    auto next = f.store.read_stream(s.id, {}, {head.back().timestamp_ms, head.back().id}, true, 3, 1 << 20);
    CHECK(messages(next) == strings{"m3", "m4", "m5"});
    auto tail = f.store.read_stream(s.id, {}, cursor::last(), false, 3, 1 << 20);
    CHECK(messages(tail) == strings{"m7", "m8", "m9"});
    auto before = f.store.read_stream(s.id, {}, {tail.front().timestamp_ms, tail.front().id}, false, 2, 1 << 20);
    CHECK(messages(before) == strings{"m5", "m6"});

    window w{t0 + 2, t0 + 4};  // start inclusive, end exclusive
    CHECK(messages(f.store.read_stream(s.id, w, cursor::first(), true, 100, 1 << 20)) == strings{"m2", "m3"});
    // The byte budget counts 26 bytes an event; one event always comes back.
    CHECK(f.store.read_stream(s.id, {}, cursor::first(), true, 100, 2 * 28).size() == 2);
    CHECK(f.store.read_stream(s.id, {}, cursor::first(), true, 100, 1).size() == 1);
}

TEST_CASE("logs store: events with equal timestamps keep their arrival order") {
    fixture f;
    auto g = f.group();
    auto s = f.stream(g);
    std::vector<input_event> batch = {{t0, "first"}, {t0, "second"}, {t0, "third"}};
    f.store.append(g.id, s.id, batch, t0);
    auto one = f.store.read_stream(s.id, {}, cursor::first(), true, 1, 1 << 20);
    auto two = f.store.read_stream(s.id, {}, {one[0].timestamp_ms, one[0].id}, true, 5, 1 << 20);
    CHECK(messages(one) == strings{"first"});
    CHECK(messages(two) == strings{"second", "third"});
}

TEST_CASE("logs store: group reads interleave streams by time") {
    fixture f;
    auto g = f.group();
    auto a = f.stream(g, "a");
    auto b = f.stream(g, "b");
    std::vector<input_event> ea = {{t0 + 1, "a1"}, {t0 + 3, "a3"}};
    std::vector<input_event> eb = {{t0 + 2, "b2"}, {t0 + 4, "b4"}};
    f.store.append(g.id, a.id, ea, t0);
    f.store.append(g.id, b.id, eb, t0);
    strings seen;
    f.store.read_group(g.id, {}, cursor::first(), [&](stored_event& e) {
        seen.push_back(e.message);
        return seen.size() < 3;
    });
    CHECK(seen == strings{"a1", "b2", "a3"});
}

TEST_CASE("logs store: deleting a stream or a group takes its events") {
    fixture f;
    auto g = f.group();
    auto a = f.stream(g, "a");
    auto b = f.stream(g, "b");
    std::vector<input_event> e = {{t0, "xxxx"}};
    f.store.append(g.id, a.id, e, t0);
    f.store.append(g.id, b.id, e, t0);
    CHECK(f.store.delete_stream(g.id, a.id));
    CHECK_FALSE(f.store.find_stream(g.id, "a"));
    CHECK(f.store.find_group("000000000000", "us-east-1", "/app/web")->stored_bytes == 4);
    int left = 0;
    f.store.read_group(g.id, {}, cursor::first(), [&](stored_event&) { return ++left, true; });
    CHECK(left == 1);
    // A writer still holding the deleted stream's ids stores nothing.
    CHECK(f.store.append(g.id, a.id, e, t0) == -1);
    int after = 0;
    f.store.read_group(g.id, {}, cursor::first(), [&](stored_event&) { return ++after, true; });
    CHECK(after == 1);
    CHECK(f.store.delete_group(g.id));
    CHECK_FALSE(f.store.find_group("000000000000", "us-east-1", "/app/web"));
    CHECK(f.store.read_stream(b.id, {}, cursor::first(), true, 10, 1 << 20).empty());
    CHECK(f.store.append(g.id, b.id, e, t0) == -1);
    // Ids are not reused: a new group and stream never answer to the old ones.
    auto g2 = f.group();
    auto b2 = f.stream(g2, "b");
    CHECK(g2.id != g.id);
    CHECK(b2.id != b.id);
    CHECK(f.store.append(g.id, b.id, e, t0) == -1);
}

TEST_CASE("logs store: retention removes what it no longer keeps") {
    fixture f;
    auto g = f.group();
    auto s = f.stream(g);
    const std::int64_t day = 24LL * 3600 * 1000;
    std::vector<input_event> e = {{t0 - 3 * day, "old"}, {t0 - 2 * day, "older-ish"}, {t0, "new"}};
    f.store.append(g.id, s.id, e, t0);
    CHECK(f.store.expire(t0) == 0);  // no retention: kept forever
    f.store.set_retention(g.id, 1);
    CHECK(f.store.find_group("000000000000", "us-east-1", "/app/web")->retention_days == 1);
    CHECK(f.store.expire(t0) == 2);
    CHECK(messages(f.store.read_stream(s.id, {}, cursor::first(), true, 10, 1 << 20)) == strings{"new"});
    CHECK(f.store.find_group("000000000000", "us-east-1", "/app/web")->stored_bytes == 3);
    f.store.set_retention(g.id, std::nullopt);
    CHECK_FALSE(f.store.find_group("000000000000", "us-east-1", "/app/web")->retention_days);
}

TEST_CASE("logs store: the in-process interface creates what is missing") {
    fixture f;
    CHECK_FALSE(f.store.ensure_stream("000000000000", "us-east-1", "/ecs/app", "task/1", t0));
    std::vector<input_event> e = {{t0, "hello"}};
    CHECK_FALSE(f.store.append("000000000000", "us-east-1", "/ecs/app", "task/1", e, t0));
    auto g = f.store.ensure_group("000000000000", "us-east-1", "/ecs/app", t0);
    CHECK(f.store.ensure_group("000000000000", "us-east-1", "/ecs/app", t0 + 5).id == g.id);
    auto s = f.store.ensure_stream("000000000000", "us-east-1", "/ecs/app", "task/1", t0);
    REQUIRE(s);
    CHECK(s->group_id == g.id);
    CHECK(f.store.ensure_stream("000000000000", "us-east-1", "/ecs/app", "task/1", t0)->id == s->id);
    CHECK(f.store.append("000000000000", "us-east-1", "/ecs/app", "task/1", e, t0));
    CHECK(messages(f.store.read_stream(s->id, {}, cursor::first(), true, 10, 1 << 20)) == strings{"hello"});
}

TEST_CASE("logs store: everything survives reopening the database") {
    auto dir = std::filesystem::temp_directory_path() / ("eddy-logs-store-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto path = (dir / "eddy.db").string();
    {
        storage::database db(path);
        logs::store store(db);
        auto g = store.ensure_group("000000000000", "us-east-1", "/kept", t0);
        store.set_retention(g.id, 30);
        auto s = store.ensure_stream("000000000000", "us-east-1", "/kept", "s", t0);
        std::vector<input_event> e = {{t0, "persisted"}};
        store.append(g.id, s->id, e, t0);
    }
    {
        storage::database db(path);
        logs::store store(db);
        auto g = store.find_group("000000000000", "us-east-1", "/kept");
        REQUIRE(g);
        CHECK(g->retention_days == 30);
        auto s = store.find_stream(g->id, "s");
        REQUIRE(s);
        CHECK(messages(store.read_stream(s->id, {}, cursor::first(), true, 10, 1 << 20)) == strings{"persisted"});
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("logs store: log group ARNs") {
    auto ref = parse_group_arn("arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/x:*");
    REQUIRE(ref);
    CHECK(ref->account == "123456789012");
    CHECK(ref->region == "eu-west-1");
    CHECK(ref->name == "/aws/vendedlogs/states/x");
    CHECK(parse_group_arn("arn:aws:logs:us-east-1:000000000000:log-group:plain")->name == "plain");
    CHECK_FALSE(parse_group_arn("arn:aws:sqs:us-east-1:000000000000:log-group:x"));
    CHECK_FALSE(parse_group_arn("arn:aws:logs:us-east-1:000000000000:destination:x"));
    CHECK_FALSE(parse_group_arn("arn:aws:logs:us-east-1:000000000000:log-group::*"));
    CHECK_FALSE(parse_group_arn("/not/an/arn"));
}
