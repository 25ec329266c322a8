#pragma once

#include "services/kinesis/stream.hpp"
#include "storage/sqlite.hpp"

#include <functional>

namespace eddy::kinesis {

// Streams and their records in SQLite. A stream's description is one JSON
// document rewritten on each change (rare); records are packed a request's worth
// per shard into a row, appended as they are put and deleted once retention has
// trimmed all of a row's records. Without a data directory the
// records are not mirrored: memory is then the only copy that matters.
class store {
  public:
    explicit store(storage::database& db);

    void save(stream& s);  // inserts on first save, setting s.row_id
    void remove(const stream& s);
    // The `newest` records of `sh` (one request's), as one row.
    void append(const stream& s, const shard& sh, std::size_t newest);
    // Drops the rows whose records all have counters up to `through_counter`.
    void trim(const stream& s, const shard& sh, std::uint64_t through_counter);
    storage::database& db() { return db_; }
    // Every stream with its records, as the last run left them.
    void each_stream(const std::function<void(stream s)>& fn);

  private:
    storage::database& db_;
    bool keep_records_;
    storage::statement insert_, update_, remove_, remove_records_, append_, trim_, streams_, records_;
};

}  // namespace eddy::kinesis
