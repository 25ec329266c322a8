// The Docker backend against the real engine (tools/docker-engine starts one;
// tools/build-images builds eddy-samples/hello-task). Without an engine these
// cases say so and pass, unless EDDY_REQUIRE_DOCKER is set (tools/test sets it).
#include "../run.hpp"
#include "runtime/docker/backend.hpp"
#include "runtime/docker/client.hpp"
#include "runtime/docker/host.hpp"
#include "runtime/runtime.hpp"

#include <doctest/doctest.h>

#include <unistd.h>
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <optional>

namespace asio = boost::asio;
namespace rt = eddy::runtime;
namespace dk = eddy::runtime::docker;
using eddy::test::run;
using eddy::test::run_until;

namespace {

constexpr const char* hello = "eddy-samples/hello-task:latest";

dk::engine_address address() {
    const char* h = std::getenv("DOCKER_HOST");
    return dk::parse_docker_host(h ? h : "");
}

// True when the tests may talk to an engine that has the sample image.
bool engine_ready() {
    if (!dk::engine_answers(address(), std::chrono::seconds(2))) {
        if (std::getenv("EDDY_REQUIRE_DOCKER"))
            FAIL("no Docker engine answers at " << address().describe() << " (run tools/docker-engine)");
        MESSAGE("skipped: no Docker engine answers at " << address().describe() << " (tools/docker-engine starts one)");
        return false;
    }
    return true;
}

std::string instance(const char* what) {
    return std::string("unit-") + what + "-" + std::to_string(::getpid());
}

struct recorder {
    std::vector<std::string> out, err;
    std::optional<rt::exit_status> exit;
    bool output_after_exit = false;

    void attach(rt::container_spec& spec) {
        spec.on_output = [this](const rt::output_line& l) {
            if (exit) output_after_exit = true;
            (l.source == rt::stream::out ? out : err).push_back(l.text);
        };
        spec.on_exit = [this](const rt::exit_status& s) { exit = s; };
    }
    bool said(const std::string& line) const { return std::find(out.begin(), out.end(), line) != out.end(); }
};

rt::container_spec hello_spec(const std::string& name, std::vector<std::string> command) {
    rt::container_spec spec;
    spec.name = name;
    spec.image = hello;
    spec.command = std::move(command);
    return spec;
}

nlohmann::json inspect(asio::io_context& io, dk::engine_client& c, const std::string& what) {
    auto r = run(io, c.request("GET", what));
    return r.status == 200 ? r.json() : nlohmann::json();
}

}  // namespace

TEST_CASE("docker runtime: hello-task runs on eddy's network; its lines and exit code come back") {
    if (!engine_ready()) return;
    asio::io_context io;
    auto inst = instance("hello");
    auto backend = dk::make_backend(io.get_executor(), address(), inst);
    dk::engine_client client(io.get_executor(), address());
    REQUIRE_MESSAGE(run(io, backend->image_exists(hello)), "run tools/build-images first");

    auto net = run(io, backend->ensure_network());
    CHECK(net.name == "eddy-" + inst);
    CHECK_FALSE(net.gateway.empty());
    recorder r;
    // It sleeps a little so that it still has its address when start() reads it.
    auto spec = hello_spec(inst + "-a", {"3", "2"});
    spec.environment = {{"GREETING", "hello world"}, {"AWS_REGION", "us-east-1"}};
    spec.labels = {{"eddy.ecs.task", "arn:aws:ecs:us-east-1:000000000000:task/default/abc"}};
    spec.network_aliases = {"hello.local"};
    spec.memory_mib = 64;
    spec.cpu_shares = 256;
    r.attach(spec);
    auto started = run(io, backend->start(std::move(spec)));
    CHECK_FALSE(started.id.empty());
    // The address is on eddy's network (same /16 as its gateway here).
    CHECK(started.ip.substr(0, started.ip.find('.', started.ip.find('.') + 1)) ==
          net.gateway.substr(0, net.gateway.find('.', net.gateway.find('.') + 1)));

    REQUIRE(run_until(io, [&] { return r.exit.has_value(); }));
    CHECK(r.exit->exit_code == 3);
    CHECK_FALSE(r.exit->oom_killed);
    CHECK_FALSE(r.output_after_exit);
    CHECK(r.said("AWS_REGION=us-east-1"));
    CHECK(r.said("GREETING=hello world"));
    CHECK(std::is_sorted(r.out.begin(), r.out.end()));
    CHECK(r.err == std::vector<std::string>{"hello-task: exiting with 3 after 2 s"});

    // The labels that let a later run find it, beside the caller's own.
    auto c = inspect(io, client, "/containers/" + started.id + "/json");
    auto& labels = c["Config"]["Labels"];
    CHECK(labels.value("eddy.managed", "") == "true");
    CHECK(labels.value("eddy.instance", "") == inst);
    CHECK(labels.value("eddy.ecs.task", "") == "arn:aws:ecs:us-east-1:000000000000:task/default/abc");
    CHECK(c["HostConfig"].value("Memory", 0) == 64 * 1024 * 1024);
    CHECK(c["HostConfig"].value("CpuShares", 0) == 256);
    auto aliases = c["NetworkSettings"]["Networks"][net.name]["Aliases"];
    CHECK(std::find(aliases.begin(), aliases.end(), "hello.local") != aliases.end());
    auto n = inspect(io, client, "/networks/" + net.name);
    CHECK(n["Labels"].value("eddy.instance", "") == inst);
    CHECK(n["Labels"].value("eddy.managed", "") == "true");

    run(io, backend->shutdown(std::chrono::seconds(1)));
    CHECK(inspect(io, client, "/containers/" + started.id + "/json").is_null());
    CHECK(inspect(io, client, "/networks/" + net.name).is_null());
}

TEST_CASE("docker runtime: task networks are kept ready, joined by a task's containers, and removed") {
    if (!engine_ready()) return;
    asio::io_context io;
    auto inst = instance("tasknet");
    auto backend = dk::make_backend(io.get_executor(), address(), inst);
    dk::engine_client client(io.get_executor(), address());
    auto list_ready = [&] {
        auto filter = dk::url_encode(R"({"label":["eddy.instance=)" + inst + R"(","eddy.role=task-network"]})");
        return run(io, client.request("GET", "/containers/json?filters=" + filter)).json();
    };

    // warm_up() starts the sandboxes in the background, from the embedded eddy/pause image.
    backend->warm_up();
    REQUIRE(run_until(io, [&] { return list_ready().size() == 2; }));
    for (auto& c : list_ready())
        CHECK(c.value("Image", "").starts_with("eddy/pause:"));

    auto net = run(io, backend->ensure_network());
    auto taken = run(io, backend->open_task_network());
    CHECK_FALSE(taken.id.empty());
    auto sandbox = inspect(io, client, "/containers/" + taken.id + "/json");
    CHECK(sandbox["State"].value("Running", false));
    CHECK(sandbox["NetworkSettings"]["Networks"][net.name].value("IPAddress", "") == taken.ip);
    // The one taken is replaced at the next warm_up(): two stay ready beside it.
    CHECK(list_ready().size() == 2);
    backend->warm_up();
    REQUIRE(run_until(io, [&] { return list_ready().size() == 3; }));

    // Containers joined to it run in its namespace, with no endpoint of their own.
    recorder a, b;
    auto spec_a = hello_spec(inst + "-a", {"0", "2"});
    spec_a.task_network = taken.id;
    a.attach(spec_a);
    auto started = run(io, backend->start(std::move(spec_a)));
    CHECK(started.ip.empty());  // the address is the task network's
    auto c = inspect(io, client, "/containers/" + started.id + "/json");
    CHECK(c["HostConfig"].value("NetworkMode", "") == "container:" + taken.id);
    auto spec_b = hello_spec(inst + "-b", {"0", "0"});
    spec_b.task_network = taken.id;
    b.attach(spec_b);
    run(io, backend->start(std::move(spec_b)));
    REQUIRE(run_until(io, [&] { return a.exit.has_value() && b.exit.has_value(); }));
    CHECK(a.exit->exit_code == 0);
    CHECK(b.exit->exit_code == 0);

    // A ready one that dies is not handed out: the next one taken is another, running.
    std::string doomed;
    for (auto& c : list_ready())  // the running sandboxes: the one taken and two ready
        if (c.value("Id", "") != taken.id) doomed = c.value("Id", "");
    run(io, client.request("POST", "/containers/" + doomed + "/kill"));
    REQUIRE(run_until(io, [&] { return list_ready().size() == 2; }));
    auto next = run(io, backend->open_task_network());
    CHECK(next.id != doomed);
    CHECK(inspect(io, client, "/containers/" + next.id + "/json")["State"].value("Running", false));
    run(io, backend->close_task_network(next.id));

    run(io, backend->close_task_network(taken.id));
    CHECK(inspect(io, client, "/containers/" + taken.id + "/json").is_null());
    run(io, backend->shutdown(std::chrono::seconds(1)));
    CHECK(list_ready().empty());
    CHECK(inspect(io, client, "/networks/" + net.name).is_null());

    // A warm_up() that comes after shutdown (start-up finishing as a signal arrives)
    // makes nothing: no network, no sandbox, no stream keeping the loop busy.
    backend->warm_up();
    io.restart();
    io.run_for(std::chrono::seconds(2));
    CHECK(io.stopped());
    CHECK(list_ready().empty());
    CHECK(inspect(io, client, "/networks/" + net.name).is_null());
}

TEST_CASE("docker runtime: stop delivers SIGTERM, kill its signal; a missing image is detected") {
    if (!engine_ready()) return;
    asio::io_context io;
    auto inst = instance("stop");
    auto backend = dk::make_backend(io.get_executor(), address(), inst);

    recorder r;
    auto spec = hello_spec(inst + "-sleeper", {"0", "60"});
    r.attach(spec);
    auto started = run(io, backend->start(std::move(spec)));
    REQUIRE(run_until(io, [&] { return !r.err.empty(); }));  // it is up and sleeping
    auto t0 = std::chrono::steady_clock::now();
    run(io, backend->stop(started.id, std::chrono::seconds(10)));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    REQUIRE(run_until(io, [&] { return r.exit.has_value(); }));
    CHECK(r.exit->exit_code == 143);
    CHECK(r.out.back() == "hello-task: SIGTERM");

    // kill delivers its signal at once: SIGKILL ends a sleeper with 137.
    recorder k;
    auto killed = hello_spec(inst + "-killed", {"0", "60"});
    k.attach(killed);
    auto kid = run(io, backend->start(std::move(killed))).id;
    REQUIRE(run_until(io, [&] { return !k.err.empty(); }));
    run(io, backend->kill(kid, SIGKILL));
    REQUIRE(run_until(
        io, [&] { return k.exit.has_value(); }, std::chrono::seconds(10)));
    CHECK(k.exit->exit_code == 137);
    CHECK_FALSE(k.said("hello-task: SIGTERM"));

    CHECK_FALSE(run(io, backend->image_exists("eddy-samples/no-such-image:latest")));
    try {
        auto missing = hello_spec(inst + "-missing2", {});
        missing.image = "eddy-samples/no-such-image:latest";
        run(io, backend->start(std::move(missing)));
        FAIL("a container of a missing image started");
    } catch (const rt::error& e) {
        CHECK(e.what_kind() == rt::error::kind::image_not_found);
        CHECK(std::string(e.what()).find("No such image") != std::string::npos);
    }
    run(io, backend->shutdown(std::chrono::seconds(1)));
}

TEST_CASE("docker runtime: the engine's health checks become healthy and unhealthy verdicts") {
    if (!engine_ready()) return;
    asio::io_context io;
    auto inst = instance("health");
    auto backend = dk::make_backend(io.get_executor(), address(), inst);
    dk::engine_client client(io.get_executor(), address());
    auto check = rt::health_check{
        {"CMD", "/hello-task", "health"}, std::chrono::seconds(1), std::chrono::seconds(2), 1, std::chrono::seconds(0)};

    // hello-task's own check passes once it has made its health file, 2 s in; the start
    // period keeps the failures before that from counting.
    std::vector<bool> healthy_verdicts, never_verdicts;
    auto healthy = hello_spec(inst + "-healthy", {"0", "60"});
    healthy.environment = {{"HEALTH_FILE", "/healthy"}, {"HEALTHY_AFTER_SECONDS", "2"}};
    healthy.health_check = check;
    healthy.health_check->start_period = std::chrono::seconds(30);
    healthy.on_health = [&](bool h) { healthy_verdicts.push_back(h); };
    auto never = hello_spec(inst + "-never", {"0", "60"});
    never.environment = {{"HEALTH_FILE", "/healthy"}};
    never.health_check = check;
    never.on_health = [&](bool h) { never_verdicts.push_back(h); };
    auto h = run(io, backend->start(std::move(healthy)));
    run(io, backend->start(std::move(never)));

    auto c = inspect(io, client, "/containers/" + h.id + "/json");
    auto& hc = c["Config"]["Healthcheck"];
    CHECK(hc["Test"] == nlohmann::json({"CMD", "/hello-task", "health"}));
    CHECK(hc.value("Interval", 0LL) == 1'000'000'000LL);
    CHECK(hc.value("Timeout", 0LL) == 2'000'000'000LL);
    CHECK(hc.value("Retries", 0) == 1);
    CHECK(hc.value("StartPeriod", 0LL) == 30'000'000'000LL);
    REQUIRE(run_until(
        io, [&] { return !healthy_verdicts.empty() && !never_verdicts.empty(); }, std::chrono::seconds(30)));
    // A hello-task without the `health` mode never passes: the image must be this build's.
    CHECK_MESSAGE(healthy_verdicts == std::vector<bool>{true}, "is " << hello << " this build's? (tools/build-images)");
    CHECK(never_verdicts == std::vector<bool>{false});
    run(io, backend->shutdown(std::chrono::seconds(1)));
}

TEST_CASE("docker runtime: a new run finds and removes what an earlier one left behind") {
    if (!engine_ready()) return;
    asio::io_context io;
    auto inst = instance("reconcile");
    dk::engine_client client(io.get_executor(), address());
    std::string left_id, left_net;
    {
        // An earlier run that ends without shutdown (as after kill -9).
        auto earlier = dk::make_backend(io.get_executor(), address(), inst);
        left_net = run(io, earlier->ensure_network()).name;
        left_id = run(io, earlier->start(hello_spec(inst + "-left", {"0", "60"}))).id;
        auto other = dk::make_backend(io.get_executor(), address(), instance("bystander"));
        auto found = run(io, other->list_leftovers());
        CHECK(std::none_of(found.begin(), found.end(), [&](auto& l) { return l.id == left_id; }));
        // Its streams are dropped with it; the containers stay.
    }
    auto later = dk::make_backend(io.get_executor(), address(), inst);
    auto found = run(io, later->list_leftovers());
    auto container = std::find_if(found.begin(), found.end(), [&](auto& l) { return l.id == left_id; });
    REQUIRE(container != found.end());
    CHECK(container->what == rt::leftover::kind::container);
    CHECK(container->running);
    CHECK(container->name == inst + "-left");
    CHECK(container->labels.at("eddy.instance") == inst);
    CHECK(std::any_of(found.begin(), found.end(),
                      [&](auto& l) { return l.what == rt::leftover::kind::network && l.name == left_net; }));

    run(io, later->remove_leftovers());
    CHECK(inspect(io, client, "/containers/" + left_id + "/json").is_null());
    CHECK(inspect(io, client, "/networks/" + left_net).is_null());
    CHECK(run(io, later->list_leftovers()).empty());
}

// Not a pass/fail test: run `eddy_unit -tc='*latency*' --no-skip -s` (tools/bench-runtime).
TEST_CASE("docker runtime: create+start latency of hello-task" * doctest::skip()) {
    if (!engine_ready()) return;
    asio::io_context io;
    auto inst = instance("latency");
    auto backend = dk::make_backend(io.get_executor(), address(), inst);
    run(io, backend->ensure_network());
    std::vector<double> ms;
    for (int i = 0; i < 20; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        auto started = run(io, backend->start(hello_spec(inst + "-" + std::to_string(i), {"0", "5"})));
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        CHECK_FALSE(started.ip.empty());
    }
    std::sort(ms.begin(), ms.end());
    MESSAGE("create+start of hello-task over 20 runs: p50 " << ms[10] << " ms, min " << ms.front() << " ms, max "
                                                            << ms.back() << " ms");
    run(io, backend->shutdown(std::chrono::seconds(0)));
}
