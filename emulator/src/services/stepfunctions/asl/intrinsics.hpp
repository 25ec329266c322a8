#pragma once

#include "services/stepfunctions/asl/json_path.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::asl {

struct intrinsic_call;

// One argument of an intrinsic: a literal, a path into the scope, or a nested call. String
// literals keep their source text too, because States.Format tells `{}` from `\{\}` by it.
struct intrinsic_arg {
    enum class kind { literal, path, call };
    kind what = kind::literal;
    json value;
    std::string raw;
    std::shared_ptr<const json_path> path;
    std::shared_ptr<const intrinsic_call> call;
};

// A parsed `States.Name(args...)` expression. Parsed once when the definition is read.
struct intrinsic_call {
    std::string name;
    std::vector<intrinsic_arg> args;
};

// True when a `.$` value is an intrinsic call rather than a path.
bool looks_like_intrinsic(std::string_view text);

// Throws std::invalid_argument when `text` is not a call of a known intrinsic with an accepted
// number of arguments.
intrinsic_call parse_intrinsic(std::string_view text);

// Evaluates the call; States.IntrinsicFailure when arguments break the function's rules.
json evaluate_intrinsic(const intrinsic_call& call, const path_scope& scope);
json evaluate_intrinsic(std::string_view text, const path_scope& scope);

}  // namespace eddy::asl
