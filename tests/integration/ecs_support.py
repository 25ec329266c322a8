"""Shared pieces of the ECS suites: which runtime they run on, the hello-task
task definition, and waiting for a task to reach a status.

EDDY_ECS_RUNTIME chooses the backend: docker (needs tools/docker-engine and
tools/build-images; skipped without them unless EDDY_REQUIRE_DOCKER is set) or
process (hello-task's static binary from the build stands for its image).
"""
import os
import subprocess
import time

from harness import ROOT, Eddy, client

HELLO = "eddy-samples/hello-task:latest"
RUNTIME = os.environ.get("EDDY_ECS_RUNTIME", "docker")
HELLO_BINARY = os.environ.get("EDDY_HELLO_TASK", os.path.join(ROOT, "build", "containers", "hello-task"))


def runtime_ready():
    """None when the runtime can run hello-task, else why not."""
    if RUNTIME == "process":
        return None if os.access(HELLO_BINARY, os.X_OK) else HELLO_BINARY + " is not built"
    try:
        ok = (subprocess.run(["docker", "image", "inspect", HELLO], capture_output=True, timeout=60).returncode == 0)
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if ok:
        return None
    if os.environ.get("EDDY_REQUIRE_DOCKER"):
        raise AssertionError("no Docker engine or no " + HELLO + " (tools/docker-engine, tools/build-images)")
    return "no Docker engine or no " + HELLO


def eddy(**kwargs):
    """An Eddy running tasks on the chosen runtime."""
    env = dict(os.environ)
    env["EDDY_PROCESS_IMAGES"] = HELLO + "=" + HELLO_BINARY
    extra = ["--runtime", RUNTIME] + list(kwargs.pop("extra_args", []))
    return Eddy(extra_args=extra, env=env, **kwargs)


def clients(endpoint):
    return client("ecs", endpoint), client("logs", endpoint)


EXECUTION_ROLE = "arn:aws:iam::000000000000:role/ecsTaskExecutionRole"


def register_hello(ecs, family="hello", environment=(), log_group=None, create_group=True, image=HELLO,
                   stop_timeout=None, extra_containers=(), **container):
    definition = {"name": "app", "image": image, "essential": True,
                  "environment": [{"name": k, "value": v} for k, v in environment]}
    if log_group:
        options = {"awslogs-group": log_group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}
        if create_group:
            options["awslogs-create-group"] = "true"
        definition["logConfiguration"] = {"logDriver": "awslogs", "options": options}
    if stop_timeout is not None:
        definition["stopTimeout"] = stop_timeout
    definition.update(container)
    # Fargate's awslogs writes with the task execution role, which ECS requires then.
    role = {"executionRoleArn": EXECUTION_ROLE} if log_group else {}
    return ecs.register_task_definition(
        family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512",
        containerDefinitions=[definition, *extra_containers], **role)["taskDefinition"]


NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-12345678"], "assignPublicIp": "ENABLED"}}


def run(ecs, task_definition="hello", **kwargs):
    kwargs.setdefault("launchType", "FARGATE")
    kwargs.setdefault("networkConfiguration", NETWORK)
    out = ecs.run_task(taskDefinition=task_definition, **kwargs)
    assert not out["failures"], out["failures"]
    return out["tasks"]


def wait_for(ecs, task_arn, status, timeout=60, cluster=None):
    """Polls DescribeTasks until lastStatus is `status`; returns the task and every status seen."""
    seen = []
    deadline = time.time() + timeout
    args = {"cluster": cluster} if cluster else {}
    while True:
        task = ecs.describe_tasks(tasks=[task_arn], **args)["tasks"][0]
        if not seen or seen[-1] != task["lastStatus"]:
            seen.append(task["lastStatus"])
        if task["lastStatus"] == status:
            return task, seen
        if time.time() > deadline:
            raise AssertionError(f"task still {task['lastStatus']} after {timeout}s (saw {seen}; "
                                 f"stopCode {task.get('stopCode')}: {task.get('stoppedReason')})")
        time.sleep(0.05)


def log_lines(logs, group, stream):
    return [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=stream,
                                                      startFromHead=True)["events"]]
