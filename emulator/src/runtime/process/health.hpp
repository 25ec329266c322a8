#pragma once

// Health checks of containers that run as host processes: the check command runs as
// one more host process, and its results reach a verdict the way Docker's health
// monitor reaches one, so a task definition's healthCheck means the same on both runtimes.
#include "runtime/runtime.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <sys/types.h>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace eddy::runtime::process {

// The verdict of one container's health check, fed one probe result at a time.
// Docker's rules: a pass makes it healthy and clears the failure streak; a failure
// counts unless the container is still starting within its start period; `retries`
// counted failures in a row make it unhealthy.
class health_state {
  public:
    health_state(int retries, std::chrono::steady_clock::time_point start_period_end)
        : retries_(retries), start_period_end_(start_period_end) {}
    // Records a probe's result; returns the verdict (true: healthy) when it changed.
    std::optional<bool> record(bool passed, std::chrono::steady_clock::time_point now);

  private:
    enum class status { starting, healthy, unhealthy } status_ = status::starting;
    int retries_;
    std::chrono::steady_clock::time_point start_period_end_;
    int failures_ = 0;
};

// Runs the check's command once as a host process (CMD: its argv, found on `path`;
// CMD-SHELL: /bin/sh -c) with the container's environment and no output kept; true
// when it exits 0 within the check's timeout. A probe that overruns is killed, with
// anything it started. `*running` holds the probe's pid while it runs (-1 otherwise),
// so its container's end can kill it.
boost::asio::awaitable<bool> run_probe(boost::asio::any_io_executor ex, const health_check& check,
                                       std::vector<std::string> environment, std::string path,
                                       std::shared_ptr<pid_t> running);

}  // namespace eddy::runtime::process
