// hello-task: the smallest ECS workload, for tests of the container runtime.
// Prints its environment (sorted KEY=VALUE lines) to stdout and one line to
// stderr, optionally sleeps, then exits with the code it was asked for.
//
//   hello-task [EXIT_CODE [SLEEP_SECONDS]]
//   env: EXIT_CODE (default 0), SLEEP_SECONDS (default 0); arguments win.
//
// On SIGTERM during the sleep it prints "hello-task: SIGTERM" and exits 143,
// as a shell would, so StopTask tests can see the signal arrived.
#include <unistd.h>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace {

volatile std::sig_atomic_t terminated = 0;

void on_sigterm(int) {
    terminated = 1;
}

long number(const char* text, long fallback) {
    if (!text || !*text) return fallback;
    char* end = nullptr;
    long v = std::strtol(text, &end, 10);
    return *end ? fallback : v;
}

}  // namespace

int main(int argc, char** argv) {
    // PID 1 in a container gets no default signal action: SIGTERM must be handled
    // explicitly or it would be ignored until the SIGKILL.
    struct sigaction sa {};
    sa.sa_handler = on_sigterm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);

    long exit_code = number(argc > 1 ? argv[1] : std::getenv("EXIT_CODE"), 0);
    long sleep_seconds = number(argc > 2 ? argv[2] : std::getenv("SLEEP_SECONDS"), 0);

    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
        env.emplace_back(*e);
    std::sort(env.begin(), env.end());
    for (auto& line : env)
        std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    std::fprintf(stderr, "hello-task: exiting with %ld after %ld s\n", exit_code, sleep_seconds);

    for (long i = 0; i < sleep_seconds * 10 && !terminated; ++i)
        usleep(100000);
    if (terminated) {
        std::printf("hello-task: SIGTERM\n");
        std::fflush(stdout);
        return 143;
    }
    return static_cast<int>(exit_code);
}
