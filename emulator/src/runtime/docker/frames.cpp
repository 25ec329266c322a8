#include "runtime/docker/frames.hpp"

#include <algorithm>

namespace eddy::runtime::docker {

void frame_decoder::feed(std::string_view bytes, const sink& emit) {
    while (!bytes.empty()) {
        if (remaining_ == 0) {
            auto take = std::min<std::size_t>(8 - header_.size(), bytes.size());
            header_.append(bytes.substr(0, take));
            bytes.remove_prefix(take);
            if (header_.size() < 8) return;
            auto u = [&](int i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(header_[i])); };
            stream_ = u(0) == 2 ? 2 : 1;
            remaining_ = (u(4) << 24) | (u(5) << 16) | (u(6) << 8) | u(7);
            header_.clear();
            continue;
        }
        auto take = std::min<std::size_t>(remaining_, bytes.size());
        emit(stream_, bytes.substr(0, take));
        remaining_ -= static_cast<std::uint32_t>(take);
        bytes.remove_prefix(take);
    }
}

}  // namespace eddy::runtime::docker
