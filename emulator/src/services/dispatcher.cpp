#include "services/dispatcher.hpp"

#include "core/aws_error.hpp"
#include "protocol/codec.hpp"

#include <cstdio>

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

namespace {

// A streamed payload as one value, for an in-process caller (a state machine's
// aws-sdk:s3:getObject), which takes the body as text.
std::string read_payload(const protocol::body_source& source) {
    if (source.memory) return source.memory->substr(source.offset, source.length);
    std::string out(source.length, '\0');
    std::FILE* f = std::fopen(source.file.c_str(), "rb");
    if (!f) throw internal_failure("cannot read " + source.file);
    std::size_t got = 0;
    if (std::fseek(f, static_cast<long>(source.offset), SEEK_SET) == 0) got = std::fread(out.data(), 1, out.size(), f);
    std::fclose(f);
    if (got != out.size()) throw internal_failure("cannot read " + source.file);
    return out;
}

}  // namespace

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
    ctx.wire = nullptr;  // the caller's own HTTP request is not this call's
    ctx.reply_payload = nullptr;
    apply_input_hook(ctx, input);
    protocol::validate_input(op, input);
    json output = co_await (*h)(ctx, std::move(input));
    if (ctx.reply_payload) {
        auto member = protocol::streaming_payload(op, false);
        if (!member.empty()) output[member] = read_payload(*ctx.reply_payload);
    }
    co_return output;
}

}  // namespace eddy
