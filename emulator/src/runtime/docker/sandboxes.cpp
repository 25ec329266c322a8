#include "runtime/docker/sandboxes.hpp"

#include "core/digest.hpp"
#include "core/log.hpp"
#include "runtime/docker/tar.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <random>

// GCC 12 misreads Asio's recycled coroutine frames as mismatched new/delete once inlined.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

extern "C" const char eddy_pause_begin[];  // emulator/pause, linked in by pause_blob.S
extern "C" const char eddy_pause_end[];

namespace eddy::runtime::docker {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

std::string_view pause_binary() {
    return {eddy_pause_begin, static_cast<std::size_t>(eddy_pause_end - eddy_pause_begin)};
}

std::string random_suffix() {
    static std::mt19937_64 rng{std::random_device{}()};
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 12; ++i)
        s += digits[rng() % 16];
    return s;
}

}  // namespace

sandboxes::sandboxes(asio::any_io_executor ex, engine_client& client, std::string name_prefix, json labels)
    : ex_(std::move(ex)), client_(client), name_prefix_(std::move(name_prefix)), labels_(std::move(labels)) {
    labels_["eddy.role"] = "task-network";
}

std::string sandboxes::image() {
    // Tagged by content: a changed binary is a new image, never a stale one reused.
    static const std::string name = "eddy/pause:" + sha256::hex(pause_binary()).substr(0, 16);
    return name;
}

void sandboxes::warm_up(const std::string& network) {
    if (filling_ || stopping_ || ready_.size() >= ready_target) return;
    filling_ = true;
    asio::co_spawn(ex_, fill(network), asio::detached);
}

asio::awaitable<void> sandboxes::fill(std::string network) {
    auto alive = alive_;
    try {
        while (!stopping_ && ready_.size() < ready_target) {
            auto made = co_await create(network);
            if (stopping_) {
                co_await release(made.id);
                break;
            }
            ready_.push_back(std::move(made));
        }
    } catch (const std::exception& e) {
        // Tasks then create their sandboxes as they start; nothing is lost but time.
        if (*alive) log::warn(std::string("runtime: cannot keep task networks ready: ") + e.what());
    }
    if (*alive) filling_ = false;
}

asio::awaitable<task_network> sandboxes::take(std::string network) {
    if (stopping_) throw error(error::kind::engine, "eddy is shutting down");
    task_network out;
    if (!ready_.empty()) {
        out = std::move(ready_.front());
        ready_.pop_front();
    } else {
        out = co_await create(network);
    }
    co_return out;
}

void sandboxes::died(const std::string& id) {
    auto it = std::find_if(ready_.begin(), ready_.end(), [&](const task_network& n) { return n.id == id; });
    if (it == ready_.end()) return;
    ready_.erase(it);
    asio::co_spawn(ex_, release(id), asio::detached);
}

asio::awaitable<void> sandboxes::release(std::string id) {
    all_.erase(id);
    auto r = co_await client_.request("DELETE", "/containers/" + url_encode(id) + "?force=1&v=1");
    if (r.status != 204 && r.status != 404)
        throw error(error::kind::engine, "cannot remove task network " + id + ": " + r.message());
}

asio::awaitable<void> sandboxes::shutdown() {
    stopping_ = true;
    ready_.clear();
    auto ids = all_;
    for (auto& id : ids)
        try {
            co_await release(id);
        } catch (const std::exception& e) {
            log::warn(std::string("runtime: ") + e.what());
        }
}

// Imports eddy/pause from the embedded binary when the engine lacks it: once per
// engine, since the image stays (like the images of tasks).
asio::awaitable<void> sandboxes::ensure_image() {
    while (image_busy_) {
        asio::steady_timer wake(ex_, std::chrono::milliseconds(10));
        co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (image_ready_) co_return;
    image_busy_ = true;
    struct release_flag {
        bool& busy;
        ~release_flag() { busy = false; }
    } guard{image_busy_};
    auto name = image();
    auto colon = name.rfind(':');
    auto found = co_await client_.request("GET", "/images/" + name + "/json");  // [a-z0-9/:] only
    if (found.status == 404) {
        auto r = co_await client_.upload("POST",
                                         "/images/create?fromSrc=-&repo=" + url_encode(name.substr(0, colon)) +
                                             "&tag=" + url_encode(name.substr(colon + 1)),
                                         tar_one_file("pause", pause_binary(), 0755), "application/x-tar");
        // The engine answers 200 and reports a failed import inside its progress stream.
        if (r.status != 200 || r.body.find("\"error") != std::string::npos)
            throw error(error::kind::engine, "cannot import " + name + ": " + r.body);
        found = co_await client_.request("GET", "/images/" + name + "/json");
    }
    if (found.status != 200) throw error(error::kind::engine, "cannot inspect " + name + ": " + found.message());
    image_ready_ = true;
}

// Checks `alive` after each engine call: a background fill may outlive the backend.
asio::awaitable<task_network> sandboxes::create(std::string network) {
    auto alive = alive_;
    auto gone = [&] { return error(error::kind::engine, "eddy's runtime has shut down"); };
    co_await ensure_image();
    if (!*alive) throw gone();
    json body;
    body["Image"] = image();
    body["Cmd"] = json::array({"/pause"});
    body["Labels"] = labels_;
    body["StopTimeout"] = 1;
    json host;
    host["NetworkMode"] = network;
    host["LogConfig"] = {{"Type", "none"}, {"Config", json::object()}};
    body["HostConfig"] = host;
    auto name = name_prefix_ + random_suffix();
    auto c = co_await client_.request("POST", "/containers/create?name=" + url_encode(name), &body);
    if (!*alive) throw gone();
    if (c.status != 201) throw error(error::kind::engine, "cannot create a task network: " + c.message());
    task_network made;
    made.id = c.json().value("Id", "");
    all_.insert(made.id);
    auto s = co_await client_.request("POST", "/containers/" + made.id + "/start");
    if (!*alive) throw gone();
    if (s.status != 204 && s.status != 304) {
        co_await release(made.id);
        throw error(error::kind::engine, "cannot start a task network: " + s.message());
    }
    auto i = co_await client_.request("GET", "/containers/" + made.id + "/json");
    if (!*alive) throw gone();
    if (i.status == 200) {
        auto j = i.json();
        auto& nets = j["NetworkSettings"]["Networks"];
        if (nets.is_object() && nets.contains(network)) made.ip = nets[network].value("IPAddress", "");
    }
    if (made.ip.empty()) {
        co_await release(made.id);
        throw error(error::kind::engine, "a task network got no address on " + network);
    }
    co_return made;
}

}  // namespace eddy::runtime::docker
