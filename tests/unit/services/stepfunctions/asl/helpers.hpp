#pragma once

#include "services/stepfunctions/asl/definition.hpp"

#include <doctest/doctest.h>

#include <string>

namespace eddy::asl::testing {

// A one-state machine around `state_json` (named "S"), parsed and validated like a real one.
inline state_machine machine_with(const std::string& state_json) {
    return parse_definition(R"({"StartAt": "S", "States": {"S": )" + state_json + "}}");
}

}  // namespace eddy::asl::testing
