// SQS end to end through the dispatcher, as pipes and event source mappings use it.
#include "services/sqs/consumer.hpp"

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

namespace asio = boost::asio;
using eddy::json;

namespace {

struct fixture {
    asio::io_context io;
    eddy::storage::database db{":memory:"};
    eddy::system_clock clock;
    eddy::dispatcher calls;
    eddy::request_context ctx;

    fixture() {
        eddy::service_env env{db, clock, calls, io.get_executor()};
        eddy::sqs::register_handlers(env);
        ctx.account = "000000000000";
        ctx.region = "us-east-1";
        ctx.host = "localhost:4566";
        ctx.clock = &clock;
        ctx.calls = &calls;
    }

    std::string create(const std::string& name, json attributes = json::object()) {
        std::string url;
        asio::co_spawn(
            io,
            [](fixture& f, std::string name, json attributes, std::string& url) -> asio::awaitable<void> {
                json in = {{"QueueName", name}};
                if (!attributes.empty()) in["Attributes"] = attributes;
                url = (co_await f.calls.call(f.ctx, "sqs", "CreateQueue", in))["QueueUrl"];
            }(*this, name, attributes, url),
            asio::detached);
        io.run();
        io.restart();
        return url;
    }
};

asio::awaitable<void> send_later(fixture& f, std::string url, std::chrono::milliseconds after) {
    asio::steady_timer t(f.io, after);
    co_await t.async_wait(asio::use_awaitable);
    json input = {{"QueueUrl", url}, {"MessageBody", "late"}};  // (GCC 12 rejects a braced list inside co_await)
    co_await f.calls.call(f.ctx, "sqs", "SendMessage", std::move(input));
}

asio::awaitable<void> wait_for_one(fixture& f, std::string url, json& got, std::chrono::milliseconds& took) {
    eddy::sqs::consumer c(f.calls, f.ctx, url);
    auto start = std::chrono::steady_clock::now();
    got = co_await c.receive(10, 5);
    took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

asio::awaitable<void> round_trip(fixture& f, std::string url, json& first, json& again, json& deleted, json& after) {
    eddy::sqs::consumer c(f.calls, f.ctx, url);
    for (int i = 0; i < 3; ++i) {
        json input = {{"QueueUrl", url}, {"MessageBody", "m" + std::to_string(i)}};
        co_await f.calls.call(f.ctx, "sqs", "SendMessage", std::move(input));
    }
    first = co_await c.receive(10, 0, 30);
    std::vector<std::string> handles;
    for (auto& m : first)
        handles.push_back(m["ReceiptHandle"]);
    std::vector<std::string> released = {handles[0]};
    co_await c.release(released);
    again = co_await c.receive(10, 0);
    handles = {again[0]["ReceiptHandle"], first[1]["ReceiptHandle"], first[2]["ReceiptHandle"]};
    deleted = co_await c.remove(handles);
    json input = {{"QueueUrl", url}, {"AttributeNames", {"All"}}};
    after = co_await f.calls.call(f.ctx, "sqs", "GetQueueAttributes", std::move(input));
}

}  // namespace

TEST_CASE("a waiting receive is answered by a send, not by the end of its wait") {
    fixture f;
    auto url = f.create("waiting");
    json got;
    std::chrono::milliseconds took{};
    asio::co_spawn(f.io, wait_for_one(f, url, got, took), asio::detached);
    asio::co_spawn(f.io, send_later(f, url, std::chrono::milliseconds(100)), asio::detached);
    f.io.run();
    REQUIRE(got.size() == 1);
    CHECK(got[0]["Body"] == "late");
    CHECK(took.count() >= 90);
    CHECK(took.count() < 1000);
}

TEST_CASE("an empty wait ends after its wait time") {
    fixture f;
    auto url = f.create("empty");
    json got;
    std::chrono::milliseconds took{};
    asio::co_spawn(
        f.io,
        [](fixture& f, std::string url, json& got, std::chrono::milliseconds& took) -> asio::awaitable<void> {
            eddy::sqs::consumer c(f.calls, f.ctx, url);
            auto start = std::chrono::steady_clock::now();
            got = co_await c.receive(1, 1);
            took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        }(f, url, got, took),
        asio::detached);
    f.io.run();
    CHECK(got.empty());
    CHECK(took.count() >= 990);
    CHECK(took.count() < 1500);
}

TEST_CASE("the consumer receives, releases and deletes through the SQS operations") {
    fixture f;
    auto url = f.create("work");
    json first, again, deleted, after;
    asio::co_spawn(f.io, round_trip(f, url, first, again, deleted, after), asio::detached);
    f.io.run();
    REQUIRE(first.size() == 3);
    CHECK(first[0]["Attributes"]["ApproximateReceiveCount"] == "1");
    REQUIRE(again.size() == 1);  // only the released one is visible again
    CHECK(again[0]["MessageId"] == first[0]["MessageId"]);
    CHECK(again[0]["Attributes"]["ApproximateReceiveCount"] == "2");
    CHECK(again[0]["ReceiptHandle"] != first[0]["ReceiptHandle"]);
    CHECK(deleted["Successful"].size() == 3);
    CHECK(deleted["Failed"].empty());
    CHECK(after["Attributes"]["ApproximateNumberOfMessages"] == "0");
    CHECK(after["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "0");
}
