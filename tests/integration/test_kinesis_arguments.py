"""The argument checks Kinesis makes beyond its model: the characters tag keys and values
may hold (AddTagsToStream, RemoveTagsFromStream, TagResource, UntagResource, CreateStream's
Tags), where SplitShard may cut a shard, and which shards MergeShards may join."""
import os
import subprocess
import unittest

from harness import cli_env
from kinesis_support import MAX_HASH_KEY, KinesisCase, unique

AWS = os.environ.get("EDDY_AWS_CLI", "aws")

INVALID = ("Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, "
           "_ . / = + - % @ :.")


class TagCharacters(KinesisCase):
    def test_valid_tags(self):
        name = self.stream()
        tags = {"team": "a b", "path/x=y+z-w@v.u_t:s": "1", "café": "日本", "Ωmega": "ok"}
        self.kinesis.add_tags_to_stream(StreamName=name, Tags=tags)
        got = {t["Key"]: t["Value"] for t in self.kinesis.list_tags_for_stream(StreamName=name)["Tags"]}
        self.assertEqual(got, tags)

    def test_invalid_characters(self):
        name = self.stream()
        for tags in ({"abc;def": "1"}, {"a": "tab\there"}, {"smile\U0001F600": "1"}, {"a": "x#y"}):
            self.assertError("InvalidArgumentException", self.kinesis.add_tags_to_stream, StreamName=name,
                             Tags=tags, message=INVALID)
        self.assertError("InvalidArgumentException", self.kinesis.remove_tags_from_stream, StreamName=name,
                         TagKeys=["abc;def"], message=INVALID)
        self.assertEqual(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"], [])

    def test_percent_is_refused_by_a_change_of_tags(self):
        name = self.stream()
        account = "000000000000"
        allowed = "Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'."
        self.assertError("InvalidArgumentException", self.kinesis.add_tags_to_stream, StreamName=name,
                         Tags={"a%b": "1"},
                         message=f"Failed to add tags to stream {name} under account {account} because some tags "
                                 f"contained illegal characters. The allowed characters are {allowed}")
        self.assertError("InvalidArgumentException", self.kinesis.remove_tags_from_stream, StreamName=name,
                         TagKeys=["a%b"],
                         message=f"Failed to remove tags from stream {name} under account {account} because some "
                                 f"tags contained illegal characters. The allowed characters are {allowed}")

    def test_create_stream_and_resource_tags(self):
        if not hasattr(self.kinesis, "tag_resource"):
            self.skipTest("boto3 1.26 predates CreateStream's Tags and TagResource")
        name = unique()
        self.assertError("InvalidArgumentException", self.kinesis.create_stream, StreamName=name, ShardCount=1,
                         Tags={"bad;key": "1"}, message=INVALID)
        self.assertError("ResourceNotFoundException", self.kinesis.describe_stream_summary, StreamName=name)
        name = self.stream()
        arn = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        self.assertError("InvalidArgumentException", self.kinesis.tag_resource, ResourceARN=arn,
                         Tags={"a": "b;c"}, message=INVALID)


class Resharding(KinesisCase):
    def test_split_point_strictly_inside_the_shard(self):
        name = self.stream(shards=1)
        shard = self.shards(name)[0]["ShardId"]
        for key in (0, 1, MAX_HASH_KEY, MAX_HASH_KEY + 1):
            message = self.assertError("InvalidArgumentException", self.kinesis.split_shard, StreamName=name,
                                       ShardToSplit=shard, NewStartingHashKey=str(key))
            self.assertIn("is not both greater than one plus the shard's StartingHashKey 0 and less than the "
                          f"shard's EndingHashKey {MAX_HASH_KEY}", message)
        self.kinesis.split_shard(StreamName=name, ShardToSplit=shard, NewStartingHashKey="2")
        self.wait_active(name)
        children = [s for s in self.shards(name) if s.get("ParentShardId") == shard]
        self.assertEqual([c["HashKeyRange"]["StartingHashKey"] for c in children], ["0", "2"])

    def test_merge_needs_adjacent_shards(self):
        name = self.stream(shards=3)
        ids = [s["ShardId"] for s in self.shards(name)]
        message = self.assertError("InvalidArgumentException", self.kinesis.merge_shards, StreamName=name,
                                   ShardToMerge=ids[0], AdjacentShardToMerge=ids[2])
        self.assertIn("are not an adjacent pair of shards eligible for merging", message)
        self.kinesis.merge_shards(StreamName=name, ShardToMerge=ids[0], AdjacentShardToMerge=ids[1])


class ThroughTheCli(KinesisCase):
    """What the AWS CLI shows: AWS's messages, all violations in one."""

    def cli(self, *args):
        out = subprocess.run([AWS, "--endpoint-url", self.eddy.endpoint, "kinesis", *args],
                             env=cli_env(self.eddy.endpoint), capture_output=True, text=True, timeout=60)
        self.assertNotEqual(out.returncode, 0, out.stdout)
        return out.stderr

    def test_pattern_and_tag_checks(self):
        err = self.cli("describe-stream-summary", "--stream-name", "bad name!")
        self.assertIn("ValidationException", err)
        self.assertIn("1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: "
                      "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", err)
        name = self.stream()
        err = self.cli("add-tags-to-stream", "--stream-name", name, "--tags", '{"bad;key": "1"}')
        self.assertIn("InvalidArgumentException", err)
        self.assertIn("Some tags contain invalid characters", err)
        # checked against the model before the stream is looked up
        err = self.cli("put-record", "--stream-name", "no-such-stream", "--partition-key", "k", "--data", "eA==",
                       "--explicit-hash-key", "0123")
        self.assertIn("ValidationException", err)
        self.assertIn(r"at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression "
                      r"pattern: 0|([1-9]\d{0,38})", err)


if __name__ == "__main__":
    unittest.main()
