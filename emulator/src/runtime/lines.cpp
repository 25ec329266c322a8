#include "runtime/lines.hpp"

namespace eddy::runtime {

namespace {

std::string_view without_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

// Delivers a complete line, in pieces when it is longer than `max`.
void emit_line(std::string_view line, std::size_t max, const line_splitter::sink& emit) {
    line = without_cr(line);
    while (line.size() > max) {
        emit(line.substr(0, max));
        line.remove_prefix(max);
    }
    emit(line);
}

}  // namespace

void line_splitter::feed(std::string_view bytes, const sink& emit) {
    while (!bytes.empty()) {
        auto nl = bytes.find('\n');
        if (nl == std::string_view::npos) {
            partial_.append(bytes);
            while (partial_.size() > max_line_) {
                emit(std::string_view(partial_).substr(0, max_line_));
                partial_.erase(0, max_line_);
            }
            return;
        }
        if (partial_.empty()) {
            emit_line(bytes.substr(0, nl), max_line_, emit);
        } else {
            partial_.append(bytes.substr(0, nl));
            emit_line(partial_, max_line_, emit);
            partial_.clear();
        }
        bytes.remove_prefix(nl + 1);
    }
}

void line_splitter::finish(const sink& emit) {
    if (!partial_.empty()) emit_line(partial_, max_line_, emit);
    partial_.clear();
}

}  // namespace eddy::runtime
