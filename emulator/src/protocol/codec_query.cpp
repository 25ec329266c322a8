// The query protocol: form-encoded requests, XML responses (STS, and SQS for
// clients from before SQS moved to JSON).
#include "protocol/codec_detail.hpp"

#include <map>

namespace eddy::protocol::detail {

namespace {

using params = std::map<std::string, std::string, std::less<>>;

bool has_prefix(const params& p, const std::string& prefix) {
    auto it = p.lower_bound(prefix);
    if (it == p.end()) return false;
    const auto& key = it->first;
    if (key.compare(0, prefix.size(), prefix) != 0) return false;
    return key.size() == prefix.size() || key[prefix.size()] == '.';
}

json read_value(const service_model& m, const json& member, const json& shape, const std::string& prefix,
                const params& p);

json read_structure(const service_model& m, const json& shape, const std::string& prefix, const params& p) {
    json out = json::object();
    for (auto& [name, member] : shape["members"].items()) {
        auto& target = target_of(m, member);
        std::string key = serialized_name(member, target, name);
        if (!prefix.empty()) key = prefix + "." + key;
        auto v = read_value(m, member, target, key, p);
        if (!v.is_null()) out[name] = std::move(v);
    }
    return out;
}

json read_value(const service_model& m, const json& member, const json& shape, const std::string& prefix,
                const params& p) {
    auto type = shape_type(shape);
    if (type == "structure") {
        if (!has_prefix(p, prefix)) return nullptr;
        return read_structure(m, shape, prefix, p);
    }
    if (type == "list") {
        auto& item_member = shape["member"];
        auto& item_shape = target_of(m, item_member);
        std::string list_prefix;
        if (shape.value("flattened", false)) {
            list_prefix = prefix;
            if (item_member.contains("locationName")) {
                auto dot = prefix.rfind('.');
                std::string name = item_member["locationName"].get<std::string>();
                list_prefix = dot == std::string::npos ? name : prefix.substr(0, dot + 1) + name;
            }
        } else {
            list_prefix = prefix + "." + item_member.value("locationName", std::string("member"));
        }
        json out = json::array();
        for (int i = 1;; ++i) {
            std::string item = list_prefix + "." + std::to_string(i);
            if (!has_prefix(p, item)) break;
            out.push_back(read_value(m, item_member, item_shape, item, p));
        }
        if (out.empty()) {
            auto it = p.find(prefix);
            if (it == p.end() || !it->second.empty()) return nullptr;
        }
        return out;
    }
    if (type == "map") {
        std::string base = shape.value("flattened", false) ? prefix : prefix + ".entry";
        auto& key_member = shape["key"];
        auto& value_member = shape["value"];
        std::string key_name = serialized_name(key_member, target_of(m, key_member), "key");
        std::string value_name = serialized_name(value_member, target_of(m, value_member), "value");
        auto& value_shape = target_of(m, value_member);
        json out = json::object();
        bool any = false;
        for (int i = 1;; ++i) {
            std::string entry = base + "." + std::to_string(i);
            auto k = p.find(entry + "." + key_name);
            if (k == p.end()) break;
            any = true;
            out[k->second] = read_value(m, value_member, value_shape, entry + "." + value_name, p);
        }
        return any ? out : json(nullptr);
    }
    auto it = p.find(prefix);
    if (it == p.end()) return nullptr;
    return scalar_from_text(shape, it->second, "iso8601", prefix);
}

}  // namespace

json decode_query(const operation_ref& op, const wire_request& request) {
    params p;
    for (auto& [k, v] : parse_form(request.query))
        p[k] = v;
    auto type = request.header("content-type");
    if (request.method == "POST" && (type.empty() || type.find("x-www-form-urlencoded") != std::string_view::npos))
        for (auto& [k, v] : parse_form(request.body))
            p[k] = v;
    auto it = op.op->find("input");
    if (it == op.op->end()) return json::object();
    return read_structure(*op.model, target_of(*op.model, *it), "", p);
}

void encode_query_output(const operation_ref& op, const json& output, const std::string& request_id,
                         wire_response& response) {
    std::string ns = op.model->metadata().value("xmlNamespace", "");
    std::string& out = response.body;
    out.clear();
    out += "<" + op.name + "Response";
    if (!ns.empty()) out += " xmlns=\"" + ns + "\"";
    out += ">";
    if (auto it = op.op->find("output"); it != op.op->end()) {
        auto& shape = target_of(*op.model, *it);
        std::string wrapper = it->value("resultWrapper", op.name + "Result");
        out += "<" + wrapper + ">";
        write_xml_members(*op.model, shape, output, out);
        out += "</" + wrapper + ">";
    }
    out += "<ResponseMetadata><RequestId>" + request_id + "</RequestId></ResponseMetadata>";
    out += "</" + op.name + "Response>";
    response.status = 200;
    response.set_header("x-amzn-RequestId", request_id);
    response.set_header("Content-Type", "text/xml");
}

}  // namespace eddy::protocol::detail
