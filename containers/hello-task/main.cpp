// hello-task: the smallest ECS workload, for tests of the container runtime.
// Prints its environment (sorted KEY=VALUE lines) to stdout and one line to
// stderr, optionally sleeps, then exits with the code it was asked for.
//
//   hello-task [EXIT_CODE [SLEEP_SECONDS]]
//   env: EXIT_CODE (default 0), SLEEP_SECONDS (default 0); arguments win.
//
// With FETCH_URL set to an http://<ipv4>:<port>/... URL, or FETCH_METADATA=1 (the
// URL is then $ECS_CONTAINER_METADATA_URI_V4/task), it GETs it and prints the body
// on one line after "fetched: ", so tests see what a workload reaches from inside.
//
// On SIGTERM during the sleep it prints "hello-task: SIGTERM" and exits 143,
// as a shell would, so StopTask tests can see the signal arrived; with
// IGNORE_SIGTERM=1 it ignores SIGTERM, so only the SIGKILL after a stop timeout ends it.
//
// Health checks: `hello-task health` is a check command that exits 0 when the file
// HEALTH_FILE exists and 1 otherwise; with HEALTHY_AFTER_SECONDS=N the running task
// creates that file N seconds into its sleep (and removes it as it ends), so a task
// becomes healthy after N seconds; without it, it never does.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
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

// A plain HTTP/1.0 GET of http://<ipv4>:<port>/<path>; returns the body, or "error: ...".
std::string http_get(const std::string& url) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) return "error: not an http:// URL";
    auto rest = url.substr(scheme.size());
    auto slash = rest.find('/');
    auto authority = rest.substr(0, slash);
    auto path = slash == std::string::npos ? std::string("/") : rest.substr(slash);
    auto colon = authority.find(':');
    auto host = authority.substr(0, colon);
    int port = colon == std::string::npos ? 80 : std::atoi(authority.c_str() + colon + 1);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return "error: not an IPv4 address: " + host;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (fd >= 0) close(fd);
        return "error: cannot connect to " + authority;
    }
    std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + authority + "\r\n\r\n";
    if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
        close(fd);
        return "error: cannot send";
    }
    std::string response;
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
        response.append(buf, static_cast<std::size_t>(n));
    close(fd);
    auto body = response.find("\r\n\r\n");
    if (body == std::string::npos) return "error: no HTTP response";
    auto out = response.substr(body + 4);
    for (auto& c : out)
        if (c == '\n') c = ' ';
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    const char* health_file = std::getenv("HEALTH_FILE");
    if (argc > 1 && std::string(argv[1]) == "health") return health_file && access(health_file, F_OK) == 0 ? 0 : 1;

    // PID 1 in a container gets no default signal action: SIGTERM must be handled
    // explicitly or it would be ignored until the SIGKILL.
    struct sigaction sa {};
    sa.sa_handler = std::getenv("IGNORE_SIGTERM") ? SIG_IGN : on_sigterm;
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
    std::string url = std::getenv("FETCH_URL") ? std::getenv("FETCH_URL") : "";
    if (url.empty() && std::getenv("FETCH_METADATA") && std::getenv("ECS_CONTAINER_METADATA_URI_V4"))
        url = std::string(std::getenv("ECS_CONTAINER_METADATA_URI_V4")) + "/task";
    if (!url.empty()) {
        std::printf("fetched: %s\n", http_get(url).c_str());
        std::fflush(stdout);
    }
    std::fprintf(stderr, "hello-task: exiting with %ld after %ld s\n", exit_code, sleep_seconds);

    long healthy_after = number(std::getenv("HEALTHY_AFTER_SECONDS"), -1);
    for (long i = 0; i < sleep_seconds * 10 && !terminated; ++i) {
        if (health_file && healthy_after >= 0 && i == healthy_after * 10) {
            int fd = open(health_file, O_CREAT | O_WRONLY, 0644);
            if (fd >= 0) close(fd);
        }
        usleep(100000);
    }
    if (health_file && healthy_after >= 0) unlink(health_file);
    if (terminated) {
        std::printf("hello-task: SIGTERM\n");
        std::fflush(stdout);
        return 143;
    }
    return static_cast<int>(exit_code);
}
