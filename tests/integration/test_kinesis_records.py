"""Kinesis records: where PutRecord and PutRecords send them (MD5 of the
partition key, or ExplicitHashKey, inside a shard's HashKeyRange), their
limits, sequence numbers, and reading them back with every iterator type.
Iterator expiry runs on eddy's manual clock.
"""
import datetime
import re
import time
import unittest

from kinesis_support import MAX_HASH_KEY, KinesisCase, advance, hash_key, quiet, unique


def setUpModule():
    quiet()


class Records(KinesisCase):
    def test_partition_key_routes_by_md5(self):
        name = self.stream(4)
        for i in range(40):
            key = f"user-{i}-ü→{i}"  # MD5 of the UTF-8 bytes
            put = self.kinesis.put_record(StreamName=name, Data=b"x", PartitionKey=key)
            self.assertEqual(put["ShardId"], self.shard_for(name, hash_key(key)), key)
        batch = self.kinesis.put_records(StreamName=name,
                                         Records=[{"Data": b"y", "PartitionKey": f"k{i}"} for i in range(40)])
        for i, r in enumerate(batch["Records"]):
            self.assertEqual(r["ShardId"], self.shard_for(name, hash_key(f"k{i}")))

    def test_explicit_hash_key_overrides_partition_key(self):
        name = self.stream(4)
        for key in (0, 2**126 + 5, 2**127, MAX_HASH_KEY):
            put = self.kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="same",
                                          ExplicitHashKey=str(key))
            self.assertEqual(put["ShardId"], self.shard_for(name, key))
        batch = self.kinesis.put_records(StreamName=name, Records=[
            {"Data": b"x", "PartitionKey": "same", "ExplicitHashKey": str(MAX_HASH_KEY)}])
        self.assertEqual(batch["Records"][0]["ShardId"], self.shard_for(name, MAX_HASH_KEY))

    def test_order_per_partition_key_and_increasing_sequence_numbers(self):
        name = self.stream(3)
        sent = {}
        for i in range(60):
            key = f"pk{i % 6}"
            put = self.kinesis.put_record(StreamName=name, Data=f"{key}:{i}".encode(), PartitionKey=key)
            sent.setdefault(key, []).append((put["ShardId"], put["SequenceNumber"], f"{key}:{i}".encode()))
        for shard in self.shards(name):
            records = self.read_all(name, shard["ShardId"])
            numbers = [int(r["SequenceNumber"]) for r in records]
            self.assertEqual(numbers, sorted(set(numbers)))
            for r in records:
                self.assertRegex(r["SequenceNumber"], r"^\d{56}$")
                self.assertGreaterEqual(int(r["SequenceNumber"]),
                                        int(shard["SequenceNumberRange"]["StartingSequenceNumber"]))
        for key, puts in sent.items():
            shard_id = puts[0][0]
            self.assertTrue(all(p[0] == shard_id for p in puts))
            got = [r for r in self.read_all(name, shard_id) if r["PartitionKey"] == key]
            self.assertEqual([r["Data"] for r in got], [p[2] for p in puts])
            self.assertEqual([r["SequenceNumber"] for r in got], [p[1] for p in puts])

    def test_put_records_500(self):
        name = self.stream(2)
        # binary payloads: every byte value, and one empty record
        records = [{"Data": bytes((i + k) % 256 for k in range(i % 300)), "PartitionKey": f"p{i}"}
                   for i in range(500)]
        out = self.kinesis.put_records(StreamName=name, Records=records)
        self.assertEqual(out["FailedRecordCount"], 0)
        self.assertEqual(len(out["Records"]), 500)
        self.assertNotIn("EncryptionType", out)
        got = {}
        for shard in ("shardId-000000000000", "shardId-000000000001"):
            for r in self.read_all(name, shard):
                got[r["SequenceNumber"]] = r
        self.assertEqual(len(got), 500)
        # within one shard, the batch's records are numbered in the order they were sent
        for shard in ("shardId-000000000000", "shardId-000000000001"):
            numbers = [int(r["SequenceNumber"]) for r in out["Records"] if r["ShardId"] == shard]
            self.assertTrue(numbers)
            self.assertEqual(numbers, sorted(numbers))
        for i, r in enumerate(out["Records"]):
            self.assertEqual(got[r["SequenceNumber"]]["Data"], records[i]["Data"])
            self.assertEqual(got[r["SequenceNumber"]]["PartitionKey"], f"p{i}")

    def test_limits(self):
        name = self.stream(1)
        too_many = [{"Data": b"x", "PartitionKey": "p"} for _ in range(501)]
        message = self.assertError("ValidationException", self.kinesis.put_records, StreamName=name,
                                   Records=too_many)
        self.assertIn("Member must have length less than or equal to 500", message)
        big = b"x" * (1024 * 1024 + 1)
        message = self.assertError("ValidationException", self.kinesis.put_record, StreamName=name, Data=big,
                                   PartitionKey="p")
        self.assertIn("'data' failed to satisfy constraint: Member must have length less than or equal to 1048576",
                      message)
        message = self.assertError("ValidationException", self.kinesis.put_records, StreamName=name,
                                   Records=[{"Data": b"x", "PartitionKey": "p"}, {"Data": big, "PartitionKey": "p"}])
        self.assertIn("'records.2.member.data' failed to satisfy constraint", message)
        # the record limit counts the partition key with the data: 1 MiB in all fits
        self.kinesis.put_record(StreamName=name, Data=b"x" * (1024 * 1024 - 1), PartitionKey="p")
        # a PutRecords request holds at most 10 MiB of data and partition keys
        almost = b"x" * (1024 * 1024 - 1)
        self.assertError("InvalidArgumentException", self.kinesis.put_records, StreamName=name,
                         Records=[{"Data": almost, "PartitionKey": "p"} for _ in range(11)],
                         message="Records size exceeds 10 MB limit")
        self.assertError(
            "InvalidArgumentException", self.kinesis.put_record, StreamName=name, Data=b"x", PartitionKey="p",
            ExplicitHashKey=str(2**128),
            message="Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
                    f"Specified value was {2**128}")
        self.assertError("ResourceNotFoundException", self.kinesis.put_record, StreamName=unique(), Data=b"x",
                         PartitionKey="p")
        # nothing of the refused batches went in
        self.assertEqual(len(self.read_all(name, "shardId-000000000000")), 1)

    def test_iterator_types(self):
        name = self.stream(1)
        shard = "shardId-000000000000"
        seqs = [self.kinesis.put_record(StreamName=name, Data=f"m{i}".encode(), PartitionKey="p")["SequenceNumber"]
                for i in range(5)]
        data = lambda records: [r["Data"] for r in records]  # noqa: E731
        self.assertEqual(data(self.read_all(name, shard)), [b"m0", b"m1", b"m2", b"m3", b"m4"])
        self.assertEqual(data(self.read_all(name, shard, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])),
                         [b"m2", b"m3", b"m4"])
        self.assertEqual(data(self.read_all(name, shard, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])),
                         [b"m3", b"m4"])
        latest = self.iterator(name, shard, "LATEST")
        self.assertEqual(self.kinesis.get_records(ShardIterator=latest)["Records"], [])
        time.sleep(1.1)  # boto3 sends timestamps in whole seconds
        cut = datetime.datetime.now(datetime.timezone.utc)
        time.sleep(1.1)
        self.kinesis.put_record(StreamName=name, Data=b"m5", PartitionKey="p")
        self.assertEqual(data(self.read_all(name, shard, "AT_TIMESTAMP", Timestamp=cut)), [b"m5"])
        # an iterator taken at LATEST sees what came after it
        self.assertEqual(data(self.kinesis.get_records(ShardIterator=latest)["Records"]), [b"m5"])
        self.assertError("InvalidArgumentException", self.kinesis.get_shard_iterator, StreamName=name,
                         ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER")
        self.assertError("InvalidArgumentException", self.kinesis.get_shard_iterator, StreamName=name,
                         ShardId=shard, ShardIteratorType="AT_TIMESTAMP")
        self.assertError("InvalidArgumentException", self.kinesis.get_shard_iterator, StreamName=name,
                         ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="12")
        self.assertError("ResourceNotFoundException", self.kinesis.get_shard_iterator, StreamName=name,
                         ShardId="shardId-000000000007", ShardIteratorType="LATEST")
        self.assertError("InvalidArgumentException", self.kinesis.get_records, ShardIterator="bm90IGFuIGl0ZXJhdG9y")
        message = self.assertError("InvalidArgumentException", self.kinesis.get_shard_iterator, StreamName=name,
                                   ShardId=shard, ShardIteratorType="AT_TIMESTAMP", Timestamp=time.time() + 3600)
        self.assertIn("cannot be greater than the currentTimestampInMillis", message)

    def test_limit_next_iterator_and_millis_behind(self):
        name = self.stream(1)
        before = time.time()
        self.kinesis.put_records(StreamName=name,
                                 Records=[{"Data": f"m{i}".encode(), "PartitionKey": "p"} for i in range(7)])
        after = time.time()
        it = self.iterator(name, "shardId-000000000000")
        pages = []
        while True:
            page = self.kinesis.get_records(ShardIterator=it, Limit=3)
            self.assertIn("NextShardIterator", page)
            self.assertIn("MillisBehindLatest", page)
            if not page["Records"]:
                self.assertEqual(page["MillisBehindLatest"], 0)
                break
            pages.append([r["Data"] for r in page["Records"]])
            for r in page["Records"]:
                ts = r["ApproximateArrivalTimestamp"].timestamp()
                self.assertTrue(before - 1 <= ts <= after + 1, (before, ts, after))
            it = page["NextShardIterator"]
        self.assertEqual(pages, [[b"m0", b"m1", b"m2"], [b"m3", b"m4", b"m5"], [b"m6"]])

    def test_sequence_number_of_another_shard(self):
        name = self.stream(2)
        put = self.kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="p",
                                      ExplicitHashKey=str(MAX_HASH_KEY))
        self.assertEqual(put["ShardId"], "shardId-000000000001")
        message = self.assertError("InvalidArgumentException", self.kinesis.get_shard_iterator, StreamName=name,
                                   ShardId="shardId-000000000000", ShardIteratorType="AT_SEQUENCE_NUMBER",
                                   StartingSequenceNumber=put["SequenceNumber"])
        self.assertIn("shardId-000000000001", message)
        self.assertIn("shardId-000000000000", message)

    def test_iterators_of_a_deleted_stream(self):
        name = self.stream(1)
        self.kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="p")
        it = self.iterator(name, "shardId-000000000000")
        self.kinesis.delete_stream(StreamName=name)
        self.assertError("ResourceNotFoundException", self.kinesis.get_records, ShardIterator=it)
        # nor do they read a new stream of the same name
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.kinesis.create_stream(StreamName=name, ShardCount=1)
                break
            except self.kinesis.exceptions.ResourceInUseException:
                time.sleep(0.05)
        self.wait_active(name)
        self.kinesis.put_record(StreamName=name, Data=b"y", PartitionKey="p")
        self.assertError("ResourceNotFoundException", self.kinesis.get_records, ShardIterator=it)

    def test_sequence_for_ordering(self):
        name = self.stream(1)
        first = self.kinesis.put_record(StreamName=name, Data=b"a", PartitionKey="p")["SequenceNumber"]
        second = self.kinesis.put_record(StreamName=name, Data=b"b", PartitionKey="p",
                                         SequenceNumberForOrdering=first)["SequenceNumber"]
        self.assertGreater(int(second), int(first))


class Expiry(KinesisCase):
    eddy_args = ["--clock", "manual"]

    def test_iterator_expires_after_five_minutes(self):
        name = self.stream(1)
        self.kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="p")
        it = self.iterator(name, "shardId-000000000000")
        advance(self.eddy, 299)
        page = self.kinesis.get_records(ShardIterator=it)
        self.assertEqual(len(page["Records"]), 1)
        fresh = page["NextShardIterator"]
        advance(self.eddy, 2)
        message = self.assertError("ExpiredIteratorException", self.kinesis.get_records, ShardIterator=it)
        self.assertTrue(re.search(r"expired", message, re.I), message)
        # NextShardIterator is a new iterator with its own five minutes
        self.assertEqual(self.kinesis.get_records(ShardIterator=fresh)["Records"], [])

    def test_arrival_timestamps_follow_the_clock(self):
        name = self.stream(1)
        self.kinesis.put_record(StreamName=name, Data=b"a", PartitionKey="p")
        advance(self.eddy, 3600)
        self.kinesis.put_record(StreamName=name, Data=b"b", PartitionKey="p")
        advance(self.eddy, 3600)
        self.kinesis.put_record(StreamName=name, Data=b"c", PartitionKey="p")
        a, b, c = self.read_all(name, "shardId-000000000000")
        delta = b["ApproximateArrivalTimestamp"] - a["ApproximateArrivalTimestamp"]
        self.assertAlmostEqual(delta.total_seconds(), 3600, delta=1)
        # a reader at the first record is between one and two hours behind the tip
        page = self.kinesis.get_records(ShardIterator=self.iterator(name, "shardId-000000000000"), Limit=1)
        self.assertGreaterEqual(page["MillisBehindLatest"], 3600 * 1000)
        self.assertLessEqual(page["MillisBehindLatest"], 7200 * 1000)
        page = self.kinesis.get_records(ShardIterator=page["NextShardIterator"])
        self.assertEqual([r["Data"] for r in page["Records"]], [b"b", b"c"])
        self.assertEqual(page["MillisBehindLatest"], 0)

if __name__ == "__main__":
    unittest.main()
