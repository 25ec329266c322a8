// eddy: a local emulator of AWS event pipelines. `eddy serve` runs the server.
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "http/server.hpp"
#include "runtime/runtime.hpp"
#include "services/dispatcher.hpp"
#include "services/registry.hpp"
#include "storage/group_commit.hpp"
#include "storage/sqlite.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <malloc.h>
#include <unistd.h>

namespace {

constexpr const char* usage = R"(eddy - AWS event pipelines on your machine

Usage:
  eddy serve [options]    run the emulator: every service on one port
  eddy --version          print the version
  eddy --help             print this text

Options of serve (each has an environment variable; the option wins):
  --host H         address to listen on (EDDY_HOST, default 127.0.0.1)
  --port P         port to listen on, 0 for any free one (EDDY_PORT, default 4566)
  --data-dir DIR   keep state in DIR/eddy.db, durable across restarts and
                   kill -9 (EDDY_DATA_DIR)
  --ephemeral      keep state in memory only; the default when no data dir is given
  --log-level L    debug, info, warn, error or off (EDDY_LOG_LEVEL, default info);
                   info logs one line per request
  --clock C        system, or manual: time starts at the machine's and moves only
                   when POST /_eddy/clock says {"advanceSeconds": n} (EDDY_CLOCK,
                   default system); for tests of retention, timeouts and Wait states
  --cors-origins O origins browsers may call eddy from, comma-separated, * for any,
                   empty for none (EDDY_CORS_ORIGINS, default *)
  --runtime R      where ECS tasks run: docker, process or auto (EDDY_RUNTIME,
                   default auto: docker when an engine answers at DOCKER_HOST or
                   /var/run/docker.sock, else host processes; EDDY_PROCESS_IMAGES
                   maps images to executables for those, see README.md)

Point a client at it:
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
  aws --endpoint-url http://localhost:4566 sqs create-queue --queue-name orders
  (SDKs: endpoint_url=http://localhost:4566, or AWS_ENDPOINT_URL)

The account is 000000000000, or the access key id when that is twelve digits;
the region is the one the request is signed for.
)";

struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 4566;
    std::string data_dir;
    bool ephemeral = false;
    eddy::log::level level = eddy::log::level::info;
    bool manual_clock = false;
    eddy::runtime::choice runtime = eddy::runtime::choice::automatic;
    std::vector<std::string> cors_origins = {"*"};
};

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "eddy: %s\n", message.c_str());
    std::exit(2);
}

std::uint16_t parse_port(std::string_view text, std::string_view what) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || p != text.data() + text.size() || value > 65535)
        die(std::string(what) + " must be a port number from 0 to 65535, not '" + std::string(text) + "'");
    return static_cast<std::uint16_t>(value);
}

options parse_serve(const std::vector<std::string>& args) {
    options o;
    if (auto* v = std::getenv("EDDY_HOST"); v && *v) o.host = v;
    if (auto* v = std::getenv("EDDY_PORT"); v && *v) o.port = parse_port(v, "EDDY_PORT");
    if (auto* v = std::getenv("EDDY_DATA_DIR"); v && *v) o.data_dir = v;
    if (auto* v = std::getenv("EDDY_LOG_LEVEL"); v && *v)
        if (!eddy::log::parse_level(v, o.level)) die("EDDY_LOG_LEVEL must be debug, info, warn, error or off");
    auto clock_mode = [&](std::string_view v, const char* what) {
        if (v != "system" && v != "manual") die(std::string(what) + " must be system or manual");
        o.manual_clock = v == "manual";
    };
    if (auto* v = std::getenv("EDDY_CLOCK"); v && *v) clock_mode(v, "EDDY_CLOCK");
    auto cors = [&](std::string_view v) {
        o.cors_origins.clear();
        for (auto& origin : eddy::split_list(v))
            if (!origin.empty()) o.cors_origins.push_back(origin);
    };
    if (auto* v = std::getenv("EDDY_CORS_ORIGINS")) cors(v);
    if (auto* v = std::getenv("EDDY_RUNTIME"); v && *v)
        if (!eddy::runtime::parse_choice(v, o.runtime)) die("EDDY_RUNTIME must be docker, process or auto");
    bool data_dir_flag = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const char* name) -> std::string {
            auto eq = a.find('=');
            if (eq != std::string::npos) return a.substr(eq + 1);
            if (i + 1 >= args.size()) die(std::string(name) + " needs a value (see eddy --help)");
            return args[++i];
        };
        auto is = [&](const char* name) { return a == name || a.rfind(std::string(name) + "=", 0) == 0; };
        if (is("--host"))
            o.host = value("--host");
        else if (is("--port"))
            o.port = parse_port(value("--port"), "--port");
        else if (is("--data-dir")) {
            o.data_dir = value("--data-dir");
            data_dir_flag = true;
        } else if (a == "--ephemeral")
            o.ephemeral = true;
        else if (is("--log-level")) {
            if (!eddy::log::parse_level(value("--log-level"), o.level))
                die("--log-level must be debug, info, warn, error or off");
        } else if (is("--clock")) {
            clock_mode(value("--clock"), "--clock");
        } else if (is("--cors-origins")) {
            cors(value("--cors-origins"));
        } else if (is("--runtime")) {
            if (!eddy::runtime::parse_choice(value("--runtime"), o.runtime))
                die("--runtime must be docker, process or auto");
        } else if (a == "--help" || a == "-h") {
            std::fputs(usage, stdout);
            std::exit(0);
        } else
            die("unknown option '" + a + "' (see eddy --help)");
    }
    if (o.ephemeral && data_dir_flag) die("--data-dir and --ephemeral exclude each other: choose one");
    if (o.ephemeral) o.data_dir.clear();
    return o;
}

boost::asio::awaitable<void> start_up(eddy::dispatcher& calls, eddy::runtime::backend& runtime) {
    co_await calls.start();
    try {
        co_await runtime.remove_leftovers();
    } catch (const std::exception& x) {
        eddy::log::warn(std::string("runtime: cannot remove leftovers of earlier runs: ") + x.what());
    }
    calls.ready();
}

// A filling queue asks the kernel for a fresh heap page every few messages, and each is a
// page fault: on a virtual machine those cost SendMessage a tenth of its time. With the
// tunable glibc.malloc.hugetlb=1, malloc advises transparent huge pages for the heap
// instead, where the system leaves them to madvise. Tunables are read as a program starts,
// so serve sets the variable and runs itself again, once (the same process), then clears
// it from its environment. A GLIBC_TUNABLES the user set is left alone (set it, even empty,
// to run eddy under valgrind, which does not follow the exec).
void prefer_huge_pages(char** argv) {
    constexpr const char* marker = "EDDY_MALLOC_TUNED";
    if (std::getenv(marker)) {
        unsetenv(marker);
        unsetenv("GLIBC_TUNABLES");
        return;
    }
    if (std::getenv("GLIBC_TUNABLES")) return;
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return;
    setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1);
    setenv(marker, "1", 1);
    execv(self.c_str(), argv);
    unsetenv("GLIBC_TUNABLES");  // no exec: malloc's defaults, then
    unsetenv(marker);
}

int serve(const options& o) {
    eddy::log::set_level(o.level);
    // The event loop allocates and frees in bursts (a Map's iterations, a batch of records):
    // glibc's default trims the heap back to the kernel after each burst and faults the pages
    // in again on the next one, which cost Step Functions a third of its time. Keep the memory.
    // (Padding the heap or raising the mmap threshold as well made durable PutRecords slower.)
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
    std::string db_path;
    if (!o.data_dir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(o.data_dir, ec);
        if (ec) die("cannot create data directory " + o.data_dir + ": " + ec.message());
        db_path = (std::filesystem::path(o.data_dir) / "eddy.db").string();
    }
    // One thread runs everything, so Asio may skip its internal locking.
    boost::asio::io_context io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO);
    eddy::system_clock system_clock;
    std::optional<eddy::manual_clock> manual_clock;
    if (o.manual_clock) manual_clock.emplace(system_clock.now_ms());
    const eddy::clock& clock = manual_clock ? static_cast<const eddy::clock&>(*manual_clock) : system_clock;
    std::optional<eddy::storage::database> db;
    try {
        db.emplace(db_path);
    } catch (const std::exception& e) {
        die(e.what());
    }
    eddy::dispatcher calls;
    // The runtime's containers carry the instance label: a restart on the same port
    // finds and removes what an earlier run (even a killed one) left behind.
    eddy::runtime::config runtime_config;
    runtime_config.instance = o.port ? "port-" + std::to_string(o.port) : "pid-" + std::to_string(::getpid());
    if (auto* v = std::getenv("DOCKER_HOST")) runtime_config.docker_host = v;
    if (auto* v = std::getenv("EDDY_PROCESS_IMAGES")) runtime_config.process_images = v;
    std::unique_ptr<eddy::runtime::backend> runtime;
    try {
        runtime = eddy::runtime::make_backend(o.runtime, runtime_config, io.get_executor());
    } catch (const std::exception& e) {
        die(e.what());
    }
    eddy::service_env env{*db, clock, calls, io.get_executor(), runtime.get()};
    env.data_dir = o.data_dir;
    eddy::register_services(env);

    eddy::http::server_config config;
    config.host = o.host;
    config.port = o.port;
    if (!o.data_dir.empty()) config.spool_dir = (std::filesystem::path(o.data_dir) / "s3" / "tmp").string();
    config.cors_origins = o.cors_origins;
    if (manual_clock) config.manual = &*manual_clock;
    std::optional<eddy::storage::group_commit> commits;
    if (!db->in_memory()) {
        commits.emplace(*db, io.get_executor());
        config.commits = &*commits;
    }
    eddy::http::server server(io, config, calls, clock);
    try {
        server.start();
    } catch (const std::exception& e) {
        die(e.what());
    }
    std::printf("eddy %s listening on http://%s:%u (%s; containers: %s)\n", EDDY_VERSION, o.host.c_str(), server.port(),
                db_path.empty() ? "ephemeral: state is kept in memory" : ("state in " + db_path).c_str(),
                std::string(runtime->kind()).c_str());
    std::fflush(stdout);
    calls.set_port(server.port());
    // Containers reach eddy at their network's gateway: once a service has made that
    // network (the first task), eddy listens there too, unless --host already covers it.
    calls.set_listener([&server, &o, done = std::set<std::string>()](const std::string& gateway) mutable {
        if (gateway.empty() || gateway == o.host || o.host == "0.0.0.0" || o.host == "::") return;
        if (!done.insert(gateway).second) return;
        try {
            server.listen_also(gateway);
            eddy::log::info("containers reach eddy at http://" + gateway + ":" + std::to_string(server.port()));
        } catch (const std::exception& x) {
            eddy::log::warn(std::string("containers cannot reach eddy: ") + x.what());
        }
    });
    // Services reconcile their persisted state with what an earlier run left (ECS asks
    // which of its containers still run); then those leftovers go, before any task starts.
    boost::asio::co_spawn(io, start_up(calls, *runtime), [](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            eddy::log::warn(std::string("start-up: ") + x.what());
        }
    });

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    boost::asio::steady_timer deadline(io);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        eddy::log::info(std::string("shutting down on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
        calls.stop();
        // The server and the runtime (stopping and removing its containers) end side by side.
        auto finished = std::make_shared<int>(2);
        auto one_done = [&, finished] {
            if (--*finished > 0) return;
            deadline.cancel();
            signals.cancel();
        };
        server.stop(one_done);
        boost::asio::co_spawn(io, runtime->shutdown(std::chrono::seconds(5)),
                              [one_done](std::exception_ptr) { one_done(); });
        // Requests in flight get ten seconds to finish; then the loop is stopped regardless.
        deadline.expires_after(std::chrono::seconds(10));
        deadline.async_wait([&](const boost::system::error_code& e) {
            if (!e) io.stop();
        });
        signals.async_wait([&](const boost::system::error_code& e2, int) {
            if (!e2) io.stop();
        });
    });
    io.run();
    runtime.reset();
    db.reset();
    eddy::log::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::fputs(usage, args.empty() ? stderr : stdout);
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version" || args[0] == "version") {
        std::printf("eddy %s\n", EDDY_VERSION);
        return 0;
    }
    if (args[0] == "serve") {
        auto o = parse_serve({args.begin() + 1, args.end()});
        prefer_huge_pages(argv);
        return serve(o);
    }
    die("unknown command '" + args[0] + "' (see eddy --help)");
}
