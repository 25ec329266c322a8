#include "eventing/event_pattern.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <map>
#include <set>
#include <vector>

namespace eddy::eventing {

namespace {

using json = nlohmann::json;
// Patterns are compiled from an ordered document: AWS reads a pattern as a stream and reports the
// first problem in document order, which a sorted object would reorder.
using ojson = nlohmann::ordered_json;

[[noreturn]] void fail(const std::string& reason) {
    throw pattern_error("Event pattern is not valid. Reason: " + reason);
}

// AWS compares numbers as fixed-point values in this range; others cannot be compared by value.
constexpr double number_limit = 5e9;
const char* const number_limit_message = "Value must be between -5.0E9 and 5.0E9, inclusive";

bool comparable(double value) {
    return value >= -number_limit && value <= number_limit;
}

// ---------------------------------------------------------------------------------------------
// IP addresses: a string is taken as an address only if it has the shape AWS checks first
// ([0-9]+ four times with dots, or hex digits and colons with at least one colon).

}  // namespace

namespace detail {
struct ip_address {
    std::array<unsigned char, 16> bytes{};
    int size = 0;  // 4 or 16
};

struct wildcard_text {
    std::vector<std::string> segments;  // the literal text between stars; stars = segments - 1
};
}  // namespace detail

namespace {

using detail::ip_address;
using detail::wildcard_text;

bool has_ipv4_shape(std::string_view s) {
    int groups = 0;
    size_t i = 0;
    while (true) {
        size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9')
            ++i;
        if (i == start) return false;
        ++groups;
        if (i == s.size()) return groups == 4;
        if (s[i] != '.' || groups == 4) return false;
        ++i;
    }
}

bool has_ipv6_shape(std::string_view s) {
    bool colon = false;
    for (char c : s) {
        if (c == ':') {
            colon = true;
        } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return colon;
}

enum class ip_parse { ok, not_an_address, invalid };

ip_parse parse_ip(std::string_view s, ip_address& out) {
    bool v4 = has_ipv4_shape(s);
    if (!v4 && !has_ipv6_shape(s)) return ip_parse::not_an_address;
    char buffer[64];
    if (s.size() >= sizeof(buffer)) return ip_parse::invalid;
    std::memcpy(buffer, s.data(), s.size());
    buffer[s.size()] = '\0';
    out.size = v4 ? 4 : 16;
    return inet_pton(v4 ? AF_INET : AF_INET6, buffer, out.bytes.data()) == 1 ? ip_parse::ok : ip_parse::invalid;
}

// ---------------------------------------------------------------------------------------------
// Wildcards: '*' matches any run of characters, "\*" and "\\" are the literal characters.

wildcard_text parse_wildcard(const std::string& text) {
    // AWS counts positions in the value with its opening quote, hence the + 1.
    wildcard_text out;
    out.segments.emplace_back();
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '*') {
            if (i + 1 < text.size() && text[i + 1] == '*') {
                fail("Consecutive wildcard characters at pos " + std::to_string(i + 1));
            }
            out.segments.emplace_back();
        } else if (c == '\\') {
            if (i + 1 < text.size() && (text[i + 1] == '*' || text[i + 1] == '\\')) {
                out.segments.back() += text[++i];
            } else {
                fail("Invalid escape character at pos " + std::to_string(i + 1));
            }
        } else {
            out.segments.back() += c;
        }
    }
    return out;
}

bool wildcard_matches(const wildcard_text& w, std::string_view s) {
    const auto& seg = w.segments;
    if (seg.size() == 1) return s == seg[0];
    const std::string& first = seg.front();
    const std::string& last = seg.back();
    if (s.size() < first.size() + last.size()) return false;
    if (s.substr(0, first.size()) != first || s.substr(s.size() - last.size()) != last) return false;
    // Greedy leftmost placement of the middle segments is enough when '*' is the only wildcard.
    std::string_view middle = s.substr(first.size(), s.size() - first.size() - last.size());
    for (size_t i = 1; i + 1 < seg.size(); ++i) {
        size_t at = middle.find(seg[i]);
        if (at == std::string_view::npos) return false;
        middle.remove_prefix(at + seg[i].size());
    }
    return true;
}

// AWS's "complexity": the largest number of wildcard positions that one input string can keep
// alive at once across the wildcard patterns of a field. Explores the subsets an input can reach
// (a subset construction), alphabet = the literal bytes used plus one byte used by none.
int wildcard_complexity(const std::vector<std::vector<int>>& patterns) {
    constexpr int star = -1;
    constexpr size_t max_subsets = 4096;
    using state = std::pair<int, int>;  // pattern, position
    using subset = std::vector<state>;
    auto close = [&](subset& s) {
        for (size_t i = 0; i < s.size(); ++i) {
            auto [p, pos] = s[i];
            if (pos < static_cast<int>(patterns[p].size()) && patterns[p][pos] == star) s.push_back({p, pos + 1});
        }
        std::sort(s.begin(), s.end());
        s.erase(std::unique(s.begin(), s.end()), s.end());
    };
    auto stars = [&](const subset& s) {
        int n = 0;
        for (auto [p, pos] : s)
            n += pos < static_cast<int>(patterns[p].size()) && patterns[p][pos] == star;
        return n;
    };
    std::set<int> alphabet{256};
    for (const auto& p : patterns) {
        for (int t : p) {
            if (t != star) alphabet.insert(t);
        }
    }
    subset start;
    for (size_t p = 0; p < patterns.size(); ++p)
        start.push_back({static_cast<int>(p), 0});
    close(start);
    std::set<subset> seen{start};
    std::vector<subset> queue{start};
    int worst = 0;
    while (!queue.empty() && seen.size() < max_subsets) {
        subset current = std::move(queue.back());
        queue.pop_back();
        worst = std::max(worst, stars(current));
        if (worst >= event_pattern::max_wildcard_complexity) return worst;
        for (int byte : alphabet) {
            subset next;
            for (auto [p, pos] : current) {
                if (pos >= static_cast<int>(patterns[p].size())) continue;
                int t = patterns[p][pos];
                if (t == star) {
                    next.push_back({p, pos});
                } else if (t == byte) {
                    next.push_back({p, pos + 1});
                }
            }
            close(next);
            if (!next.empty() && seen.insert(next).second) queue.push_back(std::move(next));
        }
    }
    return worst;
}

// ---------------------------------------------------------------------------------------------
// Case folding for equals-ignore-case and its prefix/suffix forms (ASCII letters).

char fold(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string folded(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = fold(c);
    return out;
}

// `pattern` is already folded.
bool equal_folded(std::string_view text, std::string_view pattern) {
    if (text.size() != pattern.size()) return false;
    for (size_t i = 0; i < text.size(); ++i) {
        if (fold(text[i]) != pattern[i]) return false;
    }
    return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The matcher tree.

namespace detail {

enum class value_kind : unsigned char {
    exact_string,
    exact_ip,
    exact_number,
    exact_true,
    exact_false,
    exact_null,
    prefix,
    prefix_ignore_case,
    suffix,
    suffix_ignore_case,
    equals_ignore_case,
    wildcard,
    numeric,
    cidr,
    anything_but_strings,
    anything_but_numbers,
    anything_but_prefix,
    anything_but_suffix,
    anything_but_ignore_case,
    anything_but_wildcard,
};

// One value of a pattern's array: an exact value or one match expression.
struct value_matcher {
    value_kind kind = value_kind::exact_null;
    std::string text;                // exact, prefix, suffix (folded for the ignore-case kinds)
    std::vector<std::string> texts;  // anything-but over strings (folded for ignore-case)
    std::vector<double> numbers;     // anything-but over numbers
    json number;                     // exact_number, kept as JSON to compare integers exactly
    double low = 0, high = 0;        // numeric
    bool low_open = false, high_open = false;
    ip_address ip_low, ip_high;            // cidr (exact_ip uses ip_low)
    std::vector<wildcard_text> wildcards;  // wildcard (one) and anything_but_wildcard
};

// The array of values a pattern gives a field: matches when any value matches any scalar the
// event holds at that path (arrays in the event are flattened, objects are not values).
struct leaf {
    std::vector<value_matcher> values;
    bool exists_true = false;
    bool exists_false = false;
};

}  // namespace detail

namespace {

using detail::leaf;
using detail::value_kind;
using detail::value_matcher;

bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}
bool ends_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
bool starts_with_folded(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && equal_folded(s.substr(0, p.size()), p);
}
bool ends_with_folded(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && equal_folded(s.substr(s.size() - p.size()), p);
}

bool numbers_equal(const json& a, const json& b) {
    if (a.is_number_integer() && b.is_number_integer()) {
        if (a.is_number_unsigned() || b.is_number_unsigned()) {
            // Only equal when both are non-negative and have the same magnitude.
            if (a.is_number_unsigned() && b.is_number_unsigned()) return a.get<uint64_t>() == b.get<uint64_t>();
            const json& s = a.is_number_unsigned() ? b : a;
            const json& u = a.is_number_unsigned() ? a : b;
            return s.get<int64_t>() >= 0 && static_cast<uint64_t>(s.get<int64_t>()) == u.get<uint64_t>();
        }
        return a.get<int64_t>() == b.get<int64_t>();
    }
    return a.get<double>() == b.get<double>();
}

bool in_range(const value_matcher& m, double v) {
    if (!comparable(v)) return false;
    if (m.low_open ? !(v > m.low) : !(v >= m.low)) return false;
    return m.high_open ? v < m.high : v <= m.high;
}

bool ip_in(const value_matcher& m, std::string_view s) {
    ip_address ip;
    if (parse_ip(s, ip) != ip_parse::ok || ip.size != m.ip_low.size) return false;
    auto begin = ip.bytes.begin(), end = ip.bytes.begin() + ip.size;
    return !std::lexicographical_compare(begin, end, m.ip_low.bytes.begin(), m.ip_low.bytes.begin() + ip.size) &&
           !std::lexicographical_compare(m.ip_high.bytes.begin(), m.ip_high.bytes.begin() + ip.size, begin, end);
}

// Whether one scalar of the event (string, number, true, false or null) satisfies the matcher.
bool value_matches(const value_matcher& m, const json& v) {
    auto str = [&]() -> std::string_view { return v.get_ref<const std::string&>(); };
    switch (m.kind) {
        case value_kind::exact_string:
            return v.is_string() && str() == m.text;
        case value_kind::exact_ip: {
            if (!v.is_string()) return false;
            ip_address ip;
            return parse_ip(str(), ip) == ip_parse::ok && ip.size == m.ip_low.size &&
                   std::equal(ip.bytes.begin(), ip.bytes.begin() + ip.size, m.ip_low.bytes.begin());
        }
        case value_kind::exact_number:
            return v.is_number() && numbers_equal(v, m.number);
        case value_kind::exact_true:
            return v.is_boolean() && v.get<bool>();
        case value_kind::exact_false:
            return v.is_boolean() && !v.get<bool>();
        case value_kind::exact_null:
            return v.is_null();
        case value_kind::prefix:
            return v.is_string() && starts_with(str(), m.text);
        case value_kind::prefix_ignore_case:
            return v.is_string() && starts_with_folded(str(), m.text);
        case value_kind::suffix:
            return v.is_string() && ends_with(str(), m.text);
        case value_kind::suffix_ignore_case:
            return v.is_string() && ends_with_folded(str(), m.text);
        case value_kind::equals_ignore_case:
            return v.is_string() && equal_folded(str(), m.text);
        case value_kind::wildcard:
            return v.is_string() && wildcard_matches(m.wildcards.front(), str());
        case value_kind::numeric:
            return v.is_number() && in_range(m, v.get<double>());
        case value_kind::cidr:
            return v.is_string() && ip_in(m, str());
        // anything-but matches every value that is not excluded, whatever its type (null included).
        case value_kind::anything_but_strings:
            return !(v.is_string() && std::find(m.texts.begin(), m.texts.end(), str()) != m.texts.end());
        case value_kind::anything_but_numbers: {
            if (!v.is_number()) return true;
            double d = v.get<double>();
            return std::find(m.numbers.begin(), m.numbers.end(), d) == m.numbers.end();
        }
        case value_kind::anything_but_prefix:
            return !(v.is_string() && std::any_of(m.texts.begin(), m.texts.end(),
                                                  [&](const std::string& p) { return starts_with(str(), p); }));
        case value_kind::anything_but_suffix:
            return !(v.is_string() && std::any_of(m.texts.begin(), m.texts.end(),
                                                  [&](const std::string& p) { return ends_with(str(), p); }));
        case value_kind::anything_but_ignore_case:
            return !(v.is_string() && std::any_of(m.texts.begin(), m.texts.end(),
                                                  [&](const std::string& p) { return equal_folded(str(), p); }));
        case value_kind::anything_but_wildcard:
            return !(v.is_string() && std::any_of(m.wildcards.begin(), m.wildcards.end(),
                                                  [&](const wildcard_text& w) { return wildcard_matches(w, str()); }));
    }
    return false;
}

}  // namespace

namespace detail {

struct field;

// A JSON object of the pattern: every field must match, and every $or group must have a
// matching branch, all against the same event object.
struct object_node {
    std::vector<field> fields;
    std::vector<std::vector<object_node>> any_of;
    bool matches_absent = true;  // whether it matches where the event has nothing at this path
};

struct field {
    std::string key;
    std::vector<std::string> dotted;  // "a.b" also names the nested field a -> b
    std::unique_ptr<leaf> values;     // either values or child
    std::unique_ptr<object_node> child;
};

}  // namespace detail

namespace {

using detail::field;
using detail::object_node;

// Calls `f` on each scalar in `v` (v itself, or the elements of nested arrays) until it returns
// true; `saw` records whether there was any.
template <typename F>
bool any_scalar(const json& v, F& f, bool& saw) {
    if (v.is_array()) {
        for (const json& e : v) {
            if (any_scalar(e, f, saw)) return true;
        }
        return false;
    }
    if (v.is_object()) return false;
    saw = true;
    return f(v);
}

bool leaf_matches(const leaf& l, const json* v) {
    bool saw = false;
    if (v) {
        auto test = [&](const json& scalar) {
            for (const value_matcher& m : l.values) {
                if (value_matches(m, scalar)) return true;
            }
            return false;
        };
        if (any_scalar(*v, test, saw)) return true;
    }
    return saw ? l.exists_true : l.exists_false;
}

const json* lookup(const json& object, const field& f) {
    auto it = object.find(f.key);
    if (it != object.end()) return &*it;
    if (f.dotted.empty()) return nullptr;
    const json* current = &object;
    for (const std::string& part : f.dotted) {
        if (!current->is_object()) return nullptr;
        auto next = current->find(part);
        if (next == current->end()) return nullptr;
        current = &*next;
    }
    return current;
}

bool node_matches(const object_node& n, const json* v);

bool object_matches(const object_node& n, const json& object) {
    for (const field& f : n.fields) {
        const json* v = lookup(object, f);
        if (f.values ? !leaf_matches(*f.values, v) : !node_matches(*f.child, v)) return false;
    }
    for (const auto& group : n.any_of) {
        if (std::none_of(group.begin(), group.end(), [&](const object_node& b) { return object_matches(b, object); })) {
            return false;
        }
    }
    return true;
}

bool any_element_matches(const object_node& n, const json& array, bool& saw_object) {
    for (const json& e : array) {
        if (e.is_object()) {
            saw_object = true;
            if (object_matches(n, e)) return true;
        } else if (e.is_array() && any_element_matches(n, e, saw_object)) {
            return true;
        }
    }
    return false;
}

bool node_matches(const object_node& n, const json* v) {
    if (v == nullptr || !v->is_structured()) return n.matches_absent;
    if (v->is_object()) return object_matches(n, *v);
    // All fields of the node must be found in one element of the array.
    bool saw_object = false;
    if (any_element_matches(n, *v, saw_object)) return true;
    return !saw_object && n.matches_absent;
}

// ---------------------------------------------------------------------------------------------
// Compiling a pattern, with AWS's validation and messages.

// Field names AWS reserves inside $or (operators, and names kept for future operators).
bool reserved_in_or(const std::string& key) {
    static const std::set<std::string> reserved{"exactly",
                                                "equals-ignore-case",
                                                "prefix",
                                                "suffix",
                                                "anything-but",
                                                "exists",
                                                "wildcard",
                                                "numeric",
                                                "cidr",
                                                "=",
                                                "<",
                                                "<=",
                                                ">",
                                                ">=",
                                                "regex",
                                                "not-wildcard",
                                                "not-equals-ignore-case",
                                                "date-after",
                                                "date-on-or-after",
                                                "date-before",
                                                "date-on-or-before",
                                                "in-date-range",
                                                "ip-address-in-range",
                                                "ip-address-not-in-range"};
    return reserved.count(key) != 0;
}

// The text AWS quotes for an unexpected member of a numeric expression.
std::string token_text(const ojson& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object()) return "{";
    if (v.is_array()) return "[";
    return v.dump();
}

class compiler {
  public:
    std::shared_ptr<const object_node> compile(const ojson& pattern) {
        if (!pattern.is_object()) fail("Filter is not an object");
        auto root = std::make_shared<object_node>();
        // `{}` is a filter without conditions, which matches every event.
        if (!pattern.empty()) object(pattern, *root, false, "");
        for (const auto& [path, patterns] : wildcards_) {
            if (wildcard_complexity(patterns) >= event_pattern::max_wildcard_complexity) {
                fail(
                    "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
                    "sequences after a wildcard character");
            }
        }
        return root;
    }

  private:
    void object(const ojson& value, object_node& node, bool inside_or, const std::string& path) {
        if (value.empty()) fail("Empty objects are not allowed");
        for (auto it = value.begin(); it != value.end(); ++it) {
            const std::string& key = it.key();
            if (key == "$or") {
                or_group(it.value(), node, path);
                continue;
            }
            if (inside_or && reserved_in_or(key)) {
                fail(key + " is Ruler reserved fieldName which cannot be used inside $or.");
            }
            field f;
            f.key = key;
            if (key.find('.') != std::string::npos) {
                for (size_t start = 0;;) {
                    size_t dot = key.find('.', start);
                    f.dotted.push_back(key.substr(start, dot - start));
                    if (dot == std::string::npos) break;
                    start = dot + 1;
                }
            }
            if (it.value().is_object()) {
                f.child = std::make_unique<object_node>();
                object(it.value(), *f.child, inside_or, path + key + ".");
                node.matches_absent = node.matches_absent && f.child->matches_absent;
            } else if (it.value().is_array()) {
                f.values = std::make_unique<leaf>(values(it.value(), path + key));
                node.matches_absent = node.matches_absent && f.values->exists_false;
            } else {
                fail("\"" + key + "\" must be an object or an array");
            }
            node.fields.push_back(std::move(f));
        }
    }

    void or_group(const ojson& value, object_node& node, const std::string& path) {
        if (!value.is_array()) fail("It must be an Array followed with $or.");
        std::vector<object_node> branches;
        for (const ojson& branch : value) {
            if (!branch.is_object()) fail("Only JSON object is allowed in array of $or relationship.");
            object(branch, branches.emplace_back(), true, path);
        }
        if (branches.size() < 2) fail("There must have at least 2 Objects in $or relationship.");
        bool absent =
            std::any_of(branches.begin(), branches.end(), [](const object_node& b) { return b.matches_absent; });
        node.matches_absent = node.matches_absent && absent;
        node.any_of.push_back(std::move(branches));
    }

    leaf values(const ojson& array, const std::string& path) {
        leaf out;
        for (const ojson& v : array) {
            value_matcher m;
            if (v.is_object()) {
                if (!expression(v, out, m, path)) continue;
            } else if (v.is_string()) {
                m.text = v.get<std::string>();
                m.kind = parse_ip(m.text, m.ip_low) == ip_parse::ok ? value_kind::exact_ip : value_kind::exact_string;
            } else if (v.is_number()) {
                m.kind = value_kind::exact_number;
                m.number = json(v);
            } else if (v.is_boolean()) {
                m.kind = v.get<bool>() ? value_kind::exact_true : value_kind::exact_false;
            } else if (v.is_null()) {
                m.kind = value_kind::exact_null;
            } else {
                fail("Match value must be String, number, true, false, or null");
            }
            out.values.push_back(std::move(m));
        }
        if (array.empty()) fail("Empty arrays are not allowed");
        return out;
    }

    // Compiles one match expression into `m`; false when it is `exists`, recorded on the leaf.
    bool expression(const ojson& expr, leaf& out, value_matcher& m, const std::string& path) {
        if (expr.empty()) fail("Match expression name not found");
        const std::string& name = expr.begin().key();
        const ojson& v = expr.begin().value();
        const bool more_keys = expr.size() > 1;
        const char* const one_key = "Only one key allowed in match expression";
        const char* const too_many = "Too many elements in numeric expression";
        if (name == "prefix" || name == "suffix") {
            bool prefix = name == "prefix";
            if (v.is_object()) {
                m.text = folded(ignore_case_operand(v, prefix ? "Prefix" : "Suffix", name));
                m.kind = prefix ? value_kind::prefix_ignore_case : value_kind::suffix_ignore_case;
            } else {
                if (!v.is_string()) fail(name + " match pattern must be a string");
                m.text = v.get<std::string>();
                m.kind = prefix ? value_kind::prefix : value_kind::suffix;
            }
            if (more_keys) fail(one_key);
        } else if (name == "numeric") {
            if (!v.is_array()) fail("Value of numeric must be an array.");
            numeric(v, m);
            if (more_keys) fail(too_many);
        } else if (name == "anything-but") {
            anything_but(v, m);
            if (more_keys) fail(too_many);
        } else if (name == "exists") {
            if (!v.is_boolean()) fail("exists match pattern must be either true or false.");
            if (more_keys) fail(one_key);
            (v.get<bool>() ? out.exists_true : out.exists_false) = true;
            return false;
        } else if (name == "cidr") {
            // AWS reuses the prefix message here.
            if (!v.is_string()) fail("prefix match pattern must be a string");
            cidr(v.get<std::string>(), m);
            if (more_keys) fail(one_key);
        } else if (name == "equals-ignore-case") {
            if (!v.is_string()) fail("equals-ignore-case match pattern must be a string");
            m.kind = value_kind::equals_ignore_case;
            m.text = folded(v.get<std::string>());
            if (more_keys) fail(one_key);
        } else if (name == "wildcard") {
            if (!v.is_string()) fail("wildcard match pattern must be a string");
            m.kind = value_kind::wildcard;
            m.wildcards.push_back(parse_wildcard(v.get<std::string>()));
            register_wildcard(path, m.wildcards.back());
            if (more_keys) fail(one_key);
        } else {
            fail("Unrecognized match type " + name);
        }
        return true;
    }

    // {"prefix": {"equals-ignore-case": "..."}} and the suffix form.
    static std::string ignore_case_operand(const ojson& v, const std::string& which, const std::string& name) {
        if (v.empty()) fail(which + " expression name not found");
        const std::string& op = v.begin().key();
        if (op != "equals-ignore-case") fail("Unsupported " + name + " pattern: " + op);
        const ojson& operand = v.begin().value();
        if (!operand.is_string()) fail("equals-ignore-case match pattern must be a string");
        if (v.size() > 1) fail("Only one key allowed in match expression");
        return operand.get<std::string>();
    }

    static double checked_number(const ojson& v) {
        double d = v.get<double>();
        if (!comparable(d)) fail(number_limit_message);
        return d;
    }

    static void range(value_matcher& m, double low, bool low_open, double high, bool high_open) {
        if (low >= high) fail("Bottom must be less than top");
        if (!comparable(low) || !comparable(high)) fail(number_limit_message);
        m.kind = value_kind::numeric;
        m.low = low;
        m.low_open = low_open;
        m.high = high;
        m.high_open = high_open;
    }

    static void numeric(const ojson& v, value_matcher& m) {
        if (v.empty()) fail("Invalid member in numeric match: ]");
        if (!v[0].is_string()) fail("Invalid member in numeric match: " + token_text(v[0]));
        const std::string op = v[0].get<std::string>();
        const char* const too_many = "Too many elements in numeric expression";
        auto operand = [&](size_t i, const std::string& name) -> double {
            if (i >= v.size() || !v[i].is_number()) fail("Value of " + name + " must be numeric");
            return v[i].get<double>();
        };
        if (op == "=") {
            double d = operand(1, "equals");
            if (v.size() > 2) fail(too_many);
            if (!comparable(d)) fail(number_limit_message);
            m.kind = value_kind::numeric;
            m.low = m.high = d;
        } else if (op == ">" || op == ">=") {
            double low = operand(1, op);
            if (v.size() == 2) return range(m, low, op == ">", number_limit, false);
            if (!v[2].is_string()) fail("Bad value in numeric range: " + token_text(v[2]));
            const std::string op2 = v[2].get<std::string>();
            if (op2 != "<" && op2 != "<=") fail("Bad numeric range operator: " + op2);
            double high = operand(3, op2);
            if (v.size() > 4) fail("Too many terms in numeric range expression");
            range(m, low, op == ">", high, op2 == "<");
        } else if (op == "<" || op == "<=") {
            double high = operand(1, op);
            if (v.size() > 2) fail(too_many);
            range(m, -number_limit, false, high, op == "<");
        } else {
            fail("Unrecognized numeric range operator: " + op);
        }
    }

    void anything_but(const ojson& v, value_matcher& m) {
        const ojson* operand = &v;
        value_kind kind = value_kind::anything_but_strings;
        bool plain = true;
        if (v.is_object()) {
            if (v.empty()) fail("Anything-But expression name not found");
            const std::string& op = v.begin().key();
            if (op == "equals-ignore-case") {
                kind = value_kind::anything_but_ignore_case;
            } else if (op == "prefix") {
                kind = value_kind::anything_but_prefix;
            } else if (op == "suffix") {
                kind = value_kind::anything_but_suffix;
            } else if (op == "wildcard") {
                kind = value_kind::anything_but_wildcard;
            } else {
                fail("Unsupported anything-but pattern: " + op);
            }
            plain = false;
            operand = &v.begin().value();
        }
        if (!operand->is_array() && !operand->is_string() && !operand->is_number()) {
            fail("Value of anything-but must be an array or single string/number value.");
        }
        if (plain) {
            anything_but_values(*operand, m);
        } else {
            m.kind = kind;
            if (operand->is_array()) {
                for (const ojson& e : *operand)
                    anything_but_set_value(e, m);
            } else {
                anything_but_set_value(*operand, m);
            }
            if (v.size() > 1) fail("Too many elements in numeric expression");
        }
    }

    // anything-but with a string, a number, or a list of only strings or only numbers.
    static void anything_but_values(const ojson& operand, value_matcher& m) {
        bool strings = false, numbers = false;
        auto add = [&](const ojson& e, const char* bad) {
            if (e.is_string()) {
                m.texts.push_back(e.get<std::string>());
                strings = true;
            } else if (e.is_number()) {
                m.numbers.push_back(checked_number(e));
                numbers = true;
            } else {
                fail(bad);
            }
        };
        if (operand.is_array()) {
            for (const ojson& e : operand)
                add(e, "Inside anything but list, start|null|boolean is not supported.");
            if (strings == numbers) {
                fail("Inside anything but list, either all values are number or string, mixed type is not supported");
            }
        } else {
            add(operand, "Inside anything-but list, start|null|boolean is not supported.");
        }
        m.kind = numbers ? value_kind::anything_but_numbers : value_kind::anything_but_strings;
    }

    // One string of anything-but's prefix, suffix, equals-ignore-case or wildcard form.
    static void anything_but_set_value(const ojson& e, value_matcher& m) {
        if (!e.is_string()) {
            if (m.kind == value_kind::anything_but_ignore_case) {
                fail("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.");
            }
            if (m.kind == value_kind::anything_but_wildcard) fail("wildcard match pattern must be a string");
            fail("prefix/suffix match pattern must be a string");
        }
        std::string text = e.get<std::string>();
        switch (m.kind) {
            case value_kind::anything_but_prefix:
            case value_kind::anything_but_suffix:
                if (text.empty()) fail("Null prefix/suffix not allowed");
                m.texts.push_back(std::move(text));
                break;
            case value_kind::anything_but_ignore_case:
                m.texts.push_back(folded(text));
                break;
            default:
                m.wildcards.push_back(parse_wildcard(text));
                break;
        }
    }

    static void cidr(const std::string& text, value_matcher& m) {
        // Split as Java's String.split does: trailing empty parts are dropped.
        std::vector<std::string> parts;
        for (size_t start = 0;;) {
            size_t slash = text.find('/', start);
            parts.push_back(text.substr(start, slash - start));
            if (slash == std::string::npos) break;
            start = slash + 1;
        }
        while (!parts.empty() && parts.back().empty())
            parts.pop_back();
        if (parts.size() != 2) fail("Malformed CIDR, one '/' required");
        const std::string& digits = parts[1];
        size_t i = (digits[0] == '+' || digits[0] == '-') ? 1 : 0;
        if (i == digits.size() || digits.size() - i > 10 ||
            !std::all_of(digits.begin() + static_cast<long>(i), digits.end(),
                         [](char c) { return c >= '0' && c <= '9'; })) {
            fail("Malformed CIDR, mask bits must be an integer");
        }
        long long bits = std::stoll(digits.substr(i));
        if (digits[0] == '-') bits = -bits;
        if (bits > 2147483647LL || bits < -2147483648LL) fail("Malformed CIDR, mask bits must be an integer");
        if (bits < 0) fail("Malformed CIDR, mask bits must not be negative");
        switch (parse_ip(parts[0], m.ip_low)) {
            case ip_parse::not_an_address:
                fail("Nonstandard IP address: " + parts[0]);
            case ip_parse::invalid:
                fail("Invalid IP address: " + parts[0]);
            case ip_parse::ok:
                break;
        }
        if (m.ip_low.size == 4 && bits > 31) fail("IPv4 mask bits must be < 32");
        if (m.ip_low.size == 16 && bits > 127) fail("IPv6 mask bits must be < 128");
        // The range starts at the address as written (not the network address), as AWS's does.
        m.kind = value_kind::cidr;
        m.ip_high = m.ip_low;
        int host_bits = m.ip_low.size * 8 - static_cast<int>(bits);
        for (int b = m.ip_low.size - 1; b >= 0 && host_bits > 0; --b, host_bits -= 8) {
            m.ip_high.bytes[b] |= host_bits >= 8 ? 0xff : static_cast<unsigned char>((1 << host_bits) - 1);
        }
    }

    void register_wildcard(const std::string& path, const wildcard_text& w) {
        std::vector<int> tokens;
        for (size_t i = 0; i < w.segments.size(); ++i) {
            if (i > 0) tokens.push_back(-1);
            for (char c : w.segments[i])
                tokens.push_back(static_cast<unsigned char>(c));
        }
        wildcards_[path].push_back(std::move(tokens));
    }

    // The wildcard patterns (not anything-but ones) of each field path, for the complexity limit.
    std::map<std::string, std::vector<std::vector<int>>> wildcards_;
};

}  // namespace

event_pattern::event_pattern(std::shared_ptr<const detail::object_node> root) : root_(std::move(root)) {}

event_pattern event_pattern::parse(std::string_view pattern_json) {
    ojson pattern;
    try {
        pattern = ojson::parse(pattern_json);
    } catch (const ojson::parse_error&) {
        // AWS quotes its JSON parser's own diagnostic here, which we do not reproduce.
        fail("Filter is not valid JSON");
    }
    return event_pattern(compiler().compile(pattern));
}

event_pattern event_pattern::from_json(const nlohmann::json& pattern) {
    return event_pattern(compiler().compile(ojson::parse(pattern.dump())));
}

bool event_pattern::matches(const nlohmann::json& event) const {
    return node_matches(*root_, &event);
}

bool event_pattern::matches_everything() const {
    return root_->fields.empty() && root_->any_of.empty();
}

}  // namespace eddy::eventing
