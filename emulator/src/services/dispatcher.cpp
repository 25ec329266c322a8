#include "services/dispatcher.hpp"

#include "core/aws_error.hpp"
#include "protocol/codec.hpp"

namespace eddy {

void dispatcher::add(std::string_view service, std::string_view operation, handler h) {
    handlers_[std::string(service)][std::string(operation)] = std::move(h);
}

const handler* dispatcher::find(std::string_view service, std::string_view operation) const {
    auto s = handlers_.find(service);
    if (s == handlers_.end()) return nullptr;
    auto o = s->second.find(operation);
    return o == s->second.end() ? nullptr : &o->second;
}

bool dispatcher::implements(std::string_view service) const {
    auto s = handlers_.find(service);
    return s != handlers_.end() && !s->second.empty();
}

boost::asio::awaitable<void> dispatcher::start() {
    for (auto& hook : start_hooks_)
        co_await hook();
}

boost::asio::awaitable<json> ready(json value) {
    co_return value;
}

void dispatcher::set_input_hook(std::string_view service, input_hook hook) {
    hooks_[std::string(service)] = std::move(hook);
}

void dispatcher::apply_input_hook(const request_context& ctx, json& input) const {
    if (auto it = hooks_.find(ctx.service); it != hooks_.end()) it->second(ctx, input);
}

aws_error not_implemented(std::string_view service, std::string_view operation) {
    return aws_error("NotImplemented",
                     "eddy does not implement " + std::string(service) + "." + std::string(operation) + " yet", 501,
                     false);
}

boost::asio::awaitable<json> dispatcher::call(const request_context& caller, std::string_view service,
                                              std::string_view operation, json input) {
    auto* info = protocol::service_by_id(service);
    if (!info) throw aws_error("UnknownServiceException", "eddy knows no service " + std::string(service));
    auto& model = protocol::model(info->id);
    protocol::operation_ref op;
    op.service = info;
    op.model = &model;
    op.protocol = std::string(info->protocol);
    op.name = std::string(operation);
    op.op = model.operation(operation);
    if (!op.op)
        throw aws_error("UnknownOperationException",
                        "Service " + std::string(service) + " has no operation " + std::string(operation));
    auto* h = find(service, operation);
    if (!h) throw not_implemented(service, operation);
    request_context ctx = caller;
    ctx.service = std::string(service);
    ctx.operation = std::string(operation);
    ctx.calls = this;
    apply_input_hook(ctx, input);
    protocol::validate_input(op, input);
    co_return co_await (*h)(ctx, std::move(input));
}

}  // namespace eddy
