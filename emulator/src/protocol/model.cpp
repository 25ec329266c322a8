#include "protocol/model.hpp"
#include "protocol/pattern.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#define EDDY_MODEL(symbol, name) extern "C" const char eddy_model_##symbol##_begin[], eddy_model_##symbol##_end[];
#include "models.inc"
#undef EDDY_MODEL

namespace eddy::protocol {

namespace {

constexpr service_info service_table[] = {
    {"sts", "sts", "query", "", ""},
    {"sqs", "sqs", "json", "AmazonSQS", "sqs-query"},
    {"kinesis", "kinesis", "json", "Kinesis_20131202", ""},
    {"events", "events", "json", "AWSEvents", ""},
    {"pipes", "pipes", "rest-json", "", ""},
    {"stepfunctions", "states", "json", "AWSStepFunctions", ""},
    {"ecs", "ecs", "json", "AmazonEC2ContainerServiceV20141113", ""},
    {"logs", "logs", "json", "Logs_20140328", ""},
    {"lambda", "lambda", "rest-json", "", ""},
    {"dynamodb", "dynamodb", "json", "DynamoDB_20120810", ""},
    {"ssm", "ssm", "json", "AmazonSSM", ""},
    {"s3", "s3", "rest-xml", "", ""},
};

struct embedded {
    std::string_view name;
    std::string_view text;
    // parsed on first use; the once_flag makes that safe from any thread and cheap afterwards
    mutable std::once_flag parsed_once;
    mutable std::unique_ptr<service_model> parsed;
};

embedded embedded_table[] = {
#define EDDY_MODEL(symbol, name)                                                                             \
    {name,                                                                                                   \
     std::string_view(eddy_model_##symbol##_begin, eddy_model_##symbol##_end - eddy_model_##symbol##_begin), \
     {},                                                                                                     \
     {}},
#include "models.inc"
#undef EDDY_MODEL
};

std::span<const embedded> embedded_models() {
    return embedded_table;
}

}  // namespace

std::span<const service_info> services() {
    return service_table;
}

const service_info* service_by_id(std::string_view id) {
    for (auto& s : service_table)
        if (s.id == id) return &s;
    return nullptr;
}

const service_info* service_by_signing_name(std::string_view name) {
    for (auto& s : service_table)
        if (s.signing_name == name) return &s;
    return nullptr;
}

const service_info* service_by_target_prefix(std::string_view prefix) {
    for (auto& s : service_table)
        if (!s.target_prefix.empty() && s.target_prefix == prefix) return &s;
    return nullptr;
}

std::string_view embedded_model(std::string_view name) {
    for (auto& m : embedded_models())
        if (m.name == name) return m.text;
    return {};
}

std::vector<std::string_view> embedded_model_names() {
    std::vector<std::string_view> names;
    for (auto& m : embedded_models())
        names.push_back(m.name);
    return names;
}

const service_model& model(std::string_view name) {
    for (auto& m : embedded_models()) {
        if (m.name != name) continue;
        std::call_once(m.parsed_once,
                       [&m] { m.parsed = std::make_unique<service_model>(std::string(m.name), json::parse(m.text)); });
        return *m.parsed;
    }
    throw std::out_of_range("no embedded model named " + std::string(name));
}

service_model::service_model(std::string name, json doc)
    : name_(std::move(name)),
      doc_(std::move(doc)),
      json_content_type_("application/x-amz-json-" + metadata().value("jsonVersion", "1.0")) {
    // Codecs follow member -> shape links on every request: resolve them all now.
    auto& shapes = doc_["shapes"];
    auto link = [&](const json& member) {
        if (auto it = member.find("shape"); it != member.end())
            if (auto target = shapes.find(it->get_ref<const std::string&>()); target != shapes.end())
                targets_[&member] = &*target;
    };
    for (auto& [shape_name, shape] : shapes.items()) {
        if (auto members = shape.find("members"); members != shape.end())
            for (auto& [member_name, member] : members->items())
                link(member);
        for (const char* part : {"member", "key", "value"})
            if (auto it = shape.find(part); it != shape.end()) link(*it);
    }
    auto& operations = doc_["operations"];
    for (auto op = operations.begin(); op != operations.end(); ++op) {
        operation_by_name_.emplace(std::string_view(op.key()), &op.value());
        for (const char* part : {"input", "output"})
            if (auto it = op->find(part); it != op->end()) link(*it);
    }
    build_nodes();
}

namespace {

shape_kind kind_of(const json& shape) {
    static const std::pair<std::string_view, shape_kind> kinds[] = {
        {"structure", shape_kind::structure}, {"list", shape_kind::list},       {"map", shape_kind::map},
        {"string", shape_kind::string},       {"integer", shape_kind::integer}, {"long", shape_kind::long_},
        {"float", shape_kind::float_},        {"double", shape_kind::double_},  {"boolean", shape_kind::boolean},
        {"timestamp", shape_kind::timestamp}, {"blob", shape_kind::blob},
    };
    auto it = shape.find("type");
    if (it == shape.end()) return shape_kind::string;
    auto& type = it->get_ref<const std::string&>();
    for (auto& [name, kind] : kinds)
        if (type == name) return kind;
    return shape_kind::other;
}

}  // namespace

void service_model::build_nodes() {
    auto& shapes = doc_["shapes"];
    nodes_.resize(shapes.size());  // addresses are final from here on
    std::size_t i = 0;
    for (auto& [shape_name, shape] : shapes.items()) {
        auto& n = nodes_[i++];
        n.doc = &shape;
        n.kind = kind_of(shape);
        n.constrained =
            shape.contains("min") || shape.contains("max") || shape.contains("enum") || shape.contains("pattern");
        if (auto it = shape.find("pattern"); it != shape.end() && it->is_string())
            n.pattern = std::make_shared<const shape_pattern>(it->get_ref<const std::string&>());
        node_of_shape_[&shape] = &n;
    }
    // Every reference names a shape of the model: the codecs follow them without checking.
    auto target_node = [&](const json& member) -> const shape_node* {
        auto it = targets_.find(&member);
        if (it == targets_.end())
            throw std::runtime_error("model " + name_ + " refers to a shape it lacks: " + member.dump());
        return node_of_shape_.at(it->second);
    };
    for (auto& n : nodes_) {
        auto& shape = *n.doc;
        if (auto members = shape.find("members"); members != shape.end())
            for (auto& [member_name, member] : members->items()) {
                member_node mn;
                mn.name = member_name;
                mn.doc = &member;
                mn.target = target_node(member);
                mn.located = member.contains("location");
                if (auto loc = member.find("locationName"); loc != member.end()) {
                    mn.location_name = loc->get_ref<const std::string&>();
                    n.renamed = true;
                }
                n.members.push_back(mn);
            }
        if (auto required = shape.find("required"); required != shape.end())
            for (auto& r : *required)
                n.required.emplace_back(r.get_ref<const std::string&>());
        if (auto it = shape.find("member"); it != shape.end()) n.item = target_node(*it);
        if (auto it = shape.find("key"); it != shape.end()) n.key = target_node(*it);
        if (auto it = shape.find("value"); it != shape.end()) n.value = target_node(*it);
        if ((n.kind == shape_kind::list && !n.item) || (n.kind == shape_kind::map && (!n.key || !n.value)))
            throw std::runtime_error("model " + name_ + ": a list or map without its member shapes");
    }
    for (auto& [op_name, op] : doc_["operations"].items()) {
        auto& io = io_of_operation_[&op];
        if (auto it = op.find("input"); it != op.end()) io.first = target_node(*it);
        if (auto it = op.find("output"); it != op.end()) io.second = target_node(*it);
    }
}

const member_node* shape_node::find(std::string_view member_name) const {
    // Shapes have a few dozen members at most, most of them of different lengths.
    for (auto& m : members)
        if (m.name.size() == member_name.size() && m.name == member_name) return &m;
    return nullptr;
}

const shape_node& service_model::node(const json& shape) const {
    return *node_of_shape_.at(&shape);
}

const shape_node* service_model::input_node(const json& operation) const {
    auto it = io_of_operation_.find(&operation);
    return it == io_of_operation_.end() ? nullptr : it->second.first;
}

const shape_node* service_model::output_node(const json& operation) const {
    auto it = io_of_operation_.find(&operation);
    return it == io_of_operation_.end() ? nullptr : it->second.second;
}

const json& service_model::target(const json& member) const {
    if (auto it = targets_.find(&member); it != targets_.end()) return *it->second;
    return shape(member["shape"].get_ref<const std::string&>());
}

const json* service_model::operation(std::string_view name) const {
    auto it = operation_by_name_.find(name);
    return it == operation_by_name_.end() ? nullptr : it->second;
}

const json* service_model::find_shape(std::string_view name) const {
    auto& shapes = doc_["shapes"];
    auto it = shapes.find(name);
    return it == shapes.end() ? nullptr : &*it;
}

const json& service_model::shape(std::string_view name) const {
    if (auto* s = find_shape(name)) return *s;
    throw std::out_of_range("model " + name_ + " has no shape " + std::string(name));
}

std::vector<uri_segment> parse_uri_path(std::string_view path) {
    std::vector<uri_segment> out;
    std::size_t pos = 0;
    while (pos < path.size()) {
        if (path[pos] == '/') {
            ++pos;
            continue;
        }
        auto end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        std::string_view part = path.substr(pos, end - pos);
        uri_segment seg;
        if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
            seg.label = true;
            part = part.substr(1, part.size() - 2);
            if (!part.empty() && part.back() == '+') {
                seg.greedy = true;
                part.remove_suffix(1);
            }
        }
        seg.text = std::string(part);
        out.push_back(std::move(seg));
        pos = end;
    }
    return out;
}

const std::vector<rest_route>& service_model::rest_routes() const {
    std::call_once(routes_once_, [this] { build_routes(); });
    return routes_;
}

void service_model::build_routes() const {
    for (auto& [op_name, op] : doc_["operations"].items()) {
        rest_route r;
        r.operation = op_name;
        r.method = op["http"].value("method", "POST");
        std::string uri = op["http"].value("requestUri", "/");
        auto q = uri.find('?');
        std::string path = uri.substr(0, q);
        if (q != std::string::npos) {
            std::string_view rest = std::string_view(uri).substr(q + 1);
            while (!rest.empty()) {
                auto amp = rest.find('&');
                auto item = rest.substr(0, amp);
                auto eq = item.find('=');
                if (eq == std::string_view::npos)
                    r.query_literals.emplace_back(std::string(item), std::string());
                else
                    r.query_literals.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
                if (amp == std::string_view::npos) break;
                rest = rest.substr(amp + 1);
            }
        }
        r.segments = parse_uri_path(path);
        routes_.push_back(std::move(r));
    }
}

}  // namespace eddy::protocol
