#include "services/stepfunctions/asl/payload.hpp"

#include "services/stepfunctions/asl/intrinsics.hpp"

namespace eddy::asl {

namespace {

bool dynamic_key(const std::string& key) {
    return key.size() > 2 && key.ends_with(".$");
}

void validate_value(const json& value, const std::string& location, std::vector<std::string>& diagnostics) {
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (dynamic_key(it.key())) {
                bool ok = false;
                if (it->is_string()) {
                    const auto& text = it->get_ref<const std::string&>();
                    try {
                        if (looks_like_intrinsic(text))
                            parse_intrinsic(text);
                        else
                            json_path::parse(text);
                        ok = true;
                    } catch (const std::invalid_argument&) {
                    }
                }
                if (!ok)
                    diagnostics.push_back("SCHEMA_VALIDATION_FAILED: The value for the field '" + it.key() +
                                          "' must be a valid JSONPath or a valid intrinsic function call at " +
                                          location);
            } else {
                validate_value(*it, location + "/" + it.key(), diagnostics);
            }
        }
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            validate_value(value[i], location + "/" + std::to_string(i), diagnostics);
    }
}

json dynamic_value(const std::string& key, const std::string& text, const path_scope& scope) {
    if (looks_like_intrinsic(text)) {
        intrinsic_call call;
        try {
            call = parse_intrinsic(text);
        } catch (const std::invalid_argument& e) {
            throw states_error(error_names::intrinsic_failure, e.what());
        }
        return evaluate_intrinsic(call, scope);
    }
    json_path path = [&] {
        try {
            return json_path::parse(text);
        } catch (const std::invalid_argument&) {
            throw states_error(error_names::runtime, "Invalid path '" + text + "' for the field '" + key + "'");
        }
    }();
    if (auto found = path.find(scope)) return std::move(*found);
    const json* root = path.root_value(scope);
    throw states_error(error_names::runtime, "The JSONPath '" + text + "' specified for the field '" + key +
                                                 "' could not be found in the input '" +
                                                 (root ? root->dump() : std::string("null")) + "'");
}

}  // namespace

void validate_payload(const json& tmpl, const std::string& location, std::vector<std::string>& diagnostics) {
    validate_value(tmpl, location, diagnostics);
}

json evaluate_payload(const json& tmpl, const path_scope& scope) {
    if (tmpl.is_object()) {
        json out = json::object();
        for (auto it = tmpl.begin(); it != tmpl.end(); ++it) {
            const auto& key = it.key();
            if (dynamic_key(key)) {
                if (!it->is_string())
                    throw states_error(error_names::runtime, "The value for the field '" + key + "' must be a string");
                out[key.substr(0, key.size() - 2)] = dynamic_value(key, it->get<std::string>(), scope);
            } else {
                out[key] = evaluate_payload(*it, scope);
            }
        }
        return out;
    }
    if (tmpl.is_array()) {
        json out = json::array();
        for (const auto& item : tmpl)
            out.push_back(evaluate_payload(item, scope));
        return out;
    }
    return tmpl;
}

}  // namespace eddy::asl
