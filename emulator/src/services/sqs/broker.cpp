#include "services/sqs/broker.hpp"

#include "core/aws_error.hpp"
#include "core/digest.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <limits>

namespace eddy::sqs {

namespace asio = boost::asio;

namespace {

constexpr std::int64_t dedup_window_ms = 5 * 60 * 1000;
constexpr std::int64_t purge_interval_ms = 60 * 1000;
constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

std::int64_t attribute_int(const queue& q, const char* name, std::int64_t fallback) {
    auto it = q.attributes.find(name);
    if (it == q.attributes.end()) return fallback;
    std::int64_t v = fallback;
    std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    return v;
}

aws_error invalid(std::string message) {
    return aws_error("InvalidParameterValue", std::move(message));
}

// FIFO sequence numbers: twenty digits, strictly increasing per queue, as AWS writes them.
constexpr std::uint64_t sequence_base = 10000000000000000000ULL;
std::string sequence_text(std::uint64_t n) {
    return std::to_string(sequence_base + n);
}
std::uint64_t sequence_value(std::string_view text) {
    std::uint64_t n = 0;
    std::from_chars(text.data(), text.data() + text.size(), n);
    return n >= sequence_base ? n - sequence_base : 0;
}

aws_error bad_receipt(std::string_view handle) {
    return aws_error("ReceiptHandleIsInvalid",
                     "The input receipt handle \"" + std::string(handle) + "\" is not a valid receipt handle.");
}

}  // namespace

broker::broker(storage::database& db, const eddy::clock& clock, asio::any_io_executor executor)
    : clock_(clock), executor_(std::move(executor)), store_(db) {
    load();
}

void broker::load() {
    store_.each_queue([&](std::int64_t row_id, queue config) {
        auto state = std::make_unique<queue_state>();
        state->config = std::move(config);
        state->row_id = row_id;
        parse_redrive(*state);
        auto key = state->key();
        queues_[key] = std::move(state);
    });
    auto now = clock_.now_ms();
    for (auto& [key, q] : queues_) {
        store_.each_message(q->row_id, [&](message m) { index(*q, std::move(m)); });
        store_.each_dedup(q->row_id, now, [&](std::string dedup_key, std::int64_t expires_ms, std::string id) {
            q->dedup[std::move(dedup_key)] = {expires_ms, std::move(id)};
        });
    }
}

void broker::index(queue_state& q, message m) {
    auto seq = m.seq;
    q.next_seq = std::max(q.next_seq, seq + 1);
    if (!m.sequence_number().empty()) q.fifo_sequence = std::max(q.fifo_sequence, sequence_value(m.sequence_number()));
    // Arrivals come in sequence and mostly due now: hinting the end spares a walk
    // down trees that hold every queued message.
    q.schedule.emplace_hint(q.schedule.end(), m.visible_at_ms, seq);
    q.messages.emplace_hint(q.messages.end(), seq, std::move(m));
}

void broker::parse_redrive(queue_state& q) {
    q.dead_letter_arn.clear();
    q.max_receive_count = 0;
    auto it = q.config.attributes.find("RedrivePolicy");
    if (it == q.config.attributes.end()) return;
    auto policy = json::parse(it->second, nullptr, false);
    if (!policy.is_object()) return;
    q.dead_letter_arn = policy.value("deadLetterTargetArn", "");
    auto count = policy["maxReceiveCount"];
    if (count.is_number())
        q.max_receive_count = count.get<std::int32_t>();
    else if (count.is_string())
        q.max_receive_count = std::atoi(count.get<std::string>().c_str());
}

queue_state* broker::find(const queue_key& key) {
    auto it = queues_.find(key);
    return it == queues_.end() ? nullptr : it->second.get();
}

queue_state& broker::get(const queue_key& key) {
    if (auto* q = find(key)) return *q;
    throw aws_error("QueueDoesNotExist", "The specified queue does not exist.");
}

queue_state* broker::find_by_arn(std::string_view arn) {
    arn_parts parts;
    if (!parse_arn(arn, parts) || parts.service != "sqs") return nullptr;
    return find({parts.account, parts.region, parts.resource.substr(0, parts.resource.find(':'))});
}

queue_state& broker::create(queue q) {
    auto state = std::make_unique<queue_state>();
    state->row_id = store_.insert(q);
    state->config = std::move(q);
    parse_redrive(*state);
    auto key = state->key();
    auto& ref = *state;
    queues_[key] = std::move(state);
    return ref;
}

void broker::remove(queue_state& q) {
    auto key = q.key();
    store_.remove(q.row_id);
    queues_.erase(key);  // q is gone from here on
    if (auto it = waiters_.find(key); it != waiters_.end())
        for (auto* t : it->second)
            t->cancel();
}

void broker::save_config(queue_state& q) {
    store_.update(q.row_id, q.config);
    parse_redrive(q);
}

std::vector<queue_state*> broker::list(std::string_view account, std::string_view region) {
    std::vector<queue_state*> out;
    for (auto& [key, q] : queues_)
        if (key.account == account && key.region == region) out.push_back(q.get());
    return out;
}

// "<message id> <nonce> <seq>": the seq finds the message without an index by id,
// the id guards against a seq reused by another queue, the nonce tells a current
// handle from an older one.
std::string broker::receipt_handle(const message& m) const {
    return base64_encode(m.id + " " + m.nonce + " " + std::to_string(m.seq));
}

send_result broker::send(queue_state& q, send_request r) {
    auto now = clock_.now_ms();
    auto max_size = attribute_int(q.config, "MaximumMessageSize", 1048576);
    if (!valid_body_characters(r.body))
        throw aws_error("InvalidMessageContents",
                        "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
                        "#xE000 to #xFFFD | #x10000 to #x10FFFF");
    check_message_attributes(r.attributes);
    auto size = message_size(r.body, r.attributes);
    if (static_cast<std::int64_t>(size) > max_size)
        throw invalid("One or more parameters are invalid. Reason: Message must be shorter than " +
                      std::to_string(max_size) + " bytes.");
    bool fifo = q.config.fifo();
    if (fifo) {
        if (r.group_id.empty())
            throw aws_error("MissingParameter", "The request must contain the parameter MessageGroupId.");
        if (r.delay_seconds)
            throw invalid("Value " + std::to_string(*r.delay_seconds) +
                          " for parameter DelaySeconds is invalid. Reason: The request include parameter that is not "
                          "valid for this queue type.");
        if (r.dedup_id.empty()) {
            if (q.config.attributes["ContentBasedDeduplication"] != "true")
                throw invalid(
                    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
                    "provided explicitly");
            r.dedup_id = sha256::hex(r.body);
        }
    } else if (!r.dedup_id.empty()) {
        throw invalid("Value " + r.dedup_id +
                      " for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter "
                      "that is not valid for this queue type.");
    }
    if (r.delay_seconds && (*r.delay_seconds < 0 || *r.delay_seconds > 900))
        throw invalid("Value " + std::to_string(*r.delay_seconds) +
                      " for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.");

    send_result result;
    auto body_digest = md5::of(r.body);
    result.md5_body = to_hex(body_digest.data(), body_digest.size());
    if (!r.attributes.empty()) result.md5_attributes = md5_of_attributes(r.attributes);
    if (!r.trace_header.empty()) result.md5_system = md5_of_trace_header(r.trace_header);

    std::string dedup_key;
    if (fifo) {
        dedup_key =
            q.config.attributes["DeduplicationScope"] == "messageGroup" ? r.group_id + '\n' + r.dedup_id : r.dedup_id;
        auto it = q.dedup.find(dedup_key);
        if (it != q.dedup.end() && it->second.first > now) {
            // Accepted again within five minutes: acknowledged, not enqueued twice.
            result.message_id = it->second.second;
            result.sequence_number = sequence_text(q.fifo_sequence);
            return result;
        }
    }

    message m;
    m.seq = q.next_seq++;
    m.id = new_uuid();
    m.body = std::move(r.body);
    if (!r.attributes.empty()) m.attributes = std::move(r.attributes);
    if (!r.trace_header.empty()) m.extras.write().trace_header = std::move(r.trace_header);
    m.md5_body = body_digest;
    m.sender_id = std::move(r.sender_id);
    m.sent_ms = now;
    std::int64_t delay = r.delay_seconds ? *r.delay_seconds : attribute_int(q.config, "DelaySeconds", 0);
    m.visible_at_ms = now + delay * 1000;
    m.nonce = "0";
    if (fifo) {
        auto& fifo_fields = m.extras.write();
        fifo_fields.group_id = std::move(r.group_id);
        fifo_fields.dedup_id = std::move(r.dedup_id);
        fifo_fields.sequence_number = sequence_text(++q.fifo_sequence);
        result.sequence_number = fifo_fields.sequence_number;
        // expired entries are dropped as the map is touched, so it stays near the live window
        for (auto it = q.dedup.begin(); it != q.dedup.end();)
            it = it->second.first <= now ? q.dedup.erase(it) : std::next(it);
        q.dedup[dedup_key] = {now + dedup_window_ms, m.id};
        store_.insert_dedup(q.row_id, dedup_key, now + dedup_window_ms, m.id);
    }
    result.message_id = m.id;
    store_.insert_message(q.row_id, m);
    bool visible = m.visible_at_ms <= now;
    index(q, std::move(m));
    if (visible) wake(q);
    return result;
}

void broker::reschedule(queue_state& q, message& m, std::int64_t visible_at_ms) {
    q.schedule.erase({m.visible_at_ms, m.seq});
    m.visible_at_ms = visible_at_ms;
    q.schedule.emplace_hint(q.schedule.end(), visible_at_ms, m.seq);
}

void broker::erase(queue_state& q, std::int64_t seq) {
    auto it = q.messages.find(seq);
    if (it == q.messages.end()) return;
    store_.delete_message(q.row_id, seq);
    q.schedule.erase({it->second.visible_at_ms, seq});
    q.messages.erase(it);
    if (q.config.fifo()) wake(q);  // the message's group may be free for a waiting receive now
}

bool broker::expire_if_old(queue_state& q, message& m, std::int64_t now) {
    auto retention = attribute_int(q.config, "MessageRetentionPeriod", 345600) * 1000;
    if (m.sent_ms + retention > now) return false;
    erase(q, m.seq);
    return true;
}

std::vector<message*> broker::take(queue_state& q, std::size_t max, std::optional<std::int64_t> visibility_timeout) {
    auto now = clock_.now_ms();
    std::int64_t timeout = visibility_timeout ? *visibility_timeout : attribute_int(q.config, "VisibilityTimeout", 30);
    queue_state* dead_letter = q.dead_letter_arn.empty() ? nullptr : find_by_arn(q.dead_letter_arn);
    std::vector<std::int64_t> candidates;

    if (q.config.fifo()) {
        // Strict order per group: a group with a message in flight (or not yet visible) yields nothing.
        std::set<std::string> blocked;
        for (auto& [seq, m] : q.messages)
            if (m.in_flight(now)) blocked.insert(m.group_id());
        for (auto& [seq, m] : q.messages) {
            if (candidates.size() >= max) break;
            if (blocked.count(m.group_id())) continue;
            if (m.visible_at_ms > now) {
                blocked.insert(m.group_id());  // nothing after a delayed message may overtake it
                continue;
            }
            candidates.push_back(seq);
        }
    } else {
        for (auto it = q.schedule.begin(); it != q.schedule.end() && it->first <= now; ++it) {
            candidates.push_back(it->second);
            // extra candidates cover messages that expire or move on the way
            if (candidates.size() >= max * 2 + 8) break;
        }
    }

    std::vector<message*> taken;
    storage::transaction tx(store_.db());
    std::set<std::string> moved_groups;
    for (auto seq : candidates) {
        if (taken.size() >= max) break;
        auto it = q.messages.find(seq);
        if (it == q.messages.end()) continue;
        auto& m = it->second;
        if (!moved_groups.empty() && moved_groups.count(m.group_id())) continue;
        if (expire_if_old(q, m, now)) continue;
        if (dead_letter && q.max_receive_count > 0 && m.receive_count >= q.max_receive_count) {
            // Received maxReceiveCount times already: this attempt moves it instead of delivering it.
            if (q.config.fifo()) moved_groups.insert(m.group_id());
            message moved = m;
            moved.seq = dead_letter->next_seq++;
            moved.visible_at_ms = now;
            moved.extras.write().dead_letter_source_arn = q.config.arn();
            if (dead_letter->config.fifo() && moved.sequence_number().empty())
                moved.extras.write().sequence_number = sequence_text(++dead_letter->fifo_sequence);
            store_.insert_message(dead_letter->row_id, moved);
            erase(q, seq);
            index(*dead_letter, std::move(moved));
            wake(*dead_letter);
            continue;
        }
        m.receive_count += 1;
        if (m.first_receive_ms == 0) m.first_receive_ms = now;
        m.nonce = new_uuid();
        reschedule(q, m, now + timeout * 1000);
        store_.update_message(q.row_id, m);
        taken.push_back(&m);
    }
    tx.commit();
    return taken;
}

asio::awaitable<std::vector<message>> broker::receive(queue_key key, receive_request request) {
    auto deadline = clock_.now_ms() + request.wait_seconds * 1000;
    for (;;) {
        auto* q = find(key);
        if (!q) co_return std::vector<message>{};
        auto taken = take(*q, request.max, request.visibility_timeout);
        if (!taken.empty()) {
            std::vector<message> out;
            out.reserve(taken.size());
            for (auto* m : taken)
                out.push_back(*m);
            co_return out;
        }
        auto now = clock_.now_ms();
        if (now >= deadline || stopping_) co_return std::vector<message>{};
        // Sleep until the wait ends or the next message is due to become visible;
        // a send or a visibility change wakes us sooner.
        std::int64_t until = deadline;
        auto next = q->schedule.upper_bound({now, never});
        if (next != q->schedule.end()) until = std::min(until, next->first);
        asio::steady_timer timer(executor_);
        timer.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(until - now, 1)));
        auto& list = waiters_[key];
        auto self = list.insert(list.end(), &timer);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        auto& after = waiters_[key];
        after.erase(self);
        if (after.empty()) waiters_.erase(key);
    }
}

void broker::wake(queue_state& q) {
    if (waiters_.empty()) return;  // no receive waits anywhere: skip making the key
    if (auto it = waiters_.find(q.key()); it != waiters_.end())
        for (auto* t : it->second)
            t->cancel();
}

void broker::stop() {
    stopping_ = true;
    for (auto& [key, list] : waiters_)
        for (auto* t : list)
            t->cancel();
}

message* broker::by_receipt(queue_state& q, std::string_view handle, bool& current) {
    std::string decoded;
    if (handle.empty() || !base64_decode(handle, decoded)) throw bad_receipt(handle);
    std::string_view text = decoded;
    auto first = text.find(' ');
    auto last = text.rfind(' ');
    if (first != 36 || last == first) throw bad_receipt(handle);
    std::int64_t seq = 0;
    auto digits = text.substr(last + 1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
    if (error != std::errc{} || end != digits.data() + digits.size()) throw bad_receipt(handle);
    auto it = q.messages.find(seq);
    if (it == q.messages.end() || it->second.id != text.substr(0, first)) return nullptr;
    current = text.substr(first + 1, last - first - 1) == it->second.nonce;
    return &it->second;
}

void broker::change_visibility(queue_state& q, message& m, std::int64_t timeout_seconds) {
    auto now = clock_.now_ms();
    if (!m.in_flight(now))
        throw aws_error("MessageNotInflight",
                        "Message does not exist or is not available for visibility timeout change.");
    reschedule(q, m, now + timeout_seconds * 1000);
    store_.update_message(q.row_id, m);
    if (timeout_seconds == 0) wake(q);
}

void broker::purge(queue_state& q) {
    auto now = clock_.now_ms();
    if (q.last_purge_ms >= 0 && now - q.last_purge_ms < purge_interval_ms)
        throw aws_error("PurgeQueueInProgress",
                        "Only one PurgeQueue operation on " + q.config.name + " is allowed every 60 seconds.");
    q.last_purge_ms = now;
    store_.delete_messages(q.row_id);
    q.messages.clear();
    q.schedule.clear();
}

broker::counts broker::count(queue_state& q) {
    auto now = clock_.now_ms();
    auto retention = attribute_int(q.config, "MessageRetentionPeriod", 345600) * 1000;
    counts c;
    std::vector<std::int64_t> expired;
    for (auto& [seq, m] : q.messages) {
        if (m.sent_ms + retention <= now)
            expired.push_back(seq);
        else if (m.in_flight(now))
            ++c.in_flight;
        else if (m.delayed(now))
            ++c.delayed;
        else
            ++c.visible;
    }
    for (auto seq : expired)
        erase(q, seq);
    return c;
}

move_task& broker::start_move(queue_state& source, queue_state* destination, std::optional<std::int64_t> rate) {
    auto source_arn = source.config.arn();
    for (auto* t : moves_of(source_arn))
        if (t->status == "RUNNING" || t->status == "CANCELLING")
            throw invalid(
                "There is already a task running. Only one active task is allowed for a source queue arn at a given "
                "time.");
    auto task = std::make_unique<move_task>();
    task->handle = base64_encode(json{{"taskId", new_uuid()}, {"sourceArn", source_arn}}.dump());
    task->status = "RUNNING";
    task->source_arn = source_arn;
    if (destination) task->destination_arn = destination->config.arn();
    task->rate = rate;
    task->to_move = static_cast<std::int64_t>(source.messages.size());
    task->started_ms = clock_.now_ms();
    auto& ref = *task;
    moves_[task->handle] = std::move(task);
    asio::co_spawn(executor_, run_move(ref.handle), asio::detached);
    return ref;
}

move_task* broker::find_move(std::string_view handle) {
    auto it = moves_.find(std::string(handle));
    return it == moves_.end() ? nullptr : it->second.get();
}

std::vector<move_task*> broker::moves_of(std::string_view source_arn) {
    std::vector<move_task*> out;
    for (auto& [handle, t] : moves_)
        if (t->source_arn == source_arn) out.push_back(t.get());
    std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->started_ms > b->started_ms; });
    return out;
}

asio::awaitable<void> broker::run_move(std::string handle) {
    asio::steady_timer pace(executor_);
    for (;;) {
        auto* task = find_move(handle);
        if (!task) co_return;
        if (task->status == "CANCELLING") {
            task->status = "CANCELLED";
            co_return;
        }
        auto* source = find_by_arn(task->source_arn);
        if (!source) {
            task->status = "FAILED";
            task->failure_reason = "AWS.SimpleQueueService.NonExistentQueue";
            co_return;
        }
        auto now = clock_.now_ms();
        message* next = nullptr;
        for (auto& [seq, m] : source->messages)
            if (m.visible_at_ms <= now) {
                next = &m;
                break;
            }
        if (!next || task->moved >= task->to_move) {
            task->status = "COMPLETED";
            co_return;
        }
        auto* destination = task->destination_arn.empty() ? find_by_arn(next->dead_letter_source_arn())
                                                          : find_by_arn(task->destination_arn);
        if (!destination) {
            task->status = "FAILED";
            task->failure_reason = "AWS.SimpleQueueService.NonExistentQueue";
            co_return;
        }
        storage::transaction tx(store_.db());
        message m = *next;
        m.receive_count = 0;
        m.first_receive_ms = 0;
        m.nonce = "0";
        if (!m.dead_letter_source_arn().empty()) m.extras.write().dead_letter_source_arn.clear();
        erase(*source, next->seq);
        m.seq = destination->next_seq++;
        m.visible_at_ms = now;
        if (destination->config.fifo() && m.sequence_number().empty())
            m.extras.write().sequence_number = sequence_text(++destination->fifo_sequence);
        store_.insert_message(destination->row_id, m);
        tx.commit();
        index(*destination, std::move(m));
        wake(*destination);
        task->moved += 1;
        if (task->rate && *task->rate > 0) {
            pace.expires_after(std::chrono::milliseconds(1000 / *task->rate));
            co_await pace.async_wait(asio::as_tuple(asio::use_awaitable));
        } else if (task->moved % 100 == 0) {
            pace.expires_after(std::chrono::milliseconds(0));  // let requests in between
            co_await pace.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }
}

}  // namespace eddy::sqs
