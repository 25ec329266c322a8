"""ECS container health checks on real containers: containers[].healthStatus and the
task's healthStatus in DescribeTasks (UNKNOWN until a verdict, then HEALTHY or
UNHEALTHY, the task's over its essential containers only), a standalone task that
goes on running while UNHEALTHY, and dependsOn HEALTHY: the dependent container
starts only once its dependency passed its check, and a dependency that never does
fails the task after its startTimeout. hello-task's `health` mode is the check: it
passes once the task has made its HEALTH_FILE, HEALTHY_AFTER_SECONDS into its run.
Runs on the runtime EDDY_ECS_RUNTIME names (ctest registers docker and process).
"""
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from ecs_support import HELLO, HELLO_BINARY, RUNTIME, clients, eddy, register_hello, run, runtime_ready, wait_for


def setUpModule():
    reason = runtime_ready()
    if reason:
        raise unittest.SkipTest(reason)
    if RUNTIME == "docker":
        # The image must hold this build's hello-task, whose `health` mode the checks run.
        label = subprocess.run(["docker", "image", "inspect", "-f", '{{index .Config.Labels "eddy.sample.sha256"}}',
                                HELLO], capture_output=True, text=True, timeout=60).stdout.strip()
        with open(HELLO_BINARY, "rb") as f:
            if label != hashlib.sha256(f.read()).hexdigest():
                raise AssertionError(HELLO + " is not the hello-task of this build (run tools/build-images)")


class Health(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.eddy = eddy().start()
        cls.ecs, cls.logs = clients(cls.eddy.endpoint)
        cls.files = tempfile.mkdtemp(prefix="eddy-health-")

    @classmethod
    def tearDownClass(cls):
        cls.eddy.stop()
        shutil.rmtree(cls.files, ignore_errors=True)

    def health_file(self, name):
        # Each Docker container has its own file system; host processes share the host's.
        return "/healthy" if RUNTIME == "docker" else os.path.join(self.files, f"{self.id()}-{name}")

    def container(self, name, healthy_after=None, essential=True, retries=1, start_period=None, **extra):
        """hello-task sleeping a minute, with a health check every 5 s (ECS's shortest interval)."""
        binary = "/hello-task" if RUNTIME == "docker" else HELLO_BINARY
        check = {"command": ["CMD", binary, "health"], "interval": 5, "timeout": 2, "retries": retries}
        if start_period is not None:
            check["startPeriod"] = start_period
        env = {"SLEEP_SECONDS": "60", "HEALTH_FILE": self.health_file(name)}
        if healthy_after is not None:
            env["HEALTHY_AFTER_SECONDS"] = str(healthy_after)
        return {"name": name, "image": HELLO, "essential": essential, "healthCheck": check,
                "environment": [{"name": k, "value": v} for k, v in env.items()], **extra}

    def register(self, family, *containers):
        return self.ecs.register_task_definition(
            family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512",
            containerDefinitions=list(containers))["taskDefinition"]

    def describe(self, arn):
        task = self.ecs.describe_tasks(tasks=[arn])["tasks"][0]
        return task, {c["name"]: c for c in task["containers"]}

    def wait_until(self, arn, done, timeout=40):
        deadline = time.time() + timeout
        while True:
            task, containers = self.describe(arn)
            if done(task, containers):
                return task, containers
            if time.time() > deadline:
                self.fail(f"not reached in {timeout}s: task {task['lastStatus']}/{task['healthStatus']}, "
                          f"{ {n: (c['lastStatus'], c['healthStatus']) for n, c in containers.items()} }, "
                          f"{task.get('stoppedReason')}")
            time.sleep(0.1)

    def stop(self, arn):
        self.ecs.stop_task(task=arn)
        wait_for(self.ecs, arn, "STOPPED")

    def test_healthy_essential_container_makes_the_task_healthy(self):
        # A non-essential container's health does not count towards the task's.
        self.register("healthy", self.container("app", healthy_after=1, start_period=60),
                      self.container("side", essential=False))
        arn = run(self.ecs, "healthy")[0]["taskArn"]
        task, containers = self.wait_until(arn, lambda t, c: t["lastStatus"] == "RUNNING")
        self.assertEqual(task["healthStatus"], "UNKNOWN")  # no check has run yet: the first comes 5 s in
        self.assertEqual(containers["app"]["healthStatus"], "UNKNOWN")
        task, containers = self.wait_until(arn, lambda t, c: c["app"]["healthStatus"] == "HEALTHY" and
                                           c["side"]["healthStatus"] == "UNHEALTHY")
        self.assertEqual(task["healthStatus"], "HEALTHY")
        self.stop(arn)

    def test_unhealthy_standalone_task_keeps_running(self):
        td = self.register("unhealthy", self.container("app"))
        self.assertEqual(td["containerDefinitions"][0]["healthCheck"]["retries"], 1)
        arn = run(self.ecs, "unhealthy")[0]["taskArn"]
        task, _ = self.wait_until(arn, lambda t, c: c["app"]["healthStatus"] == "UNHEALTHY")
        self.assertEqual(task["healthStatus"], "UNHEALTHY")
        # ECS stops only a service's unhealthy tasks; one started by RunTask goes on.
        time.sleep(6)
        task, containers = self.describe(arn)
        self.assertEqual((task["lastStatus"], task["desiredStatus"]), ("RUNNING", "RUNNING"))
        self.assertEqual(containers["app"]["lastStatus"], "RUNNING")
        self.stop(arn)

    def test_depends_on_healthy_starts_after_the_dependency_is_healthy(self):
        db = self.container("db", healthy_after=1, start_period=60)
        app = {"name": "app", "image": HELLO, "essential": True,
               "environment": [{"name": "SLEEP_SECONDS", "value": "60"}],
               "dependsOn": [{"containerName": "db", "condition": "HEALTHY"}]}
        self.register("depends-healthy", db, app)
        arn = run(self.ecs, "depends-healthy")[0]["taskArn"]
        # While db runs without a verdict, app waits and the task is PENDING.
        task, containers = self.wait_until(arn, lambda t, c: c["db"]["lastStatus"] == "RUNNING")
        self.assertEqual(containers["app"]["lastStatus"], "PENDING")
        self.assertEqual(task["lastStatus"], "PENDING")
        task, containers = self.wait_until(arn, lambda t, c: c["app"]["lastStatus"] == "RUNNING")
        self.assertEqual(containers["db"]["healthStatus"], "HEALTHY")
        self.assertEqual(task["lastStatus"], "RUNNING")
        self.stop(arn)

    def test_dependency_never_healthy_fails_the_task_after_its_start_timeout(self):
        db = self.container("db", essential=False, startTimeout=8)
        app = {"name": "app", "image": HELLO, "essential": True,
               "dependsOn": [{"containerName": "db", "condition": "HEALTHY"}]}
        self.register("never-healthy", db, app)
        arn = run(self.ecs, "never-healthy")[0]["taskArn"]
        started = time.time()
        done, _ = wait_for(self.ecs, arn, "STOPPED", timeout=40)
        self.assertGreaterEqual(time.time() - started, 7)
        self.assertEqual(done["stopCode"], "TaskFailedToStart")
        self.assertEqual(done["stoppedReason"],
                         "Task failed to start: dependency condition HEALTHY of container app was not met")
        containers = {c["name"]: c for c in done["containers"]}
        self.assertNotIn("runtimeId", containers["app"])  # it never started
        self.assertEqual(containers["db"]["healthStatus"], "UNHEALTHY")
        self.assertEqual(containers["db"]["exitCode"], 143)  # stopped with the task


    def test_stop_task_while_waiting_on_a_dependency(self):
        # Without a startTimeout the task waits in PENDING, as on ECS, until StopTask ends it.
        db = self.container("db", essential=False, retries=10)
        app = {"name": "app", "image": HELLO, "essential": True,
               "dependsOn": [{"containerName": "db", "condition": "HEALTHY"}]}
        self.register("waiting", db, app)
        arn = run(self.ecs, "waiting")[0]["taskArn"]
        task, containers = self.wait_until(arn, lambda t, c: c["db"]["lastStatus"] == "RUNNING")
        self.assertEqual(task["lastStatus"], "PENDING")
        started = time.time()
        self.ecs.stop_task(task=arn, reason="waited enough")
        done, _ = wait_for(self.ecs, arn, "STOPPED", timeout=40)
        self.assertLess(time.time() - started, 20)  # not once db's 10 failed checks made it UNHEALTHY
        self.assertEqual((done["stopCode"], done["stoppedReason"]), ("UserInitiated", "waited enough"))
        containers = {c["name"]: c for c in done["containers"]}
        self.assertNotIn("runtimeId", containers["app"])
        self.assertEqual(containers["db"]["exitCode"], 143)

if __name__ == "__main__":
    unittest.main()
