"""What the SQS message suites share: one eddy per module, queue helpers, AWS's
MD5 digests computed on our side, and error assertions that hold under both
protocols.

boto3 does not check SQS's MD5 digests (the Java and JS SDKs do), so the suites
compute them here as the SQS developer guide describes and compare.

Error codes: AWS answers the query protocol with the legacy code of the modeled
error (AWS.SimpleQueueService.PurgeQueueInProgress, ReceiptHandleIsInvalid) and
the JSON protocol with the shape name in __type plus that legacy code in the
x-amzn-query-error header, which boto3 1.43 reports as Error.Code. Either way the
client must raise the modeled exception class, so that is what expect_error checks
first; the API reference names errors by their short name, which is accepted too.
"""
import hashlib
import os
import struct
import sys
import threading
import time
import unittest
import uuid
import warnings

from botocore.exceptions import ClientError

from harness import Eddy, client

ACCOUNT = "000000000000"
REGION = "us-east-1"
LEGACY_PREFIX = "AWS.SimpleQueueService."


def unique(prefix="q"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def md5_hex(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.md5(data).hexdigest()


def md5_of_attributes(attributes):
    """MD5OfMessageAttributes (and of system attributes) as the SQS developer guide
    defines it: names sorted; each as length-prefixed name, length-prefixed data
    type, one transport byte (1 String/Number, 2 Binary) and the length-prefixed value."""
    digest = hashlib.md5()

    def put(data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        digest.update(struct.pack(">I", len(data)))
        digest.update(data)

    for name in sorted(attributes):
        value = attributes[name]
        put(name)
        put(value["DataType"])
        if value["DataType"].startswith("Binary"):
            digest.update(b"\x02")
            put(value["BinaryValue"])
        else:
            digest.update(b"\x01")
            put(value["StringValue"])
    return digest.hexdigest()


def check_protocol():
    """Fails when ctest meant this run for the other SQS protocol (wrong interpreter or botocore)."""
    import botocore.session

    expected = os.environ.get("EDDY_EXPECT_SQS_PROTOCOL")
    actual = botocore.session.get_session().get_service_model("sqs").protocol
    if expected and actual != expected:
        raise RuntimeError(f"{sys.executable} has botocore {botocore.__version__} speaking SQS over {actual}; "
                           f"this run must exercise {expected}")


def start_module_eddy(**kwargs):
    check_protocol()
    # boto3 1.26 leaves pooled sockets to the garbage collector; that is not eddy's concern.
    warnings.simplefilter("ignore", ResourceWarning)
    SqsCase.eddy = Eddy(**kwargs).start()


def stop_module_eddy():
    if SqsCase.eddy:
        SqsCase.eddy.stop()
        SqsCase.eddy = None


class SqsCase(unittest.TestCase):
    """A test against the module's eddy, with an SQS client of this interpreter's botocore."""

    eddy = None

    def setUp(self):
        self.sqs = self.new_client()

    def new_client(self, **config):
        return client("sqs", self.eddy.endpoint, **config)

    @property
    def protocol(self):
        return self.sqs.meta.service_model.protocol

    def require_operation(self, name):
        if name not in self.sqs.meta.service_model.operation_names:
            self.skipTest(f"this botocore's SQS model ({self.protocol}) has no {name}")

    def require_member(self, operation, member):
        members = self.sqs.meta.service_model.operation_model(operation).input_shape.members
        if member not in members:
            self.skipTest(f"this botocore's SQS model ({self.protocol}) has no {operation}.{member}")

    def queue(self, prefix="q", fifo=False, **attributes):
        name = unique(prefix) + (".fifo" if fifo else "")
        attrs = {k: str(v) for k, v in attributes.items()}
        if fifo:
            attrs["FifoQueue"] = "true"
        return self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]

    def arn(self, url):
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def counts(self, url):
        """(visible, not visible, delayed) as GetQueueAttributes reports them."""
        names = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        return tuple(int(attrs[n]) for n in names)

    def receive(self, url, **kwargs):
        return self.sqs.receive_message(QueueUrl=url, **kwargs).get("Messages", [])

    def receive_n(self, url, n, timeout=5, **kwargs):
        """Receives until n messages arrived or timeout seconds passed (SQS may return fewer than asked)."""
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < n and time.monotonic() < deadline:
            got += self.receive(url, MaxNumberOfMessages=min(10, n - len(got)), WaitTimeSeconds=1, **kwargs)
        return got

    def assert_empty(self, url, **kwargs):
        self.assertEqual(self.receive(url, WaitTimeSeconds=0, **kwargs), [])

    def expect_error(self, name, call, *args, status=(400,), **kwargs):
        """Runs a call that must fail with AWS's error `name`; returns the ClientError."""
        with self.assertRaises(ClientError) as caught:
            call(*args, **kwargs)
        exc = caught.exception
        error = exc.response["Error"]
        self.assertIn(error["Code"], (name, LEGACY_PREFIX + name), f"{call.__name__}: {error}")
        modeled = getattr(self.sqs.exceptions, name, None)
        if modeled is not None:
            self.assertIsInstance(exc, modeled, f"{call.__name__}: boto3 did not map {error} to {name}")
        self.assertIn(exc.response["ResponseMetadata"]["HTTPStatusCode"], status, f"{call.__name__}: {error}")
        return exc

    def assert_failed_entry(self, entry, name):
        self.assertIn(entry["Code"], (name, LEGACY_PREFIX + name), entry)
        self.assertTrue(entry["SenderFault"], entry)


class Timer:
    """Wall-clock seconds since construction."""

    def __init__(self):
        self.start = time.monotonic()

    def __call__(self):
        return time.monotonic() - self.start


def in_thread(fn, *args, **kwargs):
    """Runs fn in a thread; returns a joinable holder whose .result/.error/.finished_at are set when done."""
    holder = threading.Thread(daemon=True)
    holder.result = holder.error = holder.finished_at = None

    def run():
        try:
            holder.result = fn(*args, **kwargs)
        except Exception as e:  # reported by the test that joins
            holder.error = e
        holder.finished_at = time.monotonic()

    holder.run = run
    holder.start()
    return holder
