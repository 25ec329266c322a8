"""State survives kill -9 with --data-dir, and does not survive a restart without it."""
import os
import shutil
import signal
import subprocess
import tempfile
import unittest
import warnings

from harness import EDDY_BIN, Eddy, client

ACCOUNT = "000000000000"


def setUpModule():
    # boto3 and the harness leave sockets and pipes to the garbage collector.
    warnings.simplefilter("ignore", ResourceWarning)


def names(sqs, **kwargs):
    return sorted(u.rsplit("/", 1)[1] for u in sqs.list_queues(**kwargs).get("QueueUrls", []))


class DataDir(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="eddy-data-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_queues_attributes_and_tags_survive_kill_9(self):
        first = Eddy(data_dir=self.dir).start()
        try:
            sqs = client("sqs", first.endpoint)
            plain = sqs.create_queue(QueueName="plain")["QueueUrl"]
            sqs.create_queue(
                QueueName="tuned",
                Attributes={"VisibilityTimeout": "77", "DelaySeconds": "3", "MessageRetentionPeriod": "3600"},
                tags={"team": "core"},
            )
            sqs.create_queue(QueueName="ordered.fifo", Attributes={"FifoQueue": "true"})
            sqs.tag_queue(QueueUrl=plain, Tags={"added": "later"})
            sqs.set_queue_attributes(QueueUrl=plain, Attributes={"ReceiveMessageWaitTimeSeconds": "5"})
            client("sqs", first.endpoint, region="eu-west-1").create_queue(QueueName="europe")
            doomed = sqs.create_queue(QueueName="doomed")["QueueUrl"]
            sqs.delete_queue(QueueUrl=doomed)
            created = sqs.get_queue_attributes(QueueUrl=plain, AttributeNames=["CreatedTimestamp"])
        finally:
            self.assertEqual(first.stop(signal.SIGKILL), -signal.SIGKILL)

        second = Eddy(data_dir=self.dir).start()
        try:
            sqs = client("sqs", second.endpoint)
            self.assertEqual(names(sqs), ["ordered.fifo", "plain", "tuned"])
            self.assertEqual(names(client("sqs", second.endpoint, region="eu-west-1")), ["europe"])

            tuned = sqs.get_queue_url(QueueName="tuned")["QueueUrl"]
            self.assertEqual(tuned, f"{second.endpoint}/{ACCOUNT}/tuned")
            attrs = sqs.get_queue_attributes(QueueUrl=tuned, AttributeNames=["All"])["Attributes"]
            self.assertEqual(attrs["VisibilityTimeout"], "77")
            self.assertEqual(attrs["DelaySeconds"], "3")
            self.assertEqual(attrs["MessageRetentionPeriod"], "3600")
            self.assertEqual(attrs["QueueArn"], f"arn:aws:sqs:us-east-1:{ACCOUNT}:tuned")
            self.assertEqual(sqs.list_queue_tags(QueueUrl=tuned)["Tags"], {"team": "core"})

            plain = sqs.get_queue_url(QueueName="plain")["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=plain, AttributeNames=["All"])["Attributes"]
            self.assertEqual(attrs["ReceiveMessageWaitTimeSeconds"], "5")
            self.assertEqual(attrs["CreatedTimestamp"], created["Attributes"]["CreatedTimestamp"])
            self.assertEqual(sqs.list_queue_tags(QueueUrl=plain)["Tags"], {"added": "later"})

            fifo = sqs.get_queue_url(QueueName="ordered.fifo")["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["FifoQueue"])["Attributes"]
            self.assertEqual(attrs, {"FifoQueue": "true"})

            with self.assertRaises(sqs.exceptions.QueueDoesNotExist):
                sqs.get_queue_url(QueueName="doomed")

            # Still writable after recovery, and a clean stop keeps that too.
            sqs.create_queue(QueueName="after-restart")
        finally:
            self.assertEqual(second.stop(), 0)

        third = Eddy(data_dir=self.dir).start()
        try:
            self.assertIn("after-restart", names(client("sqs", third.endpoint)))
        finally:
            third.stop()

    def test_data_dir_is_created(self):
        nested = os.path.join(self.dir, "does", "not", "exist")
        e = Eddy(data_dir=nested).start()
        try:
            client("sqs", e.endpoint).create_queue(QueueName="q")
        finally:
            e.stop()
        self.assertTrue(os.listdir(nested))

    def test_a_second_eddy_on_the_same_data_dir_is_refused(self):
        first = Eddy(data_dir=self.dir).start()
        try:
            client("sqs", first.endpoint).create_queue(QueueName="mine")
            second = subprocess.run(
                [EDDY_BIN, "serve", "--port", "0", "--data-dir", self.dir],
                capture_output=True, text=True, timeout=30)
            self.assertNotEqual(second.returncode, 0)
            self.assertIn("is in use by another process", second.stderr)
            # the first goes on as before, and its state is intact
            sqs = client("sqs", first.endpoint)
            url = sqs.create_queue(QueueName="after")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="still here")
            self.assertEqual(names(sqs), ["after", "mine"])
        finally:
            first.stop(signal.SIGKILL)
        # once it is gone, the directory is free again, with everything it acknowledged
        third = Eddy(data_dir=self.dir).start()
        try:
            sqs = client("sqs", third.endpoint)
            self.assertEqual(names(sqs), ["after", "mine"])
            url = sqs.get_queue_url(QueueName="after")["QueueUrl"]
            got = sqs.receive_message(QueueUrl=url)["Messages"]
            self.assertEqual([m["Body"] for m in got], ["still here"])
        finally:
            third.stop()


class Ephemeral(unittest.TestCase):
    def test_restart_has_no_queues(self):
        first = Eddy().start()
        try:
            client("sqs", first.endpoint).create_queue(QueueName="gone")
            self.assertEqual(names(client("sqs", first.endpoint)), ["gone"])
        finally:
            first.stop(signal.SIGKILL)
        second = Eddy().start()
        try:
            self.assertEqual(names(client("sqs", second.endpoint)), [])
        finally:
            second.stop()


if __name__ == "__main__":
    unittest.main()
