#include "protocol/sigv4.hpp"

#include "core/encoding.hpp"
#include "protocol/codec_detail.hpp"

namespace eddy::protocol {

namespace {

bool split_scope(std::string_view credential, credential_scope& out) {
    std::string_view parts[5];
    for (int i = 0; i < 4; ++i) {
        auto slash = credential.find('/');
        if (slash == std::string_view::npos) return false;
        parts[i] = credential.substr(0, slash);
        credential.remove_prefix(slash + 1);
    }
    parts[4] = credential;
    out.access_key = parts[0];
    out.date = parts[1];
    out.region = parts[2];
    out.service = parts[3];
    return !out.service.empty();
}

}  // namespace

bool parse_credential_scope(const wire_request& request, credential_scope& out) {
    auto auth = request.header("authorization");
    if (!auth.empty()) {
        auto pos = auth.find("Credential=");
        if (pos != std::string_view::npos) {
            auto rest = auth.substr(pos + 11);
            std::size_t end = 0;
            while (end < rest.size() && rest[end] != ',' && rest[end] != ' ')
                ++end;
            return split_scope(rest.substr(0, end), out);
        }
        return false;
    }
    if (request.query.find("X-Amz-Credential=") != std::string::npos)
        for (auto& [k, v] : detail::parse_form(request.query))
            if (k == "X-Amz-Credential") return split_scope(v, out);
    return false;
}

}  // namespace eddy::protocol
