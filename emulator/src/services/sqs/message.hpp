#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace eddy::sqs {

using json = nlohmann::json;

// One message in a queue, as the broker keeps it in memory and the store on disk.
struct message {
    std::int64_t seq = 0;  // arrival order within the queue
    std::string id;
    std::string body;
    json attributes;           // MessageAttributes {name: {DataType, StringValue | BinaryValue}}; null when none
    std::string trace_header;  // the AWSTraceHeader system attribute
    std::array<std::uint8_t, 16> md5_body{};  // raw digest: half the size of its hex, and no allocation
    std::string sender_id;
    std::int64_t sent_ms = 0;
    std::int64_t visible_at_ms = 0;  // end of the delay or of the current visibility timeout
    std::int32_t receive_count = 0;
    std::int64_t first_receive_ms = 0;
    std::string nonce;  // changes with every receive; part of the receipt handle
    std::string group_id, dedup_id, sequence_number;
    std::string dead_letter_source_arn;  // set when the message was moved to a dead-letter queue

    bool in_flight(std::int64_t now_ms) const { return receive_count > 0 && visible_at_ms > now_ms; }
    bool delayed(std::int64_t now_ms) const { return receive_count == 0 && visible_at_ms > now_ms; }
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
