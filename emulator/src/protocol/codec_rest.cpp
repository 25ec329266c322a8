// rest-json and rest-xml: members bound to the URI, the query string, headers,
// the status code and the payload, the rest in a JSON or XML body.
#include "core/encoding.hpp"
#include "core/text.hpp"
#include "protocol/codec_detail.hpp"

#include <algorithm>
#include <cctype>

namespace eddy::protocol::detail {

namespace {

json body_json_members(const service_model& m, const json& shape, json body) {
    return from_wire_json(m.node(shape), std::move(body), "", true);
}

bool xml_root(const std::string& text, xml::element& root) {
    std::string error;
    if (!xml::parse(text, root, error))
        throw aws_error("MalformedXML",
                        "The XML you provided was not well-formed or did not validate against our published schema");
    return true;
}

}  // namespace

json decode_rest(const operation_ref& op, const wire_request& request) {
    auto it = op.op->find("input");
    if (it == op.op->end()) return json::object();
    const service_model& m = *op.model;
    auto& shape = target_of(m, *it);
    json out = json::object();
    auto query = parse_form(request.query);
    std::vector<bool> claimed(query.size(), false);
    const json* query_map_member = nullptr;
    std::string query_map_name;

    for (auto& [name, member] : shape["members"].items()) {
        auto location = member.value("location", "");
        if (location.empty()) continue;
        auto& target = target_of(m, member);
        std::string wire_name = member.value("locationName", name);
        if (location == "uri") {
            for (auto& [label, value] : op.labels)
                if (label == wire_name) out[name] = scalar_from_text(target, url_decode(value), "iso8601", name);
        } else if (location == "querystring") {
            if (shape_type(target) == "map") {
                query_map_member = &member;
                query_map_name = name;
                continue;
            }
            json values = json::array();
            for (std::size_t i = 0; i < query.size(); ++i)
                if (query[i].first == wire_name) {
                    claimed[i] = true;
                    values.push_back(query[i].second);
                }
            if (values.empty()) continue;
            if (shape_type(target) == "list") {
                auto& item_shape = target_of(m, target["member"]);
                json list = json::array();
                for (auto& v : values)
                    list.push_back(scalar_from_text(item_shape, v.get<std::string>(), "iso8601", name));
                out[name] = std::move(list);
            } else {
                out[name] = scalar_from_text(target, values[0].get<std::string>(), "iso8601", name);
            }
        } else if (location == "header") {
            auto lname = lower(wire_name);
            if (!request.has_header(lname)) continue;
            auto value = request.header(lname);
            if (shape_type(target) == "list") {
                auto& item_shape = target_of(m, target["member"]);
                json list = json::array();
                for (auto& v : split_list(value))
                    list.push_back(scalar_from_text(item_shape, v, "rfc822", name));
                out[name] = std::move(list);
            } else if (shape_type(target) == "string" && target.value("jsonvalue", false)) {
                std::string decoded;
                out[name] = base64_decode(value, decoded) ? decoded : std::string(value);
            } else {
                out[name] = scalar_from_text(target, value, "rfc822", name);
            }
        } else if (location == "headers") {
            auto prefix = lower(wire_name);
            json map = json::object();
            for (auto& [k, v] : request.headers)
                if (k.compare(0, prefix.size(), prefix) == 0) map[k.substr(prefix.size())] = v;
            if (!map.empty()) out[name] = std::move(map);
        }
    }
    if (query_map_member) {
        json map = json::object();
        auto& target = target_of(m, *query_map_member);
        bool list_values = shape_type(target_of(m, target["value"])) == "list";
        for (std::size_t i = 0; i < query.size(); ++i) {
            if (claimed[i]) continue;
            if (list_values)
                map[query[i].first].push_back(query[i].second);
            else if (!map.contains(query[i].first))
                map[query[i].first] = query[i].second;
        }
        if (!map.empty()) out[query_map_name] = std::move(map);
    }

    bool is_xml = op.protocol == "rest-xml";
    if (auto p = shape.find("payload"); p != shape.end()) {
        std::string name = p->get<std::string>();
        auto& member = shape["members"][name];
        auto& target = target_of(m, member);
        auto type = shape_type(target);
        if (type == "blob" && member.value("streaming", false)) {
            // read by the service from the request (see streaming_payload)
        } else if (type == "blob") {
            out[name] = json::binary(std::vector<std::uint8_t>(request.body.begin(), request.body.end()));
        } else if (type == "string") {
            if (!request.body.empty()) out[name] = request.body;
        } else if (!request.body.empty()) {
            if (is_xml) {
                xml::element root;
                xml_root(request.body, root);
                out[name] = from_xml(m, target, root);
            } else {
                auto body = json::parse(request.body, nullptr, false);
                if (body.is_discarded()) throw serialization_error("Unable to parse request body as JSON");
                out[name] = from_wire_json(m, target, std::move(body), name);
            }
        }
        return out;
    }
    if (request.body.empty()) return out;
    json body_members;
    if (is_xml) {
        xml::element root;
        xml_root(request.body, root);
        body_members = from_xml(m, shape, root);
    } else {
        auto body = json::parse(request.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) throw serialization_error("Unable to parse request body as JSON");
        body_members = body_json_members(m, shape, std::move(body));
    }
    for (auto& [k, v] : body_members.items())
        out[k] = v;
    return out;
}

void encode_rest_output(const operation_ref& op, const json& output, const std::string& request_id,
                        wire_response& response) {
    const service_model& m = *op.model;
    bool is_xml = op.protocol == "rest-xml";
    response.status = (*op.op)["http"].value("responseCode", 200);
    if (is_xml) {
        response.set_header("x-amz-request-id", request_id);
        response.set_header("x-amz-id-2", request_id);
    } else {
        response.set_header("x-amzn-RequestId", request_id);
    }
    response.body.clear();
    auto it = op.op->find("output");
    if (it == op.op->end()) return;
    auto& shape = target_of(m, *it);
    bool has_body_members = false;
    for (auto& [name, member] : shape["members"].items()) {
        auto location = member.value("location", "");
        if (location.empty()) {
            has_body_members = true;
            continue;
        }
        auto v = output.find(name);
        if (v == output.end() || v->is_null()) continue;
        auto& target = target_of(m, member);
        std::string wire_name = member.value("locationName", name);
        if (location == "statusCode") {
            response.status = v->get<int>();
        } else if (location == "header") {
            if (shape_type(target) == "list") {
                std::string joined;
                auto& item_shape = target_of(m, target["member"]);
                for (auto& item : *v) {
                    if (!joined.empty()) joined += ",";
                    joined += scalar_to_text(item_shape, item, "rfc822");
                }
                response.set_header(wire_name, joined);
            } else if (target.value("jsonvalue", false)) {
                response.set_header(wire_name, base64_encode(v->is_string() ? v->get<std::string>() : v->dump()));
            } else {
                response.set_header(wire_name, scalar_to_text(target, *v, "rfc822"));
            }
        } else if (location == "headers") {
            for (auto& [k, hv] : v->items())
                response.set_header(wire_name + k, hv.is_string() ? hv.get<std::string>() : hv.dump());
        }
    }
    if (auto p = shape.find("payload"); p != shape.end()) {
        std::string name = p->get<std::string>();
        auto& member = shape["members"][name];
        auto& target = target_of(m, member);
        auto v = output.find(name);
        auto type = shape_type(target);
        if (type == "blob" || type == "string") {
            if (v != output.end()) {
                if (v->is_binary())
                    response.body.assign(v->get_binary().begin(), v->get_binary().end());
                else if (v->is_string())
                    response.body = v->get<std::string>();
            }
            return;
        }
        if (v == output.end() || v->is_null()) return;
        if (is_xml) {
            response.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
            // The root is named by a locationName given to the member (models converted from Smithy
            // repeat the member's own name there: that names nothing), else the shape's, else the shape.
            std::string root = member.value("locationName", name);
            if (root == name) root = target.value("locationName", member["shape"].get<std::string>());
            write_xml_value(m, member, target, root, *v, response.body);
            response.set_header("Content-Type", "application/xml");
        } else {
            response.body.clear();
            write_wire_json(m, target, *v, response.body);
            response.set_header("Content-Type", "application/json");
        }
        return;
    }
    if (!has_body_members) return;
    if (is_xml) {
        std::string root = shape.value("locationName", (*it)["shape"].get<std::string>());
        std::string ns = m.metadata().value("xmlNamespace", "");
        if (auto x = shape.find("xmlNamespace"); x != shape.end() && x->contains("uri")) ns = (*x)["uri"];
        response.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + root;
        if (!ns.empty()) response.body += " xmlns=\"" + ns + "\"";
        response.body += ">";
        write_xml_members(m, shape, output, response.body);
        response.body += "</" + root + ">";
        response.set_header("Content-Type", "application/xml");
    } else {
        json body = json::object();
        json wire = to_wire_json(m, shape, output);
        for (auto& [name, member] : shape["members"].items()) {
            if (member.contains("location")) continue;
            auto key = member.value("locationName", name);
            if (wire.contains(key)) body[key] = wire[key];
        }
        response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
        response.set_header("Content-Type", "application/json");
    }
}

}  // namespace eddy::protocol::detail

namespace eddy::protocol {

std::string streaming_payload(const operation_ref& op, bool input) {
    auto it = op.op->find(input ? "input" : "output");
    if (it == op.op->end()) return {};
    auto& shape = detail::target_of(*op.model, *it);
    auto p = shape.find("payload");
    if (p == shape.end()) return {};
    auto& member = shape["members"][p->get<std::string>()];
    return member.value("streaming", false) ? p->get<std::string>() : std::string();
}

}  // namespace eddy::protocol
