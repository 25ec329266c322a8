#pragma once

#include "services/logs/store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace eddy::ecs {

// What a task holds while it is not STOPPED, beyond its document: the runtime's
// containers and the awslogs lines not yet written. Kept by the service from RunTask
// to STOPPED; used on the event loop only.
struct live_task {
    struct container {
        std::string name;
        std::string runtime_id;
        bool essential = true;
        bool started = false;
        bool exited = false;
        int exit_code = -1;
        std::chrono::seconds stop_timeout{30};
        // awslogs: where the lines go, and those read since the last write. Lines that
        // arrive in one turn of the event loop are written as one batch.
        bool awslogs = false;
        std::string log_region, log_group, log_stream;
        std::vector<logs::input_event> pending;
        bool flush_posted = false;
    };

    explicit live_task(boost::asio::any_io_executor executor) : changed(executor) {}

    std::string account, region;
    std::vector<container> containers;  // in the task definition's order
    // The runtime's task networks it opened (one in awsvpc mode, one per container
    // otherwise), closed after the containers are removed.
    std::vector<std::string> networks;
    bool stopping = false;  // desiredStatus is STOPPED
    bool launched = false;  // the launch coroutine has done all it will
    bool finished = false;
    // Woken (cancelled) whenever a container exits: dependsOn COMPLETE/SUCCESS waits on it.
    boost::asio::steady_timer changed;

    container* find(const std::string& name) {
        for (auto& c : containers)
            if (c.name == name) return &c;
        return nullptr;
    }
    bool all_started_exited() const {
        for (auto& c : containers)
            if (c.started && !c.exited) return false;
        return true;
    }
};

}  // namespace eddy::ecs
