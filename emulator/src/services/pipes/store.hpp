#pragma once

#include "storage/sqlite.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace eddy::pipes {

using json = nlohmann::json;

// A pipe as its API describes it. `spec` holds the members a user set (Description,
// Source, SourceParameters, Enrichment, EnrichmentParameters, Target, TargetParameters,
// RoleArn, LogConfiguration, KmsKeyIdentifier) as they came in.
struct pipe {
    std::string account, region, name, arn;
    json spec = json::object();
    std::string desired = "RUNNING";
    std::string current = "CREATING";
    std::string reason;  // StateReason: why the pipe is in a *_FAILED state
    std::int64_t created_ms = 0, modified_ms = 0;
    std::map<std::string, std::string> tags;
};

// Where a pipe has read a Kinesis shard to: the last sequence number its target took,
// and whether the shard was read to its end (its children may then be read).
struct shard_checkpoint {
    std::string sequence_number;
    bool ended = false;
};

// The pipes and their stream checkpoints in SQLite (in memory when eddy is ephemeral),
// written through on every change so a restarted eddy finds them as they were. Lives as
// long as the server; used from the event loop thread only.
class store {
  public:
    explicit store(storage::database& db);

    void put(const pipe& p);
    void remove(const std::string& arn);
    std::vector<pipe> load_all();

    std::map<std::string, shard_checkpoint> checkpoints(const std::string& pipe_arn);
    void save_checkpoint(const std::string& pipe_arn, const std::string& shard_id, const shard_checkpoint& c);

  private:
    storage::database& db_;
};

}  // namespace eddy::pipes
