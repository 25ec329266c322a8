"""EventBridge Pipes' API through boto3 and the AWS CLI: creating, describing, listing,
updating, starting, stopping and deleting pipes, their tags, the states a pipe moves
through, and the errors AWS gives for bad input."""
import json
import os
import subprocess
import tempfile
import time
import unittest

from botocore.exceptions import ClientError

from harness import Eddy, cli_env
from pipes_support import ROLE, Clients, PipesCase

AWS = os.environ.get("EDDY_AWS_CLI", "aws")


class PipesApi(PipesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.url, cls.queue = cls.c.queue("api-source")
        cls.fifo_url, cls.fifo = cls.c.queue("api-source.fifo", FifoQueue="true")
        cls.machine = cls.c.machine("api-target")
        cls.express = cls.c.machine("api-express", kind="EXPRESS")

    def error(self, call, **kwargs):
        with self.assertRaises(ClientError) as raised:
            call(**kwargs)
        r = raised.exception.response
        return r["Error"]["Code"], r["Error"].get("Message", ""), r["ResponseMetadata"]["HTTPStatusCode"]

    def create(self, name, **kwargs):
        kwargs.setdefault("Source", self.queue)
        kwargs.setdefault("Target", self.machine)
        return self.c.pipes.create_pipe(Name=name, RoleArn=ROLE, **kwargs)

    def test_lifecycle_moves_through_aws_states(self):
        out = self.create("life", Description="first", Tags={"team": "a"})
        self.assertEqual(out["CurrentState"], "CREATING")
        self.assertEqual(out["DesiredState"], "RUNNING")
        self.assertEqual(out["Arn"], "arn:aws:pipes:us-east-1:000000000000:pipe/life")
        d = self.c.wait_state("life", "RUNNING")
        self.assertEqual(d["Source"], self.queue)
        self.assertEqual(d["Target"], self.machine)
        self.assertEqual(d["Description"], "first")
        self.assertEqual(d["Tags"], {"team": "a"})
        self.assertEqual(d["RoleArn"], ROLE)

        out = self.c.pipes.stop_pipe(Name="life")
        self.assertEqual((out["CurrentState"], out["DesiredState"]), ("STOPPING", "STOPPED"))
        self.c.wait_state("life", "STOPPED")
        code, message, status = self.error(self.c.pipes.stop_pipe, Name="life")
        self.assertEqual((code, status), ("ConflictException", 409))

        out = self.c.pipes.start_pipe(Name="life")
        self.assertEqual((out["CurrentState"], out["DesiredState"]), ("STARTING", "RUNNING"))
        self.c.wait_state("life", "RUNNING")
        code, _, status = self.error(self.c.pipes.start_pipe, Name="life")
        self.assertEqual((code, status), ("ConflictException", 409))

        out = self.c.pipes.update_pipe(Name="life", RoleArn=ROLE, Description="second",
                                       SourceParameters={"SqsQueueParameters": {"BatchSize": 5}})
        self.assertEqual(out["CurrentState"], "UPDATING")
        d = self.c.wait_state("life", "RUNNING")
        self.assertEqual(d["Description"], "second")
        self.assertEqual(d["SourceParameters"]["SqsQueueParameters"], {"BatchSize": 5})
        self.assertGreaterEqual(d["LastModifiedTime"], d["CreationTime"])

        out = self.c.pipes.delete_pipe(Name="life")
        self.assertEqual((out["CurrentState"], out["DesiredState"]), ("DELETING", "DELETED"))
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                self.c.pipes.describe_pipe(Name="life")
                time.sleep(0.05)
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], "NotFoundException")
                self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 404)
                break
        else:
            self.fail("the pipe was not deleted")

    def test_created_stopped(self):
        out = self.create("born-stopped", DesiredState="STOPPED")
        self.assertEqual(out["CurrentState"], "CREATING")
        self.c.wait_state("born-stopped", "STOPPED")

    def test_missing_target_fails_with_a_reason(self):
        self.create("no-target", Target="arn:aws:states:us-east-1:000000000000:stateMachine:absent")
        d = self.c.wait_state("no-target", "CREATE_FAILED")
        self.assertIn("stateMachine:absent", d["StateReason"])
        self.create("no-source", Source="arn:aws:sqs:us-east-1:000000000000:absent")
        d = self.c.wait_state("no-source", "CREATE_FAILED")
        self.assertIn("absent", d["StateReason"])
        # a failed pipe can be deleted
        self.c.pipes.delete_pipe(Name="no-source")

    def test_request_response_needs_an_express_machine(self):
        params = {"StepFunctionStateMachineParameters": {"InvocationType": "REQUEST_RESPONSE"}}
        code, message, status = self.error(self.create, name="sync-standard", TargetParameters=params)
        self.assertEqual((code, status), ("ValidationException", 400))
        self.assertIn("InvocationType", message)
        self.assertIn(self.machine, message)
        self.create("sync-express", Target=self.express, TargetParameters=params)
        self.c.wait_state("sync-express", "RUNNING")
        # an update may not make it so either
        code, message, _ = self.error(self.c.pipes.update_pipe, Name="sync-express", RoleArn=ROLE,
                                      Target=self.machine)
        self.assertEqual(code, "ValidationException")
        self.assertEqual(self.c.pipes.describe_pipe(Name="sync-express")["Target"], self.express)
        # and an enrichment must be EXPRESS
        code, message, _ = self.error(self.create, name="enrich-standard", Enrichment=self.machine)
        self.assertEqual(code, "ValidationException")
        self.assertIn("Enrichment", message)

    def test_name_rules(self):
        code, message, status = self.error(self.create, name="bad name!")
        self.assertEqual((code, status), ("ValidationException", 400))
        self.assertIn("failed to satisfy constraint: Member must satisfy regular expression pattern", message)
        code, message, _ = self.error(self.create, name="n" * 65)
        self.assertEqual(code, "ValidationException")
        self.assertIn("length less than or equal to 64", message)
        self.create("twice")
        code, message, status = self.error(self.create, name="twice")
        self.assertEqual((code, status), ("ConflictException", 409))

    def test_describe_missing(self):
        code, message, status = self.error(self.c.pipes.describe_pipe, Name="nobody")
        self.assertEqual((code, message, status), ("NotFoundException", "Pipe nobody does not exist.", 404))

    def test_batch_and_window_ranges(self):
        sqs = lambda **p: {"SqsQueueParameters": p}
        code, message, _ = self.error(self.create, name="b1", SourceParameters=sqs(BatchSize=11))
        self.assertEqual(code, "ValidationException")
        self.assertIn("MaximumBatchingWindowInSeconds", message)
        code, message, _ = self.error(self.create, name="b2", SourceParameters=sqs(BatchSize=10001))
        self.assertIn("less than or equal to 10000", message)
        code, message, _ = self.error(self.create, name="b3",
                                      SourceParameters=sqs(BatchSize=10, MaximumBatchingWindowInSeconds=301))
        self.assertIn("less than or equal to 300", message)
        code, message, _ = self.error(self.create, name="b4", Source=self.fifo,
                                      SourceParameters=sqs(BatchSize=20, MaximumBatchingWindowInSeconds=5))
        self.assertIn("FIFO", message)
        self.create("b5", SourceParameters=sqs(BatchSize=100, MaximumBatchingWindowInSeconds=5))
        # a target that takes fewer at once than the batch
        _, target = self.c.queue("api-target-queue")
        code, message, _ = self.error(self.create, name="b6", Target=target,
                                      SourceParameters=sqs(BatchSize=20, MaximumBatchingWindowInSeconds=5))
        self.assertEqual(code, "ValidationException")
        self.assertIn("(10)", message)

    def test_kinesis_source_needs_a_starting_position(self):
        stream = self.c.stream("api-stream")
        code, message, _ = self.error(self.create, name="k1", Source=stream)
        self.assertEqual(code, "ValidationException")
        self.assertIn("StartingPosition", message)
        code, message, _ = self.error(
            self.create, name="k2", Source=stream,
            SourceParameters={"KinesisStreamParameters": {"StartingPosition": "AT_TIMESTAMP"}})
        self.assertIn("StartingPositionTimestamp", message)
        code, message, _ = self.error(
            self.create, name="k3", Source=stream,
            SourceParameters={"KinesisStreamParameters": {"StartingPosition": "LATEST", "MaximumRecordAgeInSeconds": 10}})
        self.assertIn("MaximumRecordAgeInSeconds", message)
        code, message, _ = self.error(
            self.create, name="k4", Source=stream,
            SourceParameters={"SqsQueueParameters": {"BatchSize": 1}})
        self.assertIn("SqsQueueParameters", message)

    def test_filters_are_checked(self):
        six = {"FilterCriteria": {"Filters": [{"Pattern": "{}"}] * 6}}
        code, message, _ = self.error(self.create, name="f1", SourceParameters=six)
        self.assertEqual(code, "ValidationException")
        self.assertIn("length less than or equal to 5", message)
        bad = {"FilterCriteria": {"Filters": [{"Pattern": json.dumps({"body": {"a": []}})}]}}
        code, message, _ = self.error(self.create, name="f2", SourceParameters=bad)
        self.assertEqual(code, "ValidationException")
        self.assertIn("Filters.1.Pattern", message)
        self.assertIn("Empty arrays are not allowed", message)

    def test_dynamic_paths_are_checked(self):
        _, target = self.c.queue("api-dynamic-target.fifo", FifoQueue="true")
        code, message, _ = self.error(self.create, name="d1", Target=target, TargetParameters={
            "SqsQueueParameters": {"MessageGroupId": "$..group"}})
        self.assertEqual(code, "ValidationException")
        self.assertIn("TargetParameters.SqsQueueParameters.MessageGroupId", message)
        self.create("d2", Target=target, TargetParameters={"SqsQueueParameters": {"MessageGroupId": "$.body.group"}})

    def test_unsupported_ends_are_refused_plainly(self):
        code, message, status = self.error(
            self.create, name="u1", Source="arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026")
        self.assertEqual((code, status), ("NotImplemented", 501))
        code, message, status = self.error(
            self.create, name="u2", Target="arn:aws:lambda:us-east-1:000000000000:function:f")
        self.assertEqual((code, status), ("NotImplemented", 501))

    def test_list_with_filters_and_pages(self):
        for name in ("list-a", "list-b", "list-c"):
            self.create(name)
        self.create("list-d", DesiredState="STOPPED")
        self.c.wait_state("list-d", "STOPPED")
        names = [p["Name"] for p in self.c.pipes.list_pipes(NamePrefix="list-")["Pipes"]]
        self.assertEqual(names, ["list-a", "list-b", "list-c", "list-d"])
        stopped = [p["Name"] for p in self.c.pipes.list_pipes(NamePrefix="list-", DesiredState="STOPPED")["Pipes"]]
        self.assertEqual(stopped, ["list-d"])
        page = self.c.pipes.list_pipes(NamePrefix="list-", Limit=2)
        self.assertEqual([p["Name"] for p in page["Pipes"]], ["list-a", "list-b"])
        rest = self.c.pipes.list_pipes(NamePrefix="list-", Limit=2, NextToken=page["NextToken"])
        self.assertEqual([p["Name"] for p in rest["Pipes"]], ["list-c", "list-d"])
        self.assertNotIn("NextToken", rest)
        by_source = self.c.pipes.list_pipes(SourcePrefix=self.fifo)["Pipes"]
        self.assertEqual(by_source, [])
        summary = self.c.pipes.list_pipes(NamePrefix="list-a")["Pipes"][0]
        self.assertEqual(set(summary), {"Name", "Arn", "DesiredState", "CurrentState", "CreationTime",
                                        "LastModifiedTime", "Source", "Target"})

    def test_tags(self):
        arn = self.create("tagged", Tags={"a": "1"})["Arn"]
        self.c.pipes.tag_resource(resourceArn=arn, tags={"b": "2"})
        self.assertEqual(self.c.pipes.list_tags_for_resource(resourceArn=arn)["tags"], {"a": "1", "b": "2"})
        self.c.pipes.untag_resource(resourceArn=arn, tagKeys=["a"])
        self.assertEqual(self.c.pipes.list_tags_for_resource(resourceArn=arn)["tags"], {"b": "2"})
        code, _, status = self.error(self.c.pipes.list_tags_for_resource,
                                     resourceArn="arn:aws:pipes:us-east-1:000000000000:pipe/nobody")
        self.assertEqual((code, status), ("NotFoundException", 404))

    def test_cli(self):
        self.create("cli-pipe")
        env = cli_env(self.eddy.endpoint)
        out = subprocess.run([AWS, "--endpoint-url", self.eddy.endpoint, "pipes", "describe-pipe",
                              "--name", "cli-pipe"], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["Name"], "cli-pipe")
        out = subprocess.run([AWS, "--endpoint-url", self.eddy.endpoint, "pipes", "describe-pipe",
                              "--name", "nobody"], env=env, capture_output=True, text=True, timeout=60)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("NotFoundException", out.stderr)


class PipesDurability(unittest.TestCase):
    def test_pipes_survive_a_restart_and_run_again(self):
        with tempfile.TemporaryDirectory() as data:
            e = Eddy(data_dir=data).start()
            try:
                c = Clients(e.endpoint)
                url, queue = c.queue("kept-source")
                machine = c.machine("kept-target")
                c.pipe("kept", queue, machine)
                c.pipe("kept-stopped", queue, machine, DesiredState="STOPPED")
            finally:
                e.kill9()
            e = Eddy(data_dir=data).start()
            try:
                c = Clients(e.endpoint)
                c.wait_state("kept", "RUNNING")
                self.assertEqual(c.pipes.describe_pipe(Name="kept-stopped")["CurrentState"], "STOPPED")
                c.sqs.send_message(QueueUrl=url, MessageBody="after the restart")
                got = c.wait_inputs(machine, 1)
                self.assertEqual(got[0][0]["body"], "after the restart")
            finally:
                e.stop()


if __name__ == "__main__":
    unittest.main()
