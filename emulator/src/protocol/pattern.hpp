#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace eddy::protocol {

class java_regex;

// A shape's `pattern` (a Java regular expression, as the botocore models carry them),
// evaluated by eddy's own engine (protocol/java_regex.hpp) over the code points of a value.
// Compiled on first use, not when its model is parsed: a model has up to a hundred patterns
// and most requests touch a few. Shared read-only by every request thread once compiled.
//
// A pattern the engine cannot read (none of the embedded models' patterns: a unit test
// compiles them all) is not checked, so that valid input is never refused; neither is a
// value that is not UTF-8.
class shape_pattern {
  public:
    explicit shape_pattern(std::string java);
    ~shape_pattern();

    // Compiled at once: null when the engine cannot read it (for tests and tools).
    static std::shared_ptr<const shape_pattern> compile(std::string_view java);

    // Whether all of `utf8` matches, as Java's Matcher.matches() decides.
    bool matches(std::string_view utf8) const;
    // Whether the engine reads the pattern; `error` says why not.
    bool supported() const { return regex() != nullptr; }
    const std::string& error() const;
    const std::string& source() const { return source_; }

  private:
    const java_regex* regex() const;

    std::string source_;
    mutable std::once_flag compiled_;
    mutable std::unique_ptr<java_regex> regex_;
    mutable std::string error_;
};

}  // namespace eddy::protocol
