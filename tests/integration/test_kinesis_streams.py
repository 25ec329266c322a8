"""Kinesis streams as the control plane sees them: creation in both capacity
modes, describing and listing with their pagination, ListShards filters, the
capacity mode, retention, tags (old and new APIs), encryption, the CREATING ->
ACTIVE transition, enhanced fan-out consumers, and streams named by ARN.
"""
import datetime
import os
import time
import unittest

from harness import client
from kinesis_support import MAX_HASH_KEY, KinesisCase, advance, quiet, unique

ARN_PREFIX = "arn:aws:kinesis:us-east-1:000000000000:stream/"


def setUpModule():
    quiet()


class Streams(KinesisCase):
    def summary(self, **kwargs):
        return self.kinesis.describe_stream_summary(**kwargs)["StreamDescriptionSummary"]

    def assert_covers_hash_space(self, shards):
        ranges = sorted((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
                        for s in shards)
        self.assertEqual(ranges[0][0], 0)
        self.assertEqual(ranges[-1][1], MAX_HASH_KEY)
        for (_, end), (start, _) in zip(ranges, ranges[1:]):
            self.assertEqual(start, end + 1)

    def test_create_provisioned(self):
        name = self.stream(3)
        d = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(d["StreamName"], name)
        self.assertTrue(d["StreamARN"].startswith("arn:aws:kinesis:us-east-1:"))
        self.assertTrue(d["StreamARN"].endswith(":stream/" + name))
        self.assertEqual(d["StreamStatus"], "ACTIVE")
        self.assertEqual(d["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.assertEqual(d["RetentionPeriodHours"], 24)
        self.assertEqual(d["EncryptionType"], "NONE")
        self.assertFalse(d["HasMoreShards"])
        self.assertIsInstance(d["StreamCreationTimestamp"], datetime.datetime)
        self.assertEqual([s["ShardId"] for s in d["Shards"]],
                         ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"])
        self.assert_covers_hash_space(d["Shards"])
        for s in d["Shards"]:
            self.assertNotIn("ParentShardId", s)
            self.assertRegex(s["SequenceNumberRange"]["StartingSequenceNumber"], r"^\d{56}$")
            self.assertNotIn("EndingSequenceNumber", s["SequenceNumberRange"])

    def test_create_on_demand_has_four_shards(self):
        name = unique()
        self.kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.wait_active(name)
        s = self.summary(StreamName=name)
        self.assertEqual(s["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        self.assertEqual(s["OpenShardCount"], 4)
        shards = self.shards(name)
        self.assertEqual(len(shards), 4)
        self.assert_covers_hash_space(shards)

    def test_create_errors(self):
        name = self.stream(1)
        self.assertError("ResourceInUseException", self.kinesis.create_stream, StreamName=name, ShardCount=1)
        self.assertError("InvalidArgumentException", self.kinesis.create_stream, StreamName=unique())
        self.assertError("ResourceNotFoundException", self.kinesis.describe_stream, StreamName=unique())
        self.assertError("ResourceNotFoundException", self.kinesis.describe_stream_summary, StreamName=unique())
        # 500 open shards per account and region
        message = self.assertError("LimitExceededException", self.kinesis.create_stream, StreamName=unique(),
                                   ShardCount=501)
        self.assertIn("shard limit", message)

    def test_describe_stream_summary(self):
        name = self.stream(2)
        s = self.summary(StreamName=name)
        self.assertEqual(s["StreamName"], name)
        self.assertEqual(s["StreamStatus"], "ACTIVE")
        self.assertEqual(s["OpenShardCount"], 2)
        self.assertEqual(s["ConsumerCount"], 0)
        self.assertEqual(s["RetentionPeriodHours"], 24)
        self.assertEqual(s["EncryptionType"], "NONE")
        self.assertTrue(s["StreamId"])
        self.assertEqual(s["EnhancedMonitoring"], [{"ShardLevelMetrics": []}])

    def test_describe_stream_pages_shards(self):
        name = self.stream(5)
        seen, after = [], None
        while True:
            kwargs = {"ExclusiveStartShardId": after} if after else {}
            d = self.kinesis.describe_stream(StreamName=name, Limit=2, **kwargs)["StreamDescription"]
            self.assertLessEqual(len(d["Shards"]), 2)
            seen += [s["ShardId"] for s in d["Shards"]]
            if not d["HasMoreShards"]:
                break
            self.assertEqual(len(d["Shards"]), 2)
            after = d["Shards"][-1]["ShardId"]
        self.assertEqual(seen, [f"shardId-{i:012d}" for i in range(5)])
        d = self.kinesis.describe_stream(StreamName=name, ExclusiveStartShardId="shardId-000000000003")
        self.assertEqual([s["ShardId"] for s in d["StreamDescription"]["Shards"]], ["shardId-000000000004"])

    def test_list_streams_pages_with_summaries(self):
        names = sorted(unique("ls") for _ in range(5))
        for n in names:
            self.kinesis.create_stream(StreamName=n, ShardCount=1)
        listed, summaries, token = [], [], None
        while True:
            page = self.kinesis.list_streams(Limit=2, **({"NextToken": token} if token else {}))
            self.assertLessEqual(len(page["StreamNames"]), 2)
            listed += page["StreamNames"]
            summaries += page["StreamSummaries"]
            token = page.get("NextToken")
            self.assertEqual(page["HasMoreStreams"], token is not None)
            if not token:
                break
        for n in names:
            self.assertIn(n, listed)
        self.assertEqual(listed, sorted(listed))
        self.assertEqual(len(listed), len(set(listed)))
        by_name = {s["StreamName"]: s for s in summaries}
        self.assertEqual(by_name[names[0]]["StreamARN"], ARN_PREFIX + names[0])
        self.assertEqual(by_name[names[0]]["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.assertIn(by_name[names[0]]["StreamStatus"], ("CREATING", "ACTIVE"))
        self.assertIsInstance(by_name[names[0]]["StreamCreationTimestamp"], datetime.datetime)
        # the older ExclusiveStartStreamName paging
        page = self.kinesis.list_streams(ExclusiveStartStreamName=names[3])
        self.assertNotIn(names[3], page["StreamNames"])
        self.assertIn(names[4], page["StreamNames"])

    def test_list_shards_pages_with_next_token(self):
        name = self.stream(5)
        page = self.kinesis.list_shards(StreamName=name, MaxResults=2)
        ids = [s["ShardId"] for s in page["Shards"]]
        self.assertEqual(ids, ["shardId-000000000000", "shardId-000000000001"])
        while "NextToken" in page:
            page = self.kinesis.list_shards(NextToken=page["NextToken"], MaxResults=2)
            ids += [s["ShardId"] for s in page["Shards"]]
        self.assertEqual(ids, [f"shardId-{i:012d}" for i in range(5)])
        page = self.kinesis.list_shards(StreamName=name, ExclusiveStartShardId="shardId-000000000002")
        self.assertEqual([s["ShardId"] for s in page["Shards"]], ["shardId-000000000003", "shardId-000000000004"])
        token = self.kinesis.list_shards(StreamName=name, MaxResults=1)["NextToken"]
        self.assertError("InvalidArgumentException", self.kinesis.list_shards, StreamName=name, NextToken=token)
        # a NextToken says where to go on: ExclusiveStartShardId cannot come with it
        self.assertError("InvalidArgumentException", self.kinesis.list_shards, NextToken=token,
                         ExclusiveStartShardId="shardId-000000000003")
        self.assertError("InvalidArgumentException", self.kinesis.list_shards, NextToken=token,
                         StreamCreationTimestamp=time.time())

    def test_list_shards_filters(self):
        name = self.stream(2)
        # boto3 sends timestamps in whole seconds: keep each moment in a second of its own
        time.sleep(1.1)
        created = time.time()
        time.sleep(1.1)
        self.kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                                 NewStartingHashKey=str(2**126))
        self.wait_active(name)
        time.sleep(1.1)
        every = ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"]
        open_now = every[1:]

        def ids(**flt):
            return [s["ShardId"] for s in self.kinesis.list_shards(StreamName=name, ShardFilter=flt)["Shards"]]

        self.assertEqual([s["ShardId"] for s in self.shards(name)], every)
        self.assertEqual(ids(Type="AFTER_SHARD_ID", ShardId="shardId-000000000001"), every[2:])
        self.assertEqual(ids(Type="AT_TRIM_HORIZON"), ["shardId-000000000000", "shardId-000000000001"])
        self.assertEqual(ids(Type="FROM_TRIM_HORIZON"), every)
        self.assertEqual(ids(Type="AT_LATEST"), open_now)
        self.assertEqual(ids(Type="AT_TIMESTAMP", Timestamp=created), ["shardId-000000000000", "shardId-000000000001"])
        self.assertEqual(ids(Type="AT_TIMESTAMP", Timestamp=time.time()), open_now)
        self.assertEqual(ids(Type="FROM_TIMESTAMP", Timestamp=created), every)
        self.assertEqual(ids(Type="FROM_TIMESTAMP", Timestamp=time.time()), open_now)
        self.assertError("InvalidArgumentException", self.kinesis.list_shards, StreamName=name,
                         ShardFilter={"Type": "AFTER_SHARD_ID"})
        self.assertError("InvalidArgumentException", self.kinesis.list_shards, StreamName=name,
                         ShardFilter={"Type": "AT_TIMESTAMP"})

    def test_update_stream_mode(self):
        name = self.stream(2)
        arn = self.summary(StreamName=name)["StreamARN"]
        self.kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.wait_active(name)
        self.assertEqual(self.summary(StreamName=name)["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        # resharding by hand is for provisioned streams only
        self.assertError("ValidationException", self.kinesis.update_shard_count, StreamName=name,
                         TargetShardCount=3, ScalingType="UNIFORM_SCALING")
        self.kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
        self.wait_active(name)
        self.assertEqual(self.summary(StreamARN=arn)["StreamModeDetails"], {"StreamMode": "PROVISIONED"})

    def test_retention_period(self):
        name = self.stream(1)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        self.assertEqual(self.summary(StreamName=name)["RetentionPeriodHours"], 48)
        self.kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=36)
        self.assertEqual(self.summary(StreamName=name)["RetentionPeriodHours"], 36)
        self.assertError("InvalidArgumentException", self.kinesis.increase_stream_retention_period,
                         StreamName=name, RetentionPeriodHours=24)
        self.assertError("InvalidArgumentException", self.kinesis.decrease_stream_retention_period,
                         StreamName=name, RetentionPeriodHours=48)
        self.assertError("InvalidArgumentException", self.kinesis.decrease_stream_retention_period,
                         StreamName=name, RetentionPeriodHours=12)
        self.assertError("InvalidArgumentException", self.kinesis.increase_stream_retention_period,
                         StreamName=name, RetentionPeriodHours=8761)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=8760)
        self.assertEqual(self.summary(StreamName=name)["RetentionPeriodHours"], 8760)
        self.assertError("ResourceNotFoundException", self.kinesis.increase_stream_retention_period,
                         StreamName=unique(), RetentionPeriodHours=48)

    def test_tags_old_and_new_apis(self):
        name = unique()
        self.kinesis.create_stream(StreamName=name, ShardCount=1, Tags={"team": "a"})
        self.wait_active(name)
        arn = self.summary(StreamName=name)["StreamARN"]
        self.kinesis.add_tags_to_stream(StreamName=name, Tags={"env": "dev", "cost": "1"})
        old = self.kinesis.list_tags_for_stream(StreamName=name)
        self.assertEqual(old["Tags"], [{"Key": "cost", "Value": "1"}, {"Key": "env", "Value": "dev"},
                                       {"Key": "team", "Value": "a"}])
        self.assertFalse(old["HasMoreTags"])
        page = self.kinesis.list_tags_for_stream(StreamName=name, Limit=2)
        self.assertTrue(page["HasMoreTags"])
        self.assertEqual(len(page["Tags"]), 2)
        rest = self.kinesis.list_tags_for_stream(StreamName=name, ExclusiveStartTagKey="env")
        self.assertEqual(rest["Tags"], [{"Key": "team", "Value": "a"}])
        self.kinesis.remove_tags_from_stream(StreamName=name, TagKeys=["cost"])
        # the newer resource APIs see and change the same tags
        self.kinesis.tag_resource(ResourceARN=arn, Tags={"owner": "me"})
        tags = {t["Key"]: t["Value"] for t in self.kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"]}
        self.assertEqual(tags, {"env": "dev", "team": "a", "owner": "me"})
        self.kinesis.untag_resource(ResourceARN=arn, TagKeys=["team"])
        tags = {t["Key"]: t["Value"] for t in self.kinesis.list_tags_for_stream(StreamName=name)["Tags"]}
        self.assertEqual(tags, {"env": "dev", "owner": "me"})
        too_many = {f"k{i}": "v" for i in range(49)}
        self.assertError("InvalidArgumentException", self.kinesis.add_tags_to_stream, StreamName=name,
                         Tags=too_many)

    def test_encryption_start_stop(self):
        name = self.stream(1)
        self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
        self.wait_active(name)
        s = self.summary(StreamName=name)
        self.assertEqual((s["EncryptionType"], s["KeyId"]), ("KMS", "alias/aws/kinesis"))
        put = self.kinesis.put_record(StreamName=name, Data=b"secret", PartitionKey="p")
        self.assertEqual(put["EncryptionType"], "KMS")
        batch = self.kinesis.put_records(StreamName=name, Records=[{"Data": b"x", "PartitionKey": "p"}])
        self.assertEqual(batch["EncryptionType"], "KMS")
        records = self.read_all(name, "shardId-000000000000")
        self.assertEqual([r["EncryptionType"] for r in records], ["KMS", "KMS"])
        self.kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
        self.wait_active(name)
        s = self.summary(StreamName=name)
        self.assertEqual(s["EncryptionType"], "NONE")
        self.assertNotIn("KeyId", s)
        self.assertNotIn("EncryptionType", self.kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="p"))

    def test_stream_arn_addresses_the_stream(self):
        name = self.stream(1)
        arn = ARN_PREFIX + name
        self.assertEqual(self.summary(StreamARN=arn)["StreamName"], name)
        put = self.kinesis.put_record(StreamARN=arn, Data=b"by arn", PartitionKey="k")
        it = self.kinesis.get_shard_iterator(StreamARN=arn, ShardId=put["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.assertEqual(self.kinesis.get_records(ShardIterator=it, StreamARN=arn)["Records"][0]["Data"], b"by arn")
        self.assertEqual(len(self.kinesis.list_shards(StreamARN=arn)["Shards"]), 1)
        self.kinesis.add_tags_to_stream(StreamARN=arn, Tags={"a": "b"})
        self.assertEqual(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"], [{"Key": "a", "Value": "b"}])
        self.assertError("ResourceNotFoundException", self.kinesis.describe_stream_summary,
                         StreamARN=ARN_PREFIX + unique())
        self.kinesis.delete_stream(StreamARN=arn)
        deadline = time.monotonic() + 10
        while name in self.kinesis.list_streams()["StreamNames"] and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertNotIn(name, self.kinesis.list_streams()["StreamNames"])

    def test_consumers(self):
        name = self.stream(1)
        arn = self.summary(StreamName=name)["StreamARN"]
        c = self.kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app-1")["Consumer"]
        self.assertEqual(c["ConsumerName"], "app-1")
        self.assertTrue(c["ConsumerARN"].startswith(arn + "/consumer/app-1:"))
        self.assertIn(c["ConsumerStatus"], ("CREATING", "ACTIVE"))
        self.assertError("ResourceInUseException", self.kinesis.register_stream_consumer, StreamARN=arn,
                         ConsumerName="app-1")
        self.kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app-2")
        by_arn = self.kinesis.describe_stream_consumer(ConsumerARN=c["ConsumerARN"])["ConsumerDescription"]
        by_name = self.kinesis.describe_stream_consumer(StreamARN=arn, ConsumerName="app-1")["ConsumerDescription"]
        self.assertEqual(by_arn["ConsumerARN"], c["ConsumerARN"])
        self.assertEqual(by_arn["StreamARN"], arn)
        self.assertEqual(by_name["ConsumerARN"], c["ConsumerARN"])
        self.assertEqual(self.summary(StreamName=name)["ConsumerCount"], 2)
        page = self.kinesis.list_stream_consumers(StreamARN=arn, MaxResults=1)
        names = [x["ConsumerName"] for x in page["Consumers"]]
        page = self.kinesis.list_stream_consumers(StreamARN=arn, NextToken=page["NextToken"])
        names += [x["ConsumerName"] for x in page["Consumers"]]
        self.assertEqual(names, ["app-1", "app-2"])
        self.kinesis.deregister_stream_consumer(ConsumerARN=c["ConsumerARN"])
        self.kinesis.deregister_stream_consumer(StreamARN=arn, ConsumerName="app-2")
        self.assertEqual(self.kinesis.list_stream_consumers(StreamARN=arn)["Consumers"], [])
        self.assertError("ResourceNotFoundException", self.kinesis.describe_stream_consumer,
                         ConsumerARN=c["ConsumerARN"])

    def test_regions_are_apart(self):
        name = self.stream(1)
        west = client("kinesis", self.eddy.endpoint, region="us-west-2")
        self.assertNotIn(name, west.list_streams()["StreamNames"])
        self.assertError("ResourceNotFoundException", west.describe_stream_summary, StreamName=name)
        west.create_stream(StreamName=name, ShardCount=2)
        arn = west.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        self.assertTrue(arn.startswith("arn:aws:kinesis:us-west-2:"), arn)
        self.assertEqual(self.summary(StreamName=name)["OpenShardCount"], 1)
        west.delete_stream(StreamName=name)

    def test_enhanced_monitoring(self):
        name = self.stream(1)
        out = self.kinesis.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
        self.assertEqual((out["CurrentShardLevelMetrics"], out["DesiredShardLevelMetrics"]), ([], ["IncomingBytes"]))
        out = self.kinesis.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
        self.assertEqual(len(out["DesiredShardLevelMetrics"]), 7)
        out = self.kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
        self.assertNotIn("IncomingBytes", out["DesiredShardLevelMetrics"])
        self.assertEqual(len(out["DesiredShardLevelMetrics"]), 6)
        summary = self.summary(StreamName=name)
        self.assertEqual(sorted(summary["EnhancedMonitoring"][0]["ShardLevelMetrics"]),
                         sorted(out["DesiredShardLevelMetrics"]))

    def test_describe_limits(self):
        before = self.kinesis.describe_limits()
        self.assertEqual(before["ShardLimit"], 500)
        self.stream(3)
        after = self.kinesis.describe_limits()
        self.assertEqual(after["OpenShardCount"], before["OpenShardCount"] + 3)

    def test_delete_stream_with_consumers(self):
        name = self.stream(1)
        arn = self.summary(StreamName=name)["StreamARN"]
        self.kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="reader")
        self.assertError("ResourceInUseException", self.kinesis.delete_stream, StreamName=name)
        self.assertEqual(self.summary(StreamName=name)["StreamStatus"], "ACTIVE")
        self.kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
        deadline = time.monotonic() + 10
        while name in self.kinesis.list_streams()["StreamNames"] and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertError("ResourceNotFoundException", self.kinesis.describe_stream_summary, StreamName=name)


class Transitions(KinesisCase):
    """CREATING and UPDATING last 1.5 s here, as they take a while on AWS."""

    eddy_env = dict(os.environ, EDDY_KINESIS_TRANSITION_MS="1500")

    def test_creating_then_active(self):
        name = unique()
        self.kinesis.create_stream(StreamName=name, ShardCount=2)
        status = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamStatus"]
        self.assertEqual(status, "CREATING")
        self.assertError("ResourceInUseException", self.kinesis.split_shard, StreamName=name,
                         ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**126))
        self.assertError("ResourceNotFoundException", self.kinesis.put_record, StreamName=name, Data=b"x",
                         PartitionKey="p")
        time.sleep(1.6)
        self.assertEqual(self.kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamStatus"], "ACTIVE")
        self.kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                                 NewStartingHashKey=str(2**126))
        self.assertEqual(self.kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamStatus"],
                         "UPDATING")
        # records still flow while UPDATING, but the shape cannot change again yet
        self.kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="p")
        self.assertError("ResourceInUseException", self.kinesis.merge_shards, StreamName=name,
                         ShardToMerge="shardId-000000000002", AdjacentShardToMerge="shardId-000000000003")
        self.wait_active(name)

    def test_deleting_then_gone(self):
        name = self.stream(1)
        self.kinesis.delete_stream(StreamName=name)
        self.assertEqual(self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
                         ["StreamStatus"], "DELETING")
        self.assertError("ResourceInUseException", self.kinesis.create_stream, StreamName=name, ShardCount=1)
        self.assertError("ResourceNotFoundException", self.kinesis.put_record, StreamName=name, Data=b"x",
                         PartitionKey="p")
        time.sleep(1.6)
        self.assertError("ResourceNotFoundException", self.kinesis.describe_stream_summary, StreamName=name)
        self.assertNotIn(name, self.kinesis.list_streams()["StreamNames"])
        self.kinesis.create_stream(StreamName=name, ShardCount=1)

    def test_update_shard_count_is_updating(self):
        name = self.stream(2)
        out = self.kinesis.update_shard_count(StreamName=name, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
        self.assertEqual((out["CurrentShardCount"], out["TargetShardCount"]), (2, 4))
        self.assertEqual(self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
                         ["StreamStatus"], "UPDATING")
        self.assertError("ResourceInUseException", self.kinesis.update_shard_count, StreamName=name,
                         TargetShardCount=2, ScalingType="UNIFORM_SCALING")
        self.wait_active(name)
        self.assertEqual(self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
                         ["OpenShardCount"], 4)

    def test_consumer_creating_then_active(self):
        name = self.stream(1)
        arn = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        c = self.kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="slow")["Consumer"]
        self.assertEqual(c["ConsumerStatus"], "CREATING")
        time.sleep(1.6)
        d = self.kinesis.describe_stream_consumer(ConsumerARN=c["ConsumerARN"])["ConsumerDescription"]
        self.assertEqual(d["ConsumerStatus"], "ACTIVE")


class Trimming(KinesisCase):
    eddy_args = ["--clock", "manual"]

    def test_records_past_retention_are_trimmed(self):
        name = self.stream(1)
        self.kinesis.put_record(StreamName=name, Data=b"old", PartitionKey="p")
        advance(self.eddy, 23 * 3600)
        self.kinesis.put_record(StreamName=name, Data=b"new", PartitionKey="p")
        self.assertEqual([r["Data"] for r in self.read_all(name, "shardId-000000000000")], [b"old", b"new"])
        advance(self.eddy, 3600 + 1)
        self.assertEqual([r["Data"] for r in self.read_all(name, "shardId-000000000000")], [b"new"])

    def test_longer_retention_keeps_records_and_shorter_drops_them(self):
        name = self.stream(1)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=72)
        self.kinesis.put_record(StreamName=name, Data=b"a", PartitionKey="p")
        advance(self.eddy, 48 * 3600)
        self.assertEqual([r["Data"] for r in self.read_all(name, "shardId-000000000000")], [b"a"])
        self.kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
        self.assertEqual(self.read_all(name, "shardId-000000000000"), [])

    def test_closed_shards_are_listed_until_their_records_expire(self):
        name = self.stream(1)
        self.kinesis.put_record(StreamName=name, Data=b"old", PartitionKey="p")
        self.kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                                 NewStartingHashKey=str(2**127))
        self.wait_active(name)
        advance(self.eddy, 23 * 3600)
        self.assertEqual(len(self.shards(name)), 3)
        self.assertEqual([r["Data"] for r in self.read_all(name, "shardId-000000000000")], [b"old"])
        advance(self.eddy, 3600 + 1)
        self.assertEqual([s["ShardId"] for s in self.shards(name)], ["shardId-000000000001", "shardId-000000000002"])
        d = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual([s["ShardId"] for s in d["Shards"]], ["shardId-000000000001", "shardId-000000000002"])
        self.assertError("ResourceNotFoundException", self.kinesis.get_shard_iterator, StreamName=name,
                         ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")

    def test_next_tokens_expire_after_five_minutes(self):
        name = self.stream(2)
        for _ in range(2):
            self.stream(1)
        streams_token = self.kinesis.list_streams(Limit=1)["NextToken"]
        shards_token = self.kinesis.list_shards(StreamName=name, MaxResults=1)["NextToken"]
        advance(self.eddy, 301)
        self.assertError("ExpiredNextTokenException", self.kinesis.list_streams, NextToken=streams_token)
        self.assertError("ExpiredNextTokenException", self.kinesis.list_shards, NextToken=shards_token)


if __name__ == "__main__":
    unittest.main()
