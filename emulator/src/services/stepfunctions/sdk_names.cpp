#include "services/stepfunctions/sdk_names.hpp"

#include <cctype>

namespace eddy::stepfunctions {

using protocol::json;

namespace {

bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

template <typename Rename>
json walk(const protocol::service_model& model, const json& shape, const json& value, Rename rename) {
    auto type = shape.value("type", "");
    if (type == "structure" && value.is_object()) {
        json out = json::object();
        const json& members = shape.contains("members") ? shape["members"] : json::object();
        for (auto& [key, v] : value.items()) {
            const json* member = nullptr;
            std::string name = key;
            for (auto& [m, spec] : members.items())
                if (same_name(m, key)) {
                    member = &spec;
                    name = rename(m);
                    break;
                }
            out[name] = member ? walk(model, model.target(*member), v, rename) : v;
        }
        return out;
    }
    if (type == "list" && value.is_array() && shape.contains("member")) {
        json out = json::array();
        for (auto& v : value)
            out.push_back(walk(model, model.target(shape["member"]), v, rename));
        return out;
    }
    if (type == "map" && value.is_object() && shape.contains("value")) {
        json out = json::object();
        for (auto& [k, v] : value.items())
            out[k] = walk(model, model.target(shape["value"]), v, rename);
        return out;
    }
    return value;
}

}  // namespace

json to_model_names(const protocol::service_model& model, const json& shape, const json& value) {
    return walk(model, shape, value, [](const std::string& m) { return m; });
}

json to_sdk_names(const protocol::service_model& model, const json& shape, const json& value) {
    return walk(model, shape, value, [](std::string m) {
        if (!m.empty()) m[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(m[0])));
        return m;
    });
}

}  // namespace eddy::stepfunctions
