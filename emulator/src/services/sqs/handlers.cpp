// SQS operations: translate the neutral input to the queue domain and back.
#include "core/aws_error.hpp"
#include "core/encoding.hpp"
#include "services/registry.hpp"
#include "services/sqs/store.hpp"

#include <memory>

namespace eddy::sqs {

namespace {

constexpr std::size_t max_tags = 50;

aws_error no_such_queue() {
    return aws_error("QueueDoesNotExist", "The specified queue does not exist.");
}

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

class service {
  public:
    explicit service(storage::database& db) : store_(db) {}

    queue lookup(const request_context& ctx, const json& input) {
        std::string account, name;
        auto& url = input.at("QueueUrl").get_ref<const std::string&>();
        if (!parse_queue_url(url, account, name)) throw no_such_queue();
        auto q = store_.find(account, ctx.region, name);
        if (!q) throw no_such_queue();
        return std::move(*q);
    }

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
        check_tags(tags, name);

        if (auto existing = store_.find(ctx.account, ctx.region, name)) {
            for (auto& [k, v] : requested) {
                auto it = existing->attributes.find(k);
                std::string current = it == existing->attributes.end() ? "" : it->second;
                if (current != v)
                    throw aws_error(
                        "QueueNameExists",
                        "A queue already exists with the same name and a different value for attribute " + k);
            }
            return {{"QueueUrl", queue_url(ctx, *existing)}};
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
        store_.insert(q);
        return {{"QueueUrl", queue_url(ctx, q)}};
    }

    json get_queue_url(request_context& ctx, const json& input) {
        std::string account = input.value("QueueOwnerAWSAccountId", ctx.account);
        auto q = store_.find(account, ctx.region, input["QueueName"].get<std::string>());
        if (!q) throw no_such_queue();
        return {{"QueueUrl", queue_url(ctx, *q)}};
    }

    json list_queues(request_context& ctx, const json& input) {
        std::string prefix = input.value("QueueNamePrefix", "");
        std::size_t limit = 1000;
        bool paged = input.contains("MaxResults");
        if (paged) {
            auto n = input["MaxResults"].get<std::int64_t>();
            if (n < 1 || n > 1000)
                throw invalid_parameter("Value " + std::to_string(n) +
                                        " for parameter MaxResults is invalid. Reason: MaxResults must be an integer "
                                        "between 1 and 1000.");
            limit = static_cast<std::size_t>(n);
        }
        std::string after;
        if (input.contains("NextToken") && !base64_decode(input["NextToken"].get<std::string>(), after))
            throw invalid_parameter("Invalid NextToken value.");
        auto queues = store_.list(ctx.account, ctx.region, prefix, after, limit + 1);
        json out = json::object();
        json urls = json::array();
        for (std::size_t i = 0; i < queues.size() && i < limit; ++i)
            urls.push_back(queue_url(ctx, queues[i]));
        if (!urls.empty()) out["QueueUrls"] = std::move(urls);
        if (paged && queues.size() > limit) out["NextToken"] = base64_encode(queues[limit - 1].name);
        return out;
    }

    json delete_queue(request_context& ctx, const json& input) {
        auto q = lookup(ctx, input);
        store_.remove(q.account, q.region, q.name);
        return json::object();
    }

    json get_queue_attributes(request_context& ctx, const json& input) {
        auto q = lookup(ctx, input);
        json names = input.value("AttributeNames", json::array());
        bool all = false;
        for (auto& n : names) {
            auto& s = n.get_ref<const std::string&>();
            if (s == "All")
                all = true;
            else if (!is_known_attribute(s))
                throw aws_error("InvalidAttributeName", "Unknown Attribute " + s + ".");
        }
        attribute_map current = q.attributes;
        current["QueueArn"] = q.arn();
        current["CreatedTimestamp"] = std::to_string(q.created_ms / 1000);
        current["LastModifiedTimestamp"] = std::to_string(q.modified_ms / 1000);
        // No message operations yet: a queue holds no messages until SendMessage exists.
        current["ApproximateNumberOfMessages"] = "0";
        current["ApproximateNumberOfMessagesNotVisible"] = "0";
        current["ApproximateNumberOfMessagesDelayed"] = "0";
        json attributes = json::object();
        for (auto& [k, v] : current) {
            bool wanted = all;
            for (auto& n : names)
                if (n == k) wanted = true;
            if (wanted) attributes[k] = v;
        }
        json out = json::object();
        if (!attributes.empty()) out["Attributes"] = std::move(attributes);
        return out;
    }

    json set_queue_attributes(request_context& ctx, const json& input) {
        auto q = lookup(ctx, input);
        auto requested = string_map(input, "Attributes");
        check_attributes(requested, q.fifo(), false);
        for (auto& [k, v] : requested)
            q.attributes[k] = v;
        drop_empty_policies(q.attributes);
        q.modified_ms = ctx.clock->now_ms();
        store_.update(q);
        return json::object();
    }

    json tag_queue(request_context& ctx, const json& input) {
        auto q = lookup(ctx, input);
        auto tags = string_map(input, "Tags");
        attribute_map merged = q.tags;
        for (auto& [k, v] : tags)
            merged[k] = v;
        check_tags(merged, q.name);
        q.tags = std::move(merged);
        store_.update(q);
        return json::object();
    }

    json untag_queue(request_context& ctx, const json& input) {
        auto q = lookup(ctx, input);
        for (auto& key : input["TagKeys"])
            q.tags.erase(key.get<std::string>());
        store_.update(q);
        return json::object();
    }

    json list_queue_tags(request_context& ctx, const json& input) {
        auto q = lookup(ctx, input);
        json out = json::object();
        if (!q.tags.empty()) out["Tags"] = q.tags;
        return out;
    }

  private:
    store store_;

    static void check_tags(const attribute_map& tags, const std::string& queue_name) {
        if (tags.size() > max_tags) throw invalid_parameter("Too many tags added for queue " + queue_name + ".");
        for (auto& [k, v] : tags) {
            if (k.empty() || k.size() > 128)
                throw invalid_parameter("Tag keys must be between 1 and 128 characters in length.");
            if (v.size() > 256) throw invalid_parameter("Tag values must be between 0 and 256 characters in length.");
        }
    }

    // Setting RedrivePolicy or Policy to "" removes it, as on AWS.
    static void drop_empty_policies(attribute_map& attributes) {
        for (auto name : {"Policy", "RedrivePolicy", "RedriveAllowPolicy"})
            if (auto it = attributes.find(name); it != attributes.end() && it->second.empty()) attributes.erase(it);
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
    auto svc = std::make_shared<service>(env.db);
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
    env.calls.set_input_hook("sqs", queue_url_from_path);
}

}  // namespace eddy::sqs
