#pragma once

#include "eventing/sources.hpp"
#include "services/dispatcher.hpp"
#include "services/pipes/store.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace eddy::pipes {

// What one pipe runs while RUNNING: the coroutines reading its source (one, or one per
// Kinesis shard) and the signal that stops them. Lives from the pipe's start until its
// readers have ended after stop().
struct live_pipe;

// EventBridge Pipes: the API over the pipes (handlers.cpp) and the pipes that run
// (runner.cpp: sources, filters, enrichment; targets.cpp: targets, logging). Pipes are
// kept in memory and written through to the store; everything runs on the event loop,
// so nothing is locked. Lives as long as the server.
class service {
  public:
    explicit service(service_env& env);

    // ---- the API (handlers.cpp); CreatePipe and UpdatePipe first ask Step Functions
    // about the state machines the pipe names
    boost::asio::awaitable<json> create_pipe_checked(request_context& ctx, json input);
    boost::asio::awaitable<json> update_pipe_checked(request_context& ctx, json input);
    json create_pipe(request_context& ctx, const json& input);
    json describe_pipe(request_context& ctx, const json& input);
    json update_pipe(request_context& ctx, const json& input);
    json delete_pipe(request_context& ctx, const json& input);
    json list_pipes(request_context& ctx, const json& input);
    json start_pipe(request_context& ctx, const json& input);
    json stop_pipe(request_context& ctx, const json& input);
    json tag_resource(request_context& ctx, const json& input);
    json untag_resource(request_context& ctx, const json& input);
    json list_tags_for_resource(request_context& ctx, const json& input);

    boost::asio::awaitable<void> check_state_machines(const request_context& ctx, const json& spec);

    // ---- the runtime (runner.cpp)
    // Loads the pipes a data directory kept, before any request can name them (at start-up);
    // start_restored() starts those that ran, once the services they read are ready.
    void restore();
    void start_restored();
    void stop_all();

  private:
    // Starts `p`'s readers; `starting` is its state until the source and target are found,
    // `failed` the one it takes when they are not.
    void launch(const std::shared_ptr<pipe>& p, const std::string& failed);
    // Stops `p`'s readers, then calls `done` (at once when none run).
    void halt(const std::shared_ptr<pipe>& p, std::function<void()> done);
    void save(const pipe& p) { store_.put(p); }

    boost::asio::awaitable<void> run(std::shared_ptr<pipe> p, std::shared_ptr<live_pipe> live, std::string failed);
    boost::asio::awaitable<void> run_sqs(std::shared_ptr<pipe> p, std::shared_ptr<live_pipe> live);
    boost::asio::awaitable<void> run_kinesis(std::shared_ptr<pipe> p, std::shared_ptr<live_pipe> live);
    boost::asio::awaitable<void> run_shard(std::shared_ptr<pipe> p, std::shared_ptr<live_pipe> live,
                                           std::string shard_id, kinesis::reader::start from);
    // A stream batch to the target with AWS's retries: partial failures retried from the
    // first failed record, halves on AUTOMATIC_BISECT, records past MaximumRecordAgeInSeconds
    // or MaximumRetryAttempts to the dead-letter queue. False when the pipe stopped first.
    boost::asio::awaitable<bool> deliver_stream(std::shared_ptr<pipe> p, std::shared_ptr<live_pipe> live,
                                                const std::string& shard_id,
                                                const eventing::kinesis_shard_reader::batch& batch);
    // A stream batch split by partition key into ParallelizationFactor lanes delivered at once.
    boost::asio::awaitable<bool> deliver_lanes(std::shared_ptr<pipe> p, std::shared_ptr<live_pipe> live,
                                               const std::string& shard_id,
                                               const eventing::kinesis_shard_reader::batch& batch);
    boost::asio::awaitable<void> dead_letter(const pipe& p, const std::string& shard_id,
                                             const eventing::kinesis_shard_reader::batch& batch, int attempts,
                                             const std::string& condition);

    // ---- one batch through filters, enrichment and target (targets.cpp): the indexes of
    // the records that failed (filtered-out ones count as handled)
    boost::asio::awaitable<std::vector<std::size_t>> deliver(const pipe& p, const live_pipe& live, const json& records);
    boost::asio::awaitable<std::vector<std::size_t>> invoke_target(const pipe& p, const live_pipe& live,
                                                                   const eventing::variables& vars, const json& events,
                                                                   std::string& error);
    boost::asio::awaitable<void> write_log(const pipe& p, const std::string& level, const std::string& type,
                                           const std::string& execution_id, json extra = json::object());

    request_context scope(const pipe& p) const;
    std::shared_ptr<pipe> find(const request_context& ctx, const std::string& name);

    service_env& env_;
    store store_;
    std::map<std::string, std::shared_ptr<pipe>> pipes_;  // by ARN
    std::map<std::string, std::shared_ptr<live_pipe>> live_;
    struct restored {
        std::shared_ptr<pipe> p;
        std::int64_t modified_ms;
        std::string failed;
    };
    std::vector<restored> restored_;
    bool stopping_ = false;
};

}  // namespace eddy::pipes
