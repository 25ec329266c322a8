#include "services/stepfunctions/asl/choice.hpp"

#include "services/stepfunctions/asl/timestamp.hpp"

#include <map>

namespace eddy::asl {

namespace {

enum class operand_type { string, number, boolean, timestamp, pattern };

struct op_info {
    operand_type type;
    const char* compare;  // "eq", "lt", "gt", "le", "ge", or a type test
};

const std::map<std::string, op_info>& operators() {
    static const std::map<std::string, op_info> table = [] {
        std::map<std::string, op_info> t;
        const std::pair<const char*, const char*> comparisons[] = {{"Equals", "eq"},
                                                                   {"LessThan", "lt"},
                                                                   {"GreaterThan", "gt"},
                                                                   {"LessThanEquals", "le"},
                                                                   {"GreaterThanEquals", "ge"}};
        const std::pair<const char*, operand_type> families[] = {{"String", operand_type::string},
                                                                 {"Numeric", operand_type::number},
                                                                 {"Timestamp", operand_type::timestamp}};
        for (auto [family, type] : families)
            for (auto [suffix, cmp] : comparisons)
                t[std::string(family) + suffix] = {type, cmp};
        t["BooleanEquals"] = {operand_type::boolean, "eq"};
        t["StringMatches"] = {operand_type::pattern, "match"};
        for (const char* test : {"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"})
            t[test] = {operand_type::boolean, test};
        return t;
    }();
    return table;
}

// The operator a field names, and whether it is the *Path form.
const op_info* find_operator(const std::string& field, bool& path_form) {
    const auto& ops = operators();
    if (auto it = ops.find(field); it != ops.end()) {
        path_form = false;
        return &it->second;
    }
    if (field.ends_with("Path")) {
        std::string base = field.substr(0, field.size() - 4);
        if (auto it = ops.find(base); it != ops.end() && base != "StringMatches" && !base.starts_with("Is")) {
            path_form = true;
            return &it->second;
        }
    }
    return nullptr;
}

bool operand_fits(operand_type type, const json& v) {
    switch (type) {
        case operand_type::string:
        case operand_type::pattern:
            return v.is_string();
        case operand_type::number:
            return v.is_number();
        case operand_type::boolean:
            return v.is_boolean();
        case operand_type::timestamp:
            return v.is_string() && parse_timestamp(v.get<std::string>()).has_value();
    }
    return false;
}

const char* type_label(operand_type type) {
    switch (type) {
        case operand_type::number:
            return "Number";
        case operand_type::boolean:
            return "Boolean";
        default:
            return "String";
    }
}

template <typename T>
bool ordered(const T& a, const T& b, std::string_view cmp) {
    if (cmp == "eq") return a == b;
    if (cmp == "lt") return a < b;
    if (cmp == "gt") return a > b;
    if (cmp == "le") return a <= b;
    return a >= b;
}

bool numbers(const json& a, const json& b, std::string_view cmp) {
    if (a.is_number_integer() && b.is_number_integer()) return ordered(a.get<long long>(), b.get<long long>(), cmp);
    return ordered(a.get<double>(), b.get<double>(), cmp);
}

bool compare_values(const op_info& info, const json& value, const json& operand) {
    std::string_view cmp = info.compare;
    switch (info.type) {
        case operand_type::string:
            return value.is_string() && operand.is_string() &&
                   ordered(value.get_ref<const std::string&>(), operand.get_ref<const std::string&>(), cmp);
        case operand_type::pattern:
            return value.is_string() && operand.is_string() &&
                   string_matches(value.get<std::string>(), operand.get<std::string>());
        case operand_type::number:
            return value.is_number() && operand.is_number() && numbers(value, operand, cmp);
        case operand_type::timestamp: {
            if (!value.is_string() || !operand.is_string()) return false;
            auto a = parse_timestamp(value.get<std::string>());
            auto b = parse_timestamp(operand.get<std::string>());
            return a && b && ordered(*a, *b, cmp);
        }
        case operand_type::boolean:
            break;
    }
    if (cmp == "eq") return value.is_boolean() && operand.is_boolean() && value == operand;
    bool expected = operand.get<bool>();
    bool actual = false;
    if (cmp == "IsNull")
        actual = value.is_null();
    else if (cmp == "IsNumeric")
        actual = value.is_number();
    else if (cmp == "IsString")
        actual = value.is_string();
    else if (cmp == "IsBoolean")
        actual = value.is_boolean();
    else if (cmp == "IsTimestamp")
        actual = value.is_string() && parse_timestamp(value.get<std::string>()).has_value();
    return actual == expected;
}

// The value a rule's Variable or *Path operand names; a path that names nothing is
// States.Runtime, worded as AWS words it for Choice states.
json condition_value(const json_path& path, const path_scope& scope) {
    if (auto found = path.find(scope)) return std::move(*found);
    throw states_error(error_names::runtime, "Invalid path '" + path.text() +
                                                 "': The choice state's condition path references an invalid value.");
}

void unsupported(const std::string& field, const std::string& location, std::vector<std::string>& diagnostics) {
    diagnostics.push_back("SCHEMA_VALIDATION_FAILED: Field '" + field + "' is not supported at " + location);
}

}  // namespace

bool string_matches(std::string_view value, std::string_view pattern) {
    // Tokens: literal characters, or -1 for a wildcard.
    std::vector<int> tokens;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size() && (pattern[i + 1] == '*' || pattern[i + 1] == '\\')) {
            tokens.push_back(static_cast<unsigned char>(pattern[++i]));
        } else if (c == '*') {
            tokens.push_back(-1);
        } else {
            tokens.push_back(static_cast<unsigned char>(c));
        }
    }
    // Greedy matching with one backtrack point per star: linear in practice.
    std::size_t v = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (v < value.size()) {
        if (t < tokens.size() && tokens[t] == -1) {
            star = t++;
            mark = v;
        } else if (t < tokens.size() && tokens[t] == static_cast<unsigned char>(value[v])) {
            ++t;
            ++v;
        } else if (star != std::string_view::npos) {
            t = star + 1;
            v = ++mark;
        } else {
            return false;
        }
    }
    while (t < tokens.size() && tokens[t] == -1)
        ++t;
    return t == tokens.size();
}

std::optional<choice_rule> parse_choice_rule(const json& j, const std::string& location, bool top_level,
                                             std::vector<std::string>& diagnostics) {
    if (!j.is_object()) {
        diagnostics.push_back("SCHEMA_VALIDATION_FAILED: Expected value of type Object at " + location);
        return std::nullopt;
    }
    choice_rule rule;
    std::size_t before = diagnostics.size();
    std::vector<std::string> operator_fields;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const auto& key = it.key();
        bool path_form = false;
        if (key == "Variable" || key == "Comment") continue;
        if (top_level && (key == "Next" || key == "Assign")) continue;
        if (key == "And" || key == "Or" || key == "Not" || find_operator(key, path_form)) {
            operator_fields.push_back(key);
            continue;
        }
        unsupported(key, location, diagnostics);
    }
    if (top_level) {
        if (!j.contains("Next")) {
            diagnostics.push_back("SCHEMA_VALIDATION_FAILED: These fields are required: [Next] at " + location);
        } else if (!j["Next"].is_string()) {
            diagnostics.push_back("SCHEMA_VALIDATION_FAILED: Expected value of type String at " + location + "/Next");
        } else {
            rule.next = j["Next"].get<std::string>();
        }
        if (j.contains("Assign")) {
            if (!j["Assign"].is_object())
                diagnostics.push_back("SCHEMA_VALIDATION_FAILED: Expected value of type Object at " + location +
                                      "/Assign");
            else
                rule.assign = j["Assign"];
        }
    }
    if (operator_fields.size() != 1) {
        diagnostics.push_back("SCHEMA_VALIDATION_FAILED: A choice rule must have exactly one comparison operator at " +
                              location);
        return std::nullopt;
    }
    const std::string& op = operator_fields[0];
    rule.op = op;
    if (op == "And" || op == "Or") {
        rule.what = op == "And" ? choice_rule::kind::and_ : choice_rule::kind::or_;
        const json& list = j[op];
        if (!list.is_array() || list.empty()) {
            diagnostics.push_back("SCHEMA_VALIDATION_FAILED: The field '" + op +
                                  "' must be a non-empty array of choice rules at " + location + "/" + op);
            return std::nullopt;
        }
        if (j.contains("Variable")) unsupported("Variable", location, diagnostics);
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto child = parse_choice_rule(list[i], location + "/" + op + "/" + std::to_string(i), false, diagnostics);
            if (child) rule.children.push_back(std::move(*child));
        }
    } else if (op == "Not") {
        rule.what = choice_rule::kind::not_;
        if (j.contains("Variable")) unsupported("Variable", location, diagnostics);
        auto child = parse_choice_rule(j["Not"], location + "/Not", false, diagnostics);
        if (child) rule.children.push_back(std::move(*child));
    } else {
        rule.what = choice_rule::kind::compare;
        if (!j.contains("Variable")) {
            diagnostics.push_back("SCHEMA_VALIDATION_FAILED: These fields are required: [Variable] at " + location);
        } else if (!j["Variable"].is_string() || !json_path::valid(j["Variable"].get<std::string>())) {
            diagnostics.push_back(
                "SCHEMA_VALIDATION_FAILED: The value for the field 'Variable' must be a valid "
                "JSONPath at " +
                location + "/Variable");
        } else {
            rule.variable = json_path::parse(j["Variable"].get<std::string>());
        }
        bool path_form = false;
        const op_info* info = find_operator(op, path_form);
        const json& operand = j[op];
        if (path_form) {
            if (!operand.is_string() || !json_path::valid(operand.get<std::string>()))
                diagnostics.push_back("SCHEMA_VALIDATION_FAILED: The value for the field '" + op +
                                      "' must be a valid JSONPath at " + location + "/" + op);
            else
                rule.operand_path = json_path::parse(operand.get<std::string>());
        } else if (!operand_fits(info->type, operand)) {
            if (info->type == operand_type::timestamp && operand.is_string())
                diagnostics.push_back("SCHEMA_VALIDATION_FAILED: The value for the field '" + op +
                                      "' must be a valid timestamp at " + location + "/" + op);
            else
                diagnostics.push_back("SCHEMA_VALIDATION_FAILED: Expected value of type " +
                                      std::string(type_label(info->type)) + " at " + location + "/" + op);
        } else {
            rule.operand = operand;
        }
    }
    if (diagnostics.size() != before) return std::nullopt;
    return rule;
}

bool evaluate_choice_rule(const choice_rule& rule, const path_scope& scope) {
    switch (rule.what) {
        case choice_rule::kind::and_:
            for (const auto& child : rule.children)
                if (!evaluate_choice_rule(child, scope)) return false;
            return true;
        case choice_rule::kind::or_:
            for (const auto& child : rule.children)
                if (evaluate_choice_rule(child, scope)) return true;
            return false;
        case choice_rule::kind::not_:
            return !evaluate_choice_rule(rule.children.at(0), scope);
        case choice_rule::kind::compare:
            break;
    }
    if (rule.op == "IsPresent") return rule.variable->find(scope).has_value() == rule.operand.get<bool>();
    json value = condition_value(*rule.variable, scope);
    bool path_form = false;
    const op_info* info = find_operator(rule.op, path_form);
    if (rule.operand_path) return compare_values(*info, value, condition_value(*rule.operand_path, scope));
    return compare_values(*info, value, rule.operand);
}

}  // namespace eddy::asl
