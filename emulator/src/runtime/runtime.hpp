#pragma once

// The container runtime: how ECS tasks (and later Lambda functions) run, as
// Docker containers or as host processes. Services hold a `backend&` and call it
// from coroutines on eddy's single io_context; every callback it makes (output
// lines, exits) runs on that same io_context, so callers need no locking.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eddy::runtime {

enum class stream { out, err };

// One line a container wrote, without its newline. `time` is when the engine
// received it (Docker) or when eddy read it (process backend).
struct output_line {
    stream source = stream::out;
    std::chrono::system_clock::time_point time;
    std::string text;
};

// How a container ended. exit_code follows Docker: 128+N when killed by signal N.
struct exit_status {
    int exit_code = -1;
    bool oom_killed = false;
    std::string error;  // the engine's own error (e.g. exec failure), empty when none
};

struct port_mapping {
    int container_port = 0;
    int host_port = 0;  // 0: not published; otherwise bound on 127.0.0.1 only
    std::string protocol = "tcp";
};

// A container's health check, with Docker's HEALTHCHECK semantics: `command` runs
// every `interval` (the first run one interval after the start); a run that exits 0
// within `timeout` makes the container healthy, `retries` failures in a row make it
// unhealthy; failures within `start_period` do not count until the first success.
struct health_check {
    std::vector<std::string> command;  // {"CMD", argv...} or {"CMD-SHELL", "script"}
    std::chrono::seconds interval{30};
    std::chrono::seconds timeout{5};
    int retries = 3;
    std::chrono::seconds start_period{0};
};

// What to run: one container of an ECS task definition, resolved.
struct container_spec {
    std::string name;  // unique per engine; Docker's container name
    std::string image;
    std::vector<std::string> entry_point;  // empty: the image's
    std::vector<std::string> command;      // empty: the image's
    std::vector<std::pair<std::string, std::string>> environment;
    std::map<std::string, std::string> labels;  // the backend adds its own eddy.* labels
    int cpu_shares = 0;                         // ECS container cpu units (relative weight); 0: none
    double cpus = 0;                            // hard limit in vCPUs (task-level cpu / 1024); 0: none
    int memory_mib = 0;                         // hard limit; 0: none
    int memory_reservation_mib = 0;             // soft limit; 0: none
    std::vector<std::string> network_aliases;   // service-discovery names on eddy's network
    std::vector<port_mapping> ports;
    // The task network (task_network::id) the container joins; empty: a network
    // namespace of its own. Joined containers take no aliases and publish no ports.
    std::string task_network;
    std::chrono::seconds stop_timeout{30};  // SIGTERM to SIGKILL, for stop() and shutdown

    // Called for every complete line, in order per stream, until the container ends.
    std::function<void(const output_line&)> on_output;
    // Called once, after the last output line, when the container has ended
    // (not when it is removed or when eddy shuts down before it ends).
    std::function<void(const exit_status&)> on_exit;

    // Run while the container runs; none when empty.
    std::optional<runtime::health_check> health_check;
    // Called when the health check's verdict changes (true: healthy), never after on_exit.
    std::function<void(bool healthy)> on_health;
};

struct started_container {
    std::string id;
    // Its address on eddy's network (127.0.0.1 for host processes); empty when the
    // container ended before its address could be read (Docker releases it at exit).
    std::string ip;
};

// One task's network namespace and address, shared by the task's containers (ECS's
// awsvpc mode: one interface per task; its containers reach each other on localhost).
struct task_network {
    std::string id;  // what container_spec::task_network names; empty on the process backend
    std::string ip;
};

struct network_info {
    std::string name;
    std::string gateway;  // where containers reach the host (and eddy, if it listens there)
    std::string subnet;
};

// A container or network carrying this eddy's labels that this process did not
// start: a leftover of an earlier run.
struct leftover {
    enum class kind { container, network } what = kind::container;
    std::string id;
    std::string name;
    bool running = false;
    std::map<std::string, std::string> labels;
};

// Why a runtime call failed. `image_not_found` is what ECS reports as
// CannotPullContainerError; `engine` means the engine refused or did not answer.
class error : public std::runtime_error {
  public:
    enum class kind { image_not_found, not_found, conflict, engine, start_failed };
    error(kind k, const std::string& message) : std::runtime_error(message), kind_(k) {}
    kind what_kind() const { return kind_; }

  private:
    kind kind_;
};

// The labels every container and network of eddy carries. `instance` tells
// eddies on one machine apart (default: "port-<listening port>").
inline constexpr std::string_view label_managed = "eddy.managed";
inline constexpr std::string_view label_instance = "eddy.instance";
inline constexpr std::string_view label_run = "eddy.run";
// The host name and PID namespace of the eddy that made it: where a "pid-<n>" instance
// (a run on port 0) can be checked for being gone.
inline constexpr std::string_view label_host = "eddy.host";

// A runtime backend. Lives as long as the server, on its io_context; not thread-safe.
class backend {
  public:
    virtual ~backend() = default;
    virtual std::string_view kind() const = 0;  // "docker" or "process"

    // Creates eddy's network once (or finds it) and returns where it is.
    virtual boost::asio::awaitable<network_info> ensure_network() = 0;
    // Whether the image is there to run (Docker never pulls: no registry is reachable).
    virtual boost::asio::awaitable<bool> image_exists(std::string image) = 0;
    // A task's network, to open before its containers start and close after they are
    // removed. warm_up() tells the backend tasks are coming (ECS calls it when a task
    // definition is registered and after a task's containers started): the Docker
    // backend then tops up the few it keeps ready.
    virtual void warm_up() = 0;
    virtual boost::asio::awaitable<task_network> open_task_network() = 0;
    virtual boost::asio::awaitable<void> close_task_network(std::string id) = 0;
    // Creates and starts a container; returns once it runs. Throws runtime::error
    // (image_not_found when the image is missing locally).
    virtual boost::asio::awaitable<started_container> start(container_spec spec) = 0;
    // SIGTERM, then SIGKILL after `timeout`; returns once the container has ended.
    virtual boost::asio::awaitable<void> stop(std::string id, std::chrono::seconds timeout) = 0;
    virtual boost::asio::awaitable<void> kill(std::string id, int signal) = 0;
    // Removes an ended (or, forcibly, a running) container; its on_exit is not called
    // if it had not ended yet.
    virtual boost::asio::awaitable<void> remove(std::string id) = 0;
    // What earlier runs of this instance left behind, and their removal.
    virtual boost::asio::awaitable<std::vector<leftover>> list_leftovers() = 0;
    virtual boost::asio::awaitable<void> remove_leftovers() = 0;
    // Stops (each with at most `grace` before SIGKILL) and removes every container
    // this backend started, then the network it created. Ends all background streams.
    virtual boost::asio::awaitable<void> shutdown(std::chrono::seconds grace) = 0;
};

// Which backend `eddy serve --runtime` asked for.
enum class choice { docker, process, automatic };
bool parse_choice(std::string_view text, choice& out);

struct config {
    std::string instance = "default";
    std::string docker_host;     // DOCKER_HOST, empty for the default socket
    std::string process_images;  // EDDY_PROCESS_IMAGES (see process/images.hpp)
};

// Builds the backend. `automatic` picks docker when the engine answers /_ping
// within a second, else process; `docker` requires an answering engine. Throws
// std::runtime_error with a readable message on bad configuration.
std::unique_ptr<backend> make_backend(choice c, const config& cfg, boost::asio::any_io_executor executor);

}  // namespace eddy::runtime
