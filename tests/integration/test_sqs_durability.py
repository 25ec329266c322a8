"""SQS messages survive kill -9 with --data-dir: what SendMessage acknowledged is
there after a restart, in-flight messages keep their receive count and stay
hidden until their visibility timeout ends, deleted messages never come back,
and FIFO queues keep their sequence and deduplication.

ctest runs this module under both boto3 generations; each test starts and kills
its own eddy on a fresh data directory.
"""
import shutil
import signal
import tempfile
import time
import unittest
import warnings

from harness import Eddy, client
from sqs_support import SqsCase, check_protocol


def setUpModule():
    check_protocol()
    warnings.simplefilter("ignore", ResourceWarning)


class Restart(SqsCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="eddy-sqs-data-")
        self.eddy = Eddy(data_dir=self.dir).start()
        self.sqs = client("sqs", self.eddy.endpoint)

    def tearDown(self):
        self.eddy.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def kill_and_restart(self):
        self.assertEqual(self.eddy.stop(signal.SIGKILL), -signal.SIGKILL)
        self.eddy = Eddy(data_dir=self.dir).start()
        self.sqs = client("sqs", self.eddy.endpoint)

    def url_of(self, url):
        """The same queue's URL on the restarted eddy (its port changed)."""
        return self.sqs.get_queue_url(QueueName=url.rsplit("/", 1)[1])["QueueUrl"]

    def take(self, url, n, **kwargs):
        got = self.receive_n(url, n, **kwargs)
        self.assertEqual(len(got), n)
        return got

    def test_unacknowledged_in_flight_and_deleted_messages(self):
        url = self.queue("durable")
        attrs = {"n": {"DataType": "Number", "StringValue": "1"}, "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}}
        sent = {}
        for i in range(10):
            r = self.sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", MessageAttributes=attrs)
            sent[r["MessageId"]] = f"m{i}"
        deleted = self.take(url, 3, VisibilityTimeout=300)
        for m in deleted:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        in_flight = self.take(url, 3, VisibilityTimeout=4)
        hidden_until = time.monotonic() + 4
        untouched = set(sent) - {m["MessageId"] for m in deleted + in_flight}
        self.assertEqual(self.counts(url), (4, 3, 0))

        self.kill_and_restart()
        url = self.url_of(url)
        self.assertEqual(self.counts(url), (4, 3, 0), "every unacknowledged message is back, three still hidden")
        fresh = self.take(url, 4, VisibilityTimeout=300, AttributeNames=["ApproximateReceiveCount"],
                          MessageAttributeNames=["All"])
        self.assertEqual({m["MessageId"] for m in fresh}, untouched)
        for m in fresh:
            self.assertEqual(m["Body"], sent[m["MessageId"]])
            self.assertEqual(m["MessageAttributes"], attrs)
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        if time.monotonic() < hidden_until - 0.5:
            self.assert_empty(url, MaxNumberOfMessages=10)
        time.sleep(max(0.0, hidden_until - time.monotonic()) + 0.3)
        again = self.take(url, 3, VisibilityTimeout=300, AttributeNames=["ApproximateReceiveCount"])
        self.assertEqual({m["MessageId"] for m in again}, {m["MessageId"] for m in in_flight})
        for m in again:
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "2", "the receive before the kill counts")
        # Nothing else: the deleted three never come back.
        self.assertEqual(self.counts(url), (0, 7, 0))
        seen = {m["MessageId"] for m in fresh + again}
        self.assertFalse(seen & {m["MessageId"] for m in deleted})

    def test_delayed_message_keeps_its_delay(self):
        url = self.queue("delayed")
        self.sqs.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=3)
        due = time.monotonic() + 3
        self.kill_and_restart()
        url = self.url_of(url)
        if time.monotonic() < due - 0.5:
            self.assertEqual(self.counts(url), (0, 0, 1))
        [m] = self.receive_n(url, 1, timeout=6)
        self.assertGreaterEqual(time.monotonic(), due - 0.1)
        self.assertEqual(m["Body"], "late")

    def test_fifo_sequence_and_deduplication(self):
        url = self.queue("durable", fifo=True)
        before = [
            self.sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", MessageGroupId="g", MessageDeduplicationId=f"d{i}")
            for i in range(2)
        ]
        self.kill_and_restart()
        url = self.url_of(url)
        # d1 was sent less than five minutes ago: still a duplicate.
        self.sqs.send_message(QueueUrl=url, MessageBody="dup", MessageGroupId="g", MessageDeduplicationId="d1")
        after = self.sqs.send_message(QueueUrl=url, MessageBody="m2", MessageGroupId="g", MessageDeduplicationId="d2")
        self.assertGreater(int(after["SequenceNumber"]), int(before[-1]["SequenceNumber"]))
        got = []
        for _ in range(5):
            batch = self.receive(url, MaxNumberOfMessages=10)
            for m in batch:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            got += [m["Body"] for m in batch]
            if not batch:
                break
        self.assertEqual(got, ["m0", "m1", "m2"])


if __name__ == "__main__":
    unittest.main()
