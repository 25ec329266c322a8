#include "runtime/process/health.hpp"

#include "../run.hpp"
#include "runtime/process/backend.hpp"
#include "runtime/process/images.hpp"
#include "runtime/runtime.hpp"

#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <optional>

namespace asio = boost::asio;
namespace rt = eddy::runtime;
using eddy::test::run;
using eddy::test::run_until;
using std::chrono::seconds;

TEST_CASE("process runtime: health verdicts follow Docker's rules") {
    auto t0 = std::chrono::steady_clock::now();
    SUBCASE("retries failures in a row make it unhealthy; a pass makes it healthy again") {
        rt::process::health_state h(3, t0);
        CHECK_FALSE(h.record(false, t0 + seconds(1)));
        CHECK_FALSE(h.record(false, t0 + seconds(2)));
        CHECK(h.record(false, t0 + seconds(3)) == false);
        CHECK_FALSE(h.record(false, t0 + seconds(4)));  // no change, no report
        CHECK(h.record(true, t0 + seconds(5)) == true);
        CHECK_FALSE(h.record(false, t0 + seconds(6)));  // the streak starts again
        CHECK_FALSE(h.record(true, t0 + seconds(7)));
    }
    SUBCASE("failures in the start period do not count while starting") {
        rt::process::health_state h(1, t0 + seconds(10));
        CHECK_FALSE(h.record(false, t0 + seconds(5)));
        CHECK_FALSE(h.record(false, t0 + seconds(9)));
        CHECK(h.record(false, t0 + seconds(10)) == false);
    }
    SUBCASE("once healthy, failures in the start period count") {
        rt::process::health_state h(1, t0 + seconds(10));
        CHECK(h.record(true, t0 + seconds(1)) == true);
        CHECK(h.record(false, t0 + seconds(2)) == false);
    }
}

TEST_CASE("process runtime: a health check probe is a host process with the container's environment") {
    asio::io_context io;
    rt::health_check check;
    check.timeout = seconds(2);
    auto running = std::make_shared<pid_t>(-1);
    auto file = std::filesystem::temp_directory_path() / ("eddy-health-" + std::to_string(::getpid()));
    std::vector<std::string> env = {"HEALTH_FILE=" + file.string()};

    check.command = {"CMD-SHELL", "test -e \"$HEALTH_FILE\""};
    CHECK_FALSE(run(io, rt::process::run_probe(io.get_executor(), check, env, "/usr/bin:/bin", running)));
    std::ofstream(file) << "";
    CHECK(run(io, rt::process::run_probe(io.get_executor(), check, env, "/usr/bin:/bin", running)));
    std::filesystem::remove(file);

    check.command = {"CMD", "true"};  // found on the container's PATH
    CHECK(run(io, rt::process::run_probe(io.get_executor(), check, env, "/usr/bin:/bin", running)));
    check.command = {"CMD", "false"};
    CHECK_FALSE(run(io, rt::process::run_probe(io.get_executor(), check, env, "/usr/bin:/bin", running)));
    check.command = {"CMD", "/nonexistent/probe"};
    CHECK_FALSE(run(io, rt::process::run_probe(io.get_executor(), check, env, "/usr/bin:/bin", running)));

    // A probe that overruns its timeout fails, and is killed.
    check.command = {"CMD-SHELL", "sleep 30"};
    auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(run(io, rt::process::run_probe(io.get_executor(), check, env, "/usr/bin:/bin", running)));
    CHECK(std::chrono::steady_clock::now() - started < seconds(10));
    CHECK(*running == -1);
}

TEST_CASE("process runtime: a container's health check reports healthy, then unhealthy") {
    asio::io_context io;
    auto backend = rt::process::make_backend(io.get_executor(), rt::process::parse_images("test/sh=/bin/sh"));
    auto file = std::filesystem::temp_directory_path() / ("eddy-health-c-" + std::to_string(::getpid()));
    rt::container_spec spec;
    spec.name = "health";
    spec.image = "test/sh";
    // Healthy from its second second on, unhealthy from its fourth.
    spec.command = {"-c", "sleep 1.5; touch \"$HEALTH_FILE\"; sleep 2; rm \"$HEALTH_FILE\"; sleep 30"};
    spec.environment = {{"HEALTH_FILE", file.string()}};
    spec.health_check =
        rt::health_check{{"CMD-SHELL", "test -e \"$HEALTH_FILE\""}, seconds(1), seconds(2), 2, seconds(0)};
    std::vector<bool> verdicts;
    bool exited = false;
    spec.on_health = [&](bool healthy) { verdicts.push_back(healthy); };
    spec.on_exit = [&](const rt::exit_status&) { exited = true; };
    auto started = run(io, backend->start(std::move(spec)));
    REQUIRE(run_until(
        io, [&] { return verdicts.size() >= 2; }, seconds(20)));
    CHECK(verdicts == std::vector<bool>{true, false});
    run(io, backend->stop(started.id, seconds(1)));
    REQUIRE(run_until(io, [&] { return exited; }));
    run(io, backend->shutdown(seconds(1)));
    std::filesystem::remove(file);
}
