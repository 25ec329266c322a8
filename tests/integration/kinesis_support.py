"""Shared pieces of the Kinesis suites: an eddy per test class, streams that are
ACTIVE before a test uses them, the hash key AWS routes a partition key by, and
the manual clock.

Kinesis speaks JSON (application/x-amz-json-1.1) under both boto3 generations,
so these suites need no protocol switch.
"""
import hashlib
import http.client
import json
import time
import unittest
import uuid
import warnings

from botocore.exceptions import ClientError

from harness import Eddy, client

MAX_HASH_KEY = 2**128 - 1


def quiet():
    # The harness leaves each eddy's stdout pipe to the garbage collector.
    warnings.simplefilter("ignore", ResourceWarning)


def hash_key(partition_key):
    """The 128-bit key Kinesis routes by: MD5 of the partition key, big-endian."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def unique(prefix="s"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def clock_call(eddy, method, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", eddy.port, timeout=10)
    try:
        conn.request(method, "/_eddy/clock", body=json.dumps(body) if body is not None else None)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def advance(eddy, seconds):
    status, answer = clock_call(eddy, "POST", {"advanceSeconds": seconds})
    assert status == 200, answer
    return answer["epochMillis"]


class KinesisCase(unittest.TestCase):
    """One eddy for the class; `eddy_args`/`eddy_env` configure it."""

    eddy_args = ()
    eddy_env = None

    @classmethod
    def setUpClass(cls):
        quiet()
        cls.eddy = Eddy(extra_args=cls.eddy_args, env=cls.eddy_env).start()
        cls.kinesis = client("kinesis", cls.eddy.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.eddy.stop()

    def assertError(self, code, fn, *args, message=None, status=400, **kwargs):
        with self.assertRaises(ClientError) as caught:
            fn(*args, **kwargs)
        err = caught.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, err)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)
        return err["Error"]["Message"]

    def wait_active(self, name, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            status = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]
            if status == "ACTIVE":
                return
            if time.monotonic() > deadline:
                self.fail(f"stream {name} still {status}")
            time.sleep(0.05)

    def stream(self, shards=1, **kwargs):
        name = unique()
        self.kinesis.create_stream(StreamName=name, ShardCount=shards, **kwargs)
        self.wait_active(name)
        return name

    def shards(self, name):
        out, token = [], None
        while True:
            page = self.kinesis.list_shards(NextToken=token) if token else self.kinesis.list_shards(StreamName=name)
            out += page["Shards"]
            token = page.get("NextToken")
            if not token:
                return out

    def shard_for(self, name, key):
        """The open shard whose HashKeyRange holds `key`."""
        for sh in self.shards(name):
            r = sh["HashKeyRange"]
            if "EndingSequenceNumber" not in sh["SequenceNumberRange"] and \
                    int(r["StartingHashKey"]) <= key <= int(r["EndingHashKey"]):
                return sh["ShardId"]
        self.fail(f"no open shard of {name} holds {key}")

    def iterator(self, name, shard_id, kind="TRIM_HORIZON", **kwargs):
        return self.kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType=kind,
                                               **kwargs)["ShardIterator"]

    def read_all(self, name, shard_id, kind="TRIM_HORIZON", **kwargs):
        """Every record from the iterator on until a read comes back empty (or the shard ends)."""
        it = self.iterator(name, shard_id, kind, **kwargs)
        out = []
        while it:
            page = self.kinesis.get_records(ShardIterator=it)
            out += page["Records"]
            it = page.get("NextShardIterator")
            if not page["Records"]:
                break
        return out
