#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace eddy::sqs {

using json = nlohmann::json;

// The system attributes few messages carry, kept apart so that a plain message stays small.
struct message_extras {
    std::string trace_header;                         // the AWSTraceHeader system attribute
    std::string group_id, dedup_id, sequence_number;  // FIFO queues
    std::string dead_letter_source_arn;               // set when the message was moved to a dead-letter queue
};

// A message_extras on the heap, made on first write, copied with the message that holds it.
class boxed_extras {
  public:
    boxed_extras() = default;
    boxed_extras(const boxed_extras& other) : p_(other.p_ ? std::make_unique<message_extras>(*other.p_) : nullptr) {}
    boxed_extras& operator=(const boxed_extras& other) {
        if (this != &other) p_ = other.p_ ? std::make_unique<message_extras>(*other.p_) : nullptr;
        return *this;
    }
    boxed_extras(boxed_extras&&) noexcept = default;
    boxed_extras& operator=(boxed_extras&&) noexcept = default;

    const message_extras* get() const { return p_.get(); }
    message_extras& write() {
        if (!p_) p_ = std::make_unique<message_extras>();
        return *p_;
    }

  private:
    std::unique_ptr<message_extras> p_;
};

// One message in a queue, as the broker keeps it in memory and the store on disk.
struct message {
    std::int64_t seq = 0;  // arrival order within the queue
    std::string id;
    std::string body;
    json attributes;  // MessageAttributes {name: {DataType, StringValue | BinaryValue}}; null when none
    std::array<std::uint8_t, 16> md5_body{};  // raw digest: half the size of its hex, and no allocation
    std::string sender_id;
    std::int64_t sent_ms = 0;
    std::int64_t visible_at_ms = 0;  // end of the delay or of the current visibility timeout
    std::int32_t receive_count = 0;
    std::int64_t first_receive_ms = 0;
    std::string nonce;    // changes with every receive; part of the receipt handle
    boxed_extras extras;  // write through extras.write(); read through the accessors below

    // Empty when the message has none.
    const std::string& trace_header() const { return extra(&message_extras::trace_header); }
    const std::string& group_id() const { return extra(&message_extras::group_id); }
    const std::string& dedup_id() const { return extra(&message_extras::dedup_id); }
    const std::string& sequence_number() const { return extra(&message_extras::sequence_number); }
    const std::string& dead_letter_source_arn() const { return extra(&message_extras::dead_letter_source_arn); }

    bool in_flight(std::int64_t now_ms) const { return receive_count > 0 && visible_at_ms > now_ms; }
    bool delayed(std::int64_t now_ms) const { return receive_count == 0 && visible_at_ms > now_ms; }

  private:
    const std::string& extra(std::string message_extras::*field) const {
        static const std::string none;
        auto* x = extras.get();
        return x ? x->*field : none;
    }
};

// MD5OfMessageAttributes as AWS computes it: attributes sorted by name, each as
// length-prefixed name, data type, a transport byte (1 string, 2 binary) and value.
std::string md5_of_attributes(const json& attributes);
// MD5OfMessageSystemAttributes of the AWSTraceHeader.
std::string md5_of_trace_header(std::string_view trace_header);

// The size SQS counts against MaximumMessageSize: body plus each attribute's name, type and value.
std::size_t message_size(std::string_view body, const json& attributes);

// True when every character is one SQS accepts: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF.
bool valid_body_characters(std::string_view body);

// Throws InvalidParameterValue (as SQS words it) for a malformed attribute map.
void check_message_attributes(const json& attributes);

}  // namespace eddy::sqs
