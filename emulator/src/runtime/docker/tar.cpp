#include "runtime/docker/tar.hpp"

#include <cstring>
#include <stdexcept>

namespace eddy::runtime::docker {

namespace {

constexpr std::size_t block = 512;

// A numeric field: width-1 octal digits, zero-padded, then NUL.
void octal(char* field, std::size_t width, unsigned long long value) {
    field[width - 1] = '\0';
    for (std::size_t i = width - 1; i-- > 0; value >>= 3)
        field[i] = static_cast<char>('0' + (value & 7));
}

}  // namespace

std::string tar_one_file(std::string_view name, std::string_view content, unsigned mode) {
    if (name.empty() || name.size() >= 100) throw std::invalid_argument("tar: a name of 1 to 99 bytes");
    char header[block] = {};
    std::memcpy(header, name.data(), name.size());  // name[100]
    octal(header + 100, 8, mode);                   // mode
    octal(header + 108, 8, 0);                      // uid
    octal(header + 116, 8, 0);                      // gid
    octal(header + 124, 12, content.size());        // size
    octal(header + 136, 12, 0);                     // mtime
    header[156] = '0';                              // typeflag: regular file
    std::memcpy(header + 257, "ustar", 6);          // magic, with its NUL
    std::memcpy(header + 263, "00", 2);             // version
    // The checksum counts its own field as eight spaces.
    std::memset(header + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : header)
        sum += c;
    octal(header + 148, 7, sum);  // six digits and NUL; the eighth byte stays a space

    std::string out(header, block);
    out.append(content);
    out.append((block - content.size() % block) % block, '\0');
    out.append(2 * block, '\0');  // the end of the archive
    return out;
}

}  // namespace eddy::runtime::docker
