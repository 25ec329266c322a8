#pragma once

// Input templates: EventBridge Pipes' InputTemplate (enrichment and target), and the shared core
// that EventBridge's input transformer (InputPathsMap + InputTemplate) is to reuse.
//
// The documented rules (EventBridge user guide, "Amazon EventBridge Pipes input transformation"
// and "Amazon EventBridge input transformation"):
// - A template is free text, a lone placeholder, or JSON with placeholders in it.
// - In a JSON template a placeholder standing as a value is replaced by the value's JSON
//   ({"instance": <$.detail.instance-id>} gives {"instance": "i-0123456789"}); one inside a
//   string literal by the value's text ("instance \"<instance>\" is in <state>").
// - Pipes' reserved variables are <aws.pipes.pipe-arn>, -name, source-arn, enrichment-arn,
//   target-arn, event.ingestion-time (ISO 8601), event (the event as received, escaped) and
//   event.json (the event with its encoded payload decoded, not escaped, so only usable as a
//   JSON value; it has no value when the payload is not JSON).
// - Implicit body parsing: the SQS `body` and the base64 Kinesis `data` are turned into JSON
//   when they hold JSON, for filtering and transformation alike (<$.data.someKey>).
//
// Where Pipes and EventBridge's transformer differ (documented, for the second user of the core):
// - Placeholders: Pipes names JSONPath in place (<$.a.b>) and aws.pipes.*; EventBridge names
//   keys of InputPathsMap (<name>, [A-Za-z0-9_-]+, "dot notation, not bracket notation") and
//   aws.events.rule-arn, rule-name, event, event.ingestion-time, event.json. An undefined
//   <name> is rejected by PutTargets ("InputTemplate for target <id> contains invalid
//   placeholder <name>.", as recorded against AWS in LocalStack's snapshot tests).
// - Escaping: EventBridge documents "EventBridge doesn't escape values extracted by Input Path"
//   inside string literals; Pipes escapes (render_rules::escape_in_strings).
// - Missing values: EventBridge "that variable isn't created and won't appear in the output"
//   (an empty string inside a string literal, as recorded against AWS).
// - EventBridge's template must be JSON (a JSON string literal for text); Pipes' may be free text.
// - EventBridge inserts an unquoted string value into a CloudWatch Logs target unquoted;
//   that is the target's business, not the template's.

#include <cstddef>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace eddy::eventing {

// Values of the reserved variables a pipe offers, by name without the angle brackets
// ("aws.pipes.pipe-arn", ...). aws.pipes.event and aws.pipes.event.json come from the event.
using variables = std::map<std::string, std::string, std::less<>>;

// A template (or a JSONPath in it) that cannot be used; the message is what CreatePipe reports.
struct template_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A JSONPath of the subset EventBridge supports: $, .member, ['member'], [index], * and [*].
// Parsed once, evaluated per event; immutable and freely shared.
class json_path {
  public:
    // Throws template_error when `text` is not such a path.
    static json_path parse(std::string_view text);

    // What the path selects in `doc`: the value itself (borrowed from `doc`), an array of every
    // match when the path has a wildcard (owned), or nothing.
    class selection {
      public:
        const nlohmann::json* get() const { return owns_ ? &owned_ : found_; }

      private:
        friend class json_path;
        const nlohmann::json* found_ = nullptr;
        nlohmann::json owned_;
        bool owns_ = false;
    };
    selection select(const nlohmann::json& doc) const;

    const std::string& text() const { return text_; }

  private:
    struct step {
        enum class kind { member, index, wildcard } what;
        std::string member;
        std::size_t index = 0;
    };
    std::string text_;
    std::vector<step> steps_;
    bool has_wildcard_ = false;
};

// How a template_text inserts values; the differences between Pipes and EventBridge.
struct render_rules {
    // Escape a value put inside a JSON string literal (Pipes); EventBridge inserts it as is.
    bool escape_in_strings = true;
    // In a free-text template an object or array loses its double quotes: the Pipes guide says
    // a template of <$.body> turns the body {"key": "value"} into {key: value}.
    bool strip_quotes_of_objects_in_text = true;
};

// The core: a template split into literal text and placeholder slots, each slot knowing
// whether it stands as a JSON value or sits inside a string literal, and whether the whole
// is a JSON template or free text. Built once from the template, rendered per event; immutable.
class template_text {
  public:
    // Tells, for the text between '<' and the next '>' (`closed` false when there is no '>'),
    // whether it is a placeholder: nullopt when it is plain text, else the slot's key. Throws
    // template_error for a malformed placeholder.
    using recognizer = std::function<std::optional<std::string>(std::string_view inner, bool closed)>;
    static template_text scan(std::string_view text, const recognizer& recognize);

    // A slot's value for one rendering; nullptr when it has none (a missing path).
    using resolver = std::function<const nlohmann::json*(std::size_t slot)>;
    std::string render(const resolver& resolve, const render_rules& rules) const;

    struct slot {
        std::string key;
        bool in_string = false;  // inside a JSON string literal of the template
    };
    const std::vector<slot>& slots() const { return slots_; }
    // True when the template, placeholders aside, is a JSON object, array or string.
    bool is_json() const { return json_; }

  private:
    // Literal text, or the index of a slot.
    std::vector<std::variant<std::string, std::size_t>> pieces_;
    std::vector<slot> slots_;
    bool json_ = false;
};

// A pipe's InputTemplate. Parsed when the pipe is created or updated, rendered for each record
// of each batch; immutable and freely shared between threads.
class input_template {
  public:
    // Throws template_error for a malformed placeholder or an unknown aws.pipes variable.
    static input_template parse(std::string_view text);

    // Renders for one event (a pipe renders each record of a batch). The result is text: valid
    // JSON when the template is JSON, any text otherwise. `event` is the event as received (a
    // source record with its metadata, or what the enrichment returned; a JSON string when
    // that was not JSON); JSONPaths read it after with_parsed_payload.
    //
    // A path or variable with no value (a missing member, an index past the end, a reserved
    // variable the caller did not give, aws.pipes.event.json of a non-JSON payload) renders as
    // nothing inside a string literal or free text, as EventBridge does, and as null where it
    // stands as a JSON value, so that the output stays valid JSON ("EventBridge replaces input
    // transformers at runtime to ensure a valid JSON output"). AWS does not document the
    // latter for Pipes.
    std::string render(const nlohmann::json& event, const variables& vars) const;

    bool is_json() const { return text_.is_json(); }

  private:
    template_text text_;
    // Per slot: the path to evaluate, or nullopt for a reserved variable (slot key).
    std::vector<std::optional<json_path>> paths_;
    bool reads_payload_ = false;  // some slot needs the parsed payload
};

// Pipes' implicit body parsing: a copy of an SQS record whose "body" string is valid JSON with
// the body replaced by the parsed value, and of a Kinesis record whose base64 "data" decodes to
// JSON with "data" replaced by the parsed value. Others are returned unchanged. Records are
// told apart by their eventSource ("aws:sqs", "aws:kinesis").
nlohmann::json with_parsed_payload(const nlohmann::json& record);

// Whether the record's payload is JSON (what decides if aws.pipes.event.json has a value): an
// SQS body or Kinesis data that parses, or any event that is not itself a bare string.
bool payload_is_json(const nlohmann::json& record);

}  // namespace eddy::eventing
