// ECS through the dispatcher without a container runtime, on a manual clock:
// what persists across a restart (task definitions and their revision numbers,
// clusters) and how a task left RUNNING by an earlier run is reconciled.
#include "core/aws_error.hpp"
#include "core/clock.hpp"
#include "services/ecs/store.hpp"
#include "services/registry.hpp"
#include "storage/sqlite.hpp"

#include <doctest/doctest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>

namespace asio = boost::asio;
using eddy::json;

namespace {

// One eddy "run": its own dispatcher and services over a database that outlives it.
struct run {
    asio::io_context& io;
    eddy::dispatcher calls;
    eddy::request_context ctx;

    run(asio::io_context& io_, eddy::storage::database& db, const eddy::clock& clock) : io(io_) {
        eddy::service_env env{db, clock, calls, io.get_executor()};
        eddy::logs::register_handlers(env);
        eddy::ecs::register_handlers(env);
        ctx.account = "000000000000";
        ctx.region = "us-east-1";
        ctx.clock = &clock;
        ctx.calls = &calls;
    }

    void drive(asio::awaitable<void> work) {
        std::exception_ptr failure;
        asio::co_spawn(io, std::move(work), [&](std::exception_ptr e) { failure = e; });
        io.run();
        io.restart();
        if (failure) std::rethrow_exception(failure);
    }

    json call(const std::string& op, json input) {
        json out;
        drive([](run& r, std::string op, json input, json& out) -> asio::awaitable<void> {
            out = co_await r.calls.call(r.ctx, "ecs", op, std::move(input));
        }(*this, op, std::move(input), out));
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
};

json hello_definition(const std::string& family) {
    json containers = json::array({{{"name", "app"}, {"image", "eddy-samples/hello-task:latest"}, {"memory", 128}}});
    return {{"family", family}, {"containerDefinitions", containers}};
}

}  // namespace

TEST_CASE("ecs: task definitions and clusters survive a restart; revisions continue") {
    asio::io_context io;
    eddy::storage::database db{":memory:"};
    eddy::manual_clock clock;
    {
        run first(io, db, clock);
        first.call("RegisterTaskDefinition", hello_definition("web"));
        first.call("CreateCluster", {{"clusterName", "orders"}});
    }
    run second(io, db, clock);
    auto td = second.call("DescribeTaskDefinition", {{"taskDefinition", "web"}});
    CHECK(td["taskDefinition"]["revision"] == 1);
    auto next = second.call("RegisterTaskDefinition", hello_definition("web"));
    CHECK(next["taskDefinition"]["revision"] == 2);
    auto clusters = second.call("ListClusters", json::object());
    CHECK(clusters["clusterArns"] == json::array({"arn:aws:ecs:us-east-1:000000000000:cluster/default",
                                                  "arn:aws:ecs:us-east-1:000000000000:cluster/orders"}));
}

TEST_CASE("ecs: RunTask without a container runtime is the service's fault, after the caller's errors") {
    asio::io_context io;
    eddy::storage::database db{":memory:"};
    eddy::manual_clock clock;
    run r(io, db, clock);
    CHECK(r.error_of("RunTask", {{"taskDefinition", "web"}}) == "ClientException: TaskDefinition not found.");
    r.call("RegisterTaskDefinition", hello_definition("web"));
    CHECK(r.error_of("RunTask", {{"taskDefinition", "web"}, {"cluster", "nope"}}) ==
          "ClusterNotFoundException: Cluster not found.");
    CHECK(r.error_of("RunTask", {{"taskDefinition", "web"}}) ==
          "ServerException: eddy runs without a container runtime.");
}

TEST_CASE("ecs: a task an earlier run left RUNNING is STOPPED at start-up, saying why") {
    asio::io_context io;
    eddy::storage::database db{":memory:"};
    eddy::manual_clock clock;
    const std::string arn = "arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef";
    {
        run first(io, db, clock);
        first.call("RegisterTaskDefinition", hello_definition("web"));
        eddy::ecs::store tasks(db);
        json task = {{"taskArn", arn},
                     {"clusterArn", "arn:aws:ecs:us-east-1:000000000000:cluster/default"},
                     {"taskDefinitionArn", "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1"},
                     {"lastStatus", "RUNNING"},
                     {"desiredStatus", "RUNNING"},
                     {"createdAt", clock.now_seconds()},
                     {"attachments", json::array()},
                     {"containers", json::array({{{"name", "app"}, {"lastStatus", "RUNNING"}}})}};
        tasks.put("task", arn, task);
    }
    run second(io, db, clock);
    auto before = second.call("DescribeTasks", {{"tasks", {arn}}});
    CHECK(before["tasks"][0]["lastStatus"] == "RUNNING");  // not reconciled until start-up runs
    second.drive(second.calls.start());
    auto after = second.call("DescribeTasks", {{"tasks", {arn}}});
    auto& task = after["tasks"][0];
    CHECK(task["lastStatus"] == "STOPPED");
    CHECK(task["desiredStatus"] == "STOPPED");
    CHECK(task["stopCode"] == "TerminationNotice");
    CHECK(task["stoppedReason"] ==
          "Task stopped because eddy restarted while it ran; its containers were no longer running");
    CHECK(task["containers"][0]["lastStatus"] == "STOPPED");
    CHECK(task.contains("stoppedAt"));
    auto listed = second.call("ListTasks", json::object());
    CHECK(listed["taskArns"].empty());
}
