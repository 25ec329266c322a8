// A JSON reader for request bodies. It follows nlohmann's lexer rule for rule (RFC 8259
// with RFC 3629 UTF-8, no comments, a BOM only as the first bytes, integers typed by
// strtoull/strtoll and doubles by strtod, overflow to infinity refused) so that a body
// is accepted or refused, and read, exactly as json::parse would; tests compare the two.
// Nesting is kept on an explicit stack: a deep body cannot exhaust the thread's stack.
#include "protocol/json_reader.hpp"

#include "core/encoding.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace eddy::protocol {

namespace {

class reader {
  public:
    explicit reader(std::string_view text)
        : p_(reinterpret_cast<const unsigned char*>(text.data())), end_(p_ + text.size()) {}

    bool parse(json& out) {
        if (end_ - p_ >= 1 && p_[0] == 0xEF) {
            if (end_ - p_ < 3 || p_[1] != 0xBB || p_[2] != 0xBF) return false;
            p_ += 3;
        }
        // Each open container, and for an object the key its next value goes under.
        std::vector<json*> open;
        json* slot = &out;
        for (;;) {
            skip_space();
            if (p_ == end_) return false;
            switch (*p_) {
                case '{':
                    ++p_;
                    *slot = json::object();
                    skip_space();
                    if (p_ != end_ && *p_ == '}') {
                        ++p_;
                        break;
                    }
                    open.push_back(slot);
                    if (!member(*slot, slot)) return false;
                    continue;
                case '[':
                    ++p_;
                    *slot = json::array();
                    skip_space();
                    if (p_ != end_ && *p_ == ']') {
                        ++p_;
                        break;
                    }
                    open.push_back(slot);
                    slot->get_ref<json::array_t&>().emplace_back();
                    slot = &slot->get_ref<json::array_t&>().back();
                    continue;
                case '"': {
                    ++p_;
                    std::string s;
                    if (!string(s)) return false;
                    *slot = std::move(s);
                    break;
                }
                case 't':
                    if (!literal("true")) return false;
                    *slot = true;
                    break;
                case 'f':
                    if (!literal("false")) return false;
                    *slot = false;
                    break;
                case 'n':
                    if (!literal("null")) return false;
                    *slot = nullptr;
                    break;
                default:
                    if (!number(*slot)) return false;
            }
            // After a value: close containers it completes, or move to the next element.
            for (;;) {
                if (open.empty()) {
                    skip_space();
                    return p_ == end_;
                }
                skip_space();
                if (p_ == end_) return false;
                json& container = *open.back();
                char c = static_cast<char>(*p_++);
                if (c == ',') {
                    if (container.is_object()) {
                        skip_space();
                        if (!member(container, slot)) return false;
                    } else {
                        container.get_ref<json::array_t&>().emplace_back();
                        slot = &container.get_ref<json::array_t&>().back();
                    }
                    break;
                }
                if (c != (container.is_object() ? '}' : ']')) return false;
                open.pop_back();
            }
        }
    }

  private:
    const unsigned char* p_;
    const unsigned char* end_;

    void skip_space() {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r'))
            ++p_;
    }

    bool literal(std::string_view word) {
        if (static_cast<std::size_t>(end_ - p_) < word.size() ||
            std::string_view(reinterpret_cast<const char*>(p_), word.size()) != word)
            return false;
        p_ += word.size();
        return true;
    }

    // `"key" :` at p_; points `slot` at the key's value in `object` (a repeated key's
    // earlier value is replaced, as json::parse does).
    bool member(json& object, json*& slot) {
        if (p_ == end_ || *p_ != '"') return false;
        ++p_;
        std::string key;
        if (!string(key)) return false;
        skip_space();
        if (p_ == end_ || *p_ != ':') return false;
        ++p_;
        auto& members = object.get_ref<json::object_t&>();
        auto [it, inserted] = members.try_emplace(std::move(key));
        if (!inserted) it->second = json();
        slot = &it->second;
        return true;
    }

    static int hex(unsigned char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    // Four hex digits after "\u", or -1.
    long code_unit() {
        if (end_ - p_ < 4) return -1;
        long v = 0;
        for (int i = 0; i < 4; ++i) {
            int d = hex(p_[i]);
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        p_ += 4;
        return v;
    }

    static void append_utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    // Length of the well-formed UTF-8 sequence (RFC 3629) at p_, or 0.
    std::size_t utf8_length() const {
        std::size_t n = static_cast<std::size_t>(end_ - p_);
        unsigned char c = p_[0];
        auto in = [&](std::size_t i, unsigned char lo, unsigned char hi) {
            return i < n && p_[i] >= lo && p_[i] <= hi;
        };
        if (c >= 0xC2 && c <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
        if (c == 0xE0) return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
        if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
        if (c == 0xED) return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
        if (c == 0xF0) return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
        if (c >= 0xF1 && c <= 0xF3) return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
        if (c == 0xF4) return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
        return 0;
    }

    // The rest of a string whose opening quote is consumed.
    bool string(std::string& out) {
        for (;;) {
            auto* run = p_;
            p_ += json_plain_prefix(std::string_view(reinterpret_cast<const char*>(p_), end_ - p_));
            out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p_ - run));
            if (p_ == end_) return false;
            unsigned char c = *p_;
            if (c == '"') {
                ++p_;
                return true;
            }
            if (c < 0x20) return false;
            if (c >= 0x80) {
                std::size_t len = utf8_length();
                if (len == 0) return false;
                out.append(reinterpret_cast<const char*>(p_), len);
                p_ += len;
                continue;
            }
            // A backslash.
            if (++p_ == end_) return false;
            switch (*p_++) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    long unit = code_unit();
                    if (unit < 0) return false;
                    std::uint32_t cp = static_cast<std::uint32_t>(unit);
                    if (unit >= 0xDC00 && unit <= 0xDFFF) return false;
                    if (unit >= 0xD800 && unit <= 0xDBFF) {
                        if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
                        p_ += 2;
                        long low = code_unit();
                        if (low < 0xDC00 || low > 0xDFFF) return false;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + static_cast<std::uint32_t>(low - 0xDC00);
                    }
                    append_utf8(out, cp);
                    break;
                }
                default:
                    return false;
            }
        }
    }

    // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, typed as json::parse types it.
    bool number(json& out) {
        auto* start = p_;
        auto digits = [&] {
            auto* from = p_;
            while (p_ != end_ && *p_ >= '0' && *p_ <= '9')
                ++p_;
            return p_ != from;
        };
        bool negative = p_ != end_ && *p_ == '-';
        if (negative) ++p_;
        if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
        if (*p_ == '0')
            ++p_;
        else
            digits();
        bool integer = true;
        if (p_ != end_ && *p_ == '.') {
            ++p_;
            integer = false;
            if (!digits()) return false;
        }
        if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
            ++p_;
            integer = false;
            if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (!digits()) return false;
        }
        std::string token(reinterpret_cast<const char*>(start), static_cast<std::size_t>(p_ - start));
        char* stop = nullptr;
        if (integer) {
            errno = 0;
            if (negative) {
                long long v = std::strtoll(token.c_str(), &stop, 10);
                if (errno == 0) {
                    out = static_cast<json::number_integer_t>(v);
                    return true;
                }
            } else {
                unsigned long long v = std::strtoull(token.c_str(), &stop, 10);
                if (errno == 0) {
                    out = static_cast<json::number_unsigned_t>(v);
                    return true;
                }
            }
        }
        double v = std::strtod(token.c_str(), &stop);
        if (!std::isfinite(v)) return false;
        out = v;
        return true;
    }
};

}  // namespace

bool parse_json(std::string_view text, json& out) {
    return reader(text).parse(out);
}

}  // namespace eddy::protocol
