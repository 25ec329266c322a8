// Kinesis Data Streams operations: translate the neutral input to the streams
// and back, with AWS's errors.
#include "core/aws_error.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "services/kinesis/streams.hpp"
#include "services/registry.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <set>

namespace eddy::kinesis {

namespace {

constexpr std::int64_t iterator_lifetime_ms = 300'000;
constexpr std::int64_t next_token_lifetime_ms = 300'000;
constexpr std::size_t max_put_records_bytes = 10 * 1024 * 1024;
constexpr std::size_t max_get_records_bytes = 10 * 1024 * 1024;
constexpr int shard_limit = 500;
constexpr int on_demand_stream_limit = 50;
constexpr int on_demand_initial_shards = 4;
constexpr std::size_t max_consumers = 20;
constexpr std::size_t max_tags = 50;

aws_error invalid_argument(std::string message) {
    return aws_error("InvalidArgumentException", std::move(message));
}

double seconds(std::int64_t ms) {
    return static_cast<double>(ms) / 1000.0;
}

std::int64_t millis(const json& timestamp) {
    return static_cast<std::int64_t>(timestamp.get<double>() * 1000.0 + 0.5);
}

std::string text_of(const json& v) {
    if (v.is_binary()) return std::string(v.get_binary().begin(), v.get_binary().end());
    return v.get<std::string>();
}

json binary(const std::string& bytes) {
    return json::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

std::string str(const json& input, const char* member) {
    auto it = input.find(member);
    return it == input.end() ? std::string() : it->get<std::string>();
}

// Opaque tokens (iterators, NextTokens): fields joined by '|', base64 on the wire.
std::string token(const std::vector<std::string>& fields) {
    std::string joined;
    for (auto& f : fields) {
        if (!joined.empty()) joined += '|';
        joined += f;
    }
    return base64_encode(joined);
}

std::optional<std::vector<std::string>> untoken(std::string_view text, std::size_t count) {
    std::string decoded;
    if (text.empty() || !base64_decode(text, decoded)) return std::nullopt;
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        auto bar = decoded.find('|', start);
        out.push_back(decoded.substr(start, bar - start));
        if (bar == std::string::npos) break;
        start = bar + 1;
    }
    if (out.size() != count) return std::nullopt;
    return out;
}

std::optional<std::int64_t> number(const std::string& text) {
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end) return std::nullopt;
    return v;
}

json hash_range_json(const hash_range& r) {
    return {{"StartingHashKey", to_decimal(r.start)}, {"EndingHashKey", to_decimal(r.end)}};
}

json shard_json(const shard& sh) {
    json j = {{"ShardId", sh.id()}, {"HashKeyRange", hash_range_json(sh.range)}};
    if (sh.parent) j["ParentShardId"] = shard_id(*sh.parent);
    if (sh.adjacent_parent) j["AdjacentParentShardId"] = shard_id(*sh.adjacent_parent);
    json range = {{"StartingSequenceNumber", sh.starting_sequence()}};
    if (!sh.open()) range["EndingSequenceNumber"] = sh.ending_sequence();
    j["SequenceNumberRange"] = std::move(range);
    return j;
}

json monitoring(const stream& s) {
    return json::array({{{"ShardLevelMetrics", s.shard_level_metrics}}});
}

json mode_json(const stream& s) {
    return {{"StreamMode", s.mode}};
}

// Tag keys and values hold Unicode letters (U+00C0-U+1FFF, U+2C00-U+D7FF beyond ASCII's),
// digits, spaces and _ . / = + - % @ : (as Kinesis checks them); false on anything else,
// tabs and malformed UTF-8 included.
bool tag_text_valid(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if (!std::isalnum(c) && std::string_view("_./=+-%@: ").find(static_cast<char>(c)) == std::string_view::npos)
                return false;
            ++i;
            continue;
        }
        int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1;
        if (extra < 0 || i + static_cast<std::size_t>(extra) >= text.size()) return false;
        std::uint32_t cp = c & (0x3f >> extra);
        for (int k = 1; k <= extra; ++k) {
            auto b = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
            if ((b & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3f);
        }
        if (!((cp >= 0xc0 && cp <= 0x1fff) || (cp >= 0x2c00 && cp <= 0xd7ff))) return false;
        i += static_cast<std::size_t>(extra) + 1;
    }
    return true;
}

// The two refusals Kinesis gives for tag text: characters outside its set, then '%', which
// the first message lists but a change of tags refuses (`verb`: "add", "remove").
void check_tag_text(const std::vector<std::string_view>& texts, const stream_key& key, std::string_view verb) {
    for (auto t : texts)
        if (!tag_text_valid(t))
            throw invalid_argument(
                "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = "
                "+ - % @ :.");
    for (auto t : texts)
        if (t.find('%') != std::string_view::npos)
            throw invalid_argument("Failed to " + std::string(verb) + " tags " + (verb == "add" ? "to" : "from") +
                                   " stream " + key.name + " under account " + key.account +
                                   " because some tags contained illegal characters. The allowed characters are "
                                   "Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'.");
}

std::vector<std::string_view> tag_texts(const json& tags) {
    std::vector<std::string_view> out;
    if (tags.is_object())
        for (auto& [k, v] : tags.items()) {
            out.push_back(k);
            if (v.is_string()) out.push_back(v.get_ref<const std::string&>());
        }
    else if (tags.is_array())
        for (auto& k : tags)
            if (k.is_string()) out.push_back(k.get_ref<const std::string&>());
    return out;
}

json tag_list(const std::map<std::string, std::string>& tags) {
    json out = json::array();
    for (auto& [k, v] : tags)
        out.push_back({{"Key", k}, {"Value", v}});
    return out;
}

const std::vector<std::string> all_metrics = {"IncomingBytes",
                                              "IncomingRecords",
                                              "OutgoingBytes",
                                              "OutgoingRecords",
                                              "WriteProvisionedThroughputExceeded",
                                              "ReadProvisionedThroughputExceeded",
                                              "IteratorAgeMilliseconds"};

class service {
  public:
    service(storage::database& db, const eddy::clock& clock, boost::asio::any_io_executor executor,
            std::chrono::milliseconds transition)
        : streams_(db, clock, std::move(executor), transition), clock_(clock) {}

    streams& domain() { return streams_; }

    // StreamName or StreamARN, whichever the caller gave; both must then agree.
    stream_key key_of(const request_context& ctx, const json& input) {
        auto name = str(input, "StreamName");
        auto arn = str(input, "StreamARN");
        if (arn.empty()) {
            if (name.empty()) throw invalid_argument("Either StreamName or StreamARN must be provided.");
            return {ctx.account, ctx.region, name};
        }
        auto key = key_of_arn(arn);
        if (!name.empty() && name != key.name)
            throw invalid_argument("StreamARN " + arn + " and StreamName " + name + " do not name the same stream.");
        return key;
    }

    static stream_key key_of_arn(const std::string& arn) {
        arn_parts p;
        if (!parse_arn(arn, p) || p.service != "kinesis" || p.resource.rfind("stream/", 0) != 0)
            throw invalid_argument("Invalid StreamARN " + arn + ".");
        auto name = p.resource.substr(7);
        if (auto slash = name.find('/'); slash != std::string::npos) name = name.substr(0, slash);
        return {p.account, p.region, name};
    }

    // A stream records can be put to or read from: ACTIVE or UPDATING.
    stream& readable(const stream_key& key) {
        auto& s = streams_.get(key);
        auto status = s.status(clock_.now_ms());
        if (status != "ACTIVE" && status != "UPDATING")
            throw aws_error("ResourceNotFoundException",
                            "Stream " + key.name + " under account " + key.account + " not found.");
        return s;
    }

    static void provisioned_only(const stream& s, const char* operation) {
        if (s.mode == "ON_DEMAND")
            throw aws_error("ValidationException", std::string(operation) + " is not supported for stream " +
                                                       s.key.name + " because it is in the on-demand capacity mode.");
    }

    void check_shard_limit(const request_context& ctx, int more) {
        int open = streams_.open_shards(ctx.account, ctx.region);
        if (open + more > shard_limit)
            throw aws_error("LimitExceededException",
                            "This request would exceed the shard limit for the account " + ctx.account + " in " +
                                ctx.region + ". Current shard count for the account: " + std::to_string(open) +
                                ". Limit: " + std::to_string(shard_limit) +
                                ". Number of additional shards that would have resulted from this request: " +
                                std::to_string(more) + ".");
    }

    json create_stream(request_context& ctx, const json& in) {
        stream_key key{ctx.account, ctx.region, in.at("StreamName").get<std::string>()};
        std::string mode = "PROVISIONED";
        if (in.contains("StreamModeDetails")) mode = in["StreamModeDetails"].at("StreamMode").get<std::string>();
        int shards = on_demand_initial_shards;
        if (mode == "PROVISIONED") {
            if (!in.contains("ShardCount"))
                throw invalid_argument("ShardCount must be provided for a stream in the PROVISIONED mode.");
            shards = in["ShardCount"].get<int>();
        } else {
            if (on_demand_streams(ctx) >= on_demand_stream_limit)
                throw aws_error("LimitExceededException",
                                "This request would exceed the limit of " + std::to_string(on_demand_stream_limit) +
                                    " on-demand streams for the account " + ctx.account + " in " + ctx.region + ".");
        }
        if (streams_.find(key))
            throw aws_error("ResourceInUseException",
                            "Stream " + key.name + " under account " + key.account + " already exists.");
        check_shard_limit(ctx, shards);
        std::map<std::string, std::string> tags;
        if (in.contains("Tags")) {
            check_tag_text(tag_texts(in["Tags"]), key, "add");
            tags = in["Tags"].get<std::map<std::string, std::string>>();
        }
        if (tags.size() > max_tags) throw invalid_argument("A stream cannot have more than 50 tags.");
        int kib = in.value("MaxRecordSizeInKiB", 1024);
        streams_.create(key, shards, mode, std::move(tags), kib);
        return json::object();
    }

    json delete_stream(request_context& ctx, const json& in) {
        auto& s = streams_.get(key_of(ctx, in));
        streams_.remove(s, in.value("EnforceConsumerDeletion", false));
        return json::object();
    }

    json describe_stream(request_context& ctx, const json& in) {
        auto& s = streams_.get(key_of(ctx, in));
        streams_.trim_all(s);
        auto now = clock_.now_ms();
        int limit = in.value("Limit", 100);
        auto after = str(in, "ExclusiveStartShardId");
        json shards = json::array();
        bool more = false;
        for (auto& sh : s.shards) {
            if (!s.listed(sh, now) || (!after.empty() && sh.id() <= after)) continue;
            if (static_cast<int>(shards.size()) == limit) {
                more = true;
                break;
            }
            shards.push_back(shard_json(sh));
        }
        json d = {{"StreamName", s.key.name},
                  {"StreamARN", s.arn},
                  {"StreamStatus", s.status(now)},
                  {"StreamModeDetails", mode_json(s)},
                  {"Shards", std::move(shards)},
                  {"HasMoreShards", more},
                  {"RetentionPeriodHours", s.retention_hours},
                  {"StreamCreationTimestamp", seconds(s.created_ms)},
                  {"EnhancedMonitoring", monitoring(s)},
                  {"EncryptionType", s.encryption}};
        if (!s.key_id.empty()) d["KeyId"] = s.key_id;
        return {{"StreamDescription", std::move(d)}};
    }

    json describe_stream_summary(request_context& ctx, const json& in) {
        auto& s = streams_.get(key_of(ctx, in));
        auto now = clock_.now_ms();
        json d = {{"StreamName", s.key.name},
                  {"StreamARN", s.arn},
                  {"StreamId", s.id},
                  {"StreamStatus", s.status(now)},
                  {"StreamModeDetails", mode_json(s)},
                  {"RetentionPeriodHours", s.retention_hours},
                  {"StreamCreationTimestamp", seconds(s.created_ms)},
                  {"EnhancedMonitoring", monitoring(s)},
                  {"EncryptionType", s.encryption},
                  {"OpenShardCount", s.open_shard_count()},
                  {"ConsumerCount", s.consumers.size()},
                  {"MaxRecordSizeInKiB", s.max_record_kib}};
        if (!s.key_id.empty()) d["KeyId"] = s.key_id;
        return {{"StreamDescriptionSummary", std::move(d)}};
    }

    json list_streams(request_context& ctx, const json& in) {
        int limit = in.value("Limit", 100);
        auto now = clock_.now_ms();
        std::string after = str(in, "ExclusiveStartStreamName");
        if (in.contains("NextToken")) {
            auto t = untoken(in["NextToken"].get<std::string>(), 2);
            auto issued = t ? number((*t)[1]) : std::nullopt;
            if (!issued) throw invalid_argument("Invalid NextToken.");
            if (now - *issued > next_token_lifetime_ms)
                throw aws_error("ExpiredNextTokenException", "The NextToken has expired.");
            after = (*t)[0];
        }
        json names = json::array(), summaries = json::array();
        bool more = false;
        std::string last;
        for (auto* s : streams_.list(ctx.account, ctx.region)) {
            if (!after.empty() && s->key.name <= after) continue;
            if (static_cast<int>(names.size()) == limit) {
                more = true;
                break;
            }
            names.push_back(s->key.name);
            summaries.push_back({{"StreamName", s->key.name},
                                 {"StreamARN", s->arn},
                                 {"StreamStatus", s->status(now)},
                                 {"StreamModeDetails", mode_json(*s)},
                                 {"StreamCreationTimestamp", seconds(s->created_ms)}});
            last = s->key.name;
        }
        json out = {{"StreamNames", names}, {"HasMoreStreams", more}, {"StreamSummaries", summaries}};
        if (more) out["NextToken"] = token({last, std::to_string(now)});
        return out;
    }

    json list_shards(request_context& ctx, const json& in) {
        auto now = clock_.now_ms();
        stream_key key;
        std::string after = str(in, "ExclusiveStartShardId");
        if (in.contains("NextToken")) {
            if (in.contains("StreamName") || in.contains("StreamARN"))
                throw invalid_argument("NextToken and StreamName or StreamARN cannot be provided together.");
            // The token already says where the listing goes on and which stream it is.
            for (const char* member : {"ExclusiveStartShardId", "StreamCreationTimestamp"})
                if (in.contains(member))
                    throw invalid_argument(std::string("NextToken and ") + member + " cannot be provided together.");
            auto t = untoken(in["NextToken"].get<std::string>(), 5);
            auto issued = t ? number((*t)[4]) : std::nullopt;
            if (!issued) throw invalid_argument("Invalid NextToken.");
            if (now - *issued > next_token_lifetime_ms)
                throw aws_error("ExpiredNextTokenException", "The NextToken has expired.");
            key = {(*t)[0], (*t)[1], (*t)[2]};
            after = (*t)[3];
        } else {
            key = key_of(ctx, in);
        }
        auto& s = streams_.get(key);
        streams_.trim_all(s);
        int limit = in.value("MaxResults", 1000);
        // Which shards the filter keeps (FROM_TRIM_HORIZON, the default, keeps all listed).
        auto horizon = std::max(now - s.retention_ms(), s.created_ms);
        std::function<bool(const shard&)> keep = [](const shard&) { return true; };
        if (in.contains("ShardFilter")) {
            auto& f = in["ShardFilter"];
            auto type = f.at("Type").get<std::string>();
            auto at = [&](std::int64_t t) {
                return [t](const shard& sh) { return sh.created_ms <= t && (sh.open() || *sh.closed_ms >= t); };
            };
            if (type == "AFTER_SHARD_ID") {
                if (!f.contains("ShardId"))
                    throw invalid_argument("ShardId must be provided for a ShardFilter of type AFTER_SHARD_ID.");
                after = std::max(after, f["ShardId"].get<std::string>());
            } else if (type == "AT_TRIM_HORIZON") {
                keep = at(horizon);
            } else if (type == "AT_LATEST") {
                keep = [](const shard& sh) { return sh.open(); };
            } else if (type == "AT_TIMESTAMP" || type == "FROM_TIMESTAMP") {
                if (!f.contains("Timestamp"))
                    throw invalid_argument("Timestamp must be provided for a ShardFilter of type " + type + ".");
                auto t = millis(f["Timestamp"]);
                if (type == "AT_TIMESTAMP")
                    keep = at(t);
                else
                    keep = [t = std::max(t, horizon)](const shard& sh) { return sh.open() || *sh.closed_ms >= t; };
            } else if (f.contains("ShardId") || f.contains("Timestamp")) {
                throw invalid_argument("ShardFilter of type " + type + " takes neither ShardId nor Timestamp.");
            }
        }
        json shards = json::array();
        std::string last;
        bool more = false;
        for (auto& sh : s.shards) {
            if (!s.listed(sh, now) || (!after.empty() && sh.id() <= after) || !keep(sh)) continue;
            if (static_cast<int>(shards.size()) == limit) {
                more = true;
                break;
            }
            shards.push_back(shard_json(sh));
            last = sh.id();
        }
        json out = {{"Shards", std::move(shards)}};
        if (more) out["NextToken"] = token({key.account, key.region, key.name, last, std::to_string(now)});
        return out;
    }

    static void check_retention(int hours) {
        if (hours < 24)
            throw invalid_argument("Minimum allowed retention period is 24 hours. Requested retention period (" +
                                   std::to_string(hours) + " hours) is too short.");
        if (hours > 8760)
            throw invalid_argument("Maximum allowed retention period is 8760 hours. Requested retention period (" +
                                   std::to_string(hours) + " hours) is too long.");
    }

    json increase_retention(request_context& ctx, const json& in) {
        auto& s = streams_.get_active(key_of(ctx, in));
        int hours = in.at("RetentionPeriodHours").get<int>();
        check_retention(hours);
        if (hours < s.retention_hours)
            throw invalid_argument("Requested retention period (" + std::to_string(hours) + " hours) for stream " +
                                   s.key.name + " can not be shorter than existing retention period (" +
                                   std::to_string(s.retention_hours) + " hours). Use DecreaseRetentionPeriod API.");
        s.retention_hours = hours;
        streams_.save(s);
        return json::object();
    }

    json decrease_retention(request_context& ctx, const json& in) {
        auto& s = streams_.get_active(key_of(ctx, in));
        int hours = in.at("RetentionPeriodHours").get<int>();
        check_retention(hours);
        if (hours > s.retention_hours)
            throw invalid_argument("Requested retention period (" + std::to_string(hours) + " hours) for stream " +
                                   s.key.name + " can not be longer than existing retention period (" +
                                   std::to_string(s.retention_hours) + " hours). Use IncreaseRetentionPeriod API.");
        s.retention_hours = hours;
        streams_.trim_all(s);
        streams_.save(s);
        return json::object();
    }

    // The checks PutRecord and PutRecords share; `where` names the member as AWS's validation does.
    static put_entry entry_of(const stream& s, const json& e, const std::string& where) {
        put_entry out{e.at("PartitionKey").get<std::string>(), text_of(e.at("Data")), std::nullopt};
        auto max = static_cast<std::size_t>(s.max_record_kib) * 1024;
        if (out.data.size() > max)
            throw aws_error("ValidationException", "1 validation error detected: Value at '" + where +
                                                       "' failed to satisfy constraint: Member must have length less "
                                                       "than or equal to " +
                                                       std::to_string(max));
        if (e.contains("ExplicitHashKey")) {
            auto& text = e["ExplicitHashKey"].get_ref<const std::string&>();
            if (!parse_decimal(text))
                throw invalid_argument(
                    "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value "
                    "was " +
                    text);
            out.explicit_hash_key = text;
        }
        return out;
    }

    json put_record(request_context& ctx, const json& in) {
        auto& s = readable(key_of(ctx, in));
        if (in.contains("SequenceNumberForOrdering") &&
            !sequence::parse(in["SequenceNumberForOrdering"].get<std::string>()))
            throw invalid_argument(
                "ExclusiveMinimumSequenceNumber " + in["SequenceNumberForOrdering"].get<std::string>() +
                " used in PutRecord on stream " + s.key.name + " under account " + s.key.account + " is invalid.");
        auto entry = entry_of(s, in, "data");
        auto r = std::move(streams_.put(s, std::span<const put_entry>(&entry, 1)).front());
        json out = {{"ShardId", r.to->id()}, {"SequenceNumber", r.sequence_number}};
        if (s.encryption != "NONE") out["EncryptionType"] = s.encryption;
        return out;
    }

    json put_records(request_context& ctx, const json& in) {
        auto& s = readable(key_of(ctx, in));
        auto& records = in.at("Records");
        std::vector<put_entry> entries;
        entries.reserve(records.size());
        std::size_t total = 0, i = 0;
        for (auto& e : records) {
            ++i;
            entries.push_back(entry_of(s, e, "records." + std::to_string(i) + ".member.data"));
            total += entries.back().data.size() + entries.back().partition_key.size();
        }
        if (total > max_put_records_bytes) throw invalid_argument("Records size exceeds 10 MB limit");
        json results = json::array();
        for (auto& r : streams_.put(s, entries))
            results.push_back({{"ShardId", r.to->id()}, {"SequenceNumber", std::move(r.sequence_number)}});
        json out = {{"FailedRecordCount", 0}, {"Records", std::move(results)}};
        if (s.encryption != "NONE") out["EncryptionType"] = s.encryption;
        return out;
    }

    std::string iterator_for(const stream& s, const shard& sh, std::uint64_t counter) {
        return token({"1", s.key.account, s.key.region, s.key.name, std::to_string(s.created_ms),
                      std::to_string(sh.index), std::to_string(counter), std::to_string(clock_.now_ms())});
    }

    json get_shard_iterator(request_context& ctx, const json& in) {
        auto key = key_of(ctx, in);
        auto& s = readable(key);
        auto shard_id = in.at("ShardId").get<std::string>();
        auto* sh = s.find_shard(shard_id);
        if (!sh || !s.listed(*sh, clock_.now_ms()))
            throw aws_error("ResourceNotFoundException", "Shard " + shard_id + " in stream " + key.name +
                                                             " under account " + key.account + " does not exist");
        streams_.trim(s, *sh);
        auto type = in.at("ShardIteratorType").get<std::string>();
        bool by_sequence = type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER";
        if (by_sequence != in.contains("StartingSequenceNumber")) {
            if (by_sequence)
                throw invalid_argument("Must specify StartingSequenceNumber for iterator type " + type + ".");
            throw invalid_argument("Request specified StartingSequenceNumber for iterator type " + type +
                                   ", but StartingSequenceNumber must be specified only with AT_SEQUENCE_NUMBER or "
                                   "AFTER_SEQUENCE_NUMBER iterator types.");
        }
        if ((type == "AT_TIMESTAMP") != in.contains("Timestamp")) {
            if (type == "AT_TIMESTAMP")
                throw invalid_argument(
                    "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has "
                    "no timestamp parameter.");
            throw invalid_argument("Request specified timestampInMillis for iterator type " + type +
                                   ", but timestampInMillis must be specified only with AT_TIMESTAMP iterator type.");
        }
        std::uint64_t counter = 0;
        if (type == "TRIM_HORIZON") {
            counter = sh->records.empty() ? sh->next_counter : sh->records.front().counter;
        } else if (type == "LATEST") {
            counter = sh->next_counter;
        } else if (by_sequence) {
            auto text = in["StartingSequenceNumber"].get<std::string>();
            auto seq = sequence::parse(text);
            if (!seq)
                throw invalid_argument("StartingSequenceNumber " + text + " used in GetShardIterator on shard " +
                                       shard_id + " in stream " + key.name + " under account " + key.account +
                                       " is invalid.");
            if (seq->shard_index != sh->index || seq->shard_created_s != sh->created_ms / 1000) {
                throw invalid_argument("Invalid StartingSequenceNumber. It encodes " +
                                       kinesis::shard_id(seq->shard_index) +
                                       ", while it was used in a call to a shard with " + shard_id);
            }
            counter = seq->counter + (type == "AFTER_SEQUENCE_NUMBER" ? 1 : 0);
        } else {
            auto at = millis(in["Timestamp"]);
            auto now = clock_.now_ms();
            if (at > now)
                throw invalid_argument(
                    "The timestampInMillis parameter cannot be greater than the "
                    "currentTimestampInMillis. timestampInMillis: " +
                    std::to_string(at) + ", currentTimestampInMillis: " + std::to_string(now));
            auto it = std::lower_bound(sh->records.begin(), sh->records.end(), at,
                                       [](const record& r, std::int64_t t) { return r.arrival_ms < t; });
            counter = it == sh->records.end() ? sh->next_counter : it->counter;
        }
        return {{"ShardIterator", iterator_for(s, *sh, counter)}};
    }

    json get_records(request_context& ctx, const json& in) {
        auto fields = untoken(in.at("ShardIterator").get<std::string>(), 8);
        std::optional<std::int64_t> created, index, counter, issued;
        if (fields && (*fields)[0] == "1") {
            created = number((*fields)[4]);
            index = number((*fields)[5]);
            counter = number((*fields)[6]);
            issued = number((*fields)[7]);
        }
        if (!created || !index || !counter || !issued || *index < 0 || *counter < 0)
            throw invalid_argument("Invalid ShardIterator.");
        auto now = clock_.now_ms();
        if (now - *issued > iterator_lifetime_ms)
            throw aws_error("ExpiredIteratorException",
                            "Iterator expired. The iterator was created at time " + format_iso8601(*issued) +
                                " while right now it is " + format_iso8601(now) +
                                " which is further in the future than the tolerated delay of 300000 milliseconds.");
        stream_key key{(*fields)[1], (*fields)[2], (*fields)[3]};
        auto* s = streams_.find(key);
        if (!s || s->created_ms != *created || *index >= static_cast<std::int64_t>(s->shards.size()))
            throw aws_error("ResourceNotFoundException", "Shard " + shard_id(*index) + " in stream " + key.name +
                                                             " under account " + key.account + " does not exist");
        (void)ctx;
        int limit = in.value("Limit", 10000);
        auto result = streams_.read(*s, {static_cast<int>(*index), static_cast<std::uint64_t>(*counter)}, limit,
                                    max_get_records_bytes);
        auto& sh = s->shards[static_cast<std::size_t>(*index)];
        json records = json::array();
        for (auto* r : result.records) {
            json j = {{"SequenceNumber", sh.sequence_of(r->counter, r->arrival_ms).str()},
                      {"ApproximateArrivalTimestamp", seconds(r->arrival_ms)},
                      {"Data", binary(r->data)},
                      {"PartitionKey", r->partition_key}};
            if (s->encryption != "NONE") j["EncryptionType"] = s->encryption;
            records.push_back(std::move(j));
        }
        json out = {{"Records", std::move(records)}, {"MillisBehindLatest", result.millis_behind}};
        if (result.at_end) {
            json children = json::array();
            for (int c : sh.children) {
                auto& child = s->shards[static_cast<std::size_t>(c)];
                json parents = json::array();
                if (child.parent) parents.push_back(s->shards[static_cast<std::size_t>(*child.parent)].id());
                if (child.adjacent_parent)
                    parents.push_back(s->shards[static_cast<std::size_t>(*child.adjacent_parent)].id());
                children.push_back({{"ShardId", child.id()},
                                    {"ParentShards", parents},
                                    {"HashKeyRange", hash_range_json(child.range)}});
            }
            out["ChildShards"] = std::move(children);
        } else {
            out["NextShardIterator"] = iterator_for(*s, sh, result.next);
        }
        return out;
    }

    json split_shard(request_context& ctx, const json& in) {
        auto& s = streams_.get_active(key_of(ctx, in));
        provisioned_only(s, "SplitShard");
        auto id = in.at("ShardToSplit").get<std::string>();
        auto* sh = s.find_shard(id);
        if (!sh)
            throw aws_error("ResourceNotFoundException", "Could not find shard " + id + " in stream " + s.key.name +
                                                             " under account " + s.key.account + ".");
        if (!sh->open())
            throw aws_error("ResourceInUseException",
                            "Shard " + id + " in stream " + s.key.name + " under account " + s.key.account +
                                " has already been merged or split, and thus is not eligible for merging or splitting");
        auto text = in.at("NewStartingHashKey").get<std::string>();
        auto k = parse_decimal(text);
        if (!k || *k <= sh->range.start + 1 || *k >= sh->range.end)
            throw invalid_argument("NewStartingHashKey " + text + " used in SplitShard() on shard " + id +
                                   " in stream " + s.key.name + " under account " + s.key.account +
                                   " is not both greater than one plus the shard's StartingHashKey " +
                                   to_decimal(sh->range.start) + " and less than the shard's EndingHashKey " +
                                   to_decimal(sh->range.end) + ".");
        check_shard_limit(ctx, 1);
        streams_.split(s, *sh, *k);
        streams_.begin_update(s);
        streams_.save(s);
        return json::object();
    }

    json merge_shards(request_context& ctx, const json& in) {
        auto& s = streams_.get_active(key_of(ctx, in));
        provisioned_only(s, "MergeShards");
        auto a_id = in.at("ShardToMerge").get<std::string>();
        auto b_id = in.at("AdjacentShardToMerge").get<std::string>();
        auto* a = s.find_shard(a_id);
        auto* b = s.find_shard(b_id);
        for (auto [sh, id] : {std::pair{a, a_id}, std::pair{b, b_id}}) {
            if (!sh)
                throw aws_error("ResourceNotFoundException", "Could not find shard " + id + " in stream " + s.key.name +
                                                                 " under account " + s.key.account + ".");
            if (!sh->open())
                throw aws_error("ResourceInUseException", "Shard " + id + " in stream " + s.key.name +
                                                              " under account " + s.key.account +
                                                              " has already been merged or split, and thus is not "
                                                              "eligible for merging or splitting");
        }
        // One range must end just below the other's start; the last range's end + 1 would wrap to 0.
        auto just_below = [](const shard& lo, const shard& hi) {
            return lo.range.end != max_hash_key && lo.range.end + 1 == hi.range.start;
        };
        if (a == b || (!just_below(*a, *b) && !just_below(*b, *a)))
            throw invalid_argument("Shards " + a_id + " and " + b_id + " in stream " + s.key.name + " under account " +
                                   s.key.account + " are not an adjacent pair of shards eligible for merging");
        streams_.merge(s, *a, *b);
        streams_.begin_update(s);
        streams_.save(s);
        return json::object();
    }

    json update_shard_count(request_context& ctx, const json& in) {
        auto& s = streams_.get_active(key_of(ctx, in));
        provisioned_only(s, "UpdateShardCount");
        int target = in.at("TargetShardCount").get<int>();
        int current = s.open_shard_count();
        if (target > 2 * current)
            throw aws_error("LimitExceededException",
                            "UpdateShardCount cannot scale up over double your current open shard count. Current "
                            "open shard count: " +
                                std::to_string(current) + " Target shard count: " + std::to_string(target));
        if (2 * target < current)
            throw aws_error("LimitExceededException",
                            "UpdateShardCount cannot scale down below half your current open shard count. Current "
                            "open shard count: " +
                                std::to_string(current) + " Target shard count: " + std::to_string(target));
        if (target > current) check_shard_limit(ctx, target - current);
        streams_.scale_uniformly(s, target);
        streams_.begin_update(s);
        streams_.save(s);
        return {{"StreamName", s.key.name},
                {"StreamARN", s.arn},
                {"CurrentShardCount", current},
                {"TargetShardCount", target}};
    }

    json update_stream_mode(request_context& ctx, const json& in) {
        auto& s = streams_.get_active(key_of_arn(in.at("StreamARN").get<std::string>()));
        auto mode = in.at("StreamModeDetails").at("StreamMode").get<std::string>();
        if (mode == s.mode)
            throw invalid_argument("Stream " + s.key.name + " under account " + s.key.account + " is already in the " +
                                   mode + " capacity mode.");
        s.mode = mode;
        streams_.begin_update(s);
        streams_.save(s);
        (void)ctx;
        return json::object();
    }

    json update_max_record_size(request_context& ctx, const json& in) {
        auto& s = streams_.get_active(key_of_arn(in.at("StreamARN").get<std::string>()));
        s.max_record_kib = in.at("MaxRecordSizeInKiB").get<int>();
        streams_.begin_update(s);
        streams_.save(s);
        (void)ctx;
        return json::object();
    }

    json start_encryption(request_context& ctx, const json& in) {
        auto& s = streams_.get_active(key_of(ctx, in));
        s.encryption = in.at("EncryptionType").get<std::string>();
        s.key_id = in.at("KeyId").get<std::string>();
        if (s.encryption == "NONE") s.key_id.clear();
        streams_.begin_update(s);
        streams_.save(s);
        return json::object();
    }

    json stop_encryption(request_context& ctx, const json& in) {
        auto& s = streams_.get_active(key_of(ctx, in));
        s.encryption = "NONE";
        s.key_id.clear();
        streams_.begin_update(s);
        streams_.save(s);
        return json::object();
    }

    json enhanced_monitoring(request_context& ctx, const json& in, bool enable) {
        auto& s = streams_.get_active(key_of(ctx, in));
        auto current = s.shard_level_metrics;
        std::set<std::string> metrics(current.begin(), current.end());
        for (auto& m : in.at("ShardLevelMetrics")) {
            auto name = m.get<std::string>();
            std::vector<std::string> names = name == "ALL" ? all_metrics : std::vector<std::string>{name};
            for (auto& n : names) {
                if (enable)
                    metrics.insert(n);
                else
                    metrics.erase(n);
            }
        }
        s.shard_level_metrics.assign(metrics.begin(), metrics.end());
        streams_.save(s);
        return {{"StreamName", s.key.name},
                {"StreamARN", s.arn},
                {"CurrentShardLevelMetrics", current},
                {"DesiredShardLevelMetrics", s.shard_level_metrics}};
    }

    static void add_tags(stream& s, const json& tags) {
        check_tag_text(tag_texts(tags), s.key, "add");
        auto merged = s.tags;
        for (auto& [k, v] : tags.items())
            merged[k] = v.get<std::string>();
        if (merged.size() > max_tags)
            throw invalid_argument("Failed to add tags to stream " + s.key.name + " under account " + s.key.account +
                                   " because a given stream cannot have more than " + std::to_string(max_tags) +
                                   " tags.");
        s.tags = std::move(merged);
    }

    json add_tags_to_stream(request_context& ctx, const json& in) {
        auto& s = streams_.get(key_of(ctx, in));
        add_tags(s, in.at("Tags"));
        streams_.save(s);
        return json::object();
    }

    json remove_tags_from_stream(request_context& ctx, const json& in) {
        auto& s = streams_.get(key_of(ctx, in));
        check_tag_text(tag_texts(in.at("TagKeys")), s.key, "remove");
        for (auto& k : in.at("TagKeys"))
            s.tags.erase(k.get<std::string>());
        streams_.save(s);
        return json::object();
    }

    json list_tags_for_stream(request_context& ctx, const json& in) {
        auto& s = streams_.get(key_of(ctx, in));
        auto after = str(in, "ExclusiveStartTagKey");
        std::size_t limit = in.value("Limit", 50);
        std::map<std::string, std::string> page;
        bool more = false;
        for (auto& [k, v] : s.tags) {
            if (!after.empty() && k <= after) continue;
            if (page.size() == limit) {
                more = true;
                break;
            }
            page[k] = v;
        }
        return {{"Tags", tag_list(page)}, {"HasMoreTags", more}};
    }

    stream& by_resource(const json& in) { return streams_.get(key_of_arn(in.at("ResourceARN").get<std::string>())); }

    json tag_resource(request_context&, const json& in) {
        auto& s = by_resource(in);
        add_tags(s, in.at("Tags"));
        streams_.save(s);
        return json::object();
    }

    json untag_resource(request_context&, const json& in) {
        auto& s = by_resource(in);
        check_tag_text(tag_texts(in.at("TagKeys")), s.key, "remove");
        for (auto& k : in.at("TagKeys"))
            s.tags.erase(k.get<std::string>());
        streams_.save(s);
        return json::object();
    }

    json list_tags_for_resource(request_context&, const json& in) { return {{"Tags", tag_list(by_resource(in).tags)}}; }

    json put_resource_policy(request_context&, const json& in) {
        auto& s = by_resource(in);
        s.policy = in.at("Policy").get<std::string>();
        streams_.save(s);
        return json::object();
    }

    json get_resource_policy(request_context&, const json& in) {
        auto& s = by_resource(in);
        return {{"Policy", s.policy.empty() ? std::string("{}") : s.policy}};
    }

    json delete_resource_policy(request_context&, const json& in) {
        auto& s = by_resource(in);
        if (s.policy.empty())
            throw aws_error("ResourceNotFoundException", "No resource policy found for resource ARN " + s.arn + ".");
        s.policy.clear();
        streams_.save(s);
        return json::object();
    }

    int on_demand_streams(const request_context& ctx) {
        int n = 0;
        for (auto* s : streams_.list(ctx.account, ctx.region))
            n += s->mode == "ON_DEMAND";
        return n;
    }

    json describe_limits(request_context& ctx, const json&) {
        return {{"ShardLimit", shard_limit},
                {"OpenShardCount", streams_.open_shards(ctx.account, ctx.region)},
                {"OnDemandStreamCount", on_demand_streams(ctx)},
                {"OnDemandStreamCountLimit", on_demand_stream_limit}};
    }

    // Consumers: an ARN is the stream's, then /consumer/<name>:<creation epoch seconds>.
    consumer* consumer_by_arn(const std::string& arn, stream*& owner) {
        auto at = arn.find("/consumer/");
        if (at == std::string::npos) throw invalid_argument("Invalid ConsumerARN " + arn + ".");
        owner = &streams_.get(key_of_arn(arn.substr(0, at)));
        for (auto& [name, c] : owner->consumers)
            if (c.arn == arn) return &c;
        return nullptr;
    }

    consumer& find_consumer(const json& in, stream*& owner) {
        consumer* c = nullptr;
        std::string what;
        if (in.contains("ConsumerARN")) {
            what = in["ConsumerARN"].get<std::string>();
            c = consumer_by_arn(what, owner);
        } else if (in.contains("StreamARN") && in.contains("ConsumerName")) {
            owner = &streams_.get(key_of_arn(in["StreamARN"].get<std::string>()));
            what = in["ConsumerName"].get<std::string>();
            auto it = owner->consumers.find(what);
            if (it != owner->consumers.end()) c = &it->second;
        } else {
            throw invalid_argument("Either ConsumerARN or both StreamARN and ConsumerName must be provided.");
        }
        if (!c) throw aws_error("ResourceNotFoundException", "Consumer " + what + " not found.");
        return *c;
    }

    json consumer_json(const consumer& c) {
        return {{"ConsumerName", c.name},
                {"ConsumerARN", c.arn},
                {"ConsumerStatus", clock_.now_ms() >= c.ready_ms ? "ACTIVE" : "CREATING"},
                {"ConsumerCreationTimestamp", seconds(c.created_ms)}};
    }

    json register_consumer(request_context&, const json& in) {
        auto& s = streams_.get(key_of_arn(in.at("StreamARN").get<std::string>()));
        auto name = in.at("ConsumerName").get<std::string>();
        if (s.consumers.count(name))
            throw aws_error("ResourceInUseException", "Consumer " + name + " under stream " + s.key.name +
                                                          " already exists for account " + s.key.account + ".");
        if (s.consumers.size() >= max_consumers)
            throw aws_error("LimitExceededException", "Stream " + s.key.name + " under account " + s.key.account +
                                                          " already has " + std::to_string(max_consumers) +
                                                          " registered consumers.");
        auto now = clock_.now_ms();
        consumer c{name, s.arn + "/consumer/" + name + ":" + std::to_string(now / 1000), now,
                   now + streams_.transition_ms()};
        auto& stored = s.consumers[name] = c;
        streams_.save(s);
        return {{"Consumer", consumer_json(stored)}};
    }

    json describe_consumer(request_context&, const json& in) {
        stream* owner = nullptr;
        auto& c = find_consumer(in, owner);
        auto d = consumer_json(c);
        d["StreamARN"] = owner->arn;
        return {{"ConsumerDescription", std::move(d)}};
    }

    json list_consumers(request_context&, const json& in) {
        auto& s = streams_.get(key_of_arn(in.at("StreamARN").get<std::string>()));
        std::size_t limit = in.value("MaxResults", 100);
        std::string after;
        if (in.contains("NextToken")) {
            auto t = untoken(in["NextToken"].get<std::string>(), 1);
            if (!t) throw invalid_argument("Invalid NextToken.");
            after = (*t)[0];
        }
        json consumers = json::array();
        std::string last;
        bool more = false;
        for (auto& [name, c] : s.consumers) {
            if (!after.empty() && name <= after) continue;
            if (consumers.size() == limit) {
                more = true;
                break;
            }
            consumers.push_back(consumer_json(c));
            last = name;
        }
        json out = {{"Consumers", std::move(consumers)}};
        if (more) out["NextToken"] = token({last});
        return out;
    }

    json deregister_consumer(request_context&, const json& in) {
        stream* owner = nullptr;
        auto& c = find_consumer(in, owner);
        owner->consumers.erase(c.name);
        streams_.save(*owner);
        return json::object();
    }

  private:
    streams streams_;
    const eddy::clock& clock_;
};

std::chrono::milliseconds transition_delay() {
    if (auto* v = std::getenv("EDDY_KINESIS_TRANSITION_MS"); v && *v) return std::chrono::milliseconds(std::atoll(v));
    return std::chrono::milliseconds(0);
}

}  // namespace

void register_handlers(service_env& env) {
    auto svc = std::make_shared<service>(env.db, env.clock, env.executor, transition_delay());
    auto add = [&](const char* op, json (service::*fn)(request_context&, const json&)) {
        env.calls.add("kinesis", op,
                      sync_handler([svc, fn](request_context& ctx, const json& in) { return ((*svc).*fn)(ctx, in); }));
    };
    add("CreateStream", &service::create_stream);
    add("DeleteStream", &service::delete_stream);
    add("DescribeStream", &service::describe_stream);
    add("DescribeStreamSummary", &service::describe_stream_summary);
    add("ListStreams", &service::list_streams);
    add("ListShards", &service::list_shards);
    add("IncreaseStreamRetentionPeriod", &service::increase_retention);
    add("DecreaseStreamRetentionPeriod", &service::decrease_retention);
    add("PutRecord", &service::put_record);
    add("PutRecords", &service::put_records);
    add("GetShardIterator", &service::get_shard_iterator);
    add("GetRecords", &service::get_records);
    add("SplitShard", &service::split_shard);
    add("MergeShards", &service::merge_shards);
    add("UpdateShardCount", &service::update_shard_count);
    add("UpdateStreamMode", &service::update_stream_mode);
    add("UpdateMaxRecordSize", &service::update_max_record_size);
    add("StartStreamEncryption", &service::start_encryption);
    add("StopStreamEncryption", &service::stop_encryption);
    env.calls.add("kinesis", "EnableEnhancedMonitoring", sync_handler([svc](request_context& ctx, const json& in) {
                      return svc->enhanced_monitoring(ctx, in, true);
                  }));
    env.calls.add("kinesis", "DisableEnhancedMonitoring", sync_handler([svc](request_context& ctx, const json& in) {
                      return svc->enhanced_monitoring(ctx, in, false);
                  }));
    add("AddTagsToStream", &service::add_tags_to_stream);
    add("RemoveTagsFromStream", &service::remove_tags_from_stream);
    add("ListTagsForStream", &service::list_tags_for_stream);
    add("TagResource", &service::tag_resource);
    add("UntagResource", &service::untag_resource);
    add("ListTagsForResource", &service::list_tags_for_resource);
    add("PutResourcePolicy", &service::put_resource_policy);
    add("GetResourcePolicy", &service::get_resource_policy);
    add("DeleteResourcePolicy", &service::delete_resource_policy);
    add("DescribeLimits", &service::describe_limits);
    add("RegisterStreamConsumer", &service::register_consumer);
    add("DescribeStreamConsumer", &service::describe_consumer);
    add("ListStreamConsumers", &service::list_consumers);
    add("DeregisterStreamConsumer", &service::deregister_consumer);
    env.on_stop([svc] { svc->domain().stop(); });
    // Pipes and other in-process readers reach the streams through this (see reader.hpp).
    env.calls.provide("kinesis.streams", std::shared_ptr<streams>(svc, &svc->domain()));
}

}  // namespace eddy::kinesis
