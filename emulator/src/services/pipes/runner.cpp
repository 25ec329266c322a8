// The pipes that run: each RUNNING pipe is one coroutine on the event loop reading its
// SQS queue, or one per Kinesis shard, waiting on the source without polling; a batch
// goes through the filters, the enrichment and the target (targets.cpp).
#include "core/aws_error.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/timer.hpp"
#include "eventing/sources.hpp"
#include "services/pipes/live_pipe.hpp"
#include "services/pipes/spec.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <set>

namespace eddy::pipes {

namespace asio = boost::asio;
using namespace std::chrono;

namespace {

eventing::kinesis_shard_reader::batch slice(const eventing::kinesis_shard_reader::batch& b, std::size_t from,
                                            std::size_t to) {
    eventing::kinesis_shard_reader::batch out;
    for (auto i = from; i < to; ++i) {
        out.records.push_back(b.records[i]);
        out.sequence_numbers.push_back(b.sequence_numbers[i]);
        out.arrivals_ms.push_back(b.arrivals_ms[i]);
    }
    return out;
}

// The ends of a pipe must exist before it runs; a missing one fails the pipe with a reason.
asio::awaitable<void> check_exists(dispatcher& calls, const request_context& scope, const std::string& arn,
                                   const std::string& role, const json& state_machine_parameters) {
    arn_parts parts;
    parse_arn(arn, parts);
    auto ctx = in_scope_of(scope, arn);
    auto missing = [&](const std::string& what) {
        return aws_error("NotFound", "The " + role + " " + arn + " does not exist (" + what + ")");
    };
    try {
        if (parts.service == "sqs") {
            co_await eventing::queue_url(calls, ctx, arn);
        } else if (parts.service == "kinesis") {
            json request = {{"StreamARN", arn}};
            co_await calls.call(ctx, "kinesis", "DescribeStreamSummary", std::move(request));
        } else if (parts.service == "states") {
            json request = {{"stateMachineArn", arn}};
            auto sm = co_await calls.call(ctx, "stepfunctions", "DescribeStateMachine", std::move(request));
            bool express = sm.value("type", "") == "EXPRESS";
            if (role == "enrichment" && !express)
                throw aws_error("Invalid", "The enrichment " + arn +
                                               " is a STANDARD state machine: a pipe enriches only with EXPRESS ones");
            if (role == "target" && !express &&
                state_machine_parameters.value("InvocationType", "") == "REQUEST_RESPONSE")
                throw aws_error("Invalid", "The target " + arn +
                                               " is a STANDARD state machine, which takes only InvocationType "
                                               "FIRE_AND_FORGET");
        } else if (parts.service == "logs") {
            auto name = parts.resource.substr(std::string_view("log-group:").size());
            if (auto colon = name.find(':'); colon != std::string::npos) name.resize(colon);
            json request = {{"logGroupNamePrefix", name}};
            auto out = co_await calls.call(ctx, "logs", "DescribeLogGroups", std::move(request));
            bool found = false;
            for (auto& g : out.value("logGroups", json::array()))
                found = found || g.value("logGroupName", "") == name;
            if (!found) throw missing("no such log group");
        } else if (parts.service == "ecs") {
            json request = {{"clusters", {arn}}};
            auto out = co_await calls.call(ctx, "ecs", "DescribeClusters", std::move(request));
            if (out.value("clusters", json::array()).empty()) throw missing("no such cluster");
        }
    } catch (const aws_error& e) {
        if (e.code == "NotFound" || e.code == "Invalid") throw;
        throw missing(e.message());
    }
}

}  // namespace

void service::launch(const std::shared_ptr<pipe>& p, const std::string& failed) {
    // one set of readers per pipe: a pipe is launched again only once halt() has taken the last
    if (stopping_ || live_.count(p->arn)) return;
    // posted: the operation that launched the pipe answers with the state it moved to first
    if (p->desired != "RUNNING") {
        asio::post(env_.executor, [this, p] {
            if (p->current == "DELETING" || pipes_.count(p->arn) == 0) return;
            p->current = "STOPPED";
            p->modified_ms = env_.clock.now_ms();
            save(*p);
        });
        return;
    }
    auto live = std::make_shared<live_pipe>(env_.executor);
    live->running = 1;
    live_[p->arn] = live;
    asio::post(env_.executor,
               [this, p, live, failed] { asio::co_spawn(env_.executor, run(p, live, failed), asio::detached); });
}

void service::halt(const std::shared_ptr<pipe>& p, std::function<void()> done) {
    auto it = live_.find(p->arn);
    if (it == live_.end()) {
        // let the caller answer first, as when readers must end
        asio::post(env_.executor, std::move(done));
        return;
    }
    auto live = it->second;
    live_.erase(it);
    live->stopping = true;
    live->ended = std::move(done);
    live->stop.cancel();
}

namespace {
// One reader coroutine of `live` has returned: the last one after a stop says so.
void reader_ended(live_pipe& live) {
    if (--live.running == 0 && live.ended) {
        auto ended = std::move(live.ended);
        live.ended = nullptr;
        ended();
    }
}
}  // namespace

asio::awaitable<void> service::run(std::shared_ptr<pipe> p, std::shared_ptr<live_pipe> live, std::string failed) {
    try {
        auto ctx = scope(*p);
        auto& spec = p->spec;
        auto& tparams = member(spec, "TargetParameters");
        co_await check_exists(env_.calls, ctx, spec.value("Source", ""), "source", json::object());
        if (auto e = spec.value("Enrichment", ""); !e.empty())
            co_await check_exists(env_.calls, ctx, e, "enrichment", json::object());
        co_await check_exists(env_.calls, ctx, spec.value("Target", ""), "target",
                              member(tparams, "StepFunctionStateMachineParameters"));
        for (auto& f : member(member(spec, "SourceParameters"), "FilterCriteria").value("Filters", json::array()))
            live->filters.push_back(eventing::event_pattern::parse(f.value("Pattern", "")));
        if (auto t = tparams.find("InputTemplate"); t != tparams.end() && t->is_string())
            live->target_template = eventing::input_template::parse(t->get<std::string>());
        auto& eparams = member(spec, "EnrichmentParameters");
        if (auto t = eparams.find("InputTemplate"); t != eparams.end() && t->is_string())
            live->enrichment_template = eventing::input_template::parse(t->get<std::string>());
        live->vars = {{"aws.pipes.pipe-arn", p->arn},
                      {"aws.pipes.pipe-name", p->name},
                      {"aws.pipes.source-arn", spec.value("Source", "")},
                      {"aws.pipes.target-arn", spec.value("Target", "")}};
        if (auto e = spec.value("Enrichment", ""); !e.empty()) live->vars["aws.pipes.enrichment-arn"] = e;
        if (!live->stopping) {
            p->current = "RUNNING";
            p->reason.clear();
            p->modified_ms = env_.clock.now_ms();
            save(*p);
            arn_parts source;
            parse_arn(spec.value("Source", ""), source);
            if (source.service == "sqs")
                co_await run_sqs(p, live);
            else
                co_await run_kinesis(p, live);
        }
    } catch (const std::exception& e) {
        if (!live->stopping) {
            p->current = failed;
            p->reason = e.what();
            p->modified_ms = env_.clock.now_ms();
            save(*p);
            live_.erase(p->arn);
            log::warn("pipe " + p->name + " " + failed + ": " + e.what());
        }
    }
    reader_ended(*live);
}

asio::awaitable<void> service::run_sqs(std::shared_ptr<pipe> p, std::shared_ptr<live_pipe> live) {
    auto source = p->spec.value("Source", "");
    auto& params = member(member(p->spec, "SourceParameters"), "SqsQueueParameters");
    eventing::batching b{params.value("BatchSize", 10), seconds(params.value("MaximumBatchingWindowInSeconds", 0))};
    auto reader = co_await eventing::sqs_reader::open(env_.calls, scope(*p), source);
    while (!live->stopping) {
        std::optional<json> records;
        bool unreadable = false;
        try {
            records = co_await unless_stopped(*live, reader.next(b));
        } catch (const aws_error& e) {
            log::warn("pipe " + p->name + ": reading " + source + ": " + e.message());
            unreadable = true;
        }
        if (unreadable) {
            // the queue went away: wait for it (AWS keeps the pipe RUNNING and retries)
            clock_timer pause(env_.clock, env_.executor);
            if (!co_await unless_stopped(*live, pause.wait_for(seconds(5)))) break;
            continue;
        }
        if (!records) break;
        if (records->empty()) continue;
        auto result = co_await deliver(*p, *live, *records);
        // handled and filtered-out messages are deleted; failed ones return after their
        // visibility timeout, so the queue's redrive policy counts them
        std::set<std::size_t> failed(result.begin(), result.end());
        std::vector<std::string> done;
        for (std::size_t i = 0; i < records->size(); ++i)
            if (!failed.count(i)) done.push_back((*records)[i].value("receiptHandle", ""));
        co_await reader.remove(done);
    }
}

asio::awaitable<void> service::run_kinesis(std::shared_ptr<pipe> p, std::shared_ptr<live_pipe> live) {
    auto source = p->spec.value("Source", "");
    auto& params = member(member(p->spec, "SourceParameters"), "KinesisStreamParameters");
    auto ctx = in_scope_of(scope(*p), source);
    auto checkpoints = store_.checkpoints(p->arn);
    bool first_listing = checkpoints.empty();
    std::set<std::string> started;
    // Shards are read parents first: a child starts once every parent still listed has
    // been read to its end. A shard reader that ends wakes this loop to look again.
    while (!live->stopping) {
        json shards;
        try {
            json request = {{"StreamARN", source}};
            shards = (co_await env_.calls.call(ctx, "kinesis", "ListShards", std::move(request)))["Shards"];
        } catch (const aws_error& e) {
            log::warn("pipe " + p->name + ": listing the shards of " + source + ": " + e.message());
            shards = json::array();
        }
        checkpoints = store_.checkpoints(p->arn);
        std::set<std::string> listed;
        for (auto& s : shards)
            listed.insert(s.value("ShardId", ""));
        for (auto& s : shards) {
            auto id = s.value("ShardId", "");
            if (started.count(id)) continue;
            auto cp = checkpoints.find(id);
            if (cp != checkpoints.end() && cp->second.ended) continue;
            bool ready = true, has_parent = false;
            for (auto* key : {"ParentShardId", "AdjacentParentShardId"}) {
                auto parent = s.value(key, "");
                if (parent.empty() || !listed.count(parent)) continue;
                has_parent = true;
                auto pc = checkpoints.find(parent);
                ready = ready && pc != checkpoints.end() && pc->second.ended;
            }
            if (!ready) continue;
            kinesis::reader::start from;
            if (cp != checkpoints.end() && cp->second.sequence_number.rfind("@", 0) == 0) {
                from.type = "AT_TIMESTAMP";
                from.timestamp_ms = std::stoll(cp->second.sequence_number.substr(1));
            } else if (cp != checkpoints.end() && !cp->second.sequence_number.empty()) {
                from.type = "AFTER_SEQUENCE_NUMBER";
                from.sequence_number = cp->second.sequence_number;
            } else if (has_parent || !first_listing) {
                from.type = "TRIM_HORIZON";
            } else {
                from.type = params.value("StartingPosition", "LATEST");
                if (from.type == "AT_TIMESTAMP")
                    from.timestamp_ms =
                        static_cast<std::int64_t>(params.value("StartingPositionTimestamp", 0.0) * 1000);
                if (from.type == "LATEST") {
                    // after a restart, LATEST still means "from when the pipe started"
                    store_.save_checkpoint(p->arn, id, {"@" + std::to_string(env_.clock.now_ms()), false});
                }
            }
            started.insert(id);
            ++live->running;
            asio::co_spawn(env_.executor, run_shard(p, live, id, from), asio::detached);
        }
        first_listing = false;
        if (live->shard_ended) {
            live->shard_ended = false;  // one ended while this loop was listing: look again
            continue;
        }
        live->changed.expires_at(asio::steady_timer::time_point::max());
        auto woken = co_await unless_stopped(*live, live->changed.async_wait(asio::as_tuple(asio::use_awaitable)));
        if (!woken) break;
        live->shard_ended = false;
    }
}

asio::awaitable<void> service::run_shard(std::shared_ptr<pipe> p, std::shared_ptr<live_pipe> live, std::string shard_id,
                                         kinesis::reader::start from) {
    auto source = p->spec.value("Source", "");
    auto& params = member(member(p->spec, "SourceParameters"), "KinesisStreamParameters");
    eventing::batching b{params.value("BatchSize", 100), seconds(params.value("MaximumBatchingWindowInSeconds", 0))};
    try {
        arn_parts parts;
        parse_arn(source, parts);
        kinesis::stream_key key{parts.account, parts.region, parts.resource.substr(std::string_view("stream/").size())};
        eventing::kinesis_shard_reader reader(env_.calls, key, source, shard_id, from, env_.clock);
        while (!live->stopping) {
            auto got = co_await unless_stopped(*live, reader.next(b));
            if (!got) break;
            if (!got->records.empty()) {
                if (!co_await deliver_lanes(p, live, shard_id, *got)) break;
                store_.save_checkpoint(p->arn, shard_id, {got->sequence_numbers.back(), false});
            }
            if (got->ended) {
                auto last = got->sequence_numbers.empty() ? std::string() : got->sequence_numbers.back();
                auto before = store_.checkpoints(p->arn)[shard_id].sequence_number;
                store_.save_checkpoint(p->arn, shard_id, {last.empty() ? before : last, true});
                live->shard_ended = true;
                live->changed.cancel();
                break;
            }
        }
    } catch (const std::exception& e) {
        log::warn("pipe " + p->name + ": reading " + shard_id + " of " + source + ": " + e.what());
    }
    reader_ended(*live);
}

asio::awaitable<bool> service::deliver_lanes(std::shared_ptr<pipe> p, std::shared_ptr<live_pipe> live,
                                             const std::string& shard_id,
                                             const eventing::kinesis_shard_reader::batch& batch) {
    auto& params = member(member(p->spec, "SourceParameters"), "KinesisStreamParameters");
    auto factor = static_cast<std::size_t>(std::max(1, params.value("ParallelizationFactor", 1)));
    if (factor == 1) co_return co_await deliver_stream(p, live, shard_id, batch);
    // ParallelizationFactor: records go to lanes by partition key, so each key keeps its
    // order, and the lanes' batches are delivered at once
    std::vector<eventing::kinesis_shard_reader::batch> lanes(factor);
    for (std::size_t i = 0; i < batch.records.size(); ++i) {
        auto lane = md5::of(batch.records[i].value("partitionKey", ""))[0] % factor;
        lanes[lane].records.push_back(batch.records[i]);
        lanes[lane].sequence_numbers.push_back(batch.sequence_numbers[i]);
        lanes[lane].arrivals_ms.push_back(batch.arrivals_ms[i]);
    }
    asio::steady_timer all_done(env_.executor, asio::steady_timer::time_point::max());
    int pending = 0;
    bool delivered = true;
    for (auto& lane : lanes) {
        if (lane.records.empty()) continue;
        ++pending;
        asio::co_spawn(env_.executor, deliver_stream(p, live, shard_id, lane),
                       [&pending, &delivered, &all_done](std::exception_ptr e, bool ok) {
                           delivered = delivered && ok && !e;
                           if (--pending == 0) all_done.cancel();
                       });
    }
    // every lane ends (a stopped pipe's too) before this frame, which they point into, goes
    if (pending > 0) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return delivered;
}

asio::awaitable<bool> service::deliver_stream(std::shared_ptr<pipe> p, std::shared_ptr<live_pipe> live,
                                              const std::string& shard_id,
                                              const eventing::kinesis_shard_reader::batch& batch) {
    auto& params = member(member(p->spec, "SourceParameters"), "KinesisStreamParameters");
    int max_retries = params.value("MaximumRetryAttempts", -1);
    int max_age = params.value("MaximumRecordAgeInSeconds", -1);
    bool bisect = params.value("OnPartialBatchItemFailure", "") == "AUTOMATIC_BISECT";
    auto current = batch;
    for (int attempt = 1; !live->stopping; ++attempt) {
        if (max_age != -1 && attempt > 1) {
            // records past their age are given up as a failed batch would be
            std::size_t fresh = 0;
            auto limit = env_.clock.now_ms() - static_cast<std::int64_t>(max_age) * 1000;
            while (fresh < current.arrivals_ms.size() && current.arrivals_ms[fresh] < limit)
                ++fresh;
            if (fresh > 0) {
                co_await dead_letter(*p, shard_id, slice(current, 0, fresh), attempt - 1, "RecordAgeExceeded");
                current = slice(current, fresh, current.records.size());
                if (current.records.empty()) co_return true;
            }
        }
        auto failed = co_await deliver(*p, *live, current.records);
        if (failed.empty()) co_return true;
        // a partial failure retries from the first failed record on; what came before is done
        auto first = *std::min_element(failed.begin(), failed.end());
        if (first > 0) current = slice(current, first, current.records.size());
        if (bisect && current.records.size() > 1) {
            auto half = current.records.size() / 2;
            if (!co_await deliver_stream(p, live, shard_id, slice(current, 0, half))) co_return false;
            co_return co_await deliver_stream(p, live, shard_id, slice(current, half, current.records.size()));
        }
        if (max_retries != -1 && attempt > max_retries) {
            co_await dead_letter(*p, shard_id, current, attempt, "RetryAttemptsExhausted");
            co_return true;
        }
        // back off on eddy's clock: 1 s, doubling, at most a minute
        clock_timer pause(env_.clock, env_.executor);
        auto wait = milliseconds(1000LL << std::min(attempt - 1, 6));
        if (!co_await unless_stopped(*live, pause.wait_for(std::min<milliseconds>(wait, minutes(1))))) co_return false;
    }
    co_return false;
}

void service::restore() {
    for (auto& stored : store_.load_all()) {
        auto p = std::make_shared<pipe>(std::move(stored));
        pipes_[p->arn] = p;
        // a pipe caught between states finishes the move it was making
        if (p->current == "DELETING") {
            pipes_.erase(p->arn);
            store_.remove(p->arn);
        } else if (p->desired == "RUNNING" && (p->current == "RUNNING" || p->current == "CREATING" ||
                                               p->current == "STARTING" || p->current == "UPDATING")) {
            restored_.push_back({p, p->modified_ms,
                                 p->current == "UPDATING"   ? "UPDATE_FAILED"
                                 : p->current == "CREATING" ? "CREATE_FAILED"
                                                            : "START_FAILED"});
        } else if (p->current == "STOPPING" || (p->desired == "STOPPED" && p->current != "STOPPED")) {
            p->current = "STOPPED";
            save(*p);
        }
    }
}

void service::start_restored() {
    for (auto& r : restored_) {
        // a request since the restart has decided for the pipe already
        auto it = pipes_.find(r.p->arn);
        if (it == pipes_.end() || it->second != r.p || r.p->modified_ms != r.modified_ms) continue;
        launch(r.p, r.failed);
    }
    restored_.clear();
}

void service::stop_all() {
    stopping_ = true;
    for (auto& [arn, live] : live_) {
        live->stopping = true;
        live->stop.cancel();
    }
    live_.clear();
}

}  // namespace eddy::pipes
