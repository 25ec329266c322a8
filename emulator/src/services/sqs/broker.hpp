#pragma once

#include "core/clock.hpp"
#include "services/sqs/message.hpp"
#include "services/sqs/queue.hpp"
#include "services/sqs/store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

namespace eddy::sqs {

struct queue_key {
    std::string account, region, name;
    auto operator<=>(const queue_key&) const = default;
};

// A queue with its messages: the in-memory view the broker serves from; the
// store holds the same state on disk.
struct queue_state {
    queue config;
    std::int64_t row_id = 0;
    std::map<std::int64_t, message> messages;                  // by arrival order
    std::set<std::pair<std::int64_t, std::int64_t>> schedule;  // (visible_at_ms, seq)
    std::int64_t next_seq = 1;
    std::int64_t last_purge_ms = -1;
    std::uint64_t fifo_sequence = 0;
    std::unordered_map<std::string, std::pair<std::int64_t, std::string>> dedup;  // key -> (expiry, message id)
    std::string dead_letter_arn;  // from RedrivePolicy, parsed once per change
    std::int32_t max_receive_count = 0;

    queue_key key() const { return {config.account, config.region, config.name}; }
};

struct send_request {
    std::string body;
    json attributes;  // MessageAttributes, null when none
    std::optional<std::int64_t> delay_seconds;
    std::string trace_header;
    std::string group_id, dedup_id;
    std::string sender_id;
};

struct send_result {
    std::string message_id, md5_body, md5_attributes, md5_system, sequence_number;
};

struct receive_request {
    std::size_t max = 1;
    std::optional<std::int64_t> visibility_timeout;
    std::int64_t wait_seconds = 0;
};

struct move_task {
    std::string handle;
    std::string status;  // RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED
    std::string source_arn, destination_arn, failure_reason;
    std::optional<std::int64_t> rate;
    std::int64_t moved = 0, to_move = 0, started_ms = 0;
};

// SQS's domain: queues, messages, visibility, delays, retention, dead-letter
// moves, FIFO ordering and deduplication, long polling. Lives for the server's
// life on its event loop thread; every change is written to the store before
// the call returns (and committed before eddy answers: see storage::group_commit).
class broker {
  public:
    broker(storage::database& db, const eddy::clock& clock, boost::asio::any_io_executor executor);

    queue_state* find(const queue_key& key);
    queue_state& get(const queue_key& key);  // throws QueueDoesNotExist
    queue_state* find_by_arn(std::string_view arn);
    queue_state& create(queue q);
    void remove(queue_state& q);
    void save_config(queue_state& q);
    std::vector<queue_state*> list(std::string_view account, std::string_view region);

    send_result send(queue_state& q, send_request request);
    // Takes up to `max` visible messages, moving over-received ones to the dead-letter queue.
    std::vector<message*> take(queue_state& q, std::size_t max, std::optional<std::int64_t> visibility_timeout);
    // take(), waiting up to wait_seconds for a message to become visible. The
    // queue may be deleted while waiting; then the result is empty.
    boost::asio::awaitable<std::vector<message>> receive(queue_key key, receive_request request);
    // A receipt handle's message, or nullptr when it is gone. Throws ReceiptHandleIsInvalid if malformed.
    message* by_receipt(queue_state& q, std::string_view receipt_handle, bool& current);
    void erase(queue_state& q, std::int64_t seq);
    void change_visibility(queue_state& q, message& m, std::int64_t timeout_seconds);
    void purge(queue_state& q);

    std::string receipt_handle(const message& m) const;

    struct counts {
        std::int64_t visible = 0, in_flight = 0, delayed = 0;
    };
    counts count(queue_state& q);

    // Dead-letter redrive tasks.
    move_task& start_move(queue_state& source, queue_state* destination, std::optional<std::int64_t> rate);
    move_task* find_move(std::string_view handle);
    std::vector<move_task*> moves_of(std::string_view source_arn);

    void wake(queue_state& q);
    void stop();  // wakes every waiter so long polls end at shutdown

  private:
    void load();
    void index(queue_state& q, message m);
    void parse_redrive(queue_state& q);
    void reschedule(queue_state& q, message& m, std::int64_t visible_at_ms);
    bool expire_if_old(queue_state& q, message& m, std::int64_t now);
    boost::asio::awaitable<void> run_move(std::string handle);

    const eddy::clock& clock_;
    boost::asio::any_io_executor executor_;
    store store_;
    std::map<queue_key, std::unique_ptr<queue_state>> queues_;
    // Long-poll waiters by queue: kept apart from queue_state so a queue can be
    // deleted while receives wait on it.
    std::map<queue_key, std::list<boost::asio::steady_timer*>> waiters_;
    std::map<std::string, std::unique_ptr<move_task>> moves_;
    bool stopping_ = false;
};

}  // namespace eddy::sqs
