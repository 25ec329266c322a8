// XML bodies shared by the query protocol (responses) and rest-xml (both ways),
// following the member naming and flattening rules of the service models.
#include "protocol/codec_detail.hpp"

namespace eddy::protocol::detail {

namespace {

// The element name of a structure member, as botocore's XML parser looks it up:
// a flattened list with a named member travels under the member's name. A locationName on
// the target shape names it only where it is a payload's root, never as a member.
std::string member_element_name(const json& member, const json& target, const std::string& member_name) {
    if (shape_type(target) == "list" && target.value("flattened", false)) {
        auto& list_member = target["member"];
        if (list_member.contains("locationName")) return list_member["locationName"].get<std::string>();
    }
    return member.value("locationName", member_name);
}

void open_tag(std::string& out, const std::string& name) {
    out += '<';
    out += name;
    out += '>';
}
void close_tag(std::string& out, const std::string& name) {
    out += "</";
    out += name;
    out += '>';
}

}  // namespace

void write_xml_value(const service_model& m, const json& member, const json& shape, const std::string& name,
                     const json& value, std::string& out) {
    auto type = shape_type(shape);
    if (type == "structure") {
        open_tag(out, name);
        write_xml_members(m, shape, value, out);
        close_tag(out, name);
    } else if (type == "list") {
        if (!value.is_array()) return;
        auto& item_member = shape["member"];
        auto& item_shape = target_of(m, item_member);
        if (shape.value("flattened", false) || member.value("flattened", false)) {
            for (auto& v : value)
                write_xml_value(m, item_member, item_shape, name, v, out);
        } else {
            std::string item_name = item_member.value("locationName", std::string("member"));
            open_tag(out, name);
            for (auto& v : value)
                write_xml_value(m, item_member, item_shape, item_name, v, out);
            close_tag(out, name);
        }
    } else if (type == "map") {
        if (!value.is_object()) return;
        auto& key_member = shape["key"];
        auto& value_member = shape["value"];
        auto& key_shape = target_of(m, key_member);
        auto& value_shape = target_of(m, value_member);
        std::string key_name = key_member.value("locationName", std::string("key"));
        std::string value_name = value_member.value("locationName", std::string("value"));
        bool flat = shape.value("flattened", false) || member.value("flattened", false);
        if (!flat) open_tag(out, name);
        for (auto& [k, v] : value.items()) {
            open_tag(out, flat ? name : std::string("entry"));
            write_xml_value(m, key_member, key_shape, key_name, k, out);
            write_xml_value(m, value_member, value_shape, value_name, v, out);
            close_tag(out, flat ? name : std::string("entry"));
        }
        if (!flat) close_tag(out, name);
    } else {
        if (value.is_null()) return;
        open_tag(out, name);
        xml::escape(out, scalar_to_text(shape, value, "iso8601"));
        close_tag(out, name);
    }
}

void write_xml_members(const service_model& m, const json& shape, const json& value, std::string& out) {
    if (!value.is_object()) return;
    for (auto& [name, member] : shape["members"].items()) {
        if (member.contains("location") || member.value("xmlAttribute", false)) continue;
        auto it = value.find(name);
        if (it == value.end() || it->is_null()) continue;
        auto& target = target_of(m, member);
        write_xml_value(m, member, target, member_element_name(member, target, name), *it, out);
    }
}

namespace {

json xml_value(const service_model& m, const json& member, const json& shape,
               const std::vector<const xml::element*>& nodes);

json xml_list(const service_model& m, const json& member, const json& shape,
              const std::vector<const xml::element*>& nodes) {
    json out = json::array();
    auto& item_member = shape["member"];
    auto& item_shape = target_of(m, item_member);
    if (shape.value("flattened", false) || member.value("flattened", false)) {
        for (auto* n : nodes)
            out.push_back(xml_value(m, item_member, item_shape, {n}));
    } else if (!nodes.empty()) {
        std::string item_name = item_member.value("locationName", std::string("member"));
        for (auto* n : nodes.front()->children_named(item_name))
            out.push_back(xml_value(m, item_member, item_shape, {n}));
    }
    return out;
}

json xml_map(const service_model& m, const json& member, const json& shape,
             const std::vector<const xml::element*>& nodes) {
    json out = json::object();
    auto& key_member = shape["key"];
    auto& value_member = shape["value"];
    std::string key_name = key_member.value("locationName", std::string("key"));
    std::string value_name = value_member.value("locationName", std::string("value"));
    std::vector<const xml::element*> entries;
    if (shape.value("flattened", false) || member.value("flattened", false))
        entries = nodes;
    else if (!nodes.empty())
        entries = nodes.front()->children_named("entry");
    for (auto* e : entries) {
        auto* k = e->child(key_name);
        auto* v = e->child(value_name);
        if (!k) continue;
        out[k->text] = v ? xml_value(m, value_member, target_of(m, value_member), {v}) : json(nullptr);
    }
    return out;
}

json xml_value(const service_model& m, const json& member, const json& shape,
               const std::vector<const xml::element*>& nodes) {
    auto type = shape_type(shape);
    if (type == "list") return xml_list(m, member, shape, nodes);
    if (type == "map") return xml_map(m, member, shape, nodes);
    if (nodes.empty()) return nullptr;
    if (type == "structure") return from_xml(m, shape, *nodes.front());
    return scalar_from_text(shape, nodes.front()->text, "iso8601", nodes.front()->name);
}

}  // namespace

json from_xml(const service_model& m, const json& shape, const xml::element& el) {
    json out = json::object();
    for (auto& [name, member] : shape["members"].items()) {
        if (member.contains("location")) continue;
        auto& target = target_of(m, member);
        std::string element_name = member_element_name(member, target, name);
        if (member.value("xmlAttribute", false)) {
            for (auto& [k, v] : el.attributes) {
                auto colon = k.find(':');
                if (k == element_name || (colon != std::string::npos && k.substr(colon + 1) == element_name))
                    out[name] = scalar_from_text(target, v, "iso8601", name);
            }
            continue;
        }
        auto nodes = el.children_named(element_name);
        if (nodes.empty()) continue;
        auto v = xml_value(m, member, target, nodes);
        if (!v.is_null()) out[name] = std::move(v);
    }
    return out;
}

}  // namespace eddy::protocol::detail
