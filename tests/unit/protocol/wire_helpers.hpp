#pragma once

// Hand-made requests and small readers of responses for the protocol tests.

#include "protocol/codec.hpp"
#include "protocol/xml.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string>

namespace eddy::protocol::test {

// The operation as the router would name it, with the real embedded model.
inline operation_ref op_ref(std::string_view service_id, std::string_view model_name, std::string protocol,
                            std::string operation, std::vector<std::pair<std::string, std::string>> labels = {}) {
    operation_ref ref;
    ref.service = service_by_id(service_id);
    REQUIRE(ref.service);
    ref.model = &model(model_name);
    ref.protocol = std::move(protocol);
    ref.name = std::move(operation);
    ref.op = ref.model->operation(ref.name);
    REQUIRE_MESSAGE(ref.op, ref.name);
    ref.labels = std::move(labels);
    return ref;
}

inline wire_request request(std::string method, std::string path, std::string query = {},
                            std::initializer_list<std::pair<std::string, std::string>> headers = {},
                            std::string body = {}) {
    wire_request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.query = std::move(query);
    r.headers.assign(headers.begin(), headers.end());
    r.body = std::move(body);
    return r;
}

inline wire_request json_request(std::string target, std::string body, std::string version = "1.0") {
    return request("POST", "/", {},
                   {{"content-type", "application/x-amz-json-" + version}, {"x-amz-target", std::move(target)}},
                   std::move(body));
}

inline wire_request form_request(std::string body) {
    return request("POST", "/", {}, {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}},
                   std::move(body));
}

// A response header, case-insensitively; empty when absent.
inline std::string header(const wire_response& r, std::string_view name) {
    auto same = [](std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
                return false;
        return true;
    };
    for (auto& [k, v] : r.headers)
        if (same(k, name)) return v;
    return {};
}

inline bool has_header(const wire_response& r, std::string_view name) {
    for (auto& [k, v] : r.headers)
        if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }))
            return true;
    return false;
}

inline xml::element parse_xml(std::string_view text) {
    xml::element root;
    std::string error;
    INFO(text);
    REQUIRE_MESSAGE(xml::parse(text, root, error), error);
    return root;
}

// The text of the element at a slash-separated path below `root`, following first matches.
inline std::string xml_text(const xml::element& root, std::string_view path) {
    const xml::element* e = &root;
    while (!path.empty()) {
        auto slash = path.find('/');
        auto name = path.substr(0, slash);
        e = e->child(name);
        if (!e) return "<missing " + std::string(name) + ">";
        path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    }
    return e->text;
}

inline json binary(std::string_view bytes) {
    return json::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

inline std::string bytes_of(const json& value) {
    REQUIRE(value.is_binary());
    auto& b = value.get_binary();
    return std::string(b.begin(), b.end());
}

// The aws_error `f` throws; fails the test when it throws nothing or something else.
template <typename F>
aws_error thrown(F&& f) {
    try {
        f();
    } catch (const aws_error& e) {
        return e;
    } catch (const std::exception& e) {
        FAIL("expected aws_error, got std::exception: " << e.what());
    }
    FAIL("expected aws_error, nothing was thrown");
    return aws_error("", "");
}

}  // namespace eddy::protocol::test
