// botocore's protocol test cases, read from the server's side: an input case's request must
// decode to its params, an output case's result (or error) must encode to a response that
// reads back as the case's response does. The cases are data (conformance/, see PROVENANCE);
// conformance/skipped.json names every case that is not run and why.
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "protocol/codec.hpp"
#include "protocol/codec_detail.hpp"
#include "protocol/xml.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

using namespace eddy;
using namespace eddy::protocol;

namespace {

const std::string data_dir = EDDY_CONFORMANCE_TEST_DATA;

json read_json(const std::string& path) {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in, path);
    std::stringstream s;
    s << in.rdbuf();
    return json::parse(s.str());
}

// direction/protocol/id -> reason
const json& skipped() {
    static const json doc = read_json(data_dir + "/skipped.json");
    return doc;
}

std::string skip_reason(const std::string& direction, const std::string& protocol, const std::string& id) {
    auto& d = skipped();
    if (!d.contains(direction) || !d[direction].contains(protocol)) return {};
    auto& p = d[direction][protocol];
    return p.contains(id) ? p[id].get<std::string>() : std::string();
}

// The suite's small model with the case's one operation: a model of its own, never registered.
std::unique_ptr<service_model> case_model(const json& suite, const json& given) {
    json doc;
    doc["metadata"] = suite["metadata"];
    doc["shapes"] = suite.value("shapes", json::object());
    doc["operations"] = json::object();
    doc["operations"][given["name"].get<std::string>()] = given;
    return std::make_unique<service_model>("conformance", std::move(doc));
}

operation_ref case_op(const service_model& m, const json& given, std::string protocol) {
    operation_ref ref;
    ref.model = &m;
    ref.protocol = std::move(protocol);
    ref.name = given["name"].get<std::string>();
    ref.op = m.operation(ref.name);
    return ref;
}

// The wire protocol eddy speaks for a suite's file: the json_1_0 files are the json protocol.
std::string wire_protocol(const std::string& file) {
    if (file.starts_with("json")) return "json";
    return file;
}

// Neutral values compared as a client would read them: blobs as their bytes, numbers by value,
// and a timestamp given as epoch seconds equal to its numeric value.
bool same(const json& got, const json& want) {
    if (got.is_binary()) {
        if (!want.is_string()) return false;
        auto& b = got.get_binary();
        return std::string(b.begin(), b.end()) == want.get<std::string>();
    }
    if (got.is_number() && want.is_number()) {
        double a = got.get<double>(), b = want.get<double>();
        return a == b || std::fabs(a - b) < 1e-6 * std::max(1.0, std::fabs(b));
    }
    if (got.is_number() && want.is_string()) {  // NaN and the infinities travel as strings
        double a = got.get<double>();
        auto w = want.get<std::string>();
        if (w == "NaN") return std::isnan(a);
        if (w == "Infinity") return std::isinf(a) && a > 0;
        if (w == "-Infinity") return std::isinf(a) && a < 0;
        return false;
    }
    if (got.is_object() && want.is_object()) {
        std::size_t present = 0;  // a null param is one the SDK does not send
        for (auto& [k, v] : want.items()) {
            if (v.is_null()) continue;
            ++present;
            if (!got.contains(k) || !same(got[k], v)) return false;
        }
        return got.size() == present;
    }
    if (got.is_array() && want.is_array()) {
        if (got.size() != want.size()) return false;
        for (std::size_t i = 0; i < got.size(); ++i)
            if (!same(got[i], want[i])) return false;
        return true;
    }
    return got == want;
}

// The request an SDK sent, as eddy's HTTP layer hands it to the codecs.
wire_request case_request(const json& serialized) {
    wire_request r;
    r.method = serialized.value("method", "POST");
    std::string uri = serialized.value("uri", "/");
    if (auto q = uri.find('?'); q != std::string::npos) {
        r.path = uri.substr(0, q);
        r.query = uri.substr(q + 1);
    } else {
        r.path = uri;
    }
    json headers = serialized.value("headers", json::object());
    for (auto& [k, v] : headers.items())
        r.headers.emplace_back(detail::lower(k), v.get<std::string>());
    if (serialized.contains("host")) r.headers.emplace_back("host", serialized["host"].get<std::string>());
    r.body = serialized.value("body", "");
    return r;
}

// The URI labels of the case's requestUri in the request's path, still encoded, as the router
// captures them; false when the path does not fit the template.
bool match_labels(const json& given, const wire_request& r, std::vector<std::pair<std::string, std::string>>& labels) {
    std::string uri = given["http"].value("requestUri", "/");
    if (auto q = uri.find('?'); q != std::string::npos) uri.resize(q);
    auto segments = parse_uri_path(uri);
    std::string_view path = r.path;
    std::size_t pos = 0;
    for (auto& seg : segments) {
        if (pos < path.size() && path[pos] == '/') ++pos;
        if (seg.greedy) {
            labels.emplace_back(seg.text, std::string(path.substr(pos)));
            pos = path.size();
            continue;
        }
        auto end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        auto part = path.substr(pos, end - pos);
        if (seg.label)
            labels.emplace_back(seg.text, std::string(part));
        else if (url_decode(part) != seg.text)
            return false;
        pos = end;
    }
    return pos >= path.size() || path.substr(pos) == "/";
}

struct tally {
    int passed = 0, skipped = 0, failed = 0;
};

void report(const std::string& direction, const std::string& protocol, const tally& t) {
    MESSAGE(direction << " " << protocol << ": " << t.passed << " passed, " << t.skipped << " skipped, " << t.failed
                      << " failed");
}

// --- input ---------------------------------------------------------------------------------

std::string run_input(const std::string& file, const json& suite, const json& c) {
    auto m = case_model(suite, c["given"]);
    auto op = case_op(*m, c["given"], wire_protocol(file));
    auto r = case_request(c["serialized"]);
    if (file.starts_with("rest") && !match_labels(c["given"], r, op.labels)) return "the path does not fit the URI";
    json input;
    try {
        input = decode_request(op, r);
    } catch (const aws_error& e) {
        return "decode threw " + e.code + ": " + e.message();
    }
    json want = c.value("params", json::object());
    // A streamed payload stays in the request for the service: its param is the body itself.
    if (auto stream = streaming_payload(op, true); !stream.empty() && want.contains(stream)) {
        if (!same(json(r.body), want[stream])) return "streamed body differs: " + r.body;
        want.erase(stream);
    }
    if (!same(input, want)) return "decoded " + input.dump() + ", want " + want.dump();
    return {};
}

// --- output --------------------------------------------------------------------------------

std::string header_of(const wire_response& r, std::string_view name) {
    for (auto& [k, v] : r.headers)
        if (detail::lower(k) == detail::lower(name)) return v;
    return {};
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return std::string(s);
}

// Two texts a client reads alike: equal, or the same instant however the timestamp is spelled.
bool same_text(std::string_view got, std::string_view want) {
    if (got == want) return true;
    std::int64_t a = 0, b = 0;
    if (parse_iso8601(got, a) && parse_iso8601(want, b)) return a == b;
    if (parse_rfc822(got, a) && parse_rfc822(want, b)) return a == b;
    return false;
}

// A list header as SDKs split it: items separated by commas, spaces around them dropped.
std::string list_header(std::string_view v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == ' ' && ((i > 0 && v[i - 1] == ',') || (i + 1 < v.size() && v[i + 1] == ','))) continue;
        out += v[i];
    }
    return out;
}

// Two XML trees read alike: same names, same leaf text, elements of one name in the same order
// (their order is a list's); elements of different names in any order, as SDKs read members.
bool same_xml(const xml::element& got, const xml::element& want, std::string& why);

// Elements of one name: a list's items, in order, or a map's entries (a key and a value each),
// in any order, as a map is read.
bool same_xml_list(const std::vector<const xml::element*>& got, const std::vector<const xml::element*>& want,
                   std::string& why) {
    bool in_order = true;
    for (std::size_t i = 0; i < want.size() && in_order; ++i)
        in_order = same_xml(*got[i], *want[i], why);
    if (in_order) return true;
    for (auto* w : want)
        if (w->children.size() != 2) return false;
    std::vector<bool> used(got.size(), false);
    for (auto* w : want) {
        bool found = false;
        for (std::size_t i = 0; i < got.size() && !found; ++i)
            if (!used[i] && same_xml(*got[i], *w, why)) used[i] = found = true;
        if (!found) return false;
    }
    return true;
}

bool same_xml(const xml::element& got, const xml::element& want, std::string& why) {
    if (got.name != want.name) {
        why = "element " + got.name + " where " + want.name + " was expected";
        return false;
    }
    if (want.children.empty() && got.children.empty()) {
        if (!same_text(trimmed(got.text), trimmed(want.text))) {
            why = want.name + " is '" + got.text + "', want '" + want.text + "'";
            return false;
        }
        return true;
    }
    std::map<std::string, std::vector<const xml::element*>> g, w;
    for (auto& e : got.children)
        g[e.name].push_back(&e);
    for (auto& e : want.children)
        w[e.name].push_back(&e);
    for (auto& [name, list] : w) {
        auto& other = g[name];
        if (other.size() != list.size()) {
            why = want.name + " has " + std::to_string(other.size()) + " " + name + ", want " +
                  std::to_string(list.size());
            return false;
        }
        if (!same_xml_list(other, list, why)) return false;
    }
    for (auto& [name, list] : g)
        if (!list.empty() && !w.contains(name)) {
            why = want.name + " has an unexpected " + name;
            return false;
        }
    return true;
}

// JSON bodies compared by value (numbers with a float's tolerance).
bool same_json_body(const std::string& got, const std::string& want, std::string& why) {
    auto g = json::parse(got.empty() ? "{}" : got, nullptr, false);
    auto w = json::parse(want.empty() ? "{}" : want, nullptr, false);
    if (g.is_discarded() || w.is_discarded()) {
        if (got == want) return true;
        why = "body '" + got + "', want '" + want + "'";
        return false;
    }
    if (!same(g, w)) {
        why = "body " + g.dump() + ", want " + w.dump();
        return false;
    }
    return true;
}

// The query protocol's answer carries ResponseMetadata, which the cases leave out of theirs.
void drop_metadata(xml::element& root) {
    std::erase_if(root.children, [](const xml::element& e) { return e.name == "ResponseMetadata"; });
}

std::string compare_body(const std::string& file, const wire_response& got, const std::string& want_body) {
    std::string why;
    bool want_xml = trimmed(want_body).starts_with("<");
    if (file == "query" || (file == "rest-xml" && want_xml)) {
        if (trimmed(want_body).empty()) return trimmed(got.body).empty() ? "" : "unexpected body " + got.body;
        xml::element g, w;
        std::string err;
        if (!xml::parse(want_body, w, err)) return "case body does not parse: " + err;
        if (!xml::parse(got.body, g, err)) return "body does not parse: " + err + ": " + got.body;
        drop_metadata(g);
        drop_metadata(w);
        if (!same_xml(g, w, why)) return why + "\n" + got.body;
        return {};
    }
    if (file.starts_with("json") || (file == "rest-json" && trimmed(want_body).starts_with("{"))) {
        if (!same_json_body(got.body, want_body, why)) return why;
        return {};
    }
    if (got.body != want_body) return "body '" + got.body + "', want '" + want_body + "'";
    return {};
}

std::string run_output(const std::string& file, const json& suite, const json& c) {
    auto m = case_model(suite, c["given"]);
    auto op = case_op(*m, c["given"], wire_protocol(file));
    auto& want = c["response"];
    wire_response got;
    if (c.contains("errorCode")) {
        int status = want.value("status_code", 400);
        aws_error e(c["errorCode"].get<std::string>(), c.value("errorMessage", ""), status, status < 500);
        encode_error(nullptr, m.get(), op.protocol, e, "foo-id", got);
        if (got.status != status) return "status " + std::to_string(got.status) + ", want " + std::to_string(status);
        // What an SDK reads of an error: the code and the message.
        std::string body = got.body;
        if (file == "query" || file == "rest-xml") {
            xml::element root;
            std::string err;
            if (!xml::parse(body, root, err)) return "error body does not parse: " + body;
            const xml::element* error = root.name == "Error" ? &root : root.child("Error");
            if (!error || !error->child("Code")) return "no Error/Code in " + body;
            if (error->child("Code")->text != c["errorCode"]) return "code in " + body;
            if (c.contains("errorMessage") &&
                (!error->child("Message") || error->child("Message")->text != c["errorMessage"]))
                return "message in " + body;
            return {};
        }
        auto doc = json::parse(body, nullptr, false);
        if (doc.is_discarded()) return "error body is not JSON: " + body;
        std::string code = header_of(got, "x-amzn-errortype");
        if (code.empty()) code = doc.value("__type", doc.value("code", ""));
        if (auto colon = code.find(':'); colon != std::string::npos) code.resize(colon);
        if (auto hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
        if (code != c["errorCode"]) return "error code '" + code + "' in " + body;
        if (c.contains("errorMessage")) {
            std::string message = doc.value("message", doc.value("Message", ""));
            if (message != c["errorMessage"]) return "message in " + body;
        }
        return {};
    }
    try {
        encode_output(op, c.value("result", json::object()), "foo-id", got);
    } catch (const std::exception& e) {
        return std::string("encode threw: ") + e.what();
    }
    if (got.status != want.value("status_code", 200))
        return "status " + std::to_string(got.status) + ", want " + std::to_string(want.value("status_code", 200));
    json want_headers = want.value("headers", json::object());
    for (auto& [k, v] : want_headers.items()) {
        auto name = detail::lower(k);
        if (name == "content-type" || name == "content-length" || name == "x-amzn-requestid") continue;
        auto have = list_header(header_of(got, k));
        auto expected = list_header(v.get<std::string>());
        if (have != expected && !same_text(have, expected))
            return "header " + k + " is '" + header_of(got, k) + "', want " + v.dump();
    }
    std::string body = got.body;
    if (got.stream && got.stream->memory) body = got.stream->memory->substr(got.stream->offset, got.stream->length);
    wire_response read = got;
    read.body = body;
    return compare_body(file, read, want.value("body", ""));
}

const char* protocols[] = {"rest-xml", "query", "json", "json_1_0", "json_1_0-query-compatible", "rest-json"};

void run_all(const std::string& direction) {
    for (std::string file : protocols) {
        auto suites = read_json(data_dir + "/" + direction + "/" + file + ".json");
        tally t;
        for (auto& suite : suites)
            for (auto& c : suite["cases"]) {
                std::string id = c["id"].get<std::string>();
                if (!skip_reason(direction, file, id).empty()) {
                    ++t.skipped;
                    continue;
                }
                std::string fault;
                try {
                    fault = direction == "input" ? run_input(file, suite, c) : run_output(file, suite, c);
                } catch (const std::exception& e) {
                    fault = std::string("threw: ") + e.what();
                }
                if (fault.empty()) {
                    ++t.passed;
                } else {
                    ++t.failed;
                    FAIL_CHECK(direction << " " << file << " " << id << ": " << fault);
                }
            }
        report(direction, file, t);
    }
}

}  // namespace

TEST_CASE("protocol conformance: botocore's input cases decode to their params") {
    run_all("input");
}

TEST_CASE("protocol conformance: botocore's output cases encode to what a client reads") {
    run_all("output");
}
