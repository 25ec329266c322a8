// The task metadata endpoint (version 4) a task's containers find in
// ECS_CONTAINER_METADATA_URI_V4: GET <uri> describes the container, GET <uri>/task
// the task with all its containers, in the shape the ECS agent serves.
#include "core/ids.hpp"
#include "services/ecs/live_task.hpp"
#include "services/ecs/service.hpp"

namespace eddy::ecs {

namespace {

json iso(const json& task, const char* member) {
    if (!task.contains(member)) return nullptr;
    return format_iso8601(static_cast<std::int64_t>(task[member].get<double>() * 1000.0));
}

double number_of(const json& v) {
    if (v.is_number()) return v.get<double>();
    try {
        return std::stod(v.get<std::string>());
    } catch (const std::exception&) {
        return 0;
    }
}

json container_metadata(const json& task, const json& definition, const json& container) {
    auto name = container["name"].get<std::string>();
    json d = json::object();
    for (auto& c : definition["containerDefinitions"])
        if (c["name"] == name) d = c;
    auto known = container["lastStatus"].get<std::string>();
    json out = {{"DockerId", container.value("runtimeId", std::string())},
                {"Name", name},
                {"DockerName", "ecs-" + definition["family"].get<std::string>() + "-" +
                                   std::to_string(definition["revision"].get<int>()) + "-" + name},
                {"Image", container["image"]},
                {"ImageID", ""},
                {"Labels",
                 {{"com.amazonaws.ecs.cluster", task["clusterArn"]},
                  {"com.amazonaws.ecs.container-name", name},
                  {"com.amazonaws.ecs.task-arn", task["taskArn"]},
                  {"com.amazonaws.ecs.task-definition-family", definition["family"]},
                  {"com.amazonaws.ecs.task-definition-version", std::to_string(definition["revision"].get<int>())}}},
                {"DesiredStatus", task["desiredStatus"]},
                {"KnownStatus", known},
                {"Limits", {{"CPU", number_of(container.value("cpu", json("0")))}}},
                {"CreatedAt", iso(task, "createdAt")},
                {"StartedAt", iso(task, "startedAt")},
                {"Type", "NORMAL"},
                {"ContainerARN", container["containerArn"]},
                {"Networks", json::array()}};
    if (container.contains("memory")) out["Limits"]["Memory"] = number_of(container["memory"]);
    if (container.contains("exitCode")) out["ExitCode"] = container["exitCode"];
    if (d.contains("logConfiguration")) {
        out["LogDriver"] = d["logConfiguration"].value("logDriver", std::string());
        out["LogOptions"] = d["logConfiguration"].value("options", json::object());
    }
    for (auto& nic : container["networkInterfaces"])
        out["Networks"].push_back({{"NetworkMode", definition.value("networkMode", std::string("awsvpc"))},
                                   {"IPv4Addresses", json::array({nic["privateIpv4Address"]})},
                                   {"AttachmentIndex", 0}});
    return out;
}

}  // namespace

std::optional<json> service::metadata(std::string_view path) {
    // /_eddy/ecs/metadata/<task-id>/<container>[/task]
    path.remove_prefix(std::string_view("/_eddy/ecs/metadata/").size());
    auto slash = path.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto id = std::string(path.substr(0, slash));
    auto rest = path.substr(slash + 1);
    bool whole_task = rest.ends_with("/task");
    auto name = std::string(whole_task ? rest.substr(0, rest.size() - 5) : rest);
    auto it = task_ids_.find(id);
    if (it == task_ids_.end()) return std::nullopt;
    auto& task = tasks_.at(it->second);
    arn_parts parts;
    parse_arn(task["taskArn"].get<std::string>(), parts);
    request_context scope;
    scope.account = parts.account;
    scope.region = parts.region;
    auto* definition = find_task_definition(scope, task["taskDefinitionArn"].get<std::string>());
    if (!definition) return std::nullopt;
    const json* container = nullptr;
    for (auto& c : task["containers"])
        if (c["name"] == name) container = &c;
    if (!container) return std::nullopt;
    if (!whole_task) return container_metadata(task, *definition, *container);

    auto cluster = task["clusterArn"].get<std::string>();
    json out = {{"Cluster", cluster},
                {"TaskARN", task["taskArn"]},
                {"Family", (*definition)["family"]},
                {"Revision", std::to_string((*definition)["revision"].get<int>())},
                {"DesiredStatus", task["desiredStatus"]},
                {"KnownStatus", task["lastStatus"]},
                {"Limits", json::object()},
                {"PullStartedAt", iso(task, "pullStartedAt")},
                {"PullStoppedAt", iso(task, "pullStoppedAt")},
                {"AvailabilityZone", task["availabilityZone"]},
                {"LaunchType", task["launchType"]},
                {"Containers", json::array()}};
    // Task-level limits: vCPUs and MiB, as the agent reports them.
    if (task.contains("cpu")) out["Limits"]["CPU"] = number_of(task["cpu"]) / 1024.0;
    if (task.contains("memory")) out["Limits"]["Memory"] = number_of(task["memory"]);
    for (auto& c : task["containers"])
        out["Containers"].push_back(container_metadata(task, *definition, c));
    return out;
}

}  // namespace eddy::ecs
