"""Kinesis records survive kill -9 with --data-dir: what PutRecord and
PutRecords acknowledged is there after a restart with the same sequence
numbers, shards keep their lineage, and new records get larger numbers.
"""
import shutil
import signal
import tempfile
import threading
import time
import unittest

from harness import Eddy, client
from kinesis_support import KinesisCase, advance, quiet


def setUpModule():
    quiet()


class RestartCase(KinesisCase):
    """Each test starts and kills its own eddy on a fresh data directory."""

    @classmethod
    def setUpClass(cls):
        quiet()

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="eddy-kinesis-data-")
        self.start()

    def tearDown(self):
        self.eddy.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    eddy_args = ()

    def start(self):
        self.eddy = Eddy(data_dir=self.dir, extra_args=self.eddy_args).start()
        self.kinesis = client("kinesis", self.eddy.endpoint)

    def kill_and_restart(self):
        self.assertEqual(self.eddy.stop(signal.SIGKILL), -signal.SIGKILL)
        self.start()

    def everything(self, name):
        return {s["ShardId"]: [(r["SequenceNumber"], r["Data"], r["PartitionKey"],
                                r["ApproximateArrivalTimestamp"]) for r in self.read_all(name, s["ShardId"])]
                for s in self.shards(name)}


class Restart(RestartCase):
    def test_acknowledged_records_survive_kill9(self):
        name = self.stream(2)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        acked = {}
        for i in range(20):
            put = self.kinesis.put_record(StreamName=name, Data=f"one-{i}".encode(), PartitionKey=f"k{i}")
            acked[put["SequenceNumber"]] = f"one-{i}".encode()
        batch = self.kinesis.put_records(StreamName=name, Records=[
            {"Data": f"many-{i}".encode(), "PartitionKey": f"m{i}"} for i in range(300)])
        for i, r in enumerate(batch["Records"]):
            acked[r["SequenceNumber"]] = f"many-{i}".encode()
        before = self.everything(name)
        self.kill_and_restart()
        after = self.everything(name)
        self.assertEqual(after, before)
        got = {seq: data for records in after.values() for seq, data, _, _ in records}
        self.assertEqual(got, acked)
        summary = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["RetentionPeriodHours"], 48)
        # new records follow the old ones in each shard
        last = {shard: max(int(r[0]) for r in records) for shard, records in after.items()}
        for i in range(20):
            put = self.kinesis.put_record(StreamName=name, Data=b"later", PartitionKey=f"k{i}")
            self.assertGreater(int(put["SequenceNumber"]), last[put["ShardId"]])
            last[put["ShardId"]] = int(put["SequenceNumber"])

    def test_kill9_while_writing_keeps_every_acknowledged_record(self):
        name = self.stream(2)
        acked, stop = {}, threading.Event()
        writer = client("kinesis", self.eddy.endpoint)

        def write():
            i = 0
            while not stop.is_set():
                try:
                    out = writer.put_records(StreamName=name, Records=[
                        {"Data": f"w{i}-{k}".encode(), "PartitionKey": f"k{k}"} for k in range(20)])
                except Exception:  # the server is gone: what was acknowledged so far counts
                    return
                for k, r in enumerate(out["Records"]):
                    acked[r["SequenceNumber"]] = f"w{i}-{k}".encode()
                i += 1

        thread = threading.Thread(target=write)
        thread.start()
        time.sleep(0.5)
        self.eddy.stop(signal.SIGKILL)
        stop.set()
        thread.join(timeout=30)
        self.assertGreater(len(acked), 0)
        self.start()
        got = {r[0]: r[1] for records in self.everything(name).values() for r in records}
        missing = set(acked) - set(got)
        self.assertEqual(missing, set())
        for seq, data in acked.items():
            self.assertEqual(got[seq], data)

    def test_resharded_stream_survives_kill9(self):
        name = self.stream(1)
        old = self.kinesis.put_record(StreamName=name, Data=b"before split", PartitionKey="p")
        self.kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                                 NewStartingHashKey=str(2**127))
        self.wait_active(name)
        new = self.kinesis.put_record(StreamName=name, Data=b"after split", PartitionKey="p")
        self.kinesis.register_stream_consumer(
            StreamARN=self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"],
            ConsumerName="c1")
        shards_before = self.shards(name)
        self.kill_and_restart()
        self.assertEqual(self.shards(name), shards_before)
        page = self.kinesis.get_records(ShardIterator=self.iterator(name, "shardId-000000000000"))
        self.assertEqual([(r["SequenceNumber"], r["Data"]) for r in page["Records"]],
                         [(old["SequenceNumber"], b"before split")])
        records = self.read_all(name, new["ShardId"])
        self.assertEqual([(r["SequenceNumber"], r["Data"]) for r in records], [(new["SequenceNumber"], b"after split")])
        summary = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["ConsumerCount"], 1)

    def test_binary_data_and_stream_settings_survive_kill9(self):
        name = self.stream(1)
        self.kinesis.add_tags_to_stream(StreamName=name, Tags={"team": "a"})
        self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
        self.wait_active(name)
        payloads = [bytes(range(256)), b"\x00" * 10, b"", b"\xff\x00\xfe"]
        for p in payloads:
            self.kinesis.put_record(StreamName=name, Data=p, PartitionKey="p")
        self.kill_and_restart()
        records = self.read_all(name, "shardId-000000000000")
        self.assertEqual([r["Data"] for r in records], payloads)
        self.assertEqual({r["EncryptionType"] for r in records}, {"KMS"})
        summary = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual((summary["EncryptionType"], summary["KeyId"]), ("KMS", "alias/aws/kinesis"))
        self.assertEqual(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"], [{"Key": "team", "Value": "a"}])


class RestartAfterTrim(RestartCase):
    eddy_args = ("--clock", "manual")

    def test_sequence_numbers_keep_rising_after_every_record_was_trimmed(self):
        name = self.stream(1)
        old = [self.kinesis.put_record(StreamName=name, Data=b"old", PartitionKey="p")["SequenceNumber"]
               for _ in range(3)]
        advance(self.eddy, 25 * 3600)
        self.assertEqual(self.read_all(name, "shardId-000000000000"), [])
        self.kill_and_restart()
        advance(self.eddy, 26 * 3600)  # the restarted manual clock starts from the system time again
        self.assertEqual(self.read_all(name, "shardId-000000000000"), [])
        new = self.kinesis.put_record(StreamName=name, Data=b"new", PartitionKey="p")["SequenceNumber"]
        self.assertGreater(int(new), int(max(old, key=int)))
        self.assertEqual([r["Data"] for r in self.read_all(name, "shardId-000000000000")], [b"new"])


if __name__ == "__main__":
    unittest.main()
