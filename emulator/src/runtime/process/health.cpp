#include "runtime/process/health.hpp"

#include "runtime/process/child.hpp"
#include "runtime/process/images.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <memory>

// GCC 12 misreads Asio's recycled coroutine frames (aligned_alloc, then the frame's
// own operator delete) as a mismatched pair once these coroutines are inlined.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace eddy::runtime::process {

namespace asio = boost::asio;

std::optional<bool> health_state::record(bool passed, std::chrono::steady_clock::time_point now) {
    auto before = status_;
    if (passed) {
        failures_ = 0;
        status_ = status::healthy;
    } else if (status_ != status::starting || now >= start_period_end_) {
        if (++failures_ >= retries_) status_ = status::unhealthy;
    }
    if (status_ == before || status_ == status::starting) return std::nullopt;
    return status_ == status::healthy;
}

asio::awaitable<bool> run_probe(asio::any_io_executor ex, const health_check& check,
                                std::vector<std::string> environment, std::string path,
                                std::shared_ptr<pid_t> running) {
    if (check.command.size() < 2) co_return false;
    std::vector<std::string> argv;
    if (check.command[0] == "CMD-SHELL")
        argv = {"/bin/sh", "-c", check.command[1]};
    else if (check.command[0] == "CMD")
        argv.assign(check.command.begin() + 1, check.command.end());
    else
        co_return false;
    auto program = find_executable(argv[0], path);
    std::vector<char*> argv_p, env_p;
    for (auto& a : argv)
        argv_p.push_back(a.data());
    argv_p.push_back(nullptr);
    for (auto& e : environment)
        env_p.push_back(e.data());
    env_p.push_back(nullptr);

    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) co_return false;
    if (pid == 0) {
        // Only async-signal-safe calls from here to exec.
        prepare_child(parent);
        int devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0)
            for (int fd : {0, 1, 2})
                ::dup2(devnull, fd);
        ::execve(program.c_str(), argv_p.data(), env_p.data());
        ::_exit(127);
    }
    ::setpgid(pid, pid);
    *running = pid;
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0) {
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        *running = -1;
        co_return false;
    }
    asio::posix::stream_descriptor pidfd(ex, fd);
    // Shared: an expiry already queued when the probe ends still runs after this frame is gone.
    auto timed_out = std::make_shared<bool>(false);
    asio::steady_timer limit(ex, check.timeout);
    limit.async_wait([pid, timed_out](const boost::system::error_code& ec) {
        if (ec || *timed_out) return;
        *timed_out = true;
        ::kill(-pid, SIGKILL);
    });
    co_await pidfd.async_wait(asio::posix::stream_descriptor::wait_read, asio::as_tuple(asio::use_awaitable));
    limit.cancel();
    bool overran = *timed_out;
    *timed_out = true;  // a queued expiry must not signal a reaped group
    int status = 0;
    pid_t r;
    do
        r = ::waitpid(pid, &status, 0);
    while (r < 0 && errno == EINTR);
    ::kill(-pid, SIGKILL);  // whatever the probe left running goes with it
    *running = -1;
    co_return !overran && r == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace eddy::runtime::process
