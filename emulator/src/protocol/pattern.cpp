// Shape patterns: UTF-8 values decoded to code points and matched by protocol/java_regex.
#include "protocol/pattern.hpp"

#include "protocol/java_regex.hpp"

namespace eddy::protocol {

namespace {

// UTF-8 to code points, into `out`; false for bytes that are not UTF-8.
bool code_points(std::string_view s, std::u32string& out) {
    out.clear();
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out += c;
            ++i;
            continue;
        }
        std::size_t n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        char32_t cp = n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
        for (std::size_t k = 1; k < n; ++k) {
            auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3f);
        }
        out += cp;
        i += n;
    }
    return true;
}

}  // namespace

shape_pattern::shape_pattern(std::string java) : source_(std::move(java)) {}

shape_pattern::~shape_pattern() = default;

std::shared_ptr<const shape_pattern> shape_pattern::compile(std::string_view java) {
    auto p = std::make_shared<shape_pattern>(std::string(java));
    if (!p->supported()) return nullptr;
    return p;
}

const java_regex* shape_pattern::regex() const {
    std::call_once(compiled_, [this] { regex_ = java_regex::compile(source_, error_); });
    return regex_.get();
}

const std::string& shape_pattern::error() const {
    regex();
    return error_;
}

bool shape_pattern::matches(std::string_view utf8) const {
    auto* re = regex();
    if (!re) return true;
    thread_local std::u32string text;  // reused: a match on a hot path allocates nothing
    bool valid = code_points(utf8, text);
    bool found = !valid || re->matches(text);
    if (text.capacity() > 1 << 16) text = {};  // but a huge one is not kept
    return found;
}

}  // namespace eddy::protocol
