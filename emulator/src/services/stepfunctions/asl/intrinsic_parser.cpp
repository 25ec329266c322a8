#include "services/stepfunctions/asl/intrinsics.hpp"

#include <cctype>
#include <stdexcept>
#include <utility>

namespace eddy::asl {

// Accepted argument counts; -1 means any number. Shared with evaluation in intrinsic_functions.cpp.
std::pair<int, int> intrinsic_arity(std::string_view name);

namespace {

[[noreturn]] void fail(const std::string& why) {
    throw std::invalid_argument(why);
}

// AWS allows ten levels of nested intrinsics in a field.
constexpr int max_depth = 10;

class parser {
  public:
    explicit parser(std::string_view s) : s_(s) {}

    intrinsic_call call(int depth) {
        if (depth > max_depth) fail("intrinsic functions nest at most " + std::to_string(max_depth) + " deep");
        std::size_t start = pos_;
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.'))
            ++pos_;
        intrinsic_call out;
        out.name = std::string(s_.substr(start, pos_ - start));
        auto [min, max] = intrinsic_arity(out.name);
        if (min < 0) fail("unknown intrinsic function " + out.name);
        spaces();
        if (peek() != '(') fail("expected '(' after " + out.name);
        ++pos_;
        spaces();
        if (peek() == ')') {
            ++pos_;
        } else {
            while (true) {
                out.args.push_back(argument(depth));
                spaces();
                if (peek() == ',') {
                    ++pos_;
                    continue;
                }
                if (peek() == ')') {
                    ++pos_;
                    break;
                }
                fail("expected ',' or ')' in " + out.name);
            }
        }
        int n = static_cast<int>(out.args.size());
        if (n < min || (max >= 0 && n > max)) fail("wrong number of arguments for " + out.name);
        return out;
    }

    void finish() {
        spaces();
        if (pos_ != s_.size()) fail("unexpected text after the intrinsic function");
    }

  private:
    std::string_view s_;
    std::size_t pos_ = 0;

    char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    void spaces() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
            ++pos_;
    }

    intrinsic_arg argument(int depth) {
        spaces();
        intrinsic_arg arg;
        char c = peek();
        if (c == '\'') {
            ++pos_;
            std::string value, raw;
            while (true) {
                if (pos_ >= s_.size()) fail("unterminated string literal");
                char ch = s_[pos_++];
                if (ch == '\'') break;
                if (ch == '\\') {
                    if (pos_ >= s_.size()) fail("unterminated escape");
                    char next = s_[pos_++];
                    if (next != '\'' && next != '{' && next != '}' && next != '\\')
                        fail(std::string("invalid escape \\") + next);
                    value += next;
                    raw += '\\';
                    raw += next;
                    continue;
                }
                value += ch;
                raw += ch;
            }
            arg.value = value;
            arg.raw = raw;
            return arg;
        }
        if (c == '$') {
            // A path runs to the ',' or ')' that ends the argument, outside brackets and quotes.
            std::size_t start = pos_;
            int brackets = 0, parens = 0;
            char quote = 0;
            while (pos_ < s_.size()) {
                char ch = s_[pos_];
                if (quote) {
                    if (ch == '\\')
                        ++pos_;
                    else if (ch == quote)
                        quote = 0;
                } else if (ch == '\'' || ch == '"') {
                    quote = ch;
                } else if (ch == '[') {
                    ++brackets;
                } else if (ch == ']') {
                    --brackets;
                } else if (ch == '(') {
                    ++parens;
                } else if (ch == ')') {
                    if (brackets == 0 && parens == 0) break;
                    --parens;
                } else if (ch == ',' && brackets == 0 && parens == 0) {
                    break;
                }
                ++pos_;
            }
            std::string text(s_.substr(start, pos_ - start));
            while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
                text.pop_back();
            arg.what = intrinsic_arg::kind::path;
            arg.path = std::make_shared<const json_path>(json_path::parse(text));
            return arg;
        }
        if (s_.substr(pos_).starts_with("States.")) {
            arg.what = intrinsic_arg::kind::call;
            arg.call = std::make_shared<const intrinsic_call>(call(depth + 1));
            return arg;
        }
        std::size_t start = pos_;
        while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != ')' &&
               !std::isspace(static_cast<unsigned char>(s_[pos_])))
            ++pos_;
        std::string word(s_.substr(start, pos_ - start));
        json value = json::parse(word, nullptr, false);
        if (word.empty() || value.is_discarded() || value.is_structured() || value.is_string())
            fail("invalid argument '" + word + "'");
        arg.value = std::move(value);
        return arg;
    }
};

}  // namespace

bool looks_like_intrinsic(std::string_view text) {
    return text.starts_with("States.");
}

intrinsic_call parse_intrinsic(std::string_view text) {
    parser p(text);
    auto out = p.call(1);
    p.finish();
    return out;
}

json evaluate_intrinsic(std::string_view text, const path_scope& scope) {
    return evaluate_intrinsic(parse_intrinsic(text), scope);
}

}  // namespace eddy::asl
