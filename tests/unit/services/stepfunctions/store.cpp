#include "services/stepfunctions/store.hpp"

#include <doctest/doctest.h>

using namespace eddy::stepfunctions;

namespace {

// A Map "M" at the top level with iteration 0 finished, 1 waiting and 2 inside a Parallel
// whose branch 1 awaits a task token.
checkpoint nested() {
    checkpoint top;
    top.state = "M";
    top.phase = "branches";
    top.input = json::parse(R"([{"n": 0}, {"n": 1}, {"n": 2}])");
    top.variables = {{"x", 1}};
    top.entered_event = 4;
    top.last_event = 5;
    top.done[0] = {{"n", 0}};
    top.failed = 1;

    checkpoint& waiting = top.running[1];
    waiting.state = "W";
    waiting.phase = "wait";
    waiting.input = {{"n", 1}};
    waiting.entered_event = 9;
    waiting.last_event = 9;
    waiting.until_ms = 1795840408030;

    checkpoint& parallel = top.running[2];
    parallel.state = "P";
    parallel.phase = "branches";
    parallel.input = {{"n", 2}};
    parallel.entered_event = 11;
    parallel.last_event = 12;
    parallel.done[0] = "first";
    checkpoint& token = parallel.running[1];
    token.state = "T";
    token.phase = "token";
    token.input = {{"n", 2}};
    token.entered_event = 14;
    token.last_event = 17;
    token.token = "ZWRkeS10b2tlbnw=";
    token.task = {{"timeoutDeadline", 99}, {"heartbeatDeadline", 0}};
    return top;
}

void check_same(const checkpoint& a, const checkpoint& b) {
    CHECK(a.state == b.state);
    CHECK(a.phase == b.phase);
    CHECK(a.input == b.input);
    CHECK(a.variables == b.variables);
    CHECK(a.entered_event == b.entered_event);
    CHECK(a.until_ms == b.until_ms);
    CHECK(a.last_event == b.last_event);
    CHECK(a.token == b.token);
    CHECK(a.task == b.task);
    CHECK(a.done == b.done);
    CHECK(a.failed == b.failed);
    REQUIRE(a.running.size() == b.running.size());
    for (auto& [i, child] : a.running) {
        REQUIRE(b.running.count(i) == 1);
        check_same(child, b.running.at(i));
    }
}

}  // namespace

TEST_CASE("states checkpoint: the strands of Parallel and Map states survive the JSON round trip") {
    checkpoint c = nested();
    json j = checkpoint_to_json(c);
    check_same(checkpoint_from_json(json::parse(j.dump())), c);
    // keyed by index, finished strands only as their output
    CHECK(j["done"] == json::parse(R"({"0": {"n": 0}})"));
    CHECK(j["running"]["2"]["done"] == json::parse(R"({"0": "first"})"));
    CHECK(j["running"]["2"]["running"]["1"]["token"] == "ZWRkeS10b2tlbnw=");
}

TEST_CASE("states checkpoint: what a strand does not use is left out") {
    checkpoint c;
    c.state = "A";
    c.phase = "run";
    c.input = json::object();
    c.entered_event = 2;
    json j = checkpoint_to_json(c);
    CHECK(j == json::parse(R"({"state": "A", "phase": "run", "input": {}, "entered": 2})"));
    check_same(checkpoint_from_json(j), c);
}

TEST_CASE("states checkpoint: one written before strands were kept reads as the top level only") {
    auto c = checkpoint_from_json(json::parse(
        R"({"state": "W", "phase": "wait", "input": {"a": 1}, "variables": {}, "entered": 3, "until": 500,
            "token": "", "task": null})"));
    CHECK(c.state == "W");
    CHECK(c.until_ms == 500);
    CHECK(c.last_event == 0);
    CHECK(c.running.empty());
    CHECK(c.done.empty());
}

TEST_CASE("states execution: an ended execution is stored without its checkpoints") {
    execution e;
    e.arn = "arn:aws:states:us-east-1:000000000000:execution:m:x";
    e.at = nested();
    json running = execution_to_json(e);
    check_same(execution_from_json(running).at, e.at);
    e.status = "SUCCEEDED";
    json ended = execution_to_json(e);
    CHECK(ended["at"] == json::object());
    CHECK(execution_from_json(ended).at.state.empty());
}

namespace {

// Events with the given previousEventIds: ids 1..n.
std::vector<history_event> events_with_previous(std::initializer_list<std::int64_t> previous) {
    std::vector<history_event> out;
    for (auto p : previous) {
        history_event ev;
        ev.id = static_cast<std::int64_t>(out.size()) + 1;
        ev.previous = p;
        ev.type = "E";
        out.push_back(ev);
    }
    return out;
}

checkpoint strand(std::string phase, std::int64_t entered, std::int64_t last) {
    checkpoint c;
    c.state = "S";
    c.phase = std::move(phase);
    c.entered_event = entered;
    c.last_event = last;
    return c;
}

}  // namespace

TEST_CASE("states re-entry: a top-level state mid-call loses the events it recorded since its entry") {
    auto events = events_with_previous({0, 1, 2, 3, 4});  // entered at 3, then 4 and 5
    checkpoint top = strand("run", 3, 5);
    CHECK(events_before_reentry(top, events) == 2);
    CHECK(top.last_event == 2);

    // a checkpoint written before strands were kept: everything since the entry goes
    checkpoint old = strand("run", 3, 0);
    auto parallel = events_with_previous({0, 1, 2, 3, 3, 4});
    CHECK(events_before_reentry(old, parallel) == 2);
    CHECK(old.last_event == 2);
}

TEST_CASE("states re-entry: a branch mid-call keeps its events when a sibling recorded after them") {
    // 3: ParallelStateStarted; branch 0 entered a task at 4 (then 6), branch 1 waits since 5
    auto events = events_with_previous({0, 1, 2, 3, 3, 4});
    checkpoint top = strand("branches", 2, 3);
    top.running[0] = strand("run", 4, 6);
    top.running[1] = strand("wait", 5, 5);
    CHECK(events_before_reentry(top, events) == 6);
    CHECK(top.running[0].last_event == 6);
    CHECK(top.running[1].last_event == 5);
}

TEST_CASE("states re-entry: branches mid-call whose events are the last ones lose them") {
    // 3: ParallelStateStarted; branch 1 waits since 4; branches 0 and 2 entered tasks at 5 and 6
    auto events = events_with_previous({0, 1, 2, 3, 3, 3, 5, 6});
    checkpoint top = strand("branches", 2, 3);
    top.running[0] = strand("run", 5, 7);
    top.running[1] = strand("wait", 4, 4);
    top.running[2] = strand("run", 6, 8);
    CHECK(events_before_reentry(top, events) == 4);
    CHECK(top.running[0].last_event == 3);
    CHECK(top.running[2].last_event == 3);
    CHECK(top.running[1].last_event == 4);
    CHECK(top.last_event == 3);

    // nothing mid-call: every event stays
    checkpoint waiting = strand("wait", 4, 4);
    CHECK(events_before_reentry(waiting, events) == events.size());
}
