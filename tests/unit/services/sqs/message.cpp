#include "services/sqs/message.hpp"

#include <doctest/doctest.h>

using eddy::sqs::valid_body_characters;

TEST_CASE("a message body may hold tab, line breaks and the characters from space on, but no others") {
    CHECK(valid_body_characters(""));
    CHECK(valid_body_characters("plain ASCII ~\x7f\t\r\n"));
    CHECK(valid_body_characters("ascii first, then caf\xc3\xa9 \xed\x9f\xbf \xee\x80\x80 \xf4\x8f\xbf\xbf"));
    CHECK_FALSE(valid_body_characters(std::string_view("nul \0 inside", 12)));
    CHECK_FALSE(valid_body_characters("bell \x07"));
    CHECK_FALSE(valid_body_characters("\x07 bell first"));
    CHECK_FALSE(valid_body_characters("ascii then \xef\xbf\xbe"));  // U+FFFE
    CHECK_FALSE(valid_body_characters("ascii then \xc3"));          // cut short
    CHECK_FALSE(valid_body_characters("ascii then \xed\xa0\x80"));  // a surrogate
    CHECK_FALSE(valid_body_characters("\xc3\xa9 then bell \x07"));
}

TEST_CASE("a long body's characters are checked at every offset, whole words of ASCII included") {
    std::string ascii(64, 'a');
    CHECK(valid_body_characters(ascii));
    for (std::size_t at = 0; at < ascii.size(); ++at) {
        auto body = ascii;
        body[at] = '\x01';
        CHECK_FALSE(valid_body_characters(body));
        body[at] = '\t';
        CHECK(valid_body_characters(body));
        body[at] = '\x7f';
        CHECK(valid_body_characters(body));
        body[at] = '\x80';  // a continuation byte on its own
        CHECK_FALSE(valid_body_characters(body));
    }
    CHECK(valid_body_characters(ascii + "caf\xc3\xa9" + ascii));
    CHECK_FALSE(valid_body_characters(ascii + "\xef\xbf\xbf"));  // U+FFFF
}
