#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eddy::kinesis {

// A record's sequence number. On the wire it is a 56-digit decimal string, as
// AWS's are; eddy lays the digits out as
//   "49" | shard created, epoch seconds (10) | shard index (10) | counter (21) | arrival, epoch ms (13)
// so numbers increase strictly within a shard (the counter does), a child
// shard's numbers all exceed its parents', and a number tells which shard it
// was issued by. The counter alone orders records inside a shard.
struct sequence {
    std::int64_t shard_created_s = 0;
    std::int64_t shard_index = 0;
    std::uint64_t counter = 0;
    std::int64_t arrival_ms = 0;

    std::string str() const;
    // Any string of eddy's layout; nullopt for anything else.
    static std::optional<sequence> parse(std::string_view text);
};

}  // namespace eddy::kinesis
