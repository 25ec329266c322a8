// ECS operations: registration, the service's start-up, and tags. The operations
// themselves live by resource in clusters.cpp, task_definitions.cpp and tasks.cpp.
#include "core/ids.hpp"
#include "services/ecs/errors.hpp"
#include "services/ecs/live_task.hpp"
#include "services/ecs/service.hpp"
#include "services/registry.hpp"

namespace eddy::ecs {

service::service(service_env& env)
    : db_(env.db),
      store_(env.db),
      clock_(env.clock),
      calls_(env.calls),
      executor_(env.executor),
      runtime_(env.runtime),
      logs_(env.logs) {
    store_.each("cluster", [&](json& doc) { clusters_[doc["clusterArn"].get<std::string>()] = doc; });
    store_.each("task-definition", [&](json& doc) {
        arn_parts parts;
        parse_arn(doc["taskDefinitionArn"].get<std::string>(), parts);
        task_definitions_[parts.account + "/" + parts.region + "/" + doc["family"].get<std::string>()]
                         [doc["revision"].get<int>()] = doc;
    });
    store_.each("task", [&](json& doc) {
        auto arn = doc["taskArn"].get<std::string>();
        task_ids_[arn.substr(arn.rfind('/') + 1)] = arn;
        if (doc["lastStatus"] != "STOPPED") pending_reconcile_.push_back(arn);
        tasks_[arn] = std::move(doc);
    });
}

namespace {

// Which document an ARN names, for the tag operations.
json* tagged(std::map<std::string, json>& clusters, std::map<std::string, json>& tasks,
             std::map<std::string, std::map<int, json>>& definitions, const std::string& arn) {
    if (auto it = clusters.find(arn); it != clusters.end()) return &it->second;
    if (auto it = tasks.find(arn); it != tasks.end()) return &it->second;
    arn_parts parts;
    if (parse_arn(arn, parts) && parts.resource.starts_with("task-definition/")) {
        auto ref = parts.resource.substr(16);
        auto colon = ref.rfind(':');
        if (colon == std::string::npos) return nullptr;
        auto it = definitions.find(parts.account + "/" + parts.region + "/" + ref.substr(0, colon));
        if (it == definitions.end()) return nullptr;
        try {
            auto r = it->second.find(std::stoi(ref.substr(colon + 1)));
            return r == it->second.end() ? nullptr : &r->second;
        } catch (const std::exception&) {
            return nullptr;
        }
    }
    return nullptr;
}

std::string kind_of(const json& doc) {
    if (doc.contains("clusterName")) return "cluster";
    if (doc.contains("taskDefinitionArn") && !doc.contains("taskArn")) return "task-definition";
    return "task";
}

std::string arn_of(const json& doc) {
    for (const char* member : {"taskArn", "clusterArn", "taskDefinitionArn"})
        if (doc.contains(member)) return doc[member];
    return {};
}

}  // namespace

json service::tag_resource(request_context&, const json& input) {
    auto arn = input["resourceArn"].get<std::string>();
    auto* doc = tagged(clusters_, tasks_, task_definitions_, arn);
    if (!doc) throw invalid_parameter("The specified resource is not found.");
    auto& tags = (*doc)["tags"];
    if (!tags.is_array()) tags = json::array();
    for (auto& t : input["tags"]) {
        bool replaced = false;
        for (auto& existing : tags)
            if (existing["key"] == t["key"]) {
                existing["value"] = t.value("value", std::string());
                replaced = true;
            }
        if (!replaced) tags.push_back(t);
    }
    if (tags.size() > 50) throw invalid_parameter("The maximum number of tags for a resource is 50.");
    store_.put(kind_of(*doc), arn_of(*doc), *doc);
    return json::object();
}

json service::untag_resource(request_context&, const json& input) {
    auto arn = input["resourceArn"].get<std::string>();
    auto* doc = tagged(clusters_, tasks_, task_definitions_, arn);
    if (!doc) throw invalid_parameter("The specified resource is not found.");
    auto& tags = (*doc)["tags"];
    json kept = json::array();
    for (auto& t : tags) {
        bool drop = false;
        for (auto& k : input["tagKeys"])
            drop = drop || t["key"] == k;
        if (!drop) kept.push_back(t);
    }
    tags = kept;
    store_.put(kind_of(*doc), arn_of(*doc), *doc);
    return json::object();
}

json service::list_tags_for_resource(request_context&, const json& input) {
    auto* doc = tagged(clusters_, tasks_, task_definitions_, input["resourceArn"].get<std::string>());
    if (!doc) throw invalid_parameter("The specified resource is not found.");
    return {{"tags", doc->value("tags", json::array())}};
}

void register_handlers(service_env& env) {
    auto svc = std::make_shared<service>(env);
    auto add = [&](const char* op, json (service::*fn)(request_context&, const json&)) {
        env.calls.add("ecs", op,
                      sync_handler([svc, fn](request_context& ctx, const json& in) { return ((*svc).*fn)(ctx, in); }));
    };
    add("CreateCluster", &service::create_cluster);
    add("DescribeClusters", &service::describe_clusters);
    add("ListClusters", &service::list_clusters);
    add("DeleteCluster", &service::delete_cluster);
    add("RegisterTaskDefinition", &service::register_task_definition);
    add("DescribeTaskDefinition", &service::describe_task_definition);
    add("ListTaskDefinitions", &service::list_task_definitions);
    add("ListTaskDefinitionFamilies", &service::list_task_definition_families);
    add("DeregisterTaskDefinition", &service::deregister_task_definition);
    add("RunTask", &service::run_task);
    add("DescribeTasks", &service::describe_tasks);
    add("ListTasks", &service::list_tasks);
    add("StopTask", &service::stop_task);
    add("TagResource", &service::tag_resource);
    add("UntagResource", &service::untag_resource);
    add("ListTagsForResource", &service::list_tags_for_resource);
    env.calls.add_endpoint("/_eddy/ecs/metadata/", [svc](std::string_view path) { return svc->metadata(path); });
    env.calls.on_start([svc]() { return svc->reconcile(); });
    env.calls.on_ready([svc] { svc->ready(); });
}

}  // namespace eddy::ecs
