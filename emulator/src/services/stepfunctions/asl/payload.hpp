#pragma once

#include "services/stepfunctions/asl/json_path.hpp"

#include <string>
#include <vector>

namespace eddy::asl {

// Payload templates (Parameters, ItemSelector, ResultSelector, Assign): JSON where a key ending in
// `.$` takes its value from a path (`$`, `$$`, `$var`) or an intrinsic call and loses the suffix.

// Adds a diagnostic for each `.$` value that is neither a path nor a valid intrinsic call;
// `location` is where the template sits ("/States/A/Parameters").
void validate_payload(const json& tmpl, const std::string& location, std::vector<std::string>& diagnostics);

// States.Runtime when a definite path finds nothing, States.IntrinsicFailure from intrinsics.
json evaluate_payload(const json& tmpl, const path_scope& scope);

}  // namespace eddy::asl
