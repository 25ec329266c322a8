#include "services/kinesis/reader.hpp"

#include "core/aws_error.hpp"
#include "services/kinesis/streams.hpp"

#include <algorithm>

namespace eddy::kinesis {

namespace {

streams& streams_of(const dispatcher& calls) {
    auto* s = calls.component<streams>("kinesis.streams");
    if (!s) throw internal_failure("Kinesis is not running in this eddy");
    return *s;
}

aws_error no_shard(const stream_key& key, const std::string& shard_id) {
    return aws_error("ResourceNotFoundException", "Shard " + shard_id + " in stream " + key.name + " under account " +
                                                      key.account + " does not exist");
}

}  // namespace

reader::reader(const dispatcher& calls, stream_key stream, std::string shard_id, const start& from)
    : streams_(streams_of(calls)), key_(std::move(stream)), shard_id_(std::move(shard_id)) {
    auto& s = streams_.get(key_);
    created_ms_ = s.created_ms;
    auto* sh = s.find_shard(shard_id_);
    if (!sh) throw no_shard(key_, shard_id_);
    shard_ = sh->index;
    if (from.type == "TRIM_HORIZON") {
        counter_ = sh->records.empty() ? sh->next_counter : sh->records.front().counter;
    } else if (from.type == "LATEST") {
        counter_ = sh->next_counter;
    } else if (from.type == "AT_TIMESTAMP") {
        auto it = std::lower_bound(sh->records.begin(), sh->records.end(), from.timestamp_ms,
                                   [](const record& r, std::int64_t t) { return r.arrival_ms < t; });
        counter_ = it == sh->records.end() ? sh->next_counter : it->counter;
    } else {
        auto seq = sequence::parse(from.sequence_number);
        if (!seq || seq->shard_index != sh->index || seq->shard_created_s != sh->created_ms / 1000)
            throw aws_error("InvalidArgumentException", "StartingSequenceNumber " + from.sequence_number +
                                                            " is invalid for shard " + shard_id_ + ".");
        counter_ = seq->counter + (from.type == "AFTER_SEQUENCE_NUMBER" ? 1 : 0);
    }
}

stream& reader::current() {
    auto* s = streams_.find(key_);
    if (!s || s->created_ms != created_ms_) throw no_shard(key_, shard_id_);
    return *s;
}

boost::asio::awaitable<reader::batch> reader::next(int limit, std::chrono::milliseconds wait) {
    auto until = streams_.clock().now_ms() + wait.count();
    for (;;) {
        auto& s = current();
        auto result = streams_.read(s, {shard_, counter_}, limit, 10 * 1024 * 1024);
        auto& sh = s.shards[static_cast<std::size_t>(shard_)];
        if (!result.records.empty() || result.at_end || streams_.clock().now_ms() >= until) {
            batch out;
            for (auto* r : result.records)
                out.records.push_back(
                    {sh.sequence_of(r->counter, r->arrival_ms).str(), r->arrival_ms, r->partition_key, r->data});
            counter_ = result.next;
            out.millis_behind = result.millis_behind;
            out.shard_ended = result.at_end;
            if (result.at_end)
                for (int c : sh.children)
                    out.children.push_back(s.shards[static_cast<std::size_t>(c)].id());
            co_return out;
        }
        co_await streams_.wait_for_records(s, shard_, until);
        if (streams_.stopping()) co_return batch{};
    }
}

}  // namespace eddy::kinesis
