"""Step Functions through boto3 and the aws CLI: state machines, executions of every state
type, their histories, callbacks, the manual clock, service integrations and durability."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import http.client

from botocore.config import Config
from botocore.exceptions import ClientError
from harness import Eddy, client, cli_env

ROLE = "arn:aws:iam::000000000000:role/states"
HERE = os.path.dirname(os.path.abspath(__file__))


def advance(eddy, seconds):
    conn = http.client.HTTPConnection("127.0.0.1", eddy.port, timeout=10)
    conn.request("POST", "/_eddy/clock", json.dumps({"advanceSeconds": seconds}))
    resp = conn.getresponse()
    resp.read()
    conn.close()
    assert resp.status == 200


def wait_done(sfn, arn, timeout=10):
    deadline = time.time() + timeout
    while True:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING" or time.time() > deadline:
            return d
        time.sleep(0.02)


def wait_for(predicate, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


def history(sfn, arn, **kw):
    return sfn.get_execution_history(executionArn=arn, maxResults=1000, **kw)["events"]


def check_chains(test, events):
    """Ids run 1..n and each event's previousEventId names an earlier one, but for the first
    state's entry, which AWS chains to no event (0)."""
    test.assertEqual([e["id"] for e in events], list(range(1, len(events) + 1)))
    test.assertEqual(events[1].get("previousEventId", 0), 0, events[1])
    for e in events[2:]:
        test.assertLess(e.get("previousEventId", 0), e["id"], e)
        test.assertGreater(e.get("previousEventId", 0), 0, e)


def chain(events, last_id, stop_type):
    """The types of the events from `last_id` back along previousEventId to `stop_type`."""
    by_id = {e["id"]: e for e in events}
    out = []
    e = by_id[last_id]
    while e["type"] != stop_type:
        out.append(e)
        e = by_id[e["previousEventId"]]
    return list(reversed(out))


def restart(data, eddy, extra_args=()):
    eddy.kill9()
    return Eddy(data_dir=data, extra_args=list(extra_args)).start()


class StepFunctionsCase(unittest.TestCase):
    extra_args = ()

    def setUp(self):
        self.eddy = Eddy(extra_args=self.extra_args).start()
        self.sfn = client("stepfunctions", self.eddy.endpoint)
        self.n = 0

    def tearDown(self):
        self.eddy.stop()

    def machine(self, definition, type="STANDARD", name=None):
        self.n += 1
        return self.sfn.create_state_machine(
            name=name or f"m{self.n}", definition=json.dumps(definition), roleArn=ROLE, type=type
        )["stateMachineArn"]

    def run_machine(self, definition, input=None):
        arn = self.machine(definition)
        ex = self.sfn.start_execution(stateMachineArn=arn, input=json.dumps(input if input is not None else {}))
        return wait_done(self.sfn, ex["executionArn"])

    def assertError(self, code, fn, *args, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]


class StateMachines(StepFunctionsCase):
    PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}

    def test_create_describe_update_delete(self):
        arn = self.sfn.create_state_machine(
            name="orders",
            definition=json.dumps(self.PASS),
            roleArn=ROLE,
            loggingConfiguration={
                "level": "ALL",
                "includeExecutionData": True,
                "destinations": [{"cloudWatchLogsLogGroup": {
                    "logGroupArn": "arn:aws:logs:us-east-1:000000000000:log-group:/aws/states/orders:*"}}],
            },
            tracingConfiguration={"enabled": True},
        )["stateMachineArn"]
        self.assertEqual(arn, "arn:aws:states:us-east-1:000000000000:stateMachine:orders")
        d = self.sfn.describe_state_machine(stateMachineArn=arn)
        self.assertEqual(d["name"], "orders")
        self.assertEqual(d["type"], "STANDARD")
        self.assertEqual(d["status"], "ACTIVE")
        self.assertEqual(json.loads(d["definition"]), self.PASS)
        self.assertEqual(d["loggingConfiguration"]["level"], "ALL")
        self.assertTrue(d["tracingConfiguration"]["enabled"])
        new = {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}
        self.sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(new))
        self.assertEqual(json.loads(self.sfn.describe_state_machine(stateMachineArn=arn)["definition"]), new)
        self.sfn.delete_state_machine(stateMachineArn=arn)
        msg = self.assertError("StateMachineDoesNotExist", self.sfn.describe_state_machine, stateMachineArn=arn)
        self.assertEqual(msg, f"State Machine Does Not Exist: '{arn}'")

    def test_logging_configuration_delivers_events(self):
        logs = client("logs", self.eddy.endpoint)
        logs.create_log_group(logGroupName="/sfn/all")
        logs.create_log_group(logGroupName="/sfn/errors")

        def make(name, group, level, data):
            return self.sfn.create_state_machine(
                name=name,
                roleArn=ROLE,
                definition=json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}}),
                loggingConfiguration={"level": level, "includeExecutionData": data, "destinations": [
                    {"cloudWatchLogsLogGroup": {"logGroupArn": f"arn:aws:logs:us-east-1:000000000000:log-group:{group}:*"}}]},
            )["stateMachineArn"]

        for name, group, level, data in (("all", "/sfn/all", "ALL", True), ("errs", "/sfn/errors", "ERROR", False)):
            arn = make(name, group, level, data)
            ex = self.sfn.start_execution(stateMachineArn=arn, input='{"secret": 1}')["executionArn"]
            wait_done(self.sfn, ex)
        events = [json.loads(e["message"]) for e in logs.filter_log_events(logGroupName="/sfn/all")["events"]]
        self.assertEqual([e["type"] for e in events], ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"])
        self.assertEqual(events[0]["details"]["input"], '{"secret": 1}')
        self.assertEqual(events[2]["details"], {"error": "E", "cause": "C"})
        streams = logs.describe_log_streams(logGroupName="/sfn/all")["logStreams"]
        self.assertTrue(streams[0]["logStreamName"].startswith("states/all/"))
        errors = [json.loads(e["message"]) for e in logs.filter_log_events(logGroupName="/sfn/errors")["events"]]
        self.assertEqual([e["type"] for e in errors], ["ExecutionFailed"])
        self.assertError(
            "InvalidLoggingConfiguration",
            self.sfn.create_state_machine,
            name="nolog",
            roleArn=ROLE,
            definition=json.dumps(self.PASS),
            loggingConfiguration={"level": "ALL"},
        )

    def test_same_name_same_definition_is_idempotent_other_definition_exists(self):
        a = self.sfn.create_state_machine(name="x", definition=json.dumps(self.PASS), roleArn=ROLE)
        b = self.sfn.create_state_machine(name="x", definition=json.dumps(self.PASS), roleArn=ROLE)
        self.assertEqual(a["stateMachineArn"], b["stateMachineArn"])
        self.assertEqual(a["creationDate"], b["creationDate"])
        other = {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}
        self.assertError(
            "StateMachineAlreadyExists",
            self.sfn.create_state_machine,
            name="x",
            definition=json.dumps(other),
            roleArn=ROLE,
        )

    def test_idempotency_ignores_role_and_tags_but_not_logging(self):
        # AWS: the idempotency check covers name, definition, type, logging and tracing; a
        # different roleArn or tags are ignored and not applied
        a = self.sfn.create_state_machine(name="i", definition=json.dumps(self.PASS), roleArn=ROLE)
        b = self.sfn.create_state_machine(
            name="i", definition=json.dumps(self.PASS), roleArn=ROLE + "2", tags=[{"key": "k", "value": "v"}]
        )
        self.assertEqual(a["creationDate"], b["creationDate"])
        self.assertEqual(self.sfn.describe_state_machine(stateMachineArn=a["stateMachineArn"])["roleArn"], ROLE)
        self.assertEqual(self.sfn.list_tags_for_resource(resourceArn=a["stateMachineArn"])["tags"], [])
        self.assertError(
            "StateMachineAlreadyExists",
            self.sfn.create_state_machine,
            name="i",
            definition=json.dumps(self.PASS),
            roleArn=ROLE,
            tracingConfiguration={"enabled": True},
        )

    def test_revision_id_appears_with_the_first_update_that_changes_something(self):
        arn = self.sfn.create_state_machine(name="r", definition=json.dumps(self.PASS), roleArn=ROLE)[
            "stateMachineArn"
        ]
        self.assertNotIn("revisionId", self.sfn.describe_state_machine(stateMachineArn=arn))
        first = self.sfn.update_state_machine(stateMachineArn=arn, roleArn=ROLE + "1")["revisionId"]
        self.assertEqual(self.sfn.describe_state_machine(stateMachineArn=arn)["revisionId"], first)
        # the same parameters again: the same revision
        again = self.sfn.update_state_machine(stateMachineArn=arn, roleArn=ROLE + "1")["revisionId"]
        self.assertEqual(again, first)
        other = self.sfn.update_state_machine(stateMachineArn=arn, roleArn=ROLE + "2")["revisionId"]
        self.assertNotEqual(other, first)

    def test_invalid_arn_names_the_resource_type(self):
        arn = self.machine(self.PASS)
        execution = arn.replace(":stateMachine:", ":execution:") + ":x"
        msg = self.assertError("InvalidArn", self.sfn.describe_state_machine, stateMachineArn=execution)
        self.assertEqual(msg, "Invalid Arn: 'Resource type not valid in this context: execution'")
        msg = self.assertError("InvalidArn", self.sfn.describe_execution, executionArn=arn)
        self.assertEqual(msg, "Invalid Arn: 'Resource type not valid in this context: stateMachine'")
        msg = self.assertError("InvalidArn", self.sfn.list_executions, stateMachineArn="not_an_arn")
        self.assertEqual(msg, "Invalid Arn: 'Invalid ARN prefix: not_an_arn'")
        msg = self.assertError(
            "InvalidArn", self.sfn.create_state_machine, name="r", definition=json.dumps(self.PASS), roleArn="role"
        )
        self.assertEqual(msg, "Invalid Arn: 'Invalid ARN prefix: role'")

    def test_invalid_definition_and_name(self):
        bad = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
        msg = self.assertError(
            "InvalidDefinition", self.sfn.create_state_machine, name="b", definition=json.dumps(bad), roleArn=ROLE
        )
        self.assertIn("MISSING_TRANSITION_TARGET", msg)
        self.assertIn("Nowhere", msg)
        msg = self.assertError(
            "InvalidName", self.sfn.create_state_machine, name="a b", definition=json.dumps(self.PASS), roleArn=ROLE
        )
        self.assertEqual(msg, "Invalid Name: 'a b'")
        self.assertError(
            "InvalidArn", self.sfn.create_state_machine, name="ok", definition=json.dumps(self.PASS), roleArn="role"
        )

    def test_validate_definition(self):
        ok = self.sfn.validate_state_machine_definition(definition=json.dumps(self.PASS))
        self.assertEqual(ok["result"], "OK")
        self.assertEqual(ok["diagnostics"], [])
        bad = {"StartAt": "A", "States": {"A": {"Type": "Pass"}}}
        fail = self.sfn.validate_state_machine_definition(definition=json.dumps(bad))
        self.assertEqual(fail["result"], "FAIL")
        self.assertEqual(fail["diagnostics"][0]["severity"], "ERROR")
        self.assertTrue(fail["diagnostics"][0]["code"])
        # a problem of the whole workflow: no location, and none in its message either
        loop = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}
        fail = self.sfn.validate_state_machine_definition(definition=json.dumps(loop))
        self.assertEqual(
            [(d["code"], d["message"], d.get("location")) for d in fail["diagnostics"]],
            [("MISSING_END_STATE", "Workflow has no terminal state", None)],
        )

    def test_express_machines_refuse_callback_and_sync_tasks(self):
        # as AWS validates them (the message ends with a space, as AWS's does)
        token = {"StartAt": "S", "States": {"S": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"}, "End": True}}}
        r = self.sfn.validate_state_machine_definition(definition=json.dumps(token), type="EXPRESS")
        self.assertEqual(r["result"], "FAIL")
        self.assertEqual(r["diagnostics"], [{
            "severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "location": "/States/S/Resource",
            "message": "Express state machine does not support '.waitForTaskToken' service integration "}])
        self.assertEqual(self.sfn.validate_state_machine_definition(definition=json.dumps(token))["result"], "OK")
        msg = self.assertError("InvalidDefinition", self.sfn.create_state_machine, name="e", roleArn=ROLE,
                               definition=json.dumps(token), type="EXPRESS")
        self.assertIn("'.waitForTaskToken' service integration  at /States/S/Resource", msg)
        sync = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [{
            "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
                                             "Parameters": {"StateMachineArn": "x"}, "End": True}}}]}}}
        msg = self.assertError("InvalidDefinition", self.sfn.create_state_machine, name="e", roleArn=ROLE,
                               definition=json.dumps(sync), type="EXPRESS")
        self.assertIn("'.sync' service integration  at /States/P/Branches/0/States/T/Resource", msg)
        express = self.machine(self.PASS, type="EXPRESS")
        self.assertError("InvalidDefinition", self.sfn.update_state_machine, stateMachineArn=express,
                         definition=json.dumps(token))

    def test_unknown_sdk_actions_are_refused_at_creation(self):
        bad = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:nope",
                                                 "End": True}}}
        msg = self.assertError("InvalidDefinition", self.sfn.create_state_machine, name="u", roleArn=ROLE,
                               definition=json.dumps(bad))
        self.assertEqual(msg, "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The resource provided "
                              "arn:aws:states:::aws-sdk:sqs:nope is not recognized. The value is not a valid resource "
                              "ARN, or the resource is not available in this region. at /States/T/Resource'")
        sync = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage.sync",
                                                  "End": True}}}
        r = self.sfn.validate_state_machine_definition(definition=json.dumps(sync))
        self.assertEqual([(d["code"], d["location"]) for d in r["diagnostics"]],
                         [("SCHEMA_VALIDATION_FAILED", "/States/T/Resource")])
        good = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:listQueues",
                                                  "End": True}}}
        self.machine(good)

    def test_list_state_machines_pages(self):
        for i in range(5):
            self.sfn.create_state_machine(name=f"p{i}", definition=json.dumps(self.PASS), roleArn=ROLE)
        page = self.sfn.list_state_machines(maxResults=2)
        self.assertEqual([m["name"] for m in page["stateMachines"]], ["p0", "p1"])
        names = [m["name"] for m in page["stateMachines"]]
        while "nextToken" in page:
            page = self.sfn.list_state_machines(maxResults=2, nextToken=page["nextToken"])
            names += [m["name"] for m in page["stateMachines"]]
        self.assertEqual(names, [f"p{i}" for i in range(5)])
        # by name, not by creation, as AWS lists them
        for name in ("zeta", "alpha"):
            self.sfn.create_state_machine(name=name, definition=json.dumps(self.PASS), roleArn=ROLE)
        names = [m["name"] for m in self.sfn.list_state_machines()["stateMachines"]]
        self.assertEqual(names, ["alpha"] + [f"p{i}" for i in range(5)] + ["zeta"])

    def test_tags(self):
        arn = self.sfn.create_state_machine(
            name="t", definition=json.dumps(self.PASS), roleArn=ROLE, tags=[{"key": "a", "value": "1"}]
        )["stateMachineArn"]
        self.sfn.tag_resource(resourceArn=arn, tags=[{"key": "b", "value": "2"}])
        self.sfn.untag_resource(resourceArn=arn, tagKeys=["a"])
        self.assertEqual(self.sfn.list_tags_for_resource(resourceArn=arn)["tags"], [{"key": "b", "value": "2"}])
        self.assertError(
            "ResourceNotFound",
            self.sfn.list_tags_for_resource,
            resourceArn="arn:aws:states:us-east-1:000000000000:stateMachine:none",
        )

    def test_seed_definitions_deploy_and_validate(self):
        values = {
            "CLUSTER_NAME": "seed-cluster",
            "TASK_DEFINITION": "arn:aws:ecs:us-east-1:000000000000:task-definition/seed:1",
            "SUBNET_1": "subnet-1",
            "SUBNET_2": "subnet-2",
            "SECURITY_GROUP_ID": "sg-1",
            "BUCKET_NAME": "seed-bucket",
            "QUEUE_URL": "http://localhost:4566/000000000000/seed-queue",
        }
        for name in ("queue-processor", "stream-processor"):
            with open(os.path.join(HERE, "stepfunctions", name + ".asl.json")) as f:
                text = f.read()
            for k, v in values.items():
                text = text.replace("${" + k + "}", v)
            self.assertEqual(self.sfn.validate_state_machine_definition(definition=text)["result"], "OK")
            arn = self.sfn.create_state_machine(name=name, definition=text, roleArn=ROLE)["stateMachineArn"]
            self.assertEqual(self.sfn.describe_state_machine(stateMachineArn=arn)["definition"], text)


class Executions(StepFunctionsCase):
    def test_every_state_type(self):
        d = {
            "StartAt": "Pass",
            "States": {
                "Pass": {"Type": "Pass", "Result": {"n": 3}, "ResultPath": "$.r", "Next": "Wait"},
                "Wait": {"Type": "Wait", "Seconds": 0, "Next": "Choice"},
                "Choice": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.r.n", "NumericGreaterThan": 2, "Next": "Parallel"}],
                    "Default": "Fail",
                },
                "Parallel": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Result": "one", "End": True}}},
                        {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "InputPath": "$.items", "End": True}}},
                    ],
                    "ResultPath": "$.p",
                    "Next": "Map",
                },
                "Map": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "MaxConcurrency": 2,
                    "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                    "ItemProcessor": {
                        "StartAt": "Double",
                        "States": {
                            "Double": {"Type": "Pass", "Parameters": {"d.$": "States.MathAdd($.v, $.v)"}, "End": True}
                        },
                    },
                    "ResultPath": "$.m",
                    "Next": "Done",
                },
                "Done": {"Type": "Succeed"},
                "Fail": {"Type": "Fail", "Error": "Bad", "Cause": "no"},
            },
        }
        r = self.run_machine(d, {"items": [1, 2, 3]})
        self.assertEqual(r["status"], "SUCCEEDED", r)
        out = json.loads(r["output"])
        self.assertEqual(out["r"], {"n": 3})
        self.assertEqual(out["p"], ["one", [1, 2, 3]])
        self.assertEqual(out["m"], [{"d": 2}, {"d": 4}, {"d": 6}])

    def test_fail_state_and_no_choice(self):
        r = self.run_machine({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "why"}}})
        self.assertEqual((r["status"], r["error"], r["cause"]), ("FAILED", "Oops", "why"))
        r = self.run_machine(
            {
                "StartAt": "C",
                "States": {
                    "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "S"}]},
                    "S": {"Type": "Succeed"},
                },
            }
        )
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.NoChoiceMatched"))

    def test_state_error_cause_names_the_state_and_event(self):
        r = self.run_machine(
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.missing", "End": True}}}
        )
        self.assertEqual(r["status"], "FAILED")
        self.assertEqual(r["error"], "States.Runtime")
        self.assertTrue(
            r["cause"].startswith("An error occurred while executing the state 'P' (entered at the event id #2). "),
            r["cause"],
        )

    def test_map_over_a_non_array_names_the_map_state(self):
        r = self.run_machine(
            {
                "StartAt": "A",
                "States": {
                    "A": {"Type": "Pass", "Next": "M"},
                    "M": {"Type": "Map", "ItemsPath": "$.n", "End": True,
                          "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}},
                },
            },
            {"n": 2},
        )
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.Runtime"))
        self.assertTrue(
            r["cause"].startswith("An error occurred while executing the state 'M' (entered at the event id #4). "),
            r["cause"],
        )

    def test_map_tolerated_failures_and_parallel_failure(self):
        item_fails = {
            "StartAt": "C",
            "States": {
                "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "F"}], "Default": "S"},
                "F": {"Type": "Fail", "Error": "Two"},
                "S": {"Type": "Succeed"},
            },
        }
        ok = self.run_machine(
            {
                "StartAt": "M",
                "States": {"M": {"Type": "Map", "ToleratedFailureCount": 1, "ItemProcessor": item_fails, "End": True}},
            },
            [1, 2, 3],
        )
        self.assertEqual(ok["status"], "SUCCEEDED", ok)
        bad = self.run_machine(
            {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": item_fails, "End": True}}}, [1, 2, 3]
        )
        self.assertEqual((bad["status"], bad["error"]), ("FAILED", "Two"))
        # AWS chains MapStateFailed to the failed iteration's last event, as MapIterationFailed is
        events = history(self.sfn, bad["executionArn"])
        failed = [e for e in events if e["type"] == "MapIterationFailed"][0]
        map_failed = [e for e in events if e["type"] == "MapStateFailed"][0]
        self.assertEqual(map_failed["previousEventId"], failed["previousEventId"])
        self.assertEqual(events[failed["previousEventId"] - 1]["type"], "FailStateEntered")
        exceeded = self.run_machine(
            {
                "StartAt": "M",
                "States": {"M": {"Type": "Map", "ToleratedFailureCount": 0, "ItemProcessor": item_fails, "End": True}},
            },
            [1, 2, 3],
        )
        self.assertEqual(exceeded["error"], "States.ExceedToleratedFailureThreshold")
        par = self.run_machine(
            {
                "StartAt": "P",
                "States": {
                    "P": {
                        "Type": "Parallel",
                        "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Branch"}}}],
                        "Catch": [{"ErrorEquals": ["Branch"], "ResultPath": "$.err", "Next": "S"}],
                        "End": False,
                        "Next": "S",
                    }
                    if False
                    else {
                        "Type": "Parallel",
                        "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Branch"}}}],
                        "Catch": [{"ErrorEquals": ["Branch"], "ResultPath": "$.err", "Next": "S"}],
                        "Next": "S",
                    },
                    "S": {"Type": "Succeed"},
                },
            },
            {"a": 1},
        )
        self.assertEqual(par["status"], "SUCCEEDED")
        self.assertEqual(json.loads(par["output"])["err"]["Error"], "Branch")
        events = history(self.sfn, par["executionArn"])
        branch_failed = [e for e in events if e["type"] == "FailStateEntered"][0]
        self.assertEqual([e for e in events if e["type"] == "ParallelStateFailed"][0]["previousEventId"],
                         branch_failed["id"])

    def test_a_failed_iteration_aborts_its_siblings_where_they_are(self):
        # item 0 fails after a second while item 1 waits: AWS records item 1's Wait as aborted,
        # then the iteration
        processor = {
            "StartAt": "C",
            "States": {
                "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "Short"}],
                      "Default": "Long"},
                "Short": {"Type": "Wait", "Seconds": 1, "Next": "F"},
                "F": {"Type": "Fail", "Error": "Zero"},
                "Long": {"Type": "Wait", "Seconds": 1000, "End": True},
            },
        }
        r = self.run_machine(
            {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}}, [0, 1]
        )
        self.assertEqual((r["status"], r["error"]), ("FAILED", "Zero"))
        events = history(self.sfn, r["executionArn"])
        types = [e["type"] for e in events]
        self.assertEqual(types.count("WaitStateAborted"), 1)
        aborted = events[types.index("WaitStateAborted")]
        self.assertEqual(events[aborted["previousEventId"] - 1]["stateEnteredEventDetails"]["name"], "Long")
        self.assertEqual(types[types.index("WaitStateAborted") + 1], "MapIterationAborted")
        self.assertEqual(types[-2:], ["MapStateFailed", "ExecutionFailed"])
        # StopExecution aborts nothing but the execution
        arn = self.machine({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1000, "End": True}}})
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        wait_for(lambda: len(history(self.sfn, ex)) == 2)
        self.sfn.stop_execution(executionArn=ex)
        self.assertEqual([e["type"] for e in history(self.sfn, ex)],
                         ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"])

    def test_variables_assign(self):
        r = self.run_machine(
            {
                "StartAt": "A",
                "States": {
                    "A": {"Type": "Pass", "Assign": {"total.$": "$.n"}, "Next": "B"},
                    "B": {"Type": "Pass", "Parameters": {"t.$": "$total"}, "End": True},
                },
            },
            {"n": 7},
        )
        self.assertEqual(json.loads(r["output"]), {"t": 7})

    def test_history_of_a_small_machine(self):
        arn = self.machine(
            {
                "StartAt": "A",
                "States": {
                    "A": {"Type": "Pass", "Next": "C"},
                    "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "S"}]},
                    "S": {"Type": "Succeed"},
                },
            }
        )
        ex = self.sfn.start_execution(stateMachineArn=arn, input='{"x":1}')["executionArn"]
        wait_done(self.sfn, ex)
        events = history(self.sfn, ex)
        self.assertEqual(
            [(e["id"], e["previousEventId"], e["type"]) for e in events],
            [
                (1, 0, "ExecutionStarted"),
                (2, 0, "PassStateEntered"),  # as AWS chains the first state's entry
                (3, 2, "PassStateExited"),
                (4, 3, "ChoiceStateEntered"),
                (5, 4, "ChoiceStateExited"),
                (6, 5, "SucceedStateEntered"),
                (7, 6, "SucceedStateExited"),
                (8, 7, "ExecutionSucceeded"),
            ],
        )
        self.assertEqual(events[0]["executionStartedEventDetails"]["input"], '{"x":1}')
        self.assertEqual(events[0]["executionStartedEventDetails"]["roleArn"], ROLE)
        self.assertEqual(events[1]["stateEnteredEventDetails"]["name"], "A")
        self.assertEqual(events[7]["executionSucceededEventDetails"]["output"], '{"x":1}')
        rev = history(self.sfn, ex, reverseOrder=True)
        self.assertEqual([e["id"] for e in rev], list(range(8, 0, -1)))
        page = self.sfn.get_execution_history(executionArn=ex, maxResults=3)
        self.assertEqual([e["id"] for e in page["events"]], [1, 2, 3])
        page = self.sfn.get_execution_history(executionArn=ex, maxResults=3, nextToken=page["nextToken"])
        self.assertEqual([e["id"] for e in page["events"]], [4, 5, 6])
        bare = history(self.sfn, ex, includeExecutionData=False)
        self.assertNotIn("input", bare[0]["executionStartedEventDetails"])

    def test_map_and_parallel_history(self):
        arn = self.machine(
            {
                "StartAt": "M",
                "States": {
                    "M": {
                        "Type": "Map",
                        "MaxConcurrency": 1,
                        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                        "End": True,
                    }
                },
            }
        )
        ex = self.sfn.start_execution(stateMachineArn=arn, input="[1,2]")["executionArn"]
        wait_done(self.sfn, ex)
        types = [e["type"] for e in history(self.sfn, ex)]
        self.assertEqual(
            types,
            [
                "ExecutionStarted",
                "MapStateEntered",
                "MapStateStarted",
                "MapIterationStarted",
                "PassStateEntered",
                "PassStateExited",
                "MapIterationSucceeded",
                "MapIterationStarted",
                "PassStateEntered",
                "PassStateExited",
                "MapIterationSucceeded",
                "MapStateSucceeded",
                "MapStateExited",
                "ExecutionSucceeded",
            ],
        )
        events = history(self.sfn, ex)
        self.assertEqual(events[2]["mapStateStartedEventDetails"], {"length": 2})
        self.assertEqual(events[7]["mapIterationStartedEventDetails"], {"name": "M", "index": 1})

    def test_start_execution_names_and_idempotency(self):
        arn = self.machine({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1000, "End": True}}})
        a = self.sfn.start_execution(stateMachineArn=arn, name="run1", input="{}")
        b = self.sfn.start_execution(stateMachineArn=arn, name="run1", input="{}")
        self.assertEqual(a["executionArn"], b["executionArn"])
        self.assertEqual(a["executionArn"], "arn:aws:states:us-east-1:000000000000:execution:m1:run1")
        self.assertError(
            "ExecutionAlreadyExists", self.sfn.start_execution, stateMachineArn=arn, name="run1", input='{"a":1}'
        )
        self.assertError("InvalidName", self.sfn.start_execution, stateMachineArn=arn, name="a*b")
        self.assertError("InvalidExecutionInput", self.sfn.start_execution, stateMachineArn=arn, input="{nope")
        msg = self.assertError("InvalidExecutionInput", self.sfn.start_execution, stateMachineArn=arn, input="")
        self.assertEqual(msg, "Invalid State Machine Execution Input: 'Invalid execution input.'")
        self.assertError(
            "StateMachineDoesNotExist",
            self.sfn.start_execution,
            stateMachineArn="arn:aws:states:us-east-1:000000000000:stateMachine:none",
        )
        self.assertError(
            "ExecutionDoesNotExist",
            self.sfn.describe_execution,
            executionArn="arn:aws:states:us-east-1:000000000000:execution:m1:none",
        )
        self.assertError("InvalidArn", self.sfn.describe_execution, executionArn="arn:aws:sqs:us-east-1:0:x")
        stop = self.sfn.stop_execution(executionArn=a["executionArn"], error="Halt", cause="enough")
        self.assertIn("stopDate", stop)
        d = self.sfn.describe_execution(executionArn=a["executionArn"])
        self.assertEqual((d["status"], d["error"], d["cause"]), ("ABORTED", "Halt", "enough"))
        # StopExecution comes from outside: AWS chains ExecutionAborted to no event
        self.assertEqual(history(self.sfn, a["executionArn"])[-1]["previousEventId"], 0)
        last = history(self.sfn, a["executionArn"])[-1]
        self.assertEqual(last["type"], "ExecutionAborted")
        self.assertEqual(last["executionAbortedEventDetails"], {"error": "Halt", "cause": "enough"})
        self.assertEqual(
            self.sfn.describe_state_machine_for_execution(executionArn=a["executionArn"])["stateMachineArn"], arn
        )

    def test_state_machine_for_execution_is_dated_by_its_version(self):
        # updateDate is when the machine the execution ran was created or last updated
        arn = self.machine({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
        created = self.sfn.describe_state_machine(stateMachineArn=arn)["creationDate"]
        time.sleep(0.05)
        first = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        d = self.sfn.describe_state_machine_for_execution(executionArn=first)
        self.assertEqual(d["updateDate"], created)
        time.sleep(0.05)
        updated = self.sfn.update_state_machine(stateMachineArn=arn, roleArn=ROLE + "2")["updateDate"]
        time.sleep(0.05)
        second = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        self.assertEqual(self.sfn.describe_state_machine_for_execution(executionArn=second)["updateDate"], updated)
        self.assertEqual(self.sfn.describe_state_machine_for_execution(executionArn=first)["updateDate"], created)

    def test_list_executions_filter_and_pages(self):
        arn = self.machine(
            {
                "StartAt": "C",
                "States": {
                    "C": {"Type": "Choice", "Choices": [{"Variable": "$.wait", "BooleanEquals": True, "Next": "W"}],
                          "Default": "S"},
                    "W": {"Type": "Wait", "Seconds": 1000, "End": True},
                    "S": {"Type": "Succeed"},
                },
            }
        )
        for i in range(3):
            self.sfn.start_execution(stateMachineArn=arn, name=f"done{i}", input='{"wait": false}')
        self.sfn.start_execution(stateMachineArn=arn, name="waiting", input='{"wait": true}')
        wait_for(lambda: len(self.sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")["executions"]) == 3)
        running = self.sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
        self.assertEqual([e["name"] for e in running], ["waiting"])
        page = self.sfn.list_executions(stateMachineArn=arn, maxResults=3)
        self.assertEqual([e["name"] for e in page["executions"]], ["waiting", "done2", "done1"])
        rest = self.sfn.list_executions(stateMachineArn=arn, maxResults=3, nextToken=page["nextToken"])
        self.assertEqual([e["name"] for e in rest["executions"]], ["done0"])
        self.assertEqual(rest["executions"][0]["redriveCount"], 0)

    def test_express_start_sync_execution(self):
        arn = self.machine(
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"v.$": "$.v"}, "End": True}}},
            type="EXPRESS",
        )
        sync = client("stepfunctions", self.eddy.endpoint, inject_host_prefix=False)
        r = sync.start_sync_execution(stateMachineArn=arn, input='{"v": 5, "w": 1}')
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(json.loads(r["output"]), {"v": 5})
        self.assertIn(":express:", r["executionArn"])
        failing = self.machine({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}},
                               type="EXPRESS")
        r = sync.start_sync_execution(stateMachineArn=failing)
        self.assertEqual((r["status"], r["error"], r["cause"]), ("FAILED", "E", "C"))
        standard = self.machine({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
        self.assertError("StateMachineTypeNotSupported", sync.start_sync_execution, stateMachineArn=standard)

    def test_start_sync_execution_bills_its_duration_and_omits_what_a_fail_lacks(self):
        sync = client("stepfunctions", self.eddy.endpoint, inject_host_prefix=False)
        waits = self.machine({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}},
                             type="EXPRESS")
        r = sync.start_sync_execution(stateMachineArn=waits)
        # billed in 100 ms steps, rounded up
        billed = r["billingDetails"]["billedDurationInMilliseconds"]
        self.assertGreaterEqual(billed, 1000)
        self.assertEqual(billed % 100, 0)
        self.assertEqual(r["billingDetails"]["billedMemoryUsedInMB"], 64)
        bare = self.machine({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "OnlyError"}}}, type="EXPRESS")
        r = sync.start_sync_execution(stateMachineArn=bare)
        self.assertEqual((r["status"], r["error"]), ("FAILED", "OnlyError"))
        self.assertNotIn("cause", r)
        r = self.run_machine({"StartAt": "F", "States": {"F": {"Type": "Fail"}}})
        self.assertEqual(r["status"], "FAILED")
        self.assertNotIn("error", r)
        self.assertNotIn("cause", r)
        self.assertEqual(history(self.sfn, r["executionArn"])[-1]["executionFailedEventDetails"], {})

    def test_express_executions_are_not_described_listed_or_stopped(self):
        # AWS keeps no history of EXPRESS executions: the execution APIs refuse their ARNs
        # (as AWS answers, recorded against it), ListExecutions refuses their machines.
        arn = self.machine({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1000, "End": True}}},
                           type="EXPRESS")
        execution = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        self.assertIn(":express:", execution)
        gone = execution.rsplit(":", 1)[0] + ":00000000-0000-0000-0000-000000000000"
        for target in (execution, gone):
            for call in (self.sfn.describe_execution, self.sfn.get_execution_history, self.sfn.stop_execution,
                         self.sfn.describe_state_machine_for_execution):
                with self.assertRaises(ClientError) as cm:
                    call(executionArn=target)
                r = cm.exception.response
                self.assertEqual(r["Error"]["Code"], "InvalidArn", call)
                self.assertEqual(r["Error"]["Message"], "Invalid Arn: 'Resource type not valid in this context: express'")
                self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 400)
        with self.assertRaises(ClientError) as cm:
            self.sfn.list_executions(stateMachineArn=arn)
        r = cm.exception.response
        self.assertEqual(r["Error"]["Code"], "StateMachineTypeNotSupported")
        self.assertEqual(r["Error"]["Message"], "This operation is not supported by this type of state machine")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 400)
        # a STANDARD execution's ARN still answers
        standard = self.machine({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
        done = wait_done(self.sfn, self.sfn.start_execution(stateMachineArn=standard)["executionArn"])
        self.assertEqual(done["status"], "SUCCEEDED")

    def test_retry_then_catch(self):
        r = self.run_machine(
            {
                "StartAt": "T",
                "States": {
                    "T": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::aws-sdk:sqs:getQueueUrl",
                        "Parameters": {"QueueName": "missing"},
                        "Retry": [{"ErrorEquals": ["Sqs.QueueDoesNotExistException"], "IntervalSeconds": 1, "BackoffRate": 1,
                                   "MaxAttempts": 2}],
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "S"}],
                        "Next": "S",
                    },
                    "S": {"Type": "Pass", "End": True},
                },
            }
        )
        self.assertEqual(r["status"], "SUCCEEDED")
        out = json.loads(r["output"])
        self.assertEqual(out["Error"], "Sqs.QueueDoesNotExistException")
        events = [e["type"] for e in history(self.sfn, r["executionArn"])]
        self.assertEqual(events.count("TaskFailed"), 3)
        self.assertEqual(events.count("TaskScheduled"), 3)


class Clock(StepFunctionsCase):
    extra_args = ("--clock", "manual")

    def test_wait_is_fast_forwarded(self):
        arn = self.machine({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}})
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        time.sleep(0.2)
        self.assertEqual(self.sfn.describe_execution(executionArn=ex)["status"], "RUNNING")
        advance(self.eddy, 3599)
        time.sleep(0.2)
        self.assertEqual(self.sfn.describe_execution(executionArn=ex)["status"], "RUNNING")
        advance(self.eddy, 1)
        self.assertEqual(wait_done(self.sfn, ex)["status"], "SUCCEEDED")
        types = [e["type"] for e in history(self.sfn, ex)]
        self.assertEqual(types, ["ExecutionStarted", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"])

    def test_heartbeat_timeout(self):
        sqs = client("sqs", self.eddy.endpoint)
        url = sqs.create_queue(QueueName="hb")["QueueUrl"]
        arn = self.machine(
            {
                "StartAt": "T",
                "States": {
                    "T": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "HeartbeatSeconds": 60,
                        "Parameters": {"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token"}},
                        "End": True,
                    }
                },
            }
        )
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        msg = wait_for(lambda: sqs.receive_message(QueueUrl=url).get("Messages"))
        token = json.loads(msg[0]["Body"])["token"]
        advance(self.eddy, 50)
        self.sfn.send_task_heartbeat(taskToken=token)
        advance(self.eddy, 50)
        time.sleep(0.2)
        self.assertEqual(self.sfn.describe_execution(executionArn=ex)["status"], "RUNNING")
        advance(self.eddy, 11)
        d = wait_done(self.sfn, ex)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.HeartbeatTimeout"))
        self.assertIn("TaskTimedOut", [e["type"] for e in history(self.sfn, ex)])
        self.assertError("TaskTimedOut", self.sfn.send_task_success, taskToken=token, output="{}")


    def test_execution_and_task_timeouts(self):
        arn = self.machine(
            {"TimeoutSeconds": 30, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}}
        )
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        time.sleep(0.2)
        advance(self.eddy, 30)
        d = wait_done(self.sfn, ex)
        # AWS describes a timed-out execution with no error or cause
        self.assertEqual(d["status"], "TIMED_OUT")
        self.assertNotIn("error", d)
        self.assertNotIn("cause", d)
        self.assertEqual(history(self.sfn, ex)[-1]["type"], "ExecutionTimedOut")

        sqs = client("sqs", self.eddy.endpoint)
        url = sqs.create_queue(QueueName="slow")["QueueUrl"]
        arn = self.machine(
            {
                "StartAt": "T",
                "States": {
                    "T": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "TimeoutSeconds": 20,
                        "Parameters": {"QueueUrl": url, "MessageBody.$": "$$.Task.Token"},
                        "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": "Late"}],
                        "End": True,
                    },
                    "Late": {"Type": "Pass", "End": True},
                },
            }
        )
        ex = self.sfn.start_execution(stateMachineArn=arn, input='{"a": 1}')["executionArn"]
        wait_for(lambda: sqs.receive_message(QueueUrl=url).get("Messages"))
        advance(self.eddy, 20)
        d = wait_done(self.sfn, ex)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"])["timeout"]["Error"], "States.Timeout")
        events = history(self.sfn, ex)
        timed_out = [e for e in events if e["type"] == "TaskTimedOut"][0]
        # as AWS records it: no cause
        self.assertEqual(timed_out["taskTimedOutEventDetails"],
                         {"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken", "error": "States.Timeout"})
        scheduled = [e for e in events if e["type"] == "TaskScheduled"][0]["taskScheduledEventDetails"]
        self.assertEqual((scheduled["resourceType"], scheduled["resource"], scheduled["timeoutInSeconds"]),
                         ("sqs", "sendMessage.waitForTaskToken", 20))

    def test_sync_task_timeout_is_on_eddys_clock(self):
        # a .sync task's TimeoutSeconds bounds its wait for the child, on eddy's clock
        child = self.machine({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1000, "End": True}}})
        arn = self.machine(
            {
                "StartAt": "T",
                "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
                                 "Parameters": {"StateMachineArn": child}, "TimeoutSeconds": 30, "End": True}},
            }
        )
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        wait_for(lambda: "TaskSubmitted" in [e["type"] for e in history(self.sfn, ex)])
        advance(self.eddy, 29)
        time.sleep(0.3)
        self.assertEqual(self.sfn.describe_execution(executionArn=ex)["status"], "RUNNING")
        advance(self.eddy, 1)
        d = wait_done(self.sfn, ex)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.Timeout"))
        self.assertEqual([e["type"] for e in history(self.sfn, ex)][-2:], ["TaskTimedOut", "ExecutionFailed"])
        # the child is not the task: it runs on until its own end
        children = self.sfn.list_executions(stateMachineArn=child)["executions"]
        self.assertEqual([c["status"] for c in children], ["RUNNING"])
        advance(self.eddy, 1000)
        self.assertEqual(wait_done(self.sfn, children[0]["executionArn"])["status"], "SUCCEEDED")

    def test_stop_during_map_wait(self):
        arn = self.machine(
            {
                "StartAt": "M",
                "States": {
                    "M": {
                        "Type": "Map",
                        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 50, "End": True}}},
                        "End": True,
                    }
                },
            }
        )
        ex = self.sfn.start_execution(stateMachineArn=arn, input="[1, 2, 3]")["executionArn"]
        time.sleep(0.2)
        self.sfn.stop_execution(executionArn=ex)
        advance(self.eddy, 60)
        time.sleep(0.2)
        d = self.sfn.describe_execution(executionArn=ex)
        self.assertEqual(d["status"], "ABORTED")
        types = [e["type"] for e in history(self.sfn, ex)]
        self.assertEqual(types[-1], "ExecutionAborted")
        self.assertNotIn("WaitStateExited", types)


class Integrations(StepFunctionsCase):
    def callback_machine(self, url):
        return self.machine(
            {
                "StartAt": "T",
                "States": {
                    "T": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "Parameters": {"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token", "in.$": "$"}},
                        "End": True,
                    }
                },
            }
        )

    def test_callback_success_and_failure(self):
        sqs = client("sqs", self.eddy.endpoint)
        url = sqs.create_queue(QueueName="work")["QueueUrl"]
        arn = self.callback_machine(url)
        ex = self.sfn.start_execution(stateMachineArn=arn, input='{"job": 1}')["executionArn"]
        msg = wait_for(lambda: sqs.receive_message(QueueUrl=url).get("Messages"))
        body = json.loads(msg[0]["Body"])
        self.assertEqual(body["in"], {"job": 1})
        self.sfn.send_task_success(taskToken=body["token"], output='{"done": true}')
        d = wait_done(self.sfn, ex)
        self.assertEqual((d["status"], json.loads(d["output"])), ("SUCCEEDED", {"done": True}))
        types = [e["type"] for e in history(self.sfn, ex)]
        self.assertEqual(
            types,
            ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted",
             "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"],
        )
        # a token whose task is done: AWS answers TaskTimedOut, the task "does not exist anymore"
        msg = self.assertError("TaskTimedOut", self.sfn.send_task_success, taskToken=body["token"], output="{}")
        self.assertEqual(msg, "Task Timed Out: 'Provided task does not exist anymore'")
        self.assertError("TaskTimedOut", self.sfn.send_task_heartbeat, taskToken=body["token"])
        self.assertError("InvalidToken", self.sfn.send_task_success, taskToken="garbage", output="{}")

        ex = self.sfn.start_execution(stateMachineArn=arn, input='{"job": 2}')["executionArn"]
        msg = wait_for(lambda: sqs.receive_message(QueueUrl=url).get("Messages"))
        token = json.loads(msg[0]["Body"])["token"]
        self.sfn.send_task_failure(taskToken=token, error="JobFailed", cause="disk full")
        d = wait_done(self.sfn, ex)
        self.assertEqual((d["status"], d["error"], d["cause"]), ("FAILED", "JobFailed", "disk full"))

    def test_sqs_send_message_and_aws_sdk_calls(self):
        sqs = client("sqs", self.eddy.endpoint)
        kinesis = client("kinesis", self.eddy.endpoint)
        kinesis.create_stream(StreamName="events", ShardCount=1)
        url = sqs.create_queue(QueueName="out")["QueueUrl"]
        r = self.run_machine(
            {
                "StartAt": "Send",
                "States": {
                    "Send": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sqs:sendMessage",
                        "Parameters": {"QueueUrl": url, "MessageBody.$": "$.msg"},
                        "ResultPath": "$.sent",
                        "Next": "Attrs",
                    },
                    "Attrs": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::aws-sdk:sqs:getQueueAttributes",
                        "Parameters": {"QueueUrl": url, "AttributeNames": ["All"]},
                        "ResultSelector": {"n.$": "$.Attributes.ApproximateNumberOfMessages"},
                        "ResultPath": "$.attrs",
                        "Next": "Put",
                    },
                    "Put": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::aws-sdk:kinesis:putRecord",
                        "Parameters": {"StreamName": "events", "Data.$": "$.msg", "PartitionKey": "k"},
                        "ResultPath": "$.put",
                        "End": True,
                    },
                },
            },
            {"msg": "hello"},
        )
        self.assertEqual(r["status"], "SUCCEEDED", r)
        out = json.loads(r["output"])
        self.assertIn("MessageId", out["sent"])
        # an optimized integration hands on the SDK's view of the response, as on AWS
        meta = out["sent"]["SdkHttpMetadata"]
        self.assertEqual(meta["HttpStatusCode"], 200)
        request_id = out["sent"]["SdkResponseMetadata"]["RequestId"]
        self.assertEqual(meta["HttpHeaders"]["x-amzn-RequestId"], request_id)
        self.assertEqual(meta["AllHttpHeaders"]["x-amzn-RequestId"], [request_id])
        self.assertIn("Date", meta["HttpHeaders"])
        self.assertGreater(int(meta["HttpHeaders"]["Content-Length"]), 0)
        self.assertEqual(out["attrs"]["n"], "1")
        self.assertEqual(out["put"]["ShardId"], "shardId-000000000000")
        self.assertNotIn("SdkHttpMetadata", out["put"])  # aws-sdk integrations hand on the result alone
        got = sqs.receive_message(QueueUrl=url)["Messages"][0]
        self.assertEqual(got["Body"], "hello")
        it = kinesis.get_shard_iterator(StreamName="events", ShardId="shardId-000000000000",
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.assertEqual(kinesis.get_records(ShardIterator=it)["Records"][0]["Data"], b"hello")

    def test_parameters_a_service_does_not_take_are_refused(self):
        # AWS: States.Runtime, "The Parameters '...' could not be used to start the Task: [...]",
        # before the task is scheduled
        r = self.run_machine({"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:listQueues", "Parameters": {"Foo": 1},
            "End": True}}})
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.Runtime"))
        self.assertEqual(r["cause"], "An error occurred while executing the state 'T' (entered at the event id #2). "
                                     "The Parameters '{\"Foo\":1}' could not be used to start the Task: "
                                     "[The field \"Foo\" is not supported by Step Functions]")
        self.assertNotIn("TaskScheduled", [e["type"] for e in history(self.sfn, r["executionArn"])])
        r = self.run_machine({"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:listQueues", "End": True}}}, [1])
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.Runtime"))
        self.assertIn("could not be used to start the Task", r["cause"])
        # any letter case of a member the operation takes will do
        r = self.run_machine({"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:listQueues",
            "Parameters": {"queueNamePrefix": "x"}, "End": True}}})
        self.assertEqual(r["status"], "SUCCEEDED", r)

    def test_service_errors_and_missing_services(self):
        r = self.run_machine(
            {
                "StartAt": "T",
                "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:getQueueUrl",
                                 "Parameters": {"QueueName": "nope"}, "End": True}},
            }
        )
        self.assertEqual((r["status"], r["error"]), ("FAILED", "Sqs.QueueDoesNotExistException"))
        r = self.run_machine(
            {
                "StartAt": "T",
                "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:getJobs",
                                 "Parameters": {}, "End": True}},
            }
        )
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.TaskFailed"))
        self.assertIn("glue", r["cause"])
        r = self.run_machine(
            {
                "StartAt": "T",
                "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.sync",
                                 "Parameters": {"QueueUrl": "u", "MessageBody": "b"}, "End": True}},
            }
        )
        self.assertEqual((r["status"], r["error"]), ("FAILED", "States.TaskFailed"))
        self.assertIn(".sync", r["cause"])

    def test_sdk_names_are_pascal_case_both_ways(self):
        # Step Functions' own API is camelCase: the SDK integration takes and gives PascalCase
        target = self.machine({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, name="target")
        r = self.run_machine(
            {
                "StartAt": "D",
                "States": {
                    "D": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::aws-sdk:sfn:describeStateMachine",
                        "Parameters": {"StateMachineArn.$": "$.arn"},
                        "ResultSelector": {"name.$": "$.Name", "type.$": "$.Type", "log.$": "$.LoggingConfiguration.Level"},
                        "End": True,
                    }
                },
            },
            {"arn": target},
        )
        self.assertEqual(r["status"], "SUCCEEDED", r)
        self.assertEqual(json.loads(r["output"]), {"name": "target", "type": "STANDARD", "log": "OFF"})
        r = self.run_machine(
            {
                "StartAt": "D",
                "States": {
                    "D": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::aws-sdk:sfn:describeStateMachine",
                        "Parameters": {"StateMachineArn": target + "-missing"},
                        "End": True,
                    }
                },
            }
        )
        self.assertEqual((r["status"], r["error"]), ("FAILED", "Sfn.StateMachineDoesNotExistException"))

    def test_start_execution_sync(self):
        child = self.machine({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"c": 1}, "End": True}}})
        r = self.run_machine(
            {
                "StartAt": "T",
                "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                                 "Parameters": {"StateMachineArn": child, "Input": {"x": 1}},
                                 "OutputPath": "$.Output", "End": True}},
            }
        )
        self.assertEqual(r["status"], "SUCCEEDED", r)
        self.assertEqual(json.loads(r["output"]), {"c": 1})

    def test_start_execution_sync_of_an_express_child(self):
        # the parent waits for an EXPRESS child too, though its ARN cannot be described
        child = self.machine({"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"y.$": "$.x"},
                                                               "End": True}}}, type="EXPRESS")
        r = self.run_machine(
            {
                "StartAt": "T",
                "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
                                 "Parameters": {"StateMachineArn": child, "Input": {"x": 2}}, "End": True}},
            }
        )
        self.assertEqual(r["status"], "SUCCEEDED", r)
        out = json.loads(r["output"])
        self.assertIn(":express:", out["ExecutionArn"])
        self.assertEqual((out["Status"], json.loads(out["Output"])), ("SUCCEEDED", {"y": 2}))


class Cli(StepFunctionsCase):
    def test_cli_round_trip(self):
        env = cli_env(self.eddy.endpoint)
        aws = os.environ.get("EDDY_AWS_CLI", "aws")
        definition = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "hi", "End": True}}})

        def run(*args):
            out = subprocess.run([aws, "stepfunctions", *args, "--output", "json"], env=env, capture_output=True,
                                 text=True, check=True)
            return json.loads(out.stdout) if out.stdout.strip() else {}

        arn = run("create-state-machine", "--name", "cli", "--definition", definition, "--role-arn", ROLE)[
            "stateMachineArn"]
        ex = run("start-execution", "--state-machine-arn", arn, "--input", "{}")["executionArn"]
        wait_done(self.sfn, ex)
        d = run("describe-execution", "--execution-arn", ex)
        self.assertEqual((d["status"], d["output"]), ("SUCCEEDED", '"hi"'))
        events = run("get-execution-history", "--execution-arn", ex)["events"]
        self.assertEqual(events[-1]["type"], "ExecutionSucceeded")


class Durability(unittest.TestCase):
    def test_running_executions_resume_after_kill9(self):
        data = tempfile.mkdtemp(prefix="eddy-sfn-")
        try:
            eddy = Eddy(data_dir=data, extra_args=["--clock", "manual"]).start()
            sfn = client("stepfunctions", eddy.endpoint)
            sqs = client("sqs", eddy.endpoint)
            url = sqs.create_queue(QueueName="cb")["QueueUrl"]
            arn = sfn.create_state_machine(
                name="durable",
                roleArn=ROLE,
                definition=json.dumps(
                    {
                        "StartAt": "A",
                        "States": {
                            "A": {"Type": "Pass", "Result": {"k": 1}, "Next": "W"},
                            "W": {"Type": "Wait", "Seconds": 600, "Next": "T"},
                            "T": {
                                "Type": "Task",
                                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                                "Parameters": {"QueueUrl": url, "MessageBody.$": "$$.Task.Token"},
                                "ResultPath": "$.cb",
                                "End": True,
                            },
                        },
                    }
                ),
            )["stateMachineArn"]
            done = sfn.start_execution(stateMachineArn=arn, name="first")["executionArn"]
            ex = sfn.start_execution(stateMachineArn=arn, name="second")["executionArn"]
            advance(eddy, 600)
            wait_for(lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"]["ApproximateNumberOfMessages"] == "2")
            eddy.kill9()

            # both tasks still await their tokens after the restart (a manual clock starts at the
            # machine's time again: move it past the messages' send time)
            eddy = Eddy(data_dir=data, extra_args=["--clock", "manual"]).start()
            sfn = client("stepfunctions", eddy.endpoint)
            sqs = client("sqs", eddy.endpoint)
            advance(eddy, 700)
            self.assertEqual(sfn.describe_execution(executionArn=ex)["status"], "RUNNING")
            msgs = wait_for(lambda: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"))
            self.assertTrue(msgs)
            for m in msgs:
                sfn.send_task_success(taskToken=m["Body"], output='{"ok": 1}')
            for arn_ in (done, ex):
                d = wait_done(sfn, arn_)
                self.assertEqual(d["status"], "SUCCEEDED", d)
                self.assertEqual(json.loads(d["output"]), {"k": 1, "cb": {"ok": 1}})
                types = [e["type"] for e in history(sfn, arn_)]
                self.assertEqual(
                    types,
                    ["ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered",
                     "WaitStateExited", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted",
                     "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"],
                )
                ids = [e["id"] for e in history(sfn, arn_)]
                self.assertEqual(ids, list(range(1, len(ids) + 1)))

            eddy.stop()

            # a Map whose iterations were waiting carries on with them, recording nothing twice
            eddy = Eddy(data_dir=data, extra_args=["--clock", "manual"]).start()
            sfn = client("stepfunctions", eddy.endpoint)
            m = sfn.create_state_machine(name="maps", roleArn=ROLE, definition=json.dumps({
                "StartAt": "A",
                "States": {
                    "A": {"Type": "Pass", "Next": "M"},
                    "M": {"Type": "Map", "End": True, "ItemProcessor": {
                        "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}},
                }}))["stateMachineArn"]
            mex = sfn.start_execution(stateMachineArn=m, input="[1, 2]")["executionArn"]
            wait_for(lambda: len(history(sfn, mex)) >= 9)
            before = len(history(sfn, mex))
            eddy.kill9()
            eddy = Eddy(data_dir=data, extra_args=["--clock", "manual"]).start()
            sfn = client("stepfunctions", eddy.endpoint)
            self.assertEqual(len(history(sfn, mex)), before)
            advance(eddy, 600)
            d = wait_done(sfn, mex)
            self.assertEqual((d["status"], json.loads(d["output"])), ("SUCCEEDED", [1, 2]))
            events = history(sfn, mex)
            types = [e["type"] for e in events]
            self.assertEqual(types.count("MapStateEntered"), 1)
            self.assertEqual(types.count("WaitStateExited"), 2)
            self.assertEqual(types.count("MapIterationStarted"), 2)
            self.assertEqual([e["id"] for e in events], list(range(1, len(events) + 1)))
            eddy.stop()

            # a Wait keeps its original deadline across a restart (on the machine's clock here)
            eddy = Eddy(data_dir=data).start()
            sfn = client("stepfunctions", eddy.endpoint)
            w = sfn.create_state_machine(name="waits", roleArn=ROLE, definition=json.dumps(
                {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3, "End": True}}}))["stateMachineArn"]
            wex = sfn.start_execution(stateMachineArn=w)["executionArn"]
            time.sleep(1.5)
            eddy.kill9()
            eddy = Eddy(data_dir=data).start()
            sfn = client("stepfunctions", eddy.endpoint)
            self.assertEqual(sfn.describe_execution(executionArn=wex)["status"], "RUNNING")
            d = wait_done(sfn, wex)
            self.assertEqual(d["status"], "SUCCEEDED")
            waited = (d["stopDate"] - d["startDate"]).total_seconds()
            self.assertGreaterEqual(waited, 3.0)
            self.assertLess(waited, 4.0)
            eddy.stop()
        finally:
            try:
                eddy.stop()
            except Exception:
                pass
            shutil.rmtree(data, ignore_errors=True)

    def test_parallel_branch_keeps_its_task_token_after_kill9(self):
        # the token the outside world got before the restart completes the task after it
        data = tempfile.mkdtemp(prefix="eddy-sfn-")
        eddy = None
        try:
            eddy = Eddy(data_dir=data).start()
            sfn = client("stepfunctions", eddy.endpoint)
            sqs = client("sqs", eddy.endpoint)
            url = sqs.create_queue(QueueName="tokens")["QueueUrl"]
            arn = sfn.create_state_machine(name="par", roleArn=ROLE, definition=json.dumps({
                "StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
                    {"StartAt": "T", "States": {"T": {
                        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "Parameters": {"QueueUrl": url, "MessageBody.$": "$$.Task.Token"}, "End": True}}},
                    {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "Result": "quick", "End": True}}},
                ]}}}))["stateMachineArn"]

            def run_until_token(name):
                ex = sfn.start_execution(stateMachineArn=arn, name=name)["executionArn"]
                wait_for(lambda: "PassStateExited" in [e["type"] for e in history(sfn, ex)])
                msgs = wait_for(lambda: sqs.receive_message(QueueUrl=url).get("Messages"))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=msgs[0]["ReceiptHandle"])
                return ex, msgs[0]["Body"]

            ex, token = run_until_token("interrupted")
            eddy = restart(data, eddy)
            sfn = client("stepfunctions", eddy.endpoint)
            sqs = client("sqs", eddy.endpoint)
            self.assertEqual(sfn.describe_execution(executionArn=ex)["status"], "RUNNING")
            sfn.send_task_success(taskToken=token, output='{"ok": 1}')
            d = wait_done(sfn, ex)
            self.assertEqual(d["status"], "SUCCEEDED", d)
            self.assertEqual(json.loads(d["output"]), [{"ok": 1}, "quick"])
            # the message was sent once: no second token went out after the restart
            self.assertEqual(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"]["ApproximateNumberOfMessages"], "0")
            interrupted = history(sfn, ex)
            check_chains(self, interrupted)

            # the same events, ids and previousEventIds as an execution that ran through
            control, control_token = run_until_token("control")
            sfn.send_task_success(taskToken=control_token, output='{"ok": 1}')
            self.assertEqual(wait_done(sfn, control)["status"], "SUCCEEDED")
            shape = lambda events: [(e["id"], e.get("previousEventId"), e["type"]) for e in events]
            self.assertEqual(shape(interrupted), shape(history(sfn, control)))
            self.assertEqual([t for _, _, t in shape(interrupted)].count("TaskScheduled"), 1)
        finally:
            if eddy:
                eddy.stop()
            shutil.rmtree(data, ignore_errors=True)

    def test_map_iterations_resume_after_kill9(self):
        # finished iterations are not run again, waiting ones keep waiting: each sends its
        # message once, and each iteration's events form one chain
        data = tempfile.mkdtemp(prefix="eddy-sfn-")
        eddy = None
        try:
            eddy = Eddy(data_dir=data, extra_args=["--clock", "manual"]).start()
            sfn = client("stepfunctions", eddy.endpoint)
            sqs = client("sqs", eddy.endpoint)
            url = sqs.create_queue(QueueName="items")["QueueUrl"]
            arn = sfn.create_state_machine(name="items", roleArn=ROLE, definition=json.dumps({
                "StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
                    "StartAt": "Send", "States": {
                        "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                                 "Parameters": {"QueueUrl": url, "MessageBody.$": "States.Format('item {}', $.n)"},
                                 "ResultPath": None, "Next": "W"},
                        "W": {"Type": "Wait", "SecondsPath": "$.s", "Next": "Done"},
                        "Done": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "End": True}}}}}}))[
                "stateMachineArn"]
            # 8 of the 12 iterations finish before the kill, 4 wait
            items = [{"n": n, "s": 600 if n % 3 == 0 else 0} for n in range(12)]
            ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(items))["executionArn"]
            wait_for(lambda: [e["type"] for e in history(sfn, ex)].count("MapIterationSucceeded") == 8)
            wait_for(lambda: [e["type"] for e in history(sfn, ex)].count("WaitStateEntered") == 12)
            before = history(sfn, ex)

            eddy = restart(data, eddy, ["--clock", "manual"])
            sfn = client("stepfunctions", eddy.endpoint)
            sqs = client("sqs", eddy.endpoint)
            self.assertEqual(history(sfn, ex), before)
            advance(eddy, 700)
            d = wait_done(sfn, ex)
            self.assertEqual(d["status"], "SUCCEEDED", d)
            self.assertEqual(json.loads(d["output"]), [{"n": n} for n in range(12)])

            bodies = []
            while True:
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
                if not got:
                    break
                bodies += [m["Body"] for m in got]
            self.assertEqual(sorted(bodies), sorted(f"item {n}" for n in range(12)))

            events = history(sfn, ex)
            self.assertEqual(events[:len(before)], before)
            check_chains(self, events)
            types = [e["type"] for e in events]
            for t in ("MapIterationStarted", "TaskScheduled", "WaitStateEntered", "WaitStateExited",
                      "MapIterationSucceeded"):
                self.assertEqual(types.count(t), 12, t)
            self.assertEqual(types.count("MapStateStarted"), 1)
            for end in (e for e in events if e["type"] == "MapIterationSucceeded"):
                steps = chain(events, end["id"], "MapStateStarted")
                self.assertEqual([e["type"] for e in steps], [
                    "MapIterationStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded",
                    "TaskStateExited", "WaitStateEntered", "WaitStateExited", "PassStateEntered", "PassStateExited",
                    "MapIterationSucceeded"])
                index = end["mapIterationSucceededEventDetails"]["index"]
                self.assertEqual(steps[0]["mapIterationStartedEventDetails"]["index"], index)
                self.assertEqual(json.loads(steps[1]["stateEnteredEventDetails"]["input"]), items[index])
        finally:
            if eddy:
                eddy.stop()
            shutil.rmtree(data, ignore_errors=True)

    def test_map_inside_parallel_resumes_after_kill9(self):
        # on the machine's clock: a Wait in an iteration of a Map in a Parallel branch keeps its
        # deadline, and the callback task in the other branch keeps its token
        data = tempfile.mkdtemp(prefix="eddy-sfn-")
        eddy = None
        try:
            eddy = Eddy(data_dir=data).start()
            sfn = client("stepfunctions", eddy.endpoint)
            sqs = client("sqs", eddy.endpoint)
            url = sqs.create_queue(QueueName="nested")["QueueUrl"]
            arn = sfn.create_state_machine(name="nested", roleArn=ROLE, definition=json.dumps({
                "StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
                    {"StartAt": "M", "States": {"M": {
                        "Type": "Map", "ItemsPath": "$.items", "End": True, "ItemProcessor": {
                            "StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$", "End": True}}}}}},
                    {"StartAt": "T", "States": {"T": {
                        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "Parameters": {"QueueUrl": url, "MessageBody.$": "$$.Task.Token"}, "End": True}}},
                ]}}}))["stateMachineArn"]
            ex = sfn.start_execution(stateMachineArn=arn, input='{"items": [0, 3]}')["executionArn"]
            started = time.time()
            wait_for(lambda: "MapIterationSucceeded" in [e["type"] for e in history(sfn, ex)])
            token = wait_for(lambda: sqs.receive_message(QueueUrl=url).get("Messages"))[0]["Body"]
            time.sleep(max(0.0, 1.5 - (time.time() - started)))

            eddy = restart(data, eddy)
            sfn = client("stepfunctions", eddy.endpoint)
            self.assertEqual(sfn.describe_execution(executionArn=ex)["status"], "RUNNING")
            sfn.send_task_success(taskToken=token, output='"tok"')
            d = wait_done(sfn, ex)
            self.assertEqual(d["status"], "SUCCEEDED", d)
            self.assertEqual(json.loads(d["output"]), [[0, 3], "tok"])
            waited = (d["stopDate"] - d["startDate"]).total_seconds()
            self.assertGreaterEqual(waited, 3.0)
            self.assertLess(waited, 4.5)
            events = history(sfn, ex)
            check_chains(self, events)
            types = [e["type"] for e in events]
            self.assertEqual(types.count("WaitStateEntered"), 2)
            self.assertEqual(types.count("MapIterationStarted"), 2)
            self.assertEqual(types.count("TaskSubmitted"), 1)
            self.assertEqual(types.count("ParallelStateStarted"), 1)
        finally:
            if eddy:
                eddy.stop()
            shutil.rmtree(data, ignore_errors=True)


    def test_retry_interval_in_a_branch_resumes_after_kill9(self):
        # a task waiting to retry keeps its deadline and its attempts: it is not entered again
        data = tempfile.mkdtemp(prefix="eddy-sfn-")
        eddy = None
        try:
            eddy = Eddy(data_dir=data, extra_args=["--clock", "manual"]).start()
            sfn = client("stepfunctions", eddy.endpoint)
            sqs = client("sqs", eddy.endpoint)
            # the queue the task sends to does not exist until after the restart
            url = sqs.create_queue(QueueName="other")["QueueUrl"].replace("/other", "/later")
            arn = sfn.create_state_machine(name="retries", roleArn=ROLE, definition=json.dumps({
                "StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
                    {"StartAt": "T", "States": {"T": {
                        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                        "Parameters": {"QueueUrl": url, "MessageBody": "hello"}, "ResultPath": None,
                        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 600, "MaxAttempts": 3}],
                        "End": True}}},
                    {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "Result": "quick", "End": True}}},
                ]}}}))["stateMachineArn"]
            ex = sfn.start_execution(stateMachineArn=arn, input='{"a": 1}')["executionArn"]
            wait_for(lambda: "TaskFailed" in [e["type"] for e in history(sfn, ex)])
            wait_for(lambda: "PassStateExited" in [e["type"] for e in history(sfn, ex)])
            before = history(sfn, ex)

            eddy = restart(data, eddy, ["--clock", "manual"])
            sfn = client("stepfunctions", eddy.endpoint)
            sqs = client("sqs", eddy.endpoint)
            self.assertEqual(history(sfn, ex), before)
            url = sqs.create_queue(QueueName="later")["QueueUrl"]
            advance(eddy, 700)
            d = wait_done(sfn, ex)
            self.assertEqual(d["status"], "SUCCEEDED", d)
            self.assertEqual(json.loads(d["output"]), [{"a": 1}, "quick"])
            events = history(sfn, ex)
            check_chains(self, events)
            types = [e["type"] for e in events]
            self.assertEqual([types.count(t) for t in ("TaskStateEntered", "TaskScheduled", "TaskFailed",
                                                       "TaskSucceeded")], [1, 2, 1, 1])
            self.assertEqual(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"]["ApproximateNumberOfMessages"], "1")
        finally:
            if eddy:
                eddy.stop()
            shutil.rmtree(data, ignore_errors=True)

    def test_map_with_max_concurrency_after_kill9(self):
        # the iterations awaiting tokens keep them, the one not started yet starts after the
        # restart, and its failure is caught as it would have been
        data = tempfile.mkdtemp(prefix="eddy-sfn-")
        eddy = None
        try:
            eddy = Eddy(data_dir=data).start()
            sfn = client("stepfunctions", eddy.endpoint)
            sqs = client("sqs", eddy.endpoint)
            url = sqs.create_queue(QueueName="work")["QueueUrl"]
            arn = sfn.create_state_machine(name="limited", roleArn=ROLE, definition=json.dumps({
                "StartAt": "M", "States": {
                    "M": {"Type": "Map", "MaxConcurrency": 2, "Next": "Done",
                          "Catch": [{"ErrorEquals": ["Boom"], "Next": "Recovered"}],
                          "ItemProcessor": {"StartAt": "T", "States": {"T": {
                              "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                              "Parameters": {"QueueUrl": url,
                                             "MessageBody": {"token.$": "$$.Task.Token", "item.$": "$"}},
                              "End": True}}}},
                    "Done": {"Type": "Succeed"},
                    "Recovered": {"Type": "Pass", "Parameters": {"error.$": "$.Error"}, "End": True}}}))[
                "stateMachineArn"]
            ex = sfn.start_execution(stateMachineArn=arn, input='["a", "b", "c"]')["executionArn"]

            def take(count):
                got = []
                while len(got) < count:
                    msgs = wait_for(lambda: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"))
                    for m in msgs:
                        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                        got.append(json.loads(m["Body"]))
                return {m["item"]: m["token"] for m in got}

            tokens = take(2)
            self.assertEqual(sorted(tokens), ["a", "b"])
            eddy = restart(data, eddy)
            sfn = client("stepfunctions", eddy.endpoint)
            sqs = client("sqs", eddy.endpoint)
            for item in ("a", "b"):
                sfn.send_task_success(taskToken=tokens[item], output=json.dumps(item.upper()))
            third = take(1)
            self.assertEqual(list(third), ["c"])
            sfn.send_task_failure(taskToken=third["c"], error="Boom", cause="no")
            d = wait_done(sfn, ex)
            self.assertEqual(d["status"], "SUCCEEDED", d)
            self.assertEqual(json.loads(d["output"]), {"error": "Boom"})
            self.assertEqual(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"]["ApproximateNumberOfMessages"], "0")
            events = history(sfn, ex)
            check_chains(self, events)
            types = [e["type"] for e in events]
            self.assertEqual([types.count(t) for t in ("MapStateStarted", "MapIterationStarted", "TaskSubmitted",
                                                       "MapIterationSucceeded", "MapIterationFailed",
                                                       "MapStateFailed")], [1, 3, 3, 2, 1, 1])
        finally:
            if eddy:
                eddy.stop()
            shutil.rmtree(data, ignore_errors=True)

    def test_start_execution_sync_resumes_after_kill9(self):
        # the parent waits for the same child after a restart (no second child is started),
        # and the child, durable too, carries on from its own checkpoint
        data = tempfile.mkdtemp(prefix="eddy-sfn-")
        eddy = None
        try:
            eddy = Eddy(data_dir=data).start()
            sfn = client("stepfunctions", eddy.endpoint)
            child = sfn.create_state_machine(name="child", roleArn=ROLE, definition=json.dumps({
                "StartAt": "W", "States": {
                    "W": {"Type": "Wait", "Seconds": 3, "Next": "P"},
                    "P": {"Type": "Pass", "Parameters": {"got.$": "$.x"}, "End": True}}}))["stateMachineArn"]
            parent = sfn.create_state_machine(name="parent", roleArn=ROLE, definition=json.dumps({
                "StartAt": "T", "States": {"T": {
                    "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": child, "Input": {"x.$": "$.x"}},
                    "ResultSelector": {"status.$": "$.Status", "out.$": "$.Output"}, "End": True}}}))[
                "stateMachineArn"]
            ex = sfn.start_execution(stateMachineArn=parent, input='{"x": 7}')["executionArn"]
            wait_for(lambda: "TaskSubmitted" in [e["type"] for e in history(sfn, ex)])
            eddy.kill9()

            eddy = Eddy(data_dir=data).start()
            sfn = client("stepfunctions", eddy.endpoint)
            self.assertEqual(sfn.describe_execution(executionArn=ex)["status"], "RUNNING")
            d = wait_done(sfn, ex, timeout=15)
            self.assertEqual(d["status"], "SUCCEEDED", d)
            self.assertEqual(json.loads(d["output"]), {"status": "SUCCEEDED", "out": {"got": 7}})
            children = sfn.list_executions(stateMachineArn=child)["executions"]
            self.assertEqual([c["status"] for c in children], ["SUCCEEDED"])
            types = [e["type"] for e in history(sfn, ex)]
            self.assertEqual(types, ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                                     "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"])
        finally:
            if eddy:
                eddy.stop()
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
