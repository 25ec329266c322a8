#include "services/stepfunctions/engine.hpp"

#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "protocol/codec.hpp"
#include "protocol/model.hpp"
#include "services/logs/store.hpp"
#include "services/stepfunctions/asl/error_handling.hpp"
#include "services/stepfunctions/asl/steps.hpp"
#include "services/stepfunctions/asl/timestamp.hpp"
#include "services/stepfunctions/sdk_names.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace eddy::stepfunctions {

namespace asio = boost::asio;
using asl::states_error;

// Work a cancelled scope (a stopped execution, a failed sibling branch) abandons.
struct cancelled {};

// A branch of the execution that can be cancelled as a whole: the execution itself, a
// Parallel branch, a Map iteration. Cancelling wakes every timer waiting in it or below it.
struct engine::scope {
    scope* parent = nullptr;
    bool is_cancelled_flag = false;
    std::set<clock_timer*> timers;
    std::set<scope*> children;

    explicit scope(scope* p = nullptr) : parent(p) {
        if (parent) parent->children.insert(this);
    }
    ~scope() {
        if (parent) parent->children.erase(this);
    }
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;

    void cancel() {
        is_cancelled_flag = true;
        for (auto* t : timers)
            t->cancel();
        for (auto* c : children)
            c->cancel();
    }
    bool is_cancelled() const {
        for (auto* s = this; s; s = s->parent)
            if (s->is_cancelled_flag) return true;
        return false;
    }
    void check() const {
        if (is_cancelled()) throw cancelled{};
    }
};

// The job a .sync task started and waits for: a child execution (states) or an ECS task
// (ecs), as StartExecution or RunTask answered. Kept in the checkpoint so a restarted eddy
// waits for the same job instead of starting another.
struct engine::sync_job {
    std::string service, pattern;  // "states" or "ecs"; "sync" or "sync:2"
    json submitted;
    std::string cluster;  // ecs: where to describe the task
    std::int64_t timeout_deadline_ms = 0;

    json to_json() const {
        return {{"service", service},
                {"pattern", pattern},
                {"submitted", submitted},
                {"cluster", cluster},
                {"timeoutDeadline", timeout_deadline_ms}};
    }
    static sync_job from_json(const json& j) {
        return {j.value("service", ""), j.value("pattern", ""), j.value("submitted", json::object()),
                j.value("cluster", ""), j.value("timeoutDeadline", std::int64_t(0))};
    }
};

// A task waiting for SendTaskSuccess/Failure on its token.
struct engine::pending_task {
    std::string token;
    clock_timer* timer = nullptr;
    bool done = false, failed = false;
    json output;
    std::string error, cause;
    std::optional<std::int64_t> heartbeat_seconds;
    std::int64_t heartbeat_deadline_ms = 0, timeout_deadline_ms = 0;
};

// The chain of events one branch of the execution appends to: each event's previousEventId is
// the last event of its own branch.
struct engine::thread {
    std::int64_t last = 0;
    checkpoint* at = nullptr;  // the strand's checkpoint (durable executions), which keeps `last`
};

struct engine::live : std::enable_shared_from_this<engine::live> {
    std::shared_ptr<execution> e;
    scope root;
    thread main;
    std::vector<asio::steady_timer*> watchers;  // finished() callers
    std::vector<clock_timer*> sync_waiters;     // parents' startExecution.sync tasks waiting for it
    std::string stop_status;                    // set by stop() or the execution timeout
    std::uint64_t tokens = 0;
    json context;                       // $$ without State, Task and Map
    std::string log_group, log_stream;  // where loggingConfiguration sends the events, if anywhere
    std::string log_level;
    bool shutting_down = false;
    bool save_queued = false;  // the execution's description is to be written this turn
};

namespace {

constexpr std::int64_t default_task_timeout_s = 99999999;

std::string with_prefix(const asl::state& s, std::int64_t entered, const std::string& cause) {
    return "An error occurred while executing the state '" + s.name + "' (entered at the event id #" +
           std::to_string(entered) + "). " + cause;
}

// Errors a state raises itself (bad paths, intrinsics) carry AWS's prefix naming the state.
states_error own_error(const asl::state& s, std::int64_t entered, const states_error& e) {
    return states_error(e.error, with_prefix(s, entered, e.cause));
}

std::string type_prefix(asl::state_type t) {
    switch (t) {
        case asl::state_type::task:
            return "Task";
        case asl::state_type::pass:
            return "Pass";
        case asl::state_type::choice:
            return "Choice";
        case asl::state_type::wait:
            return "Wait";
        case asl::state_type::succeed:
            return "Succeed";
        case asl::state_type::fail:
            return "Fail";
        case asl::state_type::parallel:
            return "Parallel";
        case asl::state_type::map:
            return "Map";
    }
    return "Pass";
}

// An event's error and cause, each only when there is one: AWS leaves out a cause a timeout
// lacks, and both when a Fail state names neither.
json with_error(json details, const std::string& error, const std::string& cause) {
    if (!error.empty()) details["error"] = error;
    if (!cause.empty()) details["cause"] = cause;
    return details;
}

std::string iso_time(std::int64_t ms) {
    return format_iso8601(ms);
}

// "arn:aws:states:::sqs:sendMessage.waitForTaskToken" -> {"sqs", "sendMessage", "waitForTaskToken"};
// "arn:aws:states:::aws-sdk:sqs:sendMessage" -> {"aws-sdk:sqs", "sendMessage", ""}.
struct resource_parts {
    std::string type, action, pattern;
    bool service_arn = false;
};

resource_parts parse_resource(const std::string& arn) {
    resource_parts r;
    const std::string prefix = "arn:aws:states:::";
    if (arn.rfind(prefix, 0) != 0) return r;
    r.service_arn = true;
    std::string rest = arn.substr(prefix.size());
    auto last_colon = rest.rfind(':');
    // ".sync:2" has a colon of its own
    if (auto sync2 = rest.find(".sync:"); sync2 != std::string::npos) last_colon = rest.rfind(':', sync2);
    if (last_colon == std::string::npos) return r;
    r.type = rest.substr(0, last_colon);
    std::string action = rest.substr(last_colon + 1);
    if (auto dot = action.find('.'); dot != std::string::npos) {
        r.pattern = action.substr(dot + 1);
        action = action.substr(0, dot);
    }
    r.action = action;
    return r;
}

// SDK service names as the aws-sdk integration spells them -> eddy's service ids.
std::string service_id(const std::string& sdk_name) {
    if (sdk_name == "sfn" || sdk_name == "states") return "stepfunctions";
    if (sdk_name == "cloudwatchlogs") return "logs";
    if (sdk_name == "eventbridge") return "events";
    return sdk_name;
}

// The PascalCase service name AWS puts before an SDK integration's error names.
std::string error_service_name(const std::string& sdk_name) {
    if (sdk_name == "dynamodb") return "DynamoDb";
    if (sdk_name == "cloudwatchlogs") return "CloudWatchLogs";
    if (sdk_name == "eventbridge") return "EventBridge";
    std::string out = sdk_name;
    if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

std::string pascal(std::string action) {
    if (!action.empty()) action[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(action[0])));
    return action;
}

// "AWS.SimpleQueueService.NonExistentQueue", "com.amazon...#X" -> the last part, with the
// Exception suffix AWS adds when the service's own name lacks it.
std::string sdk_error_name(const std::string& service, const std::string& code) {
    std::string name = code;
    if (auto hash = name.rfind('#'); hash != std::string::npos) name = name.substr(hash + 1);
    if (auto dot = name.rfind('.'); dot != std::string::npos) name = name.substr(dot + 1);
    const std::string suffix = "Exception";
    if (name.size() < suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
        name += suffix;
    return service + "." + name;
}

// The model of the service an integration calls (aws-sdk or optimized), when eddy has one.
const protocol::service_model* model_of(const resource_parts& r) {
    auto service = service_id(r.type.rfind("aws-sdk:", 0) == 0 ? r.type.substr(8) : r.type);
    if (protocol::embedded_model(service).empty()) return nullptr;
    return &protocol::model(service);
}

// Why a service integration cannot be called with `params`, as AWS words it: they are not an
// object, or name a field the operation's input lacks. Nothing when eddy has no model to tell.
std::optional<std::string> unusable_parameters(const resource_parts& r, const json& params) {
    const auto* model = r.service_arn && !r.type.empty() ? model_of(r) : nullptr;
    const json* op = model ? model->operation(pascal(r.action)) : nullptr;
    if (!op) return std::nullopt;
    if (!params.is_object()) return std::string("The value of the field 'Parameters' must be an object");
    const auto* input = model->input_node(*op);
    for (const auto& [key, value] : params.items()) {
        bool known = input && std::any_of(input->members.begin(), input->members.end(),
                                          [&](const auto& member) { return ascii_iequals(member.name, key); });
        if (!known) return "The field \"" + key + "\" is not supported by Step Functions";
    }
    return std::nullopt;
}

}  // namespace

bool sdk_resource_known(const std::string& resource) {
    auto r = parse_resource(resource);
    if (!r.service_arn || r.type.rfind("aws-sdk:", 0) != 0) return true;
    if (!r.pattern.empty() && r.pattern != "waitForTaskToken") return false;
    const auto* model = model_of(r);
    return !model || model->operation(pascal(r.action));  // without a model eddy cannot tell
}

engine::engine(service_env& env, store& st) : env_(env), store_(st) {
    // On shutdown the executions stop where they are, recording nothing: a durable one
    // resumes from its checkpoint when eddy starts again.
    env.on_stop([this] {
        auto all = running_;
        for (auto& [arn, l] : all) {
            l->shutting_down = true;
            l->root.cancel();
        }
    });
}

std::string engine::new_token(live& l) {
    // The token names its execution, so a token of a finished execution is told apart from
    // garbage (TaskDoesNotExist vs InvalidToken).
    return base64_encode("eddy-token|" + l.e->arn + "|" + std::to_string(++l.tokens) + "|" + new_uuid());
}

std::int64_t engine::record(live& l, thread& t, std::string type, std::string key, json details) {
    auto& e = *l.e;
    history_event ev;
    ev.id = static_cast<std::int64_t>(e.events.size()) + 1;
    ev.previous = t.last;
    ev.at_ms = env_.clock.now_ms();
    ev.type = std::move(type);
    ev.details_key = std::move(key);
    ev.details = std::move(details);
    t.last = ev.id;
    if (t.at) t.at->last_event = ev.id;
    if (e.persisted) {
        store_.add_event(e.arn, ev);
        save(l);  // the checkpoint that goes with the event, in the same transaction
    }
    if (!l.log_group.empty()) deliver(l, ev);
    e.events.push_back(std::move(ev));
    return t.last;
}

// loggingConfiguration: a stream of its own in the destination group, named as AWS names them
// ("states/<machine>/<yyyy-mm-dd-hh-mm>/<id>"). A group that does not exist gets nothing.
void engine::open_log(live& l) {
    auto& e = *l.e;
    auto level = e.logging.value("level", "OFF");
    if (level == "OFF" || !env_.logs) return;
    std::string group_arn;
    for (auto& d : e.logging.value("destinations", json::array()))
        if (d.contains("cloudWatchLogsLogGroup")) group_arn = d["cloudWatchLogsLogGroup"].value("logGroupArn", "");
    arn_parts parts;
    if (group_arn.empty() || !parse_arn(group_arn, parts) || parts.resource.rfind("log-group:", 0) != 0) return;
    std::string group = parts.resource.substr(10);
    if (auto colon = group.find(':'); colon != std::string::npos) group = group.substr(0, colon);
    auto when = format_iso8601(e.start_ms);  // 2026-11-27T21:30:00.000Z
    std::string minute = when.substr(0, 10) + "-" + when.substr(11, 2) + "-" + when.substr(14, 2);
    std::string machine = e.machine_arn.substr(e.machine_arn.rfind(':') + 1);
    std::string stream = "states/" + machine + "/" + minute + "/" + new_uuid().substr(0, 8);
    if (!env_.logs->ensure_stream(e.account, e.region, group, stream, env_.clock.now_ms())) return;
    l.log_group = group;
    l.log_stream = stream;
    l.log_level = level;
}

void engine::deliver(live& l, const history_event& ev) {
    auto& e = *l.e;
    // ERROR logs the events of things failing; FATAL only the execution's own end
    static const std::set<std::string> fatal = {"ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"};
    bool error_type = ev.type.find("Failed") != std::string::npos || ev.type.find("TimedOut") != std::string::npos ||
                      ev.type.find("Aborted") != std::string::npos;
    if (l.log_level == "FATAL" && !fatal.count(ev.type)) return;
    if (l.log_level == "ERROR" && !error_type) return;
    json details = ev.details.is_null() ? json::object() : ev.details;
    if (!e.logging.value("includeExecutionData", false))
        for (auto* k : {"input", "output", "parameters", "inputDetails", "outputDetails"})
            details.erase(k);
    json message = {{"id", std::to_string(ev.id)},
                    {"type", ev.type},
                    {"details", details},
                    {"previous_event_id", std::to_string(ev.previous)},
                    {"event_timestamp", std::to_string(ev.at_ms)},
                    {"execution_arn", e.arn},
                    {"redrive_count", "0"}};
    logs::input_event out{ev.at_ms, message.dump()};
    env_.logs->append(e.account, e.region, l.log_group, l.log_stream, std::span<const logs::input_event>(&out, 1),
                      env_.clock.now_ms());
}

// The description is written once per turn of the loop, as it is by then, after the events
// recorded in that turn: what a restart finds always has the checkpoints of every strand as
// they were after the last stored event.
void engine::save(live& l) {
    if (!l.e->persisted || l.save_queued) return;
    l.save_queued = true;
    store_.put_execution(l.e->arn, [self = l.shared_from_this()] {
        self->save_queued = false;
        // an ended execution was written when it ended, no later than this
        return self->e->status == "RUNNING" ? execution_to_json(*self->e) : json();
    });
}

// The strand `at` is now in state `s`, in `phase` (its other fields are the caller's to set).
void engine::mark(live& l, checkpoint* at, const asl::state& s, std::string phase, const json& input,
                  const json& variables, std::int64_t entered) {
    if (!at) return;
    auto last = at->last_event;
    *at = checkpoint{};
    at->state = s.name;
    at->phase = std::move(phase);
    at->input = input;
    at->variables = variables;
    at->entered_event = entered;
    at->last_event = last;
    save(l);
}

void engine::start(std::shared_ptr<execution> e) {
    auto l = std::make_shared<live>();
    l->e = e;
    open_log(*l);
    json details = {{"input", e->input}, {"inputDetails", {{"truncated", false}}}};
    if (!e->role_arn.empty()) details["roleArn"] = e->role_arn;
    // StartExecution answers once the execution is stored: written now, in its transaction,
    // and before any later description of it (made when written) so that one has the last word
    store_.put_execution(*e);
    if (e->persisted) l->main.at = &e->at;
    record(*l, l->main, "ExecutionStarted", "executionStartedEventDetails", details);
    // AWS chains the first state's entry to no event (previousEventId 0), not to ExecutionStarted
    l->main.last = 0;
    if (l->main.at) l->main.at->last_event = 0;
    running_[e->arn] = l;
    asio::co_spawn(env_.executor, run(l, false), asio::detached);
}

void engine::resume(std::shared_ptr<execution> e) {
    auto l = std::make_shared<live>();
    l->e = e;
    open_log(*l);
    // states that were mid-call run again, without what they recorded when that can go
    if (auto keep = events_before_reentry(e->at, e->events); keep < e->events.size()) {
        store_.truncate_events(e->arn, static_cast<std::int64_t>(keep));
        e->events.resize(keep);
    }
    l->main.at = &e->at;
    // (nothing but ExecutionStarted: the first state's entry still follows no event)
    l->main.last = e->at.last_event ? e->at.last_event : e->events.size() <= 1 ? 0 : e->events.back().id;
    l->tokens = 1000;  // tokens made before the restart keep their numbers
    running_[e->arn] = l;
    asio::co_spawn(env_.executor, run(l, !e->at.state.empty()), asio::detached);
}

asio::awaitable<void> engine::finished(std::shared_ptr<execution> e) {
    auto it = running_.find(e->arn);
    if (it == running_.end() || e->status != "RUNNING") co_return;
    auto l = it->second;
    asio::steady_timer wake(env_.executor, asio::steady_timer::time_point::max());
    l->watchers.push_back(&wake);
    co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
}

void engine::end(live& l, std::string status, std::string event, json details) {
    auto& e = *l.e;
    if (e.status != "RUNNING") return;
    e.status = std::move(status);
    e.stop_ms = env_.clock.now_ms();
    std::string key = event;
    key[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(key[0])));
    // StopExecution comes from outside the execution's states: AWS chains ExecutionAborted to no
    // event (previousEventId 0)
    thread outside;
    record(l, e.status == "ABORTED" ? outside : l.main, std::move(event), key + "EventDetails", details);
    // written now: StopExecution answers once the execution is stored as ABORTED (a description
    // made later is the same: an ended execution changes no more)
    store_.put_execution(e);
    for (auto* w : l.watchers)
        w->cancel();
    l.watchers.clear();
    for (auto* w : l.sync_waiters)
        w->cancel();
    l.sync_waiters.clear();
    auto self = running_.find(e.arn);
    std::shared_ptr<live> keep;
    if (self != running_.end()) {
        keep = self->second;
        running_.erase(self);
    }
    if (on_end) on_end(l.e);
}

void engine::stop(const std::shared_ptr<execution>& e, std::optional<std::string> error,
                  std::optional<std::string> cause) {
    auto it = running_.find(e->arn);
    if (it == running_.end()) return;
    auto l = it->second;
    json details = json::object();
    if (error) details["error"] = *error;
    if (cause) details["cause"] = *cause;
    e->error = error;
    e->cause = cause;
    l->stop_status = "ABORTED";
    end(*l, "ABORTED", "ExecutionAborted", details);
    l->root.cancel();
}

asio::awaitable<void> engine::run(std::shared_ptr<live> l, bool resuming) {
    auto& e = *l->e;
    auto program = e.program;
    // An execution-wide TimeoutSeconds ends it TIMED_OUT wherever it is.
    if (program->timeout_seconds) {
        auto deadline =
            eddy::clock::time_point(std::chrono::milliseconds(e.start_ms + *program->timeout_seconds * 1000));
        asio::co_spawn(
            env_.executor,
            [this, l, deadline]() -> asio::awaitable<void> {
                clock_timer timer(env_.clock, env_.executor);
                l->root.timers.insert(&timer);
                bool fired = co_await timer.wait_until(deadline);
                l->root.timers.erase(&timer);
                if (!fired || l->e->status != "RUNNING") co_return;
                l->e->error = "States.Timeout";
                end(*l, "TIMED_OUT", "ExecutionTimedOut", {{"error", "States.Timeout"}});
                l->root.cancel();
            },
            asio::detached);
    }
    // once every strand has unwound, an ended execution's checkpoints go (a shut down one keeps them)
    struct forget_checkpoints {
        execution& e;
        ~forget_checkpoints() {
            if (e.status != "RUNNING") e.at = {};
        }
    } forget{e};
    try {
        json input = json::parse(e.input);
        // on a resumed execution run_machine starts at the checkpoint instead
        json output = co_await run_machine(*l, *program, std::move(input), json::object(), l->main, l->root, json(),
                                           l->main.at, resuming);
        if (e.status != "RUNNING") co_return;
        e.output = output.dump();
        end(*l, "SUCCEEDED", "ExecutionSucceeded", {{"output", *e.output}, {"outputDetails", {{"truncated", false}}}});
    } catch (const states_error& err) {
        if (e.status != "RUNNING") co_return;
        e.error = err.error;
        e.cause = err.cause;
        end(*l, "FAILED", "ExecutionFailed", with_error(json::object(), err.error, err.cause));
    } catch (const cancelled&) {
    } catch (const std::exception& x) {
        if (e.status != "RUNNING") co_return;
        log::error(std::string("states: execution ") + e.arn + " failed inside eddy: " + x.what());
        e.error = "States.Runtime";
        e.cause = x.what();
        end(*l, "FAILED", "ExecutionFailed", {{"error", "States.Runtime"}, {"cause", x.what()}});
    }
}

asio::awaitable<json> engine::run_machine(live& l, const asl::state_machine& sm, json input, json variables, thread& t,
                                          scope& sc, const json& map_item, checkpoint* at, bool resuming) {
    asl::environment env;
    auto& e = *l.e;
    if (l.context.is_null()) {
        // built once per execution; each branch and iteration starts from a copy
        l.context = {
            {"Execution",
             {{"Id", e.arn},
              {"Input", json::parse(e.input)},
              {"Name", e.name},
              {"RoleArn", e.role_arn},
              {"StartTime", iso_time(e.start_ms)},
              {"RedriveCount", 0}}},
            {"StateMachine", {{"Id", e.machine_arn}, {"Name", e.machine_arn.substr(e.machine_arn.rfind(':') + 1)}}}};
    }
    env.context = l.context;
    if (!map_item.is_null()) env.context["Map"] = map_item;
    env.variables = std::move(variables);
    std::string name = sm.start_at;
    if (resuming) {
        // resuming after a restart: where the strand's checkpoint says
        name = at->state;
        input = at->input;
        env.variables = at->variables;
    }
    for (;;) {
        sc.check();
        const asl::state* s = sm.find(name);
        if (!s) throw states_error("States.Runtime", "No state named '" + name + "'");
        step_result r;
        try {
            r = co_await run_state(l, *s, std::move(input), env, t, sc, at, resuming);
        } catch (const cancelled&) {
            // A failed sibling stopped this strand in the state: AWS records it aborted (not so
            // for StopExecution or a timeout, which end the execution first, nor on shutdown).
            if (e.status == "RUNNING" && !l.shutting_down) record(l, t, type_prefix(s->type) + "StateAborted");
            throw;
        }
        resuming = false;
        asl::apply_assignments(env.variables, r.assigned);
        if (r.end) co_return std::move(r.output);
        input = std::move(r.output);
        name = std::move(r.next);
    }
}

asio::awaitable<bool> engine::sleep_until(scope& sc, eddy::clock::time_point at) {
    clock_timer timer(env_.clock, env_.executor);
    sc.timers.insert(&timer);
    bool fired = co_await timer.wait_until(at);
    sc.timers.erase(&timer);
    sc.check();
    co_return fired;
}

asio::awaitable<engine::step_result> engine::run_state(live& l, const asl::state& s, json input, asl::environment& env,
                                                       thread& t, scope& sc, checkpoint* at, bool resuming) {
    auto& e = *l.e;
    std::string prefix = type_prefix(s.type);
    std::int64_t entered = 0;
    bool resumed = resuming && at->state == s.name;
    std::string phase = resumed ? at->phase : "";
    if (resumed && phase == "run") resumed = false;  // entered again (see resume)
    if (resumed) {
        entered = at->entered_event;
    } else {
        entered = record(l, t, prefix + "StateEntered", "stateEnteredEventDetails",
                         {{"name", s.name}, {"input", input.dump()}, {"inputDetails", {{"truncated", false}}}});
    }
    env.context["State"] = {{"EnteredTime", iso_time(env_.clock.now_ms())}, {"Name", s.name}, {"RetryCount", 0}};
    auto exited = [&](const json& output) {
        record(l, t, prefix + "StateExited", "stateExitedEventDetails",
               {{"name", s.name}, {"output", output.dump()}, {"outputDetails", {{"truncated", false}}}});
    };
    step_result r;
    switch (s.type) {
        case asl::state_type::pass:
        case asl::state_type::choice: {
            asl::transition tr;
            try {
                tr = s.type == asl::state_type::pass ? asl::run_pass(s, input, env) : asl::run_choice(s, input, env);
            } catch (const states_error& err) {
                if (err.error == asl::error_names::no_choice_matched) throw;
                throw own_error(s, entered, err);
            }
            exited(tr.output);
            r.output = std::move(tr.output);
            r.assigned = std::move(tr.assigned);
            r.next = std::move(tr.next);
            r.end = r.next.empty();
            co_return r;
        }
        case asl::state_type::succeed: {
            try {
                r.output = asl::run_succeed(s, input, env);
            } catch (const states_error& err) {
                throw own_error(s, entered, err);
            }
            exited(r.output);
            r.end = true;
            co_return r;
        }
        case asl::state_type::fail: {
            states_error err("", "");
            try {
                err = asl::run_fail(s, input, env);
            } catch (const states_error& x) {
                throw own_error(s, entered, x);
            }
            throw err;
        }
        case asl::state_type::wait: {
            asl::wait_plan plan;
            try {
                plan = asl::plan_wait(s, input, env, env_.clock.now_ms() * 1'000'000);
            } catch (const states_error& err) {
                throw own_error(s, entered, err);
            }
            std::int64_t until_ms = plan.until_ns / 1'000'000;
            if (resumed && phase == "wait") until_ms = at->until_ms;
            if (at) {
                mark(l, at, s, "wait", input, env.variables, entered);
                at->until_ms = until_ms;
            }
            co_await sleep_until(sc, eddy::clock::time_point(std::chrono::milliseconds(until_ms)));
            exited(plan.after.output);
            r.output = std::move(plan.after.output);
            r.assigned = std::move(plan.after.assigned);
            r.next = std::move(plan.after.next);
            r.end = r.next.empty();
            co_return r;
        }
        case asl::state_type::task:
        case asl::state_type::parallel:
        case asl::state_type::map:
            break;
    }

    // Task, Parallel and Map: attempts with Retry, then Catch.
    std::vector<int> retries;
    std::optional<std::int64_t> retry_at;  // between attempts: when the next one starts
    if (resumed && phase == "retry") {
        // a restart found the state waiting to retry: it keeps its deadline and its counts
        retries = at->task.value("retries", std::vector<int>{});
        retry_at = at->until_ms;
        resumed = false;
    }
    for (;;) {
        if (retry_at) {
            co_await sleep_until(sc, eddy::clock::time_point(std::chrono::milliseconds(*retry_at)));
            retry_at.reset();
            int total = 0;
            for (int n : retries)
                total += n;
            env.context["State"]["RetryCount"] = total;
        }
        std::optional<states_error> failure;
        try {
            json result = co_await attempt(l, s, input, env, t, sc, at, resumed, entered);
            asl::state_output out;
            try {
                out = asl::finish_state(s, input, result, env);
            } catch (const states_error& err) {
                throw own_error(s, entered, err);
            }
            exited(out.output);
            r.output = std::move(out.output);
            r.assigned = std::move(out.assigned);
            r.next = s.next;
            r.end = s.end;
            co_return r;
        } catch (const states_error& err) {
            failure = err;
        }
        sc.check();
        resumed = false;
        auto uniform = [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(random_); };
        auto decision = asl::decide_on_error(s, *failure, retries, input, env, uniform);
        if (decision.what == asl::error_decision::kind::retry) {
            retry_at = env_.clock.now_ms() + static_cast<std::int64_t>(decision.delay_seconds * 1000.0);
            if (at) {
                mark(l, at, s, "retry", input, env.variables, entered);
                at->until_ms = *retry_at;
                at->task = {{"retries", retries}};
            }
            continue;
        }
        if (decision.what == asl::error_decision::kind::catch_) {
            exited(decision.output);
            r.output = std::move(decision.output);
            r.assigned = std::move(decision.assigned);
            r.next = decision.next;
            co_return r;
        }
        throw *failure;
    }
}

asio::awaitable<json> engine::attempt(live& l, const asl::state& s, const json& input, asl::environment& env, thread& t,
                                      scope& sc, checkpoint* at, bool resumed, std::int64_t entered) {
    if (s.type == asl::state_type::task) co_return co_await run_task(l, s, input, env, t, sc, at, resumed, entered);
    // a Parallel or Map picked up after a restart carries on with the strands it had
    resumed = resumed && at->phase == "branches";
    if (!resumed) mark(l, at, s, "branches", input, env.variables, entered);
    json effective;
    try {
        effective =
            s.type == asl::state_type::map ? asl::apply_input_path(s, input, env) : asl::effective_input(s, input, env);
    } catch (const states_error& err) {
        throw own_error(s, entered, err);
    }
    if (s.type == asl::state_type::parallel) co_return co_await run_parallel(l, s, effective, env, t, sc, at, resumed);
    co_return co_await run_map(l, s, effective, env, t, sc, entered, at, resumed);
}

asio::awaitable<void> engine::run_all(std::size_t n, std::size_t limit,
                                      std::function<asio::awaitable<void>(std::size_t)> body) {
    if (n == 0) co_return;
    if (limit == 0 || limit > n) limit = n;
    struct counters {
        std::size_t next = 0, running = 0, done = 0;
    };
    auto c = std::make_shared<counters>();
    asio::steady_timer wake(env_.executor, asio::steady_timer::time_point::max());
    while (c->done < n) {
        while (c->running < limit && c->next < n) {
            std::size_t i = c->next++;
            ++c->running;
            asio::co_spawn(env_.executor, body(i), [c, &wake](std::exception_ptr) {
                --c->running;
                ++c->done;
                wake.cancel();
            });
        }
        if (c->done < n) co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

namespace {

// How a branch or iteration starts: afresh after its parent's latest event, or, after a
// restart, where its checkpoint says.
struct strand_start {
    engine::thread t;
    bool resuming = false;
};

strand_start begin_strand(checkpoint* at, std::size_t i, bool resumed, const engine::thread& parent) {
    strand_start start{parent};
    if (!at) return start;
    auto [node, inserted] = at->running.try_emplace(i);
    start.t.at = &node->second;
    if (resumed && !inserted && !node->second.state.empty()) {
        start.resuming = true;
        start.t.last = node->second.last_event;
    } else {
        node->second = checkpoint{};
        node->second.last_event = parent.last;
    }
    return start;
}

// A Parallel or Map that failed before a restart, while its other strands were stopping.
std::optional<states_error> failed_before(const checkpoint* at, bool resumed) {
    if (!resumed || !at->task.is_object() || !at->task.contains("error")) return std::nullopt;
    return states_error(at->task.value("error", ""), at->task.value("cause", ""));
}

}  // namespace

// The strand `i` of the Parallel or Map at `at` finished with `output`: a restart takes that
// instead of running it again.
void engine::finish_strand(live& l, checkpoint* at, std::size_t i, json output) {
    if (!at) return;
    at->running.erase(i);
    at->done[i] = std::move(output);
    save(l);
}

// The Parallel or Map at `at` fails with `failure` once its other strands have stopped.
void engine::fail_strands(live& l, checkpoint* at, const states_error& failure) {
    if (!at || at->task.is_object()) return;
    at->task = {{"error", failure.error}, {"cause", failure.cause}};
    save(l);
}

asio::awaitable<json> engine::run_parallel(live& l, const asl::state& s, const json& input, asl::environment& env,
                                           thread& t, scope& sc, checkpoint* at, bool resumed) {
    if (!resumed) record(l, t, "ParallelStateStarted");
    std::size_t n = s.branches.size();
    json results = json::array();
    for (std::size_t i = 0; i < n; ++i)
        results.push_back(nullptr);
    std::optional<states_error> failure = failed_before(at, resumed);
    std::int64_t failed_at = 0;  // the last event of the branch that failed
    bool failed_already = failure.has_value();
    scope branches(&sc);
    thread parent = t;
    co_await run_all(n, 0, [&](std::size_t i) -> asio::awaitable<void> {
        if (failed_already) co_return;
        if (at) {
            if (auto done = at->done.find(i); done != at->done.end()) {
                results[i] = done->second;  // finished before a restart
                co_return;
            }
        }
        scope mine(&branches);
        strand_start start = begin_strand(at, i, resumed, parent);
        thread bt = start.t;
        try {
            results[i] =
                co_await run_machine(l, s.branches[i], input, env.variables, bt, mine, json(), bt.at, start.resuming);
            finish_strand(l, at, i, results[i]);
        } catch (const states_error& err) {
            if (!failure) {
                failure = err;
                failed_at = bt.last;
            }
            fail_strands(l, at, *failure);
            branches.cancel();  // the other branches stop where they are
        } catch (const cancelled&) {
        }
    });
    sc.check();
    if (failure) {
        // AWS chains ParallelStateFailed to the failed branch's last event
        if (failed_at) t.last = failed_at;
        record(l, t, "ParallelStateFailed");
        throw *failure;
    }
    record(l, t, "ParallelStateSucceeded");
    co_return results;
}

asio::awaitable<json> engine::run_map(live& l, const asl::state& s, const json& input, asl::environment& env, thread& t,
                                      scope& sc, std::int64_t entered, checkpoint* at, bool resumed) {
    json items;
    long long limit = 0;
    try {
        items = asl::map_items(s, input, env);
        limit = asl::resolve_max_concurrency(s, input, env);
    } catch (const states_error& err) {
        throw own_error(s, entered, err);
    }
    std::size_t n = items.size();
    if (!resumed) record(l, t, "MapStateStarted", "mapStateStartedEventDetails", {{"length", n}});
    json results = json::array();
    for (std::size_t i = 0; i < n; ++i)
        results.push_back(nullptr);
    std::size_t failed = at ? at->failed : 0;
    std::optional<states_error> failure = failed_before(at, resumed), first_failure;
    std::int64_t failed_at = 0;  // the last event of the iteration that failed, before MapIterationFailed
    scope iterations(&sc);
    thread parent = t;
    const asl::state_machine& processor = *s.item_processor;
    co_await run_all(n, static_cast<std::size_t>(limit), [&](std::size_t i) -> asio::awaitable<void> {
        if (at) {
            if (auto done = at->done.find(i); done != at->done.end()) {
                results[i] = done->second;  // finished before a restart
                co_return;
            }
        }
        scope mine(&iterations);
        if (failure) co_return;
        strand_start start = begin_strand(at, i, resumed, parent);
        thread it = start.t;
        json item_input;
        json detail = {{"name", s.name}, {"index", i}};
        if (!start.resuming) {
            try {
                item_input = asl::map_item_input(s, input, items[i], i, env);
            } catch (const states_error& err) {
                failure = err;
                fail_strands(l, at, *failure);
                iterations.cancel();
                co_return;
            }
            record(l, it, "MapIterationStarted", "mapIterationStartedEventDetails", detail);
        }
        json map_ctx = {{"Item", {{"Index", i}, {"Value", items[i]}}}};
        try {
            results[i] = co_await run_machine(l, processor, std::move(item_input), env.variables, it, mine, map_ctx,
                                              it.at, start.resuming);
            finish_strand(l, at, i, results[i]);
            it.at = nullptr;
            record(l, it, "MapIterationSucceeded", "mapIterationSucceededEventDetails", detail);
        } catch (const states_error& err) {
            it.at = nullptr;
            auto iteration_last = it.last;
            record(l, it, "MapIterationFailed", "mapIterationFailedEventDetails", detail);
            ++failed;
            if (!first_failure) first_failure = err;
            bool tolerated = s.tolerated_failure_count || s.tolerated_failure_percentage ||
                             s.tolerated_failure_count_path || s.tolerated_failure_percentage_path;
            if (!tolerated) {
                if (!failure) {
                    failure = err;
                    failed_at = iteration_last;
                }
                iterations.cancel();
            } else if (asl::map_failure_exceeds_tolerance(s, failed, n, input, env)) {
                if (!failure) {
                    failure = states_error(asl::error_names::exceed_tolerated_failure_threshold,
                                           "The specified tolerated failure threshold was exceeded");
                    failed_at = iteration_last;
                }
                iterations.cancel();
            } else if (at) {
                at->failed = failed;
                finish_strand(l, at, i, nullptr);
            }
            if (failure) fail_strands(l, at, *failure);
        } catch (const cancelled&) {
            if (l.e->status == "RUNNING" && !sc.is_cancelled())
                record(l, it, "MapIterationAborted", "mapIterationAbortedEventDetails", detail);
        }
    });
    sc.check();
    if (failure) {
        // AWS chains MapStateFailed to the failed iteration's last event before MapIterationFailed
        if (failed_at) t.last = failed_at;
        record(l, t, "MapStateFailed");
        throw *failure;
    }
    record(l, t, "MapStateSucceeded");
    co_return results;
}

asio::awaitable<json> engine::run_task(live& l, const asl::state& s, const json& input, asl::environment& env,
                                       thread& t, scope& sc, checkpoint* at, bool resumed, std::int64_t entered) {
    auto& e = *l.e;
    auto r = parse_resource(s.resource);
    json fields = {{"resourceType", r.type}, {"resource", r.pattern.empty() ? r.action : r.action + "." + r.pattern}};
    if (!r.service_arn) {
        auto colon = s.resource.find(":function:");
        fields = {{"resourceType", colon != std::string::npos ? "lambda" : "unknown"}, {"resource", s.resource}};
    }
    if (resumed && at->phase == "sync") {
        // a restart found this task waiting for its job: it waits for the same one
        co_return co_await await_job(l, sync_job::from_json(at->task), sc, t, fields);
    }
    pending_task p;
    if (resumed && at->phase == "token") {
        // a restart found this task awaiting its token: it still does
        p.token = at->token;
        p.heartbeat_seconds =
            at->task.contains("heartbeat") ? std::optional<std::int64_t>(at->task["heartbeat"]) : std::nullopt;
        p.heartbeat_deadline_ms = at->task.value("heartbeatDeadline", std::int64_t(0));
        p.timeout_deadline_ms = at->task.value("timeoutDeadline", std::int64_t(0));
        co_return co_await await_token(l, p, sc, t, fields);
    }
    bool callback = r.pattern == "waitForTaskToken";
    if (callback) {
        p.token = new_token(l);
        env.context["Task"] = {{"Token", p.token}};
    } else {
        env.context.erase("Task");
    }
    json params;
    std::optional<long long> timeout, heartbeat;
    try {
        params = asl::effective_input(s, input, env);
        json after_input_path = asl::apply_input_path(s, input, env);
        timeout = asl::resolve_timeout_seconds(s, after_input_path, env);
        heartbeat = asl::resolve_heartbeat_seconds(s, after_input_path, env);
    } catch (const states_error& err) {
        throw own_error(s, entered, err);
    }
    if (auto problem = unusable_parameters(r, params))
        throw own_error(
            s, entered,
            states_error(asl::error_names::runtime, "The Parameters '" + params.dump() +
                                                        "' could not be used to start the Task: [" + *problem + "]"));
    json scheduled = {{"resourceType", fields["resourceType"]},
                      {"resource", fields["resource"]},
                      {"region", e.region},
                      {"parameters", params.dump()}};
    if (timeout) scheduled["timeoutInSeconds"] = *timeout;
    if (heartbeat) scheduled["heartbeatInSeconds"] = *heartbeat;
    record(l, t, "TaskScheduled", "taskScheduledEventDetails", scheduled);
    record(l, t, "TaskStarted", "taskStartedEventDetails", fields);
    auto fail_task = [&](const std::string& error, const std::string& cause) -> states_error {
        record(l, t, "TaskFailed", "taskFailedEventDetails", with_error(fields, error, cause));
        return states_error(error, cause);
    };
    if (!r.service_arn) {
        throw fail_task(asl::error_names::task_failed,
                        "eddy does not run the resource '" + s.resource +
                            "': Lambda functions and activities are not available as task resources");
    }
    mark(l, at, s, "run", input, env.variables, entered);

    std::string service, operation;
    bool sdk = false;
    if (r.type.rfind("aws-sdk:", 0) == 0) {
        sdk = true;
        service = r.type.substr(8);
        operation = pascal(r.action);
    } else {
        service = r.type;
        operation = pascal(r.action);
    }
    bool sync_supported = !sdk && ((service == "states" && operation == "StartExecution") ||
                                   (service == "ecs" && operation == "RunTask"));
    bool sync = r.pattern == "sync" || (r.pattern == "sync:2" && service == "states");
    if (!r.pattern.empty() && r.pattern != "waitForTaskToken" && !(sync && sync_supported)) {
        throw fail_task(asl::error_names::task_failed, "The integration pattern '." + r.pattern +
                                                           "' of the resource '" + s.resource +
                                                           "' is not supported by eddy");
    }

    json result;
    try {
        // The optimized integrations take JSON where the API wants text, and serialize it.
        if (!sdk && service == "states" && operation == "StartExecution" && params.contains("Input") &&
            !params["Input"].is_string())
            params["Input"] = params["Input"].dump();
        if (!sdk && service == "sqs" && operation == "SendMessage" && params.contains("MessageBody") &&
            !params["MessageBody"].is_string())
            params["MessageBody"] = params["MessageBody"].dump();
        result = co_await call_service(l, service, operation, params, true, error_service_name(service), !sdk);
    } catch (const states_error& err) {
        throw fail_task(err.error, err.cause);
    }
    sc.check();

    if (callback) {
        json submitted = fields;
        submitted["output"] = result.dump();
        submitted["outputDetails"] = {{"truncated", false}};
        record(l, t, "TaskSubmitted", "taskSubmittedEventDetails", submitted);
        auto now = env_.clock.now_ms();
        p.timeout_deadline_ms = now + (timeout ? *timeout : default_task_timeout_s) * 1000;
        if (heartbeat) {
            p.heartbeat_seconds = *heartbeat;
            p.heartbeat_deadline_ms = now + *heartbeat * 1000;
        }
        if (at) {
            json task = {{"timeoutDeadline", p.timeout_deadline_ms}, {"heartbeatDeadline", p.heartbeat_deadline_ms}};
            if (heartbeat) task["heartbeat"] = *heartbeat;
            mark(l, at, s, "token", input, env.variables, entered);
            at->token = p.token;
            at->task = std::move(task);
        }
        co_return co_await await_token(l, p, sc, t, fields);
    }

    if (sync) {
        // As for callbacks, AWS records the started job before waiting for it.
        json submitted = fields;
        submitted["output"] = result.dump();
        submitted["outputDetails"] = {{"truncated", false}};
        record(l, t, "TaskSubmitted", "taskSubmittedEventDetails", submitted);
        sync_job job{service, r.pattern, result, params.value("Cluster", "default"),
                     env_.clock.now_ms() + (timeout ? *timeout : default_task_timeout_s) * 1000};
        if (at) {
            mark(l, at, s, "sync", input, env.variables, entered);
            at->task = job.to_json();
        }
        co_return co_await await_job(l, job, sc, t, fields);
    }
    json succeeded = fields;
    succeeded["output"] = result.dump();
    succeeded["outputDetails"] = {{"truncated", false}};
    record(l, t, "TaskSucceeded", "taskSucceededEventDetails", succeeded);
    co_return result;
}

asio::awaitable<json> engine::await_job(live& l, const sync_job& job, scope& sc, thread& t, const json& fields) {
    auto fail = [&](const std::string& error, const std::string& cause) {
        record(l, t, "TaskFailed", "taskFailedEventDetails", with_error(fields, error, cause));
        return states_error(error, cause);
    };
    // Every pause is on eddy's clock, in the task's scope (StopExecution wakes it), bounded by
    // the task's TimeoutSeconds.
    clock_timer timer(env_.clock, env_.executor);
    std::shared_ptr<live> child_live;
    struct cleanup {
        scope& sc;
        clock_timer& timer;
        std::shared_ptr<live>& child;
        ~cleanup() {
            sc.timers.erase(&timer);
            if (child) std::erase(child->sync_waiters, &timer);
        }
    } guard{sc, timer, child_live};
    sc.timers.insert(&timer);
    auto deadline = eddy::clock::time_point(std::chrono::milliseconds(job.timeout_deadline_ms));
    auto timed_out = [&] {
        record(l, t, "TaskTimedOut", "taskTimedOutEventDetails", with_error(fields, asl::error_names::timeout, ""));
        return states_error(asl::error_names::timeout, "");
    };

    json result;
    if (job.service == "states") {
        // .sync / .sync:2: wait for the child execution, answer with its description
        auto arn = job.submitted.value("ExecutionArn", "");
        auto child = find_execution ? find_execution(arn) : nullptr;
        if (!child)
            throw fail(asl::error_names::task_failed,
                       "The execution '" + arn + "' the task started is not known to eddy any more");
        if (auto it = running_.find(child->arn); it != running_.end() && child->status == "RUNNING") {
            child_live = it->second;
            child_live->sync_waiters.push_back(&timer);
        }
        while (child->status == "RUNNING") {
            bool expired = co_await timer.wait_until(deadline);
            sc.check();
            if (expired) throw timed_out();
        }
        bool v2 = job.pattern == "sync:2";
        json d = {{"ExecutionArn", child->arn},
                  {"StateMachineArn", child->machine_arn},
                  {"Name", child->name},
                  {"Status", child->status},
                  {"StartDate", child->start_ms},
                  {"StopDate", child->stop_ms},
                  {"Input", v2 ? json::parse(child->input) : json(child->input)}};
        if (child->output) d["Output"] = v2 ? json::parse(*child->output) : json(*child->output);
        if (child->error) d["Error"] = *child->error;
        if (child->cause) d["Cause"] = *child->cause;
        if (child->status != "SUCCEEDED") throw fail(asl::error_names::task_failed, d.dump());
        result = d;
    } else {
        // ecs .sync: DescribeTasks every 200 ms until the task has STOPPED. Only a task whose
        // essential container exited and whose every container exited 0 succeeded; one stopped
        // otherwise (StopTask, a failed start, eddy's restart: TerminationNotice) failed.
        std::string task_arn;
        if (job.submitted.contains("Tasks") && !job.submitted["Tasks"].empty())
            task_arn = job.submitted["Tasks"][0].value("TaskArn", "");
        for (;;) {
            auto next = env_.clock.now() + std::chrono::milliseconds(200);
            co_await timer.wait_until(std::min(next, deadline));
            sc.check();
            if (env_.clock.now() >= deadline) throw timed_out();
            json q = {{"Cluster", job.cluster}, {"Tasks", json::array({task_arn})}};
            json d;
            try {
                d = co_await call_service(l, "ecs", "DescribeTasks", q, true, "Ecs");
            } catch (const states_error& err) {
                throw fail(err.error, err.cause);
            }
            sc.check();
            if (!d.contains("Tasks") || d["Tasks"].empty()) throw fail(asl::error_names::task_failed, d.dump());
            json task = d["Tasks"][0];
            if (task.value("LastStatus", "") != "STOPPED") continue;
            bool ok = task.value("StopCode", "") == "EssentialContainerExited";
            for (auto& c : task.value("Containers", json::array()))
                if (!c.contains("ExitCode") || c["ExitCode"] != 0) ok = false;
            if (!ok) throw fail(asl::error_names::task_failed, task.dump());
            result = task;
            break;
        }
    }
    json succeeded = fields;
    succeeded["output"] = result.dump();
    succeeded["outputDetails"] = {{"truncated", false}};
    record(l, t, "TaskSucceeded", "taskSucceededEventDetails", succeeded);
    co_return result;
}

asio::awaitable<json> engine::call_service(live& l, const std::string& sdk_service, const std::string& operation,
                                           const json& params, bool names, const std::string& error_service,
                                           bool http_metadata) {
    auto& e = *l.e;
    std::string service = service_id(sdk_service);
    if (!env_.calls.implements(service))
        throw states_error(asl::error_names::task_failed,
                           "The service '" + sdk_service + "' is not available in eddy (called as " + operation + ")");
    const protocol::service_model* model = nullptr;
    const json* op = nullptr;
    try {
        model = &protocol::model(service);
        op = model->operation(operation);
    } catch (const std::exception&) {
    }
    if (!op)
        throw states_error(asl::error_names::task_failed,
                           "The operation '" + operation + "' does not exist in the service '" + sdk_service + "'");
    json request = params;
    if (names && op->contains("input")) request = to_model_names(*model, model->target((*op)["input"]), params);
    request_context ctx;
    ctx.account = e.account;
    ctx.region = e.region;
    ctx.request_id = new_uuid();
    ctx.service = service;
    ctx.operation = operation;
    ctx.host = "localhost:4566";
    ctx.clock = &env_.clock;
    ctx.calls = &env_.calls;
    json response;
    try {
        response = co_await env_.calls.call(ctx, service, operation, std::move(request));
    } catch (const aws_error& err) {
        if (err.code == "NotImplemented")
            throw states_error(asl::error_names::task_failed,
                               "eddy does not implement " + sdk_service + ":" + operation + " yet: " + err.message());
        throw states_error(sdk_error_name(error_service, err.code), err.message() + " (Service: " + error_service +
                                                                        ", Status Code: " + std::to_string(err.status) +
                                                                        ", Request ID: " + ctx.request_id + ")");
    }
    json metadata;
    if (http_metadata) {
        // The optimized integrations hand on what their SDK reports of the response too: its
        // status and headers (those of the response as eddy's wire protocol writes it) and its
        // request id.
        protocol::operation_ref ref;
        ref.service = protocol::service_by_id(service);
        ref.model = model;
        ref.protocol = model->protocol();
        ref.name = operation;
        ref.op = op;
        protocol::wire_response wire;
        protocol::encode_output(ref, response, ctx.request_id, wire);
        wire.set_header("Content-Length", std::to_string(wire.body.size()));
        wire.set_header("Date", format_rfc822(env_.clock.now_ms()));
        json all = json::object(), headers = json::object();
        for (const auto& [name, value] : wire.headers) {
            headers[name] = value;
            all[name] = json::array({value});
        }
        metadata = {
            {"SdkHttpMetadata", {{"AllHttpHeaders", all}, {"HttpHeaders", headers}, {"HttpStatusCode", wire.status}}},
            {"SdkResponseMetadata", {{"RequestId", ctx.request_id}}}};
    }
    if (names && op->contains("output")) response = to_sdk_names(*model, model->target((*op)["output"]), response);
    // binary members come back as text, as the SDK integrations hand them
    if (response.is_object())
        for (auto it = metadata.begin(); it != metadata.end(); ++it)
            response[it.key()] = it.value();
    co_return response;
}

asio::awaitable<json> engine::await_token(live& l, pending_task& p, scope& sc, thread& t, const json& fields) {
    clock_timer timer(env_.clock, env_.executor);
    p.timer = &timer;
    pending_[p.token] = &p;
    sc.timers.insert(&timer);
    struct cleanup {
        engine* self;
        pending_task& p;
        scope& sc;
        clock_timer& timer;
        ~cleanup() {
            self->pending_.erase(p.token);
            sc.timers.erase(&timer);
        }
    } guard{this, p, sc, timer};
    while (!p.done) {
        auto deadline = p.timeout_deadline_ms;
        if (p.heartbeat_seconds && p.heartbeat_deadline_ms < deadline) deadline = p.heartbeat_deadline_ms;
        co_await timer.wait_until(eddy::clock::time_point(std::chrono::milliseconds(deadline)));
        sc.check();
        if (p.done) break;
        auto now = env_.clock.now_ms();
        std::string error;
        if (now >= p.timeout_deadline_ms)
            error = asl::error_names::timeout;
        else if (p.heartbeat_seconds && now >= p.heartbeat_deadline_ms)
            error = asl::error_names::heartbeat_timeout;
        if (!error.empty()) {
            record(l, t, "TaskTimedOut", "taskTimedOutEventDetails", with_error(fields, error, ""));
            throw states_error(error, "");
        }
    }
    if (p.failed) {
        record(l, t, "TaskFailed", "taskFailedEventDetails", with_error(fields, p.error, p.cause));
        throw states_error(p.error, p.cause);
    }
    json succeeded = fields;
    succeeded["output"] = p.output.dump();
    succeeded["outputDetails"] = {{"truncated", false}};
    record(l, t, "TaskSucceeded", "taskSucceededEventDetails", succeeded);
    co_return p.output;
}

namespace {

aws_error invalid_token(const std::string& token) {
    return aws_error("InvalidToken", "Invalid Token: '" + token + "'");
}

}  // namespace

// A token eddy handed out names its execution. Once its task is no longer waiting (it
// completed, timed out, or its execution ended) AWS answers TaskTimedOut, "Provided task does
// not exist anymore"; TaskDoesNotExist is for a token of no execution known here.
engine::pending_task* engine::find_pending(const std::string& token) {
    std::string decoded;
    const std::string prefix = "eddy-token|";
    if (!base64_decode(token, decoded) || decoded.rfind(prefix, 0) != 0) throw invalid_token(token);
    if (auto it = pending_.find(token); it != pending_.end()) return it->second;
    auto arn = decoded.substr(prefix.size(), decoded.find('|', prefix.size()) - prefix.size());
    if (find_execution && find_execution(arn))
        throw aws_error("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
    throw aws_error("TaskDoesNotExist", "Task Does Not Exist: '" + token + "'");
}

void engine::task_success(const std::string& token, const std::string& output) {
    auto* p = find_pending(token);
    json parsed = json::parse(output, nullptr, false);
    if (parsed.is_discarded()) throw aws_error("InvalidOutput", "Invalid Output: '" + output + "'");
    p->done = true;
    p->output = std::move(parsed);
    p->timer->cancel();
}

void engine::task_failure(const std::string& token, std::string error, std::string cause) {
    auto* p = find_pending(token);
    p->done = true;
    p->failed = true;
    p->error = std::move(error);
    p->cause = std::move(cause);
    p->timer->cancel();
}

void engine::task_heartbeat(const std::string& token) {
    auto* p = find_pending(token);
    if (p->heartbeat_seconds) {
        p->heartbeat_deadline_ms = env_.clock.now_ms() + *p->heartbeat_seconds * 1000;
        p->timer->cancel();
    }
}

}  // namespace eddy::stepfunctions
