#pragma once

#include "services/logs/store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <optional>
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
        double started_at = 0;  // eddy's clock, seconds
        std::chrono::seconds stop_timeout{30};
        // dependsOn COMPLETE, SUCCESS and HEALTHY on this container give up this long after
        // it started; none: they wait as long as the task does.
        std::optional<std::chrono::seconds> start_timeout;
        bool health_checked = false;     // its definition has a healthCheck
        std::string health = "UNKNOWN";  // HEALTHY or UNHEALTHY once the check has a verdict
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
    // Woken (cancelled) whenever a container exits or changes health, and at StopTask:
    // dependsOn COMPLETE/SUCCESS/HEALTHY waits on it.
    boost::asio::steady_timer changed;

    container* find(const std::string& name) {
        for (auto& c : containers)
            if (c.name == name) return &c;
        return nullptr;
    }
    // The task's healthStatus: UNHEALTHY if any essential container with a health check
    // is, else UNKNOWN if any of them has no verdict yet (or there is none), else HEALTHY.
    std::string health() const {
        bool any = false, unknown = false;
        for (auto& c : containers) {
            if (!c.essential || !c.health_checked) continue;
            any = true;
            if (c.health == "UNHEALTHY") return "UNHEALTHY";
            if (c.health != "HEALTHY") unknown = true;
        }
        return !any || unknown ? "UNKNOWN" : "HEALTHY";
    }
    bool all_started_exited() const {
        for (auto& c : containers)
            if (c.started && !c.exited) return false;
        return true;
    }
};

}  // namespace eddy::ecs
