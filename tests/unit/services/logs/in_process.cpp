// CloudWatch Logs through the dispatcher and through the in-process store, as ECS's
// awslogs driver and Step Functions' logging use it, on a manual clock.
#include "core/aws_error.hpp"
#include "core/clock.hpp"
#include "services/logs/store.hpp"
#include "services/registry.hpp"
#include "storage/sqlite.hpp"

#include <doctest/doctest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>

namespace asio = boost::asio;
using eddy::json;

namespace {

constexpr std::int64_t hour = 3600 * 1000;
constexpr std::int64_t day = 24 * hour;

struct fixture {
    asio::io_context io;
    eddy::storage::database db{":memory:"};
    eddy::manual_clock clock;
    eddy::dispatcher calls;
    eddy::request_context ctx;
    std::shared_ptr<eddy::logs::store> logs;

    fixture() {
        eddy::service_env env{db, clock, calls, io.get_executor()};
        eddy::logs::register_handlers(env);
        logs = env.logs;
        ctx.account = "000000000000";
        ctx.region = "us-east-1";
        ctx.clock = &clock;
        ctx.calls = &calls;
    }

    json call(const std::string& op, json input) {
        json out;
        std::exception_ptr failure;
        asio::co_spawn(
            io,
            [](fixture& f, std::string op, json input, json& out) -> asio::awaitable<void> {
                out = co_await f.calls.call(f.ctx, "logs", op, std::move(input));
            }(*this, op, std::move(input), out),
            [&](std::exception_ptr e) { failure = e; });
        io.run();
        io.restart();
        if (failure) std::rethrow_exception(failure);
        return out;
    }

    std::string error_of(const std::string& op, json input) {
        try {
            call(op, std::move(input));
            return "";
        } catch (const eddy::aws_error& e) {
            return e.code + ": " + e.message();
        }
    }

    std::vector<std::string> messages(const std::string& group, const std::string& stream) {
        json in = {{"logGroupName", group}, {"logStreamName", stream}, {"startFromHead", true}};
        std::vector<std::string> out;
        auto r = call("GetLogEvents", in);
        for (auto& e : r["events"])
            out.push_back(e["message"].get<std::string>());
        return out;
    }

    json put(const std::string& group, const std::string& stream, std::vector<std::int64_t> timestamps) {
        json events = json::array();
        for (auto ts : timestamps)
            events.push_back({{"timestamp", ts}, {"message", "at " + std::to_string(ts - clock.now_ms())}});
        return call("PutLogEvents", {{"logGroupName", group}, {"logStreamName", stream}, {"logEvents", events}});
    }
};

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("logs in process: register_handlers hands out the store other services write to") {
    fixture f;
    REQUIRE(f.logs);
    auto now = f.clock.now_ms();
    CHECK_FALSE(f.logs->ensure_stream("000000000000", "us-east-1", "/ecs/app", "app/web/1", now));
    f.logs->ensure_group("000000000000", "us-east-1", "/ecs/app", now);
    REQUIRE(f.logs->ensure_stream("000000000000", "us-east-1", "/ecs/app", "app/web/1", now));
    std::vector<eddy::logs::input_event> lines = {{now, "listening on :8080"}, {now + 1, "GET / 200"}};
    CHECK(f.logs->append("000000000000", "us-east-1", "/ecs/app", "app/web/1", lines, now));
    CHECK(f.messages("/ecs/app", "app/web/1") == strings{"listening on :8080", "GET / 200"});
    auto groups = f.call("DescribeLogGroups", json::object())["logGroups"];
    REQUIRE(groups.size() == 1);
    CHECK(groups[0]["storedBytes"] == 27);
}

TEST_CASE("logs in process: PutLogEvents' time limits are exact") {
    fixture f;
    f.call("CreateLogGroup", {{"logGroupName", "/g"}});
    f.call("CreateLogStream", {{"logGroupName", "/g"}, {"logStreamName", "s"}});
    auto now = f.clock.now_ms();
    auto r = f.put("/g", "s", {now - 14 * day - 1, now - 14 * day});
    CHECK(r["rejectedLogEventsInfo"] == json{{"tooOldLogEventEndIndex", 1}});
    r = f.put("/g", "s", {now + 2 * hour, now + 2 * hour + 1});
    CHECK(r["rejectedLogEventsInfo"] == json{{"tooNewLogEventStartIndex", 1}});
    CHECK(f.messages("/g", "s").size() == 2);
    // 24 hours is the longest span a batch may have.
    CHECK(f.put("/g", "s", {now - 24 * hour, now}).contains("nextSequenceToken"));
    CHECK(f.error_of("PutLogEvents", {{"logGroupName", "/g"},
                                      {"logStreamName", "s"},
                                      {"logEvents",
                                       {{{"timestamp", now - 24 * hour - 1}, {"message", "a"}},
                                        {{"timestamp", now}, {"message", "b"}}}}}) ==
          "InvalidParameterException: The batch of log events in a single PutLogEvents request cannot span more than "
          "24 hours.");
    // Everything rejected still answers with a token, and stores nothing.
    r = f.put("/g", "s", {now + 3 * hour});
    CHECK(r["rejectedLogEventsInfo"] == json{{"tooNewLogEventStartIndex", 0}});
    CHECK(f.messages("/g", "s").size() == 4);
}

TEST_CASE("logs in process: retention follows the clock") {
    fixture f;
    f.call("CreateLogGroup", {{"logGroupName", "/g"}});
    f.call("CreateLogStream", {{"logGroupName", "/g"}, {"logStreamName", "s"}});
    auto start = f.clock.now_ms();
    f.put("/g", "s", {start});
    f.call("PutRetentionPolicy", {{"logGroupName", "/g"}, {"retentionInDays", 1}});
    f.clock.advance(std::chrono::hours(23));
    f.put("/g", "s", {f.clock.now_ms()});
    CHECK(f.messages("/g", "s").size() == 2);
    f.clock.advance(std::chrono::hours(2));  // the first event is now 25 hours old
    CHECK(f.messages("/g", "s") == strings{"at 0"});
    CHECK(f.call("FilterLogEvents", {{"logGroupName", "/g"}})["events"].size() == 1);
    auto groups = f.call("DescribeLogGroups", json::object())["logGroups"];
    CHECK(groups[0]["storedBytes"] == 4);
}

TEST_CASE("logs in process: model constraints come back as InvalidParameterException") {
    fixture f;
    CHECK(f.error_of("CreateLogGroup", {{"logGroupName", ""}}) ==
          "InvalidParameterException: 2 validation errors detected: Value '' at 'logGroupName' failed to satisfy "
          "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; Value '' at "
          "'logGroupName' failed to satisfy constraint: Member must have length greater than or equal to 1");
    CHECK(f.error_of("DescribeLogGroups", {{"limit", 0}}).starts_with("InvalidParameterException: "));
}
