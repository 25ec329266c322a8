#pragma once

#include "runtime/docker/client.hpp"
#include "runtime/event.hpp"
#include "runtime/runtime.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include <deque>
#include <memory>
#include <set>
#include <string>

namespace eddy::runtime::docker {

// Task networks on the Docker backend. Each is a sandbox: a container of the image
// eddy/pause (emulator/pause, embedded in eddy and imported on first use) that owns a
// network namespace with an address on eddy's network, as the pause container of an
// ECS awsvpc task does; the task's containers join it ("container:<id>").
//
// Giving a container its own endpoint on a bridge network costs the engine about
// half a second of its start (the veth pair, the address, the libnetwork prestart
// hook that re-executes dockerd); joining a running namespace skips all of it. So a
// few sandboxes are kept started ahead of RunTask, and those taken are replaced in
// the background. Lives on the backend's io_context; not thread-safe.
class sandboxes {
  public:
    // `labels` go on every sandbox (the backend's own eddy.* labels); sandbox names
    // are `<name_prefix><random>`.
    sandboxes(boost::asio::any_io_executor ex, engine_client& client, std::string name_prefix, nlohmann::json labels);
    ~sandboxes() { *alive_ = false; }

    // Starts keeping `ready_target` sandboxes on `network` (no-op once started).
    void warm_up(const std::string& network);
    // A started sandbox: a ready one when there is one, else a new one. The pool is
    // refilled by the next warm_up(), not here: a refill started now would compete
    // with the engine starting the task's own containers.
    boost::asio::awaitable<task_network> take(std::string network);
    // A container ended: if it was a ready sandbox, it is no longer handed out.
    void died(const std::string& id);
    // Removes a sandbox (its task's containers are gone).
    boost::asio::awaitable<void> release(std::string id);
    // Removes every sandbox, ready or in use; no new ones are made after it.
    boost::asio::awaitable<void> shutdown();

    // The image eddy/pause:<digest of the embedded binary>.
    static std::string image();

    static constexpr std::size_t ready_target = 2;

  private:
    boost::asio::awaitable<void> ensure_image();
    boost::asio::awaitable<task_network> create(std::string network);
    boost::asio::awaitable<void> fill(std::string network);

    boost::asio::any_io_executor ex_;
    engine_client& client_;
    std::string name_prefix_;
    nlohmann::json labels_;
    std::deque<task_network> ready_;
    std::set<std::string> all_;  // ready and in use
    bool filling_ = false;
    bool image_busy_ = false;
    bool image_ready_ = false;
    bool stopping_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace eddy::runtime::docker
