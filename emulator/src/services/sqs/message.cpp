#include "services/sqs/message.hpp"

#include "core/aws_error.hpp"
#include "core/digest.hpp"
#include "core/encoding.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <vector>

namespace eddy::sqs {

namespace {

void put_length_prefixed(md5& h, std::string_view bytes) {
    std::uint32_t n = static_cast<std::uint32_t>(bytes.size());
    char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                   static_cast<char>(n)};
    h.update(std::string_view(len, 4));
    h.update(bytes);
}

std::string binary_of(const json& v) {
    if (v.is_binary()) return std::string(v.get_binary().begin(), v.get_binary().end());
    if (v.is_string()) return v.get<std::string>();
    return {};
}

aws_error invalid(std::string message) {
    return aws_error("InvalidParameterValue", std::move(message));
}

}  // namespace

std::string md5_of_attributes(const json& attributes) {
    std::vector<std::string> names;
    for (auto& [name, v] : attributes.items())
        names.push_back(name);
    std::sort(names.begin(), names.end());
    md5 h;
    for (auto& name : names) {
        auto& value = attributes[name];
        std::string type = value.value("DataType", "");
        put_length_prefixed(h, name);
        put_length_prefixed(h, type);
        if (value.contains("BinaryValue") && !value.contains("StringValue")) {
            h.update(std::string_view("\x02", 1));
            put_length_prefixed(h, binary_of(value["BinaryValue"]));
        } else {
            h.update(std::string_view("\x01", 1));
            put_length_prefixed(h, value.value("StringValue", ""));
        }
    }
    auto d = h.finish();
    return to_hex(d.data(), d.size());
}

std::string md5_of_trace_header(std::string_view trace_header) {
    md5 h;
    put_length_prefixed(h, "AWSTraceHeader");
    put_length_prefixed(h, "String");
    h.update(std::string_view("\x01", 1));
    put_length_prefixed(h, trace_header);
    auto d = h.finish();
    return to_hex(d.data(), d.size());
}

std::size_t message_size(std::string_view body, const json& attributes) {
    std::size_t n = body.size();
    for (auto& [name, v] : attributes.items()) {
        n += name.size() + v.value("DataType", "").size();
        if (v.contains("StringValue")) n += v["StringValue"].get_ref<const std::string&>().size();
        if (v.contains("BinaryValue")) n += binary_of(v["BinaryValue"]).size();
    }
    return n;
}

bool valid_body_characters(std::string_view s) {
    // Printable ASCII, tab and line breaks, the usual body, are skipped without decoding.
    std::size_t ascii = printable_ascii_prefix(s);
    while (ascii < s.size()) {
        auto c = static_cast<unsigned char>(s[ascii]);
        if ((c < 0x20 || c >= 0x80) && c != 0x9 && c != 0xa && c != 0xd) break;
        ++ascii;
    }
    return each_code_point(s.substr(ascii), [](std::uint32_t cp) {
        return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
               (cp >= 0x10000 && cp <= 0x10ffff);
    });
}

void check_message_attributes(const json& attributes) {
    if (attributes.size() > 10)
        throw invalid("Number of message attributes [" + std::to_string(attributes.size()) +
                      "] exceeds the allowed maximum [10].");
    for (auto& [name, v] : attributes.items()) {
        bool name_ok = !name.empty() && name.size() <= 256 && name.front() != '.' && name.back() != '.' &&
                       name.find("..") == std::string::npos;
        for (char c : name)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) name_ok = false;
        std::string lower_name = name.substr(0, 4);
        for (auto& c : lower_name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower_name == "aws." || lower_name == "amaz") name_ok = false;
        if (!name_ok) throw invalid("Message (user) attribute name '" + name + "' is invalid.");
        std::string type = v.value("DataType", "");
        if (type.empty())
            throw invalid("The message attribute '" + name + "' must contain non-empty message attribute type.");
        std::string base = type.substr(0, type.find('.'));
        if (base != "String" && base != "Number" && base != "Binary")
            throw invalid("The type of message (user) attribute '" + name +
                          "' is invalid. You must use only the following supported type prefixes: Binary, Number, "
                          "String.");
        if (type.size() > 256) throw invalid("Message attribute type of '" + name + "' is too long.");
        bool has_string = v.contains("StringValue");
        bool has_binary = v.contains("BinaryValue");
        if (base == "Binary") {
            if (!has_binary || binary_of(v["BinaryValue"]).empty())
                throw invalid("The message attribute '" + name + "' with type 'Binary' must use field 'Binary'.");
        } else {
            if (!has_string || v["StringValue"].get_ref<const std::string&>().empty())
                throw invalid("The message attribute '" + name + "' with type '" + base + "' must use field 'String'.");
            auto& s = v["StringValue"].get_ref<const std::string&>();
            if (base == "Number") {
                char* end = nullptr;
                std::strtod(s.c_str(), &end);
                if (end == s.c_str() || *end != '\0')
                    throw invalid("Can't cast the value of message (user) attribute '" + name + "' to a number.");
            }
            if (!valid_body_characters(s))
                throw invalid("Message (user) attribute '" + name + "' value contains invalid characters.");
        }
    }
}

}  // namespace eddy::sqs
