#include "core/digest.hpp"
#include "core/encoding.hpp"
#include "services/stepfunctions/asl/intrinsics.hpp"

#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <unordered_map>

namespace eddy::asl {

namespace {

// AWS's limits on intrinsic inputs.
constexpr std::size_t max_encode_chars = 10000;
constexpr long long max_range_elements = 1000;

[[noreturn]] void failure(const std::string& cause) {
    throw states_error(error_names::intrinsic_failure, cause);
}

const char* type_name(const json& v) {
    switch (v.type()) {
        case json::value_t::string:
            return "string";
        case json::value_t::boolean:
            return "boolean";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float:
            return "number";
        case json::value_t::array:
            return "array";
        case json::value_t::object:
            return "object";
        default:
            return "null";
    }
}

using args_t = std::vector<json>;

const std::string& string_arg(const std::string& fn, const args_t& args, std::size_t i) {
    if (!args[i].is_string())
        failure("Invalid arguments in " + fn + ": argument " + std::to_string(i + 1) + " must be a string, got " +
                type_name(args[i]));
    return args[i].get_ref<const std::string&>();
}

const json& array_arg(const std::string& fn, const args_t& args, std::size_t i) {
    if (!args[i].is_array())
        failure("Invalid arguments in " + fn + ": argument " + std::to_string(i + 1) + " must be an array, got " +
                type_name(args[i]));
    return args[i];
}

const json& object_arg(const std::string& fn, const args_t& args, std::size_t i) {
    if (!args[i].is_object())
        failure("Invalid arguments in " + fn + ": argument " + std::to_string(i + 1) + " must be an object, got " +
                type_name(args[i]));
    return args[i];
}

// Integers; a float with no fraction (1.0) counts as one, as in Java's JSON model.
long long integer_arg(const std::string& fn, const args_t& args, std::size_t i) {
    const json& v = args[i];
    if (v.is_number_integer()) return v.get<long long>();
    if (v.is_number_float()) {
        double d = v.get<double>();
        if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e18) return static_cast<long long>(d);
    }
    failure("Invalid arguments in " + fn + ": argument " + std::to_string(i + 1) + " must be an integer, got " +
            (v.is_number() ? v.dump() : std::string(type_name(v))));
}

// States.MathAdd and States.MathRandom take any number: AWS rounds one that is not an
// integer to the nearest integer (halves up, as Java's Math.round does).
long long rounded_arg(const std::string& fn, const args_t& args, std::size_t i) {
    const json& v = args[i];
    if (v.is_number_float()) {
        double d = v.get<double>();
        if (std::isfinite(d) && std::fabs(d) < 9.0e18) return static_cast<long long>(std::floor(d + 0.5));
    }
    return integer_arg(fn, args, i);
}

// The text a value takes inside States.Format.
std::string format_value(const json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

json fn_format(const std::string& raw_template, const args_t& args) {
    std::string out;
    std::size_t next = 1;
    for (std::size_t i = 0; i < raw_template.size(); ++i) {
        char c = raw_template[i];
        if (c == '\\' && i + 1 < raw_template.size()) {
            out += raw_template[++i];
        } else if (c == '{' && i + 1 < raw_template.size() && raw_template[i + 1] == '}') {
            if (next >= args.size())
                failure("Invalid arguments in States.Format: the format string has more placeholders than the " +
                        std::to_string(args.size() - 1) + " arguments given");
            out += format_value(args[next++]);
            ++i;
        } else {
            out += c;
        }
    }
    if (next != args.size())
        failure("Invalid arguments in States.Format: the format string has " + std::to_string(next - 1) +
                " placeholders but " + std::to_string(args.size() - 1) + " arguments were given");
    return out;
}

// java.util.Random, so a seeded States.MathRandom gives the same number every run.
class java_random {
  public:
    explicit java_random(long long seed) : seed_((static_cast<std::uint64_t>(seed) ^ 0x5DEECE66DULL) & mask) {}
    int next_int(int bound) {
        if ((bound & -bound) == bound) return static_cast<int>((bound * static_cast<std::int64_t>(next(31))) >> 31);
        int bits, val;
        do {
            bits = next(31);
            val = bits % bound;
        } while (bits - val + (bound - 1) < 0);
        return val;
    }

  private:
    static constexpr std::uint64_t mask = (1ULL << 48) - 1;
    std::uint64_t seed_;
    int next(int bits) {
        seed_ = (seed_ * 0x5DEECE66DULL + 0xBULL) & mask;
        return static_cast<int>(static_cast<std::int64_t>(seed_ >> (48 - bits)));
    }
};

std::mt19937_64& generator() {
    thread_local std::mt19937_64 g{std::random_device{}()};
    return g;
}

std::string uuid_v4() {
    std::uniform_int_distribution<int> byte(0, 255);
    std::uint8_t b[16];
    for (auto& x : b)
        x = static_cast<std::uint8_t>(byte(generator()));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    std::string hex = to_hex(b, 16);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
           hex.substr(20);
}

void check_length(const std::string& fn, const std::string& s) {
    if (s.size() > max_encode_chars)
        failure("Invalid arguments in " + fn + ": the input exceeds the limit of " + std::to_string(max_encode_chars) +
                " characters");
}

using function = json (*)(const std::string& fn, const args_t& args, const intrinsic_call& call);

struct spec {
    int min;
    int max;
    function run;
};

const std::unordered_map<std::string, spec>& functions() {
    static const std::unordered_map<std::string, spec> table = {
        {"States.Format",
         {1, -1,
          [](const std::string& fn, const args_t& args, const intrinsic_call& call) -> json {
              string_arg(fn, args, 0);
              const auto& first = call.args[0];
              // A literal template keeps its escapes; one from a path has none to keep.
              std::string raw = first.what == intrinsic_arg::kind::literal ? first.raw : args[0].get<std::string>();
              return fn_format(raw, args);
          }}},
        {"States.StringToJson",
         {1, 1,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              json parsed = json::parse(string_arg(fn, args, 0), nullptr, false);
              if (parsed.is_discarded())
                  failure("Invalid arguments in States.StringToJson: the argument is not valid JSON");
              return parsed;
          }}},
        {"States.JsonToString",
         {1, 1, [](const std::string&, const args_t& args, const intrinsic_call&) -> json { return args[0].dump(); }}},
        {"States.Array",
         {0, -1,
          [](const std::string&, const args_t& args, const intrinsic_call&) -> json {
              json out = json::array();
              for (const auto& a : args)
                  out.push_back(a);
              return out;
          }}},
        {"States.ArrayPartition",
         {2, 2,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              const json& array = array_arg(fn, args, 0);
              long long size = integer_arg(fn, args, 1);
              if (size <= 0) failure("Invalid arguments in States.ArrayPartition: the chunk size must be positive");
              json out = json::array();
              for (std::size_t i = 0; i < array.size(); i += static_cast<std::size_t>(size)) {
                  json chunk = json::array();
                  for (std::size_t j = i; j < array.size() && j < i + static_cast<std::size_t>(size); ++j)
                      chunk.push_back(array[j]);
                  out.push_back(std::move(chunk));
              }
              return out;
          }}},
        {"States.ArrayContains",
         {2, 2,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              const json& array = array_arg(fn, args, 0);
              for (const auto& item : array)
                  if (item == args[1]) return true;
              return false;
          }}},
        {"States.ArrayRange",
         {3, 3,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              long long start = integer_arg(fn, args, 0), end = integer_arg(fn, args, 1),
                        step = integer_arg(fn, args, 2);
              if (step == 0) failure("Invalid arguments in States.ArrayRange: the step must not be 0");
              long long count = 0;
              if ((step > 0 && start <= end) || (step < 0 && start >= end)) count = (end - start) / step + 1;
              if (count > max_range_elements)
                  failure("Invalid arguments in States.ArrayRange: the result would have " + std::to_string(count) +
                          " elements, more than the limit of " + std::to_string(max_range_elements));
              json out = json::array();
              for (long long i = 0; i < count; ++i)
                  out.push_back(start + i * step);
              return out;
          }}},
        {"States.ArrayGetItem",
         {2, 2,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              const json& array = array_arg(fn, args, 0);
              long long index = integer_arg(fn, args, 1);
              if (index < 0 || index >= static_cast<long long>(array.size()))
                  failure("Invalid arguments in States.ArrayGetItem: index " + std::to_string(index) +
                          " is out of bounds for an array of " + std::to_string(array.size()) + " elements");
              return array[static_cast<std::size_t>(index)];
          }}},
        {"States.ArrayLength",
         {1, 1,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              return array_arg(fn, args, 0).size();
          }}},
        {"States.ArrayUnique",
         {1, 1,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              json out = json::array();
              std::set<json> seen;
              for (const auto& item : array_arg(fn, args, 0))
                  if (seen.insert(item).second) out.push_back(item);
              return out;
          }}},
        {"States.Base64Encode",
         {1, 1,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              const auto& s = string_arg(fn, args, 0);
              check_length(fn, s);
              return base64_encode(s);
          }}},
        {"States.Base64Decode",
         {1, 1,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              const auto& s = string_arg(fn, args, 0);
              check_length(fn, s);
              std::string out;
              if (!base64_decode(s, out))
                  failure("Invalid arguments in States.Base64Decode: the argument is not valid base64");
              if (is_valid_utf8(out)) return out;
              // Bytes that are not UTF-8 read as U+FFFD, as a Java decoder reads them, so the
              // string can still travel as JSON.
              return json::parse(json(out).dump(-1, ' ', false, json::error_handler_t::replace));
          }}},
        {"States.Hash",
         {2, 2,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              std::string data = args[0].is_string() ? args[0].get<std::string>() : args[0].dump();
              check_length(fn, data);
              const auto& algorithm = string_arg(fn, args, 1);
              if (algorithm == "MD5") return md5::hex(data);
              if (algorithm == "SHA-1") return sha1_hex(data);
              if (algorithm == "SHA-256") return sha256::hex(data);
              if (algorithm == "SHA-384") return sha384_hex(data);
              if (algorithm == "SHA-512") return sha512_hex(data);
              failure("Invalid arguments in States.Hash: the hash algorithm '" + algorithm +
                      "' is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512");
          }}},
        {"States.JsonMerge",
         {3, 3,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              json out = object_arg(fn, args, 0);
              const json& right = object_arg(fn, args, 1);
              if (!args[2].is_boolean())
                  failure("Invalid arguments in States.JsonMerge: argument 3 must be a boolean, got " +
                          std::string(type_name(args[2])));
              if (args[2].get<bool>())
                  failure("Invalid arguments in States.JsonMerge: deep merge is not supported, use false");
              for (auto it = right.begin(); it != right.end(); ++it)
                  out[it.key()] = it.value();
              return out;
          }}},
        {"States.MathRandom",
         {2, 3,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              long long start = rounded_arg(fn, args, 0), end = rounded_arg(fn, args, 1);
              if (end <= start)
                  failure("Invalid arguments in States.MathRandom: the end value must be greater than the start value");
              long long span = end - start;
              if (args.size() == 3) {
                  long long seed = integer_arg(fn, args, 2);
                  if (span > 0x7fffffffLL) failure("Invalid arguments in States.MathRandom: the range is too large");
                  return start + java_random(seed).next_int(static_cast<int>(span));
              }
              std::uniform_int_distribution<long long> dist(start, end - 1);
              return dist(generator());
          }}},
        {"States.MathAdd",
         {2, 2,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              long long a = rounded_arg(fn, args, 0), b = rounded_arg(fn, args, 1);
              for (long long v : {a, b})
                  if (v < -2147483648LL || v > 2147483647LL)
                      failure("Invalid arguments in States.MathAdd: " + std::to_string(v) +
                              " is outside the range -2147483648 to 2147483647");
              return a + b;
          }}},
        {"States.StringSplit",
         {2, 2,
          [](const std::string& fn, const args_t& args, const intrinsic_call&) -> json {
              const auto& s = string_arg(fn, args, 0);
              const auto& delimiters = string_arg(fn, args, 1);
              // Every character of the second argument splits, and empty pieces are dropped.
              json out = json::array();
              std::string piece;
              for (char c : s) {
                  if (delimiters.find(c) != std::string::npos) {
                      if (!piece.empty()) out.push_back(piece);
                      piece.clear();
                  } else {
                      piece += c;
                  }
              }
              if (!piece.empty()) out.push_back(piece);
              return out;
          }}},
        {"States.UUID",
         {0, 0, [](const std::string&, const args_t&, const intrinsic_call&) -> json { return uuid_v4(); }}},
    };
    return table;
}

}  // namespace

std::pair<int, int> intrinsic_arity(std::string_view name) {
    auto it = functions().find(std::string(name));
    if (it == functions().end()) return {-1, -1};
    return {it->second.min, it->second.max};
}

json evaluate_intrinsic(const intrinsic_call& call, const path_scope& scope) {
    auto it = functions().find(call.name);
    if (it == functions().end()) failure("Unknown intrinsic function " + call.name);
    args_t args;
    args.reserve(call.args.size());
    for (const auto& arg : call.args) {
        switch (arg.what) {
            case intrinsic_arg::kind::literal:
                args.push_back(arg.value);
                break;
            case intrinsic_arg::kind::path:
                args.push_back(arg.path->evaluate(scope));
                break;
            case intrinsic_arg::kind::call:
                args.push_back(evaluate_intrinsic(*arg.call, scope));
                break;
        }
    }
    return it->second.run(call.name, args, call);
}

}  // namespace eddy::asl
