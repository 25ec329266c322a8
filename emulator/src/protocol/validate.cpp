// Input validation against the model's constraints, worded as AWS words it.
#include "protocol/codec_detail.hpp"

#include <cctype>

namespace eddy::protocol {

namespace {

using detail::shape_type;
using detail::target_of;

// How a service reports invalid input. Most speak Coral's "N validation errors
// detected"; SQS names the one missing parameter; query services call it ValidationError;
// CloudWatch Logs reports the same text as InvalidParameterException.
enum class style { coral_exception, coral_error, sqs, logs };

style style_of(const operation_ref& op) {
    if (op.service && op.service->id == "sqs") return style::sqs;
    if (op.service && op.service->id == "logs") return style::logs;
    return op.protocol == "query" ? style::coral_error : style::coral_exception;
}

std::string lower_first(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

std::string show(const json& v) {
    if (v.is_string()) return "'" + v.get<std::string>() + "'";
    if (v.is_binary()) return "'<binary>'";
    return "'" + v.dump() + "'";
}

struct checker {
    const service_model& m;
    bool check_values;
    std::vector<std::string> problems;
    std::string first_missing;

    std::size_t length(const json& v) const {
        if (v.is_string()) {
            // AWS counts characters, not bytes
            std::size_t n = 0;
            for (unsigned char c : v.get_ref<const std::string&>())
                if ((c & 0xc0) != 0x80) ++n;
            return n;
        }
        if (v.is_binary()) return v.get_binary().size();
        return v.size();
    }

    void value(const json& shape, const json& v, const std::string& path) {
        auto type = shape_type(shape);
        if (type == "structure") {
            structure(shape, v, path);
            return;
        }
        if (type == "list") {
            auto& item = target_of(m, shape["member"]);
            for (std::size_t i = 0; i < v.size(); ++i)
                value(item, v[i], path + "." + std::to_string(i + 1) + ".member");
        } else if (type == "map") {
            auto& key_shape = target_of(m, shape["key"]);
            auto& item = target_of(m, shape["value"]);
            for (auto& [k, mv] : v.items()) {
                value(key_shape, json(k), path + ".key");
                value(item, mv, path + "." + k + ".value");
            }
        }
        if (!check_values) return;
        if (type == "string" && shape.contains("enum") && v.is_string()) {
            bool ok = false;
            for (auto& e : shape["enum"])
                if (e == v) ok = true;
            if (!ok) {
                std::string set;
                for (auto& e : shape["enum"])
                    set += (set.empty() ? "" : ", ") + e.get<std::string>();
                problems.push_back("Value " + show(v) + " at '" + path +
                                   "' failed to satisfy constraint: Member must satisfy enum value set: [" + set + "]");
            }
        }
        bool sized = type == "string" || type == "list" || type == "map" || type == "blob";
        bool numeric = type == "integer" || type == "long" || type == "float" || type == "double";
        if (sized) {
            auto n = length(v);
            if (shape.contains("min") && n < shape["min"].get<std::size_t>())
                problems.push_back("Value " + show(v) + " at '" + path +
                                   "' failed to satisfy constraint: Member must have length greater than or equal to " +
                                   shape["min"].dump());
            if (shape.contains("max") && n > shape["max"].get<std::size_t>())
                problems.push_back("Value " + (n > 256 ? std::string("'...'") : show(v)) + " at '" + path +
                                   "' failed to satisfy constraint: Member must have length less than or equal to " +
                                   shape["max"].dump());
        } else if (numeric && v.is_number()) {
            double d = v.get<double>();
            if (shape.contains("min") && d < shape["min"].get<double>())
                problems.push_back("Value " + show(v) + " at '" + path +
                                   "' failed to satisfy constraint: Member must have value greater than or equal to " +
                                   shape["min"].dump());
            if (shape.contains("max") && d > shape["max"].get<double>())
                problems.push_back("Value " + show(v) + " at '" + path +
                                   "' failed to satisfy constraint: Member must have value less than or equal to " +
                                   shape["max"].dump());
        }
    }

    void structure(const json& shape, const json& v, const std::string& path) {
        if (!v.is_object()) return;
        if (auto req = shape.find("required"); req != shape.end()) {
            for (auto& r : *req) {
                auto& name = r.get_ref<const std::string&>();
                if (auto it = v.find(name); it == v.end() || it->is_null()) {
                    if (first_missing.empty()) first_missing = name;
                    problems.push_back("Value null at '" + (path.empty() ? "" : path + ".") + lower_first(name) +
                                       "' failed to satisfy constraint: Member must not be null");
                }
            }
        }
        // The members given, in the model's order (both are maps by name): a request names
        // a few of a shape's many members.
        auto& members = shape["members"];
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (it->is_null()) continue;
            auto member = members.find(it.key());
            if (member == members.end()) continue;
            // Without value checks only nested required members remain to look for.
            if (!check_values && !it->is_object() && !it->is_array()) continue;
            value(target_of(m, *member), *it, (path.empty() ? "" : path + ".") + lower_first(it.key()));
        }
    }
};

}  // namespace

void validate_input(const operation_ref& op, const json& input) {
    auto it = op.op->find("input");
    if (it == op.op->end()) return;
    auto s = style_of(op);
    checker c{*op.model, s != style::sqs, {}, {}};
    c.structure(target_of(*op.model, *it), input, "");
    if (c.problems.empty()) return;
    if (s == style::sqs) {
        if (!c.first_missing.empty())
            throw aws_error("MissingParameter", "The request must contain the parameter " + c.first_missing + ".");
        return;
    }
    std::string message = std::to_string(c.problems.size()) +
                          (c.problems.size() == 1 ? " validation error detected: " : " validation errors detected: ");
    for (std::size_t i = 0; i < c.problems.size(); ++i)
        message += (i ? "; " : "") + c.problems[i];
    throw aws_error(s == style::coral_error ? "ValidationError"
                    : s == style::logs      ? "InvalidParameterException"
                                            : "ValidationException",
                    message);
}

}  // namespace eddy::protocol
