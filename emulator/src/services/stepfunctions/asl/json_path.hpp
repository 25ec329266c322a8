#pragma once

#include "services/stepfunctions/asl/errors.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::asl {

// What a path is evaluated against: `$` is the input, `$$` the context object, `$name` a
// workflow variable (an object of name -> value). Pointers, so a scope is cheap to build per
// evaluation; any of them may be null when a field cannot see it.
struct path_scope {
    const json* input = nullptr;
    const json* context = nullptr;
    const json* variables = nullptr;
};

struct filter_node;

// One selector of a path. `recursive` applies the selector to the node and all its descendants
// (`..`).
struct path_step {
    enum class kind { names, indexes, slice, wildcard, filter };
    kind what = kind::names;
    bool recursive = false;
    std::vector<std::string> names;
    std::vector<long long> indexes;
    std::optional<long long> slice_start, slice_end;
    std::shared_ptr<const filter_node> filter;
};

// A parsed JSONPath as Step Functions reads it (Jayway's dialect): `$`, `$$` or `$name` roots,
// dot and bracket members, indexes (negative from the end), unions, slices, wildcards, `..` and
// `[?(...)]` filters. Immutable after parse; copies share filters.
class json_path {
  public:
    enum class root_kind { input, context, variable };

    // Throws std::invalid_argument saying why `text` is not a path.
    static json_path parse(std::string_view text);
    static bool valid(std::string_view text);

    const std::string& text() const { return text_; }
    root_kind root() const { return root_; }
    const std::string& variable() const { return variable_; }
    const std::vector<path_step>& steps() const { return steps_; }

    // A definite path names at most one node (only single members and indexes).
    bool definite() const;
    // A reference path (ResultPath, Choice Variable, *Path fields): definite, from `$`, no
    // negative index.
    bool reference() const;

    // All matches in document order, starting at `document` (the root the path names).
    std::vector<const json*> select(const json& document) const;
    // The value AWS passes on: the one match of a definite path (nullopt when none), an array
    // of the matches of any other path.
    std::optional<json> find(const path_scope& scope) const;
    // As find, but a definite path matching nothing is States.Runtime "Invalid path ...", worded
    // as Jayway words it: a member missing on the way is "Missing property in path $['a']", a
    // missing last step "No results for path: $['a']['b']".
    json evaluate(const path_scope& scope) const;
    // Jayway's normalized form used in AWS messages: $['a'][0].
    std::string normalized() const { return normalized(steps_.size()); }
    // The normalized form of the first `steps` steps.
    std::string normalized(std::size_t steps) const;
    // The node the root names in `scope`, or null.
    const json* root_value(const path_scope& scope) const;

  private:
    std::string text_;
    root_kind root_ = root_kind::input;
    std::string variable_;
    std::vector<path_step> steps_;
};

// ResultPath: a copy of `input` with `value` written where the reference path points, creating
// objects on the way. States.ResultPathMatchFailure when the input has no place for it.
json apply_reference_path(const json& input, const json_path& path, const json& value);

}  // namespace eddy::asl
