#pragma once

#include "protocol/model.hpp"

namespace eddy::stepfunctions {

// Step Functions writes every SDK parameter in PascalCase and hands results back in PascalCase,
// whatever the service's own spelling (ECS's `cluster`, `taskDefinition`). These rename the
// members of structures along the operation's shapes; map keys and values stay as they are.
protocol::json to_model_names(const protocol::service_model& model, const protocol::json& shape,
                              const protocol::json& value);
protocol::json to_sdk_names(const protocol::service_model& model, const protocol::json& shape,
                            const protocol::json& value);

}  // namespace eddy::stepfunctions
