#include "services/kinesis/streams.hpp"

#include "core/aws_error.hpp"
#include "core/ids.hpp"
#include "storage/sqlite.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdio>

namespace eddy::kinesis {

namespace asio = boost::asio;

std::string shard_id(std::int64_t index) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "shardId-%012lld", static_cast<long long>(index));
    return buf;
}

std::deque<record>::const_iterator shard::at(std::uint64_t counter) const {
    return std::lower_bound(records.begin(), records.end(), counter,
                            [](const record& r, std::uint64_t c) { return r.counter < c; });
}

int stream::open_shard_count() const {
    return static_cast<int>(std::count_if(shards.begin(), shards.end(), [](const shard& s) { return s.open(); }));
}

shard* stream::find_shard(std::string_view shard_id) {
    for (auto& s : shards)
        if (s.id() == shard_id) return &s;
    return nullptr;
}

shard& stream::route(hash_key k) {
    for (auto& s : shards)
        if (s.open() && s.range.contains(k)) return s;
    throw internal_failure("no open shard of stream " + key.name + " holds hash key " + to_decimal(k));
}

namespace {

std::string who(const stream_key& key) {
    return "Stream " + key.name + " under account " + key.account;
}

}  // namespace

streams::streams(storage::database& db, const eddy::clock& clock, asio::any_io_executor executor,
                 std::chrono::milliseconds transition)
    : clock_(clock), executor_(std::move(executor)), transition_(transition), store_(db) {
    store_.each_stream([&](stream s) {
        auto key = s.key;
        streams_[key] = std::make_unique<stream>(std::move(s));
    });
}

stream& streams::create(stream_key key, int shard_count, std::string mode, std::map<std::string, std::string> tags,
                        int max_record_kib) {
    if (find(key)) throw aws_error("ResourceInUseException", who(key) + " already exists.");
    auto s = std::make_unique<stream>();
    auto now = clock_.now_ms();
    s->arn = make_arn("kinesis", key.region, key.account, "stream/" + key.name);
    s->id = new_uuid();
    s->key = std::move(key);
    s->created_ms = now;
    s->mode = std::move(mode);
    s->tags = std::move(tags);
    s->max_record_kib = max_record_kib;
    s->pending_status = "CREATING";
    s->busy_until_ms = now + transition_.count();
    for (auto& r : uniform_ranges(shard_count))
        add_shard(*s, r, std::nullopt, std::nullopt).created_ms = now;  // the stream's instant, to the millisecond
    storage::transaction tx(store_.db());
    store_.save(*s);
    tx.commit();
    auto& out = *s;
    streams_[out.key] = std::move(s);
    return out;
}

stream* streams::find(const stream_key& key) {
    auto it = streams_.find(key);
    if (it == streams_.end()) return nullptr;
    auto& s = *it->second;
    if (s.pending_status == "DELETING" && clock_.now_ms() >= s.busy_until_ms) {
        store_.remove(s);
        for (auto& sh : s.shards)
            last_trim_.erase({&s, sh.index});
        streams_.erase(it);
        return nullptr;
    }
    return &s;
}

stream& streams::get(const stream_key& key) {
    if (auto* s = find(key)) return *s;
    throw aws_error("ResourceNotFoundException", who(key) + " not found.");
}

stream& streams::get_active(const stream_key& key) {
    auto& s = get(key);
    auto status = s.status(clock_.now_ms());
    if (status != "ACTIVE")
        throw aws_error("ResourceInUseException", who(key) + " not ACTIVE, instead in state " + status);
    return s;
}

void streams::remove(stream& s, bool enforce_consumer_deletion) {
    if (!s.consumers.empty() && !enforce_consumer_deletion)
        throw aws_error("ResourceInUseException",
                        who(s.key) + " has registered consumers; deregister them or set EnforceConsumerDeletion.");
    s.pending_status = "DELETING";
    s.busy_until_ms = clock_.now_ms() + transition_.count();
    store_.save(s);
    for (std::size_t i = 0; i < s.shards.size(); ++i)
        wake(s, static_cast<int>(i));
    find(s.key);  // with no transition delay the stream goes at once
}

void streams::begin_update(stream& s) {
    s.pending_status = "UPDATING";
    s.busy_until_ms = clock_.now_ms() + transition_.count();
}

shard& streams::add_shard(stream& s, hash_range range, std::optional<int> parent, std::optional<int> adjacent) {
    shard sh;
    sh.index = static_cast<int>(s.shards.size());
    sh.range = range;
    sh.parent = parent;
    sh.adjacent_parent = adjacent;
    sh.created_ms = clock_.now_ms();
    s.shards.push_back(std::move(sh));
    return s.shards.back();
}

void streams::close(shard& sh, std::int64_t now) {
    sh.closed_ms = now;
}

std::vector<put_result> streams::put(stream& s, std::span<const put_entry> entries) {
    std::vector<put_result> out;
    out.reserve(entries.size());
    std::vector<int> touched;
    for (auto& e : entries) {
        hash_key k =
            e.explicit_hash_key ? *parse_decimal(*e.explicit_hash_key) : hash_of_partition_key(e.partition_key);
        auto& sh = s.route(k);
        if (std::find(touched.begin(), touched.end(), sh.index) == touched.end()) {
            trim(s, sh);
            touched.push_back(sh.index);
        }
        record r;
        r.counter = sh.next_counter++;
        r.arrival_ms = clock_.now_ms();
        r.partition_key = e.partition_key;
        r.data = e.data;
        out.push_back({&sh, sh.sequence_of(r.counter, r.arrival_ms).str()});
        sh.records.push_back(std::move(r));
    }
    for (int index : touched) {
        auto& sh = s.shards[static_cast<std::size_t>(index)];
        std::size_t added = 0;
        for (auto& r : out)
            added += r.to == &sh;
        store_.append(s, sh, added);
        wake(s, index);
    }
    return out;
}

read_result streams::read(stream& s, const position& from, int limit, std::size_t max_bytes) {
    auto& sh = s.shards.at(static_cast<std::size_t>(from.shard));
    trim(s, sh);
    read_result out;
    out.next = from.counter;
    std::size_t bytes = 0;
    auto it = sh.at(from.counter);
    for (; it != sh.records.end() && static_cast<int>(out.records.size()) < limit; ++it) {
        bytes += it->data.size() + it->partition_key.size();
        if (bytes > max_bytes && !out.records.empty()) break;
        out.records.push_back(&*it);
        out.next = it->counter + 1;
    }
    if (it != sh.records.end()) out.millis_behind = std::max<std::int64_t>(0, clock_.now_ms() - it->arrival_ms);
    out.at_end = !sh.open() && it == sh.records.end();
    return out;
}

void streams::trim(stream& s, shard& sh) {
    auto now = clock_.now_ms();
    auto& last = last_trim_[{&s, sh.index}];
    if (now - last < 1000) return;
    last = now;
    auto horizon = now - s.retention_ms();
    std::uint64_t through = 0;
    while (!sh.records.empty() && sh.records.front().arrival_ms < horizon) {
        through = sh.records.front().counter;
        sh.records.pop_front();
    }
    if (through) {
        store_.trim(s, sh, through);
        store_.save(s);  // keeps the shard's next counter, which the trimmed rows no longer show
    }
}

void streams::trim_all(stream& s) {
    for (auto& sh : s.shards) {
        last_trim_[{&s, sh.index}] = 0;
        trim(s, sh);
    }
}

void streams::split(stream& s, shard& parent, hash_key new_start) {
    auto now = clock_.now_ms();
    int index = parent.index;
    auto range = parent.range;
    close(parent, now);
    auto& left = add_shard(s, {range.start, new_start - 1}, index, std::nullopt);
    int left_index = left.index;
    auto& right = add_shard(s, {new_start, range.end}, index, std::nullopt);
    s.shards[static_cast<std::size_t>(index)].children = {left_index, right.index};
    wake(s, index);
}

void streams::merge(stream& s, shard& parent, shard& adjacent) {
    auto now = clock_.now_ms();
    int l = parent.index, r = adjacent.index;
    hash_range range{std::min(parent.range.start, adjacent.range.start),
                     std::max(parent.range.end, adjacent.range.end)};
    close(parent, now);
    close(adjacent, now);
    auto& child = add_shard(s, range, l, r);
    int c = child.index;
    s.shards[static_cast<std::size_t>(l)].children = {c};
    s.shards[static_cast<std::size_t>(r)].children = {c};
    wake(s, l);
    wake(s, r);
}

void streams::scale_uniformly(stream& s, int target) {
    auto goal = uniform_ranges(target);
    // First cut every open shard at each goal boundary inside it...
    for (auto& g : goal) {
        if (g.start == 0) continue;
        for (std::size_t i = 0; i < s.shards.size(); ++i) {
            auto& sh = s.shards[i];
            if (sh.open() && sh.range.start < g.start && g.start <= sh.range.end) {
                split(s, sh, g.start);
                break;
            }
        }
    }
    // ...then merge the pieces inside each goal range, left to right.
    for (auto& g : goal) {
        for (;;) {
            std::vector<shard*> pieces;
            for (auto& sh : s.shards)
                if (sh.open() && sh.range.start >= g.start && sh.range.end <= g.end) pieces.push_back(&sh);
            if (pieces.size() < 2) break;
            std::sort(pieces.begin(), pieces.end(),
                      [](const shard* a, const shard* b) { return a->range.start < b->range.start; });
            int left = pieces[0]->index, right = pieces[1]->index;
            merge(s, s.shards[static_cast<std::size_t>(left)], s.shards[static_cast<std::size_t>(right)]);
        }
    }
}

std::vector<stream*> streams::list(const std::string& account, const std::string& region) {
    std::vector<stream*> out;
    std::vector<stream_key> keys;
    for (auto it = streams_.lower_bound({account, region, ""});
         it != streams_.end() && it->first.account == account && it->first.region == region; ++it)
        keys.push_back(it->first);
    for (auto& k : keys)
        if (auto* s = find(k)) out.push_back(s);
    return out;
}

int streams::open_shards(const std::string& account, const std::string& region) {
    int n = 0;
    for (auto* s : list(account, region))
        n += s->open_shard_count();
    return n;
}

asio::awaitable<void> streams::wait_for_records(const stream& s, int shard, std::int64_t until_ms) {
    if (stopping_) co_return;
    asio::steady_timer timer(executor_);
    timer.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(until_ms - clock_.now_ms(), 0)));
    auto key = std::make_pair(&s, shard);
    auto& list = waiters_[key];
    auto self = list.insert(list.end(), &timer);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    auto& after = waiters_[key];
    after.erase(self);
    if (after.empty()) waiters_.erase(key);
}

void streams::wake(const stream& s, int shard) {
    if (auto it = waiters_.find({&s, shard}); it != waiters_.end())
        for (auto* t : it->second)
            t->cancel();
}

void streams::stop() {
    stopping_ = true;
    for (auto& [key, list] : waiters_)
        for (auto* t : list)
            t->cancel();
}

}  // namespace eddy::kinesis
