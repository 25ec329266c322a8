#pragma once

#include <stdexcept>
#include <string>

namespace eddy {

// An error as AWS sends it: the code a client matches on, a message, the HTTP
// status, and whether the caller (sender) or the service (receiver) is at fault.
// Handlers throw it to end an operation; codecs serialize it per protocol.
struct aws_error : std::runtime_error {
    std::string code;
    int status;
    bool sender_fault;

    aws_error(std::string code_, std::string message, int status_ = 400, bool sender = true)
        : std::runtime_error(std::move(message)), code(std::move(code_)), status(status_), sender_fault(sender) {}

    std::string message() const { return what(); }
};

inline aws_error internal_failure(std::string message) {
    return aws_error("InternalFailure", std::move(message), 500, false);
}

}  // namespace eddy
