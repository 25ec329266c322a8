#include "eventing/input_template.hpp"

#include <array>
#include <cctype>

#include "core/encoding.hpp"

namespace eddy::eventing {

namespace {

using nlohmann::json;

// Never throws on bad UTF-8 in event data: the bytes are replaced rather than failing the batch.
std::string dump(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The text of a string escaped for the inside of a JSON string literal.
std::string escape_for_string(const std::string& text) {
    std::string quoted = dump(json(text));
    return quoted.substr(1, quoted.size() - 2);
}

// A value as text: a string is its characters, anything else its JSON.
std::string text_of(const json& value) {
    return value.is_string() ? value.get<std::string>() : dump(value);
}

std::optional<json> parse_json(std::string_view text) {
    json parsed = json::parse(text.begin(), text.end(), nullptr, false);
    if (parsed.is_discarded()) return std::nullopt;
    return parsed;
}

std::string_view string_member(const json& record, const char* name) {
    auto it = record.find(name);
    if (it == record.end() || !it->is_string()) return {};
    return it->get_ref<const std::string&>();
}

bool has(const json& record, const char* name) {
    return record.contains(name);
}

// Records are told apart by eventSource as Pipes sets it; a record without one (a test's, or an
// enrichment's echo stripped of it) by the members only that source has.
bool is_sqs_record(const json& record) {
    auto source = string_member(record, "eventSource");
    if (!source.empty()) return source == "aws:sqs";
    return !has(record, "eventSource") && has(record, "messageId") && has(record, "body");
}

bool is_kinesis_record(const json& record) {
    auto source = string_member(record, "eventSource");
    if (!source.empty()) return source == "aws:kinesis";
    return !has(record, "eventSource") && has(record, "partitionKey") && has(record, "sequenceNumber") &&
           has(record, "data");
}

// The record with its encoded payload decoded, and whether that payload is JSON.
struct decoded_record {
    json record;
    bool payload_is_json = true;
};

decoded_record decode_payload(const json& record) {
    if (record.is_string()) return {record, false};  // an enrichment's reply that was not JSON
    if (!record.is_object()) return {record, true};
    if (is_sqs_record(record) && record.contains("body") && record["body"].is_string()) {
        auto parsed = parse_json(record["body"].get_ref<const std::string&>());
        if (!parsed) return {record, false};
        json copy = record;
        copy["body"] = std::move(*parsed);
        return {std::move(copy), true};
    }
    if (is_kinesis_record(record) && record.contains("data") && record["data"].is_string()) {
        // Data that is not JSON stays base64, as the guide says Pipes sends it.
        std::string bytes;
        if (!base64_decode(record["data"].get_ref<const std::string&>(), bytes)) return {record, false};
        auto parsed = parse_json(bytes);
        if (!parsed) return {record, false};
        json copy = record;
        copy["data"] = std::move(*parsed);
        return {std::move(copy), true};
    }
    return {record, true};
}

constexpr std::string_view pipes_prefix = "aws.pipes.";
constexpr std::string_view event_variable = "aws.pipes.event";
constexpr std::string_view event_json_variable = "aws.pipes.event.json";
constexpr std::array<std::string_view, 8> pipes_variables = {
    "aws.pipes.pipe-arn",   "aws.pipes.pipe-name",
    "aws.pipes.source-arn", "aws.pipes.enrichment-arn",
    "aws.pipes.target-arn", "aws.pipes.event.ingestion-time",
    event_variable,         event_json_variable,
};

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

// ---- json_path ----

json_path json_path::parse(std::string_view text) {
    auto fail = [&]() -> json_path {
        throw template_error("InputTemplate contains an invalid JSON path: " + std::string(text));
    };
    json_path path;
    path.text_ = std::string(text);
    if (text.empty() || text[0] != '$') return fail();
    std::size_t i = 1;
    while (i < text.size()) {
        if (text[i] == '.') {
            ++i;
            if (i < text.size() && text[i] == '*') {
                path.steps_.push_back({step::kind::wildcard, {}, 0});
                path.has_wildcard_ = true;
                ++i;
                continue;
            }
            std::size_t start = i;
            while (i < text.size() && text[i] != '.' && text[i] != '[') {
                char c = text[i];
                if (is_space(c) || c == ']' || c == '\'' || c == '"' || c == '*') return fail();
                ++i;
            }
            if (i == start) return fail();  // "$." or "$..a"
            path.steps_.push_back({step::kind::member, std::string(text.substr(start, i - start)), 0});
        } else if (text[i] == '[') {
            ++i;
            if (i >= text.size()) return fail();
            if (text[i] == '*') {
                path.steps_.push_back({step::kind::wildcard, {}, 0});
                path.has_wildcard_ = true;
                ++i;
            } else if (text[i] == '\'' || text[i] == '"') {
                char quote = text[i++];
                std::size_t end = text.find(quote, i);
                if (end == std::string_view::npos) return fail();
                path.steps_.push_back({step::kind::member, std::string(text.substr(i, end - i)), 0});
                i = end + 1;
            } else {
                std::size_t start = i;
                std::size_t index = 0;
                while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
                    if (i - start >= 9) return fail();  // no array in an event is that long
                    index = index * 10 + static_cast<std::size_t>(text[i] - '0');
                    ++i;
                }
                if (i == start) return fail();
                path.steps_.push_back({step::kind::index, {}, index});
            }
            if (i >= text.size() || text[i] != ']') return fail();
            ++i;
        } else {
            return fail();
        }
    }
    return path;
}

json_path::selection json_path::select(const json& doc) const {
    selection out;
    if (!has_wildcard_) {
        const json* at = &doc;
        for (const step& s : steps_) {
            if (s.what == step::kind::member) {
                if (!at->is_object()) return out;
                auto it = at->find(s.member);
                if (it == at->end()) return out;
                at = &*it;
            } else {
                if (!at->is_array() || s.index >= at->size()) return out;
                at = &(*at)[s.index];
            }
        }
        out.found_ = at;
        return out;
    }
    // A wildcard fans out; every match of the rest of the path is collected into one array.
    std::vector<const json*> current{&doc};
    for (const step& s : steps_) {
        std::vector<const json*> next;
        for (const json* at : current) {
            switch (s.what) {
                case step::kind::member:
                    if (at->is_object()) {
                        auto it = at->find(s.member);
                        if (it != at->end()) next.push_back(&*it);
                    }
                    break;
                case step::kind::index:
                    if (at->is_array() && s.index < at->size()) next.push_back(&(*at)[s.index]);
                    break;
                case step::kind::wildcard:
                    if (at->is_object() || at->is_array())
                        for (const json& child : *at)
                            next.push_back(&child);
                    break;
            }
        }
        current = std::move(next);
    }
    if (current.empty()) return out;
    out.owned_ = json::array();
    for (const json* at : current)
        out.owned_.push_back(*at);
    out.owns_ = true;
    return out;
}

// ---- template_text ----

template_text template_text::scan(std::string_view text, const recognizer& recognize) {
    template_text out;
    std::string literal;
    std::string probe;  // the template with placeholders replaced, to tell JSON from free text
    bool in_string = false;
    bool escaped = false;
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c == '<') {
            std::size_t close = text.find('>', i + 1);
            bool closed = close != std::string_view::npos;
            std::string_view inner = text.substr(i + 1, closed ? close - i - 1 : std::string_view::npos);
            if (auto key = recognize(inner, closed)) {
                if (!closed)
                    throw template_error("InputTemplate has an unterminated placeholder: <" + std::string(inner));
                if (!literal.empty()) out.pieces_.emplace_back(std::move(literal));
                literal.clear();
                out.pieces_.emplace_back(out.slots_.size());
                out.slots_.push_back({std::move(*key), in_string});
                probe += in_string ? "" : "null";
                i = close + 1;
                continue;
            }
        }
        literal += c;
        probe += c;
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        }
        ++i;
    }
    if (!literal.empty()) out.pieces_.emplace_back(std::move(literal));

    // A lone placeholder or a bare scalar is free text: the guide's <$.body> example delivers
    // the body as text, not as JSON.
    std::size_t first = probe.find_first_not_of(" \t\r\n");
    bool json_shaped =
        first != std::string::npos && (probe[first] == '{' || probe[first] == '[' || probe[first] == '"');
    out.json_ = json_shaped && json::accept(probe);
    return out;
}

std::string template_text::render(const resolver& resolve, const render_rules& rules) const {
    std::string out;
    for (const auto& piece : pieces_) {
        if (const auto* literal = std::get_if<std::string>(&piece)) {
            out += *literal;
            continue;
        }
        std::size_t index = std::get<std::size_t>(piece);
        const json* value = resolve(index);
        if (json_ && !slots_[index].in_string) {
            out += value ? dump(*value) : "null";
        } else if (json_) {
            if (!value) continue;
            std::string text = text_of(*value);
            out += rules.escape_in_strings ? escape_for_string(text) : text;
        } else {
            if (!value) continue;
            std::string text = text_of(*value);
            if (rules.strip_quotes_of_objects_in_text && value->is_structured()) std::erase(text, '"');
            out += text;
        }
    }
    return out;
}

// ---- input_template ----

input_template input_template::parse(std::string_view text) {
    input_template out;
    auto recognize = [&](std::string_view inner, bool closed) -> std::optional<std::string> {
        bool is_path = !inner.empty() && inner[0] == '$';
        bool is_variable = inner.starts_with(pipes_prefix);
        if (!is_path && !is_variable) return std::nullopt;  // "a < b", "<br>": plain text
        if (!closed) return std::string(inner);             // scan reports it unterminated
        if (is_path) {
            out.paths_.push_back(json_path::parse(inner));
            out.reads_payload_ = true;
        } else {
            bool known = false;
            for (auto name : pipes_variables)
                known = known || name == inner;
            if (!known) throw template_error("InputTemplate contains invalid placeholder " + std::string(inner) + ".");
            out.paths_.push_back(std::nullopt);
            if (inner == event_json_variable) out.reads_payload_ = true;
        }
        return std::string(inner);
    };
    out.text_ = template_text::scan(text, recognize);
    return out;
}

std::string input_template::render(const json& event, const variables& vars) const {
    decoded_record decoded = reads_payload_ ? decode_payload(event) : decoded_record{};
    const auto& slots = text_.slots();
    // Values owned for this rendering; sized once so the pointers handed out stay valid.
    std::vector<json_path::selection> selections(slots.size());
    std::vector<json> owned(slots.size());
    std::vector<const json*> values(slots.size(), nullptr);
    for (std::size_t i = 0; i < slots.size(); ++i) {
        if (paths_[i]) {
            selections[i] = paths_[i]->select(decoded.record);
            values[i] = selections[i].get();
            continue;
        }
        const std::string& key = slots[i].key;
        if (key == event_variable) {
            // The event as received, as text: escaped when it is put in JSON.
            owned[i] = event.is_string() ? event : json(dump(event));
            values[i] = &owned[i];
        } else if (key == event_json_variable) {
            if (decoded.payload_is_json) values[i] = &decoded.record;
        } else if (auto it = vars.find(key); it != vars.end()) {
            owned[i] = it->second;
            values[i] = &owned[i];
        }
    }
    return text_.render([&](std::size_t slot) { return values[slot]; }, render_rules{});
}

nlohmann::json with_parsed_payload(const nlohmann::json& record) {
    return decode_payload(record).record;
}

bool payload_is_json(const nlohmann::json& record) {
    return decode_payload(record).payload_is_json;
}

}  // namespace eddy::eventing
