#include "services/ssm/rules.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace eddy;
using namespace eddy::ssm;

namespace {

// The code and message of what `fn` throws, or empty strings when it throws nothing.
template <typename F>
std::pair<std::string, std::string> error_of(F fn) {
    try {
        fn();
    } catch (const aws_error& e) {
        return {e.code, e.message()};
    }
    return {};
}

std::string code_of_name(const std::string& name) {
    return error_of([&] { check_new_name(name); }).first;
}

string_filter filter(std::string key, std::string option, std::vector<std::string> values) {
    return {std::move(key), std::move(option), std::move(values)};
}

std::string code_of_filters(std::vector<string_filter> filters, filter_use use) {
    return error_of([&] { check_filters(filters, use); }).first;
}

}  // namespace

TEST_CASE("ssm names: what PutParameter accepts") {
    CHECK(code_of_name("db") == "");
    CHECK(code_of_name("/app/db") == "");
    CHECK(code_of_name("/a.b-c_d/E9") == "");
    CHECK(code_of_name("/app/prod/db/password") == "");
}

TEST_CASE("ssm names: slashes, characters and depth") {
    auto [code, message] = error_of([] { check_new_name("app/db"); });
    CHECK(code == "ValidationException");
    CHECK(message == "Parameter name must be a fully qualified name.");
    auto bad = error_of([] { check_new_name("/app/d b"); });
    CHECK(bad.first == "ValidationException");
    CHECK(
        bad.second.starts_with("Parameter name: can't be prefixed with \"ssm\" (case-insensitive). If formed as a "
                               "path"));
    CHECK(code_of_name("/app//db") == "ValidationException");
    CHECK(code_of_name("/app/db/") == "ValidationException");
    CHECK(code_of_name("db$") == "ValidationException");

    std::string deep;
    for (int i = 0; i < 15; ++i)
        deep += "/l" + std::to_string(i);
    CHECK(code_of_name(deep) == "");
    auto too_deep = error_of([&] { check_new_name(deep + "/x"); });
    CHECK(too_deep.first == "HierarchyLevelLimitExceededException");
    CHECK(too_deep.second.starts_with("A hierarchy can have a maximum of 15 levels."));
}

TEST_CASE("ssm names: the reserved aws and ssm prefixes") {
    auto plain = error_of([] { check_new_name("AWSconfig"); });
    CHECK(plain.first == "ValidationException");
    CHECK(plain.second == "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive).");
    CHECK(code_of_name("/ssm") == "ValidationException");
    auto aws_path = error_of([] { check_new_name("/aws/x"); });
    CHECK(aws_path.first == "AccessDeniedException");
    CHECK(aws_path.second == "No access to reserved parameter name: /aws/x.");
    auto ssm_path = error_of([] { check_new_name("/Ssm/x"); });
    CHECK(ssm_path.first == "ValidationException");
    CHECK(ssm_path.second.starts_with("Parameter name: can't be prefixed with \"ssm\" (case-insensitive)."));
}

TEST_CASE("ssm names: reads check their names; one level is one parameter with or without a slash") {
    CHECK(error_of([] { check_read_name("/a/b"); }).first == "");
    CHECK(error_of([] { check_read_name("db"); }).first == "");
    CHECK(error_of([] { check_read_name("a/b/c"); }).first == "ValidationException");
    CHECK(error_of([] { check_read_name("/a//b"); }).first == "ValidationException");
    CHECK(key_of("/db") == "db");
    CHECK(key_of("db") == "db");
    CHECK(key_of("/app/db") == "/app/db");
}

TEST_CASE("ssm references: versions, labels and ARNs") {
    auto plain = parse_reference("/app/db");
    REQUIRE(plain);
    CHECK(plain->name == "/app/db");
    CHECK_FALSE(plain->version);
    CHECK(plain->selector.empty());

    auto version = parse_reference("/app/db:12");
    REQUIRE(version);
    CHECK(version->name == "/app/db");
    CHECK(version->version == 12);
    CHECK(version->selector == ":12");

    auto label = parse_reference("db:prod");
    REQUIRE(label);
    CHECK(label->name == "db");
    CHECK(label->label == "prod");
    CHECK(label->selector == ":prod");

    auto arn = parse_reference("arn:aws:ssm:us-east-1:000000000000:parameter/app/db:prod");
    REQUIRE(arn);
    CHECK(arn->name == "/app/db");
    CHECK(arn->label == "prod");
    CHECK(name_of("arn:aws:ssm:us-east-1:000000000000:parameter/db") == "db");
    CHECK(name_of("/app/db") == "/app/db");

    CHECK_FALSE(parse_reference("/app/db:"));
    CHECK_FALSE(parse_reference("/app/db:1:2"));
}

TEST_CASE("ssm labels: AWS's rules") {
    CHECK(label_valid("prod"));
    CHECK(label_valid("Release_1.2-rc"));
    CHECK_FALSE(label_valid("1st"));
    CHECK_FALSE(label_valid("awsLabel"));
    CHECK_FALSE(label_valid("SSM-x"));
    CHECK_FALSE(label_valid("has space"));
    CHECK_FALSE(label_valid("a/b"));
    CHECK_FALSE(label_valid(std::string(101, 'a')));
    CHECK(label_valid(std::string(100, 'a')));
}

TEST_CASE("ssm paths: one level or all below") {
    CHECK(under_path("/a/b", "/a", false));
    CHECK(under_path("/a/b", "/a/", false));
    CHECK_FALSE(under_path("/a/b/c", "/a", false));
    CHECK(under_path("/a/b/c", "/a", true));
    CHECK_FALSE(under_path("/ab/c", "/a", true));
    CHECK_FALSE(under_path("/a", "/a", true));
    CHECK(under_path("db", "/", false));
    CHECK(under_path("/db", "/", false));
    CHECK_FALSE(under_path("/a/db", "/", false));
    CHECK(under_path("/a/db", "/", true));
    CHECK(error_of([] { check_path("a/b"); }).first == "ValidationException");
    CHECK(error_of([] { check_path("/a b"); }).first == "ValidationException");
    CHECK(error_of([] { check_path("/"); }).first == "");
}

TEST_CASE("ssm filters: keys each operation allows") {
    CHECK(code_of_filters({filter("Label", "", {"x"})}, filter_use::describe) == "InvalidFilterKey");
    CHECK(code_of_filters({filter("Label", "", {"x"})}, filter_use::by_path) == "");
    CHECK(code_of_filters({filter("Name", "", {"x"})}, filter_use::by_path) == "InvalidFilterKey");
    CHECK(code_of_filters({filter("tag:team", "", {"x"})}, filter_use::by_path) == "InvalidFilterKey");
    CHECK(code_of_filters({filter("tag:team", "", {})}, filter_use::describe) == "");
    CHECK(code_of_filters({filter("Name", "", {})}, filter_use::describe) == "InvalidFilterValue");
    CHECK(code_of_filters({filter("Type", "", {"String"}), filter("Type", "", {"SecureString"})},
                          filter_use::describe) == "InvalidFilterKey");
}

TEST_CASE("ssm filters: options and values") {
    CHECK(code_of_filters({filter("Name", "Contains", {"x"})}, filter_use::describe) == "");
    CHECK(code_of_filters({filter("Type", "Contains", {"String"})}, filter_use::describe) == "InvalidFilterOption");
    CHECK(code_of_filters({filter("Label", "BeginsWith", {"x"})}, filter_use::by_path) == "InvalidFilterOption");
    CHECK(code_of_filters({filter("Path", "Equals", {"/a"})}, filter_use::describe) == "InvalidFilterOption");
    CHECK(code_of_filters({filter("Type", "", {"Number"})}, filter_use::describe) == "InvalidFilterOption");
    CHECK(code_of_filters({filter("Tier", "", {"Premium"})}, filter_use::describe) == "InvalidFilterOption");
    CHECK(code_of_filters({filter("Path", "", {"/aws/service"})}, filter_use::describe) == "ValidationException");
    CHECK(code_of_filters({filter("Path", "", {"a"})}, filter_use::describe) == "ValidationException");

    auto [code, message] = error_of([] {
        std::vector f{filter("Type", "Contains", {"String"})};
        check_filters(f, filter_use::describe);
    });
    CHECK(message ==
          "The following filter option is not valid: Contains. Valid options include: [BeginsWith, Equals].");
    std::vector defaults{filter("Path", "", {"/a"}), filter("Name", "", {"/a"})};
    check_filters(defaults, filter_use::describe);
    CHECK(defaults[0].option == "OneLevel");
    CHECK(defaults[1].option == "Equals");
}

TEST_CASE("ssm filters: what matches") {
    filter_subject p{"/app/db", "SecureString", "alias/aws/ssm", "Standard", "text", {"prod"}, {{"team", "core"}}};
    CHECK(matches(p, filter("Name", "Equals", {"/app/db"})));
    CHECK(matches(p, filter("Name", "Equals", {"app/db"})));  // the leading slash is implied
    CHECK(matches(p, filter("Name", "BeginsWith", {"/app"})));
    CHECK(matches(p, filter("Name", "Contains", {"pp/d"})));
    CHECK_FALSE(matches(p, filter("Name", "Equals", {"/app"})));
    CHECK(matches(p, filter("Type", "Equals", {"String", "SecureString"})));
    CHECK(matches(p, filter("KeyId", "BeginsWith", {"alias/"})));
    CHECK(matches(p, filter("Tier", "Equals", {"Standard"})));
    CHECK(matches(p, filter("DataType", "Equals", {"text"})));
    CHECK(matches(p, filter("Label", "Equals", {"prod", "qa"})));
    CHECK_FALSE(matches(p, filter("Label", "Equals", {"qa"})));
    CHECK(matches(p, filter("Path", "OneLevel", {"/app"})));
    CHECK_FALSE(matches(p, filter("Path", "OneLevel", {"/"})));
    CHECK(matches(p, filter("Path", "Recursive", {"/"})));
    CHECK(matches(p, filter("tag:team", "Equals", {"core"})));
    CHECK(matches(p, filter("tag:team", "Equals", {})));
    CHECK_FALSE(matches(p, filter("tag:owner", "Equals", {})));
    filter_subject plain{"db", "String", "", "Standard", "text", {}, {}};
    CHECK_FALSE(matches(plain, filter("KeyId", "BeginsWith", {"alias"})));
}
