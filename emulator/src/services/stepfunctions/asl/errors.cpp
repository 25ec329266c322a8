#include "services/stepfunctions/asl/errors.hpp"

namespace eddy::asl {

std::string invalid_definition_message(const std::vector<std::string>& diagnostics) {
    std::string out = "Invalid State Machine Definition: '";
    for (std::size_t i = 0; i < diagnostics.size(); ++i) {
        if (i) out += ", ";
        out += diagnostics[i];
    }
    return out + "'";
}

invalid_definition::invalid_definition(std::vector<std::string> diagnostics)
    : std::runtime_error(invalid_definition_message(diagnostics)), diagnostics(std::move(diagnostics)) {}

}  // namespace eddy::asl
