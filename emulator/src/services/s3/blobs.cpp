#include "services/s3/blobs.hpp"

#include "core/aws_error.hpp"
#include "core/ids.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace eddy::s3 {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw internal_failure(what + ": " + std::error_code(errno, std::generic_category()).message());
}

void write_all(int fd, std::string_view bytes, const std::string& path) {
    while (!bytes.empty()) {
        auto n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot write " + path);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Copies [offset, offset + length) of `from` to the end of `to`.
void copy_range(int from, int to, std::uint64_t offset, std::uint64_t length, const std::string& path) {
    std::string block(std::min<std::uint64_t>(length, 1 << 20), '\0');
    while (length > 0) {
        auto want = static_cast<std::size_t>(std::min<std::uint64_t>(length, block.size()));
        auto n = ::pread(from, block.data(), want, static_cast<off_t>(offset));
        if (n <= 0) fail("cannot read " + path);
        write_all(to, std::string_view(block.data(), static_cast<std::size_t>(n)), path);
        offset += static_cast<std::uint64_t>(n);
        length -= static_cast<std::uint64_t>(n);
    }
}

std::string read_file(const std::string& path, std::uint64_t offset, std::uint64_t length) {
    std::string out(length, '\0');
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot open " + path);
    std::uint64_t done = 0;
    while (done < length) {
        auto n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
        if (n <= 0) {
            ::close(fd);
            fail("cannot read " + path);
        }
        done += static_cast<std::uint64_t>(n);
    }
    ::close(fd);
    return out;
}

}  // namespace

blob_store::blob_store(std::string dir) : dir_(std::move(dir)) {
    if (dir_.empty()) return;
    std::error_code ec;
    fs::create_directories(fs::path(dir_) / "blobs", ec);
    if (!ec) fs::create_directories(fs::path(dir_) / "tmp", ec);
    if (ec) throw std::runtime_error("cannot create " + dir_ + ": " + ec.message());
}

std::string blob_store::new_id() {
    if (in_memory()) return std::to_string(++next_);
    auto id = new_uuid();
    std::erase(id, '-');
    return id;
}

std::string blob_store::path_of(const std::string& id) const {
    return dir_ + "/blobs/" + id;
}

std::string blob_store::temp_path() {
    return dir_ + "/tmp/" + new_id();
}

std::string blob_store::put(std::string bytes) {
    auto id = new_id();
    if (in_memory()) {
        memory_.emplace(id, std::make_shared<const std::string>(std::move(bytes)));
        return id;
    }
    auto temp = temp_path();
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("cannot create " + temp);
    write_all(fd, bytes, temp);
    ::close(fd);
    return adopt(temp);
}

std::string blob_store::adopt(const std::string& temp_file) {
    int fd = ::open(temp_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot open " + temp_file);
    // The bytes reach the disk before the rename makes them a blob, and before the
    // metadata naming them commits: a crash leaves a whole object or none.
    if (::fdatasync(fd) != 0) {
        ::close(fd);
        fail("cannot flush " + temp_file);
    }
    ::close(fd);
    auto id = new_id();
    if (::rename(temp_file.c_str(), path_of(id).c_str()) != 0) fail("cannot store " + temp_file);
    return id;
}

std::string blob_store::share(const std::string& id) {
    auto copy = new_id();
    if (in_memory()) {
        memory_.emplace(copy, memory_.at(id));
        return copy;
    }
    if (::link(path_of(id).c_str(), path_of(copy).c_str()) != 0) fail("cannot link " + path_of(id));
    return copy;
}

std::string blob_store::join(const std::vector<std::string>& ids) {
    if (in_memory()) {
        std::size_t total = 0;
        for (auto& id : ids)
            total += memory_.at(id)->size();
        std::string bytes;
        bytes.reserve(total);
        for (auto& id : ids)
            bytes += *memory_.at(id);
        return put(std::move(bytes));
    }
    auto temp = temp_path();
    int out = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) fail("cannot create " + temp);
    for (auto& id : ids) {
        auto path = path_of(id);
        int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (in < 0) {
            ::close(out);
            fail("cannot open " + path);
        }
        auto size = static_cast<std::uint64_t>(fs::file_size(path));
        copy_range(in, out, 0, size, path);
        ::close(in);
    }
    ::close(out);
    return adopt(temp);
}

std::shared_ptr<const protocol::body_source> blob_store::read(const std::string& id, std::uint64_t offset,
                                                              std::uint64_t length) const {
    auto source = std::make_shared<protocol::body_source>();
    source->offset = offset;
    source->length = length;
    if (in_memory())
        source->memory = memory_.at(id);
    else
        source->file = path_of(id);
    return source;
}

std::string blob_store::slice(const std::string& id, std::uint64_t offset, std::uint64_t length) const {
    if (in_memory()) return memory_.at(id)->substr(offset, length);
    return read_file(path_of(id), offset, length);
}

std::string blob_store::slice_file(const std::string& path, std::uint64_t length) {
    return read_file(path, 0, length);
}

void blob_store::remove(const std::string& id) {
    if (in_memory()) {
        memory_.erase(id);
        return;
    }
    ::unlink(path_of(id).c_str());
}

void blob_store::sweep(const std::function<bool(const std::string& id)>& referenced) {
    if (in_memory()) return;
    std::error_code ec;
    for (auto& entry : fs::directory_iterator(fs::path(dir_) / "tmp", ec))
        fs::remove(entry.path(), ec);
    for (auto& entry : fs::directory_iterator(fs::path(dir_) / "blobs", ec))
        if (!referenced(entry.path().filename().string())) fs::remove(entry.path(), ec);
}

}  // namespace eddy::s3
