#pragma once

#include "core/aws_error.hpp"

#include <string>

// S3's errors, worded as S3 words them; the extra elements of their XML bodies
// (BucketName, Key, ...) are what SDKs show next to the code.
namespace eddy::s3::errors {

inline aws_error no_such_bucket(const std::string& bucket) {
    return aws_error("NoSuchBucket", "The specified bucket does not exist", 404).with("BucketName", bucket);
}
inline aws_error no_such_key(const std::string& key) {
    return aws_error("NoSuchKey", "The specified key does not exist.", 404).with("Key", key);
}
inline aws_error no_such_version(const std::string& key, const std::string& version) {
    return aws_error("NoSuchVersion", "The specified version does not exist.", 404)
        .with("Key", key)
        .with("VersionId", version);
}
inline aws_error no_such_upload(const std::string& upload_id) {
    return aws_error("NoSuchUpload",
                     "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
                     "aborted or completed.",
                     404)
        .with("UploadId", upload_id);
}
inline aws_error precondition_failed(const std::string& condition) {
    return aws_error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412)
        .with("Condition", condition);
}
inline aws_error invalid_argument(const std::string& message, const std::string& name, const std::string& value) {
    return aws_error("InvalidArgument", message, 400).with("ArgumentName", name).with("ArgumentValue", value);
}
inline aws_error malformed_xml() {
    return aws_error("MalformedXML",
                     "The XML you provided was not well-formed or did not validate against our published schema");
}
inline aws_error bad_digest(const std::string& message) {
    return aws_error("BadDigest", message, 400);
}

}  // namespace eddy::s3::errors
