#pragma once

#include "core/string_map.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace eddy::protocol {

using json = nlohmann::json;

// What the router needs to know of a service before any model is parsed.
// tests/unit/protocol/model.cpp checks every row against the model's metadata.
struct service_info {
    std::string_view id;             // eddy's name for it; also the model file name
    std::string_view signing_name;   // the service in a SigV4 credential scope
    std::string_view protocol;       // json, query, rest-json or rest-xml
    std::string_view target_prefix;  // X-Amz-Target prefix (json services)
    std::string_view query_model;    // model for clients that still speak query, if any
};

std::span<const service_info> services();
const service_info* service_by_id(std::string_view id);
const service_info* service_by_signing_name(std::string_view name);
const service_info* service_by_target_prefix(std::string_view prefix);

// One step of an operation's REST URI template: a literal or a {label}/{label+}.
struct uri_segment {
    std::string text;
    bool label = false;
    bool greedy = false;
};

// A shape's kind, read once from its "type" (absent means string).
enum class shape_kind : std::uint8_t {
    structure,
    list,
    map,
    string,
    integer,
    long_,
    float_,
    double_,
    boolean,
    timestamp,
    blob,
    other,  // document types and anything newer: passed through as they are
};

struct shape_node;
class shape_pattern;

// A structure member with its reference resolved: what the codecs and the validator
// look up for every member of every request, without searching the model's JSON.
struct member_node {
    std::string_view name;               // the model's name for it
    std::string_view location_name;      // the name it travels under (locationName), or empty
    bool located = false;                // bound to a header, URI label or query string (REST)
    const json* doc = nullptr;           // the member reference in the model
    const shape_node* target = nullptr;  // never null: a model's references all resolve
};

// One shape of a model, with what the request path asks of it on every call.
struct shape_node {
    const json* doc = nullptr;
    shape_kind kind = shape_kind::string;
    bool renamed = false;      // structures: a member has a locationName
    bool constrained = false;  // has min, max, enum or pattern: value checks have work to do
    // The shape's pattern (compiled on first use), or null when it has none.
    std::shared_ptr<const shape_pattern> pattern;
    std::vector<member_node> members;  // structures, ordered by name as the model's object is
    std::vector<std::string_view> required;
    const shape_node* item = nullptr;  // lists (never null for one)
    const shape_node* key = nullptr;   // maps (never null for one)
    const shape_node* value = nullptr;

    const member_node* find(std::string_view member_name) const;
};

struct rest_route {
    std::string operation;
    std::string method;
    std::vector<uri_segment> segments;
    std::vector<std::pair<std::string, std::string>> query_literals;  // "?uploads", "?list-type=2"
};

// A parsed botocore service model. Parsed once, on first use, and kept for the
// life of the process; read-only afterwards, so any thread may share it.
class service_model {
  public:
    service_model(std::string name, json doc);

    const std::string& name() const { return name_; }
    const json& metadata() const { return doc_["metadata"]; }
    std::string protocol() const { return metadata().value("protocol", ""); }
    // The Content-Type of the json protocol's bodies: application/x-amz-json-<jsonVersion>.
    const std::string& json_content_type() const { return json_content_type_; }
    const json* operation(std::string_view name) const;
    const json& shape(std::string_view name) const;  // throws std::out_of_range for an unknown shape
    const json* find_shape(std::string_view name) const;
    // The shape a member reference ({"shape": "X", ...}) points at; resolved once when the model is parsed.
    const json& target(const json& member) const;
    const json& operations() const { return doc_["operations"]; }
    const json& shapes() const { return doc_["shapes"]; }
    // The resolved form of `shape`, which must be one of this model's shapes.
    const shape_node& node(const json& shape) const;
    // The resolved form of an operation's input or output, or null when it has none;
    // `operation` is one of operations()' values.
    const shape_node* input_node(const json& operation) const;
    const shape_node* output_node(const json& operation) const;
    const std::vector<rest_route>& rest_routes() const;  // built on first use

  private:
    void build_routes() const;
    void build_nodes();

    std::string name_;
    json doc_;
    std::string json_content_type_;
    std::unordered_map<const json*, const json*> targets_;
    std::vector<shape_node> nodes_;  // one per shape, never resized after construction
    std::unordered_map<const json*, const shape_node*> node_of_shape_;
    std::unordered_map<const json*, std::pair<const shape_node*, const shape_node*>> io_of_operation_;
    string_map<std::string_view, const json*> operation_by_name_;  // keys view doc_'s
    mutable std::vector<rest_route> routes_;
    mutable std::once_flag routes_once_;
};

// The embedded model text (minified botocore JSON), or empty if there is none.
std::string_view embedded_model(std::string_view name);
std::vector<std::string_view> embedded_model_names();
// The parsed model, parsing it on first call.
const service_model& model(std::string_view name);

std::vector<uri_segment> parse_uri_path(std::string_view path_template);

}  // namespace eddy::protocol
