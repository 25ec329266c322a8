#include "core/timer.hpp"

#include <doctest/doctest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

asio::awaitable<void> wait(eddy::clock_timer& timer, eddy::clock::duration d, std::optional<bool>& result) {
    result = co_await timer.wait_for(d);
}

}  // namespace

TEST_CASE("a timer on the manual clock wakes only when the clock is moved past its deadline") {
    asio::io_context io;
    eddy::manual_clock clock;
    eddy::clock_timer timer(clock, io.get_executor());
    std::optional<bool> result;
    asio::co_spawn(io, wait(timer, 300s, result), asio::detached);
    io.poll();
    CHECK_FALSE(result.has_value());
    clock.advance(299s);
    io.poll();
    CHECK_FALSE(result.has_value());
    clock.advance(1s);
    io.poll();
    REQUIRE(result.has_value());
    CHECK(*result);
}

TEST_CASE("a cancelled timer returns false without the clock moving") {
    asio::io_context io;
    eddy::manual_clock clock;
    eddy::clock_timer timer(clock, io.get_executor());
    std::optional<bool> result;
    asio::co_spawn(io, wait(timer, 10s, result), asio::detached);
    io.poll();
    timer.cancel();
    io.poll();
    REQUIRE(result.has_value());
    CHECK_FALSE(*result);
}

TEST_CASE("a timer on the system clock sleeps for its duration") {
    asio::io_context io;
    eddy::system_clock clock;
    eddy::clock_timer timer(clock, io.get_executor());
    std::optional<bool> result;
    auto before = clock.now();
    asio::co_spawn(io, wait(timer, 20ms, result), asio::detached);
    io.run();
    REQUIRE(result.has_value());
    CHECK(*result);
    CHECK(clock.now() - before >= 20ms);
}

TEST_CASE("a timer forgets the manual clock when destroyed") {
    asio::io_context io;
    eddy::manual_clock clock;
    { eddy::clock_timer timer(clock, io.get_executor()); }
    clock.advance(1s);  // would call into the destroyed timer otherwise (ASan run)
    io.poll();
}
