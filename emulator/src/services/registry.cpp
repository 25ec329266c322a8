#include "services/registry.hpp"

namespace eddy {

void register_services(service_env& env) {
    sts::register_handlers(env);
    logs::register_handlers(env);  // first: other services write logs through env.logs
    ecs::register_handlers(env);   // its tasks' awslogs go to env.logs
    s3::register_handlers(env);
    sqs::register_handlers(env);
    kinesis::register_handlers(env);
    ssm::register_handlers(env);
    stepfunctions::register_handlers(env);
    pipes::register_handlers(env);  // last: its pipes read and call the services above
}

}  // namespace eddy
