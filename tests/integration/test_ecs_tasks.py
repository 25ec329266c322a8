"""ECS tasks as real containers: RunTask to STOPPED with the lifecycle, exit codes,
stop codes and reasons ECS reports, awslogs in CloudWatch Logs, overrides, StopTask,
the task metadata endpoint seen from inside a task, a missing image, and a task
running across a restart of eddy. Runs on the runtime EDDY_ECS_RUNTIME names
(ctest registers it for docker and for process).
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

from ecs_support import (HELLO, NETWORK, RUNTIME, clients, eddy, log_lines, register_hello, run, runtime_ready,
                         wait_for)
from harness import cli_env

AWS = os.environ.get("EDDY_AWS_CLI", "aws")


def setUpModule():
    reason = runtime_ready()
    if reason:
        raise unittest.SkipTest(reason)


def task_networks(port):
    """The running task-network sandboxes of the eddy on `port`, by short id."""
    return subprocess.run(["docker", "ps", "-q", "--filter", f"label=eddy.instance=port-{port}",
                           "--filter", "label=eddy.role=task-network"],
                          capture_output=True, text=True, check=True).stdout.split()


def task_network_address(container_id):
    """The address of the network namespace a Docker container of a task runs in."""
    inspect = lambda ref: json.loads(subprocess.run(["docker", "inspect", ref], capture_output=True, text=True,
                                                    check=True).stdout)[0]
    mode = inspect(container_id)["HostConfig"]["NetworkMode"]
    assert mode.startswith("container:"), mode
    holder = inspect(mode[len("container:"):])
    assert holder["Config"]["Labels"]["eddy.role"] == "task-network", holder["Config"]["Labels"]
    addresses = [n["IPAddress"] for n in holder["NetworkSettings"]["Networks"].values()]
    assert len(addresses) == 1, addresses
    return addresses[0]


class TaskLifecycle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.eddy = eddy().start()
        cls.ecs, cls.logs = clients(cls.eddy.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.eddy.stop()

    def test_run_to_stopped_with_exit_code_zero_and_awslogs(self):
        td = register_hello(self.ecs, family="ok", log_group="/ecs/ok", environment=[("GREETING", "hi")])
        task = run(self.ecs, "ok")[0]
        self.assertEqual(task["lastStatus"], "PROVISIONING")
        self.assertEqual(task["desiredStatus"], "RUNNING")
        self.assertRegex(task["taskArn"], r"^arn:aws:ecs:us-east-1:000000000000:task/default/[0-9a-f]{32}$")
        self.assertEqual(task["taskDefinitionArn"], td["taskDefinitionArn"])
        # The interface is placed in the caller's subnet, which RunTask reports at once.
        self.assertEqual(task["attachments"][0]["status"], "PRECREATED")
        self.assertEqual(task["attachments"][0]["details"],
                         [{"name": "subnetId", "value": NETWORK["awsvpcConfiguration"]["subnets"][0]}])
        done, seen = wait_for(self.ecs, task["taskArn"], "STOPPED")
        order = ["PROVISIONING", "PENDING", "RUNNING", "DEPROVISIONING", "STOPPED"]
        self.assertEqual([s for s in seen if s in order], sorted(seen, key=order.index))
        self.assertEqual(done["desiredStatus"], "STOPPED")
        self.assertEqual(done["stopCode"], "EssentialContainerExited")
        self.assertEqual(done["stoppedReason"], "Essential container in task exited")
        container = done["containers"][0]
        self.assertEqual(container["exitCode"], 0)
        self.assertEqual(container["lastStatus"], "STOPPED")
        self.assertTrue(container["runtimeId"])
        for member in ("createdAt", "pullStartedAt", "pullStoppedAt", "startedAt", "stoppingAt",
                       "executionStoppedAt", "stoppedAt"):
            self.assertIn(member, done)
        self.assertLessEqual(done["createdAt"], done["startedAt"])
        self.assertLessEqual(done["startedAt"], done["stoppedAt"])
        eni = done["attachments"][0]
        self.assertEqual(eni["type"], "ElasticNetworkInterface")
        details = {d["name"]: d["value"] for d in eni["details"]}
        ip = container["networkInterfaces"][0]["privateIpv4Address"]
        self.assertEqual(details["privateIPv4Address"], ip)
        self.assertEqual(details["subnetId"], NETWORK["awsvpcConfiguration"]["subnets"][0])
        self.assertEqual(details["privateDnsName"], "ip-" + ip.replace(".", "-") + ".ec2.internal")

        task_id = task["taskArn"].rsplit("/", 1)[1]
        stream = f"ecs/app/{task_id}"
        streams = [s["logStreamName"] for s in self.logs.describe_log_streams(logGroupName="/ecs/ok")["logStreams"]]
        self.assertEqual(streams, [stream])
        lines = log_lines(self.logs, "/ecs/ok", stream)
        self.assertIn("GREETING=hi", lines)
        self.assertIn("AWS_REGION=us-east-1", lines)
        self.assertIn("hello-task: exiting with 0 after 0 s", lines)
        endpoint = [l for l in lines if l.startswith("AWS_ENDPOINT_URL=")]
        self.assertEqual(len(endpoint), 1)
        self.assertIn(f":{self.eddy.port}", endpoint[0])

    def test_per_service_endpoint_variables_lead_to_eddy(self):
        # The AWS SDKs read AWS_ENDPOINT_URL_<serviceId> (upper case, spaces as underscores)
        # before AWS_ENDPOINT_URL; a task gets one for every service eddy serves.
        register_hello(self.ecs, family="endpoints", log_group="/ecs/endpoints")
        task = run(self.ecs, "endpoints")[0]
        wait_for(self.ecs, task["taskArn"], "STOPPED")
        task_id = task["taskArn"].rsplit("/", 1)[1]
        lines = log_lines(self.logs, "/ecs/endpoints", f"ecs/app/{task_id}")
        env = dict(l.split("=", 1) for l in lines if l.startswith("AWS_ENDPOINT_URL"))
        endpoint = env.pop("AWS_ENDPOINT_URL")
        for service in ("SQS", "KINESIS", "ECS", "SFN", "CLOUDWATCH_LOGS", "STS"):
            self.assertEqual(env.get("AWS_ENDPOINT_URL_" + service), endpoint, service)
        self.assertTrue(all(v == endpoint for v in env.values()), env)

    def test_non_zero_exit_is_reported(self):
        register_hello(self.ecs, family="fails", environment=[("EXIT_CODE", "3")])
        task = run(self.ecs, "fails")[0]
        done, _ = wait_for(self.ecs, task["taskArn"], "STOPPED")
        self.assertEqual(done["containers"][0]["exitCode"], 3)
        self.assertEqual(done["stopCode"], "EssentialContainerExited")
        self.assertEqual(done["stoppedReason"], "Essential container in task exited")

    def test_container_overrides_reach_the_container(self):
        register_hello(self.ecs, family="over", log_group="/ecs/over", environment=[("MODE", "definition")])
        overrides = {"containerOverrides": [{"name": "app", "environment": [{"name": "MODE", "value": "override"}],
                                             "command": ["7"]}]}
        task = run(self.ecs, "over", overrides=overrides)[0]
        done, _ = wait_for(self.ecs, task["taskArn"], "STOPPED")
        self.assertEqual(done["containers"][0]["exitCode"], 7)  # hello-task's first argument is its exit code
        self.assertEqual(done["overrides"]["containerOverrides"][0]["command"], ["7"])
        task_id = task["taskArn"].rsplit("/", 1)[1]
        lines = log_lines(self.logs, "/ecs/over", f"ecs/app/{task_id}")
        self.assertIn("MODE=override", lines)
        self.assertNotIn("MODE=definition", lines)

    def test_stop_task_of_a_sleeping_container(self):
        register_hello(self.ecs, family="sleeper", log_group="/ecs/sleeper", environment=[("SLEEP_SECONDS", "60")])
        task = run(self.ecs, "sleeper", startedBy="tester")[0]
        running, _ = wait_for(self.ecs, task["taskArn"], "RUNNING")
        self.assertEqual(running["desiredStatus"], "RUNNING")
        listed = self.ecs.list_tasks(startedBy="tester")["taskArns"]
        self.assertIn(task["taskArn"], listed)
        cluster = self.ecs.describe_clusters(clusters=["default"])["clusters"][0]
        self.assertGreaterEqual(cluster["runningTasksCount"], 1)
        with self.assertRaises(ClientError) as caught:
            self.ecs.delete_cluster(cluster="default")
        self.assertEqual(caught.exception.response["Error"]["Code"], "ClusterContainsTasksException")
        started = time.time()
        stopped = self.ecs.stop_task(task=task["taskArn"], reason="enough")["task"]
        self.assertEqual(stopped["desiredStatus"], "STOPPED")
        done, _ = wait_for(self.ecs, task["taskArn"], "STOPPED")
        self.assertLess(time.time() - started, 20)  # SIGTERM ended it, not the 30 s SIGKILL
        self.assertEqual(done["stopCode"], "UserInitiated")
        self.assertEqual(done["stoppedReason"], "enough")
        self.assertEqual(done["containers"][0]["exitCode"], 143)
        task_id = task["taskArn"].rsplit("/", 1)[1]
        self.assertIn("hello-task: SIGTERM", log_lines(self.logs, "/ecs/sleeper", f"ecs/app/{task_id}"))
        self.assertNotIn(task["taskArn"], self.ecs.list_tasks(startedBy="tester")["taskArns"])
        self.assertIn(task["taskArn"], self.ecs.list_tasks(startedBy="tester", desiredStatus="STOPPED")["taskArns"])

    def test_stop_timeout_ends_in_sigkill(self):
        register_hello(self.ecs, family="stubborn", stop_timeout=2,
                       environment=[("SLEEP_SECONDS", "60"), ("IGNORE_SIGTERM", "1")])
        task = run(self.ecs, "stubborn")[0]
        wait_for(self.ecs, task["taskArn"], "RUNNING")
        started = time.time()
        self.ecs.stop_task(task=task["taskArn"])
        done, _ = wait_for(self.ecs, task["taskArn"], "STOPPED")
        took = time.time() - started
        self.assertGreaterEqual(took, 1.8)  # SIGTERM was ignored for the stopTimeout
        self.assertLess(took, 20)           # and SIGKILL came after 2 s, not the default 30
        self.assertEqual(done["containers"][0]["exitCode"], 137)
        self.assertEqual(done["stopCode"], "UserInitiated")
        self.assertEqual(done["stoppedReason"], "Task stopped by user")

    def test_metadata_endpoint_answers_from_inside_the_task(self):
        register_hello(self.ecs, family="meta", log_group="/ecs/meta", environment=[("FETCH_METADATA", "1")])
        task = run(self.ecs, "meta")[0]
        done, _ = wait_for(self.ecs, task["taskArn"], "STOPPED")
        task_id = task["taskArn"].rsplit("/", 1)[1]
        lines = log_lines(self.logs, "/ecs/meta", f"ecs/app/{task_id}")
        fetched = [l for l in lines if l.startswith("fetched: ")]
        self.assertEqual(len(fetched), 1, lines)
        document = json.loads(fetched[0][len("fetched: "):])
        self.assertEqual(document["TaskARN"], task["taskArn"])
        self.assertEqual(document["Family"], "meta")
        self.assertEqual(document["Revision"], "1")
        self.assertEqual(document["Limits"], {"CPU": 0.25, "Memory": 512})
        self.assertEqual(document["Cluster"], "arn:aws:ecs:us-east-1:000000000000:cluster/default")
        self.assertEqual([c["Name"] for c in document["Containers"]], ["app"])
        # The workload asked as it started: its address is already there.
        ip = done["containers"][0]["networkInterfaces"][0]["privateIpv4Address"]
        self.assertEqual(document["Containers"][0]["Networks"][0]["IPv4Addresses"], [ip])
        uri = [l for l in lines if l.startswith("ECS_CONTAINER_METADATA_URI_V4=")][0].split("=", 1)[1]
        self.assertTrue(uri.endswith(f"/_eddy/ecs/metadata/{task_id}/app"), uri)

    def test_metadata_of_a_running_task_and_its_address(self):
        register_hello(self.ecs, family="addr", environment=[("SLEEP_SECONDS", "30")])
        task = run(self.ecs, "addr")[0]
        running, _ = wait_for(self.ecs, task["taskArn"], "RUNNING")
        task_id = task["taskArn"].rsplit("/", 1)[1]
        ip = running["containers"][0]["networkInterfaces"][0]["privateIpv4Address"]
        details = {d["name"]: d["value"] for d in running["attachments"][0]["details"]}
        self.assertEqual(details["privateIPv4Address"], ip)
        self.assertEqual(running["attachments"][0]["status"], "ATTACHED")
        if RUNTIME == "docker":
            # The container joins its task's network namespace, which holds the address.
            self.assertEqual(task_network_address(running["containers"][0]["runtimeId"]), ip)
        else:
            self.assertEqual(ip, "127.0.0.1")
        base = f"{self.eddy.endpoint}/_eddy/ecs/metadata/{task_id}/app"
        with urllib.request.urlopen(base) as r:
            container = json.load(r)
        self.assertEqual(container["KnownStatus"], "RUNNING")
        self.assertEqual(container["DockerId"], running["containers"][0]["runtimeId"])
        self.assertEqual(container["Networks"][0]["IPv4Addresses"], [ip])
        with urllib.request.urlopen(base + "/task") as r:
            self.assertEqual(json.load(r)["KnownStatus"], "RUNNING")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"{self.eddy.endpoint}/_eddy/ecs/metadata/{task_id}/nope")
        self.assertEqual(caught.exception.code, 404)
        self.ecs.stop_task(task=task["taskArn"])
        wait_for(self.ecs, task["taskArn"], "STOPPED")

    def test_eddy_listens_on_loopback_and_the_gateway_only(self):
        if RUNTIME != "docker":
            self.skipTest("host processes reach eddy on loopback")
        register_hello(self.ecs, family="gw", log_group="/ecs/gw")
        task = run(self.ecs, "gw")[0]
        wait_for(self.ecs, task["taskArn"], "STOPPED")
        task_id = task["taskArn"].rsplit("/", 1)[1]
        endpoint = [l for l in log_lines(self.logs, "/ecs/gw", f"ecs/app/{task_id}")
                    if l.startswith("AWS_ENDPOINT_URL=")][0]
        gateway = endpoint.split("//", 1)[1].rsplit(":", 1)[0]
        listening = set()
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, port = local.split(":")
                if state == "0A" and int(port, 16) == self.eddy.port:  # LISTEN
                    listening.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
        self.assertEqual(listening, {"127.0.0.1", gateway})

    def test_missing_image_fails_like_ecs(self):
        register_hello(self.ecs, family="noimage", image="eddy-samples/no-such-image:1.0")
        task = run(self.ecs, "noimage")[0]
        done, _ = wait_for(self.ecs, task["taskArn"], "STOPPED")
        self.assertEqual(done["stopCode"], "TaskFailedToStart")
        expected = ("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve "
                    "ref docker.io/eddy-samples/no-such-image:1.0: docker.io/eddy-samples/no-such-image:1.0: not found")
        self.assertEqual(done["stoppedReason"], expected)
        self.assertEqual(done["containers"][0]["reason"], expected)
        self.assertNotIn("exitCode", done["containers"][0])
        self.assertNotIn("startedAt", done)

    def test_missing_log_group_without_create_group_fails_to_start(self):
        register_hello(self.ecs, family="nogroup", log_group="/ecs/not-there", create_group=False)
        task = run(self.ecs, "nogroup")[0]
        done, _ = wait_for(self.ecs, task["taskArn"], "STOPPED")
        self.assertEqual(done["stopCode"], "TaskFailedToStart")
        self.assertIn("ResourceNotFoundException: The specified log group does not exist.", done["stoppedReason"])
        self.assertTrue(done["stoppedReason"].startswith("ResourceInitializationError: "))

    def test_essential_container_exit_stops_the_others(self):
        sidecar = {"name": "sidecar", "image": HELLO, "essential": False,
                   "environment": [{"name": "SLEEP_SECONDS", "value": "60"}]}
        register_hello(self.ecs, family="pair", environment=[("SLEEP_SECONDS", "1")], extra_containers=[sidecar])
        task = run(self.ecs, "pair")[0]
        started = time.time()
        done, _ = wait_for(self.ecs, task["taskArn"], "STOPPED")
        self.assertLess(time.time() - started, 30)
        by_name = {c["name"]: c for c in done["containers"]}
        self.assertEqual(by_name["app"]["exitCode"], 0)
        self.assertEqual(by_name["sidecar"]["exitCode"], 143)
        self.assertEqual(done["stopCode"], "EssentialContainerExited")

    def test_awsvpc_containers_share_the_task_address_and_bridge_containers_do_not(self):
        sidecar = {"name": "sidecar", "image": HELLO, "essential": False,
                   "environment": [{"name": "SLEEP_SECONDS", "value": "30"}]}
        register_hello(self.ecs, family="shared", environment=[("SLEEP_SECONDS", "30")], extra_containers=[sidecar])
        self.ecs.register_task_definition(family="bridged", networkMode="bridge", containerDefinitions=[
            {"name": name, "image": HELLO, "memory": 64, "environment": [{"name": "SLEEP_SECONDS", "value": "30"}]}
            for name in ("app", "sidecar")])
        shared = run(self.ecs, "shared")[0]["taskArn"]
        bridged = self.ecs.run_task(taskDefinition="bridged", launchType="EC2")["tasks"][0]["taskArn"]
        addresses = {}
        for arn in (shared, bridged):
            running, _ = wait_for(self.ecs, arn, "RUNNING")
            addresses[arn] = [c["networkInterfaces"][0]["privateIpv4Address"] for c in running["containers"]]
            if RUNTIME == "docker":
                self.assertEqual([task_network_address(c["runtimeId"]) for c in running["containers"]],
                                 addresses[arn])
        self.ecs.stop_task(task=shared)
        self.ecs.stop_task(task=bridged)
        if RUNTIME == "docker":
            self.assertEqual(len(set(addresses[shared])), 1, addresses)
            self.assertEqual(len(set(addresses[bridged])), 2, addresses)
        else:
            self.assertEqual(addresses[shared] + addresses[bridged], ["127.0.0.1"] * 4)
        for arn in (shared, bridged):
            wait_for(self.ecs, arn, "STOPPED")

    def test_depends_on_complete_starts_after_the_dependency_ended(self):
        init = {"name": "init", "image": HELLO, "essential": False,
                "environment": [{"name": "SLEEP_SECONDS", "value": "1"}],
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": "/ecs/deps", "awslogs-create-group": "true", "awslogs-stream-prefix": "ecs"}}}
        register_hello(self.ecs, family="deps", log_group="/ecs/deps", extra_containers=[init],
                       dependsOn=[{"containerName": "init", "condition": "COMPLETE"}])
        task = run(self.ecs, "deps")[0]
        done, _ = wait_for(self.ecs, task["taskArn"], "STOPPED")
        self.assertEqual({c["name"]: c["exitCode"] for c in done["containers"]}, {"app": 0, "init": 0})
        task_id = task["taskArn"].rsplit("/", 1)[1]
        events = lambda name: self.logs.get_log_events(logGroupName="/ecs/deps", logStreamName=f"ecs/{name}/{task_id}",
                                                       startFromHead=True)["events"]
        # init sleeps a second after its output; app's output comes after init has ended.
        self.assertGreaterEqual(events("app")[0]["timestamp"], events("init")[-1]["timestamp"] + 900)

    def test_run_task_through_the_cli(self):
        register_hello(self.ecs, family="cli-task", environment=[("EXIT_CODE", "4")])
        env = cli_env(self.eddy.endpoint)

        def aws(*args):
            r = subprocess.run([AWS, "--output", "json", "ecs", *args], capture_output=True, text=True, timeout=120,
                               env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            return json.loads(r.stdout) if r.stdout.strip() else None

        out = aws("run-task", "--task-definition", "cli-task", "--launch-type", "FARGATE", "--network-configuration",
                  "awsvpcConfiguration={subnets=[subnet-1],assignPublicIp=ENABLED}")
        arn = out["tasks"][0]["taskArn"]
        aws("wait", "tasks-stopped", "--tasks", arn)
        task = aws("describe-tasks", "--tasks", arn)["tasks"][0]
        self.assertEqual((task["lastStatus"], task["stopCode"]), ("STOPPED", "EssentialContainerExited"))
        self.assertEqual(task["containers"][0]["exitCode"], 4)

    def test_count_and_list_filters(self):
        register_hello(self.ecs, family="many", environment=[("SLEEP_SECONDS", "30")])
        self.ecs.create_cluster(clusterName="batch")
        tasks = run(self.ecs, "many", cluster="batch", count=3, group="g1")
        self.assertEqual(len(tasks), 3)
        arns = sorted(t["taskArn"] for t in tasks)
        self.assertEqual([a.split("/")[-2] for a in arns], ["batch"] * 3)
        self.assertEqual(sorted(self.ecs.list_tasks(cluster="batch", family="many")["taskArns"]), arns)
        self.assertEqual(self.ecs.list_tasks(cluster="batch", family="other")["taskArns"], [])
        described = self.ecs.describe_tasks(cluster="batch", tasks=[a.rsplit("/", 1)[1] for a in arns])
        self.assertEqual(sorted(t["taskArn"] for t in described["tasks"]), arns)
        self.assertEqual({t["group"] for t in described["tasks"]}, {"g1"})
        for arn in arns:
            wait_for(self.ecs, arn, "RUNNING", cluster="batch")
        cluster = self.ecs.describe_clusters(clusters=["batch"], include=["STATISTICS"])["clusters"][0]
        self.assertEqual(cluster["runningTasksCount"], 3)
        statistics = {s["name"]: s["value"] for s in cluster["statistics"]}
        self.assertEqual((statistics["runningFargateTasksCount"], statistics["runningEC2TasksCount"]), ("3", "0"))
        for arn in arns:
            self.ecs.stop_task(cluster="batch", task=arn)
        for arn in arns:
            wait_for(self.ecs, arn, "STOPPED", cluster="batch")
        self.assertEqual(self.ecs.list_tasks(cluster="batch")["taskArns"], [])
        self.ecs.delete_cluster(cluster="batch")

    def test_task_tags_and_tags_propagated_from_the_task_definition(self):
        td = register_hello(self.ecs, family="tagged", environment=[("SLEEP_SECONDS", "30")])
        self.ecs.tag_resource(resourceArn=td["taskDefinitionArn"],
                              tags=[{"key": "team", "value": "a"}, {"key": "env", "value": "def"}])
        plain = run(self.ecs, "tagged", tags=[{"key": "env", "value": "dev"}])[0]
        propagated = run(self.ecs, "tagged", tags=[{"key": "env", "value": "dev"}], propagateTags="TASK_DEFINITION")[0]
        by_key = lambda tags: {t["key"]: t["value"] for t in tags}
        self.assertEqual(by_key(plain["tags"]), {"env": "dev"})
        # The task definition's tags are copied; the request's own win on a key.
        self.assertEqual(by_key(propagated["tags"]), {"env": "dev", "team": "a"})
        arn = propagated["taskArn"]
        described = self.ecs.describe_tasks(tasks=[arn], include=["TAGS"])["tasks"][0]
        self.assertEqual(by_key(described["tags"]), {"env": "dev", "team": "a"})
        self.assertNotIn("tags", self.ecs.describe_tasks(tasks=[arn])["tasks"][0])
        self.ecs.tag_resource(resourceArn=arn, tags=[{"key": "run", "value": "1"}])
        self.ecs.untag_resource(resourceArn=arn, tagKeys=["team"])
        self.assertEqual(by_key(self.ecs.list_tags_for_resource(resourceArn=arn)["tags"]), {"env": "dev", "run": "1"})
        for task in (plain, propagated):
            self.ecs.stop_task(task=task["taskArn"])
            wait_for(self.ecs, task["taskArn"], "STOPPED")

    def test_errors_as_ecs_words_them(self):
        def code(fn, **kwargs):
            with self.assertRaises(ClientError) as caught:
                fn(**kwargs)
            return caught.exception.response["Error"]["Code"], caught.exception.response["Error"]["Message"]

        self.assertEqual(code(self.ecs.run_task, taskDefinition="nope:1"), ("ClientException", "TaskDefinition not found."))
        self.assertEqual(code(self.ecs.run_task, taskDefinition="nope", cluster="missing"),
                         ("ClusterNotFoundException", "Cluster not found."))
        register_hello(self.ecs, family="err")
        self.assertEqual(code(self.ecs.run_task, taskDefinition="err", count=11)[0], "InvalidParameterException")
        self.assertEqual(code(self.ecs.stop_task, task="0123456789abcdef0123456789abcdef"),
                         ("InvalidParameterException", "The referenced task was not found."))
        # A task ID that names no task is reported as the ARN it would have.
        failures = self.ecs.describe_tasks(tasks=["0123456789abcdef0123456789abcdef"])["failures"]
        self.assertEqual(failures, [{"arn": "arn:aws:ecs:us-east-1:000000000000:task/default/"
                                            "0123456789abcdef0123456789abcdef", "reason": "MISSING"}])


class StoppedTasksExpire(unittest.TestCase):
    def test_a_task_stopped_for_an_hour_is_forgotten(self):
        with eddy(extra_args=["--clock", "manual"]) as e:
            ecs, _ = clients(e.endpoint)
            register_hello(ecs, family="brief")
            arn = run(ecs, "brief")[0]["taskArn"]
            wait_for(ecs, arn, "STOPPED")

            def advance(seconds):
                body = json.dumps({"advanceSeconds": seconds}).encode()
                urllib.request.urlopen(urllib.request.Request(e.endpoint + "/_eddy/clock", data=body, method="POST"))

            advance(3500)
            self.assertEqual(ecs.describe_tasks(tasks=[arn])["tasks"][0]["lastStatus"], "STOPPED")
            self.assertEqual(ecs.list_tasks(desiredStatus="STOPPED")["taskArns"], [arn])
            advance(200)
            self.assertEqual(ecs.describe_tasks(tasks=[arn])["failures"], [{"arn": arn, "reason": "MISSING"}])
            self.assertEqual(ecs.list_tasks(desiredStatus="STOPPED")["taskArns"], [])


class TaskAcrossRestart(unittest.TestCase):
    def test_a_running_task_is_stopped_with_a_reason_after_a_restart(self):
        data = tempfile.mkdtemp(prefix="eddy-ecs-")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            first = eddy(data_dir=data, extra_args=["--port", str(port)]).start()
            ecs, _ = clients(first.endpoint)
            register_hello(ecs, family="long", environment=[("SLEEP_SECONDS", "120")])
            task = run(ecs, "long")[0]
            running, _ = wait_for(ecs, task["taskArn"], "RUNNING")
            runtime_id = running["containers"][0]["runtimeId"]
            earlier_networks = set(task_networks(port)) if RUNTIME == "docker" else set()
            first.kill9()

            second = eddy(data_dir=data, extra_args=["--port", str(port)]).start()
            try:
                ecs, _ = clients(second.endpoint)
                done, _ = wait_for(ecs, task["taskArn"], "STOPPED", timeout=30)
                self.assertEqual(done["desiredStatus"], "STOPPED")
                self.assertEqual(done["stopCode"], "TerminationNotice")
                self.assertIn("eddy restarted while it ran", done["stoppedReason"])
                if RUNTIME == "docker":
                    self.assertIn("were still running and have been removed", done["stoppedReason"])
                    deadline = time.time() + 30
                    while time.time() < deadline:
                        ps = subprocess.run(["docker", "ps", "-aq", "--no-trunc"], capture_output=True, text=True)
                        if runtime_id not in ps.stdout:
                            break
                        time.sleep(0.2)
                    self.assertNotIn(runtime_id, ps.stdout)
                    # With a task definition kept, the new run readies two task networks by
                    # itself, once the earlier run's (the task's, and those ready) are gone.
                    self.assertGreaterEqual(len(earlier_networks), 2)
                    deadline = time.time() + 30
                    while time.time() < deadline:
                        now = task_networks(port)
                        if len(now) == 2 and not earlier_networks & set(now):
                            break
                        time.sleep(0.2)
                    self.assertEqual(len(now), 2)
                    self.assertFalse(earlier_networks & set(now))
                    all_of_instance = subprocess.run(
                        ["docker", "ps", "-aq", "--filter", f"label=eddy.instance=port-{port}"],
                        capture_output=True, text=True, check=True).stdout.split()
                    self.assertEqual(sorted(all_of_instance), sorted(now))
                # The task definition survived too, and new tasks run.
                self.assertEqual(ecs.describe_task_definition(taskDefinition="long")["taskDefinition"]["revision"], 1)
                self.assertEqual(ecs.list_tasks()["taskArns"], [])
            finally:
                second.stop()
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
