#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::protocol::xml {

// Appends `text` to `out` with &, <, >, " and ' escaped (and CR as &#xD; so it survives parsing).
void escape(std::string& out, std::string_view text);

// A parsed XML element: name without namespace prefix, its text (concatenated
// character data), its child elements. Attributes are kept only for xmlns-free
// lookups that rest-xml payloads need.
struct element {
    std::string name;
    std::string text;
    std::vector<std::pair<std::string, std::string>> attributes;
    std::vector<element> children;

    const element* child(std::string_view child_name) const;
    std::vector<const element*> children_named(std::string_view child_name) const;
};

// Parses a document into its root element. Returns false (and a reason) on
// malformed input; never throws and never recurses deeper than 64 levels.
bool parse(std::string_view doc, element& root, std::string& error);

}  // namespace eddy::protocol::xml
