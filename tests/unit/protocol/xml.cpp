#include "protocol/xml.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace eddy::protocol;

namespace {

xml::element parsed(std::string_view doc) {
    xml::element root;
    std::string error;
    INFO(doc);
    REQUIRE_MESSAGE(xml::parse(doc, root, error), error);
    return root;
}

bool rejects(std::string_view doc) {
    xml::element root;
    std::string error;
    bool ok = xml::parse(doc, root, error);
    if (!ok) CHECK_FALSE(error.empty());
    return !ok;
}

std::string nested(int depth) {
    std::string doc;
    for (int i = 0; i < depth; ++i)
        doc += "<e>";
    doc += "x";
    for (int i = 0; i < depth; ++i)
        doc += "</e>";
    return doc;
}

}  // namespace

TEST_CASE("xml parses nested elements, their text and attributes") {
    auto root = parsed(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult>
  <Name>bucket</Name>
  <Contents><Key>a.txt</Key><Size>3</Size></Contents>
  <Contents><Key>b.txt</Key><Size>4</Size></Contents>
  <Empty/>
  <Tag id="7" kind='single'>v</Tag>
</ListBucketResult>)");
    CHECK(root.name == "ListBucketResult");
    REQUIRE(root.child("Name"));
    CHECK(root.child("Name")->text == "bucket");
    auto contents = root.children_named("Contents");
    REQUIRE(contents.size() == 2);
    CHECK(contents[0]->child("Key")->text == "a.txt");
    CHECK(contents[1]->child("Key")->text == "b.txt");
    CHECK(contents[1]->child("Size")->text == "4");
    REQUIRE(root.child("Empty"));
    CHECK(root.child("Empty")->text.empty());
    CHECK(root.child("Empty")->children.empty());
    auto* tag = root.child("Tag");
    REQUIRE(tag);
    CHECK(tag->text == "v");
    REQUIRE(tag->attributes.size() == 2);
    CHECK(tag->attributes[0] == std::pair<std::string, std::string>{"id", "7"});
    CHECK(tag->attributes[1] == std::pair<std::string, std::string>{"kind", "single"});
    CHECK(root.child("Missing") == nullptr);
    CHECK(root.children_named("Missing").empty());
}

TEST_CASE("xml decodes entities and character references") {
    auto root =
        parsed("<a t=\"x &amp; y\">&lt;tag&gt; &amp; &quot;q&quot; &apos;s&apos; &#x41;&#66;&#x20AC;&#x1F600;</a>");
    CHECK(root.text == "<tag> & \"q\" 's' AB\xE2\x82\xAC\xF0\x9F\x98\x80");
    REQUIRE(root.attributes.size() == 1);
    CHECK(root.attributes[0].second == "x & y");
}

TEST_CASE("xml keeps CDATA verbatim and skips comments and processing instructions") {
    auto root =
        parsed("<!-- before --><a>one<![CDATA[<not> &amp; a tag]]>two<!-- inside --><?pi data?></a><!-- after -->");
    CHECK(root.text == "one<not> &amp; a tagtwo");
    CHECK(root.children.empty());
}

TEST_CASE("xml strips namespace prefixes from element names") {
    auto root = parsed(R"(<s3:CreateBucketConfiguration xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">
  <s3:LocationConstraint>eu-west-1</s3:LocationConstraint>
</s3:CreateBucketConfiguration>)");
    CHECK(root.name == "CreateBucketConfiguration");
    REQUIRE(root.child("LocationConstraint"));
    CHECK(root.child("LocationConstraint")->text == "eu-west-1");

    auto plain =
        parsed(R"(<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>k</Key></Object></Delete>)");
    CHECK(plain.name == "Delete");
    REQUIRE(plain.child("Object"));
    CHECK(plain.child("Object")->child("Key")->text == "k");
}

TEST_CASE("xml accepts a byte order mark and a doctype") {
    auto root = parsed("\xEF\xBB\xBF<?xml version=\"1.0\"?><!DOCTYPE a><a>b</a>\n");
    CHECK(root.name == "a");
    CHECK(root.text == "b");
}

TEST_CASE("xml nests up to 64 levels") {
    auto root = parsed(nested(64));
    const xml::element* e = &root;
    int depth = 1;
    while (!e->children.empty()) {
        e = &e->children.front();
        ++depth;
    }
    CHECK(depth == 64);
    CHECK(e->text == "x");
}

TEST_CASE("xml rejects malformed documents") {
    CHECK(rejects(""));
    CHECK(rejects("just text"));
    CHECK(rejects("<a>"));             // unclosed
    CHECK(rejects("<a><b></b>"));      // unclosed root
    CHECK(rejects("<a><b></a></b>"));  // mismatched
    CHECK(rejects("<a></A>"));         // names are case-sensitive
    CHECK(rejects("<s3:a></s4:a>"));   // prefixes must match too
    CHECK(rejects("<a></a><b></b>"));  // two roots
    CHECK(rejects("<a></a>trailing"));
    CHECK(rejects("<a>&bogus;</a>"));        // unknown entity
    CHECK(rejects("<a>&amp</a>"));           // unterminated entity
    CHECK(rejects("<a>&#xZZ;</a>"));         // bad character reference
    CHECK(rejects("<a>&#x110000;</a>"));     // beyond Unicode
    CHECK(rejects("<a><![CDATA[open</a>"));  // unterminated CDATA
    CHECK(rejects("<a><!-- open</a>"));      // unterminated comment
    CHECK(rejects("<a b=c></a>"));           // unquoted attribute
    CHECK(rejects("<a b=\"c></a>"));         // unterminated attribute
    CHECK(rejects("<a b></a>"));
    CHECK(rejects("<a"));
    CHECK(rejects("< a></a>"));
}

TEST_CASE("xml refuses documents nested deeper than 64 levels") {
    CHECK(rejects(nested(66)));
    CHECK(rejects(nested(10'000)));  // and does not overflow the stack trying
}

TEST_CASE("xml::escape makes text safe to embed, and parse reads it back") {
    std::string out;
    xml::escape(out, "a<b>&\"c\"'d'\r\n");
    CHECK(out == "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#xD;\n");
    auto root = parsed("<v>" + out + "</v>");
    CHECK(root.text == "a<b>&\"c\"'d'\r\n");
}
