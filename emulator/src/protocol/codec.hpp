#pragma once

#include "core/aws_error.hpp"
#include "protocol/model.hpp"
#include "protocol/wire.hpp"

#include <string>
#include <vector>

namespace eddy::protocol {

// One operation of one service, as a request names it, with the model and the
// wire protocol it arrived in (an SQS request may be json or query).
struct operation_ref {
    const service_info* service = nullptr;
    const service_model* model = nullptr;
    std::string protocol;
    std::string name;
    const json* op = nullptr;
    std::vector<std::pair<std::string, std::string>> labels;  // REST URI labels, still encoded
};

// Wire request -> neutral input (members named as in the model; blobs as
// json::binary; timestamps as epoch seconds). Throws aws_error on input the
// protocol cannot read.
json decode_request(const operation_ref& op, const wire_request& request);

// The member of an operation's input (or output) that is a streamed payload (S3's
// object Body), or "": decode_request leaves it out of the input, and the service
// reads it from the request itself, so a large body is never copied into JSON.
std::string streaming_payload(const operation_ref& op, bool input);

// Checks required members, enums, lengths and ranges; throws the error the
// service would return, naming every violation.
void validate_input(const operation_ref& op, const json& input);

// Neutral output -> wire response for the operation's protocol. Members not in
// the output shape are not sent.
void encode_output(const operation_ref& op, const json& output, const std::string& request_id, wire_response& response);

// An error in the protocol's shape; `model` may be null when the request never
// got as far as naming a service.
void encode_error(const service_info* service, const service_model* model, std::string_view protocol,
                  const aws_error& error, const std::string& request_id, wire_response& response);

}  // namespace eddy::protocol
