"""Shared pieces of the pipes suites: the clients, a queue or stream with its ARN, state
machines that record what a pipe hands them, and waiting for a pipe's state."""
import json
import time
import unittest

from harness import Eddy, client

ROLE = "arn:aws:iam::000000000000:role/pipes"
STATES_ROLE = "arn:aws:iam::000000000000:role/states"


class Clients:
    def __init__(self, endpoint):
        self.pipes = client("pipes", endpoint)
        self.sqs = client("sqs", endpoint)
        self.sfn = client("stepfunctions", endpoint)
        self.kinesis = client("kinesis", endpoint)
        self.logs = client("logs", endpoint)

    def queue(self, name, **attributes):
        url = self.sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def stream(self, name, shards=1):
        self.kinesis.create_stream(StreamName=name, ShardCount=shards)
        return self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]

    def machine(self, name, definition=None, kind="STANDARD"):
        definition = definition or {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
        return self.sfn.create_state_machine(name=name, roleArn=STATES_ROLE, type=kind,
                                             definition=json.dumps(definition))["stateMachineArn"]

    def inputs(self, machine_arn):
        """The inputs of the machine's executions, oldest first."""
        executions = self.sfn.list_executions(stateMachineArn=machine_arn)["executions"]
        executions.sort(key=lambda e: e["startDate"])
        return [json.loads(self.sfn.describe_execution(executionArn=e["executionArn"])["input"])
                for e in executions]

    def wait_inputs(self, machine_arn, count, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.inputs(machine_arn)
            if len(got) >= count:
                return got
            time.sleep(0.1)
        raise AssertionError(f"{machine_arn} ran {len(self.inputs(machine_arn))} executions, not {count}")

    def wait_state(self, name, state, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            d = self.pipes.describe_pipe(Name=name)
            if d["CurrentState"] == state:
                return d
            time.sleep(0.05)
        raise AssertionError(f"pipe {name} is {d['CurrentState']}, not {state} ({d.get('StateReason')})")

    def pipe(self, name, source, target, **kwargs):
        self.pipes.create_pipe(Name=name, RoleArn=ROLE, Source=source, Target=target, **kwargs)
        return self.wait_state(name, "RUNNING" if kwargs.get("DesiredState", "RUNNING") == "RUNNING" else "STOPPED")

    def drain(self, url, wait=1):
        """Every message the queue gives within `wait` seconds, deleted."""
        out = []
        while True:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait,
                                           MessageAttributeNames=["All"]).get("Messages", [])
            if not got:
                return out
            out += got
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])


class PipesCase(unittest.TestCase):
    """A suite whose tests share one ephemeral eddy, started for the class."""

    @classmethod
    def setUpClass(cls):
        cls.eddy = Eddy().start()
        cls.c = Clients(cls.eddy.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.eddy.stop()
