// AWS's validation and serialization messages, as data: each file in validation/ lists
// requests (service, operation, wire JSON body) and what AWS answers to each. Each row
// goes through the real embedded model: the json codec, then the validator.
#include "protocol/codec.hpp"

#include "wire_helpers.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace eddy;
using namespace eddy::protocol;
using namespace eddy::protocol::test;

namespace {

const std::filesystem::path data_dir = EDDY_VALIDATION_TEST_DATA;

// The error code and message a request draws, or two empty strings when it is accepted.
std::pair<std::string, std::string> answer(const operation_ref& op, const json& body) {
    try {
        auto version = op.model->metadata().value("jsonVersion", "1.0");
        auto input = decode_request(
            op, json_request(std::string(op.service->target_prefix) + "." + op.name, body.dump(), version));
        validate_input(op, input);
    } catch (const aws_error& e) {
        return {e.code, e.message()};
    }
    return {};
}

}  // namespace

TEST_CASE("validation messages: every row of every table answers what AWS answers") {
    std::size_t rows = 0;
    for (const auto& entry : std::filesystem::directory_iterator(data_dir)) {
        if (entry.path().extension() != ".json") continue;
        std::ifstream in(entry.path());
        json table = json::parse(in);
        auto& service = table.at("service");
        for (auto& row : table.at("cases")) {
            auto op = op_ref(service.get<std::string>(), table.value("model", service.get<std::string>()), "json",
                             row.at("operation").get<std::string>());
            auto [code, message] = answer(op, row.at("input"));
            INFO(entry.path().filename().string() << ": " << row.value("name", row.at("operation").dump()));
            CHECK(code == row.value("code", ""));
            CHECK(message == row.value("message", ""));
            ++rows;
        }
    }
    CHECK(rows >= 20);
}
