"""SQS messages through real clients: send, receive, delete, visibility, delays,
attributes and their MD5s, limits, batches, purge and permissions.

ctest runs this module under `python3` (boto3 1.43, SQS over JSON, AWS CLI v1)
and `/usr/bin/python3` (boto3 1.26, SQS over query/XML, AWS CLI v2). Expectations
are AWS's documented behaviour (SQS API reference and developer guide).
"""
import base64
import json
import os
import subprocess
import sys
import time
import unittest

from harness import cli_env, client
from sqs_support import (
    SqsCase,
    md5_hex,
    md5_of_attributes,
    start_module_eddy,
    stop_module_eddy,
)

MIB = 1024 * 1024

# One attribute of every base type, and custom types on each (the part after the dot is the caller's).
ATTRIBUTES = {
    "text": {"DataType": "String", "StringValue": "héllo wörld ✓"},
    "count": {"DataType": "Number", "StringValue": "-12.5e3"},
    "blob": {"DataType": "Binary", "BinaryValue": bytes(range(256))},
    "qty": {"DataType": "Number.int", "StringValue": "42"},
    "label": {"DataType": "String.custom", "StringValue": "tagged"},
    "image": {"DataType": "Binary.gif", "BinaryValue": b"GIF89a\x00\x01"},
}


def setUpModule():
    start_module_eddy()


def tearDownModule():
    stop_module_eddy()


class SendReceiveDelete(SqsCase):
    def test_round_trip_with_every_attribute_type(self):
        url = self.queue()
        body = "order 17 ✓ — ünïcödé 😀"
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=ATTRIBUTES)
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex(body))
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(ATTRIBUTES))
        self.assertNotIn("SequenceNumber", sent)

        [m] = self.receive(url, MessageAttributeNames=["All"])
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MD5OfBody"], md5_hex(body))
        self.assertEqual(m["MessageAttributes"], ATTRIBUTES)
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(ATTRIBUTES))
        self.assertTrue(m["ReceiptHandle"])

        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.assert_empty(url)

    def test_message_without_attributes_has_no_attribute_digest(self):
        url = self.queue()
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="plain")
        self.assertNotIn("MD5OfMessageAttributes", sent)
        [m] = self.receive(url, MessageAttributeNames=["All"])
        self.assertNotIn("MessageAttributes", m)
        self.assertNotIn("MD5OfMessageAttributes", m)

    def test_trace_header_is_a_system_attribute(self):
        url = self.queue()
        trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        system = {"AWSTraceHeader": {"DataType": "String", "StringValue": trace}}
        sent = self.sqs.send_message(
            QueueUrl=url,
            MessageBody="traced",
            MessageSystemAttributes=system,
            MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
        )
        self.assertEqual(sent["MD5OfMessageSystemAttributes"], md5_of_attributes(system))
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes({"k": {"DataType": "String", "StringValue": "v"}}))
        [m] = self.receive(url, AttributeNames=["AWSTraceHeader"], MessageAttributeNames=["All"])
        self.assertEqual(m["Attributes"], {"AWSTraceHeader": trace})
        self.assertEqual(set(m["MessageAttributes"]), {"k"}, "the trace header is not a message attribute")

    def test_system_attributes_on_receive(self):
        url = self.queue()
        user_id = client("sts", self.eddy.endpoint).get_caller_identity()["UserId"]
        before = int(time.time() * 1000)
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        after = int(time.time() * 1000)
        names = ["SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"]

        [first] = self.receive(url, AttributeNames=names, VisibilityTimeout=0)
        attrs = first["Attributes"]
        self.assertEqual(set(attrs), set(names))
        self.assertEqual(attrs["SenderId"], user_id)
        sent_ms = int(attrs["SentTimestamp"])  # epoch milliseconds
        self.assertTrue(before - 1000 <= sent_ms <= after + 1000, (before, sent_ms, after))
        self.assertEqual(attrs["ApproximateReceiveCount"], "1")
        first_receive_ms = int(attrs["ApproximateFirstReceiveTimestamp"])
        self.assertTrue(sent_ms <= first_receive_ms <= int(time.time() * 1000) + 1000)

        time.sleep(0.05)
        [second] = self.receive(url, AttributeNames=["All"])
        attrs = second["Attributes"]
        self.assertEqual(attrs["ApproximateReceiveCount"], "2")
        self.assertEqual(int(attrs["ApproximateFirstReceiveTimestamp"]), first_receive_ms, "the first receive stays")
        self.assertEqual(int(attrs["SentTimestamp"]), sent_ms)
        self.assertEqual(attrs["SenderId"], user_id)
        for fifo_only in ("MessageGroupId", "MessageDeduplicationId", "SequenceNumber"):
            self.assertNotIn(fifo_only, attrs, "a standard queue's messages have no FIFO attributes")

    def test_no_attribute_names_means_no_attributes(self):
        url = self.queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ATTRIBUTES)
        [m] = self.receive(url)
        self.assertNotIn("Attributes", m)
        self.assertNotIn("MessageAttributes", m)
        self.assertNotIn("MD5OfMessageAttributes", m)

    def test_message_system_attribute_names(self):
        self.require_member("ReceiveMessage", "MessageSystemAttributeNames")
        url = self.queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        [m] = self.receive(url, MessageSystemAttributeNames=["SentTimestamp"], VisibilityTimeout=0)
        self.assertEqual(set(m["Attributes"]), {"SentTimestamp"})
        [m] = self.receive(url, MessageSystemAttributeNames=["All"], VisibilityTimeout=0)
        self.assertLessEqual(
            {"SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"},
            set(m["Attributes"]),
        )

    def test_message_attribute_names_select_by_name_prefix_and_all(self):
        url = self.queue()
        attrs = {
            "order.id": {"DataType": "String", "StringValue": "17"},
            "order.total": {"DataType": "Number", "StringValue": "99.5"},
            "orderly": {"DataType": "String", "StringValue": "no dot"},
            "customer": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        }
        self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attrs)
        cases = [
            (["All"], set(attrs)),
            ([".*"], set(attrs)),
            (["customer"], {"customer"}),
            (["order.*"], {"order.id", "order.total"}),
            (["customer", "order.id", "missing"], {"customer", "order.id"}),
        ]
        for names, expected in cases:
            with self.subTest(names=names):
                [m] = self.receive(url, MessageAttributeNames=names, VisibilityTimeout=0)
                got = m.get("MessageAttributes", {})
                self.assertEqual(set(got), expected)
                self.assertEqual(got, {k: attrs[k] for k in expected})
                # The digest covers what was returned, so a client can check it.
                self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(got))
        [m] = self.receive(url, MessageAttributeNames=["nothing.*"], VisibilityTimeout=0)
        self.assertNotIn("MessageAttributes", m)

    def test_receive_takes_up_to_max_number_of_messages(self):
        url = self.queue()
        for i in range(15):
            self.sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
        first = self.receive(url, MaxNumberOfMessages=10)
        self.assertTrue(1 <= len(first) <= 10, len(first))
        got = first + self.receive_n(url, 15 - len(first))
        self.assertEqual(sorted(m["Body"] for m in got), sorted(f"m{i}" for i in range(15)))
        self.assertEqual(len({m["MessageId"] for m in got}), 15, "no message twice while in flight")
        self.assert_empty(url, MaxNumberOfMessages=10)

    def test_send_message_batch(self):
        url = self.queue()
        entries = [
            {"Id": "a", "MessageBody": "first", "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "1"}}},
            {"Id": "b-2", "MessageBody": "second"},
            {"Id": "C_3", "MessageBody": "third", "DelaySeconds": 1,
             "MessageAttributes": {"bin": {"DataType": "Binary", "BinaryValue": b"\xff"}}},
        ]
        out = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(out.get("Failed", []), [])
        by_id = {e["Id"]: e for e in out["Successful"]}
        self.assertEqual(set(by_id), {"a", "b-2", "C_3"})
        for e in entries:
            ok = by_id[e["Id"]]
            self.assertEqual(ok["MD5OfMessageBody"], md5_hex(e["MessageBody"]))
            if "MessageAttributes" in e:
                self.assertEqual(ok["MD5OfMessageAttributes"], md5_of_attributes(e["MessageAttributes"]))
            else:
                self.assertNotIn("MD5OfMessageAttributes", ok)
        self.assertEqual(len({ok["MessageId"] for ok in by_id.values()}), 3)
        self.assertEqual(self.counts(url), (2, 0, 1))
        got = self.receive_n(url, 3, MessageAttributeNames=["All"])
        self.assertEqual(sorted(m["Body"] for m in got), ["first", "second", "third"])
        for m in got:
            self.assertIn(m["MessageId"], {ok["MessageId"] for ok in by_id.values()})

    def test_send_message_batch_reports_each_entry(self):
        url = self.queue(MaximumMessageSize=1024)
        out = self.sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": "small", "MessageBody": "fits"},
                {"Id": "big", "MessageBody": "x" * 1025},
            ],
        )
        self.assertEqual([e["Id"] for e in out["Successful"]], ["small"])
        [failed] = out["Failed"]
        self.assertEqual(failed["Id"], "big")
        self.assert_failed_entry(failed, "InvalidParameterValue")
        self.assertEqual([m["Body"] for m in self.receive_n(url, 1)], ["fits"])

    def test_delete_message_batch(self):
        url = self.queue()
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
        got = self.receive_n(url, 3)
        entries = [{"Id": f"e{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
        entries.append({"Id": "bad", "ReceiptHandle": "not-a-receipt-handle"})
        out = self.sqs.delete_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(sorted(e["Id"] for e in out["Successful"]), ["e0", "e1", "e2"])
        [failed] = out["Failed"]
        self.assertEqual(failed["Id"], "bad")
        self.assert_failed_entry(failed, "ReceiptHandleIsInvalid")
        self.assertEqual(self.counts(url), (0, 0, 0))


class Visibility(SqsCase):
    def test_queue_visibility_timeout(self):
        url = self.queue(VisibilityTimeout=1)
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="x")
        [first] = self.receive(url, AttributeNames=["ApproximateReceiveCount"])
        self.assert_empty(url)
        self.assertEqual(self.counts(url), (0, 1, 0))
        time.sleep(1.3)
        self.assertEqual(self.counts(url), (1, 0, 0))
        [second] = self.receive(url, AttributeNames=["ApproximateReceiveCount"])
        self.assertEqual(second["MessageId"], sent["MessageId"])
        self.assertNotEqual(second["ReceiptHandle"], first["ReceiptHandle"], "a new receipt handle per receive")
        self.assertEqual(second["Attributes"]["ApproximateReceiveCount"], "2")

    def test_receive_visibility_timeout_overrides_the_queue(self):
        url = self.queue(VisibilityTimeout=30)
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        [first] = self.receive(url, VisibilityTimeout=1)
        self.assert_empty(url)
        time.sleep(1.3)
        [again] = self.receive(url)
        self.assertEqual(again["MessageId"], first["MessageId"])
        # and this receive used the queue's 30 s
        time.sleep(1.3)
        self.assert_empty(url)

    def test_change_message_visibility(self):
        url = self.queue(VisibilityTimeout=30)
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        [m] = self.receive(url)
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        [m] = self.receive(url, VisibilityTimeout=1)
        # Extending a message in flight: counted from now, so still hidden after the original second.
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=2)
        time.sleep(1.3)
        self.assert_empty(url)
        time.sleep(1.0)
        self.assertEqual(len(self.receive(url)), 1)

    def test_change_message_visibility_batch(self):
        url = self.queue(VisibilityTimeout=30)
        for i in range(2):
            self.sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
        got = self.receive_n(url, 2)
        out = self.sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": "zero", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 0},
                {"Id": "long", "ReceiptHandle": got[1]["ReceiptHandle"], "VisibilityTimeout": 60},
                {"Id": "bad", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
            ],
        )
        self.assertEqual(sorted(e["Id"] for e in out["Successful"]), ["long", "zero"])
        [failed] = out["Failed"]
        self.assertEqual(failed["Id"], "bad")
        self.assert_failed_entry(failed, "ReceiptHandleIsInvalid")
        self.assertEqual(self.counts(url), (1, 1, 0))
        [m] = self.receive(url)
        self.assertEqual(m["MessageId"], got[0]["MessageId"])

    def test_old_receipt_handle_still_deletes(self):
        url = self.queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        [first] = self.receive(url, VisibilityTimeout=0)
        [second] = self.receive(url, VisibilityTimeout=30)
        self.assertNotEqual(first["ReceiptHandle"], second["ReceiptHandle"])
        # AWS: an older handle is accepted; on standard queues the message goes.
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_malformed_receipt_handle(self):
        url = self.queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        [m] = self.receive(url, VisibilityTimeout=30)
        # a received handle cut short or with a letter added: no longer a handle
        decoded = base64.b64decode(m["ReceiptHandle"]).decode()
        cut = base64.b64encode(decoded[: decoded.rfind(" ") + 1].encode()).decode()
        added = base64.b64encode((decoded + "x").encode()).decode()
        for handle in ["not-a-receipt-handle", "AQEB" + "x" * 40, cut, added]:
            with self.subTest(handle=handle):
                self.expect_error("ReceiptHandleIsInvalid", self.sqs.delete_message, QueueUrl=url, ReceiptHandle=handle)
                self.expect_error(
                    "ReceiptHandleIsInvalid",
                    self.sqs.change_message_visibility,
                    QueueUrl=url,
                    ReceiptHandle=handle,
                    VisibilityTimeout=5,
                )

    def test_change_visibility_of_message_not_in_flight(self):
        url = self.queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        [m] = self.receive(url, VisibilityTimeout=1)
        time.sleep(1.3)  # its visibility timeout has run out: no longer in flight
        self.expect_error(
            "MessageNotInflight",
            self.sqs.change_message_visibility,
            QueueUrl=url,
            ReceiptHandle=m["ReceiptHandle"],
            VisibilityTimeout=10,
        )

    def test_visibility_timeout_range(self):
        url = self.queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        [m] = self.receive(url)
        self.expect_error(
            "InvalidParameterValue",
            self.sqs.change_message_visibility,
            QueueUrl=url,
            ReceiptHandle=m["ReceiptHandle"],
            VisibilityTimeout=43201,
        )


class Delays(SqsCase):
    def test_queue_delay_seconds(self):
        url = self.queue(DelaySeconds=1)
        self.sqs.send_message(QueueUrl=url, MessageBody="late")
        # A message's own DelaySeconds replaces the queue's, 0 included.
        self.sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)
        self.assertEqual(self.counts(url), (1, 0, 1))
        self.assertEqual([m["Body"] for m in self.receive(url, MaxNumberOfMessages=10)], ["now"])
        time.sleep(1.3)
        self.assertEqual([m["Body"] for m in self.receive(url, MaxNumberOfMessages=10)], ["late"])

    def test_message_delay_seconds(self):
        url = self.queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=2)
        self.assertEqual(self.counts(url), (0, 0, 1))
        self.assert_empty(url)
        time.sleep(1.0)
        self.assert_empty(url)
        time.sleep(1.3)
        self.assertEqual(self.counts(url), (1, 0, 0))
        self.assertEqual([m["Body"] for m in self.receive(url)], ["delayed"])

    def test_delay_seconds_range(self):
        url = self.queue()
        self.expect_error("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody="x", DelaySeconds=901)
        self.sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=900)

    def test_approximate_counts(self):
        url = self.queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="visible")
        self.sqs.send_message(QueueUrl=url, MessageBody="in flight")
        self.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=60)
        self.assertEqual(self.counts(url), (2, 0, 1))
        [m] = self.receive(url)
        self.assertEqual(self.counts(url), (1, 1, 1))
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.counts(url), (1, 0, 1))

    def test_message_retention_period_minimum(self):
        # Expiry itself needs a wait of at least 60 s, too long for this suite; the range is checked.
        url = self.queue(MessageRetentionPeriod=60)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MessageRetentionPeriod"])["Attributes"]
        self.assertEqual(attrs["MessageRetentionPeriod"], "60")
        self.expect_error(
            "InvalidAttributeValue",
            self.sqs.set_queue_attributes,
            QueueUrl=url,
            Attributes={"MessageRetentionPeriod": "59"},
        )
        self.expect_error(
            "InvalidAttributeValue",
            self.sqs.set_queue_attributes,
            QueueUrl=url,
            Attributes={"MessageRetentionPeriod": "1209601"},
        )


class Limits(SqsCase):
    def test_maximum_message_size_counts_body_and_attributes(self):
        url = self.queue(MaximumMessageSize=1024)
        body = "b" * 1000
        small = {"k": {"DataType": "String", "StringValue": "v" * 10}}  # 1000 + 1 + 6 + 10 = 1017
        self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=small)
        big = {"k": {"DataType": "String", "StringValue": "v" * 100}}  # 1000 + 1 + 6 + 100 = 1107
        self.expect_error("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody=body, MessageAttributes=big)
        self.expect_error("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody="x" * 1025)
        self.sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)
        self.assertEqual(self.counts(url), (2, 0, 0))

    def test_default_maximum_is_one_mebibyte(self):
        url = self.queue()
        body = "a" * MIB
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex(body))
        self.expect_error("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody=body + "a")
        [m] = self.receive(url)
        self.assertEqual(len(m["Body"]), MIB)
        self.assertEqual(m["MD5OfBody"], md5_hex(body))

    def test_batch_entry_rules(self):
        url = self.queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        [m] = self.receive(url)
        handle = m["ReceiptHandle"]

        def send(entries):
            return self.sqs.send_message_batch(QueueUrl=url, Entries=entries)

        def delete(entries):
            return self.sqs.delete_message_batch(QueueUrl=url, Entries=entries)

        def change(entries):
            return self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=entries)

        makers = {
            send: lambda i: {"Id": i, "MessageBody": "x"},
            delete: lambda i: {"Id": i, "ReceiptHandle": handle},
            change: lambda i: {"Id": i, "ReceiptHandle": handle, "VisibilityTimeout": 5},
        }
        for call, make in makers.items():
            with self.subTest(op=call.__name__):
                self.expect_error("TooManyEntriesInBatchRequest", call, [make(f"e{i}") for i in range(11)])
                self.expect_error("EmptyBatchRequest", call, [])
                self.expect_error("BatchEntryIdsNotDistinct", call, [make("same"), make("same")])
                self.expect_error("InvalidBatchEntryId", call, [make("bad id!")])
                self.expect_error("InvalidBatchEntryId", call, [make("x" * 81)])
        self.assertEqual(self.counts(url), (0, 1, 0), "no rejected batch sent anything")

    def test_batch_request_too_long(self):
        url = self.queue()
        entries = [{"Id": f"e{i}", "MessageBody": "z" * (MIB // 2 + 1)} for i in range(2)]
        self.expect_error("BatchRequestTooLong", self.sqs.send_message_batch, QueueUrl=url, Entries=entries)
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_receive_parameter_ranges(self):
        url = self.queue()
        for kwargs in [
            {"WaitTimeSeconds": 21},
            {"VisibilityTimeout": 43201},
            {"MaxNumberOfMessages": 11},
            {"MaxNumberOfMessages": 0},
        ]:
            with self.subTest(**kwargs):
                self.expect_error("InvalidParameterValue", self.sqs.receive_message, QueueUrl=url, **kwargs)

    def test_invalid_characters_in_body(self):
        url = self.queue()
        for body in ["nul \u0000 inside", "not a character \ufffe", "\ufffftail", "bell \u0007"]:
            with self.subTest(body=ascii(body)):
                self.expect_error("InvalidMessageContents", self.sqs.send_message, QueueUrl=url, MessageBody=body)
        # The edges of the allowed ranges are fine.
        edges = "\t\n\r \ud7ff\ue000\ufffd\U00010000\U0010ffff"
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=edges)
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex(edges))
        [m] = self.receive(url)
        self.assertEqual(m["Body"], edges)
        self.assertEqual(self.counts(url), (0, 1, 0))


class PurgeAndPermissions(SqsCase):
    def test_purge_queue(self):
        url = self.queue()
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
        self.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=30)
        self.receive(url)  # one in flight: purged too
        self.sqs.purge_queue(QueueUrl=url)
        # AWS takes up to 60 s; the counts may only go down.
        deadline = time.monotonic() + 5
        while self.counts(url) != (0, 0, 0) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.assert_empty(url)
        # The queue still works after a purge.
        self.sqs.send_message(QueueUrl=url, MessageBody="after")
        # A second purge within 60 seconds is refused (the API reference once said 403, now 400).
        self.expect_error("PurgeQueueInProgress", self.sqs.purge_queue, QueueUrl=url, status=(400, 403))

    def test_add_and_remove_permission(self):
        url = self.queue()
        arn = self.arn(url)
        self.sqs.add_permission(
            QueueUrl=url,
            Label="allow-send",
            AWSAccountIds=["111122223333"],
            Actions=["SendMessage", "ReceiveMessage"],
        )
        self.sqs.add_permission(QueueUrl=url, Label="allow-delete", AWSAccountIds=["444455556666"], Actions=["DeleteMessage"])
        policy = json.loads(
            self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
        )
        statements = policy["Statement"]
        if isinstance(statements, dict):
            statements = [statements]
        by_sid = {s["Sid"]: s for s in statements}
        self.assertEqual(set(by_sid), {"allow-send", "allow-delete"})
        send = by_sid["allow-send"]
        self.assertEqual(send["Effect"], "Allow")
        self.assertEqual(send["Resource"], arn)
        principals = send["Principal"]["AWS"]
        principals = [principals] if isinstance(principals, str) else principals
        self.assertEqual(principals, ["arn:aws:iam::111122223333:root"])
        actions = send["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        self.assertEqual(sorted(a.lower() for a in actions), ["sqs:receivemessage", "sqs:sendmessage"])

        self.expect_error(
            "InvalidParameterValue",
            self.sqs.add_permission,
            QueueUrl=url,
            Label="allow-send",
            AWSAccountIds=["111122223333"],
            Actions=["SendMessage"],
        )

        self.sqs.remove_permission(QueueUrl=url, Label="allow-send")
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {})
        remaining = json.loads(attrs["Policy"])["Statement"]
        remaining = [remaining] if isinstance(remaining, dict) else remaining
        self.assertEqual([s["Sid"] for s in remaining], ["allow-delete"])

        self.sqs.remove_permission(QueueUrl=url, Label="allow-delete")
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {})
        if "Policy" in attrs:
            self.assertEqual(json.loads(attrs["Policy"]).get("Statement", []), [])

        self.expect_error("InvalidParameterValue", self.sqs.remove_permission, QueueUrl=url, Label="allow-send")


def _default_cli():
    query = os.path.realpath(sys.executable).startswith("/usr/bin/")
    return "/usr/bin/aws" if query else "aws"


class Cli(SqsCase):
    """Send, receive and delete through this run's AWS CLI (v1 on JSON, v2 on query)."""

    def cli(self, *args):
        env = cli_env(self.eddy.endpoint)
        env.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                    "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1"})
        aws = os.environ.get("EDDY_AWS_CLI") or _default_cli()
        cmd = [aws, "--endpoint-url", self.eddy.endpoint, "--output", "json", *args]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        return r

    def ok(self, *args):
        r = self.cli(*args)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return json.loads(r.stdout) if r.stdout.strip() else {}

    def test_send_receive_delete(self):
        url = self.queue("cli")
        attrs = {
            "kind": {"DataType": "String", "StringValue": "order"},
            "qty": {"DataType": "Number.int", "StringValue": "3"},
        }
        sent = self.ok("sqs", "send-message", "--queue-url", url, "--message-body", "from the cli ✓",
                       "--message-attributes", json.dumps(attrs))
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex("from the cli ✓"))
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(attrs))

        got = self.ok("sqs", "receive-message", "--queue-url", url, "--attribute-names", "All",
                      "--message-attribute-names", "All")
        [m] = got["Messages"]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], "from the cli ✓")
        self.assertEqual(m["MessageAttributes"], attrs)
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")

        self.ok("sqs", "delete-message", "--queue-url", url, "--receipt-handle", m["ReceiptHandle"])
        self.assertEqual(self.counts(url), (0, 0, 0))

        r = self.cli("sqs", "delete-message", "--queue-url", url, "--receipt-handle", "garbage")
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, r"\((AWS\.SimpleQueueService\.)?ReceiptHandleIsInvalid\)")


if __name__ == "__main__":
    unittest.main()
