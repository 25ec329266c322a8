#pragma once

#include "core/timer.hpp"
#include "services/dispatcher.hpp"
#include "services/stepfunctions/asl/io.hpp"
#include "services/stepfunctions/execution.hpp"
#include "services/stepfunctions/store.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>

namespace eddy::stepfunctions {

// False for an `arn:aws:states:::aws-sdk:<service>:<action>` resource AWS would not recognize:
// an action the service's model (when eddy has it) lacks, or an integration pattern other than
// .waitForTaskToken. Any other resource is true.
bool sdk_resource_known(const std::string& resource);

// Runs executions: each is a coroutine on the event loop that walks the states, records the
// history AWS would, and suspends (costing nothing) on Wait, Retry intervals, callbacks and
// service calls. Times are read from eddy's clock, so a manual clock fast-forwards them.
class engine {
  public:
    engine(service_env& env, store& st);

    // Begins a new execution (its ExecutionStarted is recorded here) or picks up one a
    // restarted eddy found RUNNING in the store.
    void start(std::shared_ptr<execution> e);
    void resume(std::shared_ptr<execution> e);

    // Completes once the execution is no longer RUNNING.
    boost::asio::awaitable<void> finished(std::shared_ptr<execution> e);
    // StopExecution: ABORTED with the given error and cause.
    void stop(const std::shared_ptr<execution>& e, std::optional<std::string> error, std::optional<std::string> cause);

    // The callbacks of .waitForTaskToken tasks. Throw InvalidToken, TaskDoesNotExist, TaskTimedOut.
    void task_success(const std::string& token, const std::string& output);
    void task_failure(const std::string& token, std::string error, std::string cause);
    void task_heartbeat(const std::string& token);

    // Called when an execution ends (the service drops EXPRESS executions' tokens etc.).
    std::function<void(const std::shared_ptr<execution>&)> on_end;
    // Finds an execution by ARN (for states:startExecution.sync).
    std::function<std::shared_ptr<execution>(const std::string&)> find_execution;

    struct scope;
    struct pending_task;
    struct sync_job;
    struct thread;
    struct live;

  private:
  public:
    struct step_result {
        json output;
        json assigned = json::object();
        std::string next;
        bool end = false;
    };

  private:
    boost::asio::awaitable<void> run(std::shared_ptr<live> l, bool resuming);
    boost::asio::awaitable<json> run_machine(live& l, const asl::state_machine& sm, json input, json variables,
                                             thread& t, scope& sc, const json& map_item, checkpoint* at, bool resuming);
    boost::asio::awaitable<step_result> run_state(live& l, const asl::state& s, json input, asl::environment& env,
                                                  thread& t, scope& sc, checkpoint* at, bool resuming);
    boost::asio::awaitable<json> attempt(live& l, const asl::state& s, const json& input, asl::environment& env,
                                         thread& t, scope& sc, checkpoint* at, bool resumed, std::int64_t entered);
    boost::asio::awaitable<json> run_task(live& l, const asl::state& s, const json& input, asl::environment& env,
                                          thread& t, scope& sc, checkpoint* at, bool resumed, std::int64_t entered);
    boost::asio::awaitable<json> call_service(live& l, const std::string& service, const std::string& operation,
                                              const json& params, bool sdk_names, const std::string& error_prefix,
                                              bool http_metadata = false);
    boost::asio::awaitable<json> await_job(live& l, const sync_job& job, scope& sc, thread& t,
                                           const json& resource_fields);
    boost::asio::awaitable<json> await_token(live& l, pending_task& p, scope& sc, thread& t,
                                             const json& resource_fields);
    boost::asio::awaitable<json> run_parallel(live& l, const asl::state& s, const json& input, asl::environment& env,
                                              thread& t, scope& sc, checkpoint* at, bool resumed);
    boost::asio::awaitable<json> run_map(live& l, const asl::state& s, const json& input, asl::environment& env,
                                         thread& t, scope& sc, std::int64_t entered, checkpoint* at, bool resumed);
    boost::asio::awaitable<bool> sleep_until(scope& sc, eddy::clock::time_point at);
    boost::asio::awaitable<void> run_all(std::size_t n, std::size_t limit,
                                         std::function<boost::asio::awaitable<void>(std::size_t)> body);

    std::int64_t record(live& l, thread& t, std::string type, std::string key = {}, json details = nullptr);
    void end(live& l, std::string status, std::string event, json details);
    void save(live& l);
    void finish_strand(live& l, checkpoint* at, std::size_t i, json output);
    void fail_strands(live& l, checkpoint* at, const asl::states_error& failure);
    void mark(live& l, checkpoint* at, const asl::state& s, std::string phase, const json& input, const json& variables,
              std::int64_t entered);
    void open_log(live& l);
    void deliver(live& l, const history_event& ev);
    std::string new_token(live& l);
    pending_task* find_pending(const std::string& token);

    service_env& env_;
    store& store_;
    std::map<std::string, std::shared_ptr<live>> running_;
    std::map<std::string, pending_task*> pending_;
    std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace eddy::stepfunctions
