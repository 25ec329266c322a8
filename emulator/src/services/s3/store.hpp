#pragma once

#include "storage/sqlite.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace eddy::s3 {

using json = nlohmann::json;

struct bucket {
    std::int64_t id = 0;
    std::string account;
    std::string region;
    std::string name;
    std::int64_t created_ms = 0;
    std::string versioning;  // "", "Enabled" or "Suspended"
    json configs;            // stored configurations by name: "policy", "cors", "lifecycle", "tagging", ...
};

// One version of an object, or a delete marker. Bytes live in the blob store.
struct object_version {
    std::int64_t id = 0;  // newer versions of a key have larger ids
    std::int64_t bucket = 0;
    std::string key;
    std::string version_id = "null";
    bool latest = true;
    bool delete_marker = false;
    std::string blob;
    std::int64_t size = 0;
    std::string etag;  // quoted, as S3 sends it
    std::int64_t modified_ms = 0;
    // Content-* headers, Metadata, Tags, Checksum {algorithm, value, type}, StorageClass, Parts (sizes).
    json meta = json::object();
};

struct upload {
    std::string id;
    std::int64_t bucket = 0;
    std::string key;
    std::int64_t initiated_ms = 0;
    json meta = json::object();  // what CreateMultipartUpload fixed for the object
};

struct part {
    int number = 0;
    std::string blob;
    std::int64_t size = 0;
    std::string etag;
    std::int64_t modified_ms = 0;
    json checksum = json::object();
};

// S3's metadata in SQLite: buckets, object versions, multipart uploads and parts.
// Keys compare as bytes (SQLite's BINARY collation), the UTF-8 order S3 lists in.
// Lives for the server; used only from its event loop.
class store {
  public:
    explicit store(storage::database& db);

    std::optional<bucket> find_bucket(const std::string& name);
    std::vector<bucket> buckets(const std::string& account);
    void create_bucket(const bucket& b);
    void delete_bucket(std::int64_t id);
    void set_versioning(std::int64_t id, const std::string& status);
    void set_configs(std::int64_t id, const json& configs);

    // The newest version of a key (maybe a delete marker), or a named one.
    std::optional<object_version> latest(std::int64_t bucket, const std::string& key);
    std::optional<object_version> version(std::int64_t bucket, const std::string& key, const std::string& version_id);
    // Adds a version as the key's newest; a version with the same id (S3's "null"
    // version, overwritten) is replaced. Returns the blobs no longer referenced.
    std::vector<std::string> put(object_version& v);
    // Removes one version for good; the one before it becomes the newest.
    void remove(const object_version& v);
    void update_meta(const object_version& v);
    bool has_objects(std::int64_t bucket);
    bool has_versions(std::int64_t bucket);

    // Newest non-deleted versions with keys after `after`, in key order.
    std::vector<object_version> list(std::int64_t bucket, const std::string& after, bool inclusive, int limit);
    // Every version and marker from (key, id) on: keys ascending, newest first within a key.
    std::vector<object_version> list_versions(std::int64_t bucket, const std::string& after_key, std::int64_t before_id,
                                              int limit);

    void create_upload(const upload& u);
    std::optional<upload> find_upload(const std::string& id);
    std::vector<upload> uploads(std::int64_t bucket);
    void delete_upload(const std::string& id);
    // Replaces a part of the same number; returns the blob it replaced, if any.
    std::optional<std::string> put_part(const std::string& upload_id, const part& p);
    std::vector<part> parts(const std::string& upload_id);

    bool blob_referenced(const std::string& blob);

  private:
    object_version read_version(storage::statement& s);

    storage::database& db_;
    // The statements every object request runs, prepared once.
    storage::statement find_bucket_, latest_, version_, drop_same_, clear_latest_, insert_;
};

}  // namespace eddy::s3
