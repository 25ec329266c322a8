#pragma once

#include "services/stepfunctions/asl/json_path.hpp"

#include <optional>
#include <string>
#include <vector>

namespace eddy::asl {

// A Choice rule: And/Or/Not of children, or one comparison of `variable` against a literal
// operand or, for the *Path operators, the value at `operand_path`. Top-level rules carry Next
// and Assign.
struct choice_rule {
    enum class kind { and_, or_, not_, compare };
    kind what = kind::compare;
    std::vector<choice_rule> children;
    std::optional<json_path> variable;
    std::string op;  // the comparison operator's field name, e.g. "NumericLessThanPath"
    json operand;
    std::optional<json_path> operand_path;
    std::string next;
    json assign;  // null when absent
};

// Reads a rule at `location` ("/States/C/Choices/0"); problems go to `diagnostics` and the result
// is nullopt when the rule cannot be used.
std::optional<choice_rule> parse_choice_rule(const json& rule, const std::string& location, bool top_level,
                                             std::vector<std::string>& diagnostics);

// States.Runtime when the Variable (or a *Path operand) matches nothing, except for IsPresent.
bool evaluate_choice_rule(const choice_rule& rule, const path_scope& scope);

// StringMatches: '*' matches any run of characters, "\*" a literal star, "\\" a backslash.
bool string_matches(std::string_view value, std::string_view pattern);

}  // namespace eddy::asl
