// The in-process shard reader, as pipes and event source mappings use it:
// records put through the dispatcher come back in order with the sequence
// numbers PutRecord gave, a waiting reader wakes when a record arrives, and a
// split parent ends with its children named.
#include "services/kinesis/reader.hpp"

#include "core/aws_error.hpp"
#include "core/clock.hpp"
#include "services/registry.hpp"
#include "storage/sqlite.hpp"

#include <doctest/doctest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <functional>

namespace asio = boost::asio;
using eddy::json;
using eddy::kinesis::reader;

namespace {

const eddy::kinesis::stream_key stream_key{"000000000000", "us-east-1", "orders"};

struct fixture {
    asio::io_context io;
    eddy::storage::database db{":memory:"};
    eddy::system_clock clock;
    eddy::dispatcher calls;
    eddy::request_context ctx;

    fixture() {
        eddy::service_env env{db, clock, calls, io.get_executor()};
        eddy::kinesis::register_handlers(env);
        ctx.account = stream_key.account;
        ctx.region = stream_key.region;
        ctx.host = "localhost:4566";
        ctx.clock = &clock;
        ctx.calls = &calls;
        json in = {{"StreamName", stream_key.name}, {"ShardCount", 1}};
        call("CreateStream", in);
    }

    // Runs a coroutine on the loop to its end.
    void run(std::function<asio::awaitable<void>()> body) {
        asio::co_spawn(io, std::move(body), asio::detached);
        io.run();
        io.restart();
    }

    json call(const std::string& op, json in) {
        json out;
        run([&]() -> asio::awaitable<void> { out = co_await calls.call(ctx, "kinesis", op, std::move(in)); });
        return out;
    }

    std::string put(const std::string& data) {
        json in = {{"StreamName", stream_key.name}, {"PartitionKey", "p"}, {"Data", data}};
        return call("PutRecord", in)["SequenceNumber"];
    }
};

std::string error_code(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const eddy::aws_error& e) {
        return e.code;
    }
    return "";
}

}  // namespace

TEST_CASE("a reader returns the shard's records in order, with the sequence numbers PutRecord gave") {
    fixture f;
    std::vector<std::string> sent = {f.put("a"), f.put("b"), f.put("c")};
    reader r(f.calls, stream_key, "shardId-000000000000", {});
    reader::batch first, second, empty;
    f.run([&]() -> asio::awaitable<void> {
        first = co_await r.next(2, std::chrono::milliseconds(0));
        second = co_await r.next(10, std::chrono::milliseconds(0));
        empty = co_await r.next(10, std::chrono::milliseconds(0));
    });
    REQUIRE(first.records.size() == 2);
    CHECK(first.records[0].data == "a");
    CHECK(first.records[0].sequence_number == sent[0]);
    CHECK(first.records[0].partition_key == "p");
    CHECK(first.records[1].sequence_number == sent[1]);
    REQUIRE(second.records.size() == 1);
    CHECK(second.records[0].data == "c");
    CHECK(second.records[0].sequence_number == sent[2]);
    CHECK(empty.records.empty());
    CHECK_FALSE(empty.shard_ended);

    reader after(f.calls, stream_key, "shardId-000000000000", {"AFTER_SEQUENCE_NUMBER", sent[0], 0});
    reader latest(f.calls, stream_key, "shardId-000000000000", {"LATEST", "", 0});
    reader::batch from_after, from_latest;
    f.run([&]() -> asio::awaitable<void> {
        from_after = co_await after.next(10, std::chrono::milliseconds(0));
        from_latest = co_await latest.next(10, std::chrono::milliseconds(0));
    });
    REQUIRE(from_after.records.size() == 2);
    CHECK(from_after.records[0].data == "b");
    CHECK(from_latest.records.empty());
}

TEST_CASE("a waiting reader wakes when a record is put, and gives up when the wait ends") {
    fixture f;
    reader r(f.calls, stream_key, "shardId-000000000000", {"LATEST", "", 0});
    reader::batch got, nothing;
    std::chrono::milliseconds took{}, waited{};
    f.run([&]() -> asio::awaitable<void> {
        auto start = std::chrono::steady_clock::now();
        nothing = co_await r.next(10, std::chrono::milliseconds(50));
        waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    });
    CHECK(nothing.records.empty());
    CHECK(waited >= std::chrono::milliseconds(45));

    asio::co_spawn(
        f.io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer t(f.io, std::chrono::milliseconds(100));
            co_await t.async_wait(asio::use_awaitable);
            json in = {{"StreamName", stream_key.name}, {"PartitionKey", "p"}, {"Data", "late"}};
            co_await f.calls.call(f.ctx, "kinesis", "PutRecord", std::move(in));
        },
        asio::detached);
    f.run([&]() -> asio::awaitable<void> {
        auto start = std::chrono::steady_clock::now();
        got = co_await r.next(10, std::chrono::seconds(5));
        took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    });
    REQUIRE(got.records.size() == 1);
    CHECK(got.records[0].data == "late");
    CHECK(took < std::chrono::seconds(2));
}

TEST_CASE("a split parent, read to its end, names its children") {
    fixture f;
    f.put("before");
    reader r(f.calls, stream_key, "shardId-000000000000", {});
    json split = {{"StreamName", stream_key.name},
                  {"ShardToSplit", "shardId-000000000000"},
                  {"NewStartingHashKey", "170141183460469231731687303715884105728"}};
    f.call("SplitShard", split);
    reader::batch got;
    f.run([&]() -> asio::awaitable<void> { got = co_await r.next(10, std::chrono::milliseconds(0)); });
    if (!got.shard_ended) {  // the last records and the end may come in two batches
        CHECK(got.records.size() == 1);
        f.run([&]() -> asio::awaitable<void> { got = co_await r.next(10, std::chrono::milliseconds(0)); });
    }
    CHECK(got.shard_ended);
    CHECK(got.children == std::vector<std::string>{"shardId-000000000001", "shardId-000000000002"});
}

TEST_CASE("a reader refuses what GetShardIterator refuses") {
    fixture f;
    CHECK(error_code([&] { reader(f.calls, stream_key, "shardId-000000000009", {}); }) == "ResourceNotFoundException");
    CHECK(error_code([&] {
              reader(f.calls, {stream_key.account, stream_key.region, "nope"}, "shardId-000000000000", {});
          }) == "ResourceNotFoundException");
    CHECK(error_code([&] {
              reader(f.calls, stream_key, "shardId-000000000000", {"AT_SEQUENCE_NUMBER", "12", 0});
          }) == "InvalidArgumentException");

    reader r(f.calls, stream_key, "shardId-000000000000", {});
    json del = {{"StreamName", stream_key.name}};
    f.call("DeleteStream", del);
    std::string code;
    f.run([&]() -> asio::awaitable<void> {
        try {
            co_await r.next(10, std::chrono::milliseconds(0));
        } catch (const eddy::aws_error& e) {
            code = e.code;
        }
    });
    CHECK(code == "ResourceNotFoundException");
}
