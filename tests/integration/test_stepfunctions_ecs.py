"""Step Functions' ecs:runTask.sync integration against real tasks: the
execution waits for the task to stop, succeeds with the task as DescribeTasks
shows it when the essential container exits 0, and fails with
States.TaskFailed when it exits otherwise. Runs on the runtime
EDDY_ECS_RUNTIME names (see ecs_support.py)."""
import json
import time
import unittest

from ecs_support import NETWORK, clients, eddy, register_hello, runtime_ready
from harness import client


def setUpModule():
    reason = runtime_ready()
    if reason:
        raise unittest.SkipTest(reason)


def machine(task_definition_arn):
    return {
        "StartAt": "Run",
        "States": {
            "Run": {
                "Type": "Task",
                "Resource": "arn:aws:states:::ecs:runTask.sync",
                "Parameters": {
                    "LaunchType": "FARGATE",
                    "TaskDefinition": task_definition_arn,
                    "NetworkConfiguration": {"AwsvpcConfiguration": {
                        "Subnets": NETWORK["awsvpcConfiguration"]["subnets"]}},
                    "Overrides": {"ContainerOverrides": [
                        {"Name": "app", "Environment": [{"Name": "EXIT_CODE", "Value.$": "$.code"}]}]},
                },
                "End": True,
            }
        },
    }


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
        deadline = time.time() + 90
        while time.time() < deadline:
            d = self.sfn.describe_execution(executionArn=execution)
            if d["status"] != "RUNNING":
                return execution, d
            time.sleep(0.3)
        self.fail("the execution did not finish")

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


if __name__ == "__main__":
    unittest.main()
