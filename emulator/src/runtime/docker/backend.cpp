#include "runtime/docker/backend.hpp"

#include "core/log.hpp"
#include "runtime/docker/client.hpp"
#include "runtime/docker/frames.hpp"
#include "runtime/docker/sandboxes.hpp"
#include "runtime/event.hpp"
#include "runtime/lines.hpp"

#include <sys/types.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstring>
#include <ctime>
#include <optional>
#include <random>

// GCC 12 misreads Asio's recycled coroutine frames (aligned_alloc, then the frame's
// own operator delete) as a mismatched pair once these coroutines are inlined.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace eddy::runtime::docker {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

std::string random_hex(std::size_t n) {
    static std::mt19937_64 rng{std::random_device{}()};
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < n; ++i)
        s += digits[rng() % 16];
    return s;
}

// "2026-11-27T23:56:55.123456789Z " at the start of a line (logs?timestamps=1).
bool strip_timestamp(std::string_view& line, std::chrono::system_clock::time_point& time) {
    auto space = line.find(' ');
    if (space == std::string_view::npos || space < 20 || line[4] != '-' || line[10] != 'T') return false;
    std::tm tm{};
    std::string head(line.substr(0, 19));
    if (!strptime(head.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return false;
    auto t = std::chrono::system_clock::from_time_t(timegm(&tm));
    auto frac = line.substr(19, space - 19);  // ".123456789Z" or "Z" or "+00:00"
    if (frac.starts_with(".")) {
        long long ns = 0;
        int digits = 0;
        for (std::size_t i = 1; i < frac.size() && std::isdigit(static_cast<unsigned char>(frac[i])); ++i, ++digits)
            if (digits < 9) ns = ns * 10 + (frac[i] - '0');
        for (int d = std::min(digits, 9); d < 9; ++d)
            ns *= 10;
        t += std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(ns));
    }
    time = t;
    line.remove_prefix(space + 1);
    return true;
}

// This process's host name and PID namespace ("web-1/pid:[4026531836]"): a pid means the
// same process only where both match. Empty without /proc, and then nothing is reclaimed by pid.
const std::string& this_host() {
    static const std::string host = [] {
        char name[256] = {};
        char ns[64] = {};
        auto n = ::readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
        if (::gethostname(name, sizeof name - 1) != 0 || n <= 0) return std::string();
        return std::string(name) + "/" + std::string(ns, static_cast<std::size_t>(n));
    }();
    return host;
}

// Whether the labels name a run on port 0 ("pid-<n>") on this host whose process has ended.
bool orphaned(const json& labels, const std::string& own_instance) {
    auto instance = labels.value(std::string(label_instance), std::string());
    if (this_host().empty() || labels.value(std::string(label_host), std::string()) != this_host() ||
        !instance.starts_with("pid-") || instance == own_instance)
        return false;
    long pid = 0;
    auto digits = std::string_view(instance).substr(4);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    if (ec != std::errc() || end != digits.data() + digits.size() || pid <= 0) return false;
    return ::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH;
}

std::string label_filter(const std::string& instance, std::vector<std::string> extra = {}) {
    json f;
    f["label"] = json::array({std::string(label_instance) + "=" + instance});
    for (auto& e : extra) {
        auto eq = e.find('=');
        f[e.substr(0, eq)].push_back(e.substr(eq + 1));
    }
    return url_encode(f.dump());
}

// One container this backend started, watched until it ends or is removed.
struct watched {
    std::string id;
    std::string name;
    std::chrono::seconds stop_timeout;
    std::function<void(const output_line&)> on_output;
    std::function<void(const exit_status&)> on_exit;
    std::function<void(bool)> on_health;
    std::shared_ptr<docker::stream_control> logs = std::make_shared<docker::stream_control>();
    bool logs_done = false;
    bool died = false;
    bool reported = false;
    bool removed = false;
    int exit_code = -1;
    int health = -1;  // the last verdict reported: 1 healthy, 0 unhealthy, -1 none yet
};

class docker_backend final : public backend {
  public:
    docker_backend(asio::any_io_executor ex, engine_address address, std::string instance)
        : ex_(ex),
          client_(ex, std::move(address)),
          instance_(std::move(instance)),
          network_name_("eddy-" + instance_),
          run_(random_hex(12)),
          events_open_(ex),
          sandboxes_(ex, client_, "eddy-" + instance_ + "-net-", own_labels()) {}

    // Background streams may outlive the backend on a still-running io_context (tests):
    // they are closed here and check `alive` before touching the backend again.
    ~docker_backend() override {
        *alive_ = false;
        if (events_) events_->cancel();
        for (auto& [id, w] : containers_) {
            w->removed = true;
            w->logs->cancel();
        }
    }

    std::string_view kind() const override { return "docker"; }

    asio::awaitable<network_info> ensure_network() override {
        if (network_) co_return *network_;
        // One creation at a time: two concurrent creates both succeed on the engine
        // (CheckDuplicate is best effort), leaving a name every later lookup finds ambiguous.
        while (network_busy_) {
            asio::steady_timer wake(ex_, std::chrono::milliseconds(10));
            co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        if (network_) co_return *network_;
        network_busy_ = true;
        struct release {
            bool& busy;
            ~release() { busy = false; }
        } guard{network_busy_};
        auto r = co_await client_.request("GET", "/networks/" + url_encode(network_name_));
        if (r.status == 404) {
            json body;
            body["Name"] = network_name_;
            body["Driver"] = "bridge";
            body["CheckDuplicate"] = true;
            body["Labels"] = own_labels();
            auto c = co_await client_.request("POST", "/networks/create", &body);
            if (c.status != 201 && c.status != 409)
                throw error(error::kind::engine, "cannot create Docker network " + network_name_ + ": " + c.message());
            r = co_await client_.request("GET", "/networks/" + url_encode(network_name_));
        }
        if (r.status != 200)
            throw error(error::kind::engine, "cannot inspect Docker network " + network_name_ + ": " + r.message());
        auto j = r.json();
        network_info info;
        info.name = network_name_;
        if (j.contains("IPAM") && j["IPAM"].contains("Config") && j["IPAM"]["Config"].is_array() &&
            !j["IPAM"]["Config"].empty()) {
            auto& c = j["IPAM"]["Config"][0];
            info.gateway = c.value("Gateway", "");
            info.subnet = c.value("Subnet", "");
        }
        network_id_ = j.value("Id", "");
        network_ = info;
        co_return info;
    }

    void warm_up() override {
        if (stopping_) return;
        auto alive = alive_;
        asio::co_spawn(
            ex_,
            [this, alive]() -> asio::awaitable<void> {
                try {
                    auto net = co_await ensure_network();
                    if (!*alive || stopping_) co_return;
                    co_await ensure_events();  // a ready sandbox that dies is dropped
                    if (*alive && !stopping_) sandboxes_.warm_up(net.name);
                } catch (const std::exception& e) {
                    if (*alive) log::warn(std::string("runtime: ") + e.what());
                }
            },
            asio::detached);
    }

    asio::awaitable<task_network> open_task_network() override {
        auto net = co_await ensure_network();
        co_return co_await sandboxes_.take(net.name);
    }

    asio::awaitable<void> close_task_network(std::string id) override {
        if (!id.empty()) co_await sandboxes_.release(std::move(id));
    }

    asio::awaitable<bool> image_exists(std::string image) override {
        auto r = co_await client_.request("GET", "/images/" + image_path(image) + "/json");
        if (r.status == 200) co_return true;
        if (r.status == 404) co_return false;
        throw error(error::kind::engine, "cannot inspect image " + image + ": " + r.message());
    }

    asio::awaitable<started_container> start(container_spec spec) override {
        if (stopping_) throw error(error::kind::engine, "eddy is shutting down");
        auto net = co_await ensure_network();
        co_await ensure_events();

        json body = create_body(spec, net);
        auto r = co_await client_.request("POST", "/containers/create?name=" + url_encode(spec.name), &body);
        if (r.status == 404)
            throw error(error::kind::image_not_found, r.message());  // "No such image: x:latest"; eddy never pulls
        if (r.status == 409) throw error(error::kind::conflict, r.message());
        if (r.status != 201) throw error(error::kind::engine, "cannot create container: " + r.message());
        auto id = r.json().value("Id", "");
        bool joined = !spec.task_network.empty();

        auto w = std::make_shared<watched>();
        w->id = id;
        w->name = spec.name;
        w->stop_timeout = spec.stop_timeout;
        w->on_output = std::move(spec.on_output);
        w->on_exit = std::move(spec.on_exit);
        w->on_health = std::move(spec.on_health);
        containers_[id] = w;

        auto s = co_await client_.request("POST", "/containers/" + id + "/start");
        if (s.status != 204 && s.status != 304) {
            containers_.erase(id);
            co_await client_.request("DELETE", "/containers/" + id + "?force=1");
            throw error(error::kind::start_failed, "cannot start container " + spec.name + ": " + s.message());
        }
        asio::co_spawn(ex_, follow_logs(w), asio::detached);

        started_container started;
        started.id = id;
        if (joined) co_return started;  // the address is the task network's
        auto i = co_await client_.request("GET", "/containers/" + id + "/json");
        if (i.status == 200) {
            auto j = i.json();
            auto& nets = j["NetworkSettings"]["Networks"];
            if (nets.is_object() && nets.contains(net.name)) started.ip = nets[net.name].value("IPAddress", "");
        }
        co_return started;
    }

    asio::awaitable<void> stop(std::string id, std::chrono::seconds timeout) override {
        // The engine answers once the container has ended: after at most `timeout` and the kill.
        auto r = co_await client_.request(
            "POST", "/containers/" + url_encode(id) + "/stop?t=" + std::to_string(timeout.count()), nullptr,
            timeout + std::chrono::seconds(60));
        if (r.status == 404) throw error(error::kind::not_found, r.message());
        if (r.status != 204 && r.status != 304) throw error(error::kind::engine, "cannot stop: " + r.message());
    }

    asio::awaitable<void> kill(std::string id, int signal) override {
        auto r = co_await client_.request("POST",
                                          "/containers/" + url_encode(id) + "/kill?signal=" + std::to_string(signal));
        if (r.status == 404) throw error(error::kind::not_found, r.message());
        // 409: not running, which is what a kill wants anyway.
        if (r.status != 204 && r.status != 409) throw error(error::kind::engine, "cannot kill: " + r.message());
    }

    asio::awaitable<void> remove(std::string id) override {
        if (auto it = containers_.find(id); it != containers_.end()) {
            it->second->removed = true;
            it->second->logs->cancel();
            containers_.erase(it);
        }
        auto r = co_await client_.request("DELETE", "/containers/" + url_encode(id) + "?force=1&v=1");
        if (r.status == 404) throw error(error::kind::not_found, r.message());
        if (r.status != 204) throw error(error::kind::engine, "cannot remove: " + r.message());
    }

    asio::awaitable<std::vector<leftover>> list_leftovers() override {
        std::vector<leftover> out;
        auto r = co_await client_.request("GET", "/containers/json?all=1&filters=" + label_filter(instance_));
        if (r.status != 200) throw error(error::kind::engine, "cannot list containers: " + r.message());
        for (auto& c : r.json()) {
            auto labels = c.value("Labels", json::object());
            if (labels.value(std::string(label_run), "") == run_) continue;
            leftover l;
            l.what = leftover::kind::container;
            l.id = c.value("Id", "");
            if (c.contains("Names") && !c["Names"].empty()) l.name = c["Names"][0].get<std::string>().substr(1);
            l.running = c.value("State", "") == "running";
            for (auto& [k, v] : labels.items())
                if (v.is_string()) l.labels[k] = v.get<std::string>();
            out.push_back(std::move(l));
        }
        auto n = co_await client_.request("GET", "/networks?filters=" + label_filter(instance_));
        if (n.status != 200) throw error(error::kind::engine, "cannot list networks: " + n.message());
        for (auto& net : n.json()) {
            if (net.value("Id", "") == network_id_) continue;  // the one this run uses
            leftover l;
            l.what = leftover::kind::network;
            l.id = net.value("Id", "");
            l.name = net.value("Name", "");
            auto labels = net.value("Labels", json::object());  // kept: items() must not outlive it
            for (auto& [k, v] : labels.items())
                if (v.is_string()) l.labels[k] = v.get<std::string>();
            out.push_back(std::move(l));
        }
        co_return out;
    }

    asio::awaitable<void> remove_leftovers() override {
        auto found = co_await list_leftovers();
        // Containers first: a network cannot go while containers are attached.
        for (auto& l : found)
            if (l.what == leftover::kind::container) {
                log::info("runtime: removing leftover container " + l.name);
                co_await client_.request("DELETE", "/containers/" + l.id + "?force=1&v=1");
            }
        for (auto& l : found)
            if (l.what == leftover::kind::network) {
                log::info("runtime: removing leftover network " + l.name);
                co_await client_.request("DELETE", "/networks/" + l.id);
            }
        co_await remove_orphans();
    }

    // A run on port 0 is named by its pid, which no later run takes: one that was killed
    // would leave its network (an address pool of the engine's few) and containers for
    // good. Those of this host whose process has ended go too.
    asio::awaitable<void> remove_orphans() {
        if (this_host().empty()) co_return;
        json f;
        f["label"] = json::array({std::string(label_host) + "=" + this_host()});
        auto filter = url_encode(f.dump());
        auto r = co_await client_.request("GET", "/containers/json?all=1&filters=" + filter);
        if (r.status == 200)
            for (auto& c : r.json()) {
                if (!orphaned(c.value("Labels", json::object()), instance_)) continue;
                auto name = c.contains("Names") && !c["Names"].empty() ? c["Names"][0].get<std::string>().substr(1)
                                                                       : c.value("Id", "");
                log::info("runtime: removing container " + name + " of an ended run");
                co_await client_.request("DELETE", "/containers/" + c.value("Id", "") + "?force=1&v=1");
            }
        auto n = co_await client_.request("GET", "/networks?filters=" + filter);
        if (n.status == 200)
            for (auto& net : n.json()) {
                if (!orphaned(net.value("Labels", json::object()), instance_)) continue;
                log::info("runtime: removing network " + net.value("Name", "") + " of an ended run");
                co_await client_.request("DELETE", "/networks/" + net.value("Id", ""));
            }
    }

    asio::awaitable<void> shutdown(std::chrono::seconds grace) override {
        stopping_ = true;
        std::vector<std::function<asio::awaitable<void>()>> tasks;
        for (auto& [id, w] : containers_) {
            w->removed = true;  // no on_exit for what shutdown ends
            tasks.push_back([this, w, grace] { return stop_and_remove(w, std::min(grace, w->stop_timeout)); });
        }
        co_await run_all(ex_, std::move(tasks));
        containers_.clear();
        co_await sandboxes_.shutdown();
        if (events_) events_->cancel();
        if (network_) {
            co_await client_.request("DELETE", "/networks/" + url_encode(network_name_));
            network_.reset();
        }
    }

  private:
    json own_labels() const {
        json l;
        l[std::string(label_managed)] = "true";
        l[std::string(label_instance)] = instance_;
        l[std::string(label_run)] = run_;
        if (!this_host().empty()) l[std::string(label_host)] = this_host();
        return l;
    }

    // Image names keep their '/' (the API routes /images/{name:.*}/json); other
    // reserved characters are escaped.
    static std::string image_path(const std::string& image) {
        std::string out;
        std::size_t start = 0;
        while (true) {
            auto slash = image.find('/', start);
            out += url_encode(image.substr(start, slash - start));
            if (slash == std::string::npos) break;
            out += '/';
            start = slash + 1;
        }
        return out;
    }

    // The engine runs the check itself (in the container) and reports verdicts as events.
    static json healthcheck_body(const health_check& h) {
        auto ns = [](std::chrono::seconds s) { return static_cast<std::int64_t>(s.count()) * 1'000'000'000; };
        json b;
        b["Test"] = h.command;
        b["Interval"] = ns(h.interval);
        b["Timeout"] = ns(h.timeout);
        b["Retries"] = h.retries;
        if (h.start_period.count() > 0) b["StartPeriod"] = ns(h.start_period);
        return b;
    }

    json create_body(const container_spec& spec, const network_info& net) const {
        json body;
        body["Image"] = spec.image;
        if (!spec.entry_point.empty()) body["Entrypoint"] = spec.entry_point;
        if (!spec.command.empty()) body["Cmd"] = spec.command;
        json env = json::array();
        for (auto& [k, v] : spec.environment)
            env.push_back(k + "=" + v);
        body["Env"] = env;
        json labels = own_labels();
        for (auto& [k, v] : spec.labels)
            labels[k] = v;
        body["Labels"] = labels;
        body["StopTimeout"] = spec.stop_timeout.count();
        if (spec.health_check) body["Healthcheck"] = healthcheck_body(*spec.health_check);
        json host;
        // A container joining its task's network namespace has no endpoint of its own.
        bool joined = !spec.task_network.empty();
        host["NetworkMode"] = joined ? "container:" + spec.task_network : net.name;
        if (spec.cpu_shares > 0) host["CpuShares"] = std::max(spec.cpu_shares, 2);
        if (spec.cpus > 0) host["NanoCpus"] = static_cast<std::int64_t>(std::llround(spec.cpus * 1e9));
        if (spec.memory_mib > 0) host["Memory"] = static_cast<std::int64_t>(spec.memory_mib) * 1024 * 1024;
        if (spec.memory_reservation_mib > 0)
            host["MemoryReservation"] = static_cast<std::int64_t>(spec.memory_reservation_mib) * 1024 * 1024;
        // json-file keeps the output, so logs?follow=1 sees lines written before it attached.
        host["LogConfig"] = {{"Type", "json-file"}, {"Config", json::object()}};
        json exposed = json::object(), bindings = json::object();
        for (auto& p : spec.ports) {
            auto key = std::to_string(p.container_port) + "/" + p.protocol;
            exposed[key] = json::object();
            if (p.host_port > 0) {
                json b;
                b["HostIp"] = "127.0.0.1";  // published on loopback only
                b["HostPort"] = std::to_string(p.host_port);
                bindings[key].push_back(b);
            }
        }
        if (!exposed.empty() && !joined) body["ExposedPorts"] = exposed;
        if (!bindings.empty() && !joined) host["PortBindings"] = bindings;
        body["HostConfig"] = host;
        if (joined) return body;
        json endpoint;
        endpoint["Aliases"] = spec.network_aliases;
        body["NetworkingConfig"]["EndpointsConfig"][net.name] = endpoint;
        return body;
    }

    // The one /events subscription: opened before the first container starts, so no
    // exit is missed; reopened from the last event's time if the engine drops it.
    asio::awaitable<void> ensure_events() {
        if (stopping_) throw error(error::kind::engine, "eddy is shutting down");
        if (!events_) {
            events_ = std::make_shared<stream_control>();
            asio::co_spawn(ex_, watch_events(events_), asio::detached);
        }
        co_await events_open_.wait();
    }

    asio::awaitable<void> watch_events(std::shared_ptr<stream_control> control) {
        auto alive = alive_;
        std::string filters = label_filter(instance_, {"type=container", "event=die", "event=health_status"});
        std::int64_t since = 0;
        line_splitter lines(16 * 1024 * 1024);
        while (!control->closed) {
            std::string target = "/events?filters=" + filters;
            if (since > 0) target += "&since=" + std::to_string(since);
            try {
                co_await client_.stream(
                    "GET", target, control, [this](int) { events_open_.set(); },
                    [&](std::string_view bytes) {
                        lines.feed(bytes, [&](std::string_view line) {
                            auto e = json::parse(line, nullptr, false);
                            if (!e.is_object()) return;
                            since = std::max<std::int64_t>(since, e.value("time", std::int64_t{0}));
                            on_event(e);
                        });
                    });
            } catch (const std::exception& e) {
                if (control->closed || !*alive) co_return;
                log::warn(std::string("runtime: Docker events stream failed: ") + e.what());
                events_open_.set();  // let start() go on; the exit then comes from logs' end
            }
            if (control->closed || !*alive) co_return;
            asio::steady_timer pause(ex_, std::chrono::seconds(1));
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
            if (!*alive) co_return;
        }
    }

    void on_event(const json& e) {
        auto action = e.value("Action", "");
        auto id = e.contains("Actor") ? e["Actor"].value("ID", "") : "";
        sandboxes_.died(id);
        auto it = containers_.find(id);
        if (it == containers_.end()) return;
        auto& w = it->second;
        // "health_status: healthy" or "health_status: unhealthy"; repeats (a reopened stream) change nothing.
        if (action.starts_with("health_status")) {
            int healthy = action.ends_with(": healthy") ? 1 : action.ends_with(": unhealthy") ? 0 : -1;
            if (healthy < 0 || healthy == w->health || w->died || w->removed) return;
            w->health = healthy;
            if (w->on_health) w->on_health(healthy == 1);
            return;
        }
        if (action != "die") return;
        w->died = true;
        auto code = e["Actor"].value("Attributes", json::object()).value("exitCode", "");
        if (!code.empty()) w->exit_code = std::atoi(code.c_str());
        maybe_report(w);
    }

    asio::awaitable<void> follow_logs(std::shared_ptr<watched> w) {
        auto alive = alive_;
        frame_decoder frames;
        line_splitter out, err;
        auto deliver = [&](stream s, std::string_view line) {
            output_line l;
            l.source = s;
            l.time = std::chrono::system_clock::now();
            strip_timestamp(line, l.time);
            l.text = std::string(line);
            if (w->on_output && !w->removed) w->on_output(l);
        };
        try {
            co_await client_.stream("GET", "/containers/" + w->id + "/logs?follow=1&stdout=1&stderr=1&timestamps=1",
                                    w->logs, nullptr, [&](std::string_view bytes) {
                                        frames.feed(bytes, [&](int sid, std::string_view payload) {
                                            auto& splitter = sid == 2 ? err : out;
                                            splitter.feed(payload, [&](std::string_view line) {
                                                deliver(sid == 2 ? stream::err : stream::out, line);
                                            });
                                        });
                                    });
        } catch (const std::exception& e) {
            if (!w->removed) log::warn("runtime: output of container " + w->name + " lost: " + e.what());
        }
        if (!*alive) co_return;
        out.finish([&](std::string_view line) { deliver(stream::out, line); });
        err.finish([&](std::string_view line) { deliver(stream::err, line); });
        w->logs_done = true;
        // The logs stream ends when the container does; if the die event has not come
        // (events stream down), the container's state says how it ended.
        if (!w->died && !w->removed && !stopping_) {
            asio::steady_timer grace(ex_, std::chrono::milliseconds(500));
            co_await grace.async_wait(asio::as_tuple(asio::use_awaitable));
            if (!*alive) co_return;
            if (!w->died) w->died = true;
        }
        maybe_report(w);
    }

    void maybe_report(const std::shared_ptr<watched>& w) {
        if (!w->died || !w->logs_done || w->reported || w->removed) return;
        w->reported = true;
        asio::co_spawn(ex_, report_exit(w), asio::detached);
    }

    // The die event has the exit code; the container's state adds OOMKilled and the
    // engine's error (e.g. an executable that does not exist in the image).
    asio::awaitable<void> report_exit(std::shared_ptr<watched> w) {
        exit_status s;
        s.exit_code = w->exit_code;
        try {
            auto r = co_await client_.request("GET", "/containers/" + w->id + "/json");
            if (r.status == 200) {
                auto state = r.json()["State"];
                s.exit_code = state.value("ExitCode", s.exit_code);
                s.oom_killed = state.value("OOMKilled", false);
                s.error = state.value("Error", "");
            }
        } catch (const std::exception&) {
        }
        if (w->on_exit && !w->removed) w->on_exit(s);
    }

    asio::awaitable<void> stop_and_remove(std::shared_ptr<watched> w, std::chrono::seconds grace) {
        try {
            co_await client_.request("POST", "/containers/" + w->id + "/stop?t=" + std::to_string(grace.count()),
                                     nullptr, grace + std::chrono::seconds(60));
            w->logs->cancel();
            co_await client_.request("DELETE", "/containers/" + w->id + "?force=1&v=1");
        } catch (const std::exception& e) {
            log::warn("runtime: cannot remove container " + w->name + ": " + e.what());
        }
    }

    asio::any_io_executor ex_;
    engine_client client_;
    std::string instance_;
    std::string network_name_;
    std::string run_;
    std::optional<network_info> network_;
    bool network_busy_ = false;  // ensure_network is creating or inspecting it
    std::string network_id_;
    std::map<std::string, std::shared_ptr<watched>> containers_;
    std::shared_ptr<stream_control> events_;
    event events_open_;
    bool stopping_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    sandboxes sandboxes_;
};

}  // namespace

std::unique_ptr<backend> make_backend(asio::any_io_executor executor, engine_address address, std::string instance) {
    return std::make_unique<docker_backend>(std::move(executor), std::move(address), std::move(instance));
}

}  // namespace eddy::runtime::docker
