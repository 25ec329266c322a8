#include "services/stepfunctions/store.hpp"

#include "core/log.hpp"

#include <boost/asio/post.hpp>

#include <set>

namespace eddy::stepfunctions {

namespace {

const std::vector<std::string_view> schema = {
    R"(CREATE TABLE states_machines (arn TEXT PRIMARY KEY, body TEXT NOT NULL))",
    R"(CREATE TABLE states_executions (arn TEXT PRIMARY KEY, body TEXT NOT NULL))",
    R"(CREATE TABLE states_events (execution TEXT NOT NULL, id INTEGER NOT NULL, body TEXT NOT NULL,
         PRIMARY KEY (execution, id)))",
};

storage::database& migrated(storage::database& db) {
    db.migrate("states", schema);
    return db;
}

}  // namespace

// Compact: what a strand does not use is left out, and a finished strand is only its output.
json checkpoint_to_json(const checkpoint& c) {
    json j = {{"state", c.state}, {"phase", c.phase}, {"input", c.input}, {"entered", c.entered_event}};
    if (!c.variables.empty()) j["variables"] = c.variables;
    if (c.until_ms) j["until"] = c.until_ms;
    if (c.last_event) j["last"] = c.last_event;
    if (!c.token.empty()) j["token"] = c.token;
    if (!c.task.is_null()) j["task"] = c.task;
    if (!c.running.empty()) {
        json& running = j["running"] = json::object();
        for (auto& [i, child] : c.running)
            running[std::to_string(i)] = checkpoint_to_json(child);
    }
    if (!c.done.empty()) {
        json& done = j["done"] = json::object();
        for (auto& [i, output] : c.done)
            done[std::to_string(i)] = output;
    }
    if (c.failed) j["failed"] = c.failed;
    return j;
}

checkpoint checkpoint_from_json(const json& j) {
    checkpoint c;
    c.state = j.value("state", "");
    c.phase = j.value("phase", "");
    c.input = j.value("input", json());
    c.variables = j.value("variables", json::object());
    c.entered_event = j.value("entered", std::int64_t(0));
    c.until_ms = j.value("until", std::int64_t(0));
    c.last_event = j.value("last", std::int64_t(0));
    c.token = j.value("token", "");
    c.task = j.value("task", json());
    json running = j.value("running", json::object()), done = j.value("done", json::object());
    for (auto& [i, child] : running.items())
        c.running.emplace(std::stoull(i), checkpoint_from_json(child));
    for (auto& [i, output] : done.items())
        c.done.emplace(std::stoull(i), output);
    c.failed = j.value("failed", std::size_t(0));
    return c;
}

namespace {

void collect_reentered(checkpoint& c, std::vector<checkpoint*>& out) {
    if (c.phase == "run" && !c.state.empty()) out.push_back(&c);
    for (auto& [i, child] : c.running)
        collect_reentered(child, out);
}

}  // namespace

std::size_t events_before_reentry(checkpoint& root, const std::vector<history_event>& events) {
    std::vector<checkpoint*> again;
    collect_reentered(root, again);
    auto n = static_cast<std::int64_t>(events.size());
    if (again.empty()) return events.size();
    auto event = [&](std::int64_t id) -> const history_event& { return events[static_cast<std::size_t>(id - 1)]; };
    std::int64_t cut = n;
    std::set<std::int64_t> theirs;  // what the re-entered states recorded since their entry
    for (auto* c : again) {
        if (c->entered_event < 1 || c->entered_event > n || c->last_event > n) return events.size();
        cut = std::min(cut, c->entered_event - 1);
        // a checkpoint from before strands were kept has no last event: the top level was all
        std::int64_t last = c->last_event ? c->last_event : n;
        for (auto id = last; id >= c->entered_event; id = event(id).previous)
            theirs.insert(id);
    }
    bool old_top = again.size() == 1 && again[0] == &root && root.last_event == 0;
    for (auto id = cut + 1; id <= n && !old_top; ++id)
        if (!theirs.count(id)) return events.size();  // another strand's event follows theirs
    for (auto* c : again)
        c->last_event = event(c->entered_event).previous;
    return static_cast<std::size_t>(cut);
}

json event_to_json(const history_event& ev) {
    return {{"id", ev.id},     {"previous", ev.previous}, {"at", ev.at_ms},
            {"type", ev.type}, {"key", ev.details_key},   {"details", ev.details}};
}

history_event event_from_json(const json& j) {
    history_event ev;
    ev.id = j.at("id").get<std::int64_t>();
    ev.previous = j.at("previous").get<std::int64_t>();
    ev.at_ms = j.at("at").get<std::int64_t>();
    ev.type = j.at("type").get<std::string>();
    ev.details_key = j.at("key").get<std::string>();
    ev.details = j.at("details");
    return ev;
}

json execution_to_json(const execution& e) {
    json j = {{"arn", e.arn},
              {"name", e.name},
              {"machine", e.machine_arn},
              {"account", e.account},
              {"region", e.region},
              {"type", e.type},
              {"role", e.role_arn},
              {"definition", e.definition},
              {"input", e.input},
              {"status", e.status},
              {"start", e.start_ms},
              {"stop", e.stop_ms},
              {"machineUpdated", e.machine_updated_ms},
              // an execution that ended has nowhere to resume
              {"at", e.status == "RUNNING" ? checkpoint_to_json(e.at) : json::object()}};
    j["logging"] = e.logging;
    if (e.output) j["output"] = *e.output;
    if (e.error) j["error"] = *e.error;
    if (e.cause) j["cause"] = *e.cause;
    return j;
}

execution execution_from_json(const json& j) {
    execution e;
    e.arn = j.at("arn");
    e.name = j.at("name");
    e.machine_arn = j.at("machine");
    e.account = j.at("account");
    e.region = j.at("region");
    e.type = j.at("type");
    e.role_arn = j.at("role");
    e.definition = j.at("definition");
    e.input = j.at("input");
    e.status = j.at("status");
    e.start_ms = j.at("start");
    e.stop_ms = j.at("stop");
    e.machine_updated_ms = j.value("machineUpdated", e.start_ms);
    e.at = checkpoint_from_json(j.value("at", json::object()));
    e.logging = j.value("logging", json::object());
    if (j.contains("output")) e.output = j["output"].get<std::string>();
    if (j.contains("error")) e.error = j["error"].get<std::string>();
    if (j.contains("cause")) e.cause = j["cause"].get<std::string>();
    e.persisted = true;
    return e;
}

store::store(storage::database& db, boost::asio::any_io_executor executor)
    : db_(migrated(db)),
      executor_(std::move(executor)),
      durable_(!db.in_memory()),
      put_machine_(db, "INSERT OR REPLACE INTO states_machines(arn, body) VALUES(?, ?)"),
      delete_machine_(db, "DELETE FROM states_machines WHERE arn = ?"),
      machines_(db, "SELECT body FROM states_machines"),
      put_execution_(db, "INSERT OR REPLACE INTO states_executions(arn, body) VALUES(?, ?)"),
      add_event_(db, "INSERT OR REPLACE INTO states_events(execution, id, body) VALUES(?, ?, ?)"),
      truncate_(db, "DELETE FROM states_events WHERE execution = ? AND id > ?"),
      executions_(db, "SELECT body FROM states_executions"),
      events_(db, "SELECT body FROM states_events WHERE execution = ? ORDER BY id") {}

void store::write(std::function<void()> fn) {
    // Inside a request the group commit's transaction is open: the write joins it and is on
    // disk before the request is answered. An execution running on its own (after a Wait, a
    // callback) queues its writes, and they are committed together at the end of this turn of
    // the loop, in a transaction that is never left open for a request to stumble into.
    if (sqlite3_get_autocommit(db_.handle()) == 0) {
        // what was queued before goes first: a later description must not be overwritten by
        // an earlier one
        auto earlier = std::move(queued_);
        queued_.clear();
        for (auto& w : earlier)
            w();
        fn();
        return;
    }
    queued_.push_back(std::move(fn));
    if (commit_posted_) return;
    commit_posted_ = true;
    boost::asio::post(executor_, [this] { flush(); });
}

void store::flush() {
    commit_posted_ = false;
    auto writes = std::move(queued_);
    queued_.clear();
    if (writes.empty()) return;
    try {
        storage::transaction tx(db_);
        for (auto& w : writes)
            w();
        tx.commit();
    } catch (const std::exception& e) {
        log::error(std::string("states: cannot store execution progress: ") + e.what());
    }
}

void store::put_machine(const machine& m) {
    if (!durable_) return;
    json body = {{"arn", m.arn},
                 {"name", m.name},
                 {"account", m.account},
                 {"region", m.region},
                 {"type", m.type},
                 {"definition", m.definition},
                 {"role", m.role_arn},
                 {"description", m.description},
                 {"revision", m.revision_id},
                 {"logging", m.logging},
                 {"tracing", m.tracing},
                 {"created", m.created_ms},
                 {"updated", m.updated_ms},
                 {"tags", m.tags}};
    write([this, arn = m.arn, text = body.dump()] { put_machine_.bind_all(arn, text).run(); });
}

void store::delete_machine(const std::string& arn) {
    if (!durable_) return;
    write([this, arn] { delete_machine_.bind_all(arn).run(); });
}

void store::each_machine(const std::function<void(machine)>& fn) {
    if (!durable_) return;
    machines_.reset();
    while (machines_.step()) {
        auto j = json::parse(machines_.text_view(0));
        machine m;
        m.arn = j["arn"];
        m.name = j["name"];
        m.account = j["account"];
        m.region = j["region"];
        m.type = j["type"];
        m.definition = j["definition"];
        m.role_arn = j["role"];
        m.description = j["description"];
        m.revision_id = j["revision"];
        m.logging = j["logging"];
        m.tracing = j["tracing"];
        m.created_ms = j["created"];
        m.updated_ms = j["updated"];
        m.tags = j["tags"].get<std::map<std::string, std::string>>();
        fn(std::move(m));
    }
    machines_.reset();
}

void store::put_execution(const execution& e) {
    if (!durable_ || !e.persisted) return;
    write([this, arn = e.arn, text = execution_to_json(e).dump()] { put_execution_.bind_all(arn, text).run(); });
}

void store::put_execution(const std::string& arn, std::function<json()> body) {
    if (!durable_) return;
    auto put = [this, arn, body = std::move(body)] {
        json made = body();
        if (!made.is_null()) put_execution_.bind_all(arn, made.dump()).run();
    };
    if (sqlite3_get_autocommit(db_.handle()) == 0) {
        // A request's transaction is open and takes the writes of this turn: the description
        // joins it once what is ready to run in this turn has run, not at every event.
        boost::asio::post(executor_, [this, put = std::move(put)]() mutable { write(std::move(put)); });
        return;
    }
    write(std::move(put));
}

void store::add_event(const std::string& execution_arn, const history_event& ev) {
    if (!durable_) return;
    write([this, arn = execution_arn, id = ev.id, text = event_to_json(ev).dump()] {
        add_event_.bind_all(arn, id, text).run();
    });
}

void store::truncate_events(const std::string& execution_arn, std::int64_t last_id) {
    if (!durable_) return;
    write([this, arn = execution_arn, last_id] { truncate_.bind_all(arn, last_id).run(); });
}

void store::each_execution(const std::function<void(execution)>& fn) {
    if (!durable_) return;
    std::vector<execution> all;
    executions_.reset();
    while (executions_.step())
        all.push_back(execution_from_json(json::parse(executions_.text_view(0))));
    executions_.reset();
    for (auto& e : all) {
        events_.reset();
        events_.bind_all(e.arn);
        while (events_.step())
            e.events.push_back(event_from_json(json::parse(events_.text_view(0))));
        events_.reset();
        fn(std::move(e));
    }
}

}  // namespace eddy::stepfunctions
