"""The seed's pattern 1 end to end through real clients: an SQS queue piped (BatchSize 10,
a 5 s window, FIRE_AND_FORGET) into the EXPRESS queue-processor state machine, whose
ecs:runTask starts a container with the batch in INPUT_MESSAGE; the container's awslogs
lines in CloudWatch Logs show the batch. Runs on the runtime EDDY_ECS_RUNTIME names."""
import json
import os
import time
import unittest

from ecs_support import clients, eddy, register_hello, runtime_ready
from pipes_support import ROLE, STATES_ROLE, Clients

HERE = os.path.dirname(os.path.abspath(__file__))


def setUpModule():
    reason = runtime_ready()
    if reason:
        raise unittest.SkipTest(reason)


def container_lines(logs, group, done, timeout=60):
    """The awslogs lines of every stream in `group`, once `done(lines)` or at the timeout."""
    deadline = time.time() + timeout
    while True:
        streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
        lines = [ev["message"] for s in streams for ev in logs.get_log_events(
            logGroupName=group, logStreamName=s["logStreamName"], startFromHead=True)["events"]]
        if done(lines) or time.time() > deadline:
            return lines
        time.sleep(0.3)


class QueueProcessor(unittest.TestCase):
    def test_pattern_1(self):
        with eddy() as e:
            c = Clients(e.endpoint)
            ecs, logs = clients(e.endpoint)
            cluster = ecs.create_cluster(clusterName="queue-processor")["cluster"]["clusterArn"]
            logs.create_log_group(logGroupName="/queue-processor")
            task = register_hello(ecs, family="dotnet-poller-task-definition", log_group="/queue-processor",
                                  create_group=False, name="SampleContainer")
            with open(os.path.join(HERE, "stepfunctions", "queue-processor.asl.json")) as f:
                definition = f.read()
            for name, value in {"CLUSTER_NAME": cluster, "TASK_DEFINITION": task["taskDefinitionArn"],
                                "SUBNET_1": "subnet-1", "SUBNET_2": "subnet-2",
                                "SECURITY_GROUP_ID": "sg-1"}.items():
                definition = definition.replace("${" + name + "}", value)
            logs.create_log_group(logGroupName="/states/queue-processor")
            machine = c.sfn.create_state_machine(
                name="queue-processor", roleArn=STATES_ROLE, type="EXPRESS", definition=definition,
                loggingConfiguration={"level": "ALL", "includeExecutionData": True, "destinations": [
                    {"cloudWatchLogsLogGroup": {
                        "logGroupArn": "arn:aws:logs:us-east-1:000000000000:log-group:/states/queue-processor:*"}}]}
            )["stateMachineArn"]
            url, queue = c.queue("orders")
            c.pipes.create_pipe(
                Name="queue-processor", RoleArn=ROLE, Source=queue, Target=machine,
                SourceParameters={"SqsQueueParameters": {"BatchSize": 10, "MaximumBatchingWindowInSeconds": 5}},
                TargetParameters={"StepFunctionStateMachineParameters": {"InvocationType": "FIRE_AND_FORGET"}})
            c.wait_state("queue-processor", "RUNNING")
            bodies = [json.dumps({"order": i}) for i in range(4)]
            for b in bodies:
                c.sqs.send_message(QueueUrl=url, MessageBody=b)

            # the task's container logs its environment: INPUT_MESSAGE is the whole batch
            lines = container_lines(logs, "/queue-processor",
                                    lambda lines: any(l.startswith("INPUT_MESSAGE=") for l in lines))
            message = [l for l in lines if l.startswith("INPUT_MESSAGE=")]
            self.assertEqual(len(message), 1, lines)
            batch = json.loads(message[0][len("INPUT_MESSAGE="):])
            self.assertEqual(sorted(r["body"] for r in batch), sorted(bodies))
            self.assertTrue(all(r["eventSourceARN"] == queue for r in batch))
            streams = logs.describe_log_streams(logGroupName="/queue-processor")["logStreams"]
            self.assertTrue(streams[0]["logStreamName"].startswith("ecs/SampleContainer/"))
            # the queue is empty: the pipe deleted the batch once the execution started
            attrs = c.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            self.assertEqual((attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]),
                             ("0", "0"))
            # the EXPRESS execution logged its run
            events = logs.filter_log_events(logGroupName="/states/queue-processor")["events"]
            types = [json.loads(ev["message"])["type"] for ev in events]
            self.assertIn("ExecutionSucceeded", types)

    def test_ecs_target_reads_the_event(self):
        """A pipe straight to ECS: one RunTask per event, overrides taking $. values."""
        with eddy() as e:
            c = Clients(e.endpoint)
            ecs, logs = clients(e.endpoint)
            cluster = ecs.create_cluster(clusterName="direct")["cluster"]["clusterArn"]
            logs.create_log_group(logGroupName="/direct")
            task = register_hello(ecs, family="direct", log_group="/direct", create_group=False)
            url, queue = c.queue("direct-source")
            c.pipe("direct", queue, cluster, SourceParameters={"SqsQueueParameters": {"BatchSize": 1}},
                   TargetParameters={"EcsTaskParameters": {
                       "TaskDefinitionArn": task["taskDefinitionArn"], "LaunchType": "FARGATE",
                       "NetworkConfiguration": {"awsvpcConfiguration": {"Subnets": ["subnet-1"]}},
                       "Overrides": {"ContainerOverrides": [{"Name": "app", "Environment": [
                           {"name": "CUSTOMER", "value": "$.body.customer"},
                           {"name": "MESSAGE_ID", "value": "$.messageId"}]}]},
                       "Tags": [{"Key": "from", "Value": "pipe"}]}})
            sent = [c.sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"customer": name}))["MessageId"]
                    for name in ("ann", "bob")]
            lines = container_lines(logs, "/direct",
                                    lambda lines: len([l for l in lines if l.startswith("CUSTOMER=")]) == 2)
            self.assertEqual(sorted(l for l in lines if l.startswith("CUSTOMER=")), ["CUSTOMER=ann", "CUSTOMER=bob"])
            self.assertEqual(sorted(l for l in lines if l.startswith("MESSAGE_ID=")),
                             sorted("MESSAGE_ID=" + m for m in sent))
            tasks = ecs.list_tasks(cluster=cluster, desiredStatus="STOPPED")["taskArns"] + \
                ecs.list_tasks(cluster=cluster)["taskArns"]
            described = ecs.describe_tasks(cluster=cluster, tasks=tasks, include=["TAGS"])["tasks"]
            self.assertEqual(len(described), 2)
            self.assertTrue(all({"key": "from", "value": "pipe"} in t.get("tags", []) for t in described))


if __name__ == "__main__":
    unittest.main()
