#pragma once

#include "protocol/wire.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace eddy::s3 {

// Object bytes, apart from their metadata: in memory when eddy is ephemeral, one
// file each under <data-dir>/s3/blobs when durable. A blob never changes once
// written and is named by an id eddy makes, never by an object key, so no key can
// reach a path of its own choosing. Lives for the server, on its event loop.
class blob_store {
  public:
    explicit blob_store(std::string dir);  // "" keeps blobs in memory

    bool in_memory() const { return dir_.empty(); }

    // Keeps `bytes` as a new blob (written and flushed to disk first when durable).
    std::string put(std::string bytes);
    // A path under the store's own temporary folder for a body being received (durable only).
    std::string temp_path();
    // Takes a finished file from temp_path() as a new blob: flushed, then renamed into place.
    std::string adopt(const std::string& temp_file);
    // A second name for the same bytes (a copied object): shared in memory, hard-linked on disk.
    std::string share(const std::string& id);
    // One blob of the others' bytes in order (a completed multipart upload).
    std::string join(const std::vector<std::string>& ids);
    // Bytes [offset, offset + length) of a blob, to send as a body.
    std::shared_ptr<const protocol::body_source> read(const std::string& id, std::uint64_t offset,
                                                      std::uint64_t length) const;
    // Bytes [offset, offset + length) of a blob as one string (a part copied from an object).
    std::string slice(const std::string& id, std::uint64_t offset, std::uint64_t length) const;
    // The first `length` bytes of any file (an upload received into one).
    static std::string slice_file(const std::string& path, std::uint64_t length);
    void remove(const std::string& id);
    // Start-up, durable: deletes what a crash left (temporary files; blobs whose metadata never committed).
    void sweep(const std::function<bool(const std::string& id)>& referenced);

  private:
    std::string path_of(const std::string& id) const;
    std::string new_id();

    std::string dir_;
    std::unordered_map<std::string, std::shared_ptr<const std::string>> memory_;
    std::uint64_t next_ = 0;
};

}  // namespace eddy::s3
