#pragma once

#include "core/aws_error.hpp"
#include "protocol/codec.hpp"
#include "protocol/sigv4.hpp"

#include <optional>

namespace eddy::protocol {

// Where a request goes: the service and operation, or, when it names none
// that exists, the error to send in whatever protocol could be made out.
struct route {
    operation_ref op;  // op.op is null when routing failed
    std::optional<aws_error> error;
    credential_scope scope;  // empty fields when the request carried none
};

// Finds service and operation from X-Amz-Target, the query Action, the SigV4
// scope and the REST method and path. Host names (and prefixes such as
// "sync-" or "data-") play no part.
route route_request(const wire_request& request);

// The S3 bucket a request names: from a virtual-hosted Host, else the path's first
// segment (decoded); "" when neither names one.
std::string s3_bucket_of(const wire_request& request);

// Only what the headers tell: used when a request must be refused before its body is read.
route route_from_headers(const wire_request& request);

}  // namespace eddy::protocol
