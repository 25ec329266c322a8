// java.util.regex syntax, parsed to a tree, compiled to a program, matched by backtracking
// on an explicit stack with a memo of the choice points already tried.
#include "protocol/java_regex.hpp"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

namespace eddy::protocol {

namespace {

// The general categories, in the order of their names below; a run's category fits 5 bits.
// clang-format off
enum category : std::uint8_t {
    Cc, Cf, Cn, Co, Cs, Ll, Lm, Lo, Lt, Lu, Mc, Me, Mn, Nd, Nl,
    No, Pc, Pd, Pe, Pf, Pi, Po, Ps, Sc, Sk, Sm, So, Zl, Zp, Zs,
};
// clang-format on
constexpr std::string_view category_names[] = {
    "Cc", "Cf", "Cn", "Co", "Cs", "Ll", "Lm", "Lo", "Lt", "Lu", "Mc", "Me", "Mn", "Nd", "Nl",
    "No", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "Sc", "Sk", "Sm", "So", "Zl", "Zp", "Zs",
};

constexpr std::uint32_t run(std::uint32_t start, category c) {
    return start << 5 | c;
}

// (start << 5 | category), sorted by start: a run lasts until the next one starts.
constexpr std::uint32_t category_runs[] = {
#include "protocol/unicode_categories.inc"
};

category category_of(char32_t c) {
    auto it = std::upper_bound(std::begin(category_runs), std::end(category_runs), std::uint32_t(c) << 5 | 31);
    return static_cast<category>(it[-1] & 31);
}

// The code points whose category `wanted` accepts.
template <typename F>
code_point_set categories(F wanted) {
    std::vector<std::pair<char32_t, char32_t>> ranges;
    constexpr std::size_t n = std::size(category_runs);
    for (std::size_t i = 0; i < n; ++i)
        if (wanted(static_cast<category>(category_runs[i] & 31))) {
            char32_t lo = category_runs[i] >> 5;
            char32_t hi = i + 1 < n ? (category_runs[i + 1] >> 5) - 1 : 0x10FFFF;
            ranges.emplace_back(lo, hi);
        }
    return code_point_set(std::move(ranges));
}

code_point_set of(std::initializer_list<std::pair<char32_t, char32_t>> ranges) {
    return code_point_set(std::vector<std::pair<char32_t, char32_t>>(ranges));
}

// Java's line terminators, which '.' does not match without (?s).
bool is_terminator(char32_t c) {
    return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

// What \b takes for a word character: Character.isLetterOrDigit or '_' (Java 8 to 17).
bool is_word(char32_t c) {
    if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    auto k = category_of(c);
    return k == Lu || k == Ll || k == Lt || k == Lm || k == Lo || k == Nd;
}

// The POSIX classes and Unicode categories \p{...} may name, as Java spells them.
bool named_class(std::string_view name, code_point_set& out) {
    if (name.starts_with("Is"))
        name.remove_prefix(2);
    else if (name.starts_with("gc="))
        name.remove_prefix(3);
    else if (name.starts_with("general_category="))
        name.remove_prefix(17);
    else {  // POSIX names (US-ASCII only, as Java defines them) are not taken with a prefix
        auto posix = [&](std::string_view n, std::initializer_list<std::pair<char32_t, char32_t>> ranges) {
            if (name != n) return false;
            out = of(ranges);
            return true;
        };
        if (posix("Lower", {{'a', 'z'}}) || posix("Upper", {{'A', 'Z'}}) || posix("ASCII", {{0, 0x7F}}) ||
            posix("Alpha", {{'a', 'z'}, {'A', 'Z'}}) || posix("Digit", {{'0', '9'}}) ||
            posix("Alnum", {{'a', 'z'}, {'A', 'Z'}, {'0', '9'}}) ||
            posix("Punct", {{0x21, 0x2F}, {0x3A, 0x40}, {0x5B, 0x60}, {0x7B, 0x7E}}) ||
            posix("Graph", {{0x21, 0x7E}}) || posix("Print", {{0x20, 0x7E}}) ||
            posix("Blank", {{' ', ' '}, {'\t', '\t'}}) || posix("Cntrl", {{0, 0x1F}, {0x7F, 0x7F}}) ||
            posix("XDigit", {{'0', '9'}, {'a', 'f'}, {'A', 'F'}}) || posix("Space", {{' ', ' '}, {'\t', '\r'}}))
            return true;
    }
    if (name == "L1") {
        out = of({{0, 0xFF}});
        return true;
    }
    if (name == "all") {
        out = of({{0, 0x10FFFF}});
        return true;
    }
    if (name == "LC") {
        out = categories([](category k) { return k == Lu || k == Ll || k == Lt; });
        return true;
    }
    if (name == "LD") {
        out = categories([](category k) { return category_names[k][0] == 'L' || k == Nd; });
        return true;
    }
    if (name.size() == 1 && std::string_view("LMNPSZC").find(name[0]) != std::string_view::npos) {
        out = categories([&](category k) { return category_names[k][0] == name[0]; });
        return true;
    }
    for (std::size_t k = 0; k < std::size(category_names); ++k)
        if (name == category_names[k]) {
            out = categories([&](category c) { return c == k; });
            return true;
        }
    return false;
}

struct unsupported : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace

std::string_view unicode_category(char32_t c) {
    return category_names[category_of(c)];
}

// ---- code_point_set

void code_point_set::add(char32_t lo, char32_t hi) {
    ranges_.emplace_back(lo, hi);
    normalize();
}

void code_point_set::add(const code_point_set& other) {
    ranges_.insert(ranges_.end(), other.ranges_.begin(), other.ranges_.end());
    normalize();
}

void code_point_set::intersect(const code_point_set& other) {
    std::vector<std::pair<char32_t, char32_t>> out;
    for (auto [a, b] : ranges_)
        for (auto [c, d] : other.ranges_)
            if (std::max(a, c) <= std::min(b, d)) out.emplace_back(std::max(a, c), std::min(b, d));
    ranges_ = std::move(out);
    normalize();
}

void code_point_set::complement() {
    std::vector<std::pair<char32_t, char32_t>> out;
    char32_t next = 0;
    for (auto [lo, hi] : ranges_) {
        if (lo > next) out.emplace_back(next, lo - 1);
        next = hi + 1;
    }
    if (next <= 0x10FFFF) out.emplace_back(next, 0x10FFFF);
    ranges_ = std::move(out);
    normalize();
}

void code_point_set::add_ascii_other_case() {
    code_point_set extra;
    for (char32_t c = 'A'; c <= 'Z'; ++c) {
        if (contains(c)) extra.ranges_.emplace_back(c + 32, c + 32);
        if (contains(c + 32)) extra.ranges_.emplace_back(c, c);
    }
    add(extra);
}

bool code_point_set::contains(char32_t c) const {
    if (c < 128) return (ascii_[c >> 6] >> (c & 63)) & 1;
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), c,
                               [](char32_t v, const std::pair<char32_t, char32_t>& r) { return v < r.first; });
    return it != ranges_.begin() && c <= it[-1].second;
}

void code_point_set::normalize() {
    std::sort(ranges_.begin(), ranges_.end());
    std::vector<std::pair<char32_t, char32_t>> out;
    for (auto r : ranges_) {
        if (!out.empty() && r.first <= out.back().second + 1)
            out.back().second = std::max(out.back().second, r.second);
        else
            out.push_back(r);
    }
    ranges_ = std::move(out);
    ascii_[0] = ascii_[1] = 0;
    for (auto [lo, hi] : ranges_)
        for (char32_t c = lo; c <= hi && c < 128; ++c)
            ascii_[c >> 6] |= std::uint64_t(1) << (c & 63);
}

// ---- parsing

namespace {

// A parsed pattern: what the compiler turns into instructions.
struct node {
    enum kind_t : std::uint8_t { empty, set, concat, alt, repeat, group, assertion, look, backref } kind = empty;
    std::vector<node> children;
    std::uint32_t index = 0;  // set: set index; group: capture number (0: none); backref: group; look: look index
    std::uint32_t min = 0, max = 0;
    bool greedy = true, icase = false;
    java_regex::assertion what = java_regex::assertion::begin_input;
};

struct flags {
    bool icase = false, dotall = false, multiline = false;
};

}  // namespace

// Reads one pattern into a tree, as java.util.regex.Pattern reads it; throws `unsupported`.
class regex_compiler {
  public:
    regex_compiler(std::u32string p, java_regex& re) : p_(std::move(p)), re_(re) {}

    void run() {
        node root = alternation();
        if (i_ < p_.size()) throw unsupported("unmatched ')'");
        // slots: each group's bounds, then (with backreferences) each group's start while it
        // is being matched, then the loops' registers
        std::uint32_t most = groups_;
        for (auto g : referenced_)
            most = std::max(most, g);
        first_local_ = 2 * (most + 1);
        next_slot_ = has_backrefs_ ? first_local_ + most + 1 : 0;
        for (auto g : referenced_) {
            re_.keyed_slots_.push_back(2 * g);
            re_.keyed_slots_.push_back(2 * g + 1);
            re_.keyed_slots_.push_back(first_local_ + g);
        }
        emit(root);
        re_.program_.push_back({java_regex::op::match});
        // lookaround bodies go after the main program, each ending with its own match
        for (std::size_t k = 0; k < pending_.size(); ++k) {
            auto& look = re_.looks_[pending_[k].first];
            look.start = std::uint32_t(re_.program_.size());
            look.first_slot = re_.memo_slots_;
            emit(*pending_[k].second);
            re_.program_.push_back({java_regex::op::match});
            re_.looks_[pending_[k].first].end_slot = re_.memo_slots_;
        }
        re_.capture_slots_ = next_slot_;
        re_.memoize_ = re_.keyed_slots_.empty();
    }

  private:
    std::u32string p_;
    java_regex& re_;
    std::size_t i_ = 0;
    flags flags_;
    std::uint32_t groups_ = 0;
    bool has_backrefs_ = false;
    std::vector<std::uint32_t> referenced_;  // the groups backreferences name
    std::uint32_t first_local_ = 0, next_slot_ = 0;
    std::vector<std::uint32_t> watching_;  // registers of the repeats being emitted that may match nothing
    std::vector<std::unique_ptr<node>> look_bodies_;
    std::vector<std::pair<std::uint32_t, const node*>> pending_;

    static constexpr std::size_t max_program = 100000;

    bool at_end() const { return i_ >= p_.size(); }
    char32_t peek(std::size_t ahead = 0) const { return i_ + ahead < p_.size() ? p_[i_ + ahead] : 0; }

    node set_node(code_point_set s) {
        node n;
        n.kind = node::set;
        n.index = std::uint32_t(re_.sets_.size());
        re_.sets_.push_back(std::move(s));
        return n;
    }

    node literal(char32_t c) {
        code_point_set s;
        s.add(c, c);
        if (flags_.icase) s.add_ascii_other_case();
        return set_node(std::move(s));
    }

    node assertion(java_regex::assertion what) {
        node n;
        n.kind = node::assertion;
        n.what = what;
        return n;
    }

    node alternation() {
        node first = sequence();
        if (peek() != '|') return first;
        node n;
        n.kind = node::alt;
        n.children.push_back(std::move(first));
        while (peek() == '|') {
            ++i_;
            n.children.push_back(sequence());
        }
        return n;
    }

    node sequence() {
        node n;
        n.kind = node::concat;
        while (!at_end() && peek() != '|' && peek() != ')') {
            if (peek() == '\\' && peek(1) == 'Q') {  // \Q...\E: every character as itself
                i_ += 2;
                while (!at_end() && !(peek() == '\\' && peek(1) == 'E'))
                    n.children.push_back(literal(p_[i_++]));
                if (!at_end()) i_ += 2;
                if (!n.children.empty()) {  // a quantifier after \E takes the last quoted character
                    node last = std::move(n.children.back());
                    n.children.back() = quantified(std::move(last));
                }
                continue;
            }
            node a = atom();
            n.children.push_back(quantified(std::move(a)));
        }
        if (n.children.size() == 1) return std::move(n.children[0]);
        return n;
    }

    std::uint32_t number() {
        if (!(peek() >= '0' && peek() <= '9')) throw unsupported("a repeat count expected");
        std::uint64_t v = 0;
        while (peek() >= '0' && peek() <= '9') {
            v = v * 10 + (p_[i_++] - '0');
            if (v >= java_regex::unbounded) throw unsupported("repeat count too large");
        }
        return std::uint32_t(v);
    }

    node quantified(node a) {
        std::uint32_t min = 0, max = 0;
        char32_t c = peek();
        if (c == '*')
            min = 0, max = java_regex::unbounded;
        else if (c == '+')
            min = 1, max = java_regex::unbounded;
        else if (c == '?')
            min = 0, max = 1;
        else if (c == '{') {
            ++i_;
            min = number();
            max = min;
            if (peek() == ',') {
                ++i_;
                max = peek() == '}' ? java_regex::unbounded : number();
            }
            if (peek() != '}') throw unsupported("unclosed counted repeat");
            if (max < min) throw unsupported("illegal repetition range");
        } else {
            return a;
        }
        ++i_;
        bool greedy = true;
        if (peek() == '?') {
            greedy = false;
            ++i_;
        } else if (peek() == '+') {
            throw unsupported("possessive quantifier");
        }
        node r;
        r.kind = node::repeat;
        r.min = min;
        r.max = max;
        r.greedy = greedy;
        r.children.push_back(std::move(a));
        return r;
    }

    node atom() {
        char32_t c = p_[i_];
        switch (c) {
            case '(':
                return group();
            case '[':
                return set_node(char_class());
            case '.': {
                ++i_;
                auto s = of({{'\n', '\n'}, {'\r', '\r'}, {0x85, 0x85}, {0x2028, 0x2029}});
                if (flags_.dotall)
                    s = of({{0, 0x10FFFF}});
                else
                    s.complement();
                return set_node(std::move(s));
            }
            case '^':
                ++i_;
                return assertion(flags_.multiline ? java_regex::assertion::begin_line
                                                  : java_regex::assertion::begin_input);
            case '$':
                ++i_;
                return assertion(flags_.multiline ? java_regex::assertion::end_line
                                                  : java_regex::assertion::end_before_final_terminator);
            case '\\':
                return escape_atom();
            case '*':
            case '+':
            case '?':
            case '{':
                throw unsupported("dangling quantifier");
            default:
                ++i_;
                return literal(c);
        }
    }

    // Reads flags like "is-m" up to ':' or ')'; returns the flags to apply.
    flags read_flags() {
        flags f = flags_;
        bool on = true;
        while (!at_end() && peek() != ':' && peek() != ')') {
            char32_t c = p_[i_++];
            if (c == '-')
                on = false;
            else if (c == 'i')
                f.icase = on;
            else if (c == 's')
                f.dotall = on;
            else if (c == 'm')
                f.multiline = on;
            else
                throw unsupported("inline flag other than i, s, m");
        }
        if (at_end()) throw unsupported("unclosed group");
        return f;
    }

    node group() {
        ++i_;
        flags saved = flags_;
        node n;
        n.kind = node::group;
        if (peek() == '?') {
            ++i_;
            char32_t c = peek();
            if (c == ':') {
                ++i_;
            } else if (c == '=' || c == '!' || (c == '<' && (peek(1) == '=' || peek(1) == '!'))) {
                bool behind = c == '<';
                i_ += behind ? 2 : 1;
                java_regex::lookaround look;
                look.behind = behind;
                look.negative = p_[i_ - 1] == '!';
                n.kind = node::look;
                n.index = std::uint32_t(re_.looks_.size());
                re_.looks_.push_back(look);
                look_bodies_.push_back(std::make_unique<node>(alternation()));
                if (behind) {
                    auto [lo, hi] = bounds(*look_bodies_.back());
                    if (hi == java_regex::unbounded) throw unsupported("lookbehind without an obvious maximum length");
                    re_.looks_[n.index].min_length = lo;
                    re_.looks_[n.index].max_length = hi;
                }
                pending_.emplace_back(n.index, look_bodies_.back().get());
                close_group(saved);
                return n;
            } else if (c == '<') {  // (?<name>...): a capturing group with a name
                while (!at_end() && peek() != '>')
                    ++i_;
                ++i_;
                n.index = ++groups_;
            } else {
                flags f = read_flags();
                if (peek() == ')') {  // (?i): for the rest of the enclosing group
                    ++i_;
                    flags_ = f;
                    return node{};
                }
                ++i_;
                flags_ = f;
            }
        } else {
            n.index = ++groups_;
        }
        n.children.push_back(alternation());
        close_group(saved);
        return n;
    }

    void close_group(flags saved) {
        if (peek() != ')') throw unsupported("unclosed group");
        ++i_;
        flags_ = saved;
    }

    // \uXXXX, read as Java does: a high surrogate escape followed by a low one is one code point.
    char32_t hex(std::size_t digits) {
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < digits; ++k) {
            char32_t c = peek();
            int d = c >= '0' && c <= '9'   ? int(c - '0')
                    : c >= 'a' && c <= 'f' ? int(c - 'a' + 10)
                    : c >= 'A' && c <= 'F' ? int(c - 'A' + 10)
                                           : -1;
            if (d < 0) throw unsupported("bad hexadecimal escape");
            v = v * 16 + std::uint32_t(d);
            ++i_;
        }
        return v;
    }

    char32_t unicode_escape() {
        char32_t high = hex(4);
        if (high >= 0xD800 && high <= 0xDBFF && peek() == '\\' && peek(1) == 'u') {
            auto back = i_;
            i_ += 2;
            char32_t low = hex(4);
            if (low >= 0xDC00 && low <= 0xDFFF) return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            i_ = back;
        }
        return high;
    }

    // \d \w \s \h \v: ASCII digits, word characters and spaces, as Java has them without UNICODE_CHARACTER_CLASS.
    static code_point_set shorthand(char32_t c) {
        switch (c) {
            case 'd':
                return of({{'0', '9'}});
            case 'w':
                return of({{'a', 'z'}, {'A', 'Z'}, {'0', '9'}, {'_', '_'}});
            case 's':
                return of({{'\t', '\r'}, {' ', ' '}});
            case 'h':
                return of({{' ', ' '},
                           {'\t', '\t'},
                           {0xA0, 0xA0},
                           {0x1680, 0x1680},
                           {0x180E, 0x180E},
                           {0x2000, 0x200A},
                           {0x202F, 0x202F},
                           {0x205F, 0x205F},
                           {0x3000, 0x3000}});
            default:
                return of({{'\n', '\r'}, {0x85, 0x85}, {0x2028, 0x2029}});  // 'v'
        }
    }

    // One escape (i_ at the backslash) that stands for a character or a class, in or out
    // of brackets; false when it is neither (an assertion, a backreference...).
    bool class_escape(char32_t& ch, code_point_set& set, bool& is_set, bool in_class) {
        char32_t c = peek(1);
        is_set = false;
        auto single = [&](char32_t v, std::size_t length) {
            i_ += length;
            ch = v;
            return true;
        };
        auto named = [&](code_point_set s) {
            i_ += 2;
            set = std::move(s);
            is_set = true;
            return true;
        };
        switch (c) {
            case 't':
                return single('\t', 2);
            case 'n':
                return single('\n', 2);
            case 'r':
                return single('\r', 2);
            case 'f':
                return single('\f', 2);
            case 'a':
                return single(7, 2);
            case 'e':
                return single(0x1B, 2);
            case 'c':
                if (i_ + 2 >= p_.size()) throw unsupported("bad control escape");
                return single(p_[i_ + 2] ^ 64, 3);
            case '0': {
                i_ += 2;
                std::uint32_t v = 0;
                int digits = 0;
                while (digits < 3 && peek() >= '0' && peek() <= '7' && (digits < 2 || v <= 037)) {
                    v = v * 8 + (p_[i_++] - '0');
                    ++digits;
                }
                if (digits == 0) throw unsupported("bad octal escape");
                ch = v;
                return true;
            }
            case 'x':
                i_ += 2;
                if (peek() == '{') {
                    ++i_;
                    std::uint32_t v = 0;
                    std::size_t start = i_;
                    while (peek() != '}' && !at_end()) {
                        auto back = i_;
                        v = v * 16 + hex(1);
                        if (v > 0x10FFFF || i_ == back) throw unsupported("bad hexadecimal escape");
                    }
                    if (i_ == start || at_end()) throw unsupported("bad hexadecimal escape");
                    ++i_;
                    ch = v;
                    return true;
                }
                ch = hex(2);
                return true;
            case 'u':
                i_ += 2;
                ch = unicode_escape();
                return true;
            case 'd':
            case 'w':
            case 's':
            case 'h':
            case 'v':
                return named(shorthand(c));
            case 'D':
            case 'W':
            case 'S':
            case 'H':
            case 'V': {
                auto s = shorthand(c + 32);
                s.complement();
                return named(std::move(s));
            }
            case 'p':
            case 'P': {
                i_ += 2;
                std::string name;
                if (peek() == '{') {
                    ++i_;
                    while (!at_end() && peek() != '}')
                        name += char(p_[i_++] & 0x7F);
                    if (at_end()) throw unsupported("unclosed \\p{");
                    ++i_;
                } else {
                    if (at_end()) throw unsupported("bad \\p");
                    name = char(p_[i_++] & 0x7F);
                }
                if (!named_class(name, set)) throw unsupported("unknown character property \\p{" + name + "}");
                if (c == 'P') set.complement();
                is_set = true;
                return true;
            }
            default:
                if (c == 0) throw unsupported("trailing backslash");
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '1' && c <= '9')) {
                    if (in_class) throw unsupported("escape not supported in a class");
                    return false;
                }
                return single(c, 2);
        }
    }

    node escape_atom() {
        char32_t ch = 0;
        code_point_set set;
        bool is_set = false;
        if (class_escape(ch, set, is_set, false)) {
            if (is_set) {
                if (flags_.icase) set.add_ascii_other_case();
                return set_node(std::move(set));
            }
            return literal(ch);
        }
        char32_t c = peek(1);
        i_ += 2;
        using a = java_regex::assertion;
        switch (c) {
            case 'b':
                return assertion(a::word_boundary);
            case 'B':
                return assertion(a::not_word_boundary);
            case 'A':
            case 'G':
                return assertion(a::begin_input);  // \G: where the previous match ended, the start here
            case 'z':
                return assertion(a::end_input);
            case 'Z':
                return assertion(a::end_before_final_terminator);
            case 'R': {  // a line break: \r\n, or one of the vertical spaces
                node crlf;
                crlf.kind = node::concat;
                crlf.children.push_back(literal('\r'));
                crlf.children.push_back(literal('\n'));
                node n;
                n.kind = node::alt;
                n.children.push_back(std::move(crlf));
                n.children.push_back(set_node(of({{'\n', '\r'}, {0x85, 0x85}, {0x2028, 0x2029}})));
                return n;
            }
            default:
                if (c >= '1' && c <= '9') {
                    // Java takes more digits while they still name a group opened before here
                    std::uint32_t number = c - '0';
                    while (peek() >= '0' && peek() <= '9' && number * 10 + (peek() - '0') <= groups_)
                        number = number * 10 + (p_[i_++] - '0');
                    has_backrefs_ = true;
                    if (std::find(referenced_.begin(), referenced_.end(), number) == referenced_.end())
                        referenced_.push_back(number);
                    node n;
                    n.kind = node::backref;
                    n.index = number;
                    n.icase = flags_.icase;
                    return n;
                }
                throw unsupported(std::string("escape \\") + char(c & 0x7F));
        }
    }

    // A bracketed class, i_ at '[': unions, ranges, nested classes and && intersections.
    code_point_set char_class() {
        ++i_;
        bool negate = false;
        if (peek() == '^') {
            negate = true;
            ++i_;
        }
        code_point_set current, intersection;
        bool intersecting = false, first = true;
        auto add_range = [&](char32_t lo, char32_t hi) {
            code_point_set s;
            s.add(lo, hi);
            if (flags_.icase) s.add_ascii_other_case();
            current.add(s);
        };
        for (;;) {
            if (at_end()) throw unsupported("unclosed character class");
            char32_t c = peek();
            if (c == ']' && !first) {
                ++i_;
                break;
            }
            first = false;
            if (c == '[') {
                current.add(char_class());
                continue;
            }
            if (c == '&' && peek(1) == '&') {
                i_ += 2;
                if (intersecting)
                    intersection.intersect(current);
                else
                    intersection = current;
                intersecting = true;
                current = code_point_set();
                continue;
            }
            char32_t ch = c;
            if (c == '\\') {
                code_point_set set;
                bool is_set = false;
                class_escape(ch, set, is_set, true);
                if (is_set) {
                    if (flags_.icase) set.add_ascii_other_case();
                    current.add(set);
                    continue;
                }
            } else {
                ++i_;
            }
            // a range: a character, '-', and a character other than ']' or a nested class
            if (peek() == '-' && peek(1) != ']' && peek(1) != '[' && i_ + 1 < p_.size()) {
                ++i_;
                char32_t hi = peek();
                if (hi == '\\') {
                    code_point_set set;
                    bool is_set = false;
                    class_escape(hi, set, is_set, true);
                    if (is_set) throw unsupported("a class as a range's end");
                } else {
                    ++i_;
                }
                if (hi < ch) throw unsupported("illegal character range");
                add_range(ch, hi);
                continue;
            }
            add_range(ch, ch);
        }
        if (intersecting) {
            intersection.intersect(current);
            current = std::move(intersection);
        }
        if (negate) current.complement();
        return current;
    }

    // The fewest and most code points a node can match (most: unbounded when not bounded).
    static std::pair<std::uint32_t, std::uint32_t> bounds(const node& n) {
        constexpr std::uint64_t inf = java_regex::unbounded;
        auto clamp = [](std::uint64_t v) { return std::uint32_t(std::min<std::uint64_t>(v, java_regex::unbounded)); };
        switch (n.kind) {
            case node::set:
                return {1, 1};
            case node::concat: {
                std::uint64_t lo = 0, hi = 0;
                for (auto& c : n.children) {
                    auto [a, b] = bounds(c);
                    lo += a;
                    hi = (hi == inf || b == inf) ? inf : hi + b;
                }
                return {clamp(lo), clamp(hi)};
            }
            case node::alt: {
                std::uint32_t lo = java_regex::unbounded, hi = 0;
                for (auto& c : n.children) {
                    auto [a, b] = bounds(c);
                    lo = std::min(lo, a);
                    hi = std::max(hi, b);
                }
                return {lo, hi};
            }
            case node::repeat: {
                auto [a, b] = bounds(n.children[0]);
                std::uint64_t hi = (n.max == inf && b != 0) || b == inf ? inf : std::uint64_t(b) * n.max;
                return {clamp(std::uint64_t(a) * n.min), clamp(hi)};
            }
            case node::group:
                return bounds(n.children[0]);
            case node::backref:
                return {0, java_regex::unbounded};
            default:
                return {0, 0};
        }
    }

    // ---- code generation

    std::uint32_t pc() const { return std::uint32_t(re_.program_.size()); }

    std::uint32_t push(java_regex::instruction ins) {
        if (re_.program_.size() >= max_program) throw unsupported("pattern too large once its repeats are unrolled");
        re_.program_.push_back(ins);
        return pc() - 1;
    }

    // Memo slots for a choice point: `count` for each combination of the enclosing repeats
    // that have or have not matched something yet in their current round.
    std::uint32_t memo_slots(std::uint32_t count) {
        if (watching_.size() > 6) throw unsupported("repeats that may match nothing nested too deep");
        auto first = re_.memo_slots_;
        re_.memo_slots_ += count << watching_.size();
        return first;
    }

    std::uint32_t watch_set() {
        if (watching_.empty()) return 0;
        for (std::size_t k = 1; k < re_.watch_sets_.size(); ++k)
            if (re_.watch_sets_[k] == watching_) return std::uint32_t(k);
        re_.watch_sets_.push_back(watching_);
        return std::uint32_t(re_.watch_sets_.size() - 1);
    }

    std::uint32_t split(bool greedy) {
        java_regex::instruction ins{java_regex::op::split};
        ins.greedy = greedy;
        ins.min = memo_slots(1);
        ins.watch = watch_set();
        return push(ins);
    }

    // Points a split at its body (next instruction) and its way out, in the preferred order.
    void patch_split(std::uint32_t at, std::uint32_t body, std::uint32_t out) {
        auto& ins = re_.program_[at];
        ins.a = ins.greedy ? body : out;
        ins.b = ins.greedy ? out : body;
    }

    // A node that is one character class once groups without captures are looked through.
    const node* single_set(const node& n) const {
        if (n.kind == node::set) return &n;
        if (n.kind == node::group && (n.index == 0 || !has_backrefs_)) return single_set(n.children[0]);
        return nullptr;
    }

    void emit(const node& n) {
        using op = java_regex::op;
        switch (n.kind) {
            case node::empty:
                return;
            case node::set:
                push({op::set, true, n.index});
                return;
            case node::concat:
                for (auto& c : n.children)
                    emit(c);
                return;
            case node::alt: {
                std::vector<std::uint32_t> exits;
                for (std::size_t k = 0; k < n.children.size(); ++k) {
                    std::uint32_t s = 0;
                    bool last = k + 1 == n.children.size();
                    if (!last) s = split(true);
                    emit(n.children[k]);
                    if (!last) {
                        exits.push_back(push({op::jump}));
                        patch_split(s, s + 1, pc());
                    }
                }
                for (auto e : exits)
                    re_.program_[e].a = pc();
                return;
            }
            case node::group:
                // as in Java, a group's new bounds replace the old ones only once it is complete,
                // so a backreference inside it sees the previous repeat's text
                if (n.index != 0 && has_backrefs_) push({op::save, true, first_local_ + n.index});
                emit(n.children[0]);
                if (n.index != 0 && has_backrefs_) push({op::commit, true, 2 * n.index, first_local_ + n.index});
                return;
            case node::repeat: {
                if (auto* s = single_set(n.children[0])) {
                    java_regex::instruction ins{op::run, n.greedy, s->index, memo_slots(2), n.min, n.max};
                    ins.watch = watch_set();
                    push(ins);
                    return;
                }
                // Java ends a group's repeats at one that matched nothing, even before the
                // minimum: a register holds where each began (only bodies that may match
                // nothing but need not need one)
                auto [lo, hi] = bounds(n.children[0]);
                bool watch = n.children[0].kind == node::group && lo == 0 && hi != 0;
                std::uint32_t reg = 0;
                std::vector<std::uint32_t> exits;
                if (watch) reg = next_slot_++;
                auto iteration = [&] {
                    if (watch) {
                        push({op::save, true, reg});
                        watching_.push_back(reg);
                    }
                    emit(n.children[0]);
                    if (watch) {
                        watching_.pop_back();
                        exits.push_back(push({op::progress, true, reg}));
                    }
                };
                for (std::uint32_t k = 0; k < n.min; ++k)
                    iteration();
                if (n.max == java_regex::unbounded) {
                    auto s = split(n.greedy);
                    iteration();
                    push({op::jump, true, s});
                    patch_split(s, s + 1, pc());
                } else {
                    std::vector<std::uint32_t> splits;
                    for (std::uint32_t k = n.min; k < n.max; ++k) {
                        splits.push_back(split(n.greedy));
                        iteration();
                    }
                    for (auto s : splits)
                        patch_split(s, s + 1, pc());
                }
                for (auto e : exits)
                    re_.program_[e].b = pc();
                return;
            }
            case node::assertion: {
                java_regex::instruction ins{op::assertion};
                ins.a = std::uint32_t(n.what);
                push(ins);
                return;
            }
            case node::look:
                push({op::look, true, n.index});
                return;
            case node::backref: {
                java_regex::instruction ins{op::backref, true, n.index};
                ins.min = n.icase;
                push(ins);
                return;
            }
        }
    }
};

std::unique_ptr<java_regex> java_regex::compile(std::string_view pattern, std::string& error) {
    // the models' patterns are UTF-8; code points outside ASCII stand for themselves
    std::u32string p;
    for (std::size_t i = 0; i < pattern.size();) {
        auto c = static_cast<unsigned char>(pattern[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > pattern.size()) {
            error = "the pattern is not UTF-8";
            return nullptr;
        }
        char32_t cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
        for (std::size_t k = 1; k < n; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(pattern[i + k]) & 0x3f);
        p += cp;
        i += n;
    }
    auto re = std::make_unique<java_regex>();
    try {
        regex_compiler(std::move(p), *re).run();
    } catch (const unsupported& e) {
        error = e.what();
        return nullptr;
    }
    return re;
}

// ---- matching

namespace {

// Scratch memory of one thread's matches, kept between them so a match allocates nothing.
struct scratch {
    std::vector<std::uint64_t> memo;  // a bit per (choice point, position) already tried
    std::vector<std::uint8_t> looks;  // per (lookaround, position): 0 unknown, 1 failed, 2 held
    std::vector<std::uint32_t> captures;
    struct frame {
        enum kind_t : std::uint8_t { resume, run_down, run_up, restore } kind;
        std::uint32_t pc, pos, limit, slot;
    };
    std::vector<frame> stack;
    std::uint64_t steps = 0;  // instructions the last match ran (see java_regex::last_steps)
};

thread_local scratch tls;

constexpr std::uint32_t unset = 0xffffffff;

}  // namespace

// One match of one text: searches from a program point for a goal, nested for lookarounds.
class regex_matcher {
  public:
    regex_matcher(const java_regex& re, std::u32string_view t) : re_(re), t_(t), n_(std::uint32_t(t.size())) {
        row_ = n_ + 1;
        if (re_.memoize_) tls.memo.assign((std::size_t(re_.memo_slots_) * row_ + 63) / 64, 0);
        if (re_.memoize_) tls.looks.assign(re_.looks_.size() * row_, 0);
        tls.captures.assign(re_.capture_slots_, unset);
    }

    bool whole() { return search(0, 0, n_, true); }

  private:
    using frame = scratch::frame;
    const java_regex& re_;
    std::u32string_view t_;
    std::uint32_t n_, row_;
    std::unordered_set<std::u32string>* seen_ = nullptr;  // the current search's states tried (backreferences)

    // Marks (slot, pos) tried; false when it already was. With backreferences what follows
    // also depends on the groups they name, so those are part of what was tried.
    bool first_visit(std::uint32_t slot, std::uint32_t pos, std::uint32_t watch) {
        if (watch) {  // one slot per combination of the enclosing repeats' progress
            auto& registers = re_.watch_sets_[watch];
            for (std::size_t k = 0; k < registers.size(); ++k)
                if (tls.captures[registers[k]] == pos) slot += 1u << k;
        }
        if (!re_.memoize_) {
            std::u32string key{char32_t(slot), char32_t(pos)};
            for (auto c : re_.keyed_slots_)
                key += char32_t(tls.captures[c]);
            return seen_->insert(std::move(key)).second;
        }
        std::size_t bit = std::size_t(slot) * row_ + pos;
        auto& word = tls.memo[bit / 64];
        auto mask = std::uint64_t(1) << (bit % 64);
        if (word & mask) return false;
        word |= mask;
        return true;
    }

    // Whether a run may stop at `pos` given what follows it: when that is a class the next
    // character must be in, most stopping points of .* are skipped without a try.
    bool may_continue(std::uint32_t pc, std::uint32_t pos) const {
        auto& next = re_.program_[pc];
        return next.code != java_regex::op::set || (pos < n_ && re_.sets_[next.a].contains(t_[pos]));
    }

    void clear_memo(std::size_t from, std::size_t to) {
        for (; from < to && from % 64; ++from)
            tls.memo[from / 64] &= ~(std::uint64_t(1) << (from % 64));
        for (; from + 64 <= to; from += 64)
            tls.memo[from / 64] = 0;
        for (; from < to; ++from)
            tls.memo[from / 64] &= ~(std::uint64_t(1) << (from % 64));
    }

    bool holds(java_regex::assertion what, std::uint32_t pos) const {
        using a = java_regex::assertion;
        switch (what) {
            case a::begin_input:
                return pos == 0;
            case a::begin_line:  // never at the end of the text, as in Perl
                return pos < n_ &&
                       (pos == 0 || (is_terminator(t_[pos - 1]) && !(t_[pos - 1] == '\r' && t_[pos] == '\n')));
            case a::end_input:
                return pos == n_;
            case a::end_before_final_terminator:
                if (pos == n_) return true;
                if (pos + 2 == n_) return t_[pos] == '\r' && t_[pos + 1] == '\n';
                return pos + 1 == n_ && is_terminator(t_[pos]) && !(t_[pos] == '\n' && pos > 0 && t_[pos - 1] == '\r');
            case a::end_line:
                return pos == n_ || (is_terminator(t_[pos]) && !(t_[pos] == '\n' && pos > 0 && t_[pos - 1] == '\r'));
            case a::word_boundary:
            case a::not_word_boundary: {
                bool left = pos > 0 && is_word(t_[pos - 1]);
                bool right = pos < n_ && is_word(t_[pos]);
                return (left != right) == (what == a::word_boundary);
            }
        }
        return false;
    }

    bool look(std::uint32_t index, std::uint32_t pos) {
        auto& l = re_.looks_[index];
        std::uint8_t* cached = re_.memoize_ ? &tls.looks[std::size_t(index) * row_ + pos] : nullptr;
        if (cached && *cached) return *cached == 2;
        bool found = false;
        auto attempt = [&](std::uint32_t from, std::uint32_t goal, bool exact) {
            if (re_.memoize_)  // the body's memo holds what an earlier try learnt for another goal
                clear_memo(std::size_t(l.first_slot) * row_, std::size_t(l.end_slot) * row_);
            return search(l.start, from, goal, exact);
        };
        if (!l.behind) {
            found = attempt(pos, n_, false);
        } else {
            for (std::uint32_t len = l.min_length; len <= l.max_length && len <= pos && !found; ++len)
                found = attempt(pos - len, pos, true);
        }
        bool held = found != l.negative;
        if (cached) *cached = held ? 2 : 1;
        return held;
    }

    // Runs from (pc, pos) until a match instruction at a position the goal accepts (`goal`
    // exactly, or any when !exact), trying alternatives in Java's order.
    bool search(std::uint32_t pc, std::uint32_t pos, std::uint32_t goal, bool exact) {
        using op = java_regex::op;
        auto& stack = tls.stack;
        const std::size_t base = stack.size();
        std::unordered_set<std::u32string> seen;
        struct restore_seen {
            std::unordered_set<std::u32string>*& at;
            std::unordered_set<std::u32string>* outer;
            ~restore_seen() { at = outer; }
        } guard{seen_, seen_};
        seen_ = &seen;
        auto& prog = re_.program_;
        for (;;) {
            ++tls.steps;
            bool ok = true;
            const auto& ins = prog[pc];
            switch (ins.code) {
                case op::set:
                    if (pos < n_ && re_.sets_[ins.a].contains(t_[pos])) {
                        ++pc;
                        ++pos;
                    } else {
                        ok = false;
                    }
                    break;
                case op::run: {
                    if (!first_visit(ins.b, pos, ins.watch)) {
                        ok = false;
                        break;
                    }
                    auto& set = re_.sets_[ins.a];
                    std::uint32_t k = 0;
                    while (k < ins.max && pos + k < n_ && set.contains(t_[pos + k]))
                        ++k;
                    if (k < ins.min) {
                        ok = false;
                        break;
                    }
                    std::uint32_t next, after = ins.b + (1u << re_.watch_sets_[ins.watch].size());
                    if (ins.greedy) {
                        if (k > ins.min) stack.push_back({frame::run_down, pc + 1, pos + k - 1, pos + ins.min, after});
                        next = pos + k;
                    } else {
                        if (k > ins.min) stack.push_back({frame::run_up, pc + 1, pos + ins.min + 1, pos + k, after});
                        next = pos + ins.min;
                    }
                    ok = may_continue(pc + 1, next) && first_visit(after, next, ins.watch);
                    pc = pc + 1;
                    pos = next;
                    break;
                }
                case op::split:
                    if (!first_visit(ins.min, pos, ins.watch)) {
                        ok = false;
                        break;
                    }
                    stack.push_back({frame::resume, ins.b, pos, 0, 0});
                    pc = ins.a;
                    break;
                case op::jump:
                    pc = ins.a;
                    break;
                case op::save:
                    stack.push_back({frame::restore, ins.a, tls.captures[ins.a], 0, 0});
                    tls.captures[ins.a] = pos;
                    ++pc;
                    break;
                case op::commit:
                    stack.push_back({frame::restore, ins.a, tls.captures[ins.a], 0, 0});
                    stack.push_back({frame::restore, ins.a + 1, tls.captures[ins.a + 1], 0, 0});
                    tls.captures[ins.a] = tls.captures[ins.b];
                    tls.captures[ins.a + 1] = pos;
                    ++pc;
                    break;
                case op::progress:
                    pc = tls.captures[ins.a] == pos ? ins.b : pc + 1;
                    break;
                case op::assertion:
                    ok = holds(java_regex::assertion(ins.a), pos);
                    ++pc;
                    break;
                case op::look:
                    ok = look(ins.a, pos);
                    ++pc;
                    break;
                case op::backref: {
                    auto from = tls.captures[2 * ins.a], to = tls.captures[2 * ins.a + 1];
                    if (from == unset || to == unset || pos + (to - from) > n_) {
                        ok = false;
                        break;
                    }
                    for (std::uint32_t k = 0; k < to - from && ok; ++k) {
                        char32_t a = t_[from + k], b = t_[pos + k];
                        if (ins.min && a < 128 && b < 128) {
                            a = (a >= 'A' && a <= 'Z') ? a + 32 : a;
                            b = (b >= 'A' && b <= 'Z') ? b + 32 : b;
                        }
                        ok = a == b;
                    }
                    pos += to - from;
                    ++pc;
                    break;
                }
                case op::match:
                    if (!exact || pos == goal) {
                        // groups a lookaround's body set stay set, even when the lookaround is
                        // negative and so fails, and whatever is backtracked later: as in Java
                        stack.resize(base);
                        return true;
                    }
                    ok = false;
                    break;
            }
            // on failure, resume the latest alternative still untried
            while (!ok) {
                if (stack.size() == base) return false;
                auto& f = stack.back();
                switch (f.kind) {
                    case frame::resume:
                        pc = f.pc;
                        pos = f.pos;
                        stack.pop_back();
                        ok = true;
                        break;
                    case frame::restore:
                        tls.captures[f.pc] = f.pos;
                        stack.pop_back();
                        break;
                    case frame::run_down:
                    case frame::run_up: {
                        pc = f.pc;
                        pos = f.pos;
                        auto slot = f.slot;
                        if (f.pos == f.limit)
                            stack.pop_back();
                        else if (f.kind == frame::run_down)
                            --f.pos;
                        else
                            ++f.pos;
                        ok = may_continue(pc, pos) && first_visit(slot, pos, prog[pc - 1].watch);
                        break;
                    }
                }
            }
        }
    }
};

bool java_regex::matches(std::u32string_view text) const {
    tls.steps = 0;
    if (text.size() >= unset) return false;
    tls.stack.clear();
    bool found = regex_matcher(*this, text).whole();
    // a rare huge value should not leave its scratch memory to the thread for good
    constexpr std::size_t keep_bytes = 1 << 20;
    if (tls.stack.capacity() * sizeof(scratch::frame) > keep_bytes) tls.stack = {};
    if (tls.memo.capacity() * sizeof(std::uint64_t) > keep_bytes) tls.memo = {};
    if (tls.looks.capacity() > keep_bytes) tls.looks = {};
    return found;
}

std::uint64_t java_regex::last_steps() {
    return tls.steps;
}

}  // namespace eddy::protocol
