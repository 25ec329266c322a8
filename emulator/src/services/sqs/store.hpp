#pragma once

#include "services/sqs/queue.hpp"
#include "storage/sqlite.hpp"

#include <optional>
#include <vector>

namespace eddy::sqs {

// Queues in SQLite, scoped by account and region. Every write is committed
// before it returns, so what a handler acknowledged is on disk. Used from the
// event loop thread only.
class store {
  public:
    explicit store(storage::database& db);

    std::optional<queue> find(std::string_view account, std::string_view region, std::string_view name);
    void insert(const queue& q);
    void update(const queue& q);  // attributes, tags, modified time
    bool remove(std::string_view account, std::string_view region, std::string_view name);
    // Queues whose names start with `prefix` and sort after `after`, by name, at most `limit`.
    std::vector<queue> list(std::string_view account, std::string_view region, std::string_view prefix,
                            std::string_view after, std::size_t limit);

  private:
    storage::database& db_;
    storage::statement find_, insert_, update_, remove_, list_;
};

}  // namespace eddy::sqs
