#pragma once

#include "services/sqs/message.hpp"
#include "services/sqs/queue.hpp"
#include "storage/sqlite.hpp"

#include <functional>
#include <vector>

namespace eddy::sqs {

// Queues and their messages in SQLite. A write made while serving a request joins
// that turn's group commit, which completes before the request is answered, so
// what a handler acknowledged is on disk. Used from the event loop thread only.
class store {
  public:
    explicit store(storage::database& db);

    std::int64_t insert(const queue& q);  // returns the queue's row id
    void update(std::int64_t row_id, const queue& q);
    void remove(std::int64_t row_id);
    void each_queue(const std::function<void(std::int64_t row_id, queue q)>& fn);

    void insert_message(std::int64_t queue_row, const message& m);
    void update_message(std::int64_t queue_row, const message& m);  // visibility, receives, nonce
    void delete_message(std::int64_t queue_row, std::int64_t seq);
    void delete_messages(std::int64_t queue_row);
    void each_message(std::int64_t queue_row, const std::function<void(message m)>& fn);
    // FIFO deduplication ids stay remembered for five minutes, across restarts too.
    void insert_dedup(std::int64_t queue_row, std::string_view key, std::int64_t expires_ms, std::string_view id);
    // Live entries only; expired ones are dropped on the way.
    void each_dedup(std::int64_t queue_row, std::int64_t now_ms,
                    const std::function<void(std::string key, std::int64_t expires_ms, std::string id)>& fn);

    storage::database& db() { return db_; }

  private:
    storage::database& db_;
    // Without a data directory the broker's memory is the only copy that matters:
    // messages are not mirrored into the in-memory database.
    bool keep_messages_;
    storage::statement insert_, update_, remove_, remove_messages_, all_, insert_msg_, update_msg_, delete_msg_,
        messages_, insert_dedup_, dedup_, prune_dedup_;
};

}  // namespace eddy::sqs
