// Clusters: a name scoped to account and region. `default` exists without CreateCluster,
// as in every AWS region, so RunTask without a cluster works from the start.
#include "core/ids.hpp"
#include "services/ecs/errors.hpp"
#include "services/ecs/service.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace eddy::ecs {

namespace {

bool valid_cluster_name(const std::string& name) {
    return !name.empty() && name.size() <= 255 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

json new_cluster(const std::string& arn, const std::string& name) {
    json doc = {{"clusterArn", arn},
                {"clusterName", name},
                {"status", "ACTIVE"},
                {"registeredContainerInstancesCount", 0},
                {"runningTasksCount", 0},
                {"pendingTasksCount", 0},
                {"activeServicesCount", 0},
                {"statistics", json::array()},
                {"tags", json::array()},
                {"settings", json::array({{{"name", "containerInsights"}, {"value", "disabled"}}})},
                {"capacityProviders", json::array()},
                {"defaultCapacityProviderStrategy", json::array()}};
    return doc;
}

// The name a `cluster` member gives: a short name or a cluster ARN.
std::string cluster_name_of(const std::string& reference) {
    auto slash = reference.rfind(":cluster/");
    return slash == std::string::npos ? reference : reference.substr(slash + 9);
}

}  // namespace

std::string service::cluster_arn(const request_context& ctx, std::string_view name) const {
    return make_arn("ecs", ctx.region, ctx.account, "cluster/" + std::string(name));
}

void service::save_cluster(const json& doc) {
    json stored = doc;
    stored.erase("runningTasksCount");
    stored.erase("pendingTasksCount");
    store_.put("cluster", doc["clusterArn"].get<std::string>(), stored);
}

json* service::find_cluster(const std::string& arn) {
    auto it = clusters_.find(arn);
    if (it != clusters_.end()) return &it->second;
    // The default cluster comes into being the first time anyone looks for it.
    if (arn.size() > 16 && arn.ends_with(":cluster/default")) {
        auto& doc = clusters_[arn] = new_cluster(arn, "default");
        save_cluster(doc);
        return &doc;
    }
    return nullptr;
}

json& service::cluster(const request_context& ctx, const json& input) {
    std::string name = cluster_name_of(input.value("cluster", std::string("default")));
    auto* doc = find_cluster(cluster_arn(ctx, name));
    if (!doc || (*doc)["status"] != "ACTIVE") throw cluster_not_found();
    return *doc;
}

void service::count_tasks(json& doc) const {
    int running = 0, pending = 0;
    auto& arn = doc["clusterArn"].get_ref<const std::string&>();
    for (auto& [task_arn, task] : tasks_) {
        if (task["clusterArn"] != arn) continue;
        auto& status = task["lastStatus"].get_ref<const std::string&>();
        if (status == "RUNNING")
            ++running;
        else if (status == "PROVISIONING" || status == "PENDING" || status == "ACTIVATING")
            ++pending;
    }
    doc["runningTasksCount"] = running;
    doc["pendingTasksCount"] = pending;
}

// DescribeClusters' STATISTICS: task counts by launch type (and service counts, none
// while eddy has no services), as name/value strings.
json service::cluster_statistics(const json& doc) const {
    std::map<std::string, int> counts;
    for (const char* state : {"running", "pending"})
        for (const char* type : {"EC2", "Fargate"})
            counts[std::string(state) + type + "TasksCount"] = 0;
    for (const char* state : {"active", "draining"})
        for (const char* type : {"EC2", "Fargate"})
            counts[std::string(state) + type + "ServiceCount"] = 0;
    for (auto& [task_arn, task] : tasks_) {
        if (task["clusterArn"] != doc["clusterArn"]) continue;
        auto& status = task["lastStatus"].get_ref<const std::string&>();
        std::string type = task["launchType"] == "FARGATE" ? "Fargate" : "EC2";
        if (status == "RUNNING")
            ++counts["running" + type + "TasksCount"];
        else if (status == "PROVISIONING" || status == "PENDING" || status == "ACTIVATING")
            ++counts["pending" + type + "TasksCount"];
    }
    json out = json::array();
    for (auto& [name, count] : counts)
        out.push_back({{"name", name}, {"value", std::to_string(count)}});
    return out;
}

json service::create_cluster(request_context& ctx, const json& input) {
    std::string name = input.value("clusterName", std::string("default"));
    if (!valid_cluster_name(name))
        throw invalid_parameter(
            "Cluster name can only contain alphanumeric characters, hyphens, and underscores "
            "and must be between 1 and 255 characters.");
    auto arn = cluster_arn(ctx, name);
    auto* existing = find_cluster(arn);
    if (existing && (*existing)["status"] == "ACTIVE") {
        count_tasks(*existing);
        return {{"cluster", *existing}};
    }
    json doc = new_cluster(arn, name);
    if (input.contains("tags")) doc["tags"] = input["tags"];
    if (input.contains("settings")) doc["settings"] = input["settings"];
    if (input.contains("configuration")) doc["configuration"] = input["configuration"];
    if (input.contains("capacityProviders")) doc["capacityProviders"] = input["capacityProviders"];
    clusters_[arn] = doc;
    save_cluster(doc);
    return {{"cluster", doc}};
}

json service::describe_clusters(request_context& ctx, const json& input) {
    json clusters = json::array(), failures = json::array();
    std::vector<std::string> names;
    if (input.contains("clusters"))
        for (auto& c : input["clusters"])
            names.push_back(c.get<std::string>());
    else
        names.emplace_back("default");
    std::set<std::string> include;
    if (input.contains("include"))
        for (auto& i : input["include"])
            include.insert(i.get<std::string>());
    for (auto& reference : names) {
        auto arn = cluster_arn(ctx, cluster_name_of(reference));
        auto* doc = find_cluster(arn);
        if (!doc) {
            failures.push_back({{"arn", arn}, {"reason", "MISSING"}});
            continue;
        }
        count_tasks(*doc);
        json out = *doc;
        // Tags, settings and statistics are shown only when asked for.
        if (!include.count("TAGS")) out.erase("tags");
        if (!include.count("SETTINGS")) out.erase("settings");
        if (include.count("STATISTICS")) out["statistics"] = cluster_statistics(*doc);
        clusters.push_back(std::move(out));
    }
    return {{"clusters", clusters}, {"failures", failures}};
}

json service::list_clusters(request_context& ctx, const json& input) {
    find_cluster(cluster_arn(ctx, "default"));
    std::vector<std::string> arns;
    auto prefix = make_arn("ecs", ctx.region, ctx.account, "cluster/");
    for (auto& [arn, doc] : clusters_)
        if (arn.starts_with(prefix) && doc["status"] == "ACTIVE") arns.push_back(arn);
    std::size_t from = 0;
    if (input.contains("nextToken")) {
        try {
            from = std::stoul(input["nextToken"].get<std::string>());
        } catch (const std::exception&) {
            throw invalid_parameter("Invalid token");
        }
    }
    std::size_t limit = input.value("maxResults", 100);
    json out = {{"clusterArns", json::array()}};
    for (std::size_t i = from; i < arns.size() && i < from + limit; ++i)
        out["clusterArns"].push_back(arns[i]);
    if (from + limit < arns.size()) out["nextToken"] = std::to_string(from + limit);
    return out;
}

json service::delete_cluster(request_context& ctx, const json& input) {
    auto& doc = cluster(ctx, input);
    count_tasks(doc);
    if (doc["runningTasksCount"].get<int>() + doc["pendingTasksCount"].get<int>() > 0)
        throw aws_error("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.");
    doc["status"] = "INACTIVE";
    save_cluster(doc);
    return {{"cluster", doc}};
}

}  // namespace eddy::ecs
