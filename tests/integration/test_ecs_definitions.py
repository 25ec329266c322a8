"""ECS clusters and task definitions through boto3 and the AWS CLI: the implicit
default cluster, CreateCluster/DescribeClusters/ListClusters/DeleteCluster, task
definition families and revisions, references by ARN, family:revision and family,
listings with their filters, sort and pagination, deregistration, and tags.
These need no container runtime.
"""
import json
import os
import subprocess
import unittest

from botocore.exceptions import ClientError

from harness import Eddy, cli_env, client

AWS = os.environ.get("EDDY_AWS_CLI", "aws")
ACCOUNT_REGION = "us-east-1:000000000000"


def container(name="app", **extra):
    # Without a task-level memory each container must name its own.
    return {"name": name, "image": "eddy-samples/hello-task:latest", "memory": 128, **extra}


class Clusters(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.eddy = Eddy().start()
        cls.ecs = client("ecs", cls.eddy.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.eddy.stop()

    def error(self, fn, **kwargs):
        with self.assertRaises(ClientError) as caught:
            fn(**kwargs)
        e = caught.exception.response
        return e["Error"]["Code"], e["Error"]["Message"], e["ResponseMetadata"]["HTTPStatusCode"]

    def test_default_cluster_exists_without_creating_it(self):
        arn = f"arn:aws:ecs:{ACCOUNT_REGION}:cluster/default"
        self.assertIn(arn, self.ecs.list_clusters()["clusterArns"])
        described = self.ecs.describe_clusters()["clusters"]
        self.assertEqual([(c["clusterName"], c["status"], c["runningTasksCount"], c["pendingTasksCount"])
                          for c in described], [("default", "ACTIVE", 0, 0)])

    def test_create_describe_list_delete(self):
        created = self.ecs.create_cluster(clusterName="orders", tags=[{"key": "team", "value": "a"}])["cluster"]
        arn = f"arn:aws:ecs:{ACCOUNT_REGION}:cluster/orders"
        self.assertEqual(created["clusterArn"], arn)
        self.assertEqual(created["status"], "ACTIVE")
        # Creating it again returns the same cluster.
        self.assertEqual(self.ecs.create_cluster(clusterName="orders")["cluster"]["clusterArn"], arn)
        self.assertIn(arn, self.ecs.list_clusters()["clusterArns"])
        out = self.ecs.describe_clusters(clusters=["orders", arn, "ghost"], include=["TAGS"])
        self.assertEqual([c["clusterArn"] for c in out["clusters"]], [arn, arn])
        self.assertEqual(out["clusters"][0]["tags"], [{"key": "team", "value": "a"}])
        self.assertEqual(out["failures"], [{"arn": f"arn:aws:ecs:{ACCOUNT_REGION}:cluster/ghost", "reason": "MISSING"}])
        # Settings and statistics, like tags, come only when asked for.
        plain = self.ecs.describe_clusters(clusters=["orders"])["clusters"][0]
        self.assertNotIn("settings", plain)
        self.assertNotIn("tags", plain)
        self.assertEqual(plain["statistics"], [])
        full = self.ecs.describe_clusters(clusters=["orders"], include=["SETTINGS", "STATISTICS"])["clusters"][0]
        self.assertEqual(full["settings"], [{"name": "containerInsights", "value": "disabled"}])
        statistics = {s["name"]: s["value"] for s in full["statistics"]}
        self.assertEqual(statistics, {f"{state}{kind}TasksCount": "0" for state in ("running", "pending")
                                      for kind in ("EC2", "Fargate")} |
                         {f"{state}{kind}ServiceCount": "0" for state in ("active", "draining")
                          for kind in ("EC2", "Fargate")})
        self.assertEqual(self.ecs.list_tags_for_resource(resourceArn=arn)["tags"], [{"key": "team", "value": "a"}])
        deleted = self.ecs.delete_cluster(cluster="orders")["cluster"]
        self.assertEqual(deleted["status"], "INACTIVE")
        self.assertNotIn(arn, self.ecs.list_clusters()["clusterArns"])
        self.assertEqual(self.ecs.describe_clusters(clusters=["orders"])["clusters"][0]["status"], "INACTIVE")
        self.assertEqual(self.error(self.ecs.delete_cluster, cluster="orders"),
                         ("ClusterNotFoundException", "Cluster not found.", 400))

    def test_bad_cluster_name(self):
        code, _, status = self.error(self.ecs.create_cluster, clusterName="bad name!")
        self.assertEqual((code, status), ("InvalidParameterException", 400))


class TaskDefinitions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.eddy = Eddy().start()
        cls.ecs = client("ecs", cls.eddy.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.eddy.stop()

    def error(self, fn, **kwargs):
        with self.assertRaises(ClientError) as caught:
            fn(**kwargs)
        e = caught.exception.response
        return e["Error"]["Code"], e["Error"]["Message"]

    def aws(self, *args):
        r = subprocess.run([AWS, "--endpoint-url", self.eddy.endpoint, "--output", "json", "ecs", *args],
                           capture_output=True, text=True, timeout=60, env=cli_env(self.eddy.endpoint))
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout) if r.stdout.strip() else None

    def test_revisions_and_references(self):
        first = self.ecs.register_task_definition(
            family="web", containerDefinitions=[container(portMappings=[{"containerPort": 8080}])],
            tags=[{"key": "env", "value": "dev"}])
        td = first["taskDefinition"]
        self.assertEqual(td["taskDefinitionArn"], f"arn:aws:ecs:{ACCOUNT_REGION}:task-definition/web:1")
        self.assertEqual((td["family"], td["revision"], td["status"]), ("web", 1, "ACTIVE"))
        self.assertEqual(first["tags"], [{"key": "env", "value": "dev"}])
        c = td["containerDefinitions"][0]
        self.assertTrue(c["essential"])
        self.assertEqual(c["portMappings"], [{"containerPort": 8080, "protocol": "tcp"}])
        second = self.ecs.register_task_definition(family="web", containerDefinitions=[container()])["taskDefinition"]
        self.assertEqual(second["revision"], 2)
        self.assertEqual(self.ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["revision"], 2)
        self.assertEqual(self.ecs.describe_task_definition(taskDefinition="web:1")["taskDefinition"]["revision"], 1)
        by_arn = self.ecs.describe_task_definition(taskDefinition=td["taskDefinitionArn"], include=["TAGS"])
        self.assertEqual(by_arn["taskDefinition"]["revision"], 1)
        self.assertEqual(by_arn["tags"], [{"key": "env", "value": "dev"}])
        self.assertEqual(self.error(self.ecs.describe_task_definition, taskDefinition="web:9"),
                         ("ClientException", "Unable to describe task definition."))
        # Deregistering the latest makes `web` mean the latest ACTIVE revision.
        out = self.ecs.deregister_task_definition(taskDefinition="web:2")["taskDefinition"]
        self.assertEqual(out["status"], "INACTIVE")
        self.assertIn("deregisteredAt", out)
        self.assertEqual(self.ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["revision"], 1)
        self.assertEqual(self.ecs.describe_task_definition(taskDefinition="web:2")["taskDefinition"]["status"],
                         "INACTIVE")
        self.assertEqual(self.error(self.ecs.run_task, taskDefinition="web:2"),
                         ("ClientException", "TaskDefinition is inactive"))

    def test_listings(self):
        for family in ("list-b", "list-a", "list-b", "list-b"):
            self.ecs.register_task_definition(family=family, containerDefinitions=[container()])
        self.ecs.deregister_task_definition(taskDefinition="list-b:2")
        arn = lambda ref: f"arn:aws:ecs:{ACCOUNT_REGION}:task-definition/{ref}"
        listed = self.ecs.list_task_definitions(familyPrefix="list-b")["taskDefinitionArns"]
        self.assertEqual(listed, [arn("list-b:1"), arn("list-b:3")])
        listed = self.ecs.list_task_definitions(familyPrefix="list-b", status="INACTIVE")["taskDefinitionArns"]
        self.assertEqual(listed, [arn("list-b:2")])
        listed = self.ecs.list_task_definitions(familyPrefix="list-b", sort="DESC")["taskDefinitionArns"]
        self.assertEqual(listed, [arn("list-b:3"), arn("list-b:1")])
        page = self.ecs.list_task_definitions(familyPrefix="list-b", maxResults=1)
        self.assertEqual(page["taskDefinitionArns"], [arn("list-b:1")])
        rest = self.ecs.list_task_definitions(familyPrefix="list-b", nextToken=page["nextToken"])
        self.assertEqual(rest["taskDefinitionArns"], [arn("list-b:3")])
        self.assertNotIn("nextToken", rest)
        families = self.ecs.list_task_definition_families(familyPrefix="list-")["families"]
        self.assertEqual(families, ["list-a", "list-b"])
        self.ecs.deregister_task_definition(taskDefinition="list-a:1")
        self.assertEqual(self.ecs.list_task_definition_families(familyPrefix="list-")["families"], ["list-b"])
        self.assertEqual(self.ecs.list_task_definition_families(familyPrefix="list-", status="INACTIVE")["families"],
                         ["list-a"])
        self.assertEqual(self.ecs.list_task_definition_families(familyPrefix="list-", status="ALL")["families"],
                         ["list-a", "list-b"])

    def test_validation(self):
        self.assertEqual(self.error(self.ecs.register_task_definition, family="dup",
                                    containerDefinitions=[container(), container()])[0], "ClientException")
        self.assertEqual(self.error(self.ecs.register_task_definition, family="bad family",
                                    containerDefinitions=[container()])[0], "ClientException")
        code, message = self.error(self.ecs.register_task_definition, family="fg", requiresCompatibilities=["FARGATE"],
                                   networkMode="awsvpc", containerDefinitions=[container()])
        self.assertEqual((code, message), ("ClientException", "Fargate requires that 'cpu' be defined at the task level."))
        self.assertEqual(self.error(self.ecs.register_task_definition, family="noess",
                                    containerDefinitions=[container(essential=False)])[0], "ClientException")

    def test_task_size_units_and_fargate_sizes(self):
        fargate = {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc"}
        # "1 vCPU" and "2 GB" are registered as CPU units and MiB.
        td = self.ecs.register_task_definition(family="sized", cpu="1 vCPU", memory="2GB", **fargate,
                                               containerDefinitions=[container()])["taskDefinition"]
        self.assertEqual((td["cpu"], td["memory"]), ("1024", "2048"))
        self.assertEqual(self.ecs.register_task_definition(
            family="sized", cpu="512", memory="4096", **fargate,
            containerDefinitions=[container()])["taskDefinition"]["cpu"], "512")
        self.assertEqual(self.error(self.ecs.register_task_definition, family="sized", cpu="256", memory="4096",
                                    **fargate, containerDefinitions=[container()]),
                         ("ClientException", "No Fargate configuration exists for given values: 256 CPU, 4096 "
                          "memory. See the Amazon ECS documentation for the valid values."))
        # Neither CPU units nor vCPUs: words, hex, exponents.
        for cpu in ("lots", "0x400", "1e3", "inf"):
            self.assertEqual(self.error(self.ecs.register_task_definition, family="sized", cpu=cpu, memory="512",
                                        containerDefinitions=[container()]),
                             ("ClientException", "Invalid 'cpu' setting for task."), cpu)
        self.assertEqual(self.ecs.register_task_definition(
            family="sized", cpu="0.5 vCPU", memory="1 GB", **fargate,
            containerDefinitions=[container()])["taskDefinition"]["cpu"], "512")
        self.assertEqual(self.error(self.ecs.register_task_definition, family="sized", memory="2 TB",
                                    containerDefinitions=[container()]),
                         ("ClientException", "Invalid 'memory' setting for task."))
        self.assertEqual(self.error(self.ecs.register_task_definition, family="sized",
                                    containerDefinitions=[{"name": "bare", "image": "i"}]),
                         ("ClientException", "Invalid setting for container 'bare'. At least one of 'memory' or "
                          "'memoryReservation' must be specified."))
        # A task-level memory is enough, and so is a reservation.
        self.ecs.register_task_definition(family="sized", memory="256",
                                          containerDefinitions=[{"name": "a", "image": "i"}])
        self.ecs.register_task_definition(family="sized", containerDefinitions=[
            {"name": "a", "image": "i", "memoryReservation": 64}])
        self.assertEqual(self.error(self.ecs.register_task_definition, family="sized", cpu="256", memory="512",
                                    **fargate, containerDefinitions=[container(memory=1024)]),
                         ("ClientException", "The 'memory' setting for container 'app' is greater than for the task."))

    def test_fargate_awslogs_needs_the_execution_role_and_a_stream_prefix(self):
        fargate = {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512"}
        logged = lambda **options: container(logConfiguration={"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/f", "awslogs-region": "us-east-1", **options}})
        self.assertEqual(self.error(self.ecs.register_task_definition, family="flog", **fargate,
                                    containerDefinitions=[logged(**{"awslogs-stream-prefix": "ecs"})]),
                         ("ClientException", "Fargate requires task definition to have execution role ARN to support "
                          "log driver awslogs."))
        role = "arn:aws:iam::000000000000:role/ecsTaskExecutionRole"
        self.assertEqual(self.error(self.ecs.register_task_definition, family="flog", **fargate,
                                    executionRoleArn=role, containerDefinitions=[logged()]),
                         ("ClientException", "Fargate requires log configuration options to include "
                          "awslogs-stream-prefix to support log driver awslogs."))
        td = self.ecs.register_task_definition(family="flog", **fargate, executionRoleArn=role,
                                               containerDefinitions=[logged(**{"awslogs-stream-prefix": "ecs"})])
        self.assertEqual(td["taskDefinition"]["executionRoleArn"], role)
        # EC2 task definitions need neither.
        self.ecs.register_task_definition(family="flog", containerDefinitions=[logged()])

    def test_health_check_defaults_and_bounds(self):
        check = {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]}
        td = self.ecs.register_task_definition(family="health", containerDefinitions=[
            container(healthCheck=check),
            container("side", healthCheck={"command": ["CMD", "/hello-task", "health"], "interval": 5, "timeout": 2,
                                           "retries": 1, "startPeriod": 300})])["taskDefinition"]
        described = self.ecs.describe_task_definition(taskDefinition="health")["taskDefinition"]
        for out in (td, described):
            app, side = out["containerDefinitions"]
            # ECS fills in the documented defaults; startPeriod stays off unless given.
            self.assertEqual(app["healthCheck"], {**check, "interval": 30, "timeout": 5, "retries": 3})
            self.assertEqual(side["healthCheck"], {"command": ["CMD", "/hello-task", "health"], "interval": 5,
                                                   "timeout": 2, "retries": 1, "startPeriod": 300})
        self.assertNotIn("healthCheck", self.ecs.register_task_definition(
            family="nohealth", containerDefinitions=[container()])["taskDefinition"]["containerDefinitions"][0])
        for member, bad in (("interval", 4), ("interval", 301), ("timeout", 1), ("timeout", 61), ("retries", 0),
                            ("retries", 11), ("startPeriod", 301)):
            with self.subTest(member=member, value=bad):
                self.assertEqual(self.error(self.ecs.register_task_definition, family="health", containerDefinitions=[
                    container("web", healthCheck={**check, member: bad})]),
                    ("ClientException", f'Container health check\'s {member} value of container "web" is invalid.'))
        for command in (["curl -f http://localhost/"], ["CMD"], ["NONE"], ["CMD-SHELL", "true", "extra"]):
            with self.subTest(command=command):
                self.assertEqual(self.error(self.ecs.register_task_definition, family="health", containerDefinitions=[
                    container("web", healthCheck={"command": command})]),
                    ("ClientException", 'Container health check\'s command value of container "web" is invalid.'))
        # Nothing invalid was registered.
        self.assertEqual(self.ecs.describe_task_definition(taskDefinition="health")["taskDefinition"]["revision"], 1)

    def test_run_task_checks_the_launch_type_and_network(self):
        self.ecs.register_task_definition(family="bridge", containerDefinitions=[container()])
        self.assertEqual(self.error(self.ecs.run_task, taskDefinition="bridge", launchType="FARGATE"),
                         ("InvalidParameterException", "Task definition does not support launch_type FARGATE."))
        self.ecs.register_task_definition(family="vpc", networkMode="awsvpc", containerDefinitions=[container()])
        self.assertEqual(self.error(self.ecs.run_task, taskDefinition="vpc"),
                         ("InvalidParameterException",
                          "Network Configuration must be provided when networkMode 'awsvpc' is specified."))
        self.assertEqual(self.error(self.ecs.run_task, taskDefinition="vpc", count=0, networkConfiguration={
            "awsvpcConfiguration": {"subnets": ["subnet-1"]}})[0], "InvalidParameterException")
        overrides = {"containerOverrides": [{"name": "other"}]}
        self.assertEqual(self.error(self.ecs.run_task, taskDefinition="bridge", overrides=overrides)[0],
                         "InvalidParameterException")

    def test_tags(self):
        arn = self.ecs.register_task_definition(family="tagged", containerDefinitions=[container()])[
            "taskDefinition"]["taskDefinitionArn"]
        self.ecs.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
        self.ecs.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "3"}])
        self.ecs.untag_resource(resourceArn=arn, tagKeys=["b"])
        self.assertEqual(self.ecs.list_tags_for_resource(resourceArn=arn)["tags"], [{"key": "a", "value": "3"}])

    def test_through_the_cli(self):
        containers = json.dumps([container()])
        out = self.aws("register-task-definition", "--family", "cli", "--container-definitions", containers)
        self.assertEqual(out["taskDefinition"]["taskDefinitionArn"], f"arn:aws:ecs:{ACCOUNT_REGION}:task-definition/cli:1")
        self.assertEqual(self.aws("list-task-definitions", "--family-prefix", "cli")["taskDefinitionArns"],
                         [f"arn:aws:ecs:{ACCOUNT_REGION}:task-definition/cli:1"])
        self.assertEqual(self.aws("create-cluster", "--cluster-name", "cli")["cluster"]["clusterName"], "cli")
        self.assertIn(f"arn:aws:ecs:{ACCOUNT_REGION}:cluster/cli", self.aws("list-clusters")["clusterArns"])


if __name__ == "__main__":
    unittest.main()
