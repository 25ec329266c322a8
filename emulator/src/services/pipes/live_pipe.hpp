#pragma once

#include "eventing/event_pattern.hpp"
#include "eventing/input_template.hpp"
#include "services/pipes/service.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <optional>
#include <vector>

namespace eddy::pipes {

// A running pipe: its readers' stop signal and what the pipe's definition compiles
// to (filters, templates, the variables its templates read). Made by launch(), shared
// by the pipe's reader coroutines, ended once the last of them returns after a stop.
struct live_pipe {
    explicit live_pipe(boost::asio::any_io_executor ex) : stop(ex), changed(ex) {
        stop.expires_at(boost::asio::steady_timer::time_point::max());
    }

    boost::asio::steady_timer stop;     // never fires; cancelled to stop every wait at once
    boost::asio::steady_timer changed;  // cancelled when a Kinesis shard was read to its end
    bool shard_ended = false;           // ... which is also noted, in case no one waited then
    bool stopping = false;
    int running = 0;              // reader coroutines not yet returned
    std::function<void()> ended;  // what halt() asked for once they all have
    std::vector<eventing::event_pattern> filters;
    std::optional<eventing::input_template> enrichment_template, target_template;
    eventing::variables vars;
};

// `op`'s result, or nullopt when the pipe is stopped first (op is then cancelled).
template <typename T>
boost::asio::awaitable<std::optional<T>> unless_stopped(live_pipe& live, boost::asio::awaitable<T> op) {
    using namespace boost::asio::experimental::awaitable_operators;
    if (live.stopping) co_return std::nullopt;
    auto result = co_await (std::move(op) || live.stop.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)));
    if (result.index() != 0) co_return std::nullopt;
    co_return std::move(std::get<0>(result));
}

}  // namespace eddy::pipes
