#pragma once

#include "storage/sqlite.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace eddy::ecs {

using json = nlohmann::json;

// ECS's durable state as the documents DescribeClusters, DescribeTaskDefinition and
// DescribeTasks answer with (plus eddy's own bookkeeping members prefixed "_eddy"),
// one row per resource keyed by its ARN. The service keeps them in memory and writes
// each change through; at start it reads them all back. Event-loop thread only.
class store {
  public:
    explicit store(storage::database& db);

    // kind: "cluster", "task-definition" or "task".
    void put(std::string_view kind, std::string_view arn, const json& document);
    void remove(std::string_view kind, std::string_view arn);
    void each(std::string_view kind, const std::function<void(json&)>& fn);

  private:
    storage::database& db_;
    storage::statement put_, remove_, all_;
};

}  // namespace eddy::ecs
