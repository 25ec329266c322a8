// Task definitions: families of numbered revisions, referenced by ARN, family:revision,
// or family alone (its latest ACTIVE revision). Deregistering makes a revision INACTIVE;
// it stays describable, as on AWS.
#include "core/ids.hpp"
#include "runtime/runtime.hpp"
#include "services/ecs/errors.hpp"
#include "services/ecs/service.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace eddy::ecs {

namespace {

std::string family_key(const request_context& ctx, std::string_view family) {
    return ctx.account + "/" + ctx.region + "/" + std::string(family);
}

bool valid_family(const std::string& f) {
    return !f.empty() && f.size() <= 255 && std::all_of(f.begin(), f.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

// A container's healthCheck within the bounds ECS documents: interval 5-300 s,
// timeout 2-60 s, retries 1-10, startPeriod 0-300 s, and a CMD or CMD-SHELL command.
void check_health_check(const json& c) {
    auto& h = c["healthCheck"];
    auto invalid = [&](const std::string& member) {
        return client_error("Container health check's " + member + " value of container \"" +
                            c["name"].get<std::string>() + "\" is invalid.");
    };
    auto command = h.value("command", json::array());
    if (command.size() < 2 || (command[0] != "CMD" && command[0] != "CMD-SHELL") ||
        (command[0] == "CMD-SHELL" && command.size() != 2))
        throw invalid("command");
    auto within = [&](const char* member, int low, int high) {
        if (h.contains(member) && (h[member].get<int>() < low || h[member].get<int>() > high)) throw invalid(member);
    };
    within("interval", 5, 300);
    within("timeout", 2, 60);
    within("retries", 1, 10);
    within("startPeriod", 0, 300);
}

// The container definition as DescribeTaskDefinition shows it: the defaults ECS fills in.
json described_container(json c, bool awsvpc) {
    if (!c.contains("essential")) c["essential"] = true;
    for (const char* member : {"environment", "mountPoints", "volumesFrom", "portMappings"})
        if (!c.contains(member)) c[member] = json::array();
    for (auto& p : c["portMappings"]) {
        if (!p.contains("protocol")) p["protocol"] = "tcp";
        // In awsvpc mode the host port is the container port.
        if (awsvpc && p.contains("containerPort") && !p.contains("hostPort")) p["hostPort"] = p["containerPort"];
    }
    if (!c.contains("cpu")) c["cpu"] = 0;
    if (c.contains("healthCheck")) {
        auto& h = c["healthCheck"];
        if (!h.contains("interval")) h["interval"] = 30;
        if (!h.contains("timeout")) h["timeout"] = 5;
        if (!h.contains("retries")) h["retries"] = 3;
    }
    return c;
}

// Task-level cpu and memory may be written in CPU units and MiB ("1024") or as
// "1 vCPU" / "2 GB"; ECS converts them to the integer units when it registers them.
std::optional<long> task_size(const json& value, std::string_view unit) {
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    // A plain decimal number ("1024", "0.5"): not hex, not an exponent, not inf.
    std::size_t start = text.find_first_not_of(' ');
    if (start == std::string::npos) return std::nullopt;
    double amount = 0;
    auto [end, ec] = std::from_chars(text.data() + start, text.data() + text.size(), amount, std::chars_format::fixed);
    if (ec != std::errc()) return std::nullopt;
    std::string rest;
    for (char c : std::string_view(end, static_cast<std::size_t>(text.data() + text.size() - end)))
        if (!std::isspace(static_cast<unsigned char>(c))) rest += static_cast<char>(std::tolower(c));
    if (!rest.empty() && rest != unit) return std::nullopt;
    if (!rest.empty()) amount *= 1024;
    if (!(amount > 0 && amount < 1e9) || amount != static_cast<double>(static_cast<long>(amount))) return std::nullopt;
    return static_cast<long>(amount);
}

// The task sizes Fargate offers: for each CPU value, memory from `low` to `high` MiB in `step`s.
bool fargate_size(long cpu, long memory) {
    struct range {
        long cpu, low, high, step;
    };
    static constexpr range sizes[] = {
        {256, 512, 512, 512},      {256, 1024, 2048, 1024},   {512, 1024, 4096, 1024},    {1024, 2048, 8192, 1024},
        {2048, 4096, 16384, 1024}, {4096, 8192, 30720, 1024}, {8192, 16384, 61440, 4096}, {16384, 32768, 122880, 8192}};
    return std::any_of(std::begin(sizes), std::end(sizes), [&](const range& r) {
        return cpu == r.cpu && memory >= r.low && memory <= r.high && (memory - r.low) % r.step == 0;
    });
}

std::optional<int> parse_revision(std::string_view text) {
    int v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

bool include_tags(const json& input) {
    if (input.contains("include"))
        for (auto& i : input["include"])
            if (i == "TAGS") return true;
    return false;
}

std::size_t start_from(const json& input) {
    if (!input.contains("nextToken")) return 0;
    auto v = parse_revision(input["nextToken"].get_ref<const std::string&>());
    if (!v || *v < 0) throw invalid_parameter("Invalid token");
    return static_cast<std::size_t>(*v);
}

}  // namespace

json* service::find_task_definition(const request_context& ctx, std::string_view reference) {
    std::string_view ref = reference;
    std::string account = ctx.account, region = ctx.region;
    if (ref.starts_with("arn:")) {
        arn_parts parts;
        if (!parse_arn(ref, parts) || !parts.resource.starts_with("task-definition/")) return nullptr;
        account = parts.account;
        region = parts.region;
        ref = std::string_view(reference).substr(reference.size() - (parts.resource.size() - 16));
    }
    auto colon = ref.rfind(':');
    std::string family(ref.substr(0, colon));
    auto it = task_definitions_.find(account + "/" + region + "/" + family);
    if (it == task_definitions_.end()) return nullptr;
    if (colon == std::string_view::npos) {
        for (auto r = it->second.rbegin(); r != it->second.rend(); ++r)
            if (r->second["status"] == "ACTIVE") return &r->second;
        return nullptr;
    }
    auto revision = parse_revision(ref.substr(colon + 1));
    if (!revision) return nullptr;
    auto r = it->second.find(*revision);
    return r == it->second.end() ? nullptr : &r->second;
}

json service::register_task_definition(request_context& ctx, const json& input) {
    auto family = input["family"].get<std::string>();
    if (!valid_family(family))
        throw client_error("Family contains invalid characters or exceeds the maximum length of 255 characters.");
    auto& containers = input["containerDefinitions"];
    if (containers.empty()) throw client_error("Container list cannot be empty.");
    std::set<std::string> names;
    for (auto& c : containers) {
        if (!c.contains("name")) throw client_error("Container.name should not be null or empty.");
        if (!c.contains("image")) throw client_error("Container.image should not be null or empty.");
        if (!names.insert(c["name"].get<std::string>()).second)
            throw client_error("Duplicate container name: " + c["name"].get<std::string>());
        if (c.contains("healthCheck")) check_health_check(c);
    }
    bool essential =
        std::any_of(containers.begin(), containers.end(), [](const json& c) { return c.value("essential", true); });
    if (!essential) throw client_error("Task definition does not have any essential container.");
    for (auto& c : containers)
        if (c.contains("dependsOn"))
            for (auto& d : c["dependsOn"])
                if (!names.count(d["containerName"].get<std::string>()))
                    throw client_error("Container '" + c["name"].get<std::string>() +
                                       "' depends on a container that is not in the task definition: '" +
                                       d["containerName"].get<std::string>() + "'");
    bool fargate = false;
    if (input.contains("requiresCompatibilities"))
        for (auto& r : input["requiresCompatibilities"])
            fargate = fargate || r == "FARGATE";
    std::string network_mode = input.value("networkMode", std::string(fargate ? "awsvpc" : "bridge"));
    if (fargate && network_mode != "awsvpc")
        throw client_error("Fargate only supports network mode \u2018awsvpc\u2019.");
    if (fargate && !input.contains("cpu"))
        throw client_error("Fargate requires that 'cpu' be defined at the task level.");
    if (fargate && !input.contains("memory"))
        throw client_error("Fargate requires that 'memory' be defined at the task level.");
    std::optional<long> cpu, memory;
    if (input.contains("cpu") && !(cpu = task_size(input["cpu"], "vcpu")))
        throw client_error("Invalid 'cpu' setting for task.");
    if (input.contains("memory") && !(memory = task_size(input["memory"], "gb")))
        throw client_error("Invalid 'memory' setting for task.");
    if (fargate && !fargate_size(*cpu, *memory))
        throw client_error("No Fargate configuration exists for given values: " + std::to_string(*cpu) + " CPU, " +
                           std::to_string(*memory) + " memory. See the Amazon ECS documentation for the valid values.");
    for (auto& c : containers) {
        auto name = c["name"].get<std::string>();
        // Fargate's awslogs needs the execution role (it writes the logs) and names streams by prefix only.
        bool awslogs = c.contains("logConfiguration") && c["logConfiguration"].value("logDriver", "") == "awslogs";
        if (fargate && awslogs && !input.contains("executionRoleArn"))
            throw client_error(
                "Fargate requires task definition to have execution role ARN to support log driver awslogs.");
        if (fargate && awslogs &&
            c["logConfiguration"].value("options", json::object()).value("awslogs-stream-prefix", "").empty())
            throw client_error(
                "Fargate requires log configuration options to include awslogs-stream-prefix to support log driver "
                "awslogs.");
        // Without a task-level size each container must say how much memory it needs.
        if (!memory && !c.contains("memory") && !c.contains("memoryReservation"))
            throw client_error("Invalid setting for container '" + name +
                               "'. At least one of 'memory' or 'memoryReservation' must be specified.");
        if (memory && c.contains("memory") && c["memory"].get<long>() > *memory)
            throw client_error("The 'memory' setting for container '" + name + "' is greater than for the task.");
    }

    auto& revisions = task_definitions_[family_key(ctx, family)];
    int revision = revisions.empty() ? 1 : revisions.rbegin()->first + 1;
    json doc = {{"taskDefinitionArn", make_arn("ecs", ctx.region, ctx.account,
                                               "task-definition/" + family + ":" + std::to_string(revision))},
                {"family", family},
                {"revision", revision},
                {"containerDefinitions", json::array()},
                {"volumes", input.value("volumes", json::array())},
                {"status", "ACTIVE"},
                {"networkMode", network_mode},
                {"placementConstraints", input.value("placementConstraints", json::array())},
                {"requiresAttributes", json::array()},
                {"compatibilities", fargate ? json::array({"EC2", "FARGATE"}) : json::array({"EC2"})},
                {"registeredAt", clock_.now_seconds()},
                {"registeredBy", make_arn("iam", "", ctx.account, "root")}};
    for (auto& c : containers)
        doc["containerDefinitions"].push_back(described_container(c, network_mode == "awsvpc"));
    for (const char* member : {"taskRoleArn", "executionRoleArn", "requiresCompatibilities", "pidMode", "ipcMode",
                               "runtimePlatform", "ephemeralStorage"})
        if (input.contains(member)) doc[member] = input[member];
    if (cpu) doc["cpu"] = std::to_string(*cpu);
    if (memory) doc["memory"] = std::to_string(*memory);
    doc["tags"] = input.value("tags", json::array());
    revisions[revision] = doc;
    store_.put("task-definition", doc["taskDefinitionArn"].get<std::string>(), doc);
    if (runtime_) runtime_->warm_up();  // tasks are likely to follow: have their networks ready
    json out = {{"taskDefinition", doc}, {"tags", doc["tags"]}};
    out["taskDefinition"].erase("tags");
    return out;
}

json service::describe_task_definition(request_context& ctx, const json& input) {
    auto* doc = find_task_definition(ctx, input["taskDefinition"].get_ref<const std::string&>());
    if (!doc) throw client_error("Unable to describe task definition.");
    json out = {{"taskDefinition", *doc}};
    out["taskDefinition"].erase("tags");
    if (include_tags(input)) out["tags"] = (*doc)["tags"];
    return out;
}

json service::list_task_definitions(request_context& ctx, const json& input) {
    std::string prefix = input.value("familyPrefix", std::string());
    std::string status = input.value("status", std::string("ACTIVE"));
    std::vector<std::string> arns;
    auto scope = ctx.account + "/" + ctx.region + "/";
    for (auto& [key, revisions] : task_definitions_) {
        if (!key.starts_with(scope)) continue;
        // familyPrefix matches the whole family name, as ECS does despite the member's name.
        if (!prefix.empty() && key.substr(scope.size()) != prefix) continue;
        for (auto& [revision, doc] : revisions)
            if (doc["status"] == status) arns.push_back(doc["taskDefinitionArn"]);
    }
    // ARN order is family then revision only if revisions sort numerically, so sort by (family, revision).
    auto key_of = [](const std::string& arn) {
        auto colon = arn.rfind(':');
        return std::make_pair(arn.substr(0, colon), std::stoi(arn.substr(colon + 1)));
    };
    std::sort(arns.begin(), arns.end(), [&](auto& a, auto& b) { return key_of(a) < key_of(b); });
    if (input.value("sort", std::string("ASC")) == "DESC") std::reverse(arns.begin(), arns.end());
    std::size_t from = start_from(input);
    std::size_t limit = input.value("maxResults", 100);
    if (limit < 1 || limit > 100) throw invalid_parameter("maxResults must be between 1 and 100.");
    json out = {{"taskDefinitionArns", json::array()}};
    for (std::size_t i = from; i < arns.size() && i < from + limit; ++i)
        out["taskDefinitionArns"].push_back(arns[i]);
    if (from + limit < arns.size()) out["nextToken"] = std::to_string(from + limit);
    return out;
}

json service::list_task_definition_families(request_context& ctx, const json& input) {
    std::string prefix = input.value("familyPrefix", std::string());
    std::string status = input.value("status", std::string("ACTIVE"));
    std::vector<std::string> families;
    auto scope = ctx.account + "/" + ctx.region + "/";
    for (auto& [key, revisions] : task_definitions_) {
        if (!key.starts_with(scope)) continue;
        auto family = key.substr(scope.size());
        if (!family.starts_with(prefix)) continue;
        bool active =
            std::any_of(revisions.begin(), revisions.end(), [](auto& r) { return r.second["status"] == "ACTIVE"; });
        // INACTIVE lists the families with no ACTIVE revision left.
        if (status == "ALL" || (status == "ACTIVE") == active) families.push_back(family);
    }
    std::size_t from = start_from(input);
    std::size_t limit = input.value("maxResults", 100);
    if (limit < 1 || limit > 100) throw invalid_parameter("maxResults must be between 1 and 100.");
    json out = {{"families", json::array()}};
    for (std::size_t i = from; i < families.size() && i < from + limit; ++i)
        out["families"].push_back(families[i]);
    if (from + limit < families.size()) out["nextToken"] = std::to_string(from + limit);
    return out;
}

json service::deregister_task_definition(request_context& ctx, const json& input) {
    auto& reference = input["taskDefinition"].get_ref<const std::string&>();
    auto tail = reference.substr(reference.rfind('/') == std::string::npos ? 0 : reference.rfind('/') + 1);
    if (tail.find(':') == std::string::npos)
        throw client_error("Invalid revision number. Number: " + std::string("null"));
    auto* doc = find_task_definition(ctx, reference);
    if (!doc) throw client_error("The specified task definition does not exist.");
    if ((*doc)["status"] == "ACTIVE") {
        (*doc)["status"] = "INACTIVE";
        (*doc)["deregisteredAt"] = clock_.now_seconds();
        store_.put("task-definition", (*doc)["taskDefinitionArn"].get<std::string>(), *doc);
    }
    json out = {{"taskDefinition", *doc}};
    out["taskDefinition"].erase("tags");
    return out;
}

}  // namespace eddy::ecs
