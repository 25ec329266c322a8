#pragma once

#include "services/stepfunctions/execution.hpp"
#include "storage/sqlite.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>

namespace eddy::stepfunctions {

// State machines, STANDARD executions and their histories in SQLite, when eddy has a data
// directory (otherwise memory is the only copy and nothing is written). Writes made while a
// request is served join that request's group commit; writes made by an execution running on
// its own (after a Wait, a callback) are queued and committed in one transaction per turn of
// the event loop. Used from the event loop thread only.
class store {
  public:
    store(storage::database& db, boost::asio::any_io_executor executor);

    bool durable() const { return durable_; }

    void put_machine(const machine& m);
    void delete_machine(const std::string& arn);
    void each_machine(const std::function<void(machine)>& fn);

    // The execution's description and checkpoint (not its events).
    void put_execution(const execution& e);
    // The same, made by `body` when the write runs (null: nothing to write): one write carries
    // every change made before it in this turn of the loop, with the events recorded meanwhile.
    void put_execution(const std::string& arn, std::function<json()> body);
    void add_event(const std::string& execution_arn, const history_event& ev);
    // Drops the events after `last_id` (a state re-entered after a restart).
    void truncate_events(const std::string& execution_arn, std::int64_t last_id);
    // Every stored execution, with its events.
    void each_execution(const std::function<void(execution)>& fn);

  private:
    void write(std::function<void()> fn);
    void flush();

    storage::database& db_;
    boost::asio::any_io_executor executor_;
    bool durable_;
    bool commit_posted_ = false;
    std::vector<std::function<void()>> queued_;
    storage::statement put_machine_, delete_machine_, machines_, put_execution_, add_event_, truncate_, executions_,
        events_;
};

json event_to_json(const history_event& ev);
history_event event_from_json(const json& j);
json checkpoint_to_json(const checkpoint& c);
checkpoint checkpoint_from_json(const json& j);
// States that were mid-call when eddy stopped (phase "run") are entered again after a restart.
// The events they recorded since they were entered go when nothing else was recorded after
// them (always so at the top level, and for a checkpoint written before strands were kept):
// returns how many of `events` to keep, and points those strands' last events before their
// entry. Otherwise it returns them all and the states record anew after them.
std::size_t events_before_reentry(checkpoint& root, const std::vector<history_event>& events);
json execution_to_json(const execution& e);
execution execution_from_json(const json& j);

}  // namespace eddy::stepfunctions
