#pragma once

#include "core/ids.hpp"
#include "services/dispatcher.hpp"

#include <string>

namespace eddy::pipes {

// A member object of a pipe's definition (SourceParameters, its SqsQueueParameters, ...),
// or an empty object when the pipe has none.
inline const json& member(const json& j, const char* name) {
    static const json none = json::object();
    auto it = j.find(name);
    return it == j.end() || !it->is_object() ? none : *it;
}

// `ctx` in the account and region of the resource `arn` names, where it names them.
inline request_context in_scope_of(request_context ctx, const std::string& arn) {
    arn_parts parts;
    if (parse_arn(arn, parts)) {
        if (!parts.account.empty()) ctx.account = parts.account;
        if (!parts.region.empty()) ctx.region = parts.region;
    }
    return ctx;
}

}  // namespace eddy::pipes
