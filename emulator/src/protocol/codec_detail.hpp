#pragma once

// Internals shared by the protocol codecs; not for services.

#include "core/aws_error.hpp"
#include "protocol/codec.hpp"
#include "protocol/xml.hpp"

#include <string>
#include <string_view>

namespace eddy::protocol::detail {

inline const json& target_of(const service_model& m, const json& member) {
    return m.target(member);
}

inline std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

inline std::string_view shape_type(const json& shape) {
    auto it = shape.find("type");
    return it == shape.end() ? std::string_view("string") : std::string_view(it->get_ref<const std::string&>());
}

// The name a member travels under: its locationName, else the target shape's, else its own.
std::string serialized_name(const json& member, const json& target, const std::string& fallback);

aws_error serialization_error(std::string message);

// A scalar (string, number, boolean, timestamp, blob) read from text, as query
// parameters, headers and XML elements carry it. `timestamp_format` is the
// protocol's default for the location unless the shape says otherwise.
json scalar_from_text(const json& shape, std::string_view text, std::string_view timestamp_format,
                      std::string_view where);
// The text form of a neutral scalar for query, XML and header serialization.
std::string scalar_to_text(const json& shape, const json& value, std::string_view timestamp_format);

// Timestamps: the neutral form is epoch seconds; these convert other spellings.
double timestamp_seconds(const json& value);
std::string format_timestamp(double epoch_seconds, std::string_view format);

// JSON body <-> neutral, for json and rest-json.
json from_wire_json(const service_model& m, const json& shape, const json& value, std::string_view path);
json from_wire_json(const service_model& m, const json& shape, json&& value, std::string_view path);
// `body_only` (a top-level structure) leaves out members bound to headers, URI labels or the query.
json from_wire_json(const shape_node& shape, json&& value, std::string_view path, bool body_only = false);
json to_wire_json(const service_model& m, const json& shape, const json& value);
// The wire JSON of neutral `value`, appended to `out` as text (see json_writer.cpp).
void write_wire_json(const service_model& m, const json& shape, const json& value, std::string& out);
void write_wire_json(const shape_node& shape, const json& value, std::string& out);
void append_json_string(std::string& out, std::string_view s);
void append_json(std::string& out, const json& value);

// XML <-> neutral for query responses and rest-xml bodies.
void write_xml_members(const service_model& m, const json& shape, const json& value, std::string& out);
void write_xml_value(const service_model& m, const json& member, const json& shape, const std::string& name,
                     const json& value, std::string& out);
json from_xml(const service_model& m, const json& shape, const xml::element& el);

// The query-era error code for an error shape name, or the name itself.
std::string query_error_code(const service_info* service, const service_model* model, const std::string& code,
                             bool& sender_fault);

// Parses application/x-www-form-urlencoded text into ordered pairs.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view text);

json decode_query(const operation_ref& op, const wire_request& request);
void encode_query_output(const operation_ref& op, const json& output, const std::string& request_id,
                         wire_response& response);
json decode_rest(const operation_ref& op, const wire_request& request);
void encode_rest_output(const operation_ref& op, const json& output, const std::string& request_id,
                        wire_response& response);

}  // namespace eddy::protocol::detail
