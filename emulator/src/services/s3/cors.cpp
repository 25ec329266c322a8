// A bucket's CORS configuration applied to the requests browsers send it, as S3
// evaluates it: the first rule whose origin, method and headers all match answers.
#include "core/encoding.hpp"
#include "core/text.hpp"
#include "protocol/router.hpp"
#include "protocol/sigv4.hpp"
#include "services/s3/objects.hpp"

namespace eddy::s3 {

namespace {

// An AllowedOrigin or AllowedHeader may hold one '*', standing for any run of characters.
bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case) {
    auto equal = [&](std::string_view a, std::string_view b) { return ignore_case ? ascii_iequals(a, b) : a == b; };
    auto star = pattern.find('*');
    if (star == std::string_view::npos) return equal(pattern, text);
    auto head = pattern.substr(0, star), tail = pattern.substr(star + 1);
    return text.size() >= head.size() + tail.size() && equal(text.substr(0, head.size()), head) &&
           equal(text.substr(text.size() - tail.size()), tail);
}

bool any_matches(const json& patterns, std::string_view text, bool ignore_case) {
    for (auto& p : patterns)
        if (p.is_string() && wildcard_match(p.get<std::string>(), text, ignore_case)) return true;
    return false;
}

std::string joined(const json& list) {
    std::string out;
    for (auto& v : list)
        out += (out.empty() ? "" : ", ") + v.get<std::string>();
    return out;
}

// A request S3 would take: signed for s3, signed the SigV2 way, or not signed at all.
bool addressed_to_s3(const protocol::wire_request& r) {
    protocol::credential_scope scope;
    if (protocol::parse_credential_scope(r, scope)) return scope.service == "s3";
    return true;
}

}  // namespace

std::optional<dispatcher::cors_answer> bucket_cors(service& s3, const protocol::wire_request& r, bool preflight) {
    if (!preflight && !addressed_to_s3(r)) return std::nullopt;
    auto name = protocol::s3_bucket_of(r);
    if (name.empty()) return std::nullopt;
    auto b = s3.meta.find_bucket(name);
    if (!b) return std::nullopt;  // no bucket of that name: not S3's request to judge
    dispatcher::cors_answer answer;
    if (!b->configs.contains("cors")) {
        answer.code = "AccessForbidden";
        answer.message = "CORSResponse: CORS is not enabled for this bucket.";
        return answer;
    }
    std::string origin(r.header("origin"));
    std::string method(preflight ? r.header("access-control-request-method") : std::string_view(r.method));
    auto asked = preflight ? split_list(r.header("access-control-request-headers")) : std::vector<std::string>{};
    for (auto& rule : b->configs["cors"].value("CORSRules", json::array())) {
        if (!any_matches(rule.value("AllowedOrigins", json::array()), origin, false)) continue;
        if (!any_matches(rule.value("AllowedMethods", json::array()), method, false)) continue;
        bool headers_ok = true;
        for (auto& h : asked)
            headers_ok = headers_ok && any_matches(rule.value("AllowedHeaders", json::array()), h, true);
        if (!headers_ok) continue;
        bool any_origin = rule["AllowedOrigins"].size() == 1 && rule["AllowedOrigins"][0] == "*";
        answer.allowed = true;
        answer.headers.emplace_back("Access-Control-Allow-Origin", any_origin ? "*" : origin);
        answer.headers.emplace_back("Access-Control-Allow-Methods", joined(rule["AllowedMethods"]));
        if (preflight && !asked.empty())
            answer.headers.emplace_back("Access-Control-Allow-Headers",
                                        std::string(r.header("access-control-request-headers")));
        if (rule.contains("ExposeHeaders"))
            answer.headers.emplace_back("Access-Control-Expose-Headers", joined(rule["ExposeHeaders"]));
        if (rule.contains("MaxAgeSeconds"))
            answer.headers.emplace_back("Access-Control-Max-Age", std::to_string(rule["MaxAgeSeconds"].get<int>()));
        if (!any_origin) answer.headers.emplace_back("Access-Control-Allow-Credentials", "true");
        answer.headers.emplace_back("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
        return answer;
    }
    answer.code = "AccessForbidden";
    answer.message =
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request "
        "method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the "
        "resource's CORS spec.";
    return answer;
}

}  // namespace eddy::s3
