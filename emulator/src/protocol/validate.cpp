// Input validation against the model's constraints, worded as AWS words it.
//
// The order and form follow responses recorded from AWS (tests/unit/protocol/validation/README.md):
// a structure's members in name order, each with a missing required member as "Value null",
// then its own constraints (enum, pattern, min, max), then what it contains. Constraints on the
// items of a list or on the keys or values of a map are one error naming the whole collection
// and every constraint of the item: "Map keys must satisfy constraint: [...]".
#include "protocol/codec_detail.hpp"
#include "protocol/pattern.hpp"

#include <cctype>

namespace eddy::protocol {

namespace {

// How a service reports invalid input. Most speak Coral's "N validation errors
// detected"; SQS names the one missing parameter; query services call it ValidationError;
// CloudWatch Logs reports the same text as InvalidParameterException.
enum class style { coral_exception, coral_error, sqs, logs };

// AWS lists at most this many problems of one request.
constexpr std::size_t max_problems = 10;

style style_of(const operation_ref& op) {
    if (op.service && op.service->id == "sqs") return style::sqs;
    if (op.service && op.service->id == "logs") return style::logs;
    return op.protocol == "query" ? style::coral_error : style::coral_exception;
}

std::string lower_first(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

// A value as Java's toString() renders it: strings bare, lists [a, b], maps and
// structures {k=v}, blobs as the ByteBuffer that holds them.
void render(const json& v, std::string& out) {
    switch (v.type()) {
        case json::value_t::null:
            out += "null";
            return;
        case json::value_t::string:
            out += v.get_ref<const std::string&>();
            return;
        case json::value_t::binary: {
            auto n = std::to_string(v.get_binary().size());
            out += "java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]";
            return;
        }
        case json::value_t::array: {
            out += '[';
            bool first = true;
            for (auto& item : v) {
                if (!first) out += ", ";
                first = false;
                render(item, out);
            }
            out += ']';
            return;
        }
        case json::value_t::object: {
            out += '{';
            bool first = true;
            for (auto& [k, item] : v.items()) {
                if (!first) out += ", ";
                first = false;
                out += k;
                out += '=';
                render(item, out);
            }
            out += '}';
            return;
        }
        default:
            out += v.dump();
    }
}

std::string show(const json& v) {
    if (v.is_null()) return "null";
    std::string out = "'";
    render(v, out);
    out += '\'';
    return out;
}

// Where a value sits, spelled out only when a problem names it: "attributes.1.member.name".
struct where {
    enum class step { member, item, value } kind;
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
            case step::value:
                break;
        }
        return up + "." + std::string(name) + ".member";
    }
};

bool scalar(shape_kind k) {
    return k != shape_kind::structure && k != shape_kind::list && k != shape_kind::map;
}

bool sized(shape_kind k) {
    return k == shape_kind::string || k == shape_kind::list || k == shape_kind::map || k == shape_kind::blob;
}

bool numeric(shape_kind k) {
    return k == shape_kind::integer || k == shape_kind::long_ || k == shape_kind::float_ || k == shape_kind::double_;
}

// Length as Java counts it: UTF-16 code units for strings, bytes for blobs, items for collections.
std::size_t length(const json& v) {
    if (v.is_string()) {
        std::size_t n = 0;
        for (unsigned char c : v.get_ref<const std::string&>()) {
            if ((c & 0xc0) != 0x80) ++n;
            if (c >= 0xf0) ++n;  // a supplementary character is a surrogate pair
        }
        return n;
    }
    if (v.is_binary()) return v.get_binary().size();
    return v.size();
}

// Each constraint of a shape, in the order AWS reports them, with whether `v` meets it.
template <typename F>
void each_constraint(const shape_node& node, const json& v, F&& f) {
    auto& shape = *node.doc;
    auto min = shape.find("min");
    auto max = shape.find("max");
    if (auto e = shape.find("enum"); e != shape.end() && node.kind == shape_kind::string) {
        bool ok = !v.is_string();
        for (auto& allowed : *e)
            if (allowed == v) ok = true;
        f(
            ok,
            [&] {
                std::string set;
                for (auto& allowed : *e)
                    set += (set.empty() ? "" : ", ") + allowed.get<std::string>();
                return "Member must satisfy enum value set: [" + set + "]";
            },
            false);
    }
    if (auto p = shape.find("pattern"); p != shape.end() && node.kind == shape_kind::string) {
        // met when eddy cannot evaluate the pattern (see pattern.hpp)
        bool ok = !node.pattern || !v.is_string() || node.pattern->matches(v.get_ref<const std::string&>());
        f(
            ok, [&] { return "Member must satisfy regular expression pattern: " + p->get<std::string>(); }, false);
    }
    if (sized(node.kind)) {
        auto n = length(v);
        if (min != shape.end())
            f(
                n >= min->get<std::size_t>(),
                [&] { return "Member must have length greater than or equal to " + min->dump(); }, false);
        if (max != shape.end())
            f(
                n <= max->get<std::size_t>(),
                [&] { return "Member must have length less than or equal to " + max->dump(); }, true);
    } else if (numeric(node.kind)) {
        bool number = v.is_number();
        if (min != shape.end())
            f(
                !number || v.get<double>() >= min->get<double>(),
                [&] { return "Member must have value greater than or equal to " + min->dump(); }, false);
        if (max != shape.end())
            f(
                !number || v.get<double>() <= max->get<double>(),
                [&] { return "Member must have value less than or equal to " + max->dump(); }, false);
    }
}

// "[max, min, pattern, enum]": the constraints of a collection's items, as AWS lists them.
std::string item_constraints(const shape_node& node) {
    std::vector<std::string> all;
    each_constraint(node, json(), [&](bool, auto&& text, bool) { all.push_back(text()); });
    std::vector<std::string> ordered;
    for (auto* prefix :
         {"Member must have length less", "Member must have value less", "Member must have length greater",
          "Member must have value greater", "Member must satisfy regular", "Member must satisfy enum"})
        for (auto& c : all)
            if (c.starts_with(prefix)) ordered.push_back(c);
    std::string out = "[";
    for (std::size_t i = 0; i < ordered.size(); ++i)
        out += (i ? ", " : "") + ordered[i];
    return out + "]";
}

bool meets(const shape_node& node, const json& v) {
    bool ok = true;
    each_constraint(node, v, [&](bool met, auto&&, bool) { ok = ok && met; });
    return ok;
}

struct checker {
    bool check_values;
    std::vector<std::string> problems;
    std::string first_missing;

    void problem(const json& v, const where& at, const std::string& constraint, bool long_value = false) {
        if (problems.size() >= max_problems) return;
        problems.push_back("Value " + (long_value ? std::string("'...'") : show(v)) + " at '" + at.str() +
                           "' failed to satisfy constraint: " + constraint);
    }

    void value(const shape_node& shape, const json& v, const where& at) {
        if (check_values && shape.constrained)
            each_constraint(shape, v, [&](bool ok, auto&& text, bool is_max) {
                if (!ok) problem(v, at, text(), is_max && v.is_string() && length(v) > 256);
            });
        switch (shape.kind) {
            case shape_kind::structure:
                structure(shape, v, &at);
                break;
            case shape_kind::list:
                if (!v.is_array()) break;
                if (scalar(shape.item->kind)) {
                    if (!check_values || !shape.item->constrained) break;
                    for (auto& item : v)
                        if (!item.is_null() && !meets(*shape.item, item)) {
                            problem(v, at, "Member must satisfy constraint: " + item_constraints(*shape.item));
                            break;
                        }
                    break;
                }
                for (std::size_t i = 0; i < v.size(); ++i)
                    if (!v[i].is_null()) value(*shape.item, v[i], where{where::step::item, &at, {}, i + 1});
                break;
            case shape_kind::map:
                if (!v.is_object()) break;
                if (check_values && shape.key->constrained)
                    for (auto& [k, mv] : v.items())
                        if (!meets(*shape.key, json(k))) {
                            problem(v, at, "Map keys must satisfy constraint: " + item_constraints(*shape.key));
                            break;
                        }
                if (scalar(shape.value->kind)) {
                    if (!check_values || !shape.value->constrained) break;
                    for (auto& [k, mv] : v.items())
                        if (!mv.is_null() && !meets(*shape.value, mv)) {
                            problem(v, at, "Map value must satisfy constraint: " + item_constraints(*shape.value));
                            break;
                        }
                    break;
                }
                for (auto& [k, mv] : v.items())
                    if (!mv.is_null()) value(*shape.value, mv, where{where::step::value, &at, k});
                break;
            default:
                break;
        }
    }

    bool required(const shape_node& shape, std::string_view name) const {
        for (auto r : shape.required)
            if (r == name) return true;
        return false;
    }

    void structure(const shape_node& shape, const json& v, const where* at) {
        if (!v.is_object()) return;
        if (!check_values) {
            // SQS names only the first missing parameter: look for nothing else, at no cost
            for (auto name : shape.required)
                if (auto it = v.find(name); (it == v.end() || it->is_null()) && first_missing.empty())
                    first_missing = name;
            for (auto it = v.begin(); it != v.end(); ++it) {
                if (!it->is_object() && !it->is_array()) continue;
                if (auto* member = shape.find(it.key()))
                    value(*member->target, *it, where{where::step::member, at, member->name});
            }
            return;
        }
        for (auto& member : shape.members) {
            auto it = v.find(member.name);
            if (it == v.end() || it->is_null()) {
                if (required(shape, member.name))
                    problem(json(), where{where::step::member, at, member.name}, "Member must not be null");
                continue;
            }
            value(*member.target, *it, where{where::step::member, at, member.name});
        }
    }
};

}  // namespace

// S3 is no Coral service: it names no constraint in its errors, and a document
// missing what its schema requires is MalformedXML. Its handlers check the rest.
bool s3_complete(const shape_node& shape, const json& value) {
    if (shape.kind == shape_kind::structure) {
        if (!value.is_object()) return false;
        for (auto name : shape.required)
            if (!value.contains(name)) return false;
        for (auto& member : shape.members)
            if (auto it = value.find(member.name); it != value.end() && !s3_complete(*member.target, *it)) return false;
    } else if (shape.kind == shape_kind::list) {
        if (!value.is_array()) return false;
        for (auto& item : value)
            if (!s3_complete(*shape.item, item)) return false;
    }
    return true;
}

void validate_input(const operation_ref& op, const json& input) {
    auto* shape = op.model->input_node(*op.op);
    if (!shape) return;
    if (op.service && op.service->id == "s3") {
        if (!s3_complete(*shape, input))
            throw aws_error("MalformedXML",
                            "The XML you provided was not well-formed or did not validate against our "
                            "published schema");
        return;
    }
    auto s = style_of(op);
    checker c{s != style::sqs, {}, {}};
    c.structure(*shape, input, nullptr);
    if (s == style::sqs) {
        if (!c.first_missing.empty())
            throw aws_error("MissingParameter", "The request must contain the parameter " + c.first_missing + ".");
        return;
    }
    if (c.problems.empty()) return;
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
