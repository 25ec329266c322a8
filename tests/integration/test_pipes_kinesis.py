"""Pipes reading Kinesis streams: starting positions, per-shard order, batching, the flat
record shape Pipes gives, the seed's stream-processor template, checkpoints that survive
kill -9, resharding read parents first, and retries that end in the dead-letter queue."""
import base64
import hashlib
import http.client
import json
import os
import tempfile
import time
import unittest

from harness import Eddy
from pipes_support import Clients, PipesCase

HERE = os.path.dirname(os.path.abspath(__file__))


def kinesis_params(**extra):
    params = {"StartingPosition": "LATEST", "BatchSize": 10, "MaximumBatchingWindowInSeconds": 1}
    params.update(extra)
    return {"KinesisStreamParameters": params}


class PipesFromKinesis(PipesCase):
    def put(self, stream, *values, key="k"):
        return [self.c.kinesis.put_record(StreamName=stream, Data=v.encode(), PartitionKey=key)["SequenceNumber"]
                for v in values]

    def test_latest_sees_only_new_records_in_order(self):
        stream = self.c.stream("latest")
        machine = self.c.machine("latest-target")
        self.put("latest", "before")
        self.c.pipe("latest", stream, machine, SourceParameters=kinesis_params())
        time.sleep(0.3)
        sequences = self.put("latest", *[f"r{i}" for i in range(5)])
        got = self.c.wait_inputs(machine, 1)
        time.sleep(1.5)
        records = [r for batch in self.c.inputs(machine) for r in batch]
        self.assertEqual([base64.b64decode(r["data"]).decode() for r in records], [f"r{i}" for i in range(5)])
        r = records[0]
        self.assertEqual(r["sequenceNumber"], sequences[0])
        self.assertEqual(r["partitionKey"], "k")
        self.assertEqual(r["eventSource"], "aws:kinesis")
        self.assertEqual(r["eventSourceARN"], stream)
        self.assertEqual(r["eventName"], "aws:kinesis:record")
        self.assertEqual(r["eventID"], "shardId-000000000000:" + sequences[0])
        self.assertEqual(r["awsRegion"], "us-east-1")
        self.assertEqual((r["kinesisSchemaVersion"], r["eventVersion"]), ("1.0", "1.0"))
        self.assertIsInstance(r["approximateArrivalTimestamp"], float)

    def test_trim_horizon_and_batch_size(self):
        stream = self.c.stream("horizon")
        machine = self.c.machine("horizon-target")
        self.put("horizon", *[f"h{i}" for i in range(7)])
        self.c.pipe("horizon", stream, machine,
                    SourceParameters=kinesis_params(StartingPosition="TRIM_HORIZON", BatchSize=3,
                                                    MaximumBatchingWindowInSeconds=0))
        batches = self.c.wait_inputs(machine, 3)
        # executions started in the same millisecond list in any order: order them by their records
        batches.sort(key=lambda b: int(b[0]["sequenceNumber"]))
        self.assertEqual([len(b) for b in batches], [3, 3, 1])
        self.assertEqual([base64.b64decode(r["data"]).decode() for b in batches for r in b],
                         [f"h{i}" for i in range(7)])

    def test_seed_stream_processor_template(self):
        """Pattern 2's pipe: the template's <$.data> is the record's JSON data, parsed."""
        with open(os.path.join(HERE, "pipes", "kinesis-input-template.txt")) as f:
            template = f.read()
        stream = self.c.stream("customers")
        machine = self.c.machine("stream-processor")
        self.c.pipe("customers", stream, machine, SourceParameters=kinesis_params(BatchSize=3,
                                                                                  MaximumBatchingWindowInSeconds=10),
                    TargetParameters={"InputTemplate": template,
                                      "StepFunctionStateMachineParameters": {"InvocationType": "FIRE_AND_FORGET"}})
        time.sleep(0.3)
        events = [{"Metadata": {"TraceId": f"t{i}", "SpanId": "s", "MessageIdentifier": f"m{i}",
                                "PublishDate": "2026-12-07T00:00:00Z"},
                   "Data": {"CustomerId": f"c{i}", "FirstName": f"name{i}"}} for i in range(3)]
        sequences = [self.c.kinesis.put_record(StreamName="customers", Data=json.dumps(e).encode(),
                                               PartitionKey=f"c{i}")["SequenceNumber"] for i, e in enumerate(events)]
        got = self.c.wait_inputs(machine, 1, timeout=8)
        self.assertEqual(got[0], [{"partitionKey": f"c{i}", "sequenceNumber": sequences[i], "data": events[i],
                                   "eventID": "shardId-000000000000:" + sequences[i]} for i in range(3)])

    def test_parallelization_splits_by_partition_key(self):
        stream = self.c.stream("lanes")
        machine = self.c.machine("lanes-target")
        self.c.pipe("lanes", stream, machine,
                    SourceParameters=kinesis_params(ParallelizationFactor=2, MaximumBatchingWindowInSeconds=2))
        time.sleep(0.3)
        # two keys that land in different lanes (by the first byte of their MD5, as eddy splits)
        keys = ["a"]
        keys.append(next(k for k in (f"k{i}" for i in range(100))
                         if hashlib.md5(k.encode()).digest()[0] % 2 != hashlib.md5(b"a").digest()[0] % 2))
        records = [{"Data": f"{key}-{n}".encode(), "PartitionKey": key} for n in range(3) for key in keys]
        self.c.kinesis.put_records(StreamName="lanes", Records=records)
        batches = self.c.wait_inputs(machine, 2)
        time.sleep(0.5)
        batches = self.c.inputs(machine)
        self.assertEqual(len(batches), 2)
        by_key = {b[0]["partitionKey"]: [base64.b64decode(r["data"]).decode() for r in b] for b in batches}
        self.assertEqual(by_key, {key: [f"{key}-{n}" for n in range(3)] for key in keys})

    def test_resharding_reads_parents_first(self):
        # delivered into a one-shard stream, whose sequence numbers keep the order of delivery
        stream = self.c.stream("reshard")
        out = self.c.stream("reshard-out")
        self.c.pipe("reshard", stream, out,
                    SourceParameters=kinesis_params(StartingPosition="TRIM_HORIZON", MaximumBatchingWindowInSeconds=0),
                    TargetParameters={"KinesisStreamParameters": {"PartitionKey": "one"}, "InputTemplate": "<$.data>"})
        self.put("reshard", "p1", "p2")
        self.c.kinesis.split_shard(StreamName="reshard", ShardToSplit="shardId-000000000000",
                                   NewStartingHashKey=str(2 ** 127))
        time.sleep(0.2)
        self.put("reshard", "c1", "c2")
        it = self.c.kinesis.get_shard_iterator(StreamName="reshard-out", ShardId="shardId-000000000000",
                                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        deadline = time.time() + 10
        seen = []
        while time.time() < deadline and len(seen) < 4:
            got = self.c.kinesis.get_records(ShardIterator=it)
            it = got["NextShardIterator"]
            # the template gives the record's data as it came: base64 of what was put
            seen += [base64.b64decode(r["Data"]).decode() for r in got["Records"]]
            time.sleep(0.1)
        self.assertEqual(seen[:2], ["p1", "p2"])
        self.assertEqual(sorted(seen[2:]), ["c1", "c2"])

    def test_retries_end_in_the_dead_letter_queue(self):
        stream = self.c.stream("doomed")
        dlq_url, dlq = self.c.queue("doomed-dlq")
        machine = self.c.machine("doomed-target", {"StartAt": "No", "States": {"No": {
            "Type": "Fail", "Error": "Nope"}}}, kind="EXPRESS")
        self.c.pipe("doomed", stream, machine,
                    SourceParameters=kinesis_params(MaximumRetryAttempts=1, DeadLetterConfig={"Arn": dlq},
                                                    MaximumBatchingWindowInSeconds=0),
                    TargetParameters={"StepFunctionStateMachineParameters": {"InvocationType": "REQUEST_RESPONSE"}})
        time.sleep(0.3)
        sequences = self.put("doomed", "x", "y")
        deadline = time.time() + 15
        got = []
        while time.time() < deadline and not got:
            got = self.c.drain(dlq_url)
        info = json.loads(got[0]["Body"])["KinesisBatchInfo"]
        self.assertEqual(info["shardId"], "shardId-000000000000")
        self.assertEqual(info["startSequenceNumber"], sequences[0])
        self.assertEqual(info["streamArn"], stream)


    def test_bisection_isolates_a_poison_record(self):
        stream = self.c.stream("bisect")
        dlq_url, dlq = self.c.queue("bisect-dlq")
        seen_url, _ = self.c.queue("bisect-seen")
        # fails a batch holding "poison"; otherwise records the batch in a queue
        poison = base64.b64encode(b"poison").decode()
        machine = self.c.machine("bisect-target", {"StartAt": "Each", "States": {
            "Each": {"Type": "Map", "ItemsPath": "$", "ResultPath": None, "Next": "Seen", "ItemProcessor": {
                "StartAt": "Poison?", "States": {
                    "Poison?": {"Type": "Choice", "Default": "Fine",
                                "Choices": [{"Variable": "$.data", "StringEquals": poison, "Next": "Die"}]},
                    "Die": {"Type": "Fail", "Error": "Poisoned"},
                    "Fine": {"Type": "Pass", "End": True}}}},
            "Seen": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
                     "Parameters": {"QueueUrl": seen_url, "MessageBody.$": "States.JsonToString($)"}}}},
            kind="EXPRESS")
        self.c.pipe("bisect", stream, machine,
                    SourceParameters=kinesis_params(MaximumRetryAttempts=1, DeadLetterConfig={"Arn": dlq},
                                                    OnPartialBatchItemFailure="AUTOMATIC_BISECT",
                                                    MaximumBatchingWindowInSeconds=2),
                    TargetParameters={"StepFunctionStateMachineParameters": {"InvocationType": "REQUEST_RESPONSE"}})
        time.sleep(0.3)
        out = self.c.kinesis.put_records(StreamName="bisect", Records=[
            {"Data": v.encode(), "PartitionKey": "k"} for v in ("a", "poison", "b", "c")])
        sequences = [r["SequenceNumber"] for r in out["Records"]]
        deadline = time.time() + 20
        dead = []
        while time.time() < deadline and not dead:
            dead = self.c.drain(dlq_url)
        info = json.loads(dead[0]["Body"])["KinesisBatchInfo"]
        self.assertEqual((info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]),
                         (sequences[1], sequences[1], 1))
        seen = [base64.b64decode(r["data"]).decode() for m in self.c.drain(seen_url, wait=2)
                for r in json.loads(m["Body"])]
        self.assertEqual(sorted(seen), ["a", "b", "c"])


class RecordAge(unittest.TestCase):
    def test_records_past_their_age_go_to_the_dead_letter_queue(self):
        """On eddy's manual clock: a failing batch is retried until its records are too old."""
        with Eddy(extra_args=["--clock", "manual"]) as e:
            c = Clients(e.endpoint)
            stream = c.stream("aging")
            dlq_url, dlq = c.queue("aging-dlq")
            machine = c.machine("aging-target", {"StartAt": "No", "States": {"No": {
                "Type": "Fail", "Error": "Nope"}}}, kind="EXPRESS")
            c.pipe("aging", stream, machine,
                   SourceParameters=kinesis_params(MaximumRecordAgeInSeconds=60, DeadLetterConfig={"Arn": dlq},
                                                   MaximumBatchingWindowInSeconds=0),
                   TargetParameters={"StepFunctionStateMachineParameters": {"InvocationType": "REQUEST_RESPONSE"}})
            time.sleep(0.3)
            c.kinesis.put_record(StreamName="aging", Data=b"old", PartitionKey="k")
            time.sleep(0.5)

            def dead_letters():
                return c.sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=0).get("Messages", [])

            self.assertEqual(dead_letters(), [], "given up before the record was old")
            advance(e.port, 120)
            deadline = time.time() + 10
            dead = []
            while time.time() < deadline and not dead:
                dead = dead_letters()
                time.sleep(0.1)
            body = json.loads(dead[0]["Body"])
            self.assertEqual(body["requestContext"]["condition"], "RecordAgeExceeded")


def advance(port, seconds):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/_eddy/clock", json.dumps({"advanceSeconds": seconds}))
    assert conn.getresponse().status == 200
    conn.close()


class KinesisCheckpoints(unittest.TestCase):
    def test_checkpoint_survives_kill_9(self):
        with tempfile.TemporaryDirectory() as data:
            e = Eddy(data_dir=data).start()
            try:
                c = Clients(e.endpoint)
                stream = c.stream("kept")
                out_url, out = c.queue("kept-out")
                c.pipe("kept", stream, out, SourceParameters=kinesis_params(MaximumBatchingWindowInSeconds=0),
                       TargetParameters={"InputTemplate": "<$.data>"})
                time.sleep(0.3)
                # JSON data, so <$.data> renders it parsed (other data stays base64)
                for v in ("a", "b", "c"):
                    c.kinesis.put_record(StreamName="kept", Data=json.dumps(v).encode(), PartitionKey="k")
                deadline = time.time() + 10
                got = []
                while time.time() < deadline and len(got) < 3:
                    got += c.drain(out_url)
                self.assertEqual([m["Body"] for m in got], ["a", "b", "c"])
            finally:
                e.kill9()
            e = Eddy(data_dir=data).start()
            try:
                c = Clients(e.endpoint)
                c.wait_state("kept", "RUNNING")
                c.kinesis.put_record(StreamName="kept", Data=b'"d"', PartitionKey="k")
                deadline = time.time() + 10
                got = []
                while time.time() < deadline and not got:
                    got += c.drain(out_url)
                got += c.drain(out_url, wait=2)
                self.assertEqual([m["Body"] for m in got], ["d"], "records before the checkpoint came again")
            finally:
                e.stop()


if __name__ == "__main__":
    unittest.main()
