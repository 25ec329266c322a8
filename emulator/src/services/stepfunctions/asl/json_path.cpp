#include "services/stepfunctions/asl/json_path.hpp"

#include <cctype>
#include <stdexcept>

namespace eddy::asl {

// A filter predicate: comparisons of operands (relative `@` paths, absolute `$` paths,
// literals) joined by && and ||, negated by !, grouped by parentheses.
struct filter_node {
    enum class kind { or_, and_, not_, exists, compare };
    kind what = kind::exists;
    std::vector<std::shared_ptr<const filter_node>> children;
    struct operand {
        enum class kind { relative, absolute, literal } what = kind::literal;
        std::vector<path_step> steps;
        json value;
    };
    operand left, right;
    std::string op;
};

namespace {

[[noreturn]] void fail(const std::string& why) {
    throw std::invalid_argument(why);
}

constexpr int max_filter_depth = 64;

bool is_name_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

class parser {
  public:
    explicit parser(std::string_view s) : s_(s) {}

    std::string_view s_;
    std::size_t pos_ = 0;
    bool in_filter_ = false;
    int depth_ = 0;  // of nested filters and parentheses, bounded so hostile input cannot exhaust the stack

    bool done() const { return pos_ >= s_.size(); }
    char peek(std::size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
    void skip_spaces() {
        while (!done() && std::isspace(static_cast<unsigned char>(peek())))
            ++pos_;
    }
    void expect(char c) {
        skip_spaces();
        if (peek() != c) fail(std::string("expected '") + c + "' at position " + std::to_string(pos_));
        ++pos_;
    }

    // Steps until a character that cannot continue a path.
    std::vector<path_step> steps() {
        std::vector<path_step> out;
        while (!done()) {
            char c = peek();
            if (c == '.') {
                path_step step;
                if (peek(1) == '.') {
                    step.recursive = true;
                    pos_ += 2;
                    if (peek() == '[') {
                        ++pos_;
                        bracket(step);
                        out.push_back(std::move(step));
                        continue;
                    }
                } else {
                    ++pos_;
                }
                if (peek() == '*') {
                    ++pos_;
                    step.what = path_step::kind::wildcard;
                } else {
                    step.names.push_back(dot_name());
                }
                out.push_back(std::move(step));
            } else if (c == '[') {
                ++pos_;
                path_step step;
                bracket(step);
                out.push_back(std::move(step));
            } else {
                break;
            }
        }
        return out;
    }

    std::string dot_name() {
        std::size_t start = pos_;
        while (!done()) {
            char c = peek();
            if (c == '.' || c == '[') break;
            if (in_filter_ && (std::isspace(static_cast<unsigned char>(c)) || c == ')' || c == '=' || c == '!' ||
                               c == '<' || c == '>' || c == '&' || c == '|'))
                break;
            if (c == ']' || c == '(' || c == ')' || c == '\'' || c == '"' || c == ',') fail("unexpected character");
            ++pos_;
        }
        if (pos_ == start) fail("empty member name at position " + std::to_string(start));
        return std::string(s_.substr(start, pos_ - start));
    }

    std::string quoted() {
        char quote = peek();
        ++pos_;
        std::string out;
        while (true) {
            if (done()) fail("unterminated string");
            char c = peek();
            ++pos_;
            if (c == quote) break;
            if (c == '\\' && !done()) {
                out += peek();
                ++pos_;
                continue;
            }
            out += c;
        }
        return out;
    }

    std::optional<long long> integer() {
        skip_spaces();
        std::size_t start = pos_;
        if (peek() == '-') ++pos_;
        while (std::isdigit(static_cast<unsigned char>(peek())))
            ++pos_;
        if (pos_ == start || (pos_ == start + 1 && s_[start] == '-')) {
            pos_ = start;
            return std::nullopt;
        }
        try {
            return std::stoll(std::string(s_.substr(start, pos_ - start)));
        } catch (const std::out_of_range&) {
            fail("index out of range");
        }
    }

    // After '[': fills `step` and consumes the closing ']'.
    void bracket(path_step& step) {
        skip_spaces();
        char c = peek();
        if (c == '*') {
            ++pos_;
            step.what = path_step::kind::wildcard;
        } else if (c == '?') {
            ++pos_;
            expect('(');
            step.what = path_step::kind::filter;
            bool was = in_filter_;
            in_filter_ = true;
            step.filter = disjunction();
            in_filter_ = was;
            expect(')');
        } else if (c == '\'' || c == '"') {
            step.what = path_step::kind::names;
            while (true) {
                skip_spaces();
                if (peek() != '\'' && peek() != '"') fail("expected a quoted name");
                step.names.push_back(quoted());
                skip_spaces();
                if (peek() != ',') break;
                ++pos_;
            }
        } else {
            auto first = integer();
            skip_spaces();
            if (peek() == ':') {
                ++pos_;
                step.what = path_step::kind::slice;
                step.slice_start = first;
                step.slice_end = integer();
            } else {
                if (!first) fail("expected an index at position " + std::to_string(pos_));
                step.what = path_step::kind::indexes;
                step.indexes.push_back(*first);
                skip_spaces();
                while (peek() == ',') {
                    ++pos_;
                    auto next = integer();
                    if (!next) fail("expected an index at position " + std::to_string(pos_));
                    step.indexes.push_back(*next);
                    skip_spaces();
                }
            }
        }
        expect(']');
    }

    std::shared_ptr<const filter_node> disjunction() {
        if (++depth_ > max_filter_depth) fail("filters nest too deep");
        auto left = conjunction();
        skip_spaces();
        while (peek() == '|' && peek(1) == '|') {
            pos_ += 2;
            auto node = std::make_shared<filter_node>();
            node->what = filter_node::kind::or_;
            node->children = {left, conjunction()};
            left = node;
            skip_spaces();
        }
        --depth_;
        return left;
    }

    std::shared_ptr<const filter_node> conjunction() {
        auto left = unary();
        skip_spaces();
        while (peek() == '&' && peek(1) == '&') {
            pos_ += 2;
            auto node = std::make_shared<filter_node>();
            node->what = filter_node::kind::and_;
            node->children = {left, unary()};
            left = node;
            skip_spaces();
        }
        return left;
    }

    std::shared_ptr<const filter_node> unary() {
        skip_spaces();
        if (peek() == '!' && peek(1) != '=') {
            if (++depth_ > max_filter_depth) fail("filters nest too deep");
            ++pos_;
            auto node = std::make_shared<filter_node>();
            node->what = filter_node::kind::not_;
            node->children = {unary()};
            --depth_;
            return node;
        }
        if (peek() == '(') {
            ++pos_;
            auto inner = disjunction();
            expect(')');
            return inner;
        }
        auto node = std::make_shared<filter_node>();
        node->left = operand();
        skip_spaces();
        static const char* ops[] = {"==", "!=", "<=", ">=", "<", ">"};
        for (const char* op : ops) {
            if (s_.substr(pos_).starts_with(op)) {
                pos_ += std::string_view(op).size();
                node->what = filter_node::kind::compare;
                node->op = op;
                node->right = operand();
                return node;
            }
        }
        if (node->left.what == filter_node::operand::kind::literal) fail("a filter needs a comparison");
        node->what = filter_node::kind::exists;
        return node;
    }

    filter_node::operand operand() {
        skip_spaces();
        filter_node::operand out;
        char c = peek();
        if (c == '@' || c == '$') {
            ++pos_;
            out.what = c == '@' ? filter_node::operand::kind::relative : filter_node::operand::kind::absolute;
            out.steps = steps();
            return out;
        }
        if (c == '\'' || c == '"') {
            out.value = quoted();
            return out;
        }
        std::size_t start = pos_;
        while (!done() &&
               (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '-' || peek() == '+' || peek() == '.'))
            ++pos_;
        std::string word(s_.substr(start, pos_ - start));
        if (word.empty()) fail("expected a value at position " + std::to_string(start));
        out.value = json::parse(word, nullptr, false);
        if (out.value.is_discarded() || out.value.is_structured()) fail("not a value: " + word);
        return out;
    }
};

void select_step(const path_step& step, const json& root, const json& node, std::vector<const json*>& out);

bool filter_holds(const filter_node& f, const json& root, const json& item);

std::optional<const json*> operand_value(const filter_node::operand& o, const json& root, const json& item) {
    if (o.what == filter_node::operand::kind::literal) return &o.value;
    std::vector<const json*> current{o.what == filter_node::operand::kind::relative ? &item : &root};
    for (const auto& step : o.steps) {
        std::vector<const json*> next;
        for (const json* n : current)
            select_step(step, root, *n, next);
        current = std::move(next);
    }
    if (current.empty()) return std::nullopt;
    return current.front();
}

bool compare(const json& a, const std::string& op, const json& b) {
    if (op == "==") return a == b;
    if (op == "!=") return a != b;
    int order;
    if (a.is_number() && b.is_number()) {
        double x = a.get<double>(), y = b.get<double>();
        order = x < y ? -1 : (x > y ? 1 : 0);
    } else if (a.is_string() && b.is_string()) {
        int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
        order = c < 0 ? -1 : (c > 0 ? 1 : 0);
    } else {
        return false;
    }
    if (op == "<") return order < 0;
    if (op == "<=") return order <= 0;
    if (op == ">") return order > 0;
    return order >= 0;
}

bool filter_holds(const filter_node& f, const json& root, const json& item) {
    switch (f.what) {
        case filter_node::kind::or_:
            return filter_holds(*f.children[0], root, item) || filter_holds(*f.children[1], root, item);
        case filter_node::kind::and_:
            return filter_holds(*f.children[0], root, item) && filter_holds(*f.children[1], root, item);
        case filter_node::kind::not_:
            return !filter_holds(*f.children[0], root, item);
        case filter_node::kind::exists:
            return operand_value(f.left, root, item).has_value();
        case filter_node::kind::compare: {
            auto a = operand_value(f.left, root, item);
            auto b = operand_value(f.right, root, item);
            if (!a || !b) return false;
            return compare(**a, f.op, **b);
        }
    }
    return false;
}

void apply_selector(const path_step& step, const json& root, const json& node, std::vector<const json*>& out) {
    switch (step.what) {
        case path_step::kind::names:
            if (node.is_object())
                for (const auto& name : step.names)
                    if (auto it = node.find(name); it != node.end()) out.push_back(&*it);
            break;
        case path_step::kind::indexes:
            if (node.is_array()) {
                auto size = static_cast<long long>(node.size());
                for (long long i : step.indexes) {
                    long long k = i < 0 ? size + i : i;
                    if (k >= 0 && k < size) out.push_back(&node[static_cast<std::size_t>(k)]);
                }
            }
            break;
        case path_step::kind::slice:
            if (node.is_array()) {
                auto size = static_cast<long long>(node.size());
                long long from = step.slice_start.value_or(0), to = step.slice_end.value_or(size);
                if (from < 0) from = std::max(0LL, size + from);
                if (to < 0) to = size + to;
                to = std::min(to, size);
                for (long long k = from; k < to; ++k)
                    out.push_back(&node[static_cast<std::size_t>(k)]);
            }
            break;
        case path_step::kind::wildcard:
            if (node.is_structured())
                for (const auto& child : node)
                    out.push_back(&child);
            break;
        case path_step::kind::filter:
            if (node.is_array()) {
                for (const auto& child : node)
                    if (filter_holds(*step.filter, root, child)) out.push_back(&child);
            } else if (node.is_object() && filter_holds(*step.filter, root, node)) {
                out.push_back(&node);
            }
            break;
    }
}

void descend(const path_step& step, const json& root, const json& node, std::vector<const json*>& out) {
    apply_selector(step, root, node, out);
    if (node.is_structured())
        for (const auto& child : node)
            descend(step, root, child, out);
}

void select_step(const path_step& step, const json& root, const json& node, std::vector<const json*>& out) {
    if (step.recursive)
        descend(step, root, node, out);
    else
        apply_selector(step, root, node, out);
}

std::string short_json(const json& v) {
    return v.dump();
}

}  // namespace

json_path json_path::parse(std::string_view text) {
    json_path out;
    out.text_ = std::string(text);
    if (text.empty() || text[0] != '$') fail("a path starts with '$'");
    parser p(text);
    p.pos_ = 1;
    if (p.peek() == '$') {
        out.root_ = root_kind::context;
        p.pos_ = 2;
    } else if (is_name_start(p.peek())) {
        out.root_ = root_kind::variable;
        std::size_t start = p.pos_;
        while (!p.done() && (std::isalnum(static_cast<unsigned char>(p.peek())) || p.peek() == '_'))
            ++p.pos_;
        out.variable_ = std::string(text.substr(start, p.pos_ - start));
    }
    out.steps_ = p.steps();
    if (!p.done()) fail("unexpected '" + std::string(1, p.peek()) + "' at position " + std::to_string(p.pos_));
    return out;
}

bool json_path::valid(std::string_view text) {
    try {
        parse(text);
        return true;
    } catch (const std::invalid_argument&) {
        return false;
    }
}

bool json_path::definite() const {
    for (const auto& step : steps_) {
        if (step.recursive) return false;
        if (step.what == path_step::kind::names && step.names.size() == 1) continue;
        if (step.what == path_step::kind::indexes && step.indexes.size() == 1) continue;
        return false;
    }
    return true;
}

bool json_path::reference() const {
    if (root_ != root_kind::input || !definite()) return false;
    for (const auto& step : steps_)
        if (step.what == path_step::kind::indexes && step.indexes[0] < 0) return false;
    return true;
}

std::vector<const json*> json_path::select(const json& document) const {
    std::vector<const json*> current{&document};
    for (const auto& step : steps_) {
        std::vector<const json*> next;
        for (const json* node : current)
            select_step(step, document, *node, next);
        current = std::move(next);
        if (current.empty()) break;
    }
    return current;
}

const json* json_path::root_value(const path_scope& scope) const {
    switch (root_) {
        case root_kind::input:
            return scope.input;
        case root_kind::context:
            return scope.context;
        case root_kind::variable:
            if (!scope.variables || !scope.variables->is_object()) return nullptr;
            if (auto it = scope.variables->find(variable_); it != scope.variables->end()) return &*it;
            return nullptr;
    }
    return nullptr;
}

std::optional<json> json_path::find(const path_scope& scope) const {
    const json* root = root_value(scope);
    if (!root) return definite() ? std::nullopt : std::optional<json>(json::array());
    auto matches = select(*root);
    if (definite()) {
        if (matches.empty()) return std::nullopt;
        return *matches.front();
    }
    json out = json::array();
    for (const json* m : matches)
        out.push_back(*m);
    return out;
}

json json_path::evaluate(const path_scope& scope) const {
    if (auto found = find(scope)) return std::move(*found);
    std::string reason = "No results for path: " + normalized();
    // Walk the definite path to where it breaks off.
    if (const json* node = root_value(scope)) {
        for (std::size_t i = 0; i + 1 < steps_.size(); ++i) {
            std::vector<const json*> next;
            apply_selector(steps_[i], *node, *node, next);
            if (next.empty()) {
                if (steps_[i].what == path_step::kind::names && node->is_object())
                    reason = "Missing property in path " + normalized(i + 1);
                break;
            }
            node = next.front();
        }
    }
    throw states_error(error_names::runtime, "Invalid path '" + text_ + "' : " + reason);
}

std::string json_path::normalized(std::size_t count) const {
    std::string out = root_ == root_kind::context ? "$$" : (root_ == root_kind::variable ? "$" + variable_ : "$");
    for (std::size_t k = 0; k < count && k < steps_.size(); ++k) {
        const auto& step = steps_[k];
        if (step.recursive) out += "..";
        switch (step.what) {
            case path_step::kind::names: {
                out += '[';
                for (std::size_t i = 0; i < step.names.size(); ++i) {
                    if (i) out += ',';
                    out += "'" + step.names[i] + "'";
                }
                out += ']';
                break;
            }
            case path_step::kind::indexes: {
                out += '[';
                for (std::size_t i = 0; i < step.indexes.size(); ++i) {
                    if (i) out += ',';
                    out += std::to_string(step.indexes[i]);
                }
                out += ']';
                break;
            }
            case path_step::kind::slice:
                out += '[' + (step.slice_start ? std::to_string(*step.slice_start) : std::string()) + ':' +
                       (step.slice_end ? std::to_string(*step.slice_end) : std::string()) + ']';
                break;
            case path_step::kind::wildcard:
                out += "[*]";
                break;
            case path_step::kind::filter:
                out += "[?]";
                break;
        }
    }
    return out;
}

json apply_reference_path(const json& input, const json_path& path, const json& value) {
    if (path.steps().empty()) return value;
    auto no_match = [&]() -> states_error {
        return states_error(error_names::result_path_match_failure,
                            "Unable to apply ReferencePath " + path.text() + " to input " + short_json(input));
    };
    json out = input;
    json* node = &out;
    const auto& steps = path.steps();
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const auto& step = steps[i];
        bool last = i + 1 == steps.size();
        if (step.what == path_step::kind::names) {
            if (!node->is_object()) throw no_match();
            json& child = (*node)[step.names[0]];
            if (last) {
                child = value;
                return out;
            }
            if (child.is_null()) child = json::object();
            node = &child;
        } else {
            long long k = step.indexes[0];
            if (!node->is_array() || k < 0 || k >= static_cast<long long>(node->size())) throw no_match();
            json& child = (*node)[static_cast<std::size_t>(k)];
            if (last) {
                child = value;
                return out;
            }
            node = &child;
        }
    }
    return out;
}

}  // namespace eddy::asl
