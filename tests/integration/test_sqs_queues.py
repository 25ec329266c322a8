"""STS identity and SQS queue management through real clients.

ctest runs this module twice: under `python3` (boto3 1.43, SQS over JSON, with
the AWS CLI v1 on PATH) and under `/usr/bin/python3` (boto3 1.26, SQS over the
query protocol, with the AWS CLI v2 in /usr/bin). EDDY_EXPECT_SQS_PROTOCOL and
EDDY_AWS_CLI, set by ctest, say which protocol and CLI that run is meant to
exercise. Expectations are AWS's documented behaviour, not eddy's echo.
"""
import json
import os
import re
import subprocess
import sys
import time
import unittest
import uuid
import warnings

import botocore
from botocore.exceptions import ClientError

from harness import Eddy, cli_env, client

ACCOUNT = "000000000000"
REGION = "us-east-1"
NON_EXISTENT = "AWS.SimpleQueueService.NonExistentQueue"
# AWS reports a name clash with different attributes as QueueAlreadyExists
# (query code, also sent in x-amzn-query-error) or QueueNameExists (JSON shape).
QUEUE_EXISTS = ("QueueAlreadyExists", "QueueNameExists")
DEFAULTS = {
    "VisibilityTimeout": "30",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0",
}


def _default_cli():
    # The CLI that speaks the same SQS protocol as this interpreter's botocore.
    query = os.path.realpath(sys.executable).startswith("/usr/bin/")
    return "/usr/bin/aws" if query else "aws"


AWS_CLI = os.environ.get("EDDY_AWS_CLI") or _default_cli()
eddy = None


def setUpModule():
    global eddy
    # boto3 1.26 leaves pooled sockets to the garbage collector; that is not eddy's concern.
    warnings.simplefilter("ignore", ResourceWarning)
    eddy = Eddy().start()


def tearDownModule():
    if eddy:
        eddy.stop()
        eddy.proc.stdout.close()


def unique(prefix="q"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def error_of(test, call, *args, **kwargs):
    """Runs a call that must fail; returns (code, http status, exception)."""
    with test.assertRaises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.exception.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], caught.exception


def run_cli(*args, extra_env=None):
    env = cli_env(eddy.endpoint)
    # Isolate from any user config; no pager (CLI v2), no retries.
    env.update(
        {
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_PAGER": "",
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_RETRY_MODE": "standard",
        }
    )
    env.update(extra_env or {})
    # --endpoint-url, not AWS_ENDPOINT_URL: CLI v2.9 predates that variable, and
    # CLI v1 replaces it with https://queue.amazonaws.com for SQS in us-east-1.
    cmd = [AWS_CLI, "--endpoint-url", eddy.endpoint, "--output", "json", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)


class Sts(unittest.TestCase):
    def test_boto3_default_identity(self):
        ident = client("sts", eddy.endpoint).get_caller_identity()
        self.assertEqual(ident["Account"], ACCOUNT)
        self.assertEqual(ident["Arn"], f"arn:aws:iam::{ACCOUNT}:root")
        self.assertTrue(ident["UserId"])

    def test_boto3_twelve_digit_key_is_the_account(self):
        import boto3

        sts = boto3.client(
            "sts",
            endpoint_url=eddy.endpoint,
            region_name=REGION,
            aws_access_key_id="123456789012",
            aws_secret_access_key="test",
        )
        ident = sts.get_caller_identity()
        self.assertEqual(ident["Account"], "123456789012")
        self.assertEqual(ident["Arn"], "arn:aws:iam::123456789012:root")

    def test_cli_default_identity(self):
        r = run_cli("sts", "get-caller-identity")
        self.assertEqual(r.returncode, 0, r.stderr)
        ident = json.loads(r.stdout)
        self.assertEqual(ident["Account"], ACCOUNT)
        self.assertEqual(ident["Arn"], f"arn:aws:iam::{ACCOUNT}:root")

    def test_cli_twelve_digit_key_is_the_account(self):
        r = run_cli("sts", "get-caller-identity", extra_env={"AWS_ACCESS_KEY_ID": "210987654321"})
        self.assertEqual(r.returncode, 0, r.stderr)
        ident = json.loads(r.stdout)
        self.assertEqual(ident["Account"], "210987654321")
        self.assertEqual(ident["Arn"], "arn:aws:iam::210987654321:root")


class SqsBoto3(unittest.TestCase):
    def setUp(self):
        self.sqs = client("sqs", eddy.endpoint)

    def test_client_speaks_expected_protocol(self):
        expected = os.environ.get("EDDY_EXPECT_SQS_PROTOCOL")
        if not expected:
            self.skipTest("EDDY_EXPECT_SQS_PROTOCOL not set")
        self.assertEqual(
            self.sqs.meta.service_model.protocol,
            expected,
            f"{sys.executable} has botocore {botocore.__version__}; this run must exercise {expected}",
        )

    def test_create_returns_a_working_url(self):
        name = unique()
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.assertTrue(url.endswith(f"/{ACCOUNT}/{name}"), url)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
        self.assertEqual(attrs["QueueArn"], f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")
        self.assertEqual(self.sqs.get_queue_url(QueueName=name)["QueueUrl"], url)

    def test_create_is_idempotent_with_same_attributes(self):
        name = unique()
        attrs = {"VisibilityTimeout": "40", "DelaySeconds": "2"}
        first = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        second = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        self.assertEqual(first, second)
        # No attributes at all is also compatible with the existing queue.
        self.assertEqual(self.sqs.create_queue(QueueName=name)["QueueUrl"], first)

    def test_create_with_different_attribute_fails(self):
        name = unique()
        self.sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "40"})
        code, status, _ = error_of(
            self, self.sqs.create_queue, QueueName=name, Attributes={"VisibilityTimeout": "41"}
        )
        self.assertIn(code, QUEUE_EXISTS)
        self.assertEqual(status, 400)

    def test_invalid_names(self):
        for bad in ["bad name!", "with/slash", "a" * 81, "dot.in.name"]:
            with self.subTest(name=bad):
                code, status, _ = error_of(self, self.sqs.create_queue, QueueName=bad)
                self.assertEqual(code, "InvalidParameterValue")
                self.assertEqual(status, 400)
        # 80 characters of the allowed alphabet is fine.
        ok = ("A-_" + uuid.uuid4().hex * 3)[:80]
        self.assertTrue(self.sqs.create_queue(QueueName=ok)["QueueUrl"].endswith("/" + ok))

    def test_fifo_names(self):
        name = unique("f") + ".fifo"
        url = self.sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"})["QueueUrl"]
        self.assertTrue(url.endswith("/" + name), url)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["FifoQueue"], "true")
        code, status, _ = error_of(
            self, self.sqs.create_queue, QueueName=unique("nofifo"), Attributes={"FifoQueue": "true"}
        )
        self.assertEqual(code, "InvalidParameterValue")
        self.assertEqual(status, 400)

    def test_get_queue_url_of_missing_queue(self):
        code, status, exc = error_of(self, self.sqs.get_queue_url, QueueName=unique("missing"))
        self.assertEqual(code, NON_EXISTENT)
        self.assertEqual(status, 400)
        self.assertIsInstance(exc, self.sqs.exceptions.QueueDoesNotExist)

    def test_operations_on_missing_queue_url(self):
        url = f"{eddy.endpoint}/{ACCOUNT}/{unique('missing')}"
        calls = [
            (self.sqs.get_queue_attributes, {"QueueUrl": url, "AttributeNames": ["All"]}),
            (self.sqs.set_queue_attributes, {"QueueUrl": url, "Attributes": {"DelaySeconds": "1"}}),
            (self.sqs.delete_queue, {"QueueUrl": url}),
            (self.sqs.list_queue_tags, {"QueueUrl": url}),
            (self.sqs.tag_queue, {"QueueUrl": url, "Tags": {"a": "b"}}),
        ]
        for call, kwargs in calls:
            with self.subTest(op=call.__name__):
                with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist) as caught:
                    call(**kwargs)
                self.assertEqual(caught.exception.response["Error"]["Code"], NON_EXISTENT)
                self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_list_queues_prefix_and_pagination(self):
        prefix = unique("page")
        names = sorted(f"{prefix}-{i}" for i in range(5))
        for n in names:
            self.sqs.create_queue(QueueName=n)
        self.sqs.create_queue(QueueName=unique("other"))

        listed = self.sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"]
        self.assertEqual(sorted(u.rsplit("/", 1)[1] for u in listed), names)

        seen, pages, token = [], 0, None
        while True:
            kwargs = {"QueueNamePrefix": prefix, "MaxResults": 2}
            if token:
                kwargs["NextToken"] = token
            page = self.sqs.list_queues(**kwargs)
            pages += 1
            urls = page.get("QueueUrls", [])
            self.assertLessEqual(len(urls), 2)
            seen += [u.rsplit("/", 1)[1] for u in urls]
            token = page.get("NextToken")
            if not token:
                break
            self.assertLess(pages, 10, "NextToken never ends")
        self.assertEqual(sorted(seen), names, "every queue exactly once")
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(pages, 3)

        empty = self.sqs.list_queues(QueueNamePrefix=unique("none"))
        self.assertEqual(empty.get("QueueUrls", []), [])

    def test_delete_queue(self):
        name = unique()
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.sqs.delete_queue(QueueUrl=url)
        code, _, _ = error_of(self, self.sqs.get_queue_url, QueueName=name)
        self.assertEqual(code, NON_EXISTENT)
        listed = self.sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", [])
        self.assertEqual(listed, [])

    def test_default_attributes(self):
        name = unique()
        before = int(time.time())
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        for key, value in DEFAULTS.items():
            self.assertEqual(attrs.get(key), value, key)
        self.assertEqual(attrs["QueueArn"], f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")
        created = int(attrs["CreatedTimestamp"])  # epoch seconds
        self.assertLessEqual(abs(created - before), 60)
        self.assertIn("LastModifiedTimestamp", attrs)
        self.assertEqual(attrs.get("ApproximateNumberOfMessages"), "0")
        self.assertNotIn("FifoQueue", attrs)

    def test_specific_attribute_names(self):
        url = self.sqs.create_queue(QueueName=unique())["QueueUrl"]
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["VisibilityTimeout", "QueueArn"]
        )["Attributes"]
        self.assertEqual(set(attrs), {"VisibilityTimeout", "QueueArn"})
        self.assertEqual(attrs["VisibilityTimeout"], "30")

    def test_set_queue_attributes_reads_back(self):
        url = self.sqs.create_queue(QueueName=unique())["QueueUrl"]
        wanted = {
            "VisibilityTimeout": "45",
            "DelaySeconds": "5",
            "MessageRetentionPeriod": "86400",
            "ReceiveMessageWaitTimeSeconds": "10",
            "MaximumMessageSize": "2048",
        }
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes=wanted)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        for key, value in wanted.items():
            self.assertEqual(attrs[key], value, key)

    def test_create_with_attributes(self):
        url = self.sqs.create_queue(
            QueueName=unique(), Attributes={"VisibilityTimeout": "60", "DelaySeconds": "3"}
        )["QueueUrl"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "60")
        self.assertEqual(attrs["DelaySeconds"], "3")
        self.assertEqual(attrs["MessageRetentionPeriod"], "345600")

    def test_bad_attribute_value(self):
        url = self.sqs.create_queue(QueueName=unique())["QueueUrl"]
        code, status, _ = error_of(
            self, self.sqs.set_queue_attributes, QueueUrl=url, Attributes={"VisibilityTimeout": "99999"}
        )
        self.assertEqual(code, "InvalidAttributeValue")
        self.assertEqual(status, 400)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "30", "a rejected change leaves the queue alone")

    def test_unknown_attribute_name(self):
        url = self.sqs.create_queue(QueueName=unique())["QueueUrl"]
        code, status, _ = error_of(
            self, self.sqs.set_queue_attributes, QueueUrl=url, Attributes={"NoSuchAttribute": "1"}
        )
        self.assertEqual(code, "InvalidAttributeName")
        self.assertEqual(status, 400)
        code, status, _ = error_of(
            self, self.sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["NoSuchAttribute"]
        )
        self.assertEqual(code, "InvalidAttributeName")
        self.assertEqual(status, 400)

    def test_tags(self):
        url = self.sqs.create_queue(QueueName=unique())["QueueUrl"]
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}), {})
        self.sqs.tag_queue(QueueUrl=url, Tags={"team": "core", "env": "test"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "core", "env": "test"})
        self.sqs.tag_queue(QueueUrl=url, Tags={"env": "prod"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "core", "env": "prod"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"env": "prod"})

    def test_tags_on_create(self):
        url = self.sqs.create_queue(QueueName=unique(), tags={"team": "core", "cost": "42"})["QueueUrl"]
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "core", "cost": "42"})

    def test_region_scoping(self):
        name = unique("eu")
        eu = client("sqs", eddy.endpoint, region="eu-west-1")
        url = eu.create_queue(QueueName=name)["QueueUrl"]
        arn = eu.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.assertEqual(arn, f"arn:aws:sqs:eu-west-1:{ACCOUNT}:{name}")
        self.assertEqual(len(eu.list_queues(QueueNamePrefix=name).get("QueueUrls", [])), 1)
        self.assertEqual(self.sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []), [])
        code, _, _ = error_of(self, self.sqs.get_queue_url, QueueName=name)
        self.assertEqual(code, NON_EXISTENT)


class SqsCli(unittest.TestCase):
    """The same contract through the AWS CLI (a fresh process per call, so few calls)."""

    def ok(self, *args, **kw):
        r = run_cli(*args, **kw)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return json.loads(r.stdout) if r.stdout.strip() else {}

    def fails_with(self, codes, *args):
        r = run_cli(*args)
        self.assertNotEqual(r.returncode, 0, f"{args} should fail: {r.stdout}")
        found = re.search(r"An error occurred \(([^)]+)\)", r.stderr)
        self.assertIsNotNone(found, r.stderr)
        self.assertIn(found.group(1), codes, r.stderr)

    def test_queue_lifecycle(self):
        name = unique("cli")
        url = self.ok(
            "sqs", "create-queue", "--queue-name", name,
            "--attributes", "VisibilityTimeout=40", "--tags", "team=core",
        )["QueueUrl"]
        self.assertTrue(url.endswith(f"/{ACCOUNT}/{name}"), url)
        again = self.ok("sqs", "create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=40")
        self.assertEqual(again["QueueUrl"], url)
        self.fails_with(
            QUEUE_EXISTS, "sqs", "create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=41"
        )
        self.assertEqual(self.ok("sqs", "get-queue-url", "--queue-name", name)["QueueUrl"], url)

        attrs = self.ok("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All")["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "40")
        self.assertEqual(attrs["MessageRetentionPeriod"], "345600")
        self.assertEqual(attrs["QueueArn"], f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")

        self.ok("sqs", "set-queue-attributes", "--queue-url", url, "--attributes", "DelaySeconds=7")
        attrs = self.ok(
            "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "DelaySeconds"
        )["Attributes"]
        self.assertEqual(attrs, {"DelaySeconds": "7"})

        self.ok("sqs", "tag-queue", "--queue-url", url, "--tags", "env=test")
        self.assertEqual(self.ok("sqs", "list-queue-tags", "--queue-url", url)["Tags"], {"team": "core", "env": "test"})
        self.ok("sqs", "untag-queue", "--queue-url", url, "--tag-keys", "team")
        self.assertEqual(self.ok("sqs", "list-queue-tags", "--queue-url", url)["Tags"], {"env": "test"})

        self.ok("sqs", "delete-queue", "--queue-url", url)
        self.fails_with((NON_EXISTENT,), "sqs", "get-queue-url", "--queue-name", name)

    def test_errors(self):
        self.fails_with((NON_EXISTENT,), "sqs", "get-queue-url", "--queue-name", unique("missing"))
        self.fails_with(("InvalidParameterValue",), "sqs", "create-queue", "--queue-name", "bad name!")
        url = self.ok("sqs", "create-queue", "--queue-name", unique("cli"))["QueueUrl"]
        self.fails_with(
            ("InvalidAttributeValue",),
            "sqs", "set-queue-attributes", "--queue-url", url, "--attributes", "VisibilityTimeout=99999",
        )
        self.fails_with(
            ("InvalidAttributeName",),
            "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "NoSuchAttribute",
        )

    def test_list_queues_pages(self):
        prefix = unique("clipage")
        sqs = client("sqs", eddy.endpoint)
        names = sorted(f"{prefix}-{i}" for i in range(5))
        for n in names:
            sqs.create_queue(QueueName=n)
        calls_before = eddy.log().count("sqs.ListQueues 200")
        listed = self.ok("sqs", "list-queues", "--queue-name-prefix", prefix, "--page-size", "2")["QueueUrls"]
        self.assertEqual(sorted(u.rsplit("/", 1)[1] for u in listed), names)
        # The CLI followed NextToken through three pages of at most two.
        self.assertEqual(eddy.log().count("sqs.ListQueues 200") - calls_before, 3)


if __name__ == "__main__":
    unittest.main()
