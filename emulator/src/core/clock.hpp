#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace eddy {

// Where eddy reads the time. Every timer and timestamp goes through one of
// these so tests can move time by hand. Lives as long as the server.
class clock {
  public:
    using duration = std::chrono::milliseconds;
    using time_point = std::chrono::time_point<std::chrono::system_clock, duration>;

    virtual ~clock() = default;
    virtual time_point now() const = 0;

    std::int64_t now_ms() const { return now().time_since_epoch().count(); }
    double now_seconds() const { return static_cast<double>(now_ms()) / 1000.0; }
};

class system_clock final : public clock {
  public:
    time_point now() const override { return std::chrono::time_point_cast<duration>(std::chrono::system_clock::now()); }
};

// A clock that only moves when told to; starts at a fixed, realistic instant.
class manual_clock final : public clock {
  public:
    explicit manual_clock(std::int64_t start_ms = 1'780'000'000'000) : now_ms_(start_ms) {}
    time_point now() const override { return time_point(duration(now_ms_.load())); }
    void advance(duration d) { now_ms_ += d.count(); }
    void set(time_point t) { now_ms_ = t.time_since_epoch().count(); }

  private:
    std::atomic<std::int64_t> now_ms_;
};

}  // namespace eddy
