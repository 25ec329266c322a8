#include "runtime/docker/frames.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

using eddy::runtime::docker::frame_decoder;

namespace {

std::string frame(char stream, const std::string& payload) {
    std::string h(8, '\0');
    h[0] = stream;
    auto n = static_cast<std::uint32_t>(payload.size());
    h[4] = static_cast<char>(n >> 24);
    h[5] = static_cast<char>(n >> 16);
    h[6] = static_cast<char>(n >> 8);
    h[7] = static_cast<char>(n);
    return h + payload;
}

// Feeds `bytes` in pieces of `step` and joins what each stream received.
std::pair<std::string, std::string> decode(const std::string& bytes, std::size_t step) {
    frame_decoder d;
    std::string out, err;
    for (std::size_t i = 0; i < bytes.size(); i += step)
        d.feed(std::string_view(bytes).substr(i, step), [&](int s, std::string_view p) { (s == 2 ? err : out) += p; });
    CHECK(d.at_boundary());
    return {out, err};
}

}  // namespace

TEST_CASE("frame decoder: stdout and stderr frames, cut at every possible place") {
    std::string big(70000, 'x');  // a size that needs three bytes of the length field
    std::string bytes = frame(1, "hello\n") + frame(2, "oops\n") + frame(1, "") + frame(1, big) + frame(2, "e2");
    for (std::size_t step :
         {std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{8}, std::size_t{4096}, bytes.size()}) {
        CAPTURE(step);
        auto [out, err] = decode(bytes, step);
        CHECK(out == "hello\n" + big);
        CHECK(err == "oops\ne2");
    }
}

TEST_CASE("frame decoder: stdin (0) counts as stdout; a cut header waits for the rest") {
    frame_decoder d;
    std::vector<std::pair<int, std::string>> got;
    auto sink = [&](int s, std::string_view p) { got.emplace_back(s, std::string(p)); };
    auto f = frame(0, "in");
    d.feed(f.substr(0, 5), sink);
    CHECK(got.empty());
    CHECK_FALSE(d.at_boundary());
    d.feed(f.substr(5), sink);
    REQUIRE(got.size() == 1);
    CHECK(got[0] == std::pair<int, std::string>{1, "in"});
}
