#include "services/ssm/rules.hpp"

#include "core/ids.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace eddy::ssm {

namespace {

aws_error validation(std::string message) {
    return aws_error("ValidationException", std::move(message));
}

bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '/';
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool reserved(std::string_view s) {
    auto l = lower(s);
    return l.starts_with("aws") || l.starts_with("ssm");
}

// What AWS answers for any malformed name, whatever is wrong with it.
const char* const bad_name_message =
    "Parameter name: can't be prefixed with \"ssm\" (case-insensitive). If formed as a path, it can consist of "
    "sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 "
    "symbols .-_";

// AWS's text escapes the quotes around aws and ssm a second time: the message carries the backslashes.
const char* const bad_path_message =
    "The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "
    "\"/\". It can't be prefixed with \\\"aws\\\" or \\\"ssm\\\" (case-insensitive). It must use only letters, "
    "numbers, or the "
    "following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if "
    "specified, must use the forward slash symbol \"/\". Valid example: /get/parameters2-/by1./path0_.";

// A name or path as a slash-led path, so "db" and "/db" compare as one level below "/".
std::string rooted(std::string_view name) {
    return name.starts_with('/') ? std::string(name) : "/" + std::string(name);
}

aws_error filter_key(std::string_view key, std::string_view valid) {
    return aws_error("InvalidFilterKey", "The following filter key is not valid: " + std::string(key) +
                                             ". Valid filter keys include: " + std::string(valid) + ".");
}

aws_error filter_option(std::string_view option, std::string_view valid) {
    return aws_error("InvalidFilterOption", "The following filter option is not valid: " + std::string(option) +
                                                ". Valid options include: " + std::string(valid) + ".");
}

void check_values(const string_filter& f, std::initializer_list<std::string_view> allowed, std::string_view listed) {
    for (auto& v : f.values)
        if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
            throw aws_error("InvalidFilterOption", "The following filter value is not valid: " + v +
                                                       ". Valid values include: " + std::string(listed) + ".");
}

bool compare(std::string_view what, const string_filter& f, bool rooted_names) {
    for (auto& raw : f.values) {
        std::string v = rooted_names && f.option != "Contains" ? rooted(raw) : raw;
        if (f.option == "Equals" && what == v) return true;
        if (f.option == "BeginsWith" && what.starts_with(v)) return true;
        if (f.option == "Contains" && what.find(v) != std::string_view::npos) return true;
    }
    return false;
}

}  // namespace

void check_new_name(std::string_view name) {
    if (name.find('/') != std::string_view::npos && !name.starts_with('/'))
        throw validation("Parameter name must be a fully qualified name.");
    auto body = name.substr(name.starts_with('/') ? 1 : 0);
    bool path = std::count(name.begin(), name.end(), '/') > 1;
    if (reserved(body)) {
        if (path && lower(body).starts_with("aws"))
            throw aws_error("AccessDeniedException",
                            "No access to reserved parameter name: " + std::string(name) + ".");
        if (!path) throw validation("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive).");
        throw validation(bad_name_message);
    }
    // Every level needs a name: no empty sub-path, no trailing slash.
    if (!std::all_of(name.begin(), name.end(), name_char) || body.empty() ||
        body.find("//") != std::string_view::npos || body.ends_with('/'))
        throw validation(bad_name_message);
    if (std::count(name.begin(), name.end(), '/') > max_hierarchy_levels)
        throw aws_error("HierarchyLevelLimitExceededException",
                        "A hierarchy can have a maximum of 15 levels. For more information, see "
                        "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
                        "sysman-parameter-name-constraints.html");
}

void check_read_name(std::string_view name) {
    if (name.find("//") != std::string_view::npos ||
        (name.find('/') != std::string_view::npos && !name.starts_with('/')))
        throw validation(bad_name_message);
}

std::string key_of(std::string_view name) {
    if (name.starts_with('/') && name.find('/', 1) == std::string_view::npos) return std::string(name.substr(1));
    return std::string(name);
}

std::string name_of(std::string_view text) {
    arn_parts parts;
    if (!text.starts_with("arn:") || !parse_arn(text, parts) || parts.service != "ssm" ||
        !parts.resource.starts_with("parameter/"))
        return std::string(text);
    // The ARN drops a hierarchical name's leading slash: "parameter/app/db" is "/app/db".
    auto rest = parts.resource.substr(10);
    return rest.find('/') == std::string::npos ? rest : "/" + rest;
}

std::optional<reference> parse_reference(std::string_view text) {
    reference r;
    std::string_view selector;
    // An ARN has colons of its own; the selector is what follows its resource.
    std::size_t from = 0;
    if (text.starts_with("arn:"))
        if (auto p = text.find(":parameter/"); p != std::string_view::npos) from = p + 1;
    auto colon = text.find(':', from);
    std::string_view base = text;
    if (colon != std::string_view::npos) {
        base = text.substr(0, colon);
        selector = text.substr(colon + 1);
        if (selector.empty() || selector.find(':') != std::string_view::npos) return std::nullopt;
    }
    r.name = name_of(base);
    if (selector.empty()) return r;
    r.selector = ":" + std::string(selector);
    if (std::all_of(selector.begin(), selector.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        std::int64_t v = 0;
        auto [end, ec] = std::from_chars(selector.data(), selector.data() + selector.size(), v);
        if (ec != std::errc()) return std::nullopt;
        r.version = v;
    } else {
        r.label = selector;
    }
    return r;
}

bool label_valid(std::string_view label) {
    if (label.empty() || label.size() > 100) return false;
    if (std::isdigit(static_cast<unsigned char>(label[0])) || reserved(label)) return false;
    return std::all_of(label.begin(), label.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    });
}

void check_tagged_name(std::string_view name) {
    if (name.find("//") != std::string_view::npos ||
        (name.find('/') != std::string_view::npos && !name.starts_with('/')) ||
        !std::all_of(name.begin(), name.end(), name_char))
        throw validation(bad_path_message);
}

void check_path(std::string_view path) {
    bool ok = path.starts_with('/') && path.find("//") == std::string_view::npos &&
              std::all_of(path.begin(), path.end(), name_char);
    if (!ok) throw validation(bad_path_message);
}

void check_filters(std::vector<string_filter>& filters, filter_use use) {
    std::set<std::string> seen;
    for (auto& f : filters) {
        bool tag = f.key.starts_with("tag:");
        if (use == filter_use::describe && f.key == "Label") throw filter_key(f.key, "[Path, Name, Type, KeyId, Tier]");
        if (use == filter_use::by_path && f.key != "Type" && f.key != "KeyId" && f.key != "Label")
            throw filter_key(f.key, "[Type, KeyId]");
        if (f.values.empty() && !tag)
            throw aws_error("InvalidFilterValue",
                            "The following filter values are missing : null for filter key " + f.key + ".");
        if (!seen.insert(f.key).second)
            throw aws_error("InvalidFilterKey", "The following filter is duplicated in the request: " + f.key +
                                                    ". A request can contain only one occurrence of a specific "
                                                    "filter.");
        if (f.key == "Path") {
            if (f.option.empty()) f.option = "OneLevel";
            if (f.option != "OneLevel" && f.option != "Recursive")
                throw filter_option(f.option, "[Recursive, OneLevel]");
            for (auto& v : f.values) {
                if (reserved(std::string_view(v).substr(v.starts_with('/') ? 1 : 0)))
                    throw validation(
                        "Filters for common parameters can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). "
                        "When using global parameters, please specify within a global namespace.");
                check_path(v);
            }
            continue;
        }
        if (f.option.empty()) f.option = "Equals";
        if (f.key == "Label") {
            if (f.option != "Equals") throw filter_option(f.option, "[Equals]");
            continue;
        }
        if (f.key == "Name") {
            if (f.option != "Equals" && f.option != "BeginsWith" && f.option != "Contains")
                throw filter_option(f.option, "[BeginsWith, Contains, Equals]");
        } else if (f.option != "Equals" && f.option != "BeginsWith") {
            throw filter_option(f.option, "[BeginsWith, Equals]");
        }
        if (f.key == "Type")
            check_values(f, {"String", "StringList", "SecureString"}, "[String, StringList, SecureString]");
        if (f.key == "Tier")
            check_values(f, {"Standard", "Advanced", "Intelligent-Tiering"},
                         "[Standard, Advanced, Intelligent-Tiering]");
    }
}

bool under_path(std::string_view name, std::string_view path, bool recursive) {
    auto full = rooted(name);
    std::string prefix(path);
    if (!prefix.ends_with('/')) prefix += '/';
    if (!full.starts_with(prefix) || full.size() == prefix.size()) return false;
    return recursive || full.find('/', prefix.size()) == std::string::npos;
}

bool matches(const filter_subject& p, const string_filter& f) {
    if (f.key == "Name") return compare(rooted(p.name), f, true);
    if (f.key == "Type") return compare(p.type, f, false);
    if (f.key == "KeyId") return !p.key_id.empty() && compare(p.key_id, f, false);
    if (f.key == "Tier") return compare(p.tier, f, false);
    if (f.key == "DataType") return compare(p.data_type, f, false);
    if (f.key == "Label")
        return std::any_of(p.labels.begin(), p.labels.end(), [&](const std::string& l) {
            return std::find(f.values.begin(), f.values.end(), l) != f.values.end();
        });
    if (f.key == "Path")
        return std::any_of(f.values.begin(), f.values.end(),
                           [&](const std::string& v) { return under_path(p.name, v, f.option == "Recursive"); });
    if (f.key.starts_with("tag:")) {
        auto key = f.key.substr(4);
        for (auto& [k, v] : p.tags)
            if (k == key && (f.values.empty() || compare(v, f, false))) return true;
        return false;
    }
    return false;
}

}  // namespace eddy::ssm
