#include "protocol/model.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

using namespace eddy::protocol;

namespace {

// botocore's rule: the SigV4 signing name is metadata.signingName, else endpointPrefix.
std::string signing_name_of(const service_model& m) {
    auto& md = m.metadata();
    if (md.contains("signingName")) return md["signingName"].get<std::string>();
    return md.value("endpointPrefix", "");
}

}  // namespace

TEST_CASE("every embedded model parses and has operations and shapes") {
    auto names = embedded_model_names();
    CHECK(names.size() >= 13);
    for (auto name : names) {
        INFO("model ", name);
        auto text = embedded_model(name);
        REQUIRE_FALSE(text.empty());
        CHECK(json::accept(text));
        auto& m = model(name);
        CHECK(m.name() == name);
        CHECK(m.metadata().is_object());
        CHECK_FALSE(m.protocol().empty());
        CHECK(m.operations().is_object());
        CHECK_FALSE(m.operations().empty());
        // every shape an operation names exists
        for (auto& [op_name, op] : m.operations().items()) {
            INFO("operation ", op_name);
            for (const char* key : {"input", "output"})
                if (op.contains(key)) CHECK(m.find_shape(op[key]["shape"].get<std::string>()) != nullptr);
            for (auto& e : op.value("errors", json::array()))
                CHECK(m.find_shape(e["shape"].get<std::string>()) != nullptr);
        }
        // the documentation was stripped (PROVENANCE.md)
        CHECK(text.find("\"documentation\"") == std::string_view::npos);
    }
}

TEST_CASE("model() returns the same parsed model every time") {
    auto& a = model("sqs");
    auto& b = model("sqs");
    CHECK(&a == &b);
    CHECK_THROWS_AS(model("no-such-service"), std::out_of_range);
    CHECK(embedded_model("no-such-service").empty());
}

TEST_CASE("every row of the service table matches its model's metadata") {
    std::set<std::string_view> ids, signing_names, prefixes;
    auto names = embedded_model_names();
    for (auto& svc : services()) {
        INFO("service ", svc.id);
        CHECK(ids.insert(svc.id).second);
        CHECK(signing_names.insert(svc.signing_name).second);
        REQUIRE(std::find(names.begin(), names.end(), svc.id) != names.end());
        auto& m = model(svc.id);
        auto& md = m.metadata();
        CHECK(m.protocol() == svc.protocol);
        if (md.contains("protocols")) CHECK(md["protocols"].front() == std::string(svc.protocol));
        CHECK(signing_name_of(m) == svc.signing_name);
        if (svc.protocol == "json") {
            CHECK(md.value("targetPrefix", "") == svc.target_prefix);
            CHECK(prefixes.insert(svc.target_prefix).second);
            CHECK(md.contains("jsonVersion"));
        } else {
            CHECK(svc.target_prefix.empty());
            CHECK_FALSE(md.contains("targetPrefix"));
        }
        if (!svc.query_model.empty()) {
            INFO("query model ", svc.query_model);
            REQUIRE(std::find(names.begin(), names.end(), svc.query_model) != names.end());
            auto& q = model(svc.query_model);
            CHECK(q.protocol() == "query");
            CHECK(signing_name_of(q) == svc.signing_name);
            CHECK(q.metadata().contains("xmlNamespace"));
        }
        CHECK(service_by_id(svc.id) == &svc);
        CHECK(service_by_signing_name(svc.signing_name) == &svc);
        if (!svc.target_prefix.empty()) CHECK(service_by_target_prefix(svc.target_prefix) == &svc);
    }
    CHECK(service_by_id("nope") == nullptr);
    CHECK(service_by_signing_name("nope") == nullptr);
    CHECK(service_by_target_prefix("") == nullptr);
    CHECK(service_by_target_prefix("Nope_20200101") == nullptr);
}

TEST_CASE("the service table covers the services eddy serves") {
    for (auto id : {"sts", "sqs", "kinesis", "events", "pipes", "stepfunctions", "ecs", "logs", "lambda", "dynamodb",
                    "ssm", "s3"})
        CHECK_MESSAGE(service_by_id(id) != nullptr, id);
    REQUIRE(service_by_id("sqs"));
    CHECK(service_by_id("sqs")->query_model == "sqs-query");
    CHECK(service_by_signing_name("states") == service_by_id("stepfunctions"));
}

TEST_CASE("the two SQS models: json with awsQueryCompatible, query with query-era error codes") {
    auto& json_model = model("sqs");
    auto& query_model = model("sqs-query");
    CHECK(json_model.metadata().contains("awsQueryCompatible"));
    CHECK(json_model.metadata()["jsonVersion"] == "1.0");
    CHECK(query_model.metadata()["xmlNamespace"] == "http://queue.amazonaws.com/doc/2012-11-05/");
    CHECK(query_model.shape("QueueDoesNotExist")["error"]["code"] == "AWS.SimpleQueueService.NonExistentQueue");
    // both name the same operations
    for (auto& [name, op] : query_model.operations().items()) {
        INFO(name);
        CHECK(json_model.operation(name) != nullptr);
    }
}

TEST_CASE("service_model looks up operations and shapes") {
    auto& m = model("kinesis");
    REQUIRE(m.operation("PutRecord"));
    CHECK((*m.operation("PutRecord"))["input"]["shape"] == "PutRecordInput");
    CHECK(m.operation("NoSuchOperation") == nullptr);
    CHECK(m.shape("StreamName")["type"] == "string");
    CHECK(m.find_shape("NoSuchShape") == nullptr);
    CHECK_THROWS_AS(m.shape("NoSuchShape"), std::out_of_range);
}

TEST_CASE("every shape's node mirrors the model: kind, members in order, targets, required, input and output") {
    for (auto name : embedded_model_names()) {
        CAPTURE(name);
        auto& m = model(name);
        for (auto& [shape_name, shape] : m.shapes().items()) {
            auto& n = m.node(shape);
            CHECK(n.doc == &shape);
            auto type = shape.value("type", "string");
            CHECK((n.kind == shape_kind::structure) == (type == "structure"));
            CHECK((n.kind == shape_kind::list) == (type == "list"));
            CHECK((n.kind == shape_kind::map) == (type == "map"));
            CHECK((n.kind == shape_kind::blob) == (type == "blob"));
            CHECK((n.kind == shape_kind::timestamp) == (type == "timestamp"));
            CHECK((n.kind == shape_kind::long_) == (type == "long"));
            CHECK(n.constrained == (shape.contains("min") || shape.contains("max") || shape.contains("enum") ||
                                    shape.contains("pattern")));
            std::size_t i = 0;
            json members = shape.value("members", json::object());
            for (auto& [member_name, member] : members.items()) {
                REQUIRE(i < n.members.size());
                auto& mn = n.members[i++];
                CHECK(mn.name == member_name);
                CHECK(n.find(member_name) == &mn);
                CHECK(mn.doc == &shape["members"][member_name]);
                CHECK(mn.target == &m.node(m.target(*mn.doc)));
                CHECK(mn.location_name == member.value("locationName", ""));
                CHECK(mn.located == member.contains("location"));
            }
            CHECK(i == n.members.size());
            CHECK(n.find("NoSuchMemberAnywhere") == nullptr);
            CHECK(n.required.size() == shape.value("required", json::array()).size());
            if (type == "list") CHECK(n.item == &m.node(m.target(shape["member"])));
            if (type == "map") {
                CHECK(n.key == &m.node(m.target(shape["key"])));
                CHECK(n.value == &m.node(m.target(shape["value"])));
            }
        }
        for (auto& [op_name, op] : m.operations().items()) {
            CAPTURE(op_name);
            auto* in = m.input_node(op);
            auto* out = m.output_node(op);
            CHECK(in == (op.contains("input") ? &m.node(m.target(op["input"])) : nullptr));
            CHECK(out == (op.contains("output") ? &m.node(m.target(op["output"])) : nullptr));
        }
    }
}

TEST_CASE("parse_uri_path splits literals, labels and greedy labels") {
    auto segs = parse_uri_path("/2015-03-31/functions/{FunctionName}/invocations");
    REQUIRE(segs.size() == 4);
    CHECK(segs[0].text == "2015-03-31");
    CHECK_FALSE(segs[0].label);
    CHECK(segs[2].text == "FunctionName");
    CHECK(segs[2].label);
    CHECK_FALSE(segs[2].greedy);
    CHECK(segs[3].text == "invocations");

    segs = parse_uri_path("/{Bucket}/{Key+}");
    REQUIRE(segs.size() == 2);
    CHECK(segs[0].label);
    CHECK_FALSE(segs[0].greedy);
    CHECK(segs[1].text == "Key");
    CHECK(segs[1].label);
    CHECK(segs[1].greedy);

    CHECK(parse_uri_path("/").empty());
    CHECK(parse_uri_path("").empty());
}

TEST_CASE("rest_routes carry method, segments and query literals") {
    auto& s3 = model("s3");
    auto& routes = s3.rest_routes();
    CHECK(routes.size() == s3.operations().size());
    auto find = [&](std::string_view op) -> const rest_route& {
        auto it = std::find_if(routes.begin(), routes.end(), [&](auto& r) { return r.operation == op; });
        REQUIRE(it != routes.end());
        return *it;
    };
    auto& v2 = find("ListObjectsV2");
    CHECK(v2.method == "GET");
    REQUIRE(v2.segments.size() == 1);
    CHECK(v2.segments[0].label);
    REQUIRE(v2.query_literals.size() == 1);
    CHECK(v2.query_literals[0] == std::pair<std::string, std::string>{"list-type", "2"});

    auto& uploads = find("CreateMultipartUpload");
    CHECK(uploads.method == "POST");
    REQUIRE(uploads.segments.size() == 2);
    CHECK(uploads.segments[1].greedy);
    REQUIRE(uploads.query_literals.size() == 1);
    CHECK(uploads.query_literals[0] == std::pair<std::string, std::string>{"uploads", ""});

    auto& lambda_routes = model("lambda").rest_routes();
    auto it = std::find_if(lambda_routes.begin(), lambda_routes.end(),
                           [](auto& r) { return r.operation == "ListProvisionedConcurrencyConfigs"; });
    REQUIRE(it != lambda_routes.end());
    REQUIRE(it->query_literals.size() == 1);
    CHECK(it->query_literals[0] == std::pair<std::string, std::string>{"List", "ALL"});
}
