#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace eddy {

// The items of a comma-separated list, each without the spaces around it; an empty text
// is one empty item (HTTP list headers, --cors-origins).
inline std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    while (true) {
        auto comma = text.find(',');
        auto item = text.substr(0, comma);
        while (!item.empty() && item.front() == ' ')
            item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ')
            item.remove_suffix(1);
        out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        text = text.substr(comma + 1);
    }
    return out;
}

}  // namespace eddy
