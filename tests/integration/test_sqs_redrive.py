"""Dead-letter queues through real clients: RedrivePolicy moves, the sources a
dead-letter queue lists, and message move tasks (DLQ redrive).

ctest runs this module under both boto3 generations. The move-task operations
(StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask) came after
botocore 1.29, so the query-protocol run skips them: its client cannot express them.
"""
import json
import time
import unittest

from sqs_support import SqsCase, start_module_eddy, stop_module_eddy


def setUpModule():
    start_module_eddy()


def tearDownModule():
    stop_module_eddy()


class DeadLetterCase(SqsCase):
    def with_dead_letter_queue(self, max_receive_count, prefix="src"):
        """(source url, dead-letter url) with the source's RedrivePolicy pointing at the second."""
        dlq = self.queue(prefix + "-dlq")
        policy = json.dumps({"deadLetterTargetArn": self.arn(dlq), "maxReceiveCount": max_receive_count})
        source = self.queue(prefix, RedrivePolicy=policy)
        return source, dlq

    def fill_dead_letter_queue(self, source, dlq, bodies):
        """Sends bodies to a source with maxReceiveCount 1 and receives until all moved on."""
        sent = {}
        for body in bodies:
            sent[self.sqs.send_message(QueueUrl=source, MessageBody=body)["MessageId"]] = body
        deadline = time.monotonic() + 10
        while self.counts(dlq)[0] < len(bodies) and time.monotonic() < deadline:
            self.receive(source, MaxNumberOfMessages=10, VisibilityTimeout=0)
        self.assertEqual(self.counts(dlq), (len(bodies), 0, 0))
        self.assertEqual(self.counts(source), (0, 0, 0))
        return sent

    def wait_for_task(self, source_arn, statuses, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            [task] = self.sqs.list_message_move_tasks(SourceArn=source_arn, MaxResults=1)["Results"]
            if task["Status"] in statuses or time.monotonic() > deadline:
                return task
            time.sleep(0.1)


class Redrive(DeadLetterCase):
    def test_max_receive_count_moves_to_dead_letter_queue(self):
        source, dlq = self.with_dead_letter_queue(2)
        attrs = {"kind": {"DataType": "String", "StringValue": "poison"}}
        sent = self.sqs.send_message(QueueUrl=source, MessageBody="poison pill", MessageAttributes=attrs)
        for n in (1, 2):
            [m] = self.receive(source, VisibilityTimeout=0, AttributeNames=["ApproximateReceiveCount"])
            self.assertEqual(m["MessageId"], sent["MessageId"])
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], str(n))
        # The third attempt finds it over maxReceiveCount: it goes to the dead-letter queue instead.
        self.assert_empty(source)
        self.assertEqual(self.counts(source), (0, 0, 0))
        [dead] = self.receive(dlq, MessageAttributeNames=["All"])
        self.assertEqual(dead["MessageId"], sent["MessageId"])
        self.assertEqual(dead["Body"], "poison pill")
        self.assertEqual(dead["MessageAttributes"], attrs)

    def test_dead_letter_queue_source_arn(self):
        self.require_member("ReceiveMessage", "MessageSystemAttributeNames")
        source, dlq = self.with_dead_letter_queue(1)
        self.fill_dead_letter_queue(source, dlq, ["x"])
        [dead] = self.receive(dlq, MessageSystemAttributeNames=["DeadLetterQueueSourceArn"])
        self.assertEqual(dead["Attributes"], {"DeadLetterQueueSourceArn": self.arn(source)})

    def test_redrive_allow_policy_decides_which_sources_may_use_a_dead_letter_queue(self):
        closed = self.queue("closed-dlq", RedriveAllowPolicy=json.dumps({"redrivePermission": "denyAll"}))
        policy = json.dumps({"deadLetterTargetArn": self.arn(closed), "maxReceiveCount": 3})
        self.expect_error("InvalidParameterValue", self.sqs.create_queue, QueueName="refused-src",
                          Attributes={"RedrivePolicy": policy})

        chosen = self.queue("chosen-src")
        listed = self.queue("listed-dlq", RedriveAllowPolicy=json.dumps(
            {"redrivePermission": "byQueue", "sourceQueueArns": [self.arn(chosen)]}))
        policy = json.dumps({"deadLetterTargetArn": self.arn(listed), "maxReceiveCount": 3})
        self.sqs.set_queue_attributes(QueueUrl=chosen, Attributes={"RedrivePolicy": policy})
        other = self.queue("other-src")
        self.expect_error("InvalidParameterValue", self.sqs.set_queue_attributes, QueueUrl=other,
                          Attributes={"RedrivePolicy": policy})

    def test_messages_within_max_receive_count_stay(self):
        source, dlq = self.with_dead_letter_queue(3)
        self.sqs.send_message(QueueUrl=source, MessageBody="x")
        for _ in range(2):
            self.receive(source, VisibilityTimeout=0)
        [m] = self.receive(source)
        self.sqs.delete_message(QueueUrl=source, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.counts(dlq), (0, 0, 0))

    def test_list_dead_letter_source_queues(self):
        source, dlq = self.with_dead_letter_queue(5, prefix="one")
        other = self.queue(
            "two", RedrivePolicy=json.dumps({"deadLetterTargetArn": self.arn(dlq), "maxReceiveCount": "3"})
        )
        self.queue("unrelated")
        urls = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]
        self.assertEqual(sorted(urls), sorted([source, other]))
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=source).get("queueUrls", []), [])
        # Removing the policy takes the source off the list.
        self.sqs.set_queue_attributes(QueueUrl=other, Attributes={"RedrivePolicy": ""})
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [source])


class MoveTasks(DeadLetterCase):
    def setUp(self):
        super().setUp()
        self.require_operation("StartMessageMoveTask")

    def test_redrive_back_to_the_source(self):
        source, dlq = self.with_dead_letter_queue(1)
        sent = self.fill_dead_letter_queue(source, dlq, [f"m{i}" for i in range(3)])
        handle = self.sqs.start_message_move_task(SourceArn=self.arn(dlq))["TaskHandle"]
        self.assertTrue(handle)
        task = self.wait_for_task(self.arn(dlq), {"COMPLETED", "FAILED"})
        self.assertEqual(task["Status"], "COMPLETED", task)
        self.assertEqual(task["SourceArn"], self.arn(dlq))
        self.assertEqual(task["ApproximateNumberOfMessagesMoved"], 3)
        self.assertIn("StartedTimestamp", task)
        self.assertEqual(self.counts(dlq), (0, 0, 0))
        back = self.receive_n(source, 3)
        self.assertEqual(sorted(m["Body"] for m in back), sorted(sent.values()))

    def test_redrive_to_an_explicit_destination(self):
        source, dlq = self.with_dead_letter_queue(1)
        destination = self.queue("dest")
        self.fill_dead_letter_queue(source, dlq, ["a", "b"])
        self.sqs.start_message_move_task(SourceArn=self.arn(dlq), DestinationArn=self.arn(destination))
        task = self.wait_for_task(self.arn(dlq), {"COMPLETED", "FAILED"})
        self.assertEqual(task["Status"], "COMPLETED", task)
        self.assertEqual(task["DestinationArn"], self.arn(destination))
        self.assertEqual(task["ApproximateNumberOfMessagesMoved"], 2)
        self.assertEqual(sorted(m["Body"] for m in self.receive_n(destination, 2)), ["a", "b"])
        self.assertEqual(self.counts(source), (0, 0, 0))
        self.assertEqual(self.counts(dlq), (0, 0, 0))

    def test_cancel_a_rate_limited_task(self):
        source, dlq = self.with_dead_letter_queue(1)
        self.fill_dead_letter_queue(source, dlq, [f"m{i}" for i in range(6)])
        dlq_arn = self.arn(dlq)
        handle = self.sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
        [running] = self.sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
        self.assertEqual(running["Status"], "RUNNING")
        self.assertEqual(running["TaskHandle"], handle)
        self.assertEqual(running["MaxNumberOfMessagesPerSecond"], 1)
        self.assertEqual(running["ApproximateNumberOfMessagesToMove"], 6)
        time.sleep(1.5)
        cancelled = self.sqs.cancel_message_move_task(TaskHandle=handle)
        moved = cancelled["ApproximateNumberOfMessagesMoved"]
        self.assertLess(moved, 6)
        [after] = self.sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
        self.assertIn(after["Status"], ("CANCELLING", "CANCELLED"))
        final = self.wait_for_task(dlq_arn, {"CANCELLED"})
        self.assertEqual(final["Status"], "CANCELLED")
        time.sleep(1.2)  # nothing moves after the cancel settled
        in_source, in_dlq = self.counts(source)[0], self.counts(dlq)[0]
        self.assertGreater(in_dlq, 0, "a cancelled task leaves the rest behind")
        self.assertEqual(in_source + in_dlq, 6)
        self.assertEqual(in_source, final["ApproximateNumberOfMessagesMoved"])

    def test_source_must_be_a_dead_letter_queue(self):
        plain = self.queue("plain")
        self.expect_error("InvalidParameterValue", self.sqs.start_message_move_task, SourceArn=self.arn(plain))
        missing = self.arn(plain).rsplit(":", 1)[0] + ":does-not-exist"
        # AWS was seen answering 404 here; the API reference lists the error without a status.
        self.expect_error(
            "ResourceNotFoundException", self.sqs.start_message_move_task, SourceArn=missing, status=(400, 404)
        )

    def test_one_active_task_per_source(self):
        source, dlq = self.with_dead_letter_queue(1)
        self.fill_dead_letter_queue(source, dlq, ["a", "b", "c"])
        handle = self.sqs.start_message_move_task(SourceArn=self.arn(dlq), MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
        try:
            # AWS answers InvalidParameterValue: "There is already a task running. Only one active task is allowed ..."
            self.expect_error("InvalidParameterValue", self.sqs.start_message_move_task, SourceArn=self.arn(dlq))
        finally:
            self.sqs.cancel_message_move_task(TaskHandle=handle)

    def test_cancel_with_a_malformed_task_handle(self):
        self.expect_error("InvalidParameterValue", self.sqs.cancel_message_move_task, TaskHandle="not-a-task-handle")

    def test_list_keeps_finished_tasks(self):
        source, dlq = self.with_dead_letter_queue(1)
        self.fill_dead_letter_queue(source, dlq, ["x"])
        self.sqs.start_message_move_task(SourceArn=self.arn(dlq))
        self.assertEqual(self.wait_for_task(self.arn(dlq), {"COMPLETED"})["Status"], "COMPLETED")
        for m in self.receive_n(source, 1):
            self.sqs.delete_message(QueueUrl=source, ReceiptHandle=m["ReceiptHandle"])
        self.fill_dead_letter_queue(source, dlq, ["y"])
        self.sqs.start_message_move_task(SourceArn=self.arn(dlq))
        self.wait_for_task(self.arn(dlq), {"COMPLETED"})
        results = self.sqs.list_message_move_tasks(SourceArn=self.arn(dlq), MaxResults=10)["Results"]
        self.assertEqual([r["Status"] for r in results], ["COMPLETED", "COMPLETED"])
        self.assertGreaterEqual(results[0]["StartedTimestamp"], results[1]["StartedTimestamp"], "newest first")


if __name__ == "__main__":
    unittest.main()
