#pragma once

#include "services/dispatcher.hpp"

namespace eddy {

// Opens every service's store and registers its handlers.
void register_services(service_env& env);

namespace sts {
void register_handlers(service_env& env);
}
namespace logs {
void register_handlers(service_env& env);
}
namespace sqs {
void register_handlers(service_env& env);
}
namespace ecs {
void register_handlers(service_env& env);
}
namespace kinesis {
void register_handlers(service_env& env);
}
namespace stepfunctions {
void register_handlers(service_env& env);
}
namespace s3 {
void register_handlers(service_env& env);
}
namespace ssm {
void register_handlers(service_env& env);
}
namespace pipes {
void register_handlers(service_env& env);
}

}  // namespace eddy
