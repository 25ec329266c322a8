#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eddy::protocol {

// A set of code points: sorted, disjoint, non-adjacent ranges, plus a bitmap of its
// ASCII part so the common case is one bit test.
class code_point_set {
  public:
    code_point_set() = default;
    explicit code_point_set(std::vector<std::pair<char32_t, char32_t>> ranges) : ranges_(std::move(ranges)) {
        normalize();
    }
    void add(char32_t lo, char32_t hi);
    void add(const code_point_set& other);
    void intersect(const code_point_set& other);
    void complement();
    void add_ascii_other_case();  // (?i): Java folds ASCII letters only, without UNICODE_CASE
    bool contains(char32_t c) const;
    bool empty() const { return ranges_.empty(); }

  private:
    void normalize();
    std::vector<std::pair<char32_t, char32_t>> ranges_;
    std::uint64_t ascii_[2] = {0, 0};
};

// A Java regular expression (java.util.regex syntax), compiled to a small program and
// matched against whole texts of code points, as Matcher.matches() does. eddy needs it for
// the `pattern` of the AWS models' shapes, which std::regex cannot all evaluate (Unicode
// categories, lookbehind, counted repeats of 100000).
//
// Matching is backtracking on an explicit stack (never one C++ frame per character), in
// Java's order of preference, so backreferences mean what they mean in Java. A Pike VM
// would not need a memo but cannot do backreferences (SSM's ISO 8601 pattern has two).
// Each choice point is tried at most once per position (a bit per pair, as RE2's BitState
// does), so no pattern costs more than polynomial time; where more than the position decides
// what can follow (the groups backreferences name, where a repeat that may match nothing
// began) the memo keys on that too, in a hash set. Repeats of one character class
// ([a-z]{1,100000}, .*) are one instruction that counts, not an unrolled chain. Read-only
// once compiled: any thread may match with it.
class java_regex {
  public:
    // The compiled pattern, or null with `error` saying what Java syntax is not supported.
    static std::unique_ptr<java_regex> compile(std::string_view pattern, std::string& error);

    // Whether the whole of `text` matches.
    bool matches(std::u32string_view text) const;
    // The instructions the calling thread's last match ran: the measure of its work that
    // does not depend on the machine, for tests of the engine's complexity.
    static std::uint64_t last_steps();

    enum class op : std::uint8_t { set, run, split, jump, save, commit, progress, assertion, look, backref, match };
    enum class assertion : std::uint8_t {
        begin_input,                  // \A, and ^ without (?m)
        begin_line,                   // ^ with (?m)
        end_input,                    // \z
        end_before_final_terminator,  // \Z, and $ without (?m)
        end_line,                     // $ with (?m)
        word_boundary,
        not_word_boundary,
    };
    struct instruction {
        op code;
        bool greedy = true;  // run and split: which way is tried first
        // set, run: set index; split, jump: target; save, commit, progress: slot; backref: group; look: look index
        std::uint32_t a = 0;
        // split: second target; run: memo slot of its entry (and b + 1 of its continuation);
        // commit: the slot holding the group's start; progress: where to go when nothing was matched
        std::uint32_t b = 0;
        std::uint32_t min = 0, max = 0;  // run: bounds (max = unbounded for * and +); split: memo slot
        std::uint32_t watch = 0;         // split, run: the repeats that may match nothing around it (watch_sets_)
    };
    struct lookaround {
        std::uint32_t start = 0;  // first instruction of the body, which ends with a match
        bool behind = false, negative = false;
        std::uint32_t min_length = 0, max_length = 0;  // behind: the body's bounds, in code points
        std::uint32_t first_slot = 0, end_slot = 0;    // the body's memo slots, cleared before each try
    };
    static constexpr std::uint32_t unbounded = 0xffffffff;

  private:
    friend class regex_compiler;
    friend class regex_matcher;
    std::vector<instruction> program_;
    std::vector<code_point_set> sets_;
    std::vector<lookaround> looks_;
    std::uint32_t memo_slots_ = 0;            // choice points: each split one, each run two
    std::uint32_t capture_slots_ = 0;         // groups' bounds, their starts while open, loops' registers
    bool memoize_ = true;                     // a bit per (choice point, position)
    std::vector<std::uint32_t> keyed_slots_;  // else: the slots the memo must key on too
    std::vector<std::vector<std::uint32_t>> watch_sets_{{}};  // registers of such repeats; 0: none
};

// The Unicode general category of a code point, as Character.getType reports it, by its
// two-letter name ("Lu", "Nd", "Cn" for unassigned).
std::string_view unicode_category(char32_t c);

}  // namespace eddy::protocol
