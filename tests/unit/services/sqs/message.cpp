#include "services/sqs/message.hpp"

#include <doctest/doctest.h>

using eddy::sqs::message;
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

TEST_CASE("a message's rare system attributes live apart: none for a plain message, a copy of their own for a copy") {
    message plain;
    plain.body = "hello";
    CHECK(plain.extras.get() == nullptr);
    CHECK(plain.group_id().empty());
    CHECK(plain.dead_letter_source_arn().empty());

    message fifo;
    fifo.extras.write().group_id = "g1";
    fifo.extras.write().sequence_number = "00000000000000000001";
    message moved = fifo;  // as a move to a dead-letter queue copies it
    moved.extras.write().dead_letter_source_arn = "arn:aws:sqs:us-east-1:000000000000:source.fifo";
    CHECK(moved.group_id() == "g1");
    CHECK(moved.sequence_number() == "00000000000000000001");
    CHECK(fifo.dead_letter_source_arn().empty());  // the original keeps its own
    CHECK(fifo.extras.get() != moved.extras.get());

    message assigned;
    assigned = moved;
    CHECK(assigned.dead_letter_source_arn() == moved.dead_letter_source_arn());
    assigned = plain;
    CHECK(assigned.extras.get() == nullptr);
    message taken = std::move(moved);
    CHECK(taken.group_id() == "g1");
}
