#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace eddy {

// An error as AWS sends it: the code a client matches on, a message, the HTTP
// status, and whether the caller (sender) or the service (receiver) is at fault.
// Handlers throw it to end an operation; codecs serialize it per protocol.
struct aws_error : std::runtime_error {
    std::string code;
    int status;
    bool sender_fault;
    // More elements of an XML error body, in order (S3's Key, BucketName, Condition, ...).
    std::vector<std::pair<std::string, std::string>> fields;

    aws_error(std::string code_, std::string message, int status_ = 400, bool sender = true)
        : std::runtime_error(std::move(message)), code(std::move(code_)), status(status_), sender_fault(sender) {}

    std::string message() const { return what(); }
    aws_error& with(std::string name, std::string value) {
        fields.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

inline aws_error internal_failure(std::string message) {
    return aws_error("InternalFailure", std::move(message), 500, false);
}

}  // namespace eddy
