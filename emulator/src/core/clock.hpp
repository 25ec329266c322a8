#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>

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

    // Timers on a clock that jumps (see manual_clock) are told when it moves, so
    // they can look at the time again. The system clock never calls them.
    using subscription = std::uint64_t;
    virtual subscription on_move(std::function<void()>) const { return 0; }
    virtual void forget(subscription) const {}
};

class system_clock final : public clock {
  public:
    time_point now() const override { return std::chrono::time_point_cast<duration>(std::chrono::system_clock::now()); }
};

// A clock that only moves when told to; starts at a fixed, realistic instant.
// Moving it wakes every timer waiting on it (see core/timer.hpp).
class manual_clock final : public clock {
  public:
    explicit manual_clock(std::int64_t start_ms = 1'780'000'000'000) : now_ms_(start_ms) {}
    time_point now() const override { return time_point(duration(now_ms_.load())); }
    void advance(duration d) {
        now_ms_ += d.count();
        moved();
    }
    void set(time_point t) {
        now_ms_ = t.time_since_epoch().count();
        moved();
    }

    subscription on_move(std::function<void()> f) const override {
        listeners_.emplace(++last_, std::move(f));
        return last_;
    }
    void forget(subscription s) const override { listeners_.erase(s); }

  private:
    void moved() {
        // A listener may forget itself (or others) while being told.
        auto copy = listeners_;
        for (auto& [id, f] : copy)
            if (listeners_.count(id)) f();
    }

    std::atomic<std::int64_t> now_ms_;
    mutable std::map<subscription, std::function<void()>> listeners_;
    mutable subscription last_ = 0;
};

}  // namespace eddy
