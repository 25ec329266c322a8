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
// With TASK_TOKEN set (a Step Functions task token, e.g. from $$.Task.Token through a
// containerOverrides environment), it completes that task before sleeping: it POSTs
// AWSStepFunctions.SendTaskFailure with TASK_FAILURE_ERROR and TASK_FAILURE_CAUSE when
// TASK_FAILURE_ERROR is set, else SendTaskSuccess with TASK_RESULT (a JSON text, default {}),
// as JSON 1.0 to $AWS_ENDPOINT_URL, and prints "callback: <status line> <body>".
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

// One plain HTTP/1.0 request to http://<ipv4>:<port>/<path>; returns the status line and the
// body ("HTTP/1.1 200 OK {...}") or only the body, or "error: ...".
std::string http_request(const std::string& url, const std::string& method = "GET", const std::string& headers = "",
                         const std::string& content = "", bool with_status = false) {
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
    std::string request = method + " " + path + " HTTP/1.0\r\nHost: " + authority + "\r\n" + headers;
    if (!content.empty() || method == "POST") request += "Content-Length: " + std::to_string(content.size()) + "\r\n";
    request += "\r\n" + content;
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
    if (with_status) out = response.substr(0, response.find("\r\n")) + " " + out;
    for (auto& c : out)
        if (c == '\n') c = ' ';
    return out;
}

std::string env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v ? v : fallback;
}

// `text` as a JSON string literal.
std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", c);
            out += esc;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

// SendTaskSuccess or SendTaskFailure for TASK_TOKEN, as the AWS SDKs send them.
std::string complete_task(const std::string& token) {
    std::string operation, body;
    if (std::getenv("TASK_FAILURE_ERROR")) {
        operation = "SendTaskFailure";
        body = "{\"taskToken\":" + json_string(token) + ",\"error\":" + json_string(env_or("TASK_FAILURE_ERROR", "")) +
               ",\"cause\":" + json_string(env_or("TASK_FAILURE_CAUSE", "")) + "}";
    } else {
        operation = "SendTaskSuccess";
        body = "{\"taskToken\":" + json_string(token) + ",\"output\":" + json_string(env_or("TASK_RESULT", "{}")) + "}";
    }
    std::string headers =
        "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AWSStepFunctions." + operation + "\r\n";
    auto endpoint = env_or("AWS_ENDPOINT_URL", "");
    if (endpoint.empty() || endpoint.back() != '/') endpoint += '/';
    return http_request(endpoint, "POST", headers, body, true);
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
        std::printf("fetched: %s\n", http_request(url).c_str());
        std::fflush(stdout);
    }
    if (const char* token = std::getenv("TASK_TOKEN"); token && *token) {
        std::printf("callback: %s\n", complete_task(token).c_str());
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
