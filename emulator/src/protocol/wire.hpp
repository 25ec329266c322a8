#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eddy::protocol {

// An HTTP request as the protocol layer sees it: no Beast types, so codecs and
// the router are plain functions that tests can call with hand-made requests.
struct wire_request {
    std::string method;
    std::string path;                                          // the request target before '?', still percent-encoded
    std::string query;                                         // the raw query string after '?', without it
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
    std::string body;
    // A body too large to hold, received into this file instead of `body` (an S3 upload
    // when eddy is durable); whoever keeps it renames it away, else it is deleted.
    std::string body_file;

    std::string_view header(std::string_view lower_name) const {
        for (auto& [k, v] : headers)
            if (k == lower_name) return v;
        return {};
    }
    bool has_header(std::string_view lower_name) const {
        for (auto& [k, v] : headers)
            if (k == lower_name) return true;
        return false;
    }
};

// A payload too big to pass through a JSON value (an S3 object): bytes shared in
// memory, or a region of a file, written to the socket as they are.
struct body_source {
    std::shared_ptr<const std::string> memory;  // when set, the bytes [offset, offset + length)
    std::string file;                           // otherwise this file's bytes [offset, offset + length)
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

struct wire_response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::shared_ptr<const body_source> stream;  // when set, the body sent instead of `body`

    void set_header(std::string name, std::string value) {
        for (auto& [k, v] : headers)
            if (k == name) {
                v = std::move(value);
                return;
            }
        headers.emplace_back(std::move(name), std::move(value));
    }
};

}  // namespace eddy::protocol
