#pragma once

#include "storage/sqlite.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace eddy::storage::testing {

// The rows of table `t` that a restarted eddy would find had this one been killed now:
// the database file and its write-ahead log are copied as they are on disk and opened
// beside them. (eddy holds its own file exclusively, so no second connection can look.)
inline std::int64_t rows_after_a_crash(const std::string& path) {
    namespace fs = std::filesystem;
    auto copy = fs::path(path).parent_path() / "after-a-crash";
    fs::remove_all(copy);
    fs::create_directories(copy);
    for (const char* suffix : {"", "-wal"})
        if (fs::exists(path + suffix)) fs::copy_file(path + suffix, copy / (std::string("eddy.db") + suffix));
    database restarted((copy / "eddy.db").string());
    statement s(restarted, "SELECT count(*) FROM t");
    s.step();
    return s.int64(0);
}

}  // namespace eddy::storage::testing
