#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace eddy::runtime::docker {

// Decodes the Docker Engine's multiplexed output format (logs and attach of a
// container without a TTY): frames of an 8-byte header {stream, 0, 0, 0,
// size as 32-bit big-endian} followed by `size` bytes. Stream 1 is stdout,
// 2 stderr (0, stdin, is treated as stdout). Bytes may arrive cut anywhere.
class frame_decoder {
  public:
    // stream_id: 1 stdout, 2 stderr.
    using sink = std::function<void(int stream_id, std::string_view payload)>;

    void feed(std::string_view bytes, const sink& emit);
    // True when the input so far ended exactly at a frame boundary.
    bool at_boundary() const { return header_.empty() && remaining_ == 0; }

  private:
    std::string header_;
    std::uint32_t remaining_ = 0;
    int stream_ = 1;
};

}  // namespace eddy::runtime::docker
