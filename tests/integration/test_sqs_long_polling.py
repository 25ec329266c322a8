"""Long polling through real clients: a waiting ReceiveMessage returns as soon as
a message is available (a send, the end of a delay or of a visibility timeout, a
visibility change, a FIFO group unblocked), and after WaitTimeSeconds when none is.

ctest runs this module under both boto3 generations. Each waiting receive runs
on its own client in a thread while the test acts through another.
"""
import time
import unittest

from sqs_support import SqsCase, Timer, in_thread, start_module_eddy, stop_module_eddy

# How late a woken receive may return; generous for a loaded CI machine, far below the waits used.
PROMPT = 1.0


def setUpModule():
    start_module_eddy()


def tearDownModule():
    stop_module_eddy()


class LongPolling(SqsCase):
    def waiting_receive(self, url, **kwargs):
        """Starts a receive on a fresh client in a thread; returns the thread (see in_thread)."""
        waiter = self.new_client()

        def call():
            return waiter.receive_message(QueueUrl=url, **kwargs).get("Messages", [])

        thread = in_thread(call)
        time.sleep(0.5)  # let the request reach eddy and start waiting
        self.assertTrue(thread.is_alive(), "the receive returned before anything was sent")
        return thread

    def joined(self, thread, timeout=25):
        thread.join(timeout)
        self.assertFalse(thread.is_alive(), "the receive never returned")
        if thread.error:
            raise thread.error
        return thread.result

    def test_send_wakes_a_waiting_receive(self):
        url = self.queue()
        thread = self.waiting_receive(url, WaitTimeSeconds=10)
        sent_at = time.monotonic()
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="wake up")
        [m] = self.joined(thread)
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertLess(thread.finished_at - sent_at, PROMPT, "returned promptly after the send, not after 10 s")

    def test_empty_wait_lasts_wait_time_seconds(self):
        url = self.queue()
        elapsed = Timer()
        self.assertEqual(self.receive(url, WaitTimeSeconds=2), [])
        self.assertGreaterEqual(elapsed(), 1.9)
        self.assertLess(elapsed(), 2 + PROMPT)

    def test_queue_receive_wait_time_is_the_default(self):
        url = self.queue(ReceiveMessageWaitTimeSeconds=2)
        elapsed = Timer()
        self.assertEqual(self.receive(url), [])
        self.assertGreaterEqual(elapsed(), 1.9, "ReceiveMessageWaitTimeSeconds applies without WaitTimeSeconds")
        elapsed = Timer()
        self.assertEqual(self.receive(url, WaitTimeSeconds=0), [])
        self.assertLess(elapsed(), 0.5, "WaitTimeSeconds=0 overrides the queue: a short poll")

    def test_end_of_delay_wakes_a_waiting_receive(self):
        url = self.queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=1)
        elapsed = Timer()
        [m] = self.receive(url, WaitTimeSeconds=5)
        self.assertEqual(m["Body"], "later")
        self.assertGreater(elapsed(), 0.5)
        self.assertLess(elapsed(), 1 + PROMPT)

    def test_end_of_visibility_timeout_wakes_a_waiting_receive(self):
        url = self.queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="again")
        [first] = self.receive(url, VisibilityTimeout=1)
        elapsed = Timer()
        [m] = self.receive(url, WaitTimeSeconds=5)
        self.assertEqual(m["MessageId"], first["MessageId"])
        self.assertLess(elapsed(), 1 + PROMPT)

    def test_visibility_change_to_zero_wakes_a_waiting_receive(self):
        url = self.queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="released")
        [first] = self.receive(url, VisibilityTimeout=60)
        thread = self.waiting_receive(url, WaitTimeSeconds=10)
        changed_at = time.monotonic()
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
        [m] = self.joined(thread)
        self.assertEqual(m["MessageId"], first["MessageId"])
        self.assertLess(thread.finished_at - changed_at, PROMPT)

    def test_deleting_the_in_flight_message_unblocks_a_fifo_group_for_a_waiting_receive(self):
        url = self.queue("lp", fifo=True, ContentBasedDeduplication="true")
        for body in ("first", "second"):
            self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
        [first] = self.receive(url, VisibilityTimeout=60)
        self.assertEqual(first["Body"], "first")
        thread = self.waiting_receive(url, WaitTimeSeconds=4)
        deleted_at = time.monotonic()
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
        [m] = self.joined(thread)
        self.assertEqual(m["Body"], "second")
        self.assertLess(thread.finished_at - deleted_at, PROMPT, "the group's next message is available at once")

    def test_one_message_goes_to_one_of_several_waiters(self):
        url = self.queue()
        waiters = [self.waiting_receive(url, WaitTimeSeconds=3) for _ in range(3)]
        self.sqs.send_message(QueueUrl=url, MessageBody="only one")
        results = [self.joined(t) for t in waiters]
        self.assertEqual(sorted(len(r) for r in results), [0, 0, 1])


if __name__ == "__main__":
    unittest.main()
