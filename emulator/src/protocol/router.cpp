#include "protocol/router.hpp"

#include "core/encoding.hpp"
#include "protocol/codec_detail.hpp"

namespace eddy::protocol {

namespace {

void set_target(route& out, const service_info* svc, const service_model& m, std::string protocol) {
    out.op.service = svc;
    out.op.model = &m;
    out.op.protocol = std::move(protocol);
}

// Matches one REST route against the request; returns a score (higher is more
// specific) or -1. Labels are captured still percent-encoded.
int match_rest(const service_model& m, const rest_route& rt, const wire_request& r, std::string_view path,
               const std::vector<std::pair<std::string, std::string>>& query,
               std::vector<std::pair<std::string, std::string>>& labels) {
    if (rt.method != r.method) return -1;
    std::size_t pos = 0;
    int literals = 0;
    bool greedy = false;
    labels.clear();
    for (auto& seg : rt.segments) {
        if (pos < path.size() && path[pos] == '/') ++pos;
        if (pos >= path.size()) return -1;
        if (seg.greedy) {
            labels.emplace_back(seg.text, std::string(path.substr(pos)));
            pos = path.size();
            greedy = true;
            continue;
        }
        auto end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        auto part = path.substr(pos, end - pos);
        if (part.empty()) return -1;
        if (seg.label) {
            labels.emplace_back(seg.text, std::string(part));
        } else {
            if (url_decode(part) != seg.text) return -1;
            ++literals;
        }
        pos = end;
    }
    if (pos < path.size() && path.substr(pos) != "/") return -1;
    auto has_query = [&](std::string_view key, std::string_view value) {
        for (auto& [qk, qv] : query)
            if (qk == key && (value.empty() || qv == value)) return true;
        return false;
    };
    for (auto& [k, v] : rt.query_literals)
        if (!has_query(k, v)) return -1;
    // Operations sharing a URI template (S3's PutObject, UploadPart, CopyObject) differ in the
    // query parameters and headers they require: a candidate missing one is not the operation.
    int required = 0;
    auto* op = m.operation(rt.operation);
    if (auto in = op->find("input"); in != op->end()) {
        auto& shape = m.shape((*in)["shape"].get<std::string>());
        for (auto& name : shape.value("required", json::array())) {
            auto& member = shape["members"][name.get<std::string>()];
            auto location = member.value("location", "");
            if (location != "querystring" && location != "header") continue;
            std::string wire = member.value("locationName", name.get<std::string>());
            bool present = location == "querystring" ? has_query(wire, "") : r.has_header(detail::lower(wire));
            if (!present) return -1;
            ++required;
        }
    }
    int score = literals * 32 + static_cast<int>(rt.query_literals.size()) * 8 + required * 2 + (greedy ? 0 : 1);
    // Of two operations with one request form (S3's GetBucketLifecycle and its successor
    // GetBucketLifecycleConfiguration), the current one answers.
    return score * 2 + (op->value("deprecated", false) ? 0 : 1);
}

// The bucket of a virtual-hosted-style S3 request, as SDKs build it from an endpoint
// (bucket.localhost:4566, bucket.s3.localhost, bucket.s3.us-east-1.amazonaws.com), or "".
std::string virtual_host_bucket(const wire_request& r) {
    std::string_view host = r.header("host");
    if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos)
        host = host.substr(0, colon);
    std::string lowered = detail::lower(host);
    std::string_view h = lowered;
    for (auto marker : {".s3.", ".s3-"})
        if (auto at = h.find(marker); at != std::string_view::npos && at > 0) return std::string(host.substr(0, at));
    if (h.ends_with(".localhost") && h.size() > 10) return std::string(host.substr(0, h.size() - 10));
    return {};
}

bool route_rest(route& out, const service_info* svc, const wire_request& r) {
    auto& m = model(svc->id);
    auto query = detail::parse_form(r.query);
    int best = -1;
    std::vector<std::pair<std::string, std::string>> labels;
    std::string hosted;  // the path a virtual-hosted request would have had in path style
    if (svc->id == "s3")
        if (auto bucket = virtual_host_bucket(r); !bucket.empty()) hosted = "/" + bucket + r.path;
    std::string_view path = hosted.empty() ? std::string_view(r.path) : std::string_view(hosted);
    for (auto& rt : m.rest_routes()) {
        int score = match_rest(m, rt, r, path, query, labels);
        if (score > best) {
            best = score;
            out.op.name = rt.operation;
            out.op.labels = labels;
        }
    }
    if (best < 0) return false;
    set_target(out, svc, m, std::string(svc->protocol));
    out.op.op = m.operation(out.op.name);
    return true;
}

std::string query_action(const wire_request& r) {
    for (auto& [k, v] : detail::parse_form(r.query))
        if (k == "Action") return v;
    auto type = r.header("content-type");
    if (r.method == "POST" && type.find("x-www-form-urlencoded") != std::string_view::npos)
        for (auto& [k, v] : detail::parse_form(r.body))
            if (k == "Action") return v;
    return {};
}

const service_model* query_model_of(const service_info& svc) {
    if (!svc.query_model.empty()) return &model(svc.query_model);
    if (svc.protocol == "query") return &model(svc.id);
    return nullptr;
}

bool route_target(route& out, const wire_request& r) {
    auto target = r.header("x-amz-target");
    if (target.empty()) return false;
    auto dot = target.rfind('.');
    auto prefix = target.substr(0, dot == std::string_view::npos ? 0 : dot);
    auto name = dot == std::string_view::npos ? target : target.substr(dot + 1);
    out.op.protocol = "json";
    out.op.name = std::string(name);
    const service_info* svc = service_by_target_prefix(prefix);
    if (!svc) {
        out.error = aws_error("UnknownOperationException",
                              "The target " + std::string(target) + " names no service eddy knows", 400);
        return true;
    }
    set_target(out, svc, model(svc->id), "json");
    out.op.op = out.op.model->operation(name);
    if (!out.op.op) out.error = aws_error("UnknownOperationException", "Unknown operation " + std::string(target), 400);
    return true;
}

}  // namespace

std::string s3_bucket_of(const wire_request& request) {
    if (auto hosted = virtual_host_bucket(request); !hosted.empty()) return hosted;
    std::string_view path = request.path;
    if (path.starts_with('/')) path.remove_prefix(1);
    return url_decode(path.substr(0, path.find('/')));
}

route route_from_headers(const wire_request& request) {
    route out;
    parse_credential_scope(request, out.scope);
    if (route_target(out, request)) return out;
    if (auto* svc = service_by_signing_name(out.scope.service)) {
        bool query = request.header("content-type").find("x-www-form-urlencoded") != std::string_view::npos;
        if (query && query_model_of(*svc))
            set_target(out, svc, *query_model_of(*svc), "query");
        else
            set_target(out, svc, model(svc->id), std::string(svc->protocol));
    } else {
        out.op.protocol = "json";
    }
    return out;
}

route route_request(const wire_request& r) {
    route out;
    parse_credential_scope(r, out.scope);
    if (route_target(out, r)) return out;

    auto action = query_action(r);
    const service_info* scoped = service_by_signing_name(out.scope.service);
    if (!action.empty()) {
        out.op.protocol = "query";
        out.op.name = action;
        if (scoped && query_model_of(*scoped)) {
            auto* m = query_model_of(*scoped);
            set_target(out, scoped, *m, "query");
            out.op.op = m->operation(action);
        } else {
            // unsigned: the first service speaking query that has this action
            for (auto& svc : services()) {
                auto* m = query_model_of(svc);
                if (!m) continue;
                set_target(out, &svc, *m, "query");
                if ((out.op.op = m->operation(action))) break;
            }
        }
        if (!out.op.op)
            out.error = aws_error("InvalidAction", "The action " + action + " is not valid for this web service.", 400);
        return out;
    }

    if (scoped && scoped->protocol.starts_with("rest")) {
        if (route_rest(out, scoped, r)) return out;
    } else if (!scoped) {
        for (auto& svc : services())
            if (svc.protocol.starts_with("rest") && route_rest(out, &svc, r)) return out;
    }
    if (scoped)
        set_target(out, scoped, model(scoped->id), std::string(scoped->protocol));
    else
        out.op.protocol = "rest-json";
    out.error = aws_error("UnknownOperationException",
                          "No operation matches " + r.method + " " + r.path +
                              (scoped ? " in service " + std::string(scoped->id) : std::string()),
                          404);
    return out;
}

}  // namespace eddy::protocol
