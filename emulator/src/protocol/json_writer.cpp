// JSON text straight from eddy's neutral values: the json protocols' answers are
// written here in one pass, without a wire-shaped copy of the tree and without
// the per-character escaping loop of a general serializer (a GetRecords answer
// is megabytes of base64).
#include "core/encoding.hpp"
#include "protocol/codec_detail.hpp"

#include <charconv>
#include <cmath>

namespace eddy::protocol::detail {

namespace {

// Length of the valid UTF-8 sequence at p (at most n bytes), or 0.
std::size_t utf8_length(const unsigned char* p, std::size_t n) {
    unsigned char c = p[0];
    std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (len == 0 || c > 0xF4 || len > n) return 0;
    for (std::size_t i = 1; i < len; ++i)
        if ((p[i] & 0xC0) != 0x80) return 0;
    std::uint32_t cp = c & (0x3F >> (len - 1));
    for (std::size_t i = 1; i < len; ++i)
        cp = (cp << 6) | (p[i] & 0x3F);
    static constexpr std::uint32_t min_for[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

void append_number(std::string& out, const json& v) {
    char buf[40];
    std::to_chars_result r{};
    if (v.is_number_integer() && !v.is_number_unsigned())
        r = std::to_chars(buf, buf + sizeof buf, v.get<std::int64_t>());
    else if (v.is_number_unsigned())
        r = std::to_chars(buf, buf + sizeof buf, v.get<std::uint64_t>());
    else {
        double d = v.get<double>();
        if (!std::isfinite(d)) {
            out += "null";
            return;
        }
        r = std::to_chars(buf, buf + sizeof buf, d);
        std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
        out.append(text);
        // As nlohmann writes them: a float stays recognisably one.
        if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
        return;
    }
    out.append(buf, r.ptr);
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    auto* p = reinterpret_cast<const unsigned char*>(s.data());
    std::size_t n = s.size(), run = 0, i = json_plain_prefix(s);
    auto flush = [&] { out.append(s.data() + run, i - run); };
    while (i < n) {
        unsigned char c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i += json_plain_prefix(s.substr(i));
            continue;
        }
        if (c >= 0x80) {
            if (auto len = utf8_length(p + i, n - i)) {
                i += len;
                continue;
            }
            flush();
            out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
            run = ++i;
            continue;
        }
        flush();
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
        }
        run = ++i;
    }
    flush();
    out += '"';
}

void append_json(std::string& out, const json& v) {
    switch (v.type()) {
        case json::value_t::object: {
            out += '{';
            bool first = true;
            for (auto& [k, item] : v.items()) {
                if (!first) out += ',';
                first = false;
                append_json_string(out, k);
                out += ':';
                append_json(out, item);
            }
            out += '}';
            return;
        }
        case json::value_t::array: {
            out += '[';
            bool first = true;
            for (auto& item : v) {
                if (!first) out += ',';
                first = false;
                append_json(out, item);
            }
            out += ']';
            return;
        }
        case json::value_t::string:
            append_json_string(out, v.get_ref<const std::string&>());
            return;
        case json::value_t::boolean:
            out += v.get<bool>() ? "true" : "false";
            return;
        case json::value_t::binary: {
            out += '"';
            auto& b = v.get_binary();
            base64_append(out, std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
            out += '"';
            return;
        }
        case json::value_t::null:
        case json::value_t::discarded:
            out += "null";
            return;
        default:
            append_number(out, v);
    }
}

void write_wire_json(const service_model& m, const json& shape, const json& value, std::string& out) {
    write_wire_json(m.node(shape), value, out);
}

void write_wire_json(const shape_node& shape, const json& value, std::string& out) {
    switch (shape.kind) {
        case shape_kind::structure: {
            out += '{';
            bool first = true;
            if (value.is_object()) {
                for (auto& [name, v] : value.items()) {
                    auto* member = shape.find(name);
                    if (!member || v.is_null()) continue;
                    if (!first) out += ',';
                    first = false;
                    append_json_string(out, member->location_name.empty() ? name : member->location_name);
                    out += ':';
                    write_wire_json(*member->target, v, out);
                }
            }
            out += '}';
            return;
        }
        case shape_kind::list: {
            out += '[';
            if (value.is_array()) {
                bool first = true;
                for (auto& v : value) {
                    if (!first) out += ',';
                    first = false;
                    write_wire_json(*shape.item, v, out);
                }
            }
            out += ']';
            return;
        }
        case shape_kind::map: {
            out += '{';
            if (value.is_object()) {
                bool first = true;
                for (auto& [k, v] : value.items()) {
                    if (!first) out += ',';
                    first = false;
                    append_json_string(out, k);
                    out += ':';
                    write_wire_json(*shape.value, v, out);
                }
            }
            out += '}';
            return;
        }
        case shape_kind::timestamp: {
            auto fmt = shape.doc->find("timestampFormat");
            double secs = timestamp_seconds(value);
            if (fmt == shape.doc->end() || fmt->get_ref<const std::string&>() == "unixTimestamp")
                append_number(out, json(secs));
            else
                append_json_string(out, format_timestamp(secs, fmt->get_ref<const std::string&>()));
            return;
        }
        case shape_kind::blob:
            out += '"';
            if (value.is_binary()) {
                auto& b = value.get_binary();
                base64_append(out, std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
            } else if (value.is_string()) {
                base64_append(out, value.get_ref<const std::string&>());
            }
            out += '"';
            return;
        case shape_kind::integer:
        case shape_kind::long_:
            if (value.is_number_float()) {
                append_number(out, json(static_cast<std::int64_t>(value.get<double>())));
                return;
            }
            break;
        default:
            break;
    }
    append_json(out, value);
}

}  // namespace eddy::protocol::detail
