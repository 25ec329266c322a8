#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace eddy {

inline constexpr std::string_view default_account = "000000000000";
inline constexpr std::string_view default_region = "us-east-1";

// A random RFC 4122 version-4 UUID, lower-case, as AWS request ids look.
std::string new_uuid();

// arn:aws:<service>:<region>:<account>:<resource>
std::string make_arn(std::string_view service, std::string_view region, std::string_view account,
                     std::string_view resource);

// Who eddy's callers are: the account's root user (STS GetCallerIdentity says so, and
// services record it where AWS records the caller, such as SSM's LastModifiedUser).
std::string root_user_arn(std::string_view account);

struct arn_parts {
    std::string partition, service, region, account, resource;
};
// Returns false when `arn` is not of the arn:partition:service:region:account:resource form.
bool parse_arn(std::string_view arn, arn_parts& out);

bool is_valid_region(std::string_view region);

// ISO 8601 with milliseconds, UTC, as AWS writes timestamps in XML ("2026-11-27T21:30:00.000Z").
std::string format_iso8601(std::int64_t epoch_ms);
// RFC 822 / RFC 7231 date ("Fri, 27 Nov 2026 21:30:00 GMT"), as HTTP headers carry it.
std::string format_rfc822(std::int64_t epoch_ms);
// Parses ISO 8601 ("2026-11-27T21:30:00Z", fractions and offsets allowed). False on bad input.
bool parse_iso8601(std::string_view text, std::int64_t& epoch_ms);
bool parse_rfc822(std::string_view text, std::int64_t& epoch_ms);

}  // namespace eddy
