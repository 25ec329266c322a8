#include "services/stepfunctions/asl/timestamp.hpp"

#include <doctest/doctest.h>

using namespace eddy::asl;

TEST_CASE("timestamps: RFC 3339 with uppercase T and Z") {
    CHECK(parse_timestamp("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_timestamp("2016-03-14T01:59:00Z") == 1457920740LL * 1000000000);
    CHECK(parse_timestamp("2016-03-14T01:59:00.5Z") == 1457920740LL * 1000000000 + 500000000);
    CHECK(parse_timestamp("2016-03-14T03:59:00+02:00") == parse_timestamp("2016-03-14T01:59:00Z"));
    CHECK(parse_timestamp("2016-03-13T23:59:00-02:00") == parse_timestamp("2016-03-14T01:59:00Z"));
    CHECK(parse_timestamp("2024-02-29T00:00:00Z").has_value());
    for (const char* bad : {"2016-03-14t01:59:00Z", "2016-03-14T01:59:00z", "2016-03-14 01:59:00Z",
                            "2016-03-14T01:59:00", "2016-03-14", "2023-02-29T00:00:00Z", "2016-13-01T00:00:00Z",
                            "2016-03-14T24:00:00Z", "2016-03-14T01:59:00.Z", "2016-03-14T01:59:00+0200", "x"})
        CHECK_MESSAGE(!parse_timestamp(bad), bad);
}
