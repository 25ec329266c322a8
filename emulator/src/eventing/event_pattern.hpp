#pragma once

// The event-pattern matcher shared by EventBridge rules (PutRule, TestEventPattern), EventBridge
// Pipes filters (FilterCriteria) and Lambda event-source filters.
//
// The spec is AWS's documentation ("Amazon EventBridge event patterns", "Content filtering in
// Amazon EventBridge event patterns", the comparison-operator table, "Arrays in event patterns",
// "Matching events on null values and empty strings"). Where the documentation is silent the
// behaviour follows AWS's open-source matching library (aws/event-ruler, whose README describes
// it) and results recorded against AWS in LocalStack's snapshot tests of TestEventPattern; the
// README next to the test data lists which.
//
// A pattern is compiled once into an immutable tree of small matcher nodes (an object node per
// JSON object of the pattern, a leaf per array of values, a matcher per value); matching walks
// the tree and the event together without allocating. Arrays in the event are matched
// element-wise and consistently: the fields of one pattern object must all be found in the same
// element of an event array, as AWS's rulesForJSONEvent does.
//
// Operators: exact string/number/true/false/null, prefix and suffix (each also with
// equals-ignore-case), equals-ignore-case, wildcard, anything-but (a value, a list of strings or
// of numbers, and prefix/suffix/equals-ignore-case/wildcard, each a value or a list), numeric
// (=, <, <=, >, >= and a lower/upper pair), exists, cidr (IPv4, IPv6), $or, nested objects.

#include <nlohmann/json.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace eddy::eventing {

// A pattern AWS would refuse; what() is the message AWS gives (EventBridge's
// InvalidEventPatternException text, e.g. "Event pattern is not valid. Reason: ...").
struct pattern_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace detail {
struct object_node;
}

// A compiled event pattern. Built once (when a rule, pipe or event-source mapping is created or
// updated) and then matched against every event or record; immutable, so copies share the tree
// and any number of threads may match with it at once.
class event_pattern {
  public:
    // Both throw pattern_error with AWS's message for a pattern AWS would refuse.
    static event_pattern parse(std::string_view pattern_json);
    static event_pattern from_json(const nlohmann::json& pattern);

    bool matches(const nlohmann::json& event) const;

    // Whether the pattern is `{}`, which matches every event (a filter with no condition).
    bool matches_everything() const;

    // The worst-case number of wildcard states a pattern's field can keep alive at once (AWS's
    // "complexity"); patterns at or above max_wildcard_complexity are refused as too complex.
    static constexpr int max_wildcard_complexity = 5;

  private:
    explicit event_pattern(std::shared_ptr<const detail::object_node> root);

    std::shared_ptr<const detail::object_node> root_;
};

}  // namespace eddy::eventing
