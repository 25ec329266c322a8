#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace eddy::sqs {

using attribute_map = std::map<std::string, std::string, std::less<>>;  // finds by string_view too

// A queue's identity and settings. Plain data: the store persists it, the
// handlers translate it to and from the wire.
struct queue {
    std::string account;
    std::string region;
    std::string name;
    attribute_map attributes;  // the settable attributes, defaults filled in
    attribute_map tags;
    std::int64_t created_ms = 0;
    std::int64_t modified_ms = 0;

    bool fifo() const;
    std::string arn() const;
};

// The error AWS gives for an invalid name, or nothing when `name` is valid
// for a queue of that kind.
std::optional<std::string> check_queue_name(std::string_view name, bool fifo);

// Defaults of the settable attributes for a standard or FIFO queue.
attribute_map default_attributes(bool fifo);

// Checks `requested` attribute names and values, throwing InvalidAttributeName
// or InvalidAttributeValue as SQS does; `creating` allows FifoQueue.
void check_attributes(const attribute_map& requested, bool fifo, bool creating);

// Every attribute name GetQueueAttributes knows, in AWS's order.
bool is_known_attribute(std::string_view name);
bool is_read_only_attribute(std::string_view name);

// A queue URL's account and name (its last two path segments). False if it has none.
bool parse_queue_url(std::string_view url, std::string& account, std::string& name);

}  // namespace eddy::sqs
