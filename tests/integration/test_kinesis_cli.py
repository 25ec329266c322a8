"""Kinesis through the AWS CLI (the one EDDY_AWS_CLI names): create-stream,
put-record, get-shard-iterator and get-records, with the endpoint given
both by --endpoint-url and by AWS_ENDPOINT_URL.
"""
import base64
import json
import os
import subprocess
import unittest

from harness import cli_env
from kinesis_support import KinesisCase, quiet, unique

AWS = os.environ.get("EDDY_AWS_CLI", "aws")


def setUpModule():
    quiet()


class Cli(KinesisCase):
    def aws(self, *args):
        r = subprocess.run([AWS, "--endpoint-url", self.eddy.endpoint, "--output", "json", "kinesis", *args],
                           capture_output=True, text=True, timeout=60, env=cli_env(self.eddy.endpoint))
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout) if r.stdout.strip() else None

    def test_put_and_get_through_the_cli(self):
        name = unique()
        self.aws("create-stream", "--stream-name", name, "--shard-count", "1")
        self.wait_active(name)
        described = self.aws("describe-stream", "--stream-name", name)["StreamDescription"]
        self.assertEqual(described["StreamStatus"], "ACTIVE")
        self.assertEqual(len(described["Shards"]), 1)
        # CLI v1 takes --data as text; v2 wants base64 unless told otherwise, so send base64 to v2
        payload = "hello from the cli"
        version = subprocess.run([AWS, "--version"], capture_output=True, text=True)
        data = payload if (version.stdout + version.stderr).startswith("aws-cli/1") else base64.b64encode(payload.encode()).decode()
        put = self.aws("put-record", "--stream-name", name, "--partition-key", "p1", "--data", data)
        self.assertEqual(put["ShardId"], "shardId-000000000000")
        self.assertRegex(put["SequenceNumber"], r"^\d{56}$")
        it = self.aws("get-shard-iterator", "--stream-name", name, "--shard-id", "shardId-000000000000",
                      "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]
        got = self.aws("get-records", "--shard-iterator", it)
        self.assertEqual(len(got["Records"]), 1)
        self.assertEqual(base64.b64decode(got["Records"][0]["Data"]).decode(), payload)
        self.assertEqual(got["Records"][0]["SequenceNumber"], put["SequenceNumber"])
        self.assertEqual(got["Records"][0]["PartitionKey"], "p1")
        self.assertIn("NextShardIterator", got)
        self.assertIn(name, self.aws("list-streams")["StreamNames"])


if __name__ == "__main__":
    unittest.main()
