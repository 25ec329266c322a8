#pragma once

#include "storage/sqlite.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::ssm {

using tag_map = std::map<std::string, std::string>;

// One version of a parameter, as PutParameter left it.
struct parameter_version {
    std::int64_t version = 0;
    std::string value, type, key_id, description, allowed_pattern, tier, data_type, user;
    std::int64_t modified_ms = 0;
    std::vector<std::string> labels;
};

// A parameter with the versions it keeps (oldest first, at most 100) and its tags.
struct parameter {
    std::string account, region, name;
    std::vector<parameter_version> versions;
    tag_map tags;

    const parameter_version& latest() const { return versions.back(); }
    parameter_version* find_version(std::int64_t v);
    parameter_version* find_label(std::string_view label);
};

// Parameter Store's parameters in SQLite, one row per parameter (keyed by key_of its name)
// holding its versions and tags as a JSON document (a parameter is read and written
// whole, and small). The
// database is the one copy, in memory without a data directory. Lives as long as the
// server, used from the event loop thread only.
class store {
  public:
    explicit store(storage::database& db);

    std::optional<parameter> find(std::string_view account, std::string_view region, std::string_view name);
    // Inserts or replaces the parameter.
    void save(const parameter& p);
    bool remove(std::string_view account, std::string_view region, std::string_view name);
    // The account's parameters in the region, by key; `after` skips keys up to and including it.
    std::vector<parameter> all(std::string_view account, std::string_view region, std::string_view after = {});

  private:
    storage::statement find_, save_, remove_, all_;
};

}  // namespace eddy::ssm
