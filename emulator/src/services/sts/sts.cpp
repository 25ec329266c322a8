// STS: enough identity for SDKs and tools that ask who they are.
#include "core/ids.hpp"
#include "services/registry.hpp"

namespace eddy::sts {

void register_handlers(service_env& env) {
    env.calls.add(
        "sts", "GetCallerIdentity", sync_handler([](request_context& ctx, const json&) {
            // eddy's callers are the account's root user, as with root credentials on AWS.
            return json{{"UserId", ctx.account}, {"Account", ctx.account}, {"Arn", root_user_arn(ctx.account)}};
        }));
}

}  // namespace eddy::sts
