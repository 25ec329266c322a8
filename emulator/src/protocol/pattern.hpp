#pragma once

#include <memory>
#include <regex>
#include <string>
#include <string_view>

namespace eddy::protocol {

// A shape's `pattern` (a Java regular expression, as the botocore models carry them)
// compiled once when its model is parsed and shared read-only by every request thread.
// Java's syntax is translated to std::wregex's ECMAScript over UTF-32 code points.
//
// Constructs eddy cannot evaluate as Java does are not checked at all (compile returns
// null), so that valid input is never refused: Unicode categories other than the POSIX
// ASCII ones (\p{L}, \p{Z}, \p{N}, ... as in the tag patterns of ECS, Logs, STS, SSM),
// lookbehind ((?<!...)), inline flags other than a leading (?i), possessive quantifiers,
// nested or intersected classes ([a[b]], &&), \Q..\E, \A \z \G \R \h \k, and bounded
// repeats above 1000 (SSM's ^.{1,100000}$). Texts longer than max_checked_length code
// points are not checked either: std::regex recurses once per character.
class shape_pattern {
  public:
    static constexpr std::size_t max_checked_length = 2048;

    static std::shared_ptr<const shape_pattern> compile(std::string_view java);

    // Whether all of `utf8` matches, as Java's Matcher.matches() decides.
    bool matches(std::string_view utf8) const;
    const std::string& source() const { return source_; }

  private:
    std::string source_;
    std::wregex regex_;
};

}  // namespace eddy::protocol
