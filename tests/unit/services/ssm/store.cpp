#include "services/ssm/store.hpp"

#include <doctest/doctest.h>

using namespace eddy;
using namespace eddy::ssm;

namespace {

parameter_version version(std::int64_t n, std::string value) {
    parameter_version v;
    v.version = n;
    v.value = std::move(value);
    v.type = "String";
    v.tier = "Standard";
    v.data_type = "text";
    v.modified_ms = 1'780'000'000'000 + n;
    return v;
}

}  // namespace

TEST_CASE("ssm store: a parameter comes back whole, per account and region") {
    storage::database db(":memory:");
    ssm::store s(db);
    parameter p{"000000000000", "us-east-1", "/app/db", {version(1, "a"), version(2, "b")}, {{"team", "core"}}};
    p.versions[0].labels = {"prod"};
    p.versions[1].type = "SecureString";
    p.versions[1].key_id = "alias/aws/ssm";
    s.save(p);

    auto got = s.find("000000000000", "us-east-1", "/app/db");
    REQUIRE(got);
    REQUIRE(got->versions.size() == 2);
    CHECK(got->versions[0].labels == std::vector<std::string>{"prod"});
    CHECK(got->latest().value == "b");
    CHECK(got->latest().key_id == "alias/aws/ssm");
    CHECK(got->tags == tag_map{{"team", "core"}});
    CHECK(got->find_label("prod")->version == 1);
    CHECK_FALSE(got->find_version(3));
    CHECK_FALSE(s.find("000000000000", "eu-west-1", "/app/db"));

    s.save(parameter{"000000000000", "us-east-1", "/app/a", {version(1, "x")}, {}});
    s.save(parameter{"000000000000", "us-east-1", "/app/z", {version(1, "y")}, {}});
    auto all = s.all("000000000000", "us-east-1");
    REQUIRE(all.size() == 3);
    CHECK(all[0].name == "/app/a");
    CHECK(all[2].name == "/app/z");
    CHECK(s.all("000000000000", "us-east-1", "/app/a").size() == 2);  // after a page's last name

    CHECK(s.remove("000000000000", "us-east-1", "/app/db"));
    CHECK_FALSE(s.remove("000000000000", "us-east-1", "/app/db"));
    CHECK_FALSE(s.find("000000000000", "us-east-1", "/app/db"));
}
