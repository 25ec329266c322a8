#include "services/sqs/queue.hpp"

#include "core/aws_error.hpp"
#include "core/ids.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace eddy::sqs {

namespace {

struct int_rule {
    std::string_view name;
    std::int64_t min, max;
};

// Ranges from the SetQueueAttributes reference. MaximumMessageSize allows 1 MiB since 2025.
constexpr int_rule int_rules[] = {
    {"DelaySeconds", 0, 900},
    {"MaximumMessageSize", 1024, 1048576},
    {"MessageRetentionPeriod", 60, 1209600},
    {"ReceiveMessageWaitTimeSeconds", 0, 20},
    {"VisibilityTimeout", 0, 43200},
    {"KmsDataKeyReusePeriodSeconds", 60, 86400},
};

constexpr std::string_view settable[] = {
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "Policy",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
};

constexpr std::string_view read_only[] = {
    "All",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
};

constexpr std::string_view fifo_only[] = {"ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"};

bool valid_name_chars(std::string_view s) {
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

aws_error invalid_value(std::string_view name) {
    return aws_error("InvalidAttributeValue", "Invalid value for the parameter " + std::string(name) + ".");
}

aws_error invalid_value(std::string_view name, std::string_view value, std::string_view reason) {
    return aws_error("InvalidAttributeValue", "Value " + std::string(value) + " for parameter " + std::string(name) +
                                                  " is invalid. Reason: " + std::string(reason));
}

bool is_bool(std::string_view v) {
    return v == "true" || v == "false";
}

void check_redrive_policy(std::string_view value) {
    if (value.empty()) return;  // an empty policy removes it
    auto policy = nlohmann::json::parse(value, nullptr, false);
    if (policy.is_discarded() || !policy.is_object()) throw invalid_value("RedrivePolicy", value, "Invalid JSON.");
    auto target = policy.find("deadLetterTargetArn");
    auto count = policy.find("maxReceiveCount");
    if (target == policy.end() || count == policy.end())
        throw invalid_value("RedrivePolicy", value,
                            "Redrive policy does not contain mandatory attribute: " +
                                std::string(target == policy.end() ? "deadLetterTargetArn" : "maxReceiveCount") + ".");
    std::int64_t n = 0;
    if (count->is_number_integer()) {
        n = count->get<std::int64_t>();
    } else if (count->is_string()) {
        auto& s = count->get_ref<const std::string&>();
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec != std::errc() || p != s.data() + s.size()) n = 0;
    }
    if (n < 1 || n > 1000)
        throw invalid_value("RedrivePolicy", value,
                            "Invalid value for maxReceiveCount: " + count->dump() +
                                ", valid values are from 1 to 1000 both inclusive.");
    arn_parts arn;
    if (!target->is_string() || !parse_arn(target->get<std::string>(), arn) || arn.service != "sqs")
        throw invalid_value("RedrivePolicy", value, "Invalid value for deadLetterTargetArn.");
}

void check_redrive_allow_policy(std::string_view value) {
    if (value.empty()) return;
    auto policy = nlohmann::json::parse(value, nullptr, false);
    if (policy.is_discarded() || !policy.is_object() || !policy.contains("redrivePermission"))
        throw invalid_value("RedriveAllowPolicy", value,
                            "Amazon SQS can't create the redrive allow policy, as it's in an unsupported format.");
    auto permission = policy["redrivePermission"];
    if (permission != "allowAll" && permission != "denyAll" && permission != "byQueue")
        throw invalid_value("RedriveAllowPolicy", value,
                            "Amazon SQS can't create the redrive allow policy, as it's in an unsupported format.");
    auto sources = policy.find("sourceQueueArns");
    if (permission == "byQueue") {
        if (sources == policy.end() || !sources->is_array() || sources->empty() || sources->size() > 10)
            throw invalid_value("RedriveAllowPolicy", value,
                                "Amazon SQS can't create the redrive allow policy. When you specify the byQueue "
                                "permission type, you must also specify one or more sourceQueueArns values.");
    } else if (sources != policy.end()) {
        throw invalid_value("RedriveAllowPolicy", value,
                            "Amazon SQS can't create the redrive allow policy. To specify one or more source queues, "
                            "you must set redrivePermission to byQueue.");
    }
}

}  // namespace

bool queue::fifo() const {
    auto it = attributes.find("FifoQueue");
    return it != attributes.end() && it->second == "true";
}

std::string queue::arn() const {
    return make_arn("sqs", region, account, name);
}

std::optional<std::string> check_queue_name(std::string_view name, bool fifo) {
    if (fifo) {
        constexpr std::string_view suffix = ".fifo";
        bool ok = name.size() > suffix.size() && name.size() <= 80 && name.ends_with(suffix) &&
                  valid_name_chars(name.substr(0, name.size() - suffix.size()));
        if (!ok)
            return "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
                   "must end with .fifo suffix and be 1 to 80 in length.";
        return std::nullopt;
    }
    if (name.empty() || name.size() > 80 || !valid_name_chars(name))
        return "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length";
    return std::nullopt;
}

attribute_map default_attributes(bool fifo) {
    attribute_map a = {
        {"DelaySeconds", "0"},
        {"MaximumMessageSize", "1048576"},
        {"MessageRetentionPeriod", "345600"},
        {"ReceiveMessageWaitTimeSeconds", "0"},
        {"VisibilityTimeout", "30"},
        {"SqsManagedSseEnabled", "true"},
    };
    if (fifo) {
        a["FifoQueue"] = "true";
        a["ContentBasedDeduplication"] = "false";
        a["DeduplicationScope"] = "queue";
        a["FifoThroughputLimit"] = "perQueue";
    }
    return a;
}

bool is_known_attribute(std::string_view name) {
    for (auto s : settable)
        if (s == name) return true;
    return is_read_only_attribute(name);
}

bool is_read_only_attribute(std::string_view name) {
    for (auto s : read_only)
        if (s == name) return true;
    return false;
}

void check_attributes(const attribute_map& requested, bool fifo, bool creating) {
    for (auto& [name, value] : requested) {
        bool known = false;
        for (auto s : settable)
            if (s == name) known = true;
        if (!known || (name == "FifoQueue" && !creating))
            throw aws_error("InvalidAttributeName", "Unknown Attribute " + name + ".");
        for (auto f : fifo_only)
            if (f == name && !fifo) throw aws_error("InvalidAttributeName", "Unknown Attribute " + name + ".");
        bool ranged = false;
        for (auto& rule : int_rules) {
            if (rule.name != name) continue;
            ranged = true;
            std::int64_t v;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
            if (ec != std::errc() || p != value.data() + value.size() || v < rule.min || v > rule.max)
                throw invalid_value(name);
        }
        if (ranged) continue;
        if (name == "FifoQueue" || name == "ContentBasedDeduplication" || name == "SqsManagedSseEnabled") {
            if (!is_bool(value)) throw invalid_value(name);
        } else if (name == "DeduplicationScope") {
            if (value != "messageGroup" && value != "queue") throw invalid_value(name);
        } else if (name == "FifoThroughputLimit") {
            if (value != "perQueue" && value != "perMessageGroupId") throw invalid_value(name);
        } else if (name == "Policy") {
            if (!value.empty()) {
                auto doc = nlohmann::json::parse(value, nullptr, false);
                if (doc.is_discarded() || !doc.is_object()) throw invalid_value(name);
            }
        } else if (name == "RedrivePolicy") {
            check_redrive_policy(value);
        } else if (name == "RedriveAllowPolicy") {
            check_redrive_allow_policy(value);
        }
    }
    auto scope = requested.find("DeduplicationScope");
    auto limit = requested.find("FifoThroughputLimit");
    if (scope != requested.end() && limit != requested.end() && scope->second == "queue" &&
        limit->second == "perMessageGroupId")
        throw aws_error("InvalidAttributeValue",
                        "The perMessageGroupId value is allowed only when the value for DeduplicationScope is "
                        "messageGroup");
}

bool parse_queue_url(std::string_view url, std::string& account, std::string& name) {
    auto scheme = url.find("://");
    if (scheme != std::string_view::npos) {
        url.remove_prefix(scheme + 3);
        auto slash = url.find('/');
        if (slash == std::string_view::npos) return false;
        url.remove_prefix(slash);
    }
    auto q = url.find('?');
    if (q != std::string_view::npos) url = url.substr(0, q);
    while (!url.empty() && url.back() == '/')
        url.remove_suffix(1);
    auto last = url.rfind('/');
    if (last == std::string_view::npos || last == 0) return false;
    auto prev = url.rfind('/', last - 1);
    if (prev == std::string_view::npos) return false;
    account = std::string(url.substr(prev + 1, last - prev - 1));
    name = std::string(url.substr(last + 1));
    return !account.empty() && !name.empty();
}

}  // namespace eddy::sqs
