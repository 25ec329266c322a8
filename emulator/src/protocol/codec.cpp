#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "protocol/codec_detail.hpp"
#include "protocol/json_reader.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace eddy::protocol {

namespace detail {

std::string serialized_name(const json& member, const json& target, const std::string& fallback) {
    if (auto it = member.find("locationName"); it != member.end()) return it->get<std::string>();
    if (auto it = target.find("locationName"); it != target.end()) return it->get<std::string>();
    return fallback;
}

aws_error serialization_error(std::string message) {
    return aws_error("SerializationException", std::move(message), 400);
}

double timestamp_seconds(const json& value) {
    if (value.is_number()) return value.get<double>();
    if (value.is_string()) {
        auto& s = value.get_ref<const std::string&>();
        std::int64_t ms;
        if (parse_iso8601(s, ms) || parse_rfc822(s, ms)) return static_cast<double>(ms) / 1000.0;
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (end && *end == '\0' && !s.empty()) return d;
    }
    throw serialization_error("invalid timestamp");
}

std::string format_timestamp(double secs, std::string_view format) {
    auto ms = static_cast<std::int64_t>(std::llround(secs * 1000.0));
    if (format == "rfc822") return format_rfc822(ms);
    if (format == "unixTimestamp") {
        if (ms % 1000 == 0) return std::to_string(ms / 1000);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms) / 1000.0);
        return buf;
    }
    return format_iso8601(ms);
}

json scalar_from_text(const json& shape, std::string_view text, std::string_view ts_format, std::string_view where) {
    auto type = shape_type(shape);
    auto bad = [&](const char* what) {
        return serialization_error("Value '" + std::string(text) + "' at '" + std::string(where) + "' is not a valid " +
                                   what);
    };
    if (type == "string") return std::string(text);
    if (type == "integer" || type == "long") {
        std::int64_t v;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || p != text.data() + text.size()) throw bad("integer");
        return v;
    }
    if (type == "float" || type == "double") {
        std::string s(text);
        char* end = nullptr;
        double v = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0') throw bad("number");
        return v;
    }
    if (type == "boolean") {
        if (text == "true") return true;
        if (text == "false") return false;
        throw bad("boolean");
    }
    if (type == "timestamp") {
        std::string fmt = shape.value("timestampFormat", std::string(ts_format));
        std::int64_t ms;
        if (parse_iso8601(text, ms) || parse_rfc822(text, ms)) return static_cast<double>(ms) / 1000.0;
        std::string s(text);
        char* end = nullptr;
        double v = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0') throw bad("timestamp");
        return v;
    }
    if (type == "blob") {
        std::string bytes;
        if (!base64_decode(text, bytes)) throw bad("base64 value");
        return json::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    }
    return std::string(text);
}

namespace {
std::string binary_text(const json& value) {
    if (value.is_binary()) {
        auto& b = value.get_binary();
        return std::string(b.begin(), b.end());
    }
    if (value.is_string()) return value.get<std::string>();
    return value.dump();
}
}  // namespace

std::string scalar_to_text(const json& shape, const json& value, std::string_view ts_format) {
    auto type = shape_type(shape);
    if (type == "timestamp")
        return format_timestamp(timestamp_seconds(value), shape.value("timestampFormat", std::string(ts_format)));
    if (type == "blob") return base64_encode(binary_text(value));
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    if (value.is_number_float()) {
        double d = value.get<double>();
        if (std::isnan(d)) return "NaN";
        if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (type == "integer" || type == "long") return std::to_string(static_cast<std::int64_t>(d));
        return value.dump();
    }
    return value.dump();
}

namespace {

// Where a value sits in the request, spelled out only when an error names it.
struct path_ref {
    const path_ref* parent;
    std::string_view name;
    std::size_t index = 0;  // 1-based list position when name is empty

    std::string str() const {
        std::string out = parent ? parent->str() : std::string();
        if (!out.empty() || parent) out += ".";
        out += name.empty() ? std::to_string(index) : std::string(name);
        return out;
    }
};

json from_wire(const shape_node& shape, json& value, const path_ref& path);

// A structure's members converted where they are: members the shape does not
// have (and nulls) are dropped, the rest converted in place. A shape that renames
// members on the wire (locationName) gets a new object with the model's names.
// `body_only` leaves out the members a REST request carries elsewhere (headers, URI, query).
json structure_from_wire(const shape_node& shape, json& value, const path_ref* parent, bool body_only = false) {
    if (!shape.renamed) {
        for (auto it = value.begin(); it != value.end();) {
            auto* member = shape.find(it.key());
            if (!member || it->is_null() || (body_only && member->located)) {
                it = value.erase(it);
                continue;
            }
            *it = from_wire(*member->target, *it, path_ref{parent, member->name});
            ++it;
        }
        return std::move(value);
    }
    json out = json::object();
    for (auto& member : shape.members) {
        if (body_only && member.located) continue;
        auto it = value.find(member.location_name.empty() ? member.name : member.location_name);
        if (it == value.end() || it->is_null()) continue;
        out[std::string(member.name)] = from_wire(*member.target, *it, path_ref{parent, member.name});
    }
    return out;
}

// What Coral's JSON reader says of a value of the wrong type: the Java class it read
// and the type it wanted, or the token it did not expect (messages recorded from AWS Kinesis).
aws_error type_mismatch(const json& value, std::string_view wanted) {
    if (value.is_array()) return serialization_error("Start of list found where not expected");
    if (value.is_object()) return serialization_error("Start of structure or map found where not expected.");
    std::string_view java = value.is_boolean()  ? "java.lang.Boolean"
                            : value.is_string() ? "java.lang.String"
                                                : "com.amazon.coral.value.json.numbers.TruncatingBigNumber";
    return serialization_error("class " + std::string(java) + " can not be converted to " + std::string(wanted));
}

// A blob's base64 text, or Coral's complaint about it.
json blob_from_wire(const std::string& text) {
    std::vector<std::uint8_t> bytes;
    if (base64_decode(text, bytes)) return json::binary(std::move(bytes));
    auto refuse = [&](const std::string& why) {
        return serialization_error("'" + text + "' can not be converted to a Blob: " + why);
    };
    if (text.size() % 4)
        throw refuse("Base64 encoded length is expected a multiple of 4 bytes but found: " +
                     std::to_string(text.size()));
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        bool alphabet = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
        bool padding = c == '=' && (i + 1 == text.size() || (i + 2 == text.size() && text[i + 1] == '='));
        if (!alphabet && !padding) throw refuse("Invalid Base64 character: '" + std::string(1, c) + "'");
    }
    throw refuse("Invalid last non-pad Base64 character dectected");  // sic: AWS's spelling
}

// Consumes `value`: strings are moved, not copied (a message body can be a megabyte).
json from_wire(const shape_node& shape, json& value, const path_ref& path) {
    if (value.is_null()) return nullptr;
    switch (shape.kind) {
        case shape_kind::structure:
            if (value.is_array()) throw type_mismatch(value, "");
            if (!value.is_object()) throw serialization_error("Expected null");
            return structure_from_wire(shape, value, &path);
        case shape_kind::list:
            if (value.is_object()) throw type_mismatch(value, "");
            if (!value.is_array()) throw serialization_error("Expected list or null");
            for (std::size_t i = 0; i < value.size(); ++i)
                value[i] = from_wire(*shape.item, value[i], path_ref{&path, {}, i + 1});
            return std::move(value);
        case shape_kind::map: {
            if (value.is_array()) throw type_mismatch(value, "");
            if (!value.is_object()) throw serialization_error("Expected map or null");
            for (auto& [k, v] : value.items())
                v = from_wire(*shape.value, v, path_ref{&path, k});
            return std::move(value);
        }
        case shape_kind::string:
            if (!value.is_string()) throw type_mismatch(value, "an String");
            return std::move(value);
        case shape_kind::integer:
        case shape_kind::long_:
            if (value.is_number_integer()) return value;
            // Coral truncates a fractional number given for an integer
            if (value.is_number_float() && std::fabs(value.get<double>()) < 9e18)
                return static_cast<std::int64_t>(std::floor(value.get<double>()));
            throw type_mismatch(value, shape.kind == shape_kind::integer ? "an Integer" : "an Long");
        case shape_kind::float_:
        case shape_kind::double_:
            if (value.is_number()) return value;
            // "NaN", "Infinity" and "-Infinity" travel as strings
            if (value.is_string()) return scalar_from_text(*shape.doc, value.get<std::string>(), "", path.str());
            throw type_mismatch(value, shape.kind == shape_kind::float_ ? "an Float" : "an Double");
        case shape_kind::boolean:
            if (value.is_boolean()) return value;
            // Coral names a string given for a boolean in capitals
            if (value.is_string()) {
                std::string upper = value.get<std::string>();
                for (auto& c : upper)
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                throw serialization_error("'" + upper + "' can not be converted to an Boolean");
            }
            throw type_mismatch(value, "an Boolean");
        case shape_kind::timestamp:
            if (value.is_number()) return value.get<double>();
            if (value.is_string()) {
                try {
                    return timestamp_seconds(value);
                } catch (const aws_error&) {
                }
            }
            throw type_mismatch(value, "an Date");
        case shape_kind::blob:
            if (!value.is_string()) throw type_mismatch(value, "a Blob");
            return blob_from_wire(value.get_ref<const std::string&>());
        case shape_kind::other:
            break;
    }
    return std::move(value);  // document types pass through
}

}  // namespace

json from_wire_json(const service_model& m, const json& shape, const json& value, std::string_view path) {
    json copy = value;
    return from_wire_json(m, shape, std::move(copy), path);
}

json from_wire_json(const service_model& m, const json& shape, json&& value, std::string_view path) {
    return from_wire_json(m.node(shape), std::move(value), path);
}

json from_wire_json(const shape_node& shape, json&& value, std::string_view path, bool body_only) {
    path_ref root{nullptr, path};
    if (path.empty()) {
        // top level: member paths read "QueueUrl", not ".QueueUrl"
        if (shape.kind == shape_kind::structure && value.is_object())
            return structure_from_wire(shape, value, nullptr, body_only);
    }
    return from_wire(shape, value, root);
}

json to_wire_json(const service_model& m, const json& shape, const json& value) {
    auto type = shape_type(shape);
    if (type == "structure") {
        json out = json::object();
        if (!value.is_object()) return out;
        for (auto& [name, member] : shape["members"].items()) {
            auto it = value.find(name);
            if (it == value.end() || it->is_null()) continue;
            out[member.value("locationName", name)] = to_wire_json(m, target_of(m, member), *it);
        }
        return out;
    }
    if (type == "list") {
        json out = json::array();
        if (!value.is_array()) return out;
        auto& target = target_of(m, shape["member"]);
        for (auto& v : value)
            out.push_back(to_wire_json(m, target, v));
        return out;
    }
    if (type == "map") {
        json out = json::object();
        if (!value.is_object()) return out;
        auto& target = target_of(m, shape["value"]);
        for (auto& [k, v] : value.items())
            out[k] = to_wire_json(m, target, v);
        return out;
    }
    if (type == "timestamp") {
        auto fmt = shape.value("timestampFormat", std::string("unixTimestamp"));
        double secs = timestamp_seconds(value);
        if (fmt == "unixTimestamp") return secs;
        return format_timestamp(secs, fmt);
    }
    if (type == "blob") return base64_encode(binary_text(value));
    if ((type == "integer" || type == "long") && value.is_number_float())
        return static_cast<std::int64_t>(value.get<double>());
    return value;
}

std::string query_error_code(const service_info* service, const service_model* model, const std::string& code,
                             bool& sender_fault) {
    const service_model* query = nullptr;
    if (service && !service->query_model.empty()) query = &protocol::model(service->query_model);
    for (const service_model* m : {query, model}) {
        if (!m) continue;
        if (auto* shape = m->find_shape(code)) {
            auto it = shape->find("error");
            if (it != shape->end() && it->contains("code")) {
                sender_fault = it->value("senderFault", sender_fault);
                return (*it)["code"].get<std::string>();
            }
        }
    }
    return code;
}

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!text.empty()) {
        auto amp = text.find('&');
        auto item = text.substr(0, amp);
        if (!item.empty()) {
            auto eq = item.find('=');
            if (eq == std::string_view::npos)
                out.emplace_back(url_decode(item, true), std::string());
            else
                out.emplace_back(url_decode(item.substr(0, eq), true), url_decode(item.substr(eq + 1), true));
        }
        if (amp == std::string_view::npos) break;
        text = text.substr(amp + 1);
    }
    return out;
}

}  // namespace detail

using namespace detail;

json decode_request(const operation_ref& op, const wire_request& request) {
    if (op.protocol == "query") return decode_query(op, request);
    if (op.protocol == "rest-json" || op.protocol == "rest-xml") return decode_rest(op, request);
    // json 1.0 / 1.1
    auto* input = op.model->input_node(*op.op);
    if (!input) return json::object();
    json body;
    std::string_view text = request.body;
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        body = json::object();
    } else {
        if (!parse_json(text, body)) throw serialization_error("Unable to parse request body as JSON");
    }
    if (!body.is_object()) throw serialization_error("The request body must be a JSON object");
    return from_wire_json(*input, std::move(body), "");
}

void encode_output(const operation_ref& op, const json& output, const std::string& request_id,
                   wire_response& response) {
    if (op.protocol == "query") return encode_query_output(op, output, request_id, response);
    if (op.protocol == "rest-json" || op.protocol == "rest-xml")
        return encode_rest_output(op, output, request_id, response);
    response.status = 200;
    response.headers.reserve(2);
    response.set_header("x-amzn-RequestId", request_id);
    response.set_header("Content-Type", op.model->json_content_type());
    response.body.clear();
    // An operation without output answers an empty body, as AWS does (botocore's protocol
    // tests AwsJson10ServiceRespondsWithNoPayload, json_1_1_service_responds_with_no_payload).
    if (auto* shape = op.model->output_node(*op.op)) {
        response.body.reserve(256);  // most answers are small: one allocation instead of several doublings
        write_wire_json(*shape, output, response.body);
    }
}

void encode_error(const service_info* service, const service_model* model, std::string_view protocol,
                  const aws_error& error, const std::string& request_id, wire_response& response) {
    response.status = error.status;
    response.headers.clear();
    bool sender = error.sender_fault;
    if (protocol == "query" || protocol == "rest-xml") {
        std::string code = protocol == "query" ? query_error_code(service, model, error.code, sender) : error.code;
        std::string& out = response.body;
        out.clear();
        if (protocol == "query") {
            std::string ns = model ? model->metadata().value("xmlNamespace", "") : "";
            out += ns.empty() ? "<ErrorResponse>" : "<ErrorResponse xmlns=\"" + ns + "\">";
            out += "<Error><Type>";
            out += sender ? "Sender" : "Receiver";
            out += "</Type><Code>";
            xml::escape(out, code);
            out += "</Code><Message>";
            xml::escape(out, error.message());
            out += "</Message><Detail/></Error><RequestId>";
            out += request_id;
            out += "</RequestId></ErrorResponse>";
            response.set_header("x-amzn-RequestId", request_id);
        } else {
            out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>";
            xml::escape(out, code);
            out += "</Code><Message>";
            xml::escape(out, error.message());
            out += "</Message>";
            for (auto& [name, value] : error.fields) {
                out += "<" + name + ">";
                xml::escape(out, value);
                out += "</" + name + ">";
            }
            out += "<RequestId>";
            out += request_id;
            out += "</RequestId><HostId>";
            out += request_id;
            out += "</HostId></Error>";
            response.set_header("x-amz-id-2", request_id);
            response.set_header("x-amz-request-id", request_id);
        }
        response.set_header("Content-Type", protocol == "rest-xml" ? "application/xml" : "text/xml");
        return;
    }
    // json and rest-json
    std::string message_key = "message";
    if (model)
        if (auto* shape = model->find_shape(error.code))
            if (shape->contains("members") && (*shape)["members"].contains("Message")) message_key = "Message";
    // Coral's own SerializationException, in no model, spells its key with a capital
    if (error.code == "SerializationException" && protocol == "json") message_key = "Message";
    json body = {{"__type", error.code}, {message_key, error.message()}};
    response.set_header("x-amzn-RequestId", request_id);
    response.set_header("x-amzn-ErrorType", error.code);
    if (model && model->metadata().contains("awsQueryCompatible")) {
        std::string code = query_error_code(service, model, error.code, sender);
        response.set_header("x-amzn-query-error", code + (sender ? ";Sender" : ";Receiver"));
    }
    if (protocol == "json")
        response.set_header("Content-Type", model ? model->json_content_type() : "application/x-amz-json-1.0");
    else
        response.set_header("Content-Type", "application/json");
    response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace eddy::protocol
