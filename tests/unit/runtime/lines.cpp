#include "runtime/lines.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using eddy::runtime::line_splitter;

namespace {

std::vector<std::string> split(std::vector<std::string> pieces, std::size_t max_line = 256 * 1024, bool finish = true) {
    line_splitter s(max_line);
    std::vector<std::string> lines;
    auto emit = [&](std::string_view l) { lines.emplace_back(l); };
    for (auto& p : pieces)
        s.feed(p, emit);
    if (finish) s.finish(emit);
    return lines;
}

}  // namespace

TEST_CASE("line splitter: one event per newline, wherever the bytes were cut") {
    CHECK(split({"a\nb\n"}) == std::vector<std::string>{"a", "b"});
    CHECK(split({"he", "llo\nwor", "ld\n"}) == std::vector<std::string>{"hello", "world"});
    CHECK(split({"\n\n"}) == std::vector<std::string>{"", ""});
    CHECK(split({"crlf\r\n"}) == std::vector<std::string>{"crlf"});
    CHECK(split({"a\r", "\n"}) == std::vector<std::string>{"a"});
}

TEST_CASE("line splitter: a last line without newline comes only at the end of the stream") {
    CHECK(split({"done\npartial"}, 1024, false) == std::vector<std::string>{"done"});
    CHECK(split({"done\npartial"}) == std::vector<std::string>{"done", "partial"});
    CHECK(split({""}).empty());
}

TEST_CASE("line splitter: an over-long line is delivered in pieces of the maximum size") {
    CHECK(split({"abcdefg\n"}, 3) == std::vector<std::string>{"abc", "def", "g"});
    CHECK(split({"ab", "cd", "ef\n"}, 3) == std::vector<std::string>{"abc", "def"});
    // The same pieces however the bytes were cut, and no empty line after a full piece.
    CHECK(split({"abc", "\n"}, 3) == std::vector<std::string>{"abc"});
    CHECK(split({"abcdef\n"}, 3) == std::vector<std::string>{"abc", "def"});
    CHECK(split({"a", "b", "c", "d", "e", "f", "\n"}, 3) == std::vector<std::string>{"abc", "def"});
}
