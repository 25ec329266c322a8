#include "services/logs/filter_pattern.hpp"

namespace eddy::logs {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

std::optional<filter_pattern> filter_pattern::parse(std::string_view text, std::string& error) {
    filter_pattern p;
    std::size_t i = 0;
    while (i < text.size() && is_space(text[i]))
        ++i;
    if (i < text.size() && (text[i] == '{' || text[i] == '[' || text[i] == '%')) {
        // JSON ({ $.x = 1 }), space-delimited ([a, b]) and regular-expression (%...%) patterns.
        error =
            "eddy supports text filter patterns only (terms, \"quoted phrases\", ?any, -none); this pattern "
            "is a JSON, space-delimited or regular-expression pattern: " +
            std::string(text);
        return std::nullopt;
    }
    while (i < text.size()) {
        if (is_space(text[i])) {
            ++i;
            continue;
        }
        auto* into = &p.all_;
        if (text[i] == '?') {
            into = &p.any_;
            ++i;
        } else if (text[i] == '-') {
            into = &p.none_;
            ++i;
        }
        std::string term;
        if (i < text.size() && text[i] == '"') {
            auto end = text.find('"', i + 1);
            if (end == std::string_view::npos) {
                error = "Invalid character(s) in term '" + std::string(text.substr(i)) + "'";
                return std::nullopt;
            }
            term = text.substr(i + 1, end - i - 1);
            i = end + 1;
        } else {
            auto start = i;
            while (i < text.size() && !is_space(text[i]))
                ++i;
            term = text.substr(start, i - start);
        }
        if (!term.empty()) into->push_back(std::move(term));
    }
    return p;
}

bool filter_pattern::matches(std::string_view message) const {
    for (auto& t : all_)
        if (message.find(t) == std::string_view::npos) return false;
    for (auto& t : none_)
        if (message.find(t) != std::string_view::npos) return false;
    if (any_.empty()) return true;
    for (auto& t : any_)
        if (message.find(t) != std::string_view::npos) return true;
    return false;
}

}  // namespace eddy::logs
