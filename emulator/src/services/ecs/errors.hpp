#pragma once

#include "core/aws_error.hpp"

#include <string>

namespace eddy::ecs {

// ECS's errors as it words them; all are the caller's fault (400).
inline aws_error client_error(std::string message) {
    return aws_error("ClientException", std::move(message));
}
inline aws_error invalid_parameter(std::string message) {
    return aws_error("InvalidParameterException", std::move(message));
}
inline aws_error cluster_not_found() {
    return aws_error("ClusterNotFoundException", "Cluster not found.");
}

}  // namespace eddy::ecs
