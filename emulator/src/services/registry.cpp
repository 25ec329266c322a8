#include "services/registry.hpp"

namespace eddy {

void register_services(service_env& env) {
    sts::register_handlers(env);
    sqs::register_handlers(env);
    kinesis::register_handlers(env);
}

}  // namespace eddy
