"""Kinesis resharding: SplitShard, MergeShards and UpdateShardCount close
shards and open children that name their parents; closed parents keep their
records until read to the end, which hands the reader its ChildShards.
"""
import unittest

from kinesis_support import MAX_HASH_KEY, KinesisCase, hash_key, quiet, unique

S = "shardId-{:012d}".format


def setUpModule():
    quiet()


class Resharding(KinesisCase):
    def by_id(self, name):
        return {s["ShardId"]: s for s in self.shards(name)}

    def hash_range(self, shard):
        return int(shard["HashKeyRange"]["StartingHashKey"]), int(shard["HashKeyRange"]["EndingHashKey"])

    def test_split_lineage_and_draining_the_parent(self):
        name = self.stream(1)
        before = [self.kinesis.put_record(StreamName=name, Data=f"old{i}".encode(), PartitionKey=f"k{i}")
                  for i in range(4)]
        middle = 2**127
        self.kinesis.split_shard(StreamName=name, ShardToSplit=S(0), NewStartingHashKey=str(middle))
        self.wait_active(name)
        shards = self.by_id(name)
        self.assertEqual(sorted(shards), [S(0), S(1), S(2)])
        parent = shards[S(0)]
        self.assertIn("EndingSequenceNumber", parent["SequenceNumberRange"])
        ending = int(parent["SequenceNumberRange"]["EndingSequenceNumber"])
        self.assertGreaterEqual(ending, max(int(p["SequenceNumber"]) for p in before))
        self.assertEqual(self.hash_range(shards[S(1)]), (0, middle - 1))
        self.assertEqual(self.hash_range(shards[S(2)]), (middle, MAX_HASH_KEY))
        for child in (S(1), S(2)):
            self.assertEqual(shards[child]["ParentShardId"], S(0))
            self.assertNotIn("AdjacentParentShardId", shards[child])
            self.assertNotIn("EndingSequenceNumber", shards[child]["SequenceNumberRange"])
            self.assertGreater(int(shards[child]["SequenceNumberRange"]["StartingSequenceNumber"]), ending)
        # new records go to the children, by hash key
        for i in range(10):
            put = self.kinesis.put_record(StreamName=name, Data=b"new", PartitionKey=f"n{i}")
            self.assertEqual(put["ShardId"], S(1) if hash_key(f"n{i}") < middle else S(2))
            self.assertGreater(int(put["SequenceNumber"]), ending)
        # the parent is read to its end: no NextShardIterator, and the children
        it = self.iterator(name, S(0))
        page = self.kinesis.get_records(ShardIterator=it)
        self.assertEqual([r["Data"] for r in page["Records"]], [f"old{i}".encode() for i in range(4)])
        if "NextShardIterator" in page:  # AWS may need one more call to say the shard ended
            page = self.kinesis.get_records(ShardIterator=page["NextShardIterator"])
            self.assertEqual(page["Records"], [])
        self.assertNotIn("NextShardIterator", page)
        children = sorted(page["ChildShards"], key=lambda c: c["ShardId"])
        self.assertEqual([c["ShardId"] for c in children], [S(1), S(2)])
        self.assertEqual([c["ParentShards"] for c in children], [[S(0)], [S(0)]])
        self.assertEqual(int(children[1]["HashKeyRange"]["StartingHashKey"]), middle)
        # a parent with nothing left in it ends at once
        it = self.iterator(name, S(0), "LATEST")
        page = self.kinesis.get_records(ShardIterator=it)
        self.assertNotIn("NextShardIterator", page)
        self.assertEqual(len(page["ChildShards"]), 2)
        # a closed shard takes no more splits
        self.assertError("ResourceInUseException", self.kinesis.split_shard, StreamName=name, ShardToSplit=S(0),
                         NewStartingHashKey=str(2**100))

    def test_merge_lineage(self):
        name = self.stream(3)
        self.kinesis.put_record(StreamName=name, Data=b"a", PartitionKey="p", ExplicitHashKey="0")
        self.kinesis.merge_shards(StreamName=name, ShardToMerge=S(0), AdjacentShardToMerge=S(1))
        self.wait_active(name)
        shards = self.by_id(name)
        child = shards[S(3)]
        self.assertEqual(child["ParentShardId"], S(0))
        self.assertEqual(child["AdjacentParentShardId"], S(1))
        self.assertEqual(self.hash_range(child), (0, self.hash_range(shards[S(1)])[1]))
        for p in (S(0), S(1)):
            self.assertIn("EndingSequenceNumber", shards[p]["SequenceNumberRange"])
        self.assertNotIn("EndingSequenceNumber", shards[S(2)]["SequenceNumberRange"])
        self.assertEqual(self.kinesis.put_record(StreamName=name, Data=b"b", PartitionKey="p",
                                                 ExplicitHashKey="0")["ShardId"], S(3))
        records = self.read_all(name, S(0))
        self.assertEqual([r["Data"] for r in records], [b"a"])
        page = self.kinesis.get_records(ShardIterator=self.iterator(name, S(1)))
        self.assertNotIn("NextShardIterator", page)
        self.assertEqual(page["ChildShards"][0]["ShardId"], S(3))
        self.assertEqual(page["ChildShards"][0]["ParentShards"], [S(0), S(1)])
        summary = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["OpenShardCount"], 2)

    def test_update_shard_count_is_uniform(self):
        name = self.stream(3)
        for target in (5, 8, 4):
            out = self.kinesis.update_shard_count(StreamName=name, TargetShardCount=target,
                                                  ScalingType="UNIFORM_SCALING")
            self.assertEqual(out["TargetShardCount"], target)
            self.wait_active(name)
            open_shards = [s for s in self.shards(name) if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
            self.assertEqual(len(open_shards), target)
            ranges = sorted(self.hash_range(s) for s in open_shards)
            self.assertEqual(ranges[0][0], 0)
            self.assertEqual(ranges[-1][1], MAX_HASH_KEY)
            sizes = [end - start + 1 for start, end in ranges]
            self.assertLessEqual(max(sizes) - min(sizes), 1, sizes)
            for (_, end), (start, _) in zip(ranges, ranges[1:]):
                self.assertEqual(start, end + 1)
            for s in self.shards(name):
                if s["ShardId"] != S(0) and s["ShardId"] not in (S(1), S(2)):
                    self.assertIn("ParentShardId", s)
        self.assertError("LimitExceededException", self.kinesis.update_shard_count, StreamName=name,
                         TargetShardCount=9, ScalingType="UNIFORM_SCALING")
        self.assertError("LimitExceededException", self.kinesis.update_shard_count, StreamName=name,
                         TargetShardCount=1, ScalingType="UNIFORM_SCALING")

    def test_errors(self):
        name = self.stream(2)
        self.assertError("ResourceNotFoundException", self.kinesis.split_shard, StreamName=name, ShardToSplit=S(9),
                         NewStartingHashKey="5")
        self.assertError("ResourceNotFoundException", self.kinesis.split_shard, StreamName=unique(),
                         ShardToSplit=S(0), NewStartingHashKey="5")
        # the new starting key must lie inside the shard (shard 0 holds [0, 2^127 - 1])
        self.assertError("InvalidArgumentException", self.kinesis.split_shard, StreamName=name, ShardToSplit=S(0),
                         NewStartingHashKey=str(2**127 + 1))
        self.assertError("InvalidArgumentException", self.kinesis.split_shard, StreamName=name, ShardToSplit=S(0),
                         NewStartingHashKey="0")
        self.assertError("ResourceNotFoundException", self.kinesis.merge_shards, StreamName=name,
                         ShardToMerge=S(0), AdjacentShardToMerge=S(7))
        self.assertError("InvalidArgumentException", self.kinesis.merge_shards, StreamName=name,
                         ShardToMerge=S(0), AdjacentShardToMerge=S(0))
        self.kinesis.split_shard(StreamName=name, ShardToSplit=S(0), NewStartingHashKey=str(2**126))
        self.wait_active(name)
        # shards 2 = [0, 2^126) and 1 = [2^127, max] are not adjacent
        self.assertError("InvalidArgumentException", self.kinesis.merge_shards, StreamName=name,
                         ShardToMerge=S(2), AdjacentShardToMerge=S(1))
        self.assertError("ResourceInUseException", self.kinesis.merge_shards, StreamName=name,
                         ShardToMerge=S(0), AdjacentShardToMerge=S(1))
        self.assertEqual(self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
                         ["OpenShardCount"], 3)


if __name__ == "__main__":
    unittest.main()
