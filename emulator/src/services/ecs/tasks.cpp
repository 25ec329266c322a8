// Tasks: RunTask creates the document (PROVISIONING) and answers at once; launch()
// then walks it through PENDING and RUNNING while the runtime starts its containers,
// and the containers' exits (or StopTask) take it through DEPROVISIONING to STOPPED,
// with the stop codes and reasons ECS reports.
#include "core/ids.hpp"
#include "core/log.hpp"
#include "protocol/model.hpp"
#include "runtime/runtime.hpp"
#include "services/ecs/errors.hpp"
#include "services/ecs/live_task.hpp"
#include "services/ecs/service.hpp"
#include "services/logs/store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>
#include <random>

// GCC 12 misreads Asio's recycled coroutine frames (aligned_alloc, then the frame's
// own operator delete) as a mismatched pair once these coroutines are inlined.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace eddy::ecs {

namespace asio = boost::asio;

namespace {

std::string random_hex(std::size_t n) {
    static std::mt19937_64 rng{std::random_device{}()};
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out += digits[rng() % 16];
    return out;
}

std::string task_id_of(const std::string& arn) {
    return arn.substr(arn.rfind('/') + 1);
}

std::string cluster_name_of_arn(const std::string& arn) {
    return arn.substr(arn.rfind('/') + 1);
}

// How ECS names an image reference it could not resolve (Fargate's containerd wording).
std::string qualified_image(const std::string& image) {
    std::string ref = image;
    auto slash = ref.find('/');
    bool has_registry = slash != std::string::npos && (ref.substr(0, slash).find_first_of(".:") != std::string::npos ||
                                                       ref.substr(0, slash) == "localhost");
    if (!has_registry) ref = "docker.io/" + std::string(slash == std::string::npos ? "library/" : "") + ref;
    auto last = ref.substr(ref.rfind('/') + 1);
    if (last.find(':') == std::string::npos && last.find('@') == std::string::npos) ref += ":latest";
    return ref;
}

std::string cannot_pull(const std::string& image, const std::string& launch_type) {
    if (launch_type == "EC2")
        return "CannotPullContainerError: Error response from daemon: pull access denied for " +
               image.substr(0, image.rfind(':') == std::string::npos || image.rfind(':') < image.rfind('/')
                                   ? image.size()
                                   : image.rfind(':')) +
               ", repository does not exist or may require 'docker login': denied: requested access to the "
               "resource is denied";
    auto ref = qualified_image(image);
    return "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref " + ref +
           ": " + ref + ": not found";
}

// ECS's "cpu" and "memory" members of a task are strings.
std::string as_text(const json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

int as_int(const json& v) {
    if (v.is_number()) return v.get<int>();
    try {
        return std::stoi(v.get<std::string>());
    } catch (const std::exception&) {
        return 0;
    }
}

const json* override_for(const json& task, const std::string& container) {
    if (!task.contains("overrides") || !task["overrides"].contains("containerOverrides")) return nullptr;
    for (auto& o : task["overrides"]["containerOverrides"])
        if (o.value("name", std::string()) == container) return &o;
    return nullptr;
}

// Containers in an order that honours dependsOn (a dependency first); ties keep the
// task definition's order.
std::vector<std::size_t> start_order(const json& definitions) {
    std::vector<std::size_t> order;
    std::vector<bool> placed(definitions.size());
    while (order.size() < definitions.size()) {
        bool progress = false;
        for (std::size_t i = 0; i < definitions.size(); ++i) {
            if (placed[i]) continue;
            bool ready = true;
            if (definitions[i].contains("dependsOn"))
                for (auto& d : definitions[i]["dependsOn"])
                    for (std::size_t j = 0; j < definitions.size(); ++j)
                        if (!placed[j] && definitions[j]["name"] == d["containerName"]) ready = false;
            if (!ready) continue;
            placed[i] = true;
            order.push_back(i);
            progress = true;
        }
        if (!progress)  // a cycle: start the rest in definition order
            for (std::size_t i = 0; i < definitions.size(); ++i)
                if (!placed[i]) {
                    placed[i] = true;
                    order.push_back(i);
                }
    }
    return order;
}

// The container's address, and the task's network interface attached with it (awsvpc),
// described as ECS describes an ENI.
void record_address(json& task, json& container, const std::string& ip) {
    json nic = {{"attachmentId", task["attachments"].empty() ? json(new_uuid()) : task["attachments"][0]["id"]},
                {"privateIpv4Address", ip}};
    container["networkInterfaces"] = json::array({nic});
    if (task["attachments"].empty() || task["attachments"][0]["status"] != "PRECREATED") return;
    auto& a = task["attachments"][0];
    auto id = task_id_of(task["taskArn"].get<std::string>());
    auto dashed = ip;  // the DNS name of 10.0.1.23 is ip-10-0-1-23.ec2.internal
    std::replace(dashed.begin(), dashed.end(), '.', '-');
    a["status"] = "ATTACHED";
    a["details"].push_back({{"name", "networkInterfaceId"}, {"value", "eni-" + id.substr(0, 17)}});
    a["details"].push_back({{"name", "macAddress"}, {"value", "02:42:00:00:00:00"}});
    a["details"].push_back({{"name", "privateDnsName"}, {"value", "ip-" + dashed + ".ec2.internal"}});
    a["details"].push_back({{"name", "privateIPv4Address"}, {"value", ip}});
}

void log_failure(const std::string& what, std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        log::warn("ecs: " + what + ": " + x.what());
    }
}

}  // namespace

const std::vector<std::string>& service::service_endpoint_variables() {
    // Services register after ECS, so the list is made once the first task launches.
    if (!endpoint_variables_.empty()) return endpoint_variables_;
    for (auto& s : protocol::services()) {
        if (!calls_.implements(s.id)) continue;
        // The SDKs' rule: the model's serviceId, upper-cased, spaces as underscores.
        auto id = protocol::model(s.id).metadata().value("serviceId", std::string());
        for (auto& ch : id)
            ch = ch == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (!id.empty()) endpoint_variables_.push_back("AWS_ENDPOINT_URL_" + id);
    }
    return endpoint_variables_;
}

void service::save_task(const json& doc) {
    store_.put("task", doc["taskArn"].get<std::string>(), doc);
}

void service::forget_old_tasks() {
    constexpr double kept_seconds = 3600;
    auto now = clock_.now_seconds();
    for (auto it = tasks_.begin(); it != tasks_.end();) {
        auto& task = it->second;
        if (task["lastStatus"] == "STOPPED" && task.contains("stoppedAt") &&
            task["stoppedAt"].get<double>() + kept_seconds <= now) {
            store_.remove("task", it->first);
            task_ids_.erase(task_id_of(it->first));
            it = tasks_.erase(it);
        } else
            ++it;
    }
}

void service::set_status(json& task, const std::string& status) {
    task["lastStatus"] = status;
    task["version"] = task.value("version", 0) + 1;
}

json service::public_task(const json& doc) const {
    json out = doc;
    for (auto it = out.begin(); it != out.end();)
        it = it.key().starts_with("_eddy") ? out.erase(it) : std::next(it);
    return out;
}

json* service::find_task(const request_context& ctx, const std::string& cluster_arn, std::string_view reference) {
    std::string arn(reference);
    if (!reference.starts_with("arn:"))
        arn = make_arn("ecs", ctx.region, ctx.account,
                       "task/" + cluster_name_of_arn(cluster_arn) + "/" + std::string(reference));
    auto it = tasks_.find(arn);
    if (it == tasks_.end() || it->second["clusterArn"] != cluster_arn) return nullptr;
    return &it->second;
}

json service::run_task(request_context& ctx, const json& input) {
    auto& cluster_doc = cluster(ctx, input);
    auto* definition = find_task_definition(ctx, input["taskDefinition"].get_ref<const std::string&>());
    if (!definition) throw client_error("TaskDefinition not found.");
    if ((*definition)["status"] != "ACTIVE") throw client_error("TaskDefinition is inactive");
    int count = input.value("count", 1);
    if (count < 1 || count > 10) throw invalid_parameter("Count must be between 1 and 10.");
    std::string launch_type = input.value("launchType", std::string("EC2"));
    if (launch_type == "FARGATE" && (*definition)["networkMode"] != "awsvpc")
        throw invalid_parameter("Task definition does not support launch_type FARGATE.");
    if ((*definition)["networkMode"] == "awsvpc" && !input.contains("networkConfiguration"))
        throw invalid_parameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    json overrides = input.value("overrides", json::object());
    if (!overrides.contains("containerOverrides")) overrides["containerOverrides"] = json::array();
    if (!overrides.contains("inferenceAcceleratorOverrides"))
        overrides["inferenceAcceleratorOverrides"] = json::array();
    for (auto& o : overrides["containerOverrides"]) {
        auto name = o.value("name", std::string());
        bool known = false;
        for (auto& c : (*definition)["containerDefinitions"])
            known = known || c["name"] == name;
        if (!known)
            throw invalid_parameter("Override for container named " + name +
                                    " is not a container in the TaskDefinition.");
    }
    if (!runtime_) throw aws_error("ServerException", "eddy runs without a container runtime.", 500, false);

    // propagateTags TASK_DEFINITION copies the task definition's tags; the request's win on a key.
    json tags = input.value("tags", json::array());
    if (input.value("propagateTags", std::string()) == "TASK_DEFINITION")
        for (auto& t : definition->value("tags", json::array()))
            if (std::none_of(tags.begin(), tags.end(), [&](const json& own) { return own["key"] == t["key"]; }))
                tags.push_back(t);
    auto cluster_arn = cluster_doc["clusterArn"].get<std::string>();
    auto cluster_name = cluster_doc["clusterName"].get<std::string>();
    json tasks = json::array();
    for (int i = 0; i < count; ++i) {
        auto id = random_hex(32);
        auto arn = make_arn("ecs", ctx.region, ctx.account, "task/" + cluster_name + "/" + id);
        json task = {{"taskArn", arn},
                     {"clusterArn", cluster_arn},
                     {"taskDefinitionArn", (*definition)["taskDefinitionArn"]},
                     {"overrides", overrides},
                     {"lastStatus", "PROVISIONING"},
                     {"desiredStatus", "RUNNING"},
                     {"containers", json::array()},
                     {"createdAt", clock_.now_seconds()},
                     {"launchType", launch_type},
                     {"group", input.value("group", "family:" + (*definition)["family"].get<std::string>())},
                     {"availabilityZone", ctx.region + "a"},
                     {"connectivity", "CONNECTED"},
                     {"connectivityAt", clock_.now_seconds()},
                     {"enableExecuteCommand", false},
                     {"healthStatus", "UNKNOWN"},
                     {"attachments", json::array()},
                     {"version", 1},
                     {"tags", tags}};
        if (launch_type == "FARGATE") {
            task["platformVersion"] = "1.4.0";
            task["platformFamily"] = "Linux";
            task["ephemeralStorage"] = {{"sizeInGiB", 20}};
        }
        if (input.contains("startedBy")) task["startedBy"] = input["startedBy"];
        if (definition->contains("cpu")) task["cpu"] = as_text((*definition)["cpu"]);
        if (definition->contains("memory")) task["memory"] = as_text((*definition)["memory"]);
        if (overrides.contains("cpu")) task["cpu"] = overrides["cpu"];
        if (overrides.contains("memory")) task["memory"] = overrides["memory"];
        if ((*definition)["networkMode"] == "awsvpc") {
            // The interface goes into the first subnet the caller named, as RunTask reports at once.
            json details = json::array();
            auto subnets = input["networkConfiguration"]
                               .value("awsvpcConfiguration", json::object())
                               .value("subnets", json::array());
            if (!subnets.empty()) details.push_back({{"name", "subnetId"}, {"value", subnets[0]}});
            json attachment = {{"id", new_uuid()},
                               {"type", "ElasticNetworkInterface"},
                               {"status", "PRECREATED"},
                               {"details", details}};
            task["attachments"].push_back(attachment);
        }
        for (auto& c : (*definition)["containerDefinitions"]) {
            auto name = c["name"].get<std::string>();
            json container = {{"containerArn", make_arn("ecs", ctx.region, ctx.account,
                                                        "container/" + cluster_name + "/" + id + "/" + new_uuid())},
                              {"taskArn", arn},
                              {"name", name},
                              {"image", c["image"]},
                              {"lastStatus", "PENDING"},
                              {"networkInterfaces", json::array()},
                              {"healthStatus", "UNKNOWN"},
                              {"cpu", as_text(c.value("cpu", json(0)))}};
            auto* o = override_for(task, name);
            if (o && o->contains("cpu")) container["cpu"] = as_text((*o)["cpu"]);
            if (c.contains("memory")) container["memory"] = as_text(c["memory"]);
            if (o && o->contains("memory")) container["memory"] = as_text((*o)["memory"]);
            if (c.contains("memoryReservation")) container["memoryReservation"] = as_text(c["memoryReservation"]);
            task["containers"].push_back(container);
        }
        tasks_[arn] = task;
        task_ids_[id] = arn;
        save_task(task);
        auto live = std::make_shared<live_task>(executor_);
        live->account = ctx.account;
        live->region = ctx.region;
        live_[arn] = live;
        tasks.push_back(public_task(task));
        asio::co_spawn(executor_, launch(arn), [arn](std::exception_ptr e) { log_failure("launching " + arn, e); });
    }
    return {{"tasks", tasks}, {"failures", json::array()}};
}

// Stops the task's running containers and lets their exits finish it. `code` and
// `reason` are what DescribeTasks will report; the first stop wins.
static void begin_stop(json& task, live_task& live, const std::string& code, const std::string& reason, double now) {
    live.stopping = true;
    if (task["desiredStatus"] == "STOPPED") return;
    task["desiredStatus"] = "STOPPED";
    task["stopCode"] = code;
    task["stoppedReason"] = reason;
    task["stoppingAt"] = now;
}

asio::awaitable<void> service::launch(std::string arn) {
    auto live = live_.at(arn);
    auto fail = [&](const std::string& reason, const std::string& container_reason = "") {
        auto& task = tasks_.at(arn);
        begin_stop(task, *live, "TaskFailedToStart", reason, clock_.now_seconds());
        if (!container_reason.empty())
            for (auto& c : task["containers"])
                if (!c.contains("reason")) c["reason"] = container_reason;
    };
    auto id = task_id_of(arn);
    json definition;
    {
        request_context scope;
        scope.account = live->account;
        scope.region = live->region;
        definition = *find_task_definition(scope, tasks_.at(arn)["taskDefinitionArn"].get<std::string>());
    }
    auto& definitions = definition["containerDefinitions"];
    for (auto& c : definitions) {
        live_task::container lc;
        lc.name = c["name"];
        lc.essential = c.value("essential", true);
        lc.stop_timeout = std::chrono::seconds(c.value("stopTimeout", 30));
        if (c.contains("startTimeout")) lc.start_timeout = std::chrono::seconds(c["startTimeout"].get<int>());
        lc.health_checked = c.contains("healthCheck");
        live->containers.push_back(lc);
    }

    runtime::network_info network;
    try {
        network = co_await runtime_->ensure_network();
        calls_.listen_also(network.gateway);
    } catch (const std::exception& e) {
        fail(std::string("ResourceInitializationError: unable to create the task's network: ") + e.what());
    }
    if (!live->stopping) {
        auto& task = tasks_.at(arn);
        set_status(task, "PENDING");
        task["pullStartedAt"] = clock_.now_seconds();
        save_task(task);
    }
    // Images first: a missing one fails the task before any container runs, as a pull failure does.
    for (std::size_t i = 0; i < definitions.size() && !live->stopping; ++i) {
        auto image = definitions[i]["image"].get<std::string>();
        bool present = false;
        try {
            present = co_await runtime_->image_exists(image);
        } catch (const std::exception& e) {
            log::warn("ecs: cannot inspect image " + image + ": " + e.what());
        }
        if (!present) {
            auto reason = cannot_pull(image, tasks_.at(arn)["launchType"].get<std::string>());
            fail(reason);
            tasks_.at(arn)["containers"][i]["reason"] = reason;
        }
    }
    if (!live->stopping) tasks_.at(arn)["pullStoppedAt"] = clock_.now_seconds();

    // awslogs: the group must exist (or be created with awslogs-create-group) before the task starts.
    for (std::size_t i = 0; i < definitions.size() && !live->stopping; ++i) {
        auto& d = definitions[i];
        if (!d.contains("logConfiguration") || d["logConfiguration"].value("logDriver", "") != "awslogs") continue;
        auto options = d["logConfiguration"].value("options", json::object());
        auto& lc = live->containers[i];
        lc.awslogs = true;
        lc.log_region = options.value("awslogs-region", live->region);
        lc.log_group = options.value("awslogs-group", std::string());
        auto prefix = options.value("awslogs-stream-prefix", std::string());
        lc.log_stream = prefix.empty() ? lc.name + "/" + id : prefix + "/" + lc.name + "/" + id;
        if (!logs_) {
            lc.awslogs = false;
            continue;
        }
        auto now = clock_.now_ms();
        if (!logs_->find_group(live->account, lc.log_region, lc.log_group)) {
            if (options.value("awslogs-create-group", std::string()) == "true")
                logs_->ensure_group(live->account, lc.log_region, lc.log_group, now);
            else {
                fail(
                    "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 "
                    "times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log "
                    "group does not exist. : exit status 1");
                break;
            }
        }
        logs_->ensure_stream(live->account, lc.log_region, lc.log_group, lc.log_stream, now);
    }

    // awsvpc: one address for the task, which all its containers share; otherwise
    // (bridge) each container gets a network namespace of its own as it starts.
    bool shared_network = definition.value("networkMode", std::string()) == "awsvpc";
    runtime::task_network task_network;
    if (shared_network && !live->stopping) try {
            task_network = co_await runtime_->open_task_network();
            live->networks.push_back(task_network.id);
        } catch (const std::exception& e) {
            fail(std::string("ResourceInitializationError: unable to create the task's network interface: ") +
                 e.what());
        }

    std::string endpoint = "http://" + network.gateway + ":" + std::to_string(calls_.port());
    for (auto index : start_order(definitions)) {
        if (live->stopping) break;
        auto& d = definitions[index];
        auto name = d["name"].get<std::string>();
        // dependsOn START needs the dependency started, which the order gives; COMPLETE and
        // SUCCESS wait for it to end, HEALTHY for its health check to pass. A dependency with
        // a startTimeout that has not got there that long after it started fails the task; one
        // without keeps the task PENDING, as on ECS.
        std::string unmet;
        if (d.contains("dependsOn"))
            for (auto& dep : d["dependsOn"]) {
                auto condition = dep.value("condition", std::string("START"));
                if (condition != "COMPLETE" && condition != "SUCCESS" && condition != "HEALTHY") continue;
                auto* other = live->find(dep["containerName"].get<std::string>());
                if (!other) continue;
                auto met = [&] { return condition == "HEALTHY" ? other->health == "HEALTHY" : other->exited; };
                bool timed_out = false;
                while (!met() && !other->exited && !live->stopping) {
                    auto wait = std::chrono::milliseconds(std::chrono::hours(24));
                    if (other->start_timeout && other->started) {
                        auto left = other->started_at + static_cast<double>(other->start_timeout->count()) -
                                    clock_.now_seconds();
                        if (left <= 0) {
                            timed_out = true;
                            break;
                        }
                        wait = std::chrono::milliseconds(static_cast<std::int64_t>(left * 1000) + 1);
                    }
                    live->changed.expires_after(wait);
                    boost::system::error_code ec;
                    co_await live->changed.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                }
                if (live->stopping) break;
                bool ok = condition == "SUCCESS" ? other->exited && other->exit_code == 0 : met();
                if (timed_out || !ok) {
                    unmet = condition;
                    break;
                }
            }
        if (live->stopping) break;
        if (!unmet.empty()) {
            fail("Task failed to start: dependency condition " + unmet + " of container " + name + " was not met");
            break;
        }

        auto& task = tasks_.at(arn);
        const json* o = override_for(task, name);
        runtime::container_spec spec;
        spec.name = "ecs-" + definition["family"].get<std::string>() + "-" +
                    std::to_string(definition["revision"].get<int>()) + "-" + name + "-" + id;
        spec.image = d["image"];
        if (d.contains("entryPoint")) spec.entry_point = d["entryPoint"].get<std::vector<std::string>>();
        if (d.contains("command")) spec.command = d["command"].get<std::vector<std::string>>();
        if (o && o->contains("command")) spec.command = (*o)["command"].get<std::vector<std::string>>();
        std::map<std::string, std::string> env = {
            {"AWS_REGION", live->region},
            {"AWS_DEFAULT_REGION", live->region},
            {"AWS_ACCESS_KEY_ID", "test"},
            {"AWS_SECRET_ACCESS_KEY", "test"},
            {"AWS_ENDPOINT_URL", endpoint},
            {"AWS_EXECUTION_ENV", task["launchType"] == "FARGATE" ? "AWS_ECS_FARGATE" : "AWS_ECS_EC2"},
        };
        for (auto& variable : service_endpoint_variables())
            env[variable] = endpoint;
        for (auto& e : d.value("environment", json::array()))
            env[e["name"].get<std::string>()] = e.value("value", std::string());
        if (o && o->contains("environment"))
            for (auto& e : (*o)["environment"])
                env[e["name"].get<std::string>()] = e.value("value", std::string());
        env["ECS_CONTAINER_METADATA_URI_V4"] = endpoint + "/_eddy/ecs/metadata/" + id + "/" + name;
        env["ECS_CONTAINER_METADATA_URI"] = env["ECS_CONTAINER_METADATA_URI_V4"];
        for (auto& [k, v] : env)
            spec.environment.emplace_back(k, v);
        spec.labels = {
            {"com.amazonaws.ecs.task-arn", arn},
            {"com.amazonaws.ecs.container-name", name},
            {"com.amazonaws.ecs.cluster", task["clusterArn"].get<std::string>()},
            {"com.amazonaws.ecs.task-definition-family", definition["family"].get<std::string>()},
            {"com.amazonaws.ecs.task-definition-version", std::to_string(definition["revision"].get<int>())}};
        auto& container_doc = task["containers"][index];
        spec.cpu_shares = as_int(container_doc["cpu"]);
        if (container_doc.contains("memory")) spec.memory_mib = as_int(container_doc["memory"]);
        if (container_doc.contains("memoryReservation"))
            spec.memory_reservation_mib = as_int(container_doc["memoryReservation"]);
        if (task.contains("cpu")) spec.cpus = as_int(task["cpu"]) / 1024.0;
        if (!spec.memory_mib && task.contains("memory")) spec.memory_mib = as_int(task["memory"]);
        for (auto& p : d.value("portMappings", json::array()))
            spec.ports.push_back({p.value("containerPort", 0), 0, p.value("protocol", std::string("tcp"))});
        spec.stop_timeout = live->containers[index].stop_timeout;
        spec.on_output = [this, arn, index](const runtime::output_line& line) {
            auto it = live_.find(arn);
            if (it == live_.end()) return;
            auto& lc = it->second->containers[index];
            if (!lc.awslogs) return;
            lc.pending.push_back(
                {std::chrono::duration_cast<std::chrono::milliseconds>(line.time.time_since_epoch()).count(),
                 line.text});
            if (lc.flush_posted) return;
            lc.flush_posted = true;
            asio::post(executor_, [this, arn, index] { flush_logs(arn, index); });
        };
        spec.on_exit = [this, arn, name](const runtime::exit_status& status) {
            container_exited(arn, name, status.exit_code, status.error);
        };
        if (d.contains("healthCheck")) {
            auto& h = d["healthCheck"];
            runtime::health_check check;
            check.command = h["command"].get<std::vector<std::string>>();
            check.interval = std::chrono::seconds(h.value("interval", 30));
            check.timeout = std::chrono::seconds(h.value("timeout", 5));
            check.retries = h.value("retries", 3);
            check.start_period = std::chrono::seconds(h.value("startPeriod", 0));
            spec.health_check = check;
            spec.on_health = [this, arn, index](bool healthy) { container_health(arn, index, healthy); };
        }

        try {
            auto network = task_network;
            if (!shared_network) {
                network = co_await runtime_->open_task_network();
                live->networks.push_back(network.id);
            }
            spec.task_network = network.id;
            // An address known before the start is shown at once: the workload may ask the
            // metadata endpoint for it as soon as it runs, before start() returns.
            if (!network.ip.empty()) record_address(tasks_.at(arn), tasks_.at(arn)["containers"][index], network.ip);
            auto started = co_await runtime_->start(std::move(spec));
            auto& t = tasks_.at(arn);
            auto& c = t["containers"][index];
            auto& lc = live->containers[index];
            lc.runtime_id = started.id;
            lc.started = true;
            lc.started_at = clock_.now_seconds();
            c["runtimeId"] = started.id;
            if (!lc.exited) c["lastStatus"] = "RUNNING";
            if (c["networkInterfaces"].empty())
                record_address(t, c, !started.ip.empty() ? started.ip : std::string("127.0.0.1"));
            if (lc.awslogs && lc.log_stream.empty()) lc.log_stream = started.id;
        } catch (const runtime::error& e) {
            auto reason = e.what_kind() == runtime::error::kind::image_not_found
                              ? cannot_pull(definitions[index]["image"], tasks_.at(arn)["launchType"])
                              : std::string("CannotStartContainerError: ") + e.what();
            tasks_.at(arn)["containers"][index]["reason"] = reason;
            fail(reason);
        } catch (const std::exception& e) {
            auto reason = std::string("CannotStartContainerError: ") + e.what();
            tasks_.at(arn)["containers"][index]["reason"] = reason;
            fail(reason);
        }
    }

    auto& task = tasks_.at(arn);
    if (!live->stopping) {
        set_status(task, "RUNNING");
        task["startedAt"] = clock_.now_seconds();
        // A container that ended while its siblings started finishes the task now.
        for (auto& c : live->containers)
            if (c.exited && c.essential) {
                begin_stop(task, *live, "EssentialContainerExited", "Essential container in task exited",
                           clock_.now_seconds());
                break;
            }
    }
    save_task(task);
    live->launched = true;
    runtime_->warm_up();  // replaces the networks this task took, now that its containers have started
    if (live->stopping)
        asio::co_spawn(executor_, stop_containers(arn),
                       [arn](std::exception_ptr e) { log_failure("stopping " + arn, e); });
    else if (live->all_started_exited())
        finish(arn);
}

void service::flush_logs(const std::string& arn, std::size_t index) {
    auto it = live_.find(arn);
    if (it == live_.end()) return;
    auto& live = *it->second;
    auto& lc = live.containers[index];
    lc.flush_posted = false;
    if (lc.pending.empty() || !logs_) return;
    auto batch = std::move(lc.pending);
    lc.pending.clear();
    if (!logs_->append(live.account, lc.log_region, lc.log_group, lc.log_stream, batch, clock_.now_ms()))
        log::warn("ecs: awslogs of " + arn + ": log group " + lc.log_group + " or its stream is gone");
}

asio::awaitable<void> service::stop_containers(std::string arn) {
    auto it = live_.find(arn);
    if (it == live_.end()) co_return;
    auto live = it->second;
    for (auto& c : live->containers) {
        if (!c.started || c.exited) continue;
        asio::co_spawn(executor_, runtime_->stop(c.runtime_id, c.stop_timeout),
                       [arn](std::exception_ptr e) { log_failure("stopping a container of " + arn, e); });
    }
    if (live->launched && live->all_started_exited()) finish(arn);
}

// A container's health check reached a new verdict. A standalone task goes on whatever
// its health: ECS stops only service tasks that report UNHEALTHY.
void service::container_health(const std::string& arn, std::size_t index, bool healthy) {
    auto it = live_.find(arn);
    if (it == live_.end()) return;
    auto& live = *it->second;
    auto& lc = live.containers[index];
    lc.health = healthy ? "HEALTHY" : "UNHEALTHY";
    auto& task = tasks_.at(arn);
    task["containers"][index]["healthStatus"] = lc.health;
    task["healthStatus"] = live.health();
    task["version"] = task.value("version", 0) + 1;
    save_task(task);
    live.changed.cancel();
}

void service::container_exited(const std::string& arn, const std::string& name, int exit_code,
                               const std::string& error) {
    auto it = live_.find(arn);
    if (it == live_.end()) return;
    auto live = it->second;
    auto* lc = live->find(name);
    if (!lc || lc->exited) return;
    lc->exited = true;
    lc->exit_code = exit_code;
    auto index = static_cast<std::size_t>(lc - live->containers.data());
    flush_logs(arn, index);
    auto& task = tasks_.at(arn);
    auto& c = task["containers"][index];
    c["lastStatus"] = "STOPPED";
    c["exitCode"] = exit_code;
    if (!error.empty() && !c.contains("reason")) c["reason"] = error;
    live->changed.cancel();
    if (lc->essential && !live->stopping) {
        begin_stop(task, *live, "EssentialContainerExited", "Essential container in task exited", clock_.now_seconds());
        if (live->launched)
            asio::co_spawn(executor_, stop_containers(arn),
                           [arn](std::exception_ptr e) { log_failure("stopping " + arn, e); });
    }
    save_task(task);
    if (live->launched && live->all_started_exited()) finish(arn);
}

// Every started container has ended: DEPROVISIONING while the runtime removes them, then STOPPED.
void service::finish(const std::string& arn) {
    auto live = live_.at(arn);
    if (live->finished) return;
    live->finished = true;
    auto& task = tasks_.at(arn);
    if (task["desiredStatus"] != "STOPPED")
        begin_stop(task, *live, "EssentialContainerExited", "Essential container in task exited", clock_.now_seconds());
    task["executionStoppedAt"] = clock_.now_seconds();
    set_status(task, "DEPROVISIONING");
    for (auto& c : task["containers"])
        c["lastStatus"] = "STOPPED";
    save_task(task);
    auto remove_all = [](service* self, std::string arn, std::shared_ptr<live_task> live) -> asio::awaitable<void> {
        for (auto& c : live->containers)
            if (c.started) try {
                    co_await self->runtime_->remove(c.runtime_id);
                } catch (const std::exception& e) {
                    log::warn("ecs: cannot remove container " + c.runtime_id + ": " + e.what());
                }
        for (auto& id : live->networks)
            try {
                co_await self->runtime_->close_task_network(id);
            } catch (const std::exception& e) {
                log::warn("ecs: cannot remove a network of " + arn + ": " + e.what());
            }
        auto& t = self->tasks_.at(arn);
        t["lastStatus"] = "STOPPED";
        t["version"] = t.value("version", 0) + 1;
        t["stoppedAt"] = self->clock_.now_seconds();
        if (!t["attachments"].empty()) t["attachments"][0]["status"] = "DELETED";
        self->save_task(t);
        self->live_.erase(arn);
    };
    asio::co_spawn(executor_, remove_all(this, arn, live),
                   [arn](std::exception_ptr e) { log_failure("removing " + arn, e); });
}

json service::describe_tasks(request_context& ctx, const json& input) {
    forget_old_tasks();
    auto& cluster_doc = cluster(ctx, input);
    auto cluster_arn = cluster_doc["clusterArn"].get<std::string>();
    bool with_tags = false;
    if (input.contains("include"))
        for (auto& i : input["include"])
            with_tags = with_tags || i == "TAGS";
    json tasks = json::array(), failures = json::array();
    for (auto& reference : input["tasks"]) {
        auto* task = find_task(ctx, cluster_arn, reference.get<std::string>());
        if (!task) {
            // A bare task ID is reported as the ARN it would have in this cluster, as ECS does.
            auto arn = reference.get<std::string>();
            if (!arn.starts_with("arn:"))
                arn = make_arn("ecs", ctx.region, ctx.account, "task/" + cluster_name_of_arn(cluster_arn) + "/" + arn);
            failures.push_back({{"arn", arn}, {"reason", "MISSING"}});
            continue;
        }
        auto out = public_task(*task);
        if (!with_tags) out.erase("tags");
        tasks.push_back(std::move(out));
    }
    return {{"tasks", tasks}, {"failures", failures}};
}

json service::list_tasks(request_context& ctx, const json& input) {
    forget_old_tasks();
    auto& cluster_doc = cluster(ctx, input);
    auto cluster_arn = cluster_doc["clusterArn"].get<std::string>();
    auto desired = input.value("desiredStatus", std::string("RUNNING"));
    std::string family = input.value("family", std::string());
    std::vector<std::pair<double, std::string>> found;
    for (auto& [arn, task] : tasks_) {
        if (task["clusterArn"] != cluster_arn || task["desiredStatus"] != desired) continue;
        if (input.contains("startedBy") && task.value("startedBy", std::string()) != input["startedBy"]) continue;
        if (input.contains("launchType") && task["launchType"] != input["launchType"]) continue;
        if (!family.empty()) {
            auto def = task["taskDefinitionArn"].get<std::string>();
            auto f = def.substr(def.rfind('/') + 1);
            if (f.substr(0, f.rfind(':')) != family) continue;
        }
        if (input.contains("serviceName") || input.contains("containerInstance")) continue;  // eddy has neither yet
        found.emplace_back(task["createdAt"].get<double>(), arn);
    }
    std::sort(found.begin(), found.end());
    std::size_t from = 0;
    if (input.contains("nextToken")) try {
            from = std::stoul(input["nextToken"].get<std::string>());
        } catch (const std::exception&) {
            throw invalid_parameter("Invalid token");
        }
    std::size_t limit = input.value("maxResults", 100);
    json out = {{"taskArns", json::array()}};
    for (std::size_t i = from; i < found.size() && i < from + limit; ++i)
        out["taskArns"].push_back(found[i].second);
    if (from + limit < found.size()) out["nextToken"] = std::to_string(from + limit);
    return out;
}

json service::stop_task(request_context& ctx, const json& input) {
    auto& cluster_doc = cluster(ctx, input);
    auto* task = find_task(ctx, cluster_doc["clusterArn"].get<std::string>(), input["task"].get<std::string>());
    if (!task) throw invalid_parameter("The referenced task was not found.");
    auto arn = (*task)["taskArn"].get<std::string>();
    auto it = live_.find(arn);
    if (it != live_.end() && (*task)["desiredStatus"] != "STOPPED") {
        begin_stop(*task, *it->second, "UserInitiated", input.value("reason", std::string("Task stopped by user")),
                   clock_.now_seconds());
        (*task)["version"] = task->value("version", 0) + 1;
        save_task(*task);
        it->second->changed.cancel();  // a launch waiting on a dependency gives up
        // While the launch is still starting containers it sees `stopping` and hands over itself.
        if (it->second->launched)
            asio::co_spawn(executor_, stop_containers(arn),
                           [arn](std::exception_ptr e) { log_failure("stopping " + arn, e); });
    }
    return {{"task", public_task(*task)}};
}

void service::ready() {
    if (!runtime_) return;
    for (auto& [family, revisions] : task_definitions_)
        for (auto& [revision, doc] : revisions)
            if (doc["status"] == "ACTIVE") {
                runtime_->warm_up();
                return;
            }
}

asio::awaitable<void> service::reconcile() {
    if (pending_reconcile_.empty()) co_return;
    std::map<std::string, bool> running;  // task ARN -> a container of it still runs
    if (runtime_) try {
            for (auto& l : co_await runtime_->list_leftovers()) {
                auto label = l.labels.find("com.amazonaws.ecs.task-arn");
                if (label != l.labels.end()) running[label->second] = running[label->second] || l.running;
            }
        } catch (const std::exception& e) {
            log::warn(std::string("ecs: cannot list what an earlier run left: ") + e.what());
        }
    for (auto& arn : pending_reconcile_) {
        auto it = tasks_.find(arn);
        if (it == tasks_.end()) continue;
        auto& task = it->second;
        bool still_ran = running[arn];
        auto now = clock_.now_seconds();
        // eddy ending is the task's host going away: ECS's TerminationNotice.
        if (task["desiredStatus"] != "STOPPED") {
            task["desiredStatus"] = "STOPPED";
            task["stopCode"] = "TerminationNotice";
            task["stoppedReason"] = still_ran ? "Task stopped because eddy restarted while it ran; its containers "
                                                "were still running and have been removed"
                                              : "Task stopped because eddy restarted while it ran; its containers "
                                                "were no longer running";
            task["stoppingAt"] = now;
        }
        for (auto& c : task["containers"]) {
            c["lastStatus"] = "STOPPED";
            if (!c.contains("exitCode") && !c.contains("reason"))
                c["reason"] = "Container of a task eddy could not follow across a restart";
        }
        task["executionStoppedAt"] = now;
        task["stoppedAt"] = now;
        set_status(task, "STOPPED");
        if (!task["attachments"].empty()) task["attachments"][0]["status"] = "DELETED";
        save_task(task);
        log::info("ecs: task " + arn + " was " + (still_ran ? "still running" : "gone") + " after a restart: STOPPED");
    }
    pending_reconcile_.clear();
}

}  // namespace eddy::ecs
