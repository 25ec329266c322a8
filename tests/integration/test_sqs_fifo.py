"""FIFO queues through real clients: order per message group, groups blocked
while a message is in flight, five-minute deduplication, sequence numbers, the
parameters FIFO queues require or refuse, and concurrent consumers.

ctest runs this module under both boto3 generations (SQS over JSON and over
query); expectations follow the SQS developer guide's FIFO chapter.
"""
import collections
import threading
import time
import unittest

from sqs_support import SqsCase, in_thread, start_module_eddy, stop_module_eddy

FIFO_ATTRIBUTES = ["MessageGroupId", "MessageDeduplicationId", "SequenceNumber"]


def setUpModule():
    start_module_eddy()


def tearDownModule():
    stop_module_eddy()


class Fifo(SqsCase):
    def send(self, url, body, group, dedup=None, **kwargs):
        if dedup is not None:
            kwargs["MessageDeduplicationId"] = dedup
        return self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, **kwargs)

    def assert_increasing(self, numbers, what):
        for before, after in zip(numbers, numbers[1:]):
            self.assertLess(before, after, f"{what}: {before} then {after}")

    def drain(self, url, n, timeout=10):
        """Receives and deletes until n messages came; returns them in the order received."""
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < n and time.monotonic() < deadline:
            batch = self.receive(url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"])
            for m in batch:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            got += batch
        return got

    def test_strict_order_per_group(self):
        url = self.queue("order", fifo=True)
        sent = {}
        for i in range(6):
            for g in ("red", "green", "blue"):
                r = self.send(url, f"{g}-{i}", g, dedup=f"{g}-{i}")
                sent[f"{g}-{i}"] = r
        numbers = [int(sent[f"{g}-{i}"]["SequenceNumber"]) for i in range(6) for g in ("red", "green", "blue")]
        self.assert_increasing(numbers, "SequenceNumber of successive sends")

        got = self.drain(url, 18)
        by_group = collections.defaultdict(list)
        for m in got:
            by_group[m["Attributes"]["MessageGroupId"]].append(m["Body"])
            self.assertEqual(m["Attributes"]["SequenceNumber"], sent[m["Body"]]["SequenceNumber"])
            self.assertEqual(m["Attributes"]["MessageDeduplicationId"], m["Body"])
            self.assertEqual(m["MessageId"], sent[m["Body"]]["MessageId"])
        for g in ("red", "green", "blue"):
            self.assertEqual(by_group[g], [f"{g}-{i}" for i in range(6)], g)
        self.assertEqual(len(got), 18)

    def test_group_blocked_while_a_message_is_in_flight(self):
        url = self.queue("block", fifo=True)
        for body, group in [("a1", "A"), ("a2", "A"), ("b1", "B"), ("b2", "B"), ("c1", "C")]:
            self.send(url, body, group, dedup=body)
        [a1] = self.receive(url, MaxNumberOfMessages=1, VisibilityTimeout=1)
        self.assertEqual(a1["Body"], "a1")
        # A is blocked by a1; the other groups still flow, each in order.
        others = [m["Body"] for m in self.receive_n(url, 3, timeout=3, VisibilityTimeout=30)]
        self.assertEqual(sorted(others), ["b1", "b2", "c1"], "nothing of A while a1 is in flight")
        self.assertEqual([b for b in others if b.startswith("b")], ["b1", "b2"])
        self.assert_empty(url, MaxNumberOfMessages=10)
        # a1's visibility runs out: a1 comes again, before a2.
        time.sleep(1.3)
        [again] = self.receive(url, MaxNumberOfMessages=1, VisibilityTimeout=30)
        self.assertEqual(again["Body"], "a1")
        self.assertEqual(again["MessageId"], a1["MessageId"])
        self.assert_empty(url)
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
        [a2] = self.receive(url, MaxNumberOfMessages=10)
        self.assertEqual(a2["Body"], "a2")

    def test_deduplication_id(self):
        url = self.queue("dedup", fifo=True)
        first = self.send(url, "one", "g", dedup="same-id")
        again = self.send(url, "two", "g", dedup="same-id")  # accepted, not delivered
        self.assertTrue(again["MessageId"])
        got = self.drain(url, 1)
        self.assertEqual([m["Body"] for m in got], ["one"])
        self.assertEqual(got[0]["MessageId"], first["MessageId"])
        # Still a duplicate after the first was deleted: the window is five minutes from the send.
        self.send(url, "three", "g", dedup="same-id")
        self.send(url, "four", "g", dedup="other-id")
        self.assertEqual([m["Body"] for m in self.drain(url, 2, timeout=3)], ["four"])

    def test_content_based_deduplication(self):
        url = self.queue("content", fifo=True, ContentBasedDeduplication="true")
        self.send(url, "same body", "g")
        self.send(url, "same body", "g", MessageAttributes={"x": {"DataType": "String", "StringValue": "ignored"}})
        self.send(url, "other body", "g")
        # An explicit id wins over the content hash.
        self.send(url, "same body", "g", dedup="explicit")
        got = self.drain(url, 4, timeout=3)
        self.assertEqual([m["Body"] for m in got], ["same body", "other body", "same body"])
        for m in got:
            self.assertTrue(m["Attributes"]["MessageDeduplicationId"])
        self.assertEqual(got[2]["Attributes"]["MessageDeduplicationId"], "explicit")

    def test_fifo_system_attributes(self):
        url = self.queue("attrs", fifo=True)
        sent = self.send(url, "x", "group-1", dedup="dedup-1")
        self.assertTrue(sent["SequenceNumber"].isdigit(), sent)
        [m] = self.receive(url, AttributeNames=FIFO_ATTRIBUTES + ["ApproximateReceiveCount"])
        self.assertEqual(
            m["Attributes"],
            {
                "MessageGroupId": "group-1",
                "MessageDeduplicationId": "dedup-1",
                "SequenceNumber": sent["SequenceNumber"],
                "ApproximateReceiveCount": "1",
            },
        )

    def test_batch_keeps_order(self):
        url = self.queue("batch", fifo=True)
        entries = [
            {"Id": f"e{i}", "MessageBody": f"m{i}", "MessageGroupId": "g", "MessageDeduplicationId": f"d{i}"}
            for i in range(10)
        ]
        out = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(out.get("Failed", []), [])
        numbers = {e["Id"]: int(e["SequenceNumber"]) for e in out["Successful"]}
        self.assert_increasing([numbers[f"e{i}"] for i in range(10)], "SequenceNumber of successive entries")
        self.assertEqual([m["Body"] for m in self.drain(url, 10)], [f"m{i}" for i in range(10)])

    def test_missing_message_group_id(self):
        url = self.queue("nogroup", fifo=True, ContentBasedDeduplication="true")
        self.expect_error("MissingParameter", self.sqs.send_message, QueueUrl=url, MessageBody="x")

    def test_no_deduplication_id_without_content_based_deduplication(self):
        url = self.queue("nodedup", fifo=True)
        self.expect_error("InvalidParameterValue", self.send, url, "x", "g")
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_per_message_delay_is_refused(self):
        url = self.queue("delay", fifo=True, ContentBasedDeduplication="true")
        self.expect_error("InvalidParameterValue", self.send, url, "x", "g", DelaySeconds=1)
        # A queue-wide delay is allowed on FIFO queues.
        delayed = self.queue("qdelay", fifo=True, ContentBasedDeduplication="true", DelaySeconds=1)
        self.send(delayed, "x", "g")
        self.assertEqual(self.counts(delayed), (0, 0, 1))
        time.sleep(1.3)
        self.assertEqual([m["Body"] for m in self.receive(delayed)], ["x"])

    def test_concurrent_consumers_keep_group_order(self):
        url = self.queue("busy", fifo=True)
        groups, per_group = 5, 20
        for i in range(per_group):
            entries = [
                {"Id": f"g{g}", "MessageBody": f"{g}:{i}", "MessageGroupId": f"g{g}",
                 "MessageDeduplicationId": f"{g}-{i}"}
                for g in range(groups)
            ]
            self.assertEqual(self.sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed", []), [])

        total = groups * per_group
        processed = []  # (group, index) in processing order
        lock = threading.Lock()
        deadline = time.monotonic() + 40

        def consume():
            sqs = self.new_client()
            while time.monotonic() < deadline:
                with lock:
                    if len(processed) >= total:
                        return
                batch = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=30
                ).get("Messages", [])
                for m in batch:
                    g, i = m["Body"].split(":")
                    with lock:
                        processed.append((int(g), int(i)))
                    # Deleting after recording: the group's next message cannot be handed out before this.
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

        threads = [in_thread(consume) for _ in range(4)]
        for t in threads:
            t.join(60)
            self.assertIsNone(t.error, t.error)
        self.assertEqual(len(processed), total, "every message once")
        self.assertEqual(len(set(processed)), total, "none twice")
        for g in range(groups):
            self.assertEqual([i for gg, i in processed if gg == g], list(range(per_group)), f"group {g} in order")
        self.assertEqual(self.counts(url), (0, 0, 0))


if __name__ == "__main__":
    unittest.main()
