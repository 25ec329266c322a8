#pragma once

#include "core/aws_error.hpp"
#include "core/clock.hpp"
#include "core/string_map.hpp"
#include "protocol/wire.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eddy {

namespace storage {
class database;
}
namespace logs {
class store;
}
namespace runtime {
class backend;
}

class dispatcher;

// Who is asking and where: filled by the HTTP layer from the request, or by an
// internal caller (a pipe, a state machine) from its own resource's scope.
struct request_context {
    std::string account;
    std::string region;
    std::string request_id;
    std::string service;
    std::string operation;
    std::string host;  // the Host the client used, so URLs eddy hands out lead back to it
    std::string path;  // the request path (old SQS clients post to the queue's URL)
    const eddy::clock* clock = nullptr;
    dispatcher* calls = nullptr;
    // The HTTP request, when the call came over HTTP: a streamed payload (an S3 object's
    // body) is read from here rather than copied into the JSON input.
    const protocol::wire_request* wire = nullptr;
    // A streamed payload the handler answers with (an S3 object's bytes): sent as the
    // body over HTTP, given back as the payload member's text to an in-process caller.
    std::shared_ptr<const protocol::body_source> reply_payload;
    int reply_status = 0;  // when set, the HTTP status instead of the operation's own (S3's 206)
};

using json = nlohmann::json;
using handler = std::function<boost::asio::awaitable<json>(request_context&, json)>;
// Adjusts a decoded input before validation (e.g. a queue URL taken from the request path).
using input_hook = std::function<void(const request_context&, json&)>;

// A handler from a plain function, for operations that complete without waiting.
boost::asio::awaitable<json> ready(json value);
template <typename F>
handler sync_handler(F f) {
    return [f = std::move(f)](request_context& ctx, json input) { return ready(f(ctx, std::move(input))); };
}

// The table of implemented operations, by service id and operation name. Filled
// at start-up, read-only afterwards; lives as long as the server.
class dispatcher {
  public:
    void add(std::string_view service, std::string_view operation, handler h);
    const handler* find(std::string_view service, std::string_view operation) const;
    bool implements(std::string_view service) const;
    void set_input_hook(std::string_view service, input_hook hook);
    // Shutdown: services register what must end before the server can (long polls, pollers).
    void on_stop(std::function<void()> hook) { stop_hooks_.push_back(std::move(hook)); }
    void stop() {
        for (auto& h : stop_hooks_)
            h();
    }
    void apply_input_hook(const request_context& ctx, json& input) const;

    // Start-up work that must finish before the runtime removes what earlier runs left
    // (ECS reconciles its persisted tasks against those leftovers first). Run in order.
    void on_start(std::function<boost::asio::awaitable<void>()> hook) { start_hooks_.push_back(std::move(hook)); }
    boost::asio::awaitable<void> start();
    // Work for when start-up is over and the leftovers are gone (ECS readies task
    // networks for the task definitions it kept). Run in order, once.
    void on_ready(std::function<void()> hook) { ready_hooks_.push_back(std::move(hook)); }
    void ready() {
        for (auto& h : ready_hooks_)
            h();
    }

    // eddy's own HTTP endpoints beyond the AWS operations (ECS's task metadata), by
    // path prefix under /_eddy/: the answer is a JSON document, or nullopt for 404.
    using endpoint = std::function<std::optional<json>(std::string_view path)>;
    void add_endpoint(std::string_view prefix, endpoint e) {
        endpoints_.emplace_back(std::string(prefix), std::move(e));
    }
    const endpoint* find_endpoint(std::string_view path) const {
        for (auto& [prefix, e] : endpoints_)
            if (path.substr(0, prefix.size()) == prefix) return &e;
        return nullptr;
    }

    // Asks the server to accept on one more address too: the gateway of the container
    // network, once a service has made that network. Set by main; idempotent there.
    void set_listener(std::function<void(const std::string& host)> f) { listener_ = std::move(f); }
    void listen_also(const std::string& host) const {
        if (listener_) listener_(host);
    }

    // A service's own CORS rules (S3's bucket CORS configurations): for a request with an
    // Origin, the headers to answer with, or a refusal; nullopt when the request is not the
    // service's to judge, and eddy's --cors-origins apply.
    struct cors_answer {
        bool allowed = false;
        std::vector<std::pair<std::string, std::string>> headers;  // when allowed
        std::string code, message;                                 // when refused
    };
    using cors_rules = std::function<std::optional<cors_answer>(const protocol::wire_request&, bool preflight)>;
    void set_cors_rules(cors_rules rules) { cors_rules_ = std::move(rules); }
    std::optional<cors_answer> cors(const protocol::wire_request& request, bool preflight) const {
        return cors_rules_ ? cors_rules_(request, preflight) : std::nullopt;
    }

    // The port eddy listens on, once it does (0 before): URLs handed to containers use it.
    void set_port(std::uint16_t port) { port_ = port; }
    std::uint16_t port() const { return port_; }

    // In-process interfaces one service offers others beyond its operations (the
    // Kinesis streams for pipe readers, a log sink), shared by name.
    template <typename T>
    void provide(std::string_view name, std::shared_ptr<T> component) {
        components_[std::string(name)] = std::move(component);
    }
    template <typename T>
    T* component(std::string_view name) const {
        auto it = components_.find(name);
        return it == components_.end() ? nullptr : static_cast<T*>(it->second.get());
    }

    // Calls an operation in process, as another service would: the input is
    // checked against the service's model first, exactly as over HTTP.
    // Throws aws_error (NotImplemented for a modelled operation eddy lacks).
    boost::asio::awaitable<json> call(const request_context& caller, std::string_view service,
                                      std::string_view operation, json input);

  private:
    string_map<std::string, string_map<std::string, handler>> handlers_;
    string_map<std::string, input_hook> hooks_;
    std::vector<std::function<void()>> stop_hooks_;
    std::vector<std::function<boost::asio::awaitable<void>()>> start_hooks_;
    std::vector<std::function<void()>> ready_hooks_;
    std::vector<std::pair<std::string, endpoint>> endpoints_;
    std::uint16_t port_ = 0;
    std::function<void(const std::string&)> listener_;
    cors_rules cors_rules_;
    std::map<std::string, std::shared_ptr<void>, std::less<>> components_;
};

// The error for an operation the model has and eddy does not implement.
aws_error not_implemented(std::string_view service, std::string_view operation);

// What services share at start-up to register their handlers and open their stores.
struct service_env {
    storage::database& db;
    const eddy::clock& clock;
    dispatcher& calls;
    boost::asio::any_io_executor executor;  // the event loop every service runs on
    // Where containers run (Docker or host processes); nullptr when eddy was started
    // without one (unit tests), so services check before use.
    runtime::backend* runtime = nullptr;
    // CloudWatch Logs' store, set when the logs service registers (before the services
    // that write logs in process: ECS's awslogs driver, Step Functions' logging).
    std::shared_ptr<logs::store> logs = {};
    // --data-dir, or "" when eddy is ephemeral: where services keep files of their own (S3's objects).
    std::string data_dir = {};

    void on_stop(std::function<void()> hook) { calls.on_stop(std::move(hook)); }
};

}  // namespace eddy
