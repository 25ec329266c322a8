#include "runtime/docker/tar.hpp"

#include <doctest/doctest.h>

#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace {

std::string run(const std::string& command) {
    std::string out;
    if (FILE* p = ::popen(command.c_str(), "r")) {
        char buf[4096];
        while (auto n = std::fread(buf, 1, sizeof buf, p))
            out.append(buf, n);
        ::pclose(p);
    }
    return out;
}

}  // namespace

TEST_CASE("tar: GNU tar reads back the one file, its size, mode and content") {
    std::string content(1300, '\0');
    for (std::size_t i = 0; i < content.size(); ++i)
        content[i] = static_cast<char>(i * 7);
    auto archive = eddy::runtime::docker::tar_one_file("pause", content, 0755);
    CHECK(archive.size() % 512 == 0);
    CHECK(archive.size() == 512 + 1536 + 1024);

    auto path = std::filesystem::temp_directory_path() / ("eddy-tar-" + std::to_string(::getpid()) + ".tar");
    std::ofstream(path, std::ios::binary) << archive;
    auto listing = run("tar -tvf " + path.string() + " 2>&1");
    CHECK(listing.find("-rwxr-xr-x") == 0);
    CHECK(listing.find(" 1300 ") != std::string::npos);
    CHECK(listing.find("pause\n") != std::string::npos);
    CHECK(run("tar -xOf " + path.string() + " pause") == content);
    std::filesystem::remove(path);
}

TEST_CASE("tar: names must fit the ustar name field") {
    CHECK_THROWS(eddy::runtime::docker::tar_one_file("", "x", 0644));
    CHECK_THROWS(eddy::runtime::docker::tar_one_file(std::string(100, 'a'), "x", 0644));
}
