"""Step Functions' ECS integrations against real tasks. ecs:runTask.sync: the
execution waits for the task to stop (polling on eddy's clock, resumed after a
restart), succeeds with the task as DescribeTasks shows it when the essential
container exits 0, and fails with States.TaskFailed when it exits otherwise or
the task stopped for another reason. ecs:runTask.waitForTaskToken: the task's
container completes the state with SendTaskSuccess/SendTaskFailure (hello-task's
TASK_TOKEN mode). Runs on the runtime EDDY_ECS_RUNTIME names (see ecs_support.py)."""
import http.client
import json
import shutil
import socket
import tempfile
import time
import unittest

from ecs_support import NETWORK, clients, eddy, register_hello, runtime_ready
from harness import client

ROLE = "arn:aws:iam::000000000000:role/states"


def setUpModule():
    reason = runtime_ready()
    if reason:
        raise unittest.SkipTest(reason)


def machine(task_definition_arn, environment=None, resource="arn:aws:states:::ecs:runTask.sync", **state):
    if environment is None:
        environment = [{"Name": "EXIT_CODE", "Value.$": "$.code"}]
    run = {
        "Type": "Task",
        "Resource": resource,
        "Parameters": {
            "LaunchType": "FARGATE",
            "TaskDefinition": task_definition_arn,
            "NetworkConfiguration": {"AwsvpcConfiguration": {
                "Subnets": NETWORK["awsvpcConfiguration"]["subnets"]}},
            "Overrides": {"ContainerOverrides": [{"Name": "app", "Environment": environment}]},
        },
        "End": True,
    }
    run.update(state)
    return {"StartAt": "Run", "States": {"Run": run}}


def wait_done(sfn, execution, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=execution)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.3)
    raise AssertionError("the execution did not finish")


def events(sfn, execution):
    return sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]


def submitted_task(sfn, execution, timeout=60):
    """The ECS task ARN a .sync task recorded in its TaskSubmitted event, once it has."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for e in events(sfn, execution):
            if e["type"] == "TaskSubmitted":
                return json.loads(e["taskSubmittedEventDetails"]["output"])["Tasks"][0]["TaskArn"]
        time.sleep(0.1)
    raise AssertionError("no TaskSubmitted event")


def advance(endpoint_port, seconds):
    conn = http.client.HTTPConnection("127.0.0.1", endpoint_port, timeout=10)
    conn.request("POST", "/_eddy/clock", json.dumps({"advanceSeconds": seconds}))
    resp = conn.getresponse()
    resp.read()
    conn.close()
    assert resp.status == 200


class RunTaskSync(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.eddy = eddy().start()
        cls.ecs, _ = clients(cls.eddy.endpoint)
        cls.sfn = client("stepfunctions", cls.eddy.endpoint)
        arn = register_hello(cls.ecs)["taskDefinitionArn"]
        cls.machine = cls.sfn.create_state_machine(
            name="run-hello", definition=json.dumps(machine(arn)),
            roleArn="arn:aws:iam::000000000000:role/states")["stateMachineArn"]

    @classmethod
    def tearDownClass(cls):
        cls.eddy.stop()

    def finish(self, code):
        execution = self.sfn.start_execution(stateMachineArn=self.machine,
                                             input=json.dumps({"code": code}))["executionArn"]
        return execution, wait_done(self.sfn, execution)

    def test_success_outputs_the_stopped_task(self):
        execution, d = self.finish("0")
        self.assertEqual(d["status"], "SUCCEEDED")
        task = json.loads(d["output"])
        self.assertEqual(task["LastStatus"], "STOPPED")
        self.assertEqual(task["StopCode"], "EssentialContainerExited")
        self.assertEqual(task["Containers"][0]["ExitCode"], 0)
        # The task the execution ran is the one ECS knows.
        described = self.ecs.describe_tasks(tasks=[task["TaskArn"]])["tasks"][0]
        self.assertEqual(described["lastStatus"], "STOPPED")
        events = [e["type"] for e in self.sfn.get_execution_history(executionArn=execution)["events"]]
        self.assertIn("TaskSubmitted", events)
        self.assertIn("TaskSucceeded", events)

    def test_non_zero_exit_fails_the_task(self):
        _, d = self.finish("3")
        self.assertEqual(d["status"], "FAILED")
        self.assertEqual(d["error"], "States.TaskFailed")
        cause = json.loads(d["cause"])
        self.assertEqual(cause["Containers"][0]["ExitCode"], 3)
        self.assertEqual(cause["LastStatus"], "STOPPED")

    def test_stopped_task_fails_the_state(self):
        # a task stopped by StopTask never had its essential container exit by itself
        arn = self.sfn.create_state_machine(
            name="run-stopped", roleArn=ROLE, definition=json.dumps(
                machine(register_hello(self.ecs, family="stopped")["taskDefinitionArn"],
                        [{"Name": "SLEEP_SECONDS", "Value": "60"}])))["stateMachineArn"]
        execution = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        task_arn = submitted_task(self.sfn, execution)
        self.ecs.stop_task(task=task_arn, reason="enough")
        d = wait_done(self.sfn, execution)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.TaskFailed"))
        cause = json.loads(d["cause"])
        self.assertEqual((cause["TaskArn"], cause["LastStatus"], cause["StopCode"], cause["StoppedReason"]),
                         (task_arn, "STOPPED", "UserInitiated", "enough"))


class RunTaskSyncOnManualClock(unittest.TestCase):
    """The .sync task looks at its ECS task on eddy's clock: a stopped task is noticed only
    once the clock has moved past the next look."""

    def test_poll_follows_the_clock(self):
        with eddy(extra_args=["--clock", "manual"]) as e:
            ecs, _ = clients(e.endpoint)
            sfn = client("stepfunctions", e.endpoint)
            arn = sfn.create_state_machine(
                name="run-manual", roleArn=ROLE, definition=json.dumps(
                    machine(register_hello(ecs)["taskDefinitionArn"])))["stateMachineArn"]
            execution = sfn.start_execution(stateMachineArn=arn, input='{"code": "0"}')["executionArn"]
            task_arn = submitted_task(sfn, execution)
            deadline = time.time() + 60
            while ecs.describe_tasks(tasks=[task_arn])["tasks"][0]["lastStatus"] != "STOPPED":
                self.assertLess(time.time(), deadline, "the task did not stop")
                time.sleep(0.1)
            time.sleep(1.0)
            self.assertEqual(sfn.describe_execution(executionArn=execution)["status"], "RUNNING")
            advance(e.port, 1)
            d = wait_done(sfn, execution, timeout=10)
            self.assertEqual(d["status"], "SUCCEEDED")
            self.assertEqual(json.loads(d["output"])["TaskArn"], task_arn)


class RunTaskSyncRestart(unittest.TestCase):
    """kill -9 while a .sync task waits: the restarted eddy reports the ECS task STOPPED with
    TerminationNotice, and the state fails as AWS reports a task that stopped that way,
    instead of waiting forever or running the task again."""

    def test_task_stopped_by_the_restart_fails_the_state(self):
        data = tempfile.mkdtemp(prefix="eddy-sfn-ecs-")
        # Both runs on one port: the second removes what the killed one left in the engine
        # (its network and containers), as eddy does for a restart on the same port.
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = ["--port", str(s.getsockname()[1])]
        e = None
        try:
            e = eddy(data_dir=data, extra_args=port).start()
            ecs, _ = clients(e.endpoint)
            sfn = client("stepfunctions", e.endpoint)
            arn = sfn.create_state_machine(
                name="run-long", roleArn=ROLE, definition=json.dumps(
                    machine(register_hello(ecs)["taskDefinitionArn"],
                            [{"Name": "SLEEP_SECONDS", "Value": "60"}])))["stateMachineArn"]
            execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
            task_arn = submitted_task(sfn, execution)
            deadline = time.time() + 60
            while ecs.describe_tasks(tasks=[task_arn])["tasks"][0]["lastStatus"] != "RUNNING":
                self.assertLess(time.time(), deadline, "the task did not start")
                time.sleep(0.1)
            e.kill9()

            e = eddy(data_dir=data, extra_args=port).start()
            ecs, _ = clients(e.endpoint)
            sfn = client("stepfunctions", e.endpoint)
            d = wait_done(sfn, execution, timeout=30)
            self.assertEqual((d["status"], d["error"]), ("FAILED", "States.TaskFailed"), d)
            cause = json.loads(d["cause"])
            self.assertEqual((cause["TaskArn"], cause["LastStatus"], cause["StopCode"]),
                             (task_arn, "STOPPED", "TerminationNotice"))
            # the one task ran; no second one was started
            self.assertEqual(ecs.list_tasks(desiredStatus="STOPPED")["taskArns"], [task_arn])
            self.assertEqual(ecs.list_tasks()["taskArns"], [])
            types = [ev["type"] for ev in events(sfn, execution)]
            self.assertEqual(types, ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                                     "TaskSubmitted", "TaskFailed", "ExecutionFailed"])
        finally:
            if e:
                e.stop()
            shutil.rmtree(data, ignore_errors=True)


class RunTaskWaitForTaskToken(unittest.TestCase):
    """ecs:runTask.waitForTaskToken: the container gets $$.Task.Token in its environment
    and completes the state itself (hello-task POSTs SendTaskSuccess/SendTaskFailure to
    AWS_ENDPOINT_URL)."""

    @classmethod
    def setUpClass(cls):
        cls.eddy = eddy().start()
        cls.ecs, _ = clients(cls.eddy.endpoint)
        cls.sfn = client("stepfunctions", cls.eddy.endpoint)
        cls.definition = register_hello(cls.ecs, family="callback")["taskDefinitionArn"]

    @classmethod
    def tearDownClass(cls):
        cls.eddy.stop()

    def run_machine(self, name, environment, input, **state):
        arn = self.sfn.create_state_machine(
            name=name, roleArn=ROLE, definition=json.dumps(machine(
                self.definition, [{"Name": "TASK_TOKEN", "Value.$": "$$.Task.Token"}] + environment,
                resource="arn:aws:states:::ecs:runTask.waitForTaskToken", **state)))["stateMachineArn"]
        execution = self.sfn.start_execution(stateMachineArn=arn, input=json.dumps(input))["executionArn"]
        # the container calls back within seconds; one that cannot would leave it waiting
        return execution, wait_done(self.sfn, execution, timeout=40)

    def test_container_sends_success(self):
        execution, d = self.run_machine(
            "callback-ok", [{"Name": "TASK_RESULT", "Value.$": "$.result"}],
            {"result": json.dumps({"answer": 42, "text": "a \"quoted\" word"})})
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), {"answer": 42, "text": 'a "quoted" word'})
        types = [e["type"] for e in events(self.sfn, execution)]
        self.assertEqual(types, ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                                 "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"])
        # the container's RunTask is what TaskSubmitted reports
        submitted = [e for e in events(self.sfn, execution) if e["type"] == "TaskSubmitted"][0]
        task_arn = json.loads(submitted["taskSubmittedEventDetails"]["output"])["Tasks"][0]["TaskArn"]
        self.assertTrue(task_arn.startswith("arn:aws:ecs:us-east-1:000000000000:task/"))

    def test_container_sends_failure_which_is_caught(self):
        arn = self.sfn.create_state_machine(
            name="callback-fail", roleArn=ROLE, definition=json.dumps(self.failing_machine()))["stateMachineArn"]
        execution = self.sfn.start_execution(stateMachineArn=arn,
                                             input=json.dumps({"why": "the input was empty"}))["executionArn"]
        d = wait_done(self.sfn, execution, timeout=40)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"])["caught"], {"Error": "Report.Broken", "Cause": "the input was empty"})
        failed = [e for e in events(self.sfn, execution) if e["type"] == "TaskFailed"]
        self.assertEqual(len(failed), 1)
        self.assertEqual((failed[0]["taskFailedEventDetails"]["error"], failed[0]["taskFailedEventDetails"]["cause"]),
                         ("Report.Broken", "the input was empty"))

    def test_uncaught_failure_fails_the_execution(self):
        _, d = self.run_machine(
            "callback-uncaught",
            [{"Name": "TASK_FAILURE_ERROR", "Value": "Report.Broken"}, {"Name": "TASK_FAILURE_CAUSE", "Value": "no"}],
            {})
        self.assertEqual((d["status"], d["error"], d["cause"]), ("FAILED", "Report.Broken", "no"))

    def failing_machine(self):
        m = machine(self.definition,
                    [{"Name": "TASK_TOKEN", "Value.$": "$$.Task.Token"},
                     {"Name": "TASK_FAILURE_ERROR", "Value": "Report.Broken"},
                     {"Name": "TASK_FAILURE_CAUSE", "Value.$": "$.why"}],
                    resource="arn:aws:states:::ecs:runTask.waitForTaskToken",
                    Catch=[{"ErrorEquals": ["Report.Broken"], "ResultPath": "$.caught", "Next": "Handled"}])
        del m["States"]["Run"]["End"]
        m["States"]["Run"]["Next"] = "Handled"
        m["States"]["Handled"] = {"Type": "Pass", "End": True}
        return m


if __name__ == "__main__":
    unittest.main()
