#include "services/kinesis/hash_key.hpp"
#include "services/kinesis/sequence.hpp"

#include <doctest/doctest.h>

using namespace eddy::kinesis;

TEST_CASE("a partition key hashes to the MD5 of its bytes as a big-endian 128-bit number") {
    // md5("a") = 0cc175b9c0f1b6a831c399e269772661
    CHECK(to_decimal(hash_of_partition_key("a")) == "16955237001963240173058271559858726497");
}

TEST_CASE("hash keys round-trip through decimal and reject what is not one") {
    CHECK(to_decimal(max_hash_key) == "340282366920938463463374607431768211455");
    CHECK(parse_decimal("340282366920938463463374607431768211455") == max_hash_key);
    CHECK_FALSE(parse_decimal("340282366920938463463374607431768211456").has_value());
    CHECK(parse_decimal("0") == hash_key(0));
    CHECK_FALSE(parse_decimal("01").has_value());
    CHECK_FALSE(parse_decimal("-1").has_value());
    CHECK_FALSE(parse_decimal("").has_value());
    CHECK_FALSE(parse_decimal("12a").has_value());
}

TEST_CASE("a new stream's shards cut the key space as AWS cuts it") {
    auto two = uniform_ranges(2);
    CHECK(to_decimal(two[0].end) == "170141183460469231731687303715884105727");
    CHECK(to_decimal(two[1].start) == "170141183460469231731687303715884105728");
    auto three = uniform_ranges(3);
    CHECK(to_decimal(three[0].end) == "113427455640312821154458202477256070484");
    CHECK(to_decimal(three[1].start) == "113427455640312821154458202477256070485");
    CHECK(to_decimal(three[1].end) == "226854911280625642308916404954512140969");
    CHECK(to_decimal(three[2].start) == "226854911280625642308916404954512140970");
    CHECK(three[2].end == max_hash_key);
    auto one = uniform_ranges(1);
    CHECK(one[0].start == 0);
    CHECK(one[0].end == max_hash_key);
    for (int n : {4, 7, 500}) {
        auto r = uniform_ranges(n);
        REQUIRE(r.size() == static_cast<std::size_t>(n));
        for (std::size_t i = 1; i < r.size(); ++i)
            CHECK(r[i].start == r[i - 1].end + 1);
    }
}

TEST_CASE("sequence numbers are 56 digits, order by counter within a shard and name their shard") {
    sequence a{1795825301, 3, 41, 1795825301356};
    auto text = a.str();
    CHECK(text.size() == 56);
    CHECK(text.rfind("49", 0) == 0);
    auto back = sequence::parse(text);
    REQUIRE(back.has_value());
    CHECK(back->shard_index == 3);
    CHECK(back->counter == 41);
    CHECK(back->arrival_ms == 1795825301356);
    sequence b = a;
    b.counter = 42;
    b.arrival_ms = a.arrival_ms - 5;  // a clock set back still cannot reorder a shard
    CHECK(a.str() < b.str());
    sequence child{1795825301, 4, 1, 1795825301000};
    CHECK(b.str() < child.str());
    CHECK_FALSE(sequence::parse("123").has_value());
    CHECK_FALSE(sequence::parse(std::string(56, '9')).has_value());
}
