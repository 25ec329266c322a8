#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::logs {

// A FilterLogEvents pattern of the unstructured-text kind: terms that must all
// appear ("ERROR timeout"), quoted phrases ("\"connection reset\""), terms of which
// one must appear ("?ERROR ?WARN") and terms that must not ("ERROR -retry").
// Matching is case-sensitive, as in CloudWatch Logs. An empty pattern matches
// every event. Parsed once per request, then matched against each event.
class filter_pattern {
  public:
    // Nullopt with `error` set when the pattern is not one eddy understands.
    static std::optional<filter_pattern> parse(std::string_view text, std::string& error);

    bool matches(std::string_view message) const;

  private:
    std::vector<std::string> all_, any_, none_;
};

}  // namespace eddy::logs
