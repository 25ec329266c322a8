// Java regular expressions from the models, translated to ECMAScript for std::wregex.
#include "protocol/pattern.hpp"

#include <optional>

namespace eddy::protocol {

namespace {

// UTF-8 to code points; nullopt for bytes that are not UTF-8 (left unchecked).
std::optional<std::wstring> code_points(std::string_view s, std::size_t limit) {
    std::wstring out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        if (out.size() >= limit) return std::nullopt;
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return std::nullopt;
        std::uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
        for (std::size_t k = 1; k < n; ++k) {
            auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xc0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (d & 0x3f);
        }
        out += static_cast<wchar_t>(cp);
        i += n;
    }
    return out;
}

bool is_hex(wchar_t c) {
    return (c >= L'0' && c <= L'9') || (c >= L'a' && c <= L'f') || (c >= L'A' && c <= L'F');
}

std::uint32_t hex_value(std::wstring_view digits) {
    std::uint32_t v = 0;
    for (auto c : digits)
        v = v * 16 + static_cast<std::uint32_t>(c <= L'9' ? c - L'0' : (c | 0x20) - L'a' + 10);
    return v;
}

// Translates one Java pattern; fails (returns false) on what it cannot render faithfully.
class translator {
  public:
    explicit translator(std::wstring_view in) : in_(in) {}

    bool run(std::wstring& out, bool& icase) {
        if (in_.starts_with(L"(?i)")) {
            icase = true;
            i_ = 4;
        }
        while (i_ < in_.size()) {
            wchar_t c = in_[i_];
            if (c == L'\\') {
                if (!escape(out, false)) return false;
            } else if (c == L'[') {
                if (!char_class(out)) return false;
            } else if (c == L'(') {
                ++i_;
                if (i_ < in_.size() && in_[i_] == L'?') {
                    // lookahead and non-capturing groups mean the same in ECMAScript; nothing else does
                    if (i_ + 1 >= in_.size() || (in_[i_ + 1] != L'=' && in_[i_ + 1] != L'!' && in_[i_ + 1] != L':'))
                        return false;
                    out += L"(?";
                    out += in_[i_ + 1];
                    i_ += 2;
                } else {
                    out += L'(';
                }
            } else if (c == L'{') {
                if (!repeat(out)) return false;
            } else {
                out += c;
                ++i_;
                // possessive quantifiers (a*+, a?+) have no ECMAScript form
                if ((c == L'*' || c == L'+' || c == L'?') && i_ < in_.size() && in_[i_] == L'+') return false;
            }
        }
        return true;
    }

  private:
    std::wstring_view in_;
    std::size_t i_ = 0;

    // A character as itself: escaped where ECMAScript would read it as syntax.
    static void literal(std::wstring& out, std::uint32_t cp, bool in_class) {
        std::wstring_view special = in_class ? L"\\]^-[" : L"^$\\.*+?()[]{}|";
        if (cp < 0x80 && special.find(static_cast<wchar_t>(cp)) != std::wstring_view::npos) out += L'\\';
        out += static_cast<wchar_t>(cp);
    }

    bool repeat(std::wstring& out) {
        auto close = in_.find(L'}', i_);
        if (close == std::wstring_view::npos) return false;
        auto body = in_.substr(i_ + 1, close - i_ - 1);
        std::uint32_t largest = 0, v = 0;
        for (auto c : body) {
            if (c == L',') {
                largest = std::max(largest, v);
                v = 0;
            } else if (c >= L'0' && c <= L'9') {
                v = std::min<std::uint32_t>(v * 10 + static_cast<std::uint32_t>(c - L'0'), 100000);
            } else {
                return false;
            }
        }
        if (std::max(largest, v) > 1000) return false;  // libstdc++ would build one state per repeat
        out.append(in_.substr(i_, close - i_ + 1));
        i_ = close + 1;
        if (i_ < in_.size() && in_[i_] == L'+') return false;
        return true;
    }

    // One code point from \uXXXX (a surrogate pair written as two escapes is one
    // supplementary character, as Java reads it) or \xHH; i_ is at the backslash.
    std::optional<std::uint32_t> numeric_escape() {
        if (in_[i_ + 1] == L'x') {
            if (i_ + 4 > in_.size() || !is_hex(in_[i_ + 2]) || !is_hex(in_[i_ + 3])) return std::nullopt;
            auto v = hex_value(in_.substr(i_ + 2, 2));
            i_ += 4;
            return v;
        }
        auto unit = [&](std::size_t at) -> std::optional<std::uint32_t> {
            if (at + 6 > in_.size() || in_[at] != L'\\' || in_[at + 1] != L'u') return std::nullopt;
            for (std::size_t k = 2; k < 6; ++k)
                if (!is_hex(in_[at + k])) return std::nullopt;
            return hex_value(in_.substr(at + 2, 4));
        };
        auto high = unit(i_);
        if (!high) return std::nullopt;
        i_ += 6;
        if (*high >= 0xD800 && *high <= 0xDBFF) {
            if (auto low = unit(i_); low && *low >= 0xDC00 && *low <= 0xDFFF) {
                i_ += 6;
                return 0x10000 + ((*high - 0xD800) << 10) + (*low - 0xDC00);
            }
        }
        return high;
    }

    // The POSIX classes Java defines over US-ASCII, as class contents.
    static const wchar_t* posix(std::wstring_view name) {
        if (name == L"ASCII") return L"\\x00-\\x7F";
        if (name == L"Print") return L"\\x20-\\x7E";
        if (name == L"Graph") return L"\\x21-\\x7E";
        if (name == L"Alpha") return L"a-zA-Z";
        if (name == L"Digit") return L"0-9";
        if (name == L"Alnum") return L"a-zA-Z0-9";
        if (name == L"Upper") return L"A-Z";
        if (name == L"Lower") return L"a-z";
        return nullptr;
    }

    // An escape at i_. In a class `set` receives class contents; outside, a whole atom.
    // `single` is set to the code point when the escape stands for one character.
    bool escape(std::wstring& out, bool in_class, std::optional<std::uint32_t>* single = nullptr) {
        if (i_ + 1 >= in_.size()) return false;
        wchar_t c = in_[i_ + 1];
        std::optional<std::uint32_t> cp;
        if (c == L'u' || c == L'x') {
            cp = numeric_escape();
            if (!cp) return false;
        } else if (c == L't' || c == L'n' || c == L'r' || c == L'f') {
            cp = c == L't' ? 9 : c == L'n' ? 10 : c == L'r' ? 13 : 12;
            i_ += 2;
        } else if (c == L'd' || c == L'D' || c == L'w' || c == L'W' || c == L's' || c == L'S' ||
                   (!in_class && (c == L'b' || c == L'B' || (c >= L'1' && c <= L'9')))) {
            out += L'\\';
            out += c;
            i_ += 2;
            return true;
        } else if (c == L'p') {
            if (i_ + 2 >= in_.size() || in_[i_ + 2] != L'{') return false;
            auto close = in_.find(L'}', i_);
            if (close == std::wstring_view::npos) return false;
            auto* set = posix(in_.substr(i_ + 3, close - i_ - 3));
            if (!set) return false;
            if (!in_class) out += L'[';
            out += set;
            if (!in_class) out += L']';
            i_ = close + 1;
            return true;
        } else if ((c >= L'a' && c <= L'z') || (c >= L'A' && c <= L'Z') || (c >= L'0' && c <= L'9')) {
            return false;  // \Q \E \A \z \G \R \h \k \0 and others: no faithful form
        } else {
            cp = static_cast<std::uint32_t>(c);
            i_ += 2;
        }
        if (single) {
            *single = cp;
            return true;
        }
        literal(out, *cp, in_class);
        return true;
    }

    bool char_class(std::wstring& out) {
        ++i_;
        out += L'[';
        if (i_ < in_.size() && in_[i_] == L'^') {
            out += L'^';
            ++i_;
        }
        bool first = true;
        std::optional<std::uint32_t> pending;  // a character that may start a range
        auto flush = [&] {
            if (pending) literal(out, *pending, true);
            pending.reset();
        };
        while (i_ < in_.size()) {
            wchar_t c = in_[i_];
            if (c == L']' && !first) {
                flush();
                out += L']';
                ++i_;
                return true;
            }
            first = false;
            if (c == L'[' || (c == L'&' && i_ + 1 < in_.size() && in_[i_ + 1] == L'&')) return false;
            std::optional<std::uint32_t> cp;
            if (c == L'\\') {
                std::wstring set;
                if (!escape(set, true, &cp)) return false;
                if (!cp) {  // a class escape such as \w: never a range's end
                    flush();
                    out += set;
                    continue;
                }
            } else {
                cp = static_cast<std::uint32_t>(c);
                ++i_;
            }
            // A range: a character, '-', and a character other than the closing ']'.
            if (pending && *cp == L'-' && c != L'\\' && i_ < in_.size() && in_[i_] != L']') {
                std::optional<std::uint32_t> hi;
                if (in_[i_] == L'\\') {
                    std::wstring set;
                    if (!escape(set, true, &hi)) return false;
                    if (!hi) return false;  // [a-\w] is an error in Java
                } else {
                    hi = static_cast<std::uint32_t>(in_[i_++]);
                }
                literal(out, *pending, true);
                out += L'-';
                literal(out, *hi, true);
                pending.reset();
                continue;
            }
            flush();
            pending = cp;
        }
        return false;
    }
};

}  // namespace

std::shared_ptr<const shape_pattern> shape_pattern::compile(std::string_view java) {
    auto wide = code_points(java, java.size() + 1);
    if (!wide) return nullptr;
    std::wstring ecma;
    bool icase = false;
    if (!translator(*wide).run(ecma, icase)) return nullptr;
    auto p = std::make_shared<shape_pattern>();
    p->source_ = std::string(java);
    try {
        auto flags = std::regex_constants::ECMAScript | std::regex_constants::optimize;
        if (icase) flags |= std::regex_constants::icase;
        p->regex_.assign(ecma, flags);
    } catch (const std::regex_error&) {
        return nullptr;
    }
    return p;
}

bool shape_pattern::matches(std::string_view utf8) const {
    auto text = code_points(utf8, max_checked_length);
    if (!text) return true;
    return std::regex_match(*text, regex_);
}

}  // namespace eddy::protocol
