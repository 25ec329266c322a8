// SSM Parameter Store operations: translate the neutral input to the store and back.
#include "core/aws_error.hpp"
#include "core/digest.hpp"
#include "core/encoding.hpp"
#include "core/ids.hpp"
#include "services/registry.hpp"
#include "services/ssm/rules.hpp"
#include "services/ssm/store.hpp"

#include <algorithm>
#include <memory>
#include <regex>
#include <set>

namespace eddy::ssm {

namespace {

constexpr std::int64_t default_path_results = 10;
constexpr std::int64_t default_describe_results = 50;
constexpr std::int64_t default_history_results = 50;
constexpr std::size_t max_tags = 50;
constexpr std::size_t max_value_bytes = 32768;
constexpr const char* default_key = "alias/aws/ssm";

double seconds(std::int64_t ms) {
    return static_cast<double>(ms) / 1000.0;
}

aws_error validation(std::string message) {
    return aws_error("ValidationException", std::move(message));
}

// GetParameter and DeleteParameter name nothing in their ParameterNotFound, as AWS.
aws_error not_found(std::string message = {}) {
    return aws_error("ParameterNotFound", std::move(message));
}

aws_error version_not_found(std::int64_t version, std::string_view name) {
    return aws_error("ParameterVersionNotFound", "Systems Manager could not find version " + std::to_string(version) +
                                                     " of " + std::string(name) +
                                                     ". Verify the version and try again.");
}

std::string parameter_arn(const parameter& p) {
    std::string_view name = p.name;
    if (name.starts_with('/')) name.remove_prefix(1);
    return make_arn("ssm", p.region, p.account, "parameter/" + std::string(name));
}

// What GetParameter shows of a SecureString without WithDecryption. AWS returns the KMS
// ciphertext; eddy has no KMS, so it returns base64 of "eddy-kms:<key id>:" and a SHA-256
// of the parameter's ARN, version and value: opaque, stable per version, never the value.
std::string ciphertext(const parameter& p, const parameter_version& v) {
    sha256 h;
    h.update(parameter_arn(p)).update(":").update(std::to_string(v.version)).update(":").update(v.value);
    auto d = h.finish();
    return base64_encode("eddy-kms:" + v.key_id + ":" + std::string(reinterpret_cast<const char*>(d.data()), d.size()));
}

std::string shown_value(const parameter& p, const parameter_version& v, bool decrypt) {
    return v.type == "SecureString" && !decrypt ? ciphertext(p, v) : v.value;
}

// Page tokens carry the last name (or history index) handed out, so deletes between
// pages skip nothing.
std::string token_for(std::string_view position) {
    return base64_encode("eddy:" + std::string(position));
}

std::string position_of(const json& input) {
    if (!input.contains("NextToken")) return {};
    std::string decoded;
    if (!base64_decode(input["NextToken"].get_ref<const std::string&>(), decoded) || !decoded.starts_with("eddy:"))
        throw aws_error("InvalidNextToken", "The specified token is not valid.");
    return decoded.substr(5);
}

std::vector<string_filter> filters_from(const json& input) {
    std::vector<string_filter> out;
    if (auto it = input.find("ParameterFilters"); it != input.end())
        for (auto& f : *it) {
            string_filter sf;
            sf.key = f["Key"].get<std::string>();
            sf.option = f.value("Option", std::string());
            if (f.contains("Values")) sf.values = f["Values"].get<std::vector<std::string>>();
            out.push_back(std::move(sf));
        }
    return out;
}

filter_subject subject_of(const parameter& p) {
    auto& v = p.latest();
    filter_subject s{p.name, v.type, v.key_id, v.tier, v.data_type, v.labels, {}};
    for (auto& [k, val] : p.tags)
        s.tags.emplace_back(k, val);
    return s;
}

bool passes(const parameter& p, const std::vector<string_filter>& filters) {
    auto s = subject_of(p);
    return std::all_of(filters.begin(), filters.end(), [&](const string_filter& f) { return matches(s, f); });
}

json tag_list(const tag_map& tags) {
    json out = json::array();
    for (auto& [k, v] : tags)
        out.push_back({{"Key", k}, {"Value", v}});
    return out;
}

bool is_ami_id(std::string_view v) {
    static const std::regex ami("ami-([0-9a-f]{8}|[0-9a-f]{17})");
    return std::regex_match(v.begin(), v.end(), ami);
}

class service {
  public:
    explicit service(storage::database& db, const eddy::clock& clock) : store_(db), clock_(clock) {}

    json put_parameter(request_context& ctx, const json& input) {
        auto name = name_of(input["Name"].get_ref<const std::string&>());
        check_new_name(name);
        bool overwrite = input.value("Overwrite", false);
        if (overwrite && input.contains("Tags") && !input["Tags"].empty())
            throw validation(
                "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please "
                "remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or "
                "RemoveTagsFromResource.");
        if (input.contains("Policies"))
            throw validation(
                "eddy does not support parameter policies (Expiration, ExpirationNotification, "
                "NoChangeNotification): put the parameter without Policies.");
        auto& value = input["Value"].get_ref<const std::string&>();
        if (value.empty())
            throw validation(
                "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have "
                "length greater than or equal to 1.");
        auto data_type = input.value("DataType", std::string("text"));
        if (data_type != "text" && data_type != "aws:ec2:image" && data_type != "aws:ssm:integration")
            throw validation("The following data type is not supported: " + data_type +
                             " (Data type names are all lowercase.)");

        auto existing = store_.find(ctx.account, ctx.region, name);
        if (existing && !overwrite)
            throw aws_error("ParameterAlreadyExists",
                            "The parameter already exists. To overwrite this value, set the overwrite option in the "
                            "request to true.");
        const parameter_version* before = existing ? &existing->latest() : nullptr;

        parameter_version v;
        v.type = input.value("Type", before ? before->type : std::string());
        if (v.type.empty()) throw validation("A parameter type is required when you create a parameter.");
        if (input.contains("KeyId") && v.type != "SecureString")
            throw validation("KeyId is required for SecureString type parameter only.");
        // What an overwrite leaves out it keeps from the version before.
        v.description = input.value("Description", before ? before->description : std::string());
        v.allowed_pattern = input.value("AllowedPattern", before ? before->allowed_pattern : std::string());
        if (v.type == "SecureString")
            v.key_id = input.value("KeyId", before && before->type == "SecureString" ? before->key_id : default_key);
        v.data_type = data_type;
        v.value = value;
        if (!v.allowed_pattern.empty()) check_pattern(v.allowed_pattern, value);
        v.tier = tier_for(input, before, value.size());
        v.modified_ms = clock_.now_ms();
        v.user = root_user_arn(ctx.account);

        parameter p = existing ? std::move(*existing) : parameter{ctx.account, ctx.region, name, {}, {}};
        v.version = p.versions.empty() ? 1 : p.latest().version + 1;
        // An AMI id is validated after AWS answers: a malformed one is never stored.
        if (data_type == "aws:ec2:image" && (v.type != "String" || !is_ami_id(value)))
            return {{"Version", v.version}, {"Tier", v.tier}};
        if (p.versions.size() >= max_versions) {
            auto& oldest = p.versions.front();
            if (!oldest.labels.empty())
                throw aws_error("ParameterMaxVersionLimitExceeded",
                                "You attempted to create a new version of " + name +
                                    " by calling the PutParameter API with the overwrite flag. Version " +
                                    std::to_string(oldest.version) +
                                    ", the oldest version, can't be deleted because it has a label associated with "
                                    "it. Move the label to another version of the parameter, and try again.");
            p.versions.erase(p.versions.begin());
        }
        if (!existing && input.contains("Tags"))
            for (auto& t : input["Tags"])
                p.tags[t["Key"].get<std::string>()] = t["Value"].get<std::string>();
        if (p.tags.size() > max_tags) throw aws_error("TooManyTagsError", "");
        p.versions.push_back(std::move(v));
        store_.save(p);
        return {{"Version", p.latest().version}, {"Tier", p.latest().tier}};
    }

    json get_parameter(request_context& ctx, const json& input) {
        auto ref = reference_of(input["Name"].get_ref<const std::string&>());
        if (!ref) throw not_found();
        auto p = store_.find(ctx.account, ctx.region, ref->name);
        if (!p) throw not_found();
        auto& v = version_of(*p, *ref);
        auto out = parameter_json(*p, v, ref->selector, input.value("WithDecryption", false));
        out["Name"] = ref->name;  // "/db" and "db" are one parameter; the answer names it as asked
        return {{"Parameter", std::move(out)}};
    }

    json get_parameters(request_context& ctx, const json& input) {
        bool decrypt = input.value("WithDecryption", false);
        json found = json::array(), invalid = json::array();
        std::set<std::string> seen;
        std::vector<std::optional<reference>> refs;
        for (auto& n : input["Names"])
            refs.push_back(reference_of(n.get_ref<const std::string&>()));
        for (std::size_t i = 0; i < refs.size(); ++i) {
            auto& text = input["Names"][i].get_ref<const std::string&>();
            if (!seen.insert(text).second) continue;
            auto& ref = refs[i];
            auto p = ref ? store_.find(ctx.account, ctx.region, ref->name) : std::nullopt;
            if (!p) {
                invalid.push_back(text);
                continue;
            }
            try {
                auto item = parameter_json(*p, version_of(*p, *ref), ref->selector, decrypt);
                item["Name"] = ref->name;
                found.push_back(std::move(item));
            } catch (const aws_error&) {
                invalid.push_back(text);
            }
        }
        return {{"Parameters", std::move(found)}, {"InvalidParameters", std::move(invalid)}};
    }

    json get_parameters_by_path(request_context& ctx, const json& input) {
        auto& path = input["Path"].get_ref<const std::string&>();
        check_path(path);
        auto filters = filters_from(input);
        check_filters(filters, filter_use::by_path);
        bool recursive = input.value("Recursive", false);
        bool decrypt = input.value("WithDecryption", false);
        auto limit = input.value("MaxResults", default_path_results);
        json out = json::array();
        std::string last;
        bool more = false;
        for (auto& p : store_.all(ctx.account, ctx.region, position_of(input))) {
            if (!under_path(p.name, path, recursive) || !passes(p, filters)) continue;
            if (std::ssize(out) == limit) {
                more = true;
                break;
            }
            out.push_back(parameter_json(p, p.latest(), "", decrypt));
            last = p.name;
        }
        json result = {{"Parameters", std::move(out)}};
        if (more) result["NextToken"] = token_for(last);
        return result;
    }

    json describe_parameters(request_context& ctx, const json& input) {
        auto filters = filters_from(input);
        bool old_style = input.contains("Filters") && !input["Filters"].empty();
        if (old_style && !filters.empty())
            throw validation("You can use either Filters or ParameterFilters in a single request.");
        // The older Filters: Name begins with, Type and KeyId equal.
        if (old_style)
            for (auto& f : input["Filters"]) {
                auto key = f["Key"].get<std::string>();
                filters.push_back(
                    {key, key == "Name" ? "BeginsWith" : "Equals", f["Values"].get<std::vector<std::string>>()});
            }
        check_filters(filters, filter_use::describe);
        auto limit = input.value("MaxResults", default_describe_results);
        json out = json::array();
        std::string last;
        bool more = false;
        // Parameters shared with the account by others: eddy has none.
        if (!input.value("Shared", false))
            for (auto& p : store_.all(ctx.account, ctx.region, position_of(input))) {
                if (!passes(p, filters)) continue;
                if (std::ssize(out) == limit) {
                    more = true;
                    break;
                }
                out.push_back(metadata_json(p, p.latest()));
                last = p.name;
            }
        json result = {{"Parameters", std::move(out)}};
        if (more) result["NextToken"] = token_for(last);
        return result;
    }

    json get_parameter_history(request_context& ctx, const json& input) {
        auto p = named(ctx, input["Name"].get_ref<const std::string&>());
        bool decrypt = input.value("WithDecryption", false);
        auto limit = input.value("MaxResults", default_history_results);
        std::size_t start = 0;
        if (auto pos = position_of(input); !pos.empty()) {
            try {
                start = std::stoul(pos);
            } catch (const std::exception&) {
                throw aws_error("InvalidNextToken", "The specified token is not valid.");
            }
        }
        json out = json::array();
        for (auto i = start; i < p.versions.size() && std::ssize(out) < limit; ++i) {
            auto& v = p.versions[i];
            auto item = metadata_json(p, v);
            item.erase("ARN");
            item["Value"] = shown_value(p, v, decrypt);
            item["Labels"] = v.labels;
            out.push_back(std::move(item));
        }
        auto next = start + out.size();
        json result = {{"Parameters", std::move(out)}};
        if (next < p.versions.size()) result["NextToken"] = token_for(std::to_string(next));
        return result;
    }

    json label_parameter_version(request_context& ctx, const json& input) {
        auto p = named(ctx, input["Name"].get_ref<const std::string&>());
        auto version =
            input.contains("ParameterVersion") ? input["ParameterVersion"].get<std::int64_t>() : p.latest().version;
        auto* target = p.find_version(version);
        if (!target) throw version_not_found(version, p.name);
        json invalid = json::array();
        std::vector<std::string> adding;
        for (auto& l : input["Labels"]) {
            auto label = l.get<std::string>();
            if (!label_valid(label))
                invalid.push_back(label);
            else if (std::find(target->labels.begin(), target->labels.end(), label) == target->labels.end() &&
                     std::find(adding.begin(), adding.end(), label) == adding.end())
                adding.push_back(label);
        }
        if (target->labels.size() + adding.size() > max_labels_per_version)
            // AWS's message repeats the CLI's framing and runs its two sentences together.
            throw aws_error("ParameterVersionLabelLimitExceeded",
                            "An error occurred (ParameterVersionLabelLimitExceeded) when calling the "
                            "LabelParameterVersion operation: A parameter version can have maximum 10 labels.Move one "
                            "or more labels to another version and try again.");
        // A label names one version of a parameter: attaching it elsewhere moves it.
        for (auto& v : p.versions)
            std::erase_if(v.labels, [&](const std::string& l) {
                return std::find(adding.begin(), adding.end(), l) != adding.end();
            });
        target->labels.insert(target->labels.end(), adding.begin(), adding.end());
        store_.save(p);
        return {{"InvalidLabels", std::move(invalid)}, {"ParameterVersion", version}};
    }

    json unlabel_parameter_version(request_context& ctx, const json& input) {
        auto p = named(ctx, input["Name"].get_ref<const std::string&>());
        auto version = input["ParameterVersion"].get<std::int64_t>();
        auto* target = p.find_version(version);
        if (!target) throw version_not_found(version, p.name);
        json removed = json::array(), invalid = json::array();
        for (auto& l : input["Labels"]) {
            auto label = l.get<std::string>();
            auto it = std::find(target->labels.begin(), target->labels.end(), label);
            if (it == target->labels.end()) {
                invalid.push_back(label);
                continue;
            }
            target->labels.erase(it);
            removed.push_back(label);
        }
        store_.save(p);
        return {{"RemovedLabels", std::move(removed)}, {"InvalidLabels", std::move(invalid)}};
    }

    json delete_parameter(request_context& ctx, const json& input) {
        if (!store_.remove(ctx.account, ctx.region, name_of(input["Name"].get_ref<const std::string&>())))
            throw not_found();
        return json::object();
    }

    json delete_parameters(request_context& ctx, const json& input) {
        json deleted = json::array(), invalid = json::array();
        for (auto& n : input["Names"]) {
            auto& text = n.get_ref<const std::string&>();
            (store_.remove(ctx.account, ctx.region, name_of(text)) ? deleted : invalid).push_back(text);
        }
        return {{"DeletedParameters", std::move(deleted)}, {"InvalidParameters", std::move(invalid)}};
    }

    // ---- tags: of parameters, the only resource type eddy's SSM holds

    json add_tags_to_resource(request_context& ctx, const json& input) {
        auto p = tagged(ctx, input);
        for (auto& t : input["Tags"])
            p.tags[t["Key"].get<std::string>()] = t["Value"].get<std::string>();
        if (p.tags.size() > max_tags) throw aws_error("TooManyTagsError", "");
        store_.save(p);
        return json::object();
    }

    json remove_tags_from_resource(request_context& ctx, const json& input) {
        auto p = tagged(ctx, input);
        for (auto& k : input["TagKeys"])
            p.tags.erase(k.get<std::string>());
        store_.save(p);
        return json::object();
    }

    json list_tags_for_resource(request_context& ctx, const json& input) {
        return {{"TagList", tag_list(tagged(ctx, input).tags)}};
    }

  private:
    parameter named(const request_context& ctx, const std::string& text) {
        auto name = name_of(text);
        auto p = store_.find(ctx.account, ctx.region, name);
        if (!p) throw not_found("Parameter " + name + " not found.");
        return std::move(*p);
    }

    parameter tagged(const request_context& ctx, const json& input) {
        // Documents, maintenance windows and the rest do not exist in eddy.
        if (input["ResourceType"].get_ref<const std::string&>() != "Parameter")
            throw aws_error("InvalidResourceId", "");
        auto name = name_of(input["ResourceId"].get_ref<const std::string&>());
        check_tagged_name(name);
        auto p = store_.find(ctx.account, ctx.region, name);
        if (!p) throw aws_error("InvalidResourceId", "");
        return std::move(*p);
    }

    // The parameter a read names, after checking the name as AWS does; nullopt for a
    // selector that cannot name a version or label.
    static std::optional<reference> reference_of(const std::string& text) {
        auto ref = parse_reference(text);
        if (ref) check_read_name(ref->name);
        return ref;
    }

    static const parameter_version& version_of(parameter& p, const reference& ref) {
        if (ref.version) {
            auto* v = p.find_version(*ref.version);
            if (!v) throw version_not_found(*ref.version, p.name);
            return *v;
        }
        if (!ref.label.empty()) {
            auto* v = p.find_label(ref.label);
            if (!v) throw not_found();
            return *v;
        }
        return p.latest();
    }

    static void check_pattern(const std::string& pattern, const std::string& value) {
        std::regex re;
        try {
            re = std::regex(pattern);
        } catch (const std::regex_error&) {
            throw aws_error("InvalidAllowedPatternException", "The allowed pattern " + pattern + " is not valid.");
        }
        if (!std::regex_search(value, re))
            throw aws_error("ParameterPatternMismatchException",
                            "Parameter value, cannot be validated against allowedPattern: " + pattern);
    }

    // Standard unless asked otherwise; Intelligent-Tiering picks Standard while the value
    // fits; an Advanced parameter never goes back to Standard.
    static std::string tier_for(const json& input, const parameter_version* before, std::size_t size) {
        bool was_advanced = before && before->tier == "Advanced";
        auto asked = input.value("Tier", std::string());
        std::string tier = asked;
        if (asked.empty()) tier = was_advanced ? "Advanced" : "Standard";
        if (asked == "Intelligent-Tiering")
            tier = was_advanced || size > standard_value_limit ? "Advanced" : "Standard";
        if (tier == "Standard" && was_advanced)
            throw validation(
                "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the "
                "advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced "
                "parameter and recreate it as a standard parameter.");
        if (tier == "Standard" && size > standard_value_limit)
            throw validation(
                "Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger "
                "parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see "
                "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
                "parameter-store-advanced-parameters.html");
        // The wire's own limit comes first, worded as a model constraint on a sensitive member.
        if (size > max_value_bytes)
            throw validation(
                "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length "
                "less than or equal to 32768");
        if (size > advanced_value_limit)
            throw validation(
                "The specified parameter value is too large. Advanced-tier parameters support a maximum parameter "
                "value of 8192 characters.");
        return tier;
    }

    json parameter_json(const parameter& p, const parameter_version& v, const std::string& selector,
                        bool decrypt) const {
        json out = {{"Name", p.name},
                    {"Type", v.type},
                    {"Value", shown_value(p, v, decrypt)},
                    {"Version", v.version},
                    {"LastModifiedDate", seconds(v.modified_ms)},
                    {"ARN", parameter_arn(p)},
                    {"DataType", v.data_type}};
        if (!selector.empty()) out["Selector"] = selector;
        return out;
    }

    json metadata_json(const parameter& p, const parameter_version& v) const {
        json out = {{"Name", p.name},
                    {"ARN", parameter_arn(p)},
                    {"Type", v.type},
                    {"LastModifiedDate", seconds(v.modified_ms)},
                    {"LastModifiedUser", v.user},
                    {"Version", v.version},
                    {"Tier", v.tier},
                    {"Policies", json::array()},
                    {"DataType", v.data_type}};
        if (!v.key_id.empty()) out["KeyId"] = v.key_id;
        if (!v.description.empty()) out["Description"] = v.description;
        if (!v.allowed_pattern.empty()) out["AllowedPattern"] = v.allowed_pattern;
        return out;
    }

    ssm::store store_;
    const eddy::clock& clock_;
};

}  // namespace

void register_handlers(service_env& env) {
    auto svc = std::make_shared<service>(env.db, env.clock);
    auto add = [&](const char* op, json (service::*fn)(request_context&, const json&)) {
        env.calls.add("ssm", op,
                      sync_handler([svc, fn](request_context& ctx, const json& in) { return ((*svc).*fn)(ctx, in); }));
    };
    add("PutParameter", &service::put_parameter);
    add("GetParameter", &service::get_parameter);
    add("GetParameters", &service::get_parameters);
    add("GetParametersByPath", &service::get_parameters_by_path);
    add("DescribeParameters", &service::describe_parameters);
    add("GetParameterHistory", &service::get_parameter_history);
    add("LabelParameterVersion", &service::label_parameter_version);
    add("UnlabelParameterVersion", &service::unlabel_parameter_version);
    add("DeleteParameter", &service::delete_parameter);
    add("DeleteParameters", &service::delete_parameters);
    add("AddTagsToResource", &service::add_tags_to_resource);
    add("RemoveTagsFromResource", &service::remove_tags_from_resource);
    add("ListTagsForResource", &service::list_tags_for_resource);
}

}  // namespace eddy::ssm
