#pragma once

#include "protocol/wire.hpp"

#include <string>

namespace eddy::protocol {

// What a SigV4 credential scope says of a request. Signatures are read, not
// verified: eddy is an emulator and accepts any credentials.
struct credential_scope {
    std::string access_key;
    std::string date;
    std::string region;
    std::string service;
};

// From the Authorization header, or a presigned URL's X-Amz-Credential. False when neither is there.
bool parse_credential_scope(const wire_request& request, credential_scope& out);

}  // namespace eddy::protocol
