// Input validation against the model's constraints, worded as AWS words it.
#include "protocol/codec_detail.hpp"

#include <cctype>

namespace eddy::protocol {

namespace {

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

// Where a value sits, spelled out only when a problem names it: "attributes.1.member.name".
struct where {
    enum class step { member, item, key, value } kind;
    const where* parent;
    std::string_view name;  // member: its name; value: the map key
    std::size_t index = 0;  // item: 1-based list position

    std::string str() const {
        std::string up = parent ? parent->str() : std::string();
        switch (kind) {
            case step::member:
                return (up.empty() ? "" : up + ".") + lower_first(std::string(name));
            case step::item:
                return up + "." + std::to_string(index) + ".member";
            case step::key:
                return up + ".key";
            case step::value:
                break;
        }
        return up + "." + std::string(name) + ".value";
    }
};

struct checker {
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

    void value(const shape_node& shape, const json& v, const where& at) {
        switch (shape.kind) {
            case shape_kind::structure:
                structure(shape, v, &at);
                return;
            case shape_kind::list:
                if (v.is_array())
                    for (std::size_t i = 0; i < v.size(); ++i)
                        value(*shape.item, v[i], where{where::step::item, &at, {}, i + 1});
                break;
            case shape_kind::map:
                if (v.is_object())
                    for (auto& [k, mv] : v.items()) {
                        if (check_values && shape.key->constrained)
                            value(*shape.key, json(k), where{where::step::key, &at, {}});
                        value(*shape.value, mv, where{where::step::value, &at, k});
                    }
                break;
            default:
                break;
        }
        if (check_values && shape.constrained) check(shape, v, at);
    }

    // The value constraints: enum, and min/max as a length or a number.
    void check(const shape_node& node, const json& v, const where& at) {
        auto& shape = *node.doc;
        auto type = node.kind;
        if (type == shape_kind::string && shape.contains("enum") && v.is_string()) {
            bool ok = false;
            for (auto& e : shape["enum"])
                if (e == v) ok = true;
            if (!ok) {
                std::string set;
                for (auto& e : shape["enum"])
                    set += (set.empty() ? "" : ", ") + e.get<std::string>();
                problems.push_back("Value " + show(v) + " at '" + at.str() +
                                   "' failed to satisfy constraint: Member must satisfy enum value set: [" + set + "]");
            }
        }
        bool sized = type == shape_kind::string || type == shape_kind::list || type == shape_kind::map ||
                     type == shape_kind::blob;
        bool numeric = type == shape_kind::integer || type == shape_kind::long_ || type == shape_kind::float_ ||
                       type == shape_kind::double_;
        if (sized) {
            auto n = length(v);
            if (shape.contains("min") && n < shape["min"].get<std::size_t>())
                problems.push_back("Value " + show(v) + " at '" + at.str() +
                                   "' failed to satisfy constraint: Member must have length greater than or equal to " +
                                   shape["min"].dump());
            if (shape.contains("max") && n > shape["max"].get<std::size_t>())
                problems.push_back("Value " + (n > 256 ? std::string("'...'") : show(v)) + " at '" + at.str() +
                                   "' failed to satisfy constraint: Member must have length less than or equal to " +
                                   shape["max"].dump());
        } else if (numeric && v.is_number()) {
            double d = v.get<double>();
            if (shape.contains("min") && d < shape["min"].get<double>())
                problems.push_back("Value " + show(v) + " at '" + at.str() +
                                   "' failed to satisfy constraint: Member must have value greater than or equal to " +
                                   shape["min"].dump());
            if (shape.contains("max") && d > shape["max"].get<double>())
                problems.push_back("Value " + show(v) + " at '" + at.str() +
                                   "' failed to satisfy constraint: Member must have value less than or equal to " +
                                   shape["max"].dump());
        }
    }

    void structure(const shape_node& shape, const json& v, const where* at) {
        if (!v.is_object()) return;
        for (auto name : shape.required) {
            if (auto it = v.find(name); it == v.end() || it->is_null()) {
                if (first_missing.empty()) first_missing = name;
                problems.push_back("Value null at '" + where{where::step::member, at, name}.str() +
                                   "' failed to satisfy constraint: Member must not be null");
            }
        }
        // The members given: a request names a few of a shape's many members.
        for (auto it = v.begin(); it != v.end(); ++it) {
            // Without value checks only nested required members remain to look for.
            if (it->is_null() || (!check_values && !it->is_object() && !it->is_array())) continue;
            auto* member = shape.find(it.key());
            if (!member) continue;
            value(*member->target, *it, where{where::step::member, at, member->name});
        }
    }
};

}  // namespace

void validate_input(const operation_ref& op, const json& input) {
    auto* shape = op.model->input_node(*op.op);
    if (!shape) return;
    auto s = style_of(op);
    checker c{s != style::sqs, {}, {}};
    c.structure(*shape, input, nullptr);
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
