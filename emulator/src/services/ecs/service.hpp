#pragma once

#include "core/clock.hpp"
#include "services/dispatcher.hpp"
#include "services/ecs/store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace eddy::logs {
class store;
}
namespace eddy::runtime {
class backend;
}

namespace eddy::ecs {

// What a running task holds beyond its document: the runtime's containers and the
// lines awslogs has not written yet. Lives from RunTask until the task is STOPPED.
struct live_task;

// ECS: clusters, task definitions and tasks, whose containers run on eddy's
// container runtime. Documents are kept in memory, written through to the store;
// every member function runs on the event loop, so nothing is locked.
class service {
  public:
    explicit service(service_env& env);

    // ---- clusters (clusters.cpp)
    json create_cluster(request_context& ctx, const json& input);
    json describe_clusters(request_context& ctx, const json& input);
    json list_clusters(request_context& ctx, const json& input);
    json delete_cluster(request_context& ctx, const json& input);

    // ---- task definitions (task_definitions.cpp)
    json register_task_definition(request_context& ctx, const json& input);
    json describe_task_definition(request_context& ctx, const json& input);
    json list_task_definitions(request_context& ctx, const json& input);
    json list_task_definition_families(request_context& ctx, const json& input);
    json deregister_task_definition(request_context& ctx, const json& input);

    // ---- tasks (tasks.cpp)
    json run_task(request_context& ctx, const json& input);
    json describe_tasks(request_context& ctx, const json& input);
    json list_tasks(request_context& ctx, const json& input);
    json stop_task(request_context& ctx, const json& input);

    // ---- tags (handlers.cpp)
    json tag_resource(request_context& ctx, const json& input);
    json untag_resource(request_context& ctx, const json& input);
    json list_tags_for_resource(request_context& ctx, const json& input);

    // ---- the task metadata endpoint (metadata.cpp): /_eddy/ecs/metadata/<task-id>/<container>[/task]
    std::optional<json> metadata(std::string_view path);

    // Tasks that were not STOPPED when eddy last ended: their containers, if the runtime
    // still has them, are stopped, and the tasks are reported STOPPED (tasks.cpp).
    boost::asio::awaitable<void> reconcile();
    // After start-up: task definitions kept from an earlier run mean tasks are likely,
    // so the runtime readies their networks as RegisterTaskDefinition would.
    void ready();

  private:
    friend struct live_task;

    // A cluster document by name or ARN, the implicit default one included; throws
    // ClusterNotFoundException.
    json& cluster(const request_context& ctx, const json& input);
    json* find_cluster(const std::string& arn);
    std::string cluster_arn(const request_context& ctx, std::string_view name) const;
    void save_cluster(const json& doc);
    void count_tasks(json& cluster_doc) const;
    json cluster_statistics(const json& cluster_doc) const;

    // The task definition a reference names: ARN, family:revision or family (latest ACTIVE).
    json* find_task_definition(const request_context& ctx, std::string_view reference);

    json* find_task(const request_context& ctx, const std::string& cluster_arn, std::string_view reference);
    void save_task(const json& doc);
    // Forgets tasks STOPPED for more than an hour, as ECS stops showing them.
    void forget_old_tasks();
    json public_task(const json& doc) const;

    // The lifecycle of one task, from PROVISIONING to STOPPED (tasks.cpp).
    boost::asio::awaitable<void> launch(std::string task_arn);
    boost::asio::awaitable<void> stop_containers(std::string task_arn);
    void container_exited(const std::string& task_arn, const std::string& container, int exit_code,
                          const std::string& error);
    void container_health(const std::string& task_arn, std::size_t container_index, bool healthy);
    // AWS_ENDPOINT_URL_<SERVICE ID> for every service eddy serves, which the AWS SDKs read
    // before AWS_ENDPOINT_URL: a container's SDK then reaches eddy whatever it calls.
    const std::vector<std::string>& service_endpoint_variables();
    void finish(const std::string& task_arn);
    void set_status(json& task, const std::string& status);
    void flush_logs(const std::string& task_arn, std::size_t container_index);

    storage::database& db_;
    store store_;
    const eddy::clock& clock_;
    dispatcher& calls_;
    boost::asio::any_io_executor executor_;
    runtime::backend* runtime_;
    std::shared_ptr<logs::store> logs_;

    std::map<std::string, json> clusters_;                         // by ARN
    std::map<std::string, std::map<int, json>> task_definitions_;  // by "<account>/<region>/<family>", revision
    std::map<std::string, json> tasks_;                            // by ARN
    std::map<std::string, std::shared_ptr<live_task>> live_;       // by task ARN
    std::map<std::string, std::string> task_ids_;                  // task id -> ARN
    std::vector<std::string> pending_reconcile_;                   // task ARNs not STOPPED at start
    std::vector<std::string> endpoint_variables_;                  // filled on the first task's launch
};

}  // namespace eddy::ecs
