#include "runtime/process/backend.hpp"

#include "core/log.hpp"
#include "runtime/event.hpp"
#include "runtime/lines.hpp"
#include "runtime/process/child.hpp"
#include "runtime/process/health.hpp"
#include "runtime/process/images.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>

extern char** environ;

// GCC 12 misreads Asio's recycled coroutine frames (aligned_alloc, then the frame's
// own operator delete) as a mismatched pair once these coroutines are inlined.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace eddy::runtime::process {

namespace asio = boost::asio;

namespace {

// One running (or ended, not yet removed) process.
struct proc {
    explicit proc(asio::any_io_executor ex)
        : pidfd(ex), out(ex), err(ex), kill_timer(ex), health_timer(ex), ended(ex) {}
    std::string id;
    std::string name;
    pid_t pid = -1;
    asio::posix::stream_descriptor pidfd, out, err;
    asio::steady_timer kill_timer;
    asio::steady_timer health_timer;  // the wait between two probes
    event ended;                      // set once the process has been reaped
    std::chrono::seconds stop_timeout{30};
    std::function<void(const output_line&)> on_output;
    std::function<void(const exit_status&)> on_exit;
    std::optional<health_check> health;
    std::function<void(bool)> on_health;
    std::vector<std::string> environment;  // for the probes, which see what the container sees
    std::string path;
    std::shared_ptr<pid_t> probe = std::make_shared<pid_t>(-1);  // the probe running now, if any
    int pipes_open = 2;
    bool reported = false;
    bool removed = false;
    int exit_code = -1;
};

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> p;
    for (auto& s : strings)
        p.push_back(s.data());
    p.push_back(nullptr);
    return p;
}

class process_backend final : public backend {
  public:
    process_backend(asio::any_io_executor ex, std::map<std::string, std::string> images)
        : ex_(std::move(ex)), images_(std::move(images)) {}

    std::string_view kind() const override { return "process"; }

    asio::awaitable<network_info> ensure_network() override {
        network_info n;
        n.name = "host";
        n.gateway = "127.0.0.1";
        n.subnet = "127.0.0.0/8";
        co_return n;
    }

    // Host processes share the host's network: a task's address is loopback.
    void warm_up() override {}
    asio::awaitable<task_network> open_task_network() override { co_return task_network{"", "127.0.0.1"}; }
    asio::awaitable<void> close_task_network(std::string) override { co_return; }

    asio::awaitable<bool> image_exists(std::string image) override {
        auto it = images_.find(normalize_image(image));
        co_return it != images_.end() && ::access(it->second.c_str(), X_OK) == 0;
    }

    asio::awaitable<started_container> start(container_spec spec) override {
        if (stopping_) throw error(error::kind::engine, "eddy is shutting down");
        auto image = images_.find(normalize_image(spec.image));
        if (image == images_.end() || ::access(image->second.c_str(), X_OK) != 0)
            throw error(error::kind::image_not_found,
                        "No such image: " + spec.image +
                            (image == images_.end() ? " (map it to an executable in EDDY_PROCESS_IMAGES)"
                                                    : " (" + image->second + " is not an executable file)"));
        for (auto& [id, p] : procs_)
            if (p->name == spec.name)
                throw error(error::kind::conflict, "The container name \"/" + spec.name + "\" is already in use");

        // The image's executable is its entrypoint; an explicit entrypoint replaces it.
        std::vector<std::string> argv =
            spec.entry_point.empty() ? std::vector<std::string>{image->second} : spec.entry_point;
        argv.insert(argv.end(), spec.command.begin(), spec.command.end());
        std::vector<std::string> env;
        std::string path;
        bool has_hostname = false;
        for (auto& [k, v] : spec.environment) {
            env.push_back(k + "=" + v);
            if (k == "PATH") path = v;
            if (k == "HOSTNAME") has_hostname = true;
        }
        if (path.empty()) {
            const char* host_path = std::getenv("PATH");
            path = host_path ? host_path : "/usr/local/bin:/usr/bin:/bin";
            env.push_back("PATH=" + path);
        }
        if (!has_hostname) env.push_back("HOSTNAME=" + spec.name);
        std::string program = find_executable(argv[0], path);
        auto argv_p = pointers(argv);
        auto env_p = pointers(env);

        int out[2], err[2], status_pipe[2];
        if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 || ::pipe2(status_pipe, O_CLOEXEC) != 0)
            throw error(error::kind::start_failed, std::string("pipe: ") + std::strerror(errno));
        pid_t parent = ::getpid();
        pid_t pid = ::fork();
        if (pid < 0) {
            for (int fd : {out[0], out[1], err[0], err[1], status_pipe[0], status_pipe[1]})
                ::close(fd);
            throw error(error::kind::start_failed, std::string("fork: ") + std::strerror(errno));
        }
        if (pid == 0) {
            // Only async-signal-safe calls from here to exec.
            prepare_child(parent);
            int devnull = ::open("/dev/null", O_RDONLY);
            if (devnull >= 0) ::dup2(devnull, 0);
            ::dup2(out[1], 1);
            ::dup2(err[1], 2);
            ::execve(program.c_str(), argv_p.data(), env_p.data());
            int e = errno;
            [[maybe_unused]] auto n = ::write(status_pipe[1], &e, sizeof e);
            ::_exit(127);
        }
        ::setpgid(pid, pid);  // also here, so a signal to the group cannot race the child's own call
        ::close(out[1]);
        ::close(err[1]);
        ::close(status_pipe[1]);
        // The status pipe closes at exec (CLOEXEC) or carries exec's errno.
        int exec_errno = 0;
        ssize_t got;
        do
            got = ::read(status_pipe[0], &exec_errno, sizeof exec_errno);
        while (got < 0 && errno == EINTR);
        ::close(status_pipe[0]);
        if (got == sizeof exec_errno) {
            ::close(out[0]);
            ::close(err[0]);
            ::waitpid(pid, nullptr, 0);
            throw error(error::kind::start_failed, "exec " + program + ": " + std::strerror(exec_errno));
        }

        auto p = std::make_shared<proc>(ex_);
        p->id = "proc-" + std::to_string(pid) + "-" + std::to_string(++counter_);
        p->name = spec.name;
        p->pid = pid;
        p->stop_timeout = spec.stop_timeout;
        p->on_output = std::move(spec.on_output);
        p->on_exit = std::move(spec.on_exit);
        p->health = std::move(spec.health_check);
        p->on_health = std::move(spec.on_health);
        if (p->health) {
            p->environment = env;
            p->path = path;
        }
        p->out.assign(out[0]);
        p->err.assign(err[0]);
        int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
        if (pidfd < 0) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
            throw error(error::kind::start_failed, std::string("pidfd_open: ") + std::strerror(errno));
        }
        p->pidfd.assign(pidfd);
        procs_[p->id] = p;
        asio::co_spawn(ex_, read_output(p, stream::out), asio::detached);
        asio::co_spawn(ex_, read_output(p, stream::err), asio::detached);
        asio::co_spawn(ex_, wait_exit(p), asio::detached);
        if (p->health) asio::co_spawn(ex_, watch_health(p), asio::detached);

        started_container s;
        s.id = p->id;
        s.ip = "127.0.0.1";
        co_return s;
    }

    asio::awaitable<void> stop(std::string id, std::chrono::seconds timeout) override {
        auto p = find(id);
        if (p->ended.is_set()) co_return;
        ::kill(-p->pid, SIGTERM);
        p->kill_timer.expires_after(timeout);
        p->kill_timer.async_wait([p](const boost::system::error_code& ec) {
            if (!ec && !p->ended.is_set()) ::kill(-p->pid, SIGKILL);
        });
        co_await p->ended.wait();
        p->kill_timer.cancel();
    }

    asio::awaitable<void> kill(std::string id, int signal) override {
        auto p = find(id);
        if (!p->ended.is_set()) ::kill(-p->pid, signal);
        co_return;
    }

    asio::awaitable<void> remove(std::string id) override {
        auto p = find(id);
        p->removed = true;
        procs_.erase(id);
        if (!p->ended.is_set()) {
            ::kill(-p->pid, SIGKILL);
            co_await p->ended.wait();
        }
    }

    asio::awaitable<std::vector<leftover>> list_leftovers() override { co_return std::vector<leftover>{}; }
    asio::awaitable<void> remove_leftovers() override { co_return; }

    asio::awaitable<void> shutdown(std::chrono::seconds grace) override {
        stopping_ = true;
        std::vector<std::function<asio::awaitable<void>()>> tasks;
        for (auto& [id, p] : procs_) {
            p->removed = true;
            auto t = std::min(grace, p->stop_timeout);
            tasks.push_back([this, id = id, t] { return stop(id, t); });
        }
        co_await run_all(ex_, std::move(tasks));
        procs_.clear();
    }

  private:
    std::shared_ptr<proc> find(const std::string& id) {
        auto it = procs_.find(id);
        if (it == procs_.end()) throw error(error::kind::not_found, "No such container: " + id);
        return it->second;
    }

    asio::awaitable<void> read_output(std::shared_ptr<proc> p, stream which) {
        auto& fd = which == stream::out ? p->out : p->err;
        line_splitter lines;
        auto deliver = [&](std::string_view line) {
            if (!p->on_output || p->removed) return;
            output_line l;
            l.source = which;
            l.time = std::chrono::system_clock::now();
            l.text = std::string(line);
            p->on_output(l);
        };
        char buffer[16 * 1024];
        while (true) {
            auto [ec, n] = co_await fd.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
            if (n > 0) lines.feed(std::string_view(buffer, n), deliver);
            if (ec) break;
        }
        lines.finish(deliver);
        boost::system::error_code ignored;
        fd.close(ignored);
        --p->pipes_open;
        maybe_report(p);
    }

    asio::awaitable<void> wait_exit(std::shared_ptr<proc> p) {
        co_await p->pidfd.async_wait(asio::posix::stream_descriptor::wait_read, asio::as_tuple(asio::use_awaitable));
        int status = 0;
        pid_t r;
        do
            r = ::waitpid(p->pid, &status, 0);
        while (r < 0 && errno == EINTR);
        if (WIFEXITED(status))
            p->exit_code = WEXITSTATUS(status);
        else if (WIFSIGNALED(status))
            p->exit_code = 128 + WTERMSIG(status);
        // As when a container's init ends: whatever it left running goes too, and
        // with it the last writers of the pipes.
        ::kill(-p->pid, SIGKILL);
        if (*p->probe > 0) ::kill(-*p->probe, SIGKILL);
        p->health_timer.cancel();
        boost::system::error_code ignored;
        p->pidfd.close(ignored);
        p->ended.set();
        maybe_report(p);
    }

    // Probes every interval from the start until the process ends, as Docker does.
    asio::awaitable<void> watch_health(std::shared_ptr<proc> p) {
        const auto& check = *p->health;
        health_state state(check.retries, std::chrono::steady_clock::now() + check.start_period);
        while (!p->ended.is_set()) {
            p->health_timer.expires_after(check.interval);
            co_await p->health_timer.async_wait(asio::as_tuple(asio::use_awaitable));
            if (p->ended.is_set()) break;
            bool passed = co_await run_probe(ex_, check, p->environment, p->path, p->probe);
            if (p->ended.is_set()) break;
            auto verdict = state.record(passed, std::chrono::steady_clock::now());
            if (verdict && p->on_health && !p->removed) p->on_health(*verdict);
        }
    }

    void maybe_report(const std::shared_ptr<proc>& p) {
        if (p->pipes_open > 0 || !p->ended.is_set() || p->reported) return;
        p->reported = true;
        if (p->removed || !p->on_exit) return;
        exit_status s;
        s.exit_code = p->exit_code;
        p->on_exit(s);
    }

    asio::any_io_executor ex_;
    std::map<std::string, std::string> images_;
    std::map<std::string, std::shared_ptr<proc>> procs_;
    std::uint64_t counter_ = 0;
    bool stopping_ = false;
};

}  // namespace

std::unique_ptr<backend> make_backend(asio::any_io_executor executor, std::map<std::string, std::string> images) {
    return std::make_unique<process_backend>(std::move(executor), std::move(images));
}

}  // namespace eddy::runtime::process
