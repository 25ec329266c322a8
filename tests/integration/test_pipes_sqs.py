"""Pipes reading SQS queues: batching windows and sizes, the record shape, deletion on
success, the queue's redrive policy on failure, filters, input templates, partial batch
failures from a REQUEST_RESPONSE state machine, enrichment, and the SQS, CloudWatch Logs
and Kinesis targets, with the pipe's own execution log."""
import base64
import hashlib
import json
import time
import unittest
from datetime import datetime

from harness import Eddy
from pipes_support import Clients, PipesCase


def fail_machine():
    return {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Nope", "Cause": "always"}}}


class PipesFromSqs(PipesCase):
    def test_window_holds_the_batch_until_it_closes(self):
        url, queue = self.c.queue("window-source")
        machine = self.c.machine("window-target")
        self.c.pipe("window", queue, machine,
                    SourceParameters={"SqsQueueParameters": {"BatchSize": 10, "MaximumBatchingWindowInSeconds": 5}})
        sent = time.time()
        for i in range(3):
            self.c.sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": i}))
        time.sleep(3.5)
        self.assertEqual(self.c.inputs(machine), [], "an execution started before the window closed")
        got = self.c.wait_inputs(machine, 1, timeout=10)
        waited = time.time() - sent
        self.assertGreaterEqual(waited, 4.5)
        self.assertEqual(len(got), 1)
        self.assertEqual([json.loads(r["body"])["n"] for r in got[0]], [0, 1, 2])
        time.sleep(0.5)
        attrs = self.c.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual((attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]),
                         ("0", "0"), "the delivered messages were not deleted")

    def test_a_full_batch_goes_at_once(self):
        url, queue = self.c.queue("full-source")
        machine = self.c.machine("full-target")
        self.c.pipe("full", queue, machine,
                    SourceParameters={"SqsQueueParameters": {"BatchSize": 10, "MaximumBatchingWindowInSeconds": 20}})
        sent = time.time()
        self.c.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "MessageBody": f"m{i}"} for i in range(10)])
        got = self.c.wait_inputs(machine, 1, timeout=8)
        self.assertLess(time.time() - sent, 5)
        self.assertEqual(sorted(r["body"] for r in got[0]), sorted(f"m{i}" for i in range(10)))

    def test_record_shape(self):
        url, queue = self.c.queue("shape-source")
        machine = self.c.machine("shape-target")
        self.c.pipe("shape", queue, machine, SourceParameters={"SqsQueueParameters": {"BatchSize": 1}})
        sent = self.c.sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "greeting"},
            "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
        batch = self.c.wait_inputs(machine, 1)[0]
        self.assertIsInstance(batch, list)
        self.assertEqual(len(batch), 1)
        r = batch[0]
        self.assertEqual(r["messageId"], sent["MessageId"])
        self.assertEqual(r["body"], "hello")
        self.assertEqual(r["md5OfBody"], hashlib.md5(b"hello").hexdigest())
        self.assertEqual(r["eventSource"], "aws:sqs")
        self.assertEqual(r["eventSourceARN"], queue)
        self.assertEqual(r["awsRegion"], "us-east-1")
        self.assertTrue(r["receiptHandle"])
        self.assertEqual(r["attributes"]["ApproximateReceiveCount"], "1")
        for key in ("SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"):
            self.assertIn(key, r["attributes"])
        self.assertEqual(r["messageAttributes"]["kind"], {"stringValue": "greeting", "stringListValues": [],
                                                          "binaryListValues": [], "dataType": "String"})
        self.assertEqual(base64.b64decode(r["messageAttributes"]["raw"]["binaryValue"]), b"\x00\x01")

    def test_failed_target_leaves_messages_to_the_dead_letter_queue(self):
        dlq_url, dlq = self.c.queue("fail-dlq")
        url, queue = self.c.queue("fail-source", VisibilityTimeout=1,
                                  RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq, "maxReceiveCount": 2}))
        machine = self.c.machine("fail-target", fail_machine(), kind="EXPRESS")
        self.c.pipe("fail", queue, machine, SourceParameters={"SqsQueueParameters": {"BatchSize": 1}},
                    TargetParameters={"StepFunctionStateMachineParameters": {"InvocationType": "REQUEST_RESPONSE"}})
        self.c.sqs.send_message(QueueUrl=url, MessageBody="doomed")
        deadline = time.time() + 15
        moved = []
        while time.time() < deadline and not moved:
            moved = self.c.drain(dlq_url, wait=1)
        self.assertEqual([m["Body"] for m in moved], ["doomed"])

    def test_filters_drop_and_delete(self):
        url, queue = self.c.queue("filter-source")
        machine = self.c.machine("filter-target")
        pattern = {"body": {"kind": ["keep"], "size": [{"numeric": [">", 10]}]}}
        self.c.pipe("filter", queue, machine,
                    SourceParameters={"SqsQueueParameters": {"BatchSize": 1},
                                      "FilterCriteria": {"Filters": [{"Pattern": json.dumps(pattern)}]}})
        for body in ({"kind": "drop", "size": 20}, {"kind": "keep", "size": 5}, "not json",
                     {"kind": "keep", "size": 11}):
            self.c.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body) if isinstance(body, dict) else body)
        got = self.c.wait_inputs(machine, 1)
        time.sleep(1)
        got = self.c.inputs(machine)
        self.assertEqual([json.loads(b[0]["body"]) for b in got], [{"kind": "keep", "size": 11}])
        attrs = self.c.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual((attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]),
                         ("0", "0"), "filtered-out messages were not deleted")

    def test_template_to_a_queue(self):
        url, queue = self.c.queue("tmpl-source")
        out_url, out = self.c.queue("tmpl-target")
        template = ('{"id": <$.body.id>, "note": "from <aws.pipes.pipe-name>: <$.body.text>", '
                    '"sender": <$.attributes.SenderId>, "pipe": <aws.pipes.pipe-arn>, "source": <aws.pipes.source-arn>, '
                    '"target": <aws.pipes.target-arn>, "at": <aws.pipes.event.ingestion-time>, "event": <aws.pipes.event.json>}')
        self.c.pipe("tmpl", queue, out, TargetParameters={"InputTemplate": template},
                    SourceParameters={"SqsQueueParameters": {"BatchSize": 1}})
        sent = time.time()
        self.c.sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"id": 7, "text": "say \"hi\""}))
        deadline = time.time() + 10
        got = []
        while time.time() < deadline and not got:
            got = self.c.drain(out_url)
        body = json.loads(got[0]["Body"])
        at, event = body.pop("at"), body.pop("event")
        self.assertEqual(body, {"id": 7, "note": 'from tmpl: say "hi"', "sender": "000000000000",
                                "pipe": "arn:aws:pipes:us-east-1:000000000000:pipe/tmpl", "source": queue,
                                "target": out})
        self.assertAlmostEqual(datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp(), sent, delta=5)
        self.assertEqual(event["body"], {"id": 7, "text": 'say "hi"'})
        self.assertEqual(event["eventSourceARN"], queue)

    def test_fifo_target_takes_dynamic_group_ids(self):
        url, queue = self.c.queue("fifo-in.fifo", FifoQueue="true", ContentBasedDeduplication="true")
        out_url, out = self.c.queue("fifo-out.fifo", FifoQueue="true")
        self.c.pipe("fifo", queue, out, SourceParameters={"SqsQueueParameters": {"BatchSize": 10}},
                    TargetParameters={"SqsQueueParameters": {"MessageGroupId": "$.body.group",
                                                             "MessageDeduplicationId": "$.messageId"}})
        for i in range(6):
            self.c.sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"group": f"g{i % 2}", "n": i}),
                                    MessageGroupId=f"g{i % 2}")
        deadline = time.time() + 10
        got = []
        while time.time() < deadline and len(got) < 6:
            got += self.c.drain(out_url)
        by_group = {}
        for m in got:
            body = json.loads(json.loads(m["Body"])["body"])
            by_group.setdefault(body["group"], []).append(body["n"])
        self.assertEqual(by_group, {"g0": [0, 2, 4], "g1": [1, 3, 5]})

    def test_partial_batch_failure_from_the_target(self):
        url, queue = self.c.queue("partial-source", VisibilityTimeout=2)
        # the machine fails every message whose body is "bad", by its messageId
        definition = {"StartAt": "Each", "States": {
            "Each": {"Type": "Map", "ItemsPath": "$", "Next": "Report", "ItemProcessor": {
                "StartAt": "Bad?", "States": {
                    "Bad?": {"Type": "Choice", "Default": "Good",
                             "Choices": [{"Variable": "$.body", "StringEquals": "bad", "Next": "Bad"}]},
                    "Bad": {"Type": "Pass", "Parameters": {"itemIdentifier.$": "$.messageId"}, "End": True},
                    "Good": {"Type": "Pass", "Result": {"itemIdentifier": "-"}, "End": True}}}},
            "Report": {"Type": "Pass", "Parameters": {"batchItemFailures.$": "$"}, "End": True}}}
        machine = self.c.machine("partial-target", definition, kind="EXPRESS")
        self.c.pipe("partial", queue, machine,
                    SourceParameters={"SqsQueueParameters": {"BatchSize": 10, "MaximumBatchingWindowInSeconds": 1}},
                    TargetParameters={"StepFunctionStateMachineParameters": {"InvocationType": "REQUEST_RESPONSE"}})
        self.c.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "1", "MessageBody": "good"}, {"Id": "2", "MessageBody": "bad"}, {"Id": "3", "MessageBody": "fine"}])
        time.sleep(1.5)
        self.c.pipes.stop_pipe(Name="partial")
        self.c.wait_state("partial", "STOPPED")
        # only the failed message is left, back once its visibility timeout ends
        left = self.c.drain(url, wait=3)
        self.assertEqual([m["Body"] for m in left], ["bad"])

    def test_logs_target_and_execution_log(self):
        url, queue = self.c.queue("logs-source")
        self.c.logs.create_log_group(logGroupName="/pipes/target")
        self.c.logs.create_log_group(logGroupName="/pipes/execution")
        target = "arn:aws:logs:us-east-1:000000000000:log-group:/pipes/target"
        execution_log = "arn:aws:logs:us-east-1:000000000000:log-group:/pipes/execution"
        self.c.pipe("logs", queue, target,
                    SourceParameters={"SqsQueueParameters": {"BatchSize": 1}},
                    TargetParameters={"InputTemplate": "line <$.body>",
                                      "CloudWatchLogsParameters": {"LogStreamName": "lines"}},
                    LogConfiguration={"Level": "INFO",
                                      "CloudwatchLogsLogDestination": {"LogGroupArn": execution_log}})
        self.c.sqs.send_message(QueueUrl=url, MessageBody="one")
        deadline = time.time() + 10
        events = []
        while time.time() < deadline and not events:
            try:
                events = self.c.logs.get_log_events(logGroupName="/pipes/target", logStreamName="lines")["events"]
            except self.c.logs.exceptions.ResourceNotFoundException:
                pass
            time.sleep(0.1)
        self.assertEqual([e["message"] for e in events], ["line one"])
        records = [json.loads(e["message"]) for e in
                   self.c.logs.filter_log_events(logGroupName="/pipes/execution")["events"]]
        types = [r["messageType"] for r in records]
        self.assertEqual(types, ["EXECUTION_STARTED", "EXECUTION_SUCCEEDED"])
        self.assertTrue(all(r["resourceArn"].endswith(":pipe/logs") and r["logLevel"] == "INFO" for r in records))
        self.assertEqual(len({r["executionId"] for r in records}), 1)

    def test_enrichment_reshapes_the_batch(self):
        url, queue = self.c.queue("enrich-source")
        enrich = self.c.machine("enricher", {"StartAt": "Count", "States": {"Count": {
            "Type": "Pass", "Parameters": {"count.$": "States.ArrayLength($)", "first.$": "$[0].name"},
            "End": True}}}, kind="EXPRESS")
        machine = self.c.machine("enrich-target")
        self.c.pipe("enrich", queue, machine, Enrichment=enrich,
                    EnrichmentParameters={"InputTemplate": '{"name": <$.body>}'},
                    SourceParameters={"SqsQueueParameters": {"BatchSize": 2, "MaximumBatchingWindowInSeconds": 2}})
        self.c.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "1", "MessageBody": "ann"}, {"Id": "2", "MessageBody": "bob"}])
        got = self.c.wait_inputs(machine, 1)
        self.assertEqual(len(got[0]), 1)
        self.assertEqual(got[0][0]["count"], 2)
        self.assertIn(got[0][0]["first"], ("ann", "bob"))

    def test_kinesis_target(self):
        url, queue = self.c.queue("to-stream-source")
        stream = self.c.stream("to-stream")
        self.c.pipe("to-stream", queue, stream, SourceParameters={"SqsQueueParameters": {"BatchSize": 1}},
                    TargetParameters={"KinesisStreamParameters": {"PartitionKey": "$.body.key"},
                                      "InputTemplate": "<$.body.value>"})
        self.c.sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"key": "k1", "value": "v1"}))
        shard = self.c.kinesis.list_shards(StreamName="to-stream")["Shards"][0]["ShardId"]
        it = self.c.kinesis.get_shard_iterator(StreamName="to-stream", ShardId=shard,
                                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        deadline = time.time() + 10
        records = []
        while time.time() < deadline and not records:
            out = self.c.kinesis.get_records(ShardIterator=it)
            records, it = out["Records"], out["NextShardIterator"]
            time.sleep(0.1)
        self.assertEqual([(r["PartitionKey"], r["Data"]) for r in records], [("k1", b"v1")])


if __name__ == "__main__":
    unittest.main()
