#include "protocol/xml.hpp"

#include <charconv>

namespace eddy::protocol::xml {

void escape(std::string& out, std::string_view text) {
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            case '\r':
                out += "&#xD;";
                break;
            default:
                out += c;
        }
    }
}

const element* element::child(std::string_view child_name) const {
    for (auto& c : children)
        if (c.name == child_name) return &c;
    return nullptr;
}

std::vector<const element*> element::children_named(std::string_view child_name) const {
    std::vector<const element*> out;
    for (auto& c : children)
        if (c.name == child_name) out.push_back(&c);
    return out;
}

namespace {

void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

class parser {
  public:
    explicit parser(std::string_view doc) : s_(doc) {}

    bool document(element& root, std::string& error) {
        skip_prolog();
        if (!parse_element(root, 0)) {
            error = error_.empty() ? "malformed XML" : error_;
            return false;
        }
        skip_misc();
        if (pos_ != s_.size()) {
            error = "content after the root element";
            return false;
        }
        return true;
    }

  private:
    std::string_view s_;
    std::size_t pos_ = 0;
    std::string error_;

    bool starts(std::string_view t) const { return s_.substr(pos_, t.size()) == t; }
    void skip_ws() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            ++pos_;
    }
    bool skip_past(std::string_view t) {
        auto p = s_.find(t, pos_);
        if (p == std::string_view::npos) return false;
        pos_ = p + t.size();
        return true;
    }
    void skip_misc() {
        for (;;) {
            skip_ws();
            if (starts("<?")) {
                if (!skip_past("?>")) return;
            } else if (starts("<!--")) {
                if (!skip_past("-->")) return;
            } else {
                return;
            }
        }
    }
    void skip_prolog() {
        if (starts("\xEF\xBB\xBF")) pos_ += 3;
        skip_misc();
        if (starts("<!DOCTYPE")) {
            skip_past(">");
            skip_misc();
        }
    }
    static bool name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
    }
    bool read_name(std::string& name) {
        auto start = pos_;
        while (pos_ < s_.size() && name_char(s_[pos_]))
            ++pos_;
        if (pos_ == start) return fail("expected a name");
        name.assign(s_.substr(start, pos_ - start));
        return true;
    }
    bool fail(std::string why) {
        if (error_.empty()) error_ = std::move(why) + " at offset " + std::to_string(pos_);
        return false;
    }
    bool decode_text(std::string_view raw, std::string& out) {
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] != '&') {
                out += raw[i];
                continue;
            }
            auto semi = raw.find(';', i);
            if (semi == std::string_view::npos) return fail("unterminated entity");
            auto ent = raw.substr(i + 1, semi - i - 1);
            if (ent == "amp")
                out += '&';
            else if (ent == "lt")
                out += '<';
            else if (ent == "gt")
                out += '>';
            else if (ent == "quot")
                out += '"';
            else if (ent == "apos")
                out += '\'';
            else if (ent.size() > 1 && ent[0] == '#') {
                unsigned cp = 0;
                std::from_chars_result r;
                if (ent[1] == 'x' || ent[1] == 'X')
                    r = std::from_chars(ent.data() + 2, ent.data() + ent.size(), cp, 16);
                else
                    r = std::from_chars(ent.data() + 1, ent.data() + ent.size(), cp, 10);
                if (r.ec != std::errc() || r.ptr != ent.data() + ent.size() || cp > 0x10ffff)
                    return fail("bad character reference");
                append_utf8(out, cp);
            } else {
                return fail("unknown entity");
            }
            i = semi;
        }
        return true;
    }
    static std::string local_name(const std::string& name) {
        auto colon = name.find(':');
        return colon == std::string::npos ? name : name.substr(colon + 1);
    }

    bool parse_element(element& el, int depth) {
        if (depth > 64) return fail("nesting too deep");
        if (pos_ >= s_.size() || s_[pos_] != '<') return fail("expected '<'");
        ++pos_;
        std::string qname;
        if (!read_name(qname)) return false;
        el.name = local_name(qname);
        for (;;) {
            skip_ws();
            if (pos_ >= s_.size()) return fail("unterminated start tag");
            if (starts("/>")) {
                pos_ += 2;
                return true;
            }
            if (s_[pos_] == '>') {
                ++pos_;
                break;
            }
            std::string attr;
            if (!read_name(attr)) return false;
            skip_ws();
            if (pos_ >= s_.size() || s_[pos_] != '=') return fail("expected '='");
            ++pos_;
            skip_ws();
            if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) return fail("expected a quote");
            char q = s_[pos_++];
            auto end = s_.find(q, pos_);
            if (end == std::string_view::npos) return fail("unterminated attribute");
            std::string value;
            if (!decode_text(s_.substr(pos_, end - pos_), value)) return false;
            el.attributes.emplace_back(std::move(attr), std::move(value));
            pos_ = end + 1;
        }
        for (;;) {
            if (pos_ >= s_.size()) return fail("unterminated element " + qname);
            if (starts("</")) {
                pos_ += 2;
                std::string close;
                if (!read_name(close)) return false;
                if (close != qname) return fail("mismatched end tag " + close);
                skip_ws();
                if (pos_ >= s_.size() || s_[pos_] != '>') return fail("expected '>'");
                ++pos_;
                return true;
            }
            if (starts("<!--")) {
                if (!skip_past("-->")) return fail("unterminated comment");
            } else if (starts("<![CDATA[")) {
                pos_ += 9;
                auto end = s_.find("]]>", pos_);
                if (end == std::string_view::npos) return fail("unterminated CDATA");
                el.text.append(s_.substr(pos_, end - pos_));
                pos_ = end + 3;
            } else if (starts("<?")) {
                if (!skip_past("?>")) return fail("unterminated processing instruction");
            } else if (s_[pos_] == '<') {
                el.children.emplace_back();
                if (!parse_element(el.children.back(), depth + 1)) return false;
            } else {
                auto end = s_.find('<', pos_);
                if (end == std::string_view::npos) end = s_.size();
                if (!decode_text(s_.substr(pos_, end - pos_), el.text)) return false;
                pos_ = end;
            }
        }
    }
};

}  // namespace

bool parse(std::string_view doc, element& root, std::string& error) {
    parser p(doc);
    return p.document(root, error);
}

}  // namespace eddy::protocol::xml
