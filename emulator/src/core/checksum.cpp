#include "core/checksum.hpp"

#include "core/crc.hpp"
#include "core/encoding.hpp"

namespace eddy {

namespace {

struct algorithm_names {
    checksum_algorithm algorithm;
    std::string_view name, header;
    std::size_t size;
};

constexpr algorithm_names all[] = {
    {checksum_algorithm::crc32, "CRC32", "x-amz-checksum-crc32", 4},
    {checksum_algorithm::crc32c, "CRC32C", "x-amz-checksum-crc32c", 4},
    {checksum_algorithm::crc64nvme, "CRC64NVME", "x-amz-checksum-crc64nvme", 8},
    {checksum_algorithm::sha1, "SHA1", "x-amz-checksum-sha1", 20},
    {checksum_algorithm::sha256, "SHA256", "x-amz-checksum-sha256", 32},
};

const algorithm_names& names_of(checksum_algorithm a) {
    return all[static_cast<int>(a)];
}

std::string big_endian(std::uint64_t v, std::size_t size) {
    std::string out(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        out[i] = static_cast<char>(v >> (8 * (size - 1 - i)));
    return out;
}

std::uint64_t from_big_endian(std::string_view raw) {
    std::uint64_t v = 0;
    for (unsigned char c : raw)
        v = (v << 8) | c;
    return v;
}

template <typename Digest>
std::string as_string(const Digest& d) {
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace

std::optional<checksum_algorithm> checksum_algorithm_named(std::string_view name) {
    for (const auto& n : all)
        if (ascii_iequals(n.name, name)) return n.algorithm;
    return std::nullopt;
}

std::optional<checksum_algorithm> checksum_algorithm_of_header(std::string_view header) {
    for (const auto& n : all)
        if (ascii_iequals(n.header, header)) return n.algorithm;
    return std::nullopt;
}

std::string_view checksum_name(checksum_algorithm a) {
    return names_of(a).name;
}

std::string_view checksum_header(checksum_algorithm a) {
    return names_of(a).header;
}

std::size_t checksum_size(checksum_algorithm a) {
    return names_of(a).size;
}

bool is_crc(checksum_algorithm a) {
    return a == checksum_algorithm::crc32 || a == checksum_algorithm::crc32c || a == checksum_algorithm::crc64nvme;
}

checksum& checksum::update(std::string_view bytes) {
    switch (algorithm_) {
        case checksum_algorithm::crc32:
            crc_ = eddy::crc32(static_cast<std::uint32_t>(crc_), bytes);
            break;
        case checksum_algorithm::crc32c:
            crc_ = eddy::crc32c(static_cast<std::uint32_t>(crc_), bytes);
            break;
        case checksum_algorithm::crc64nvme:
            crc_ = eddy::crc64nvme(crc_, bytes);
            break;
        case checksum_algorithm::sha1:
            sha1_.update(bytes);
            break;
        case checksum_algorithm::sha256:
            sha256_.update(bytes);
            break;
    }
    return *this;
}

std::string checksum::finish() {
    switch (algorithm_) {
        case checksum_algorithm::sha1:
            return as_string(sha1_.finish());
        case checksum_algorithm::sha256:
            return as_string(sha256_.finish());
        default: {
            auto out = big_endian(crc_, checksum_size(algorithm_));
            crc_ = 0;
            return out;
        }
    }
}

std::string checksum::finish_base64() {
    return base64_encode(finish());
}

std::optional<std::string> decode_checksum(checksum_algorithm a, std::string_view base64) {
    std::string raw;
    if (!base64_decode(base64, raw) || raw.size() != checksum_size(a)) return std::nullopt;
    return raw;
}

std::optional<std::string> composite_checksum(checksum_algorithm a, const std::vector<std::string>& parts_base64) {
    checksum whole(a);
    for (const auto& part : parts_base64) {
        auto raw = decode_checksum(a, part);
        if (!raw) return std::nullopt;
        whole.update(*raw);
    }
    return whole.finish_base64() + "-" + std::to_string(parts_base64.size());
}

std::optional<std::string> full_object_checksum(checksum_algorithm a,
                                                const std::vector<std::pair<std::string, std::uint64_t>>& parts) {
    if (!is_crc(a)) return std::nullopt;
    std::uint64_t crc = 0;
    for (const auto& [part, length] : parts) {
        auto raw = decode_checksum(a, part);
        if (!raw) return std::nullopt;
        std::uint64_t part_crc = from_big_endian(*raw);
        switch (a) {
            case checksum_algorithm::crc32:
                crc = crc32_combine(static_cast<std::uint32_t>(crc), static_cast<std::uint32_t>(part_crc), length);
                break;
            case checksum_algorithm::crc32c:
                crc = crc32c_combine(static_cast<std::uint32_t>(crc), static_cast<std::uint32_t>(part_crc), length);
                break;
            default:
                crc = crc64nvme_combine(crc, part_crc, length);
                break;
        }
    }
    return base64_encode(big_endian(crc, checksum_size(a)));
}

}  // namespace eddy
