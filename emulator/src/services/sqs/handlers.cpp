// SQS operations: translate the neutral input to the broker and back.
#include "core/aws_error.hpp"
#include "core/digest.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "services/registry.hpp"
#include "services/sqs/broker.hpp"

#include <boost/asio/this_coro.hpp>

#include <memory>
#include <set>

namespace eddy::sqs {

namespace {

constexpr std::size_t max_tags = 50;
constexpr std::size_t max_batch_bytes = 1048576;

aws_error invalid_parameter(std::string message) {
    return aws_error("InvalidParameterValue", std::move(message));
}

attribute_map string_map(const json& input, const char* member) {
    attribute_map out;
    if (auto it = input.find(member); it != input.end())
        for (auto& [k, v] : it->items())
            out[k] = v.get<std::string>();
    return out;
}

std::string queue_url(const request_context& ctx, const queue& q) {
    std::string host = ctx.host.empty() ? "localhost:4566" : ctx.host;
    return "http://" + host + "/" + q.account + "/" + q.name;
}

queue_key key_of(const request_context& ctx, const json& input) {
    std::string account, name;
    if (!parse_queue_url(input.at("QueueUrl").get_ref<const std::string&>(), account, name))
        throw aws_error("QueueDoesNotExist", "The specified queue does not exist.");
    return {account, ctx.region, name};
}

void check_range(const json& input, const char* name, std::int64_t min, std::int64_t max, const char* reason) {
    if (!input.contains(name)) return;
    auto v = input[name].get<std::int64_t>();
    if (v < min || v > max)
        throw invalid_parameter("Value " + std::to_string(v) + " for parameter " + name +
                                " is invalid. Reason: " + reason);
}

// The rules every *Batch operation shares.
void check_batch(const json& entries, const char* entry_name) {
    if (entries.empty())
        throw aws_error("EmptyBatchRequest",
                        std::string("There should be at least one ") + entry_name + " in the request.");
    if (entries.size() > 10)
        throw aws_error("TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent " +
                                                            std::to_string(entries.size()) + ".");
    std::set<std::string> seen;
    for (auto& e : entries) {
        auto& id = e.at("Id").get_ref<const std::string&>();
        bool ok = !id.empty() && id.size() <= 80;
        for (char c : id)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) ok = false;
        if (!ok)
            throw aws_error("InvalidBatchEntryId",
                            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It "
                            "can be at most 80 letters long.");
        if (!seen.insert(id).second) throw aws_error("BatchEntryIdsNotDistinct", "Id " + id + " repeated.");
    }
}

// Runs `each` on every entry of a batch: an entry that fails goes to Failed with
// its error, the others to Successful, as every *Batch operation answers.
template <typename Each>
json batch_result(const json& entries, Each each) {
    json ok = json::array(), failed = json::array();
    for (auto& e : entries) {
        auto& id = e["Id"].get_ref<const std::string&>();
        try {
            ok.push_back(each(e, id));
        } catch (const aws_error& err) {
            failed.push_back(
                {{"Id", id}, {"SenderFault", err.sender_fault}, {"Code", err.code}, {"Message", err.message()}});
        }
    }
    return {{"Successful", ok}, {"Failed", failed}};
}

bool wants(const json& names, std::string_view name) {
    for (auto& n : names) {
        auto& s = n.get_ref<const std::string&>();
        if (s == "All" || s == name) return true;
    }
    return false;
}

bool wants_attribute(const json& names, const std::string& name) {
    for (auto& n : names) {
        auto& s = n.get_ref<const std::string&>();
        if (s == "All" || s == ".*" || s == name) return true;
        if (s.size() > 2 && s.ends_with(".*") && name.compare(0, s.size() - 1, s, 0, s.size() - 1) == 0) return true;
    }
    return false;
}

class service {
  public:
    service(storage::database& db, const eddy::clock& clock, boost::asio::any_io_executor executor)
        : broker_(db, clock, std::move(executor)), clock_(clock) {}

    broker& domain() { return broker_; }

    json create_queue(request_context& ctx, const json& input) {
        const std::string& name = input["QueueName"].get_ref<const std::string&>();
        auto requested = string_map(input, "Attributes");
        auto tags = string_map(input, "tags");
        bool fifo = false;
        if (auto it = requested.find("FifoQueue"); it != requested.end()) {
            if (it->second != "true" && it->second != "false")
                throw aws_error("InvalidAttributeValue", "Invalid value for the parameter FifoQueue.");
            fifo = it->second == "true";
        }
        if (auto problem = check_queue_name(name, fifo)) throw invalid_parameter(*problem);
        check_attributes(requested, fifo, true);
        check_dead_letter_target(make_arn("sqs", ctx.region, ctx.account, name), requested, fifo);
        check_tags(tags, name);

        if (auto* existing = broker_.find({ctx.account, ctx.region, name})) {
            for (auto& [k, v] : requested) {
                auto it = existing->config.attributes.find(k);
                std::string current = it == existing->config.attributes.end() ? "" : it->second;
                if (current != v)
                    throw aws_error(
                        "QueueNameExists",
                        "A queue already exists with the same name and a different value for attribute " + k);
            }
            return {{"QueueUrl", queue_url(ctx, existing->config)}};
        }
        queue q;
        q.account = ctx.account;
        q.region = ctx.region;
        q.name = name;
        q.attributes = default_attributes(fifo);
        for (auto& [k, v] : requested)
            q.attributes[k] = v;
        drop_empty_policies(q.attributes);
        q.tags = std::move(tags);
        q.created_ms = q.modified_ms = ctx.clock->now_ms();
        auto& created = broker_.create(std::move(q));
        return {{"QueueUrl", queue_url(ctx, created.config)}};
    }

    json get_queue_url(request_context& ctx, const json& input) {
        std::string account = input.value("QueueOwnerAWSAccountId", ctx.account);
        auto& q = broker_.get({account, ctx.region, input["QueueName"].get<std::string>()});
        return {{"QueueUrl", queue_url(ctx, q.config)}};
    }

    json list_queues(request_context& ctx, const json& input) {
        std::string prefix = input.value("QueueNamePrefix", "");
        std::vector<queue_state*> matching;
        for (auto* q : broker_.list(ctx.account, ctx.region))
            if (q->config.name.compare(0, prefix.size(), prefix) == 0) matching.push_back(q);
        return page(ctx, input, matching, "QueueUrls");
    }

    json delete_queue(request_context& ctx, const json& input) {
        broker_.remove(broker_.get(key_of(ctx, input)));
        return json::object();
    }

    json get_queue_attributes(request_context& ctx, const json& input) {
        auto& q = broker_.get(key_of(ctx, input));
        json names = input.value("AttributeNames", json::array());
        for (auto& n : names) {
            auto& s = n.get_ref<const std::string&>();
            if (!is_known_attribute(s)) throw aws_error("InvalidAttributeName", "Unknown Attribute " + s + ".");
        }
        attribute_map current = q.config.attributes;
        current["QueueArn"] = q.config.arn();
        current["CreatedTimestamp"] = std::to_string(q.config.created_ms / 1000);
        current["LastModifiedTimestamp"] = std::to_string(q.config.modified_ms / 1000);
        if (wants(names, "ApproximateNumberOfMessages") || wants(names, "ApproximateNumberOfMessagesNotVisible") ||
            wants(names, "ApproximateNumberOfMessagesDelayed")) {
            auto c = broker_.count(q);
            current["ApproximateNumberOfMessages"] = std::to_string(c.visible);
            current["ApproximateNumberOfMessagesNotVisible"] = std::to_string(c.in_flight);
            current["ApproximateNumberOfMessagesDelayed"] = std::to_string(c.delayed);
        }
        json attributes = json::object();
        for (auto& [k, v] : current)
            if (wants(names, k)) attributes[k] = v;
        json out = json::object();
        if (!attributes.empty()) out["Attributes"] = std::move(attributes);
        return out;
    }

    json set_queue_attributes(request_context& ctx, const json& input) {
        auto& q = broker_.get(key_of(ctx, input));
        auto requested = string_map(input, "Attributes");
        check_attributes(requested, q.config.fifo(), false);
        check_dead_letter_target(q.config.arn(), requested, q.config.fifo());
        for (auto& [k, v] : requested)
            q.config.attributes[k] = v;
        drop_empty_policies(q.config.attributes);
        q.config.modified_ms = ctx.clock->now_ms();
        broker_.save_config(q);
        return json::object();
    }

    json tag_queue(request_context& ctx, const json& input) {
        auto& q = broker_.get(key_of(ctx, input));
        attribute_map merged = q.config.tags;
        for (auto& [k, v] : string_map(input, "Tags"))
            merged[k] = v;
        check_tags(merged, q.config.name);
        q.config.tags = std::move(merged);
        broker_.save_config(q);
        return json::object();
    }

    json untag_queue(request_context& ctx, const json& input) {
        auto& q = broker_.get(key_of(ctx, input));
        for (auto& key : input["TagKeys"])
            q.config.tags.erase(key.get<std::string>());
        broker_.save_config(q);
        return json::object();
    }

    json list_queue_tags(request_context& ctx, const json& input) {
        auto& q = broker_.get(key_of(ctx, input));
        json out = json::object();
        if (!q.config.tags.empty()) out["Tags"] = q.config.tags;
        return out;
    }

    json send_message(request_context& ctx, json input) {
        auto& q = broker_.get(key_of(ctx, input));
        return send_output(broker_.send(q, send_request_of(ctx, std::move(input))), json::object());
    }

    json send_message_batch(request_context& ctx, const json& input) {
        auto& q = broker_.get(key_of(ctx, input));
        auto& entries = input["Entries"];
        check_batch(entries, "SendMessageBatchRequestEntry");
        std::size_t total = 0;
        for (auto& e : entries)
            total += message_size(e.value("MessageBody", ""), e.value("MessageAttributes", json::object()));
        if (total > max_batch_bytes)
            throw aws_error("BatchRequestTooLong", "Batch requests cannot be longer than " +
                                                       std::to_string(max_batch_bytes) + " bytes. You have sent " +
                                                       std::to_string(total) + " bytes.");
        return batch_result(entries, [&](const json& e, const std::string& id) {
            if (!e.contains("MessageBody"))
                throw aws_error("MissingParameter", "The request must contain the parameter MessageBody.");
            return send_output(broker_.send(q, send_request_of(ctx, e)), json{{"Id", id}});
        });
    }

    boost::asio::awaitable<json> receive_message(request_context& ctx, json input) {
        auto key = key_of(ctx, input);
        auto& q = broker_.get(key);
        check_range(input, "MaxNumberOfMessages", 1, 10, "Must be between 1 and 10, if provided.");
        check_range(input, "WaitTimeSeconds", 0, 20, "Must be >= 0 and <= 20, if provided.");
        check_range(input, "VisibilityTimeout", 0, 43200, "Must be between 0 and 43200, if provided.");
        receive_request r;
        r.max = static_cast<std::size_t>(input.value("MaxNumberOfMessages", 1));
        if (input.contains("VisibilityTimeout")) r.visibility_timeout = input["VisibilityTimeout"].get<std::int64_t>();
        r.wait_seconds = input.contains("WaitTimeSeconds")
                             ? input["WaitTimeSeconds"].get<std::int64_t>()
                             : std::stoll(q.config.attributes["ReceiveMessageWaitTimeSeconds"]);
        json system_names = input.value("MessageSystemAttributeNames", json::array());
        for (auto& n : input.value("AttributeNames", json::array()))
            system_names.push_back(n);
        json attribute_names = input.value("MessageAttributeNames", json::array());

        auto messages = co_await broker_.receive(key, r);
        json out = json::array();
        for (auto& m : messages)
            out.push_back(received(m, system_names, attribute_names));
        json result = json::object();
        if (!out.empty()) result["Messages"] = std::move(out);
        co_return result;
    }

    json delete_message(request_context& ctx, const json& input) {
        auto& q = broker_.get(key_of(ctx, input));
        delete_one(q, input["ReceiptHandle"].get<std::string>());
        return json::object();
    }

    json delete_message_batch(request_context& ctx, const json& input) {
        auto& q = broker_.get(key_of(ctx, input));
        auto& entries = input["Entries"];
        check_batch(entries, "DeleteMessageBatchRequestEntry");
        return batch_result(entries, [&](const json& e, const std::string& id) {
            delete_one(q, e["ReceiptHandle"].get<std::string>());
            return json{{"Id", id}};
        });
    }

    json change_message_visibility(request_context& ctx, const json& input) {
        auto& q = broker_.get(key_of(ctx, input));
        change_one(q, input["ReceiptHandle"].get<std::string>(), input);
        return json::object();
    }

    json change_message_visibility_batch(request_context& ctx, const json& input) {
        auto& q = broker_.get(key_of(ctx, input));
        auto& entries = input["Entries"];
        check_batch(entries, "ChangeMessageVisibilityBatchRequestEntry");
        return batch_result(entries, [&](const json& e, const std::string& id) {
            change_one(q, e["ReceiptHandle"].get<std::string>(), e);
            return json{{"Id", id}};
        });
    }

    json purge_queue(request_context& ctx, const json& input) {
        broker_.purge(broker_.get(key_of(ctx, input)));
        return json::object();
    }

    json list_dead_letter_source_queues(request_context& ctx, const json& input) {
        auto& dlq = broker_.get(key_of(ctx, input));
        auto arn = dlq.config.arn();
        std::vector<queue_state*> sources;
        for (auto* q : broker_.list(dlq.config.account, dlq.config.region))
            if (q->dead_letter_arn == arn) sources.push_back(q);
        auto out = page(ctx, input, sources, "queueUrls");
        if (!out.contains("queueUrls")) out["queueUrls"] = json::array();
        return out;
    }

    json add_permission(request_context& ctx, const json& input) {
        auto& q = broker_.get(key_of(ctx, input));
        auto& label = input["Label"].get_ref<const std::string&>();
        bool label_ok = !label.empty() && label.size() <= 80;
        for (char c : label)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) label_ok = false;
        if (!label_ok)
            throw invalid_parameter("Value " + label +
                                    " for parameter Label is invalid. Reason: Must consist of "
                                    "alphanumeric characters, hyphens and underscores, at most 80 of them.");
        if (input["AWSAccountIds"].empty() || input["Actions"].empty())
            throw invalid_parameter("The request must contain at least one account id and one action.");
        auto policy = current_policy(q);
        for (auto& s : policy["Statement"])
            if (s.value("Sid", "") == label)
                throw invalid_parameter("Value " + label + " for parameter Label is invalid. Reason: Already exists.");
        json principals = json::array(), actions = json::array();
        for (auto& a : input["AWSAccountIds"])
            principals.push_back("arn:aws:iam::" + a.get<std::string>() + ":root");
        for (auto& a : input["Actions"])
            actions.push_back("SQS:" + a.get<std::string>());
        policy["Statement"].push_back({{"Sid", label},
                                       {"Effect", "Allow"},
                                       {"Principal", {{"AWS", principals.size() == 1 ? principals[0] : principals}}},
                                       {"Action", actions.size() == 1 ? actions[0] : actions},
                                       {"Resource", q.config.arn()}});
        q.config.attributes["Policy"] = policy.dump();
        broker_.save_config(q);
        return json::object();
    }

    json remove_permission(request_context& ctx, const json& input) {
        auto& q = broker_.get(key_of(ctx, input));
        auto& label = input["Label"].get_ref<const std::string&>();
        auto policy = current_policy(q);
        json kept = json::array();
        bool found = false;
        for (auto& s : policy["Statement"]) {
            if (s.value("Sid", "") == label)
                found = true;
            else
                kept.push_back(s);
        }
        if (!found)
            throw invalid_parameter("Value " + label + " for parameter Label is invalid. Reason: can't find label.");
        if (kept.empty()) {
            q.config.attributes.erase("Policy");
        } else {
            policy["Statement"] = kept;
            q.config.attributes["Policy"] = policy.dump();
        }
        broker_.save_config(q);
        return json::object();
    }

    json start_message_move_task(request_context& ctx, const json& input) {
        auto& source_arn = input["SourceArn"].get_ref<const std::string&>();
        auto* source = broker_.find_by_arn(source_arn);
        if (!source)
            throw aws_error("ResourceNotFoundException",
                            "The resource that you specified for the SourceArn parameter doesn't exist.");
        bool is_dead_letter_queue = false;
        for (auto* q : broker_.list(source->config.account, source->config.region))
            if (q->dead_letter_arn == source_arn) is_dead_letter_queue = true;
        if (!is_dead_letter_queue) throw invalid_parameter("Source queue must be configured as a Dead Letter Queue.");
        queue_state* destination = nullptr;
        if (input.contains("DestinationArn")) {
            destination = broker_.find_by_arn(input["DestinationArn"].get<std::string>());
            if (!destination)
                throw aws_error("ResourceNotFoundException",
                                "The resource that you specified for the DestinationArn parameter doesn't exist.");
        }
        std::optional<std::int64_t> rate;
        if (input.contains("MaxNumberOfMessagesPerSecond")) {
            rate = input["MaxNumberOfMessagesPerSecond"].get<std::int64_t>();
            if (*rate < 1 || *rate > 500)
                throw invalid_parameter("Value " + std::to_string(*rate) +
                                        " for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be "
                                        "between 1 and 500.");
        }
        auto& task = broker_.start_move(*source, destination, rate);
        return {{"TaskHandle", task.handle}};
    }

    json list_message_move_tasks(request_context& ctx, const json& input) {
        auto& source_arn = input["SourceArn"].get_ref<const std::string&>();
        if (!broker_.find_by_arn(source_arn))
            throw aws_error("ResourceNotFoundException",
                            "The resource that you specified for the SourceArn parameter doesn't exist.");
        check_range(input, "MaxResults", 1, 10, "Must be between 1 and 10, if provided.");
        std::size_t max = static_cast<std::size_t>(input.value("MaxResults", 1));
        json results = json::array();
        for (auto* t : broker_.moves_of(source_arn)) {
            if (results.size() >= max) break;
            json r = {{"Status", t->status},
                      {"SourceArn", t->source_arn},
                      {"ApproximateNumberOfMessagesMoved", t->moved},
                      {"ApproximateNumberOfMessagesToMove", t->to_move},
                      {"StartedTimestamp", t->started_ms}};
            if (t->status == "RUNNING") r["TaskHandle"] = t->handle;
            if (!t->destination_arn.empty()) r["DestinationArn"] = t->destination_arn;
            if (t->rate) r["MaxNumberOfMessagesPerSecond"] = *t->rate;
            if (!t->failure_reason.empty()) r["FailureReason"] = t->failure_reason;
            results.push_back(std::move(r));
        }
        return {{"Results", results}};
    }

    json cancel_message_move_task(request_context& ctx, const json& input) {
        auto& handle = input["TaskHandle"].get_ref<const std::string&>();
        std::string decoded;
        json parsed;
        if (base64_decode(handle, decoded)) parsed = json::parse(decoded, nullptr, false);
        if (!parsed.is_object() || !parsed.contains("taskId") || !parsed.contains("sourceArn"))
            throw invalid_parameter("Value for parameter TaskHandle is invalid.");
        auto* task = broker_.find_move(handle);
        if (!task || task->status != "RUNNING") throw aws_error("ResourceNotFoundException", "Task does not exist.");
        task->status = "CANCELLING";
        return {{"ApproximateNumberOfMessagesMoved", task->moved}};
    }

  private:
    broker broker_;
    const eddy::clock& clock_;

    // Takes the entry's strings: a body can be a megabyte. One pass over the members
    // the entry has, rather than a search for each member it might have.
    send_request send_request_of(const request_context& ctx, json e) {
        using namespace std::literals;
        send_request r;
        const json* system_attributes = nullptr;
        for (auto it = e.begin(); it != e.end(); ++it) {
            std::string_view name = it.key();
            auto& v = it.value();
            if (name == "MessageBody"sv)
                r.body = std::move(v.get_ref<std::string&>());
            else if (name == "MessageAttributes"sv)
                r.attributes = std::move(v);
            else if (name == "DelaySeconds"sv)
                r.delay_seconds = v.get<std::int64_t>();
            else if (name == "MessageSystemAttributes"sv)
                system_attributes = &v;
            else if (name == "MessageGroupId"sv)
                r.group_id = std::move(v.get_ref<std::string&>());
            else if (name == "MessageDeduplicationId"sv)
                r.dedup_id = std::move(v.get_ref<std::string&>());
        }
        if (r.body.empty()) throw aws_error("MissingParameter", "The request must contain the parameter MessageBody.");
        if (system_attributes)
            for (auto& [name, v] : system_attributes->items()) {
                if (name != "AWSTraceHeader")
                    throw invalid_parameter("Message system attribute name '" + name + "' is invalid.");
                if (v.value("DataType", "") != "String")
                    throw invalid_parameter("Message system attribute 'AWSTraceHeader' must be of type String.");
                r.trace_header = v.value("StringValue", "");
            }
        r.sender_id = ctx.account;
        return r;
    }

    static json send_output(send_result r, json out) {
        out["MessageId"] = std::move(r.message_id);
        out["MD5OfMessageBody"] = std::move(r.md5_body);
        if (!r.md5_attributes.empty()) out["MD5OfMessageAttributes"] = std::move(r.md5_attributes);
        if (!r.md5_system.empty()) out["MD5OfMessageSystemAttributes"] = std::move(r.md5_system);
        if (!r.sequence_number.empty()) out["SequenceNumber"] = std::move(r.sequence_number);
        return out;
    }

    json received(const message& m, const json& system_names, const json& attribute_names) {
        json out = {{"MessageId", m.id},
                    {"ReceiptHandle", broker_.receipt_handle(m)},
                    {"MD5OfBody", to_hex(m.md5_body.data(), m.md5_body.size())},
                    {"Body", m.body}};
        json attrs = json::object();
        auto put = [&](const char* name, std::string value) {
            if (wants(system_names, name)) attrs[name] = std::move(value);
        };
        put("SenderId", m.sender_id);
        put("SentTimestamp", std::to_string(m.sent_ms));
        put("ApproximateReceiveCount", std::to_string(m.receive_count));
        put("ApproximateFirstReceiveTimestamp", std::to_string(m.first_receive_ms));
        if (!m.trace_header().empty()) put("AWSTraceHeader", m.trace_header());
        if (!m.group_id().empty()) {
            put("MessageGroupId", m.group_id());
            put("MessageDeduplicationId", m.dedup_id());
            put("SequenceNumber", m.sequence_number());
        }
        if (!m.dead_letter_source_arn().empty()) put("DeadLetterQueueSourceArn", m.dead_letter_source_arn());
        if (!attrs.empty()) out["Attributes"] = std::move(attrs);
        json user = json::object();
        for (auto& [name, v] : m.attributes.items())
            if (wants_attribute(attribute_names, name)) user[name] = v;
        if (!user.empty()) {
            out["MD5OfMessageAttributes"] = md5_of_attributes(user);
            out["MessageAttributes"] = std::move(user);
        }
        return out;
    }

    void delete_one(queue_state& q, const std::string& handle) {
        bool current = false;
        auto* m = broker_.by_receipt(q, handle, current);
        if (!m) return;  // already gone: deleting again succeeds
        if (!current && q.config.fifo() && !m->in_flight(clock_.now_ms()))
            throw aws_error("ReceiptHandleIsInvalid", "The receipt handle has expired.");
        broker_.erase(q, m->seq);
    }

    void change_one(queue_state& q, const std::string& handle, const json& input) {
        if (!input.contains("VisibilityTimeout"))
            throw aws_error("MissingParameter", "The request must contain the parameter VisibilityTimeout.");
        check_range(input, "VisibilityTimeout", 0, 43200, "Must be between 0 and 43200, if provided.");
        bool current = false;
        auto* m = broker_.by_receipt(q, handle, current);
        if (!m)
            throw aws_error("MessageNotInflight",
                            "Message does not exist or is not available for visibility timeout change.");
        broker_.change_visibility(q, *m, input["VisibilityTimeout"].get<std::int64_t>());
    }

    json current_policy(queue_state& q) {
        auto it = q.config.attributes.find("Policy");
        json policy;
        if (it != q.config.attributes.end()) policy = json::parse(it->second, nullptr, false);
        if (!policy.is_object()) policy = {{"Version", "2012-10-17"}, {"Id", q.config.arn() + "/SQSDefaultPolicy"}};
        if (!policy.contains("Statement") || !policy["Statement"].is_array()) {
            json existing = policy.value("Statement", json());
            policy["Statement"] = json::array();
            if (existing.is_object()) policy["Statement"].push_back(existing);
        }
        return policy;
    }

    json page(const request_context& ctx, const json& input, std::vector<queue_state*> queues, const char* member) {
        std::sort(queues.begin(), queues.end(), [](auto* a, auto* b) { return a->config.name < b->config.name; });
        std::size_t limit = 1000;
        bool paged = input.contains("MaxResults");
        if (paged) {
            check_range(input, "MaxResults", 1, 1000, "MaxResults must be an integer between 1 and 1000.");
            limit = static_cast<std::size_t>(input["MaxResults"].get<std::int64_t>());
        }
        std::string after;
        if (input.contains("NextToken") && !base64_decode(input["NextToken"].get<std::string>(), after))
            throw invalid_parameter("Invalid NextToken value.");
        json urls = json::array();
        std::size_t shown = 0;
        std::string last;
        bool more = false;
        for (auto* q : queues) {
            if (!after.empty() && q->config.name <= after) continue;
            if (shown == limit) {
                more = true;
                break;
            }
            urls.push_back(queue_url(ctx, q->config));
            last = q->config.name;
            ++shown;
        }
        json out = json::object();
        if (!urls.empty()) out[member] = std::move(urls);
        if (paged && more) out["NextToken"] = base64_encode(last);
        return out;
    }

    void check_dead_letter_target(const std::string& source_arn, const attribute_map& requested, bool fifo) {
        auto it = requested.find("RedrivePolicy");
        if (it == requested.end() || it->second.empty()) return;
        auto policy = json::parse(it->second);
        auto arn = policy["deadLetterTargetArn"].get<std::string>();
        auto* dlq = broker_.find_by_arn(arn);
        if (!dlq)
            throw invalid_parameter("Value " + it->second +
                                    " for parameter RedrivePolicy is invalid. Reason: Dead letter target does not "
                                    "exist.");
        if (dlq->config.fifo() != fifo)
            throw invalid_parameter("Value " + it->second +
                                    " for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same "
                                    "type of queue as the source.");
        // The dead-letter queue's RedriveAllowPolicy says which sources may use it.
        auto allow = dlq->config.attributes.find("RedriveAllowPolicy");
        if (allow == dlq->config.attributes.end()) return;
        auto rule = json::parse(allow->second, nullptr, false);
        std::string permission = rule.is_object() ? rule.value("redrivePermission", "allowAll") : "allowAll";
        bool allowed = permission == "allowAll";
        if (permission == "byQueue")
            for (auto& source : rule.value("sourceQueueArns", json::array()))
                if (source == source_arn) allowed = true;
        if (!allowed)
            throw invalid_parameter("Value " + it->second +
                                    " for parameter RedrivePolicy is invalid. Reason: The "
                                    "dead-letter queue's RedriveAllowPolicy does not allow " +
                                    source_arn + " to use it.");
    }

    static void check_tags(const attribute_map& tags, const std::string& queue_name) {
        if (tags.size() > max_tags) throw invalid_parameter("Too many tags added for queue " + queue_name + ".");
        for (auto& [k, v] : tags) {
            if (k.empty() || k.size() > 128)
                throw invalid_parameter("Tag keys must be between 1 and 128 characters in length.");
            if (v.size() > 256) throw invalid_parameter("Tag values must be between 0 and 256 characters in length.");
        }
    }

    // Setting RedrivePolicy or Policy to "" removes it, as on AWS; a redrive policy is
    // kept as AWS returns it, with maxReceiveCount a number even when it was sent as a string.
    static void drop_empty_policies(attribute_map& attributes) {
        for (auto name : {"Policy", "RedrivePolicy", "RedriveAllowPolicy"})
            if (auto it = attributes.find(name); it != attributes.end() && it->second.empty()) attributes.erase(it);
        if (auto it = attributes.find("RedrivePolicy"); it != attributes.end()) {
            auto policy = json::parse(it->second);
            auto& count = policy["maxReceiveCount"];
            if (count.is_string()) count = std::stoll(count.get<std::string>());
            it->second =
                json{{"deadLetterTargetArn", policy["deadLetterTargetArn"]}, {"maxReceiveCount", count}}.dump();
        }
    }
};

// Clients of the query era may address a queue by posting to its URL instead of naming it.
void queue_url_from_path(const request_context& ctx, json& input) {
    if (input.contains("QueueUrl") || ctx.path.size() < 2) return;
    std::string account, name;
    if (parse_queue_url(ctx.path, account, name))
        input["QueueUrl"] = "http://" + (ctx.host.empty() ? std::string("localhost") : ctx.host) + ctx.path;
}

}  // namespace

void register_handlers(service_env& env) {
    auto svc = std::make_shared<service>(env.db, env.clock, env.executor);
    auto add = [&](const char* op, json (service::*fn)(request_context&, const json&)) {
        env.calls.add("sqs", op,
                      sync_handler([svc, fn](request_context& ctx, const json& in) { return ((*svc).*fn)(ctx, in); }));
    };
    add("CreateQueue", &service::create_queue);
    add("GetQueueUrl", &service::get_queue_url);
    add("ListQueues", &service::list_queues);
    add("DeleteQueue", &service::delete_queue);
    add("GetQueueAttributes", &service::get_queue_attributes);
    add("SetQueueAttributes", &service::set_queue_attributes);
    add("TagQueue", &service::tag_queue);
    add("UntagQueue", &service::untag_queue);
    add("ListQueueTags", &service::list_queue_tags);
    env.calls.add("sqs", "SendMessage",
                  sync_handler([svc](request_context& ctx, json in) { return svc->send_message(ctx, std::move(in)); }));
    add("SendMessageBatch", &service::send_message_batch);
    add("DeleteMessage", &service::delete_message);
    add("DeleteMessageBatch", &service::delete_message_batch);
    add("ChangeMessageVisibility", &service::change_message_visibility);
    add("ChangeMessageVisibilityBatch", &service::change_message_visibility_batch);
    add("PurgeQueue", &service::purge_queue);
    add("ListDeadLetterSourceQueues", &service::list_dead_letter_source_queues);
    add("AddPermission", &service::add_permission);
    add("RemovePermission", &service::remove_permission);
    add("StartMessageMoveTask", &service::start_message_move_task);
    add("ListMessageMoveTasks", &service::list_message_move_tasks);
    add("CancelMessageMoveTask", &service::cancel_message_move_task);
    env.calls.add("sqs", "ReceiveMessage",
                  [svc](request_context& ctx, json input) { return svc->receive_message(ctx, std::move(input)); });
    env.calls.set_input_hook("sqs", queue_url_from_path);
    env.on_stop([svc] { svc->domain().stop(); });
}

}  // namespace eddy::sqs
