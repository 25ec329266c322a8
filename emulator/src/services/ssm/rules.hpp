#pragma once

#include "core/aws_error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Parameter Store's rules that need no state: names, selectors, labels and the
// ParameterFilters of DescribeParameters and GetParametersByPath. Each check throws the
// aws_error AWS answers with.
namespace eddy::ssm {

inline constexpr int max_hierarchy_levels = 15;
inline constexpr std::size_t max_labels_per_version = 10;
inline constexpr std::size_t max_versions = 100;
inline constexpr std::size_t standard_value_limit = 4096;
inline constexpr std::size_t advanced_value_limit = 8192;

// A name PutParameter may create: characters, leading slash, hierarchy depth and the
// reserved "aws" and "ssm" prefixes.
void check_new_name(std::string_view name);

// A name a reading operation is given: no empty levels, a hierarchy starts with a slash.
void check_read_name(std::string_view name);

// Where a parameter is kept: a one-level name is the same parameter with or without its
// leading slash ("/db" is "db", as their one ARN says), so that slash is dropped.
std::string key_of(std::string_view name);

// What a reading operation names: a parameter, by name or ARN, and maybe one of its
// versions or labels after a colon ("/app/db:3", "/app/db:prod").
struct reference {
    std::string name;
    std::optional<std::int64_t> version;
    std::string label;     // empty unless a label was given
    std::string selector;  // ":3" or ":prod" as given, empty without one
};
// nullopt for text that cannot name a parameter (more than one selector, an empty one).
std::optional<reference> parse_reference(std::string_view text);

// The name inside a parameter ARN ("arn:aws:ssm:r:a:parameter/app/db" -> "/app/db"),
// or `text` itself when it is not one.
std::string name_of(std::string_view text);

// Labels: up to 100 letters, digits, '.', '-' and '_', not starting with a digit or
// with "aws" or "ssm" in any case.
bool label_valid(std::string_view label);

// One ParameterFilters entry.
struct string_filter {
    std::string key, option;
    std::vector<std::string> values;
};

// What a parameter shows the filters.
struct filter_subject {
    std::string name, type, key_id, tier, data_type;
    std::vector<std::string> labels;  // of its newest version
    std::vector<std::pair<std::string, std::string>> tags;
};

enum class filter_use { describe, by_path };

// Checks filters as the operation they are for does, filling in the default options.
void check_filters(std::vector<string_filter>& filters, filter_use use);
bool matches(const filter_subject& p, const string_filter& f);

// Whether `name` lies under `path` ("/a"): directly below it, or anywhere below with
// `recursive`. The path "/" holds every name.
bool under_path(std::string_view name, std::string_view path, bool recursive);

// The parameter name a tagging operation is given, checked as AWS checks it there.
void check_tagged_name(std::string_view name);

// GetParametersByPath's Path: a slash-led hierarchy of allowed characters.
void check_path(std::string_view path);

}  // namespace eddy::ssm
