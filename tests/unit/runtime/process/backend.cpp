#include "runtime/process/backend.hpp"

#include "../run.hpp"
#include "runtime/process/images.hpp"
#include "runtime/runtime.hpp"

#include <doctest/doctest.h>

#include <unistd.h>
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>

namespace asio = boost::asio;
namespace rt = eddy::runtime;
using eddy::test::run;
using eddy::test::run_until;

namespace {

// What one container said and how it ended, in the order the callbacks came.
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
};

std::unique_ptr<rt::backend> make(asio::io_context& io) {
    return rt::process::make_backend(io.get_executor(), rt::process::parse_images("test/sh=/bin/sh"));
}

rt::container_spec shell(const std::string& name, const std::string& script) {
    rt::container_spec spec;
    spec.name = name;
    spec.image = "test/sh";  // :latest is implied, as Docker reads it
    spec.command = {"-c", script};
    return spec;
}

}  // namespace

TEST_CASE("process runtime: image map from EDDY_PROCESS_IMAGES, inline or from a file") {
    auto m = rt::process::parse_images("a/b=/bin/true, c:1.0=/bin/false\n# comment\n\n");
    CHECK(m.size() == 2);
    CHECK(m["a/b:latest"] == "/bin/true");
    CHECK(m["c:1.0"] == "/bin/false");
    CHECK(rt::process::normalize_image("localhost:5000/x") == "localhost:5000/x:latest");
    CHECK(rt::process::normalize_image("x@sha256:ab") == "x@sha256:ab");
    CHECK_THROWS_AS(rt::process::parse_images("novalue"), std::invalid_argument);
    CHECK_THROWS_AS(rt::process::parse_images("=/bin/true"), std::invalid_argument);
    CHECK_THROWS_AS(rt::process::parse_images("@/nonexistent/eddy-images"), std::invalid_argument);

    auto file = std::filesystem::temp_directory_path() / ("eddy-images-" + std::to_string(::getpid()));
    std::ofstream(file) << "# samples\neddy-samples/hello-task:latest = /bin/echo\n";
    auto f = rt::process::parse_images("@" + file.string());
    CHECK(f["eddy-samples/hello-task:latest"] == "/bin/echo");
    std::filesystem::remove(file);
}

TEST_CASE("process runtime: output lines per stream, then the exit code") {
    asio::io_context io;
    auto backend = make(io);
    CHECK(backend->kind() == "process");
    recorder r;
    auto spec = shell("t1", "echo hi; echo oops >&2; printf 'no newline'; exit 3");
    r.attach(spec);
    auto started = run(io, backend->start(std::move(spec)));
    CHECK(started.ip == "127.0.0.1");
    REQUIRE(run_until(io, [&] { return r.exit.has_value(); }));
    CHECK(r.exit->exit_code == 3);
    CHECK(r.out == std::vector<std::string>{"hi", "no newline"});
    CHECK(r.err == std::vector<std::string>{"oops"});
    CHECK_FALSE(r.output_after_exit);
    run(io, backend->remove(started.id));
    CHECK_THROWS_AS(run(io, backend->remove(started.id)), rt::error);
}

TEST_CASE("process runtime: the container's environment only, plus PATH and HOSTNAME") {
    ::setenv("EDDY_TEST_SECRET", "host-only", 1);
    asio::io_context io;
    auto backend = make(io);
    recorder r;
    auto spec = shell("envtask", "env | sort");
    spec.environment = {{"AWS_REGION", "eu-west-1"}, {"GREETING", "hello world"}};
    r.attach(spec);
    run(io, backend->start(std::move(spec)));
    REQUIRE(run_until(io, [&] { return r.exit.has_value(); }));
    CHECK(r.exit->exit_code == 0);
    auto has = [&](const std::string& line) { return std::find(r.out.begin(), r.out.end(), line) != r.out.end(); };
    CHECK(has("AWS_REGION=eu-west-1"));
    CHECK(has("GREETING=hello world"));
    CHECK(has("HOSTNAME=envtask"));
    CHECK_FALSE(has("EDDY_TEST_SECRET=host-only"));
    ::unsetenv("EDDY_TEST_SECRET");
}

TEST_CASE("process runtime: stop sends SIGTERM, and SIGKILL after the timeout") {
    asio::io_context io;
    auto backend = make(io);

    recorder polite;
    auto a = shell("polite", "trap 'echo got TERM; exit 143' TERM; echo ready; while :; do sleep 0.05; done");
    polite.attach(a);
    auto pa = run(io, backend->start(std::move(a)));
    REQUIRE(run_until(io, [&] { return !polite.out.empty(); }));
    auto t0 = std::chrono::steady_clock::now();
    run(io, backend->stop(pa.id, std::chrono::seconds(10)));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    REQUIRE(run_until(io, [&] { return polite.exit.has_value(); }));
    CHECK(polite.exit->exit_code == 143);
    CHECK(polite.out.back() == "got TERM");

    recorder stubborn;
    auto b = shell("stubborn", "trap '' TERM; echo ready; while :; do sleep 0.05; done");
    stubborn.attach(b);
    auto pb = run(io, backend->start(std::move(b)));
    REQUIRE(run_until(io, [&] { return !stubborn.out.empty(); }));
    t0 = std::chrono::steady_clock::now();
    run(io, backend->stop(pb.id, std::chrono::seconds(1)));
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(900));
    REQUIRE(run_until(io, [&] { return stubborn.exit.has_value(); }));
    CHECK(stubborn.exit->exit_code == 137);
}

TEST_CASE("process runtime: kill sends the signal asked for at once") {
    asio::io_context io;
    auto backend = make(io);
    recorder r;
    auto spec = shell("killed", "trap '' TERM; echo ready; while :; do sleep 0.05; done");
    r.attach(spec);
    auto started = run(io, backend->start(std::move(spec)));
    REQUIRE(run_until(io, [&] { return !r.out.empty(); }));
    run(io, backend->kill(started.id, SIGKILL));
    REQUIRE(run_until(
        io, [&] { return r.exit.has_value(); }, std::chrono::seconds(5)));
    CHECK(r.exit->exit_code == 137);
}

TEST_CASE("process runtime: an unmapped image is reported as missing, a bad entrypoint fails to start") {
    asio::io_context io;
    auto backend = make(io);
    CHECK(run(io, backend->image_exists("test/sh:latest")));
    CHECK_FALSE(run(io, backend->image_exists("eddy-samples/none:latest")));
    rt::container_spec spec;
    spec.name = "missing";
    spec.image = "eddy-samples/none:latest";
    try {
        run(io, backend->start(spec));
        FAIL("start of a missing image succeeded");
    } catch (const rt::error& e) {
        CHECK(e.what_kind() == rt::error::kind::image_not_found);
    }
    auto bad = shell("bad", "");
    bad.entry_point = {"/nonexistent/eddy-entrypoint"};
    try {
        run(io, backend->start(bad));
        FAIL("start of a nonexistent entrypoint succeeded");
    } catch (const rt::error& e) {
        CHECK(e.what_kind() == rt::error::kind::start_failed);
    }
}

TEST_CASE("process runtime: shutdown ends what is still running, without exit callbacks") {
    asio::io_context io;
    auto backend = make(io);
    recorder r;
    auto spec = shell("long", "echo ready; sleep 30");
    r.attach(spec);
    auto started = run(io, backend->start(std::move(spec)));
    REQUIRE(run_until(io, [&] { return !r.out.empty(); }));
    auto pid = std::stoi(started.id.substr(5));  // proc-<pid>-<n>
    run(io, backend->shutdown(std::chrono::seconds(2)));
    CHECK(::kill(pid, 0) != 0);  // reaped: no such process
    CHECK_FALSE(r.exit.has_value());
    CHECK_THROWS_AS(run(io, backend->stop(started.id, std::chrono::seconds(1))), rt::error);
}
