"""CloudWatch Logs against a real eddy with boto3 and the AWS CLI: log groups and
streams, PutLogEvents' rules, GetLogEvents' forward and backward tokens,
FilterLogEvents' patterns and paging, retention, tags, the errors AWS words, and
durability across a restart with --data-dir.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import warnings

from botocore.exceptions import ClientError

from harness import Eddy, cli_env, client

HOUR = 3600 * 1000
DAY = 24 * HOUR


def setUpModule():
    global EDDY
    warnings.simplefilter("ignore", ResourceWarning)
    EDDY = Eddy().start()


def tearDownModule():
    EDDY.stop()


def now_ms():
    return int(time.time() * 1000)


class LogsCase(unittest.TestCase):
    counter = 0

    def setUp(self):
        self.logs = client("logs", EDDY.endpoint)

    def unique(self, base):
        LogsCase.counter += 1
        return f"{base}-{LogsCase.counter}-{int(time.time() * 1000) % 100000}"

    def group(self, base="/test/app", **kwargs):
        name = self.unique(base)
        self.logs.create_log_group(logGroupName=name, **kwargs)
        return name

    def stream(self, group, name="s"):
        self.logs.create_log_stream(logGroupName=group, logStreamName=name)
        return name

    def put(self, group, stream, events):
        return self.logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)

    def assert_error(self, code, message, fn, *args, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)
        return err["Error"]["Message"]

    def aws(self, *args):
        out = subprocess.run(["aws", "logs", *args, "--endpoint-url", EDDY.endpoint, "--output", "json"],
                             env=cli_env(EDDY.endpoint), capture_output=True, text=True, timeout=60)
        return out.returncode, out.stdout, out.stderr


class Groups(LogsCase):
    def test_create_describe_delete(self):
        before = now_ms()
        name = self.group(tags={"team": "core"})
        got = self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        self.assertEqual(len(got), 1)
        g = got[0]
        self.assertEqual(g["logGroupName"], name)
        self.assertEqual(g["arn"], f"arn:aws:logs:us-east-1:000000000000:log-group:{name}:*")
        self.assertEqual(g["logGroupArn"], f"arn:aws:logs:us-east-1:000000000000:log-group:{name}")
        self.assertGreaterEqual(g["creationTime"], before - 1000)
        self.assertLessEqual(g["creationTime"], now_ms() + 1000)
        self.assertEqual(g["metricFilterCount"], 0)
        self.assertEqual(g["storedBytes"], 0)
        self.assertEqual(g["logGroupClass"], "STANDARD")
        self.assertNotIn("retentionInDays", g)
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=name)["tags"], {"team": "core"})

        self.assert_error("ResourceAlreadyExistsException", "The specified log group already exists",
                          self.logs.create_log_group, logGroupName=name)
        self.logs.delete_log_group(logGroupName=name)
        self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"], [])
        self.assert_error("ResourceNotFoundException", "The specified log group does not exist.",
                          self.logs.delete_log_group, logGroupName=name)

    def test_deletion_protection(self):
        name = self.group(deletionProtectionEnabled=True)
        g = self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
        self.assertTrue(g["deletionProtectionEnabled"])
        self.assert_error("ValidationException",
                          "Cannot delete log group with deletion protection enabled. Disable deletion protection first.",
                          self.logs.delete_log_group, logGroupName=name)
        self.logs.put_log_group_deletion_protection(logGroupIdentifier=g["logGroupArn"],
                                                    deletionProtectionEnabled=False)
        self.assertFalse(self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
                         ["deletionProtectionEnabled"])
        self.logs.delete_log_group(logGroupName=name)
        other = self.group()
        self.logs.put_log_group_deletion_protection(logGroupIdentifier=other, deletionProtectionEnabled=True)
        self.assert_error("ValidationException", None, self.logs.delete_log_group, logGroupName=other)
        self.assert_error("ResourceNotFoundException", "The specified log group does not exist.",
                          self.logs.put_log_group_deletion_protection, logGroupIdentifier=other + "-missing",
                          deletionProtectionEnabled=True)

    def test_log_group_class(self):
        name = self.group(logGroupClass="INFREQUENT_ACCESS")
        g = self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
        self.assertEqual(g["logGroupClass"], "INFREQUENT_ACCESS")
        names = [g["logGroupName"] for g in
                 self.logs.describe_log_groups(logGroupClass="INFREQUENT_ACCESS")["logGroups"]]
        self.assertIn(name, names)
        self.assertNotIn(name, [g["logGroupName"] for g in
                                self.logs.describe_log_groups(logGroupClass="STANDARD")["logGroups"]])

    def test_invalid_names(self):
        for bad in ["has:colon", "has space", "star*", "caf\u00e9"]:
            msg = self.assert_error("InvalidParameterException", None, self.logs.create_log_group, logGroupName=bad)
            self.assertEqual(msg, f"1 validation error detected: Value '{bad}' at 'logGroupName' failed to satisfy "
                                  "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+")
        msg = self.assert_error("InvalidParameterException", None, self.logs.create_log_group,
                                logGroupName="a" * 513)
        self.assertIn("Member must have length less than or equal to 512", msg)
        self.logs.create_log_group(logGroupName=self.unique("ok.name_with-all/#chars"))
        self.logs.create_log_group(logGroupName=self.unique("x")[:1] + "a" * 500)

    def test_prefix_pattern_and_pages(self):
        base = self.unique("/paging")
        names = sorted(f"{base}/g{i:02d}" for i in range(7))
        for n in names:
            self.logs.create_log_group(logGroupName=n)
        self.logs.create_log_group(logGroupName=base.upper() + "-OTHER")

        seen, token, pages = [], None, 0
        while True:
            kwargs = {"logGroupNamePrefix": base + "/", "limit": 3}
            if token:
                kwargs["nextToken"] = token
            r = self.logs.describe_log_groups(**kwargs)
            pages += 1
            seen += [g["logGroupName"] for g in r["logGroups"]]
            token = r.get("nextToken")
            if not token:
                break
        self.assertEqual(seen, names, "every group once, sorted by name")
        self.assertEqual(pages, 3)

        paginated = [g["logGroupName"] for page in self.logs.get_paginator("describe_log_groups").paginate(
            logGroupNamePrefix=base + "/", PaginationConfig={"PageSize": 2}) for g in page["logGroups"]]
        self.assertEqual(paginated, names)

        # The pattern matches anywhere in the name, case-sensitively, and answers with less.
        found = self.logs.describe_log_groups(logGroupNamePattern=base[1:])["logGroups"]
        self.assertEqual([g["logGroupName"] for g in found], names)
        self.assertEqual(set(found[0]), {"logGroupName", "arn", "creationTime"})
        upper = self.logs.describe_log_groups(logGroupNamePattern=base[1:].upper())["logGroups"]
        self.assertEqual([g["logGroupName"] for g in upper], [base.upper() + "-OTHER"])
        self.assert_error("InvalidParameterException",
                          "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
                          self.logs.describe_log_groups, logGroupNamePrefix=base, logGroupNamePattern="x")
        self.assert_error("InvalidParameterException", None, self.logs.describe_log_groups, limit=51)

    def test_cli(self):
        name = self.unique("/cli/group")
        rc, _, err = self.aws("create-log-group", "--log-group-name", name)
        self.assertEqual(rc, 0, err)
        rc, out, err = self.aws("describe-log-groups", "--log-group-name-prefix", name)
        self.assertEqual(rc, 0, err)
        self.assertEqual([g["logGroupName"] for g in json.loads(out)["logGroups"]], [name])
        rc, _, err = self.aws("create-log-group", "--log-group-name", name)
        self.assertNotEqual(rc, 0)
        self.assertIn("ResourceAlreadyExistsException", err)
        rc, _, err = self.aws("create-log-stream", "--log-group-name", name, "--log-stream-name", "cli")
        self.assertEqual(rc, 0, err)
        t = now_ms()
        rc, out, err = self.aws("put-log-events", "--log-group-name", name, "--log-stream-name", "cli",
                                "--log-events", f"timestamp={t},message=hello from the cli",
                                f"timestamp={t + 1},message=second line")
        self.assertEqual(rc, 0, err)
        self.assertIn("nextSequenceToken", json.loads(out))
        rc, out, err = self.aws("get-log-events", "--log-group-name", name, "--log-stream-name", "cli",
                                "--start-from-head")
        self.assertEqual(rc, 0, err)
        self.assertEqual([e["message"] for e in json.loads(out)["events"]], ["hello from the cli", "second line"])
        rc, out, err = self.aws("filter-log-events", "--log-group-name", name, "--filter-pattern", "second")
        self.assertEqual(rc, 0, err)
        self.assertEqual([e["message"] for e in json.loads(out)["events"]], ["second line"])
        rc, _, err = self.aws("delete-log-group", "--log-group-name", name)
        self.assertEqual(rc, 0, err)


    @unittest.skipUnless(os.path.exists("/usr/bin/aws"), "AWS CLI v2 is not installed")
    def test_cli_v2_tail(self):
        # `aws logs tail` (CLI v2 only) reads through FilterLogEvents from --since on.
        g = self.group()
        self.stream(g, "app")
        t = now_ms()
        self.put(g, "app", [{"timestamp": t - 2 * HOUR, "message": "too early"},
                            {"timestamp": t - 1000, "message": "INFO started"},
                            {"timestamp": t, "message": "ERROR failed"}])
        for extra, want in [([], ["INFO started", "ERROR failed"]), (["--filter-pattern", "ERROR"], ["ERROR failed"])]:
            out = subprocess.run(["/usr/bin/aws", "logs", "tail", g, "--since", "1h", *extra,
                                  "--endpoint-url", EDDY.endpoint], env=cli_env(EDDY.endpoint),
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            lines = out.stdout.strip().splitlines()
            self.assertEqual([line.split(" ", 2)[2] for line in lines], want)
            self.assertTrue(all(line.split(" ")[1] == "app" for line in lines))


class Streams(LogsCase):
    def test_create_describe_delete(self):
        g = self.group()
        before = now_ms()
        self.stream(g, "web/1")
        self.assert_error("ResourceAlreadyExistsException", "The specified log stream already exists",
                          self.logs.create_log_stream, logGroupName=g, logStreamName="web/1")
        self.assert_error("ResourceNotFoundException", "The specified log group does not exist.",
                          self.logs.create_log_stream, logGroupName=g + "-missing", logStreamName="x")
        s = self.logs.describe_log_streams(logGroupName=g)["logStreams"][0]
        self.assertEqual(s["logStreamName"], "web/1")
        self.assertEqual(s["arn"], f"arn:aws:logs:us-east-1:000000000000:log-group:{g}:log-stream:web/1")
        self.assertGreaterEqual(s["creationTime"], before - 1000)
        for absent in ["firstEventTimestamp", "lastEventTimestamp", "lastIngestionTime", "uploadSequenceToken"]:
            self.assertNotIn(absent, s)

        t = now_ms()
        self.put(g, "web/1", [{"timestamp": t - 5000, "message": "a"}, {"timestamp": t - 1000, "message": "b"}])
        s = self.logs.describe_log_streams(logGroupName=g)["logStreams"][0]
        self.assertEqual(s["firstEventTimestamp"], t - 5000)
        self.assertEqual(s["lastEventTimestamp"], t - 1000)
        self.assertGreaterEqual(s["lastIngestionTime"], t - 1000)
        self.assertIn("uploadSequenceToken", s)

        self.logs.delete_log_stream(logGroupName=g, logStreamName="web/1")
        self.assertEqual(self.logs.describe_log_streams(logGroupName=g)["logStreams"], [])
        self.assert_error("ResourceNotFoundException", "The specified log stream does not exist.",
                          self.logs.delete_log_stream, logGroupName=g, logStreamName="web/1")
        self.assert_error("ResourceNotFoundException", "The specified log group does not exist.",
                          self.logs.describe_log_streams, logGroupName=g + "-missing")

    def test_invalid_stream_names(self):
        g = self.group()
        for bad in ["a:b", "a*b"]:
            msg = self.assert_error("InvalidParameterException", None, self.logs.create_log_stream,
                                    logGroupName=g, logStreamName=bad)
            self.assertEqual(msg, f"1 validation error detected: Value '{bad}' at 'logStreamName' failed to satisfy "
                                  "constraint: Member must satisfy regular expression pattern: [^:*]*")
        self.stream(g, "spaces and / slashes # ok")

    def test_order_prefix_and_pages(self):
        g = self.group()
        t = now_ms()
        # Names in one order, last events in another.
        for name, offset in [("b", 3), ("a", 1), ("c", 2), ("d", 5), ("other", 4)]:
            self.stream(g, name)
            self.put(g, name, [{"timestamp": t - 10000 + offset, "message": name}])
        names = lambda r: [s["logStreamName"] for s in r["logStreams"]]
        self.assertEqual(names(self.logs.describe_log_streams(logGroupName=g)), ["a", "b", "c", "d", "other"])
        self.assertEqual(names(self.logs.describe_log_streams(logGroupName=g, descending=True)),
                         ["other", "d", "c", "b", "a"])
        self.assertEqual(names(self.logs.describe_log_streams(logGroupName=g, orderBy="LastEventTime")),
                         ["a", "c", "b", "other", "d"])
        self.assertEqual(names(self.logs.describe_log_streams(logGroupName=g, orderBy="LastEventTime",
                                                              descending=True)), ["d", "other", "b", "c", "a"])
        self.assertEqual(names(self.logs.describe_log_streams(logGroupName=g, logStreamNamePrefix="o")), ["other"])
        self.assert_error("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.",
                          self.logs.describe_log_streams, logGroupName=g, orderBy="LastEventTime",
                          logStreamNamePrefix="a")
        first = self.logs.describe_log_streams(logGroupName=g, limit=2)
        self.assertEqual(names(first), ["a", "b"])
        second = self.logs.describe_log_streams(logGroupName=g, limit=2, nextToken=first["nextToken"])
        self.assertEqual(names(second), ["c", "d"])
        third = self.logs.describe_log_streams(logGroupName=g, limit=2, nextToken=second["nextToken"])
        self.assertEqual(names(third), ["other"])
        self.assertNotIn("nextToken", third)
        # The group by ARN, as logGroupIdentifier allows.
        arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{g}"
        self.assertEqual(names(self.logs.describe_log_streams(logGroupIdentifier=arn, limit=1)), ["a"])
        self.assert_error("InvalidParameterException", None, self.logs.describe_log_streams,
                          logGroupName=g, logGroupIdentifier=arn)


class PutEvents(LogsCase):
    def test_rules_and_errors(self):
        g = self.group()
        self.stream(g)
        t = now_ms()
        self.assert_error("InvalidParameterException",
                          "Log events in a single PutLogEvents request must be in chronological order.",
                          self.put, g, "s", [{"timestamp": t, "message": "late"}, {"timestamp": t - 1, "message": "x"}])
        self.assert_error("InvalidParameterException", None, self.put, g, "s",
                          [{"timestamp": t - 25 * HOUR, "message": "a"}, {"timestamp": t, "message": "b"}])
        msg = self.assert_error("InvalidParameterException", None, self.put, g, "s",
                                [{"timestamp": t, "message": "x" * 600000}, {"timestamp": t, "message": "y" * 448551}])
        self.assertIn("1048603", msg)  # 1,048,551 bytes of messages and 26 for each event
        # Exactly at the limit is accepted.
        self.put(g, "s", [{"timestamp": t, "message": "x" * 600000}, {"timestamp": t, "message": "y" * 448524}])
        self.assert_error("InvalidParameterException", None, self.put, g, "s",
                          [{"timestamp": t, "message": "m"}] * 10001)
        self.put(g, "s", [{"timestamp": t, "message": "m"}] * 10000)
        self.assert_error("ResourceNotFoundException", "The specified log stream does not exist.",
                          self.put, g, "nope", [{"timestamp": t, "message": "m"}])
        self.assert_error("ResourceNotFoundException", "The specified log group does not exist.",
                          self.put, g + "-missing", "s", [{"timestamp": t, "message": "m"}])
        unchecked = client("logs", EDDY.endpoint, parameter_validation=False)
        msg = self.assert_error("InvalidParameterException", None, unchecked.put_log_events, logGroupName=g,
                                logStreamName="s", logEvents=[])
        self.assertIn("Member must have length greater than or equal to 1", msg)

    def test_too_old_too_new_and_expired_are_rejected_not_failed(self):
        g = self.group()
        self.stream(g)
        t = now_ms()
        r = self.put(g, "s", [{"timestamp": t - 14 * DAY - 2 * HOUR, "message": "ancient"},
                              {"timestamp": t - 14 * DAY - HOUR, "message": "ancient2"},
                              {"timestamp": t - 14 * DAY + HOUR, "message": "fine"}])
        self.assertEqual(r["rejectedLogEventsInfo"], {"tooOldLogEventEndIndex": 2})
        r = self.put(g, "s", [{"timestamp": t, "message": "now"}, {"timestamp": t + 3 * HOUR, "message": "future"}])
        self.assertEqual(r["rejectedLogEventsInfo"], {"tooNewLogEventStartIndex": 1})
        self.logs.put_retention_policy(logGroupName=g, retentionInDays=1)
        r = self.put(g, "s", [{"timestamp": t - 26 * HOUR, "message": "expired"},
                              {"timestamp": t - 3 * HOUR, "message": "kept"}])
        self.assertEqual(r["rejectedLogEventsInfo"], {"expiredLogEventEndIndex": 1})
        got = self.logs.get_log_events(logGroupName=g, logStreamName="s", startFromHead=True)["events"]
        self.assertEqual([e["message"] for e in got], ["kept", "now"], "retention hides 'fine' now")

    def test_sequence_tokens_are_accepted_and_ignored(self):
        g = self.group()
        self.stream(g)
        t = now_ms()
        first = self.put(g, "s", [{"timestamp": t, "message": "one"}])["nextSequenceToken"]
        second = self.logs.put_log_events(logGroupName=g, logStreamName="s", sequenceToken="bogus",
                                          logEvents=[{"timestamp": t, "message": "two"}])["nextSequenceToken"]
        third = self.logs.put_log_events(logGroupName=g, logStreamName="s", sequenceToken=first,
                                         logEvents=[{"timestamp": t, "message": "three"}])["nextSequenceToken"]
        self.assertEqual(len({first, second, third}), 3)
        self.assertEqual(len(self.logs.get_log_events(logGroupName=g, logStreamName="s")["events"]), 3)
        self.assertNotIn("rejectedLogEventsInfo", self.put(g, "s", [{"timestamp": t, "message": "four"}]))

    def test_stored_bytes(self):
        g = self.group()
        self.stream(g)
        self.put(g, "s", [{"timestamp": now_ms(), "message": "12345"}, {"timestamp": now_ms(), "message": "\u00e9"}])
        self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]["storedBytes"], 7)


class GetEvents(LogsCase):
    def fill(self, n=25):
        g = self.group()
        self.stream(g)
        base = now_ms() - 60000
        self.put(g, "s", [{"timestamp": base + i, "message": f"m{i:02d}"} for i in range(n)])
        return g, base

    def get(self, g, **kwargs):
        r = self.logs.get_log_events(logGroupName=g, logStreamName="s", **kwargs)
        return [e["message"] for e in r["events"]], r

    def test_forward_from_head_to_the_end(self):
        g, base = self.fill()
        seen, r = self.get(g, startFromHead=True, limit=10)
        self.assertEqual(seen, [f"m{i:02d}" for i in range(10)])
        self.assertTrue(r["nextForwardToken"].startswith("f/"))
        self.assertTrue(r["nextBackwardToken"].startswith("b/"))
        token = r["nextForwardToken"]
        while True:
            got, r = self.get(g, nextToken=token, limit=10)
            if r["nextForwardToken"] == token:
                self.assertEqual(got, [], "the same token comes back at the end")
                break
            seen += got
            token = r["nextForwardToken"]
        self.assertEqual(seen, [f"m{i:02d}" for i in range(25)])
        # New events appear after the token that marked the end.
        self.put(g, "s", [{"timestamp": base + 100, "message": "late"}])
        got, r = self.get(g, nextToken=token)
        self.assertEqual(got, ["late"])
        event = self.logs.get_log_events(logGroupName=g, logStreamName="s", nextToken=token)["events"][0]
        self.assertEqual(event["timestamp"], base + 100)
        self.assertGreaterEqual(event["ingestionTime"], base)

    def test_backward_from_the_tail(self):
        g, _ = self.fill()
        got, r = self.get(g, limit=10)
        self.assertEqual(got, [f"m{i:02d}" for i in range(15, 25)], "the newest events, oldest first")
        got, r2 = self.get(g, nextToken=r["nextBackwardToken"], limit=10)
        self.assertEqual(got, [f"m{i:02d}" for i in range(5, 15)])
        got, r3 = self.get(g, nextToken=r2["nextBackwardToken"], limit=10)
        self.assertEqual(got, [f"m{i:02d}" for i in range(0, 5)])
        got, r4 = self.get(g, nextToken=r3["nextBackwardToken"], limit=10)
        self.assertEqual(got, [])
        self.assertEqual(r4["nextBackwardToken"], r3["nextBackwardToken"])
        # Turning round at the beginning reads forward from it.
        got, _ = self.get(g, nextToken=r4["nextForwardToken"], limit=3)
        self.assertEqual(got, ["m00", "m01", "m02"])
        # And forward from the middle of a backward page.
        got, _ = self.get(g, nextToken=r2["nextForwardToken"], limit=2)
        self.assertEqual(got, ["m15", "m16"])

    def test_time_window_default_limit_and_identifier(self):
        g, base = self.fill()
        got, _ = self.get(g, startFromHead=True, startTime=base + 3, endTime=base + 6)
        self.assertEqual(got, ["m03", "m04", "m05"], "startTime inclusive, endTime exclusive")
        r = self.logs.get_log_events(logGroupIdentifier=f"arn:aws:logs:us-east-1:000000000000:log-group:{g}",
                                     logStreamName="s", startFromHead=True)
        self.assertEqual(len(r["events"]), 25)
        r = self.logs.get_log_events(logGroupIdentifier=g, logStreamName="s", limit=1)
        self.assertEqual([e["message"] for e in r["events"]], ["m24"])
        self.assert_error("InvalidParameterException", None, self.logs.get_log_events, logGroupName=g,
                          logStreamName="s", nextToken="garbage")
        self.assert_error("ResourceNotFoundException", "The specified log stream does not exist.",
                          self.logs.get_log_events, logGroupName=g, logStreamName="missing")
        self.assert_error("ResourceNotFoundException", "The specified log group does not exist.",
                          self.logs.get_log_events, logGroupName=g + "-missing", logStreamName="s")

    def test_a_page_holds_at_most_a_megabyte(self):
        g = self.group()
        self.stream(g)
        t = now_ms()
        for batch in range(3):
            self.put(g, "s", [{"timestamp": t + batch, "message": chr(97 + batch) * 500000}])
        got, r = self.get(g, startFromHead=True)
        self.assertEqual([m[0] for m in got], ["a", "b"])
        got, _ = self.get(g, nextToken=r["nextForwardToken"])
        self.assertEqual([m[0] for m in got], ["c"])

    def test_an_empty_stream(self):
        g = self.group()
        self.stream(g)
        got, r = self.get(g)
        self.assertEqual(got, [])
        got, r2 = self.get(g, nextToken=r["nextBackwardToken"])
        self.assertEqual(r2["nextBackwardToken"], r["nextBackwardToken"])
        self.put(g, "s", [{"timestamp": now_ms(), "message": "first"}])
        got, _ = self.get(g, nextToken=r["nextForwardToken"])
        self.assertEqual(got, ["first"])


class FilterEvents(LogsCase):
    def setUp(self):
        super().setUp()
        self.g = self.group()
        self.base = now_ms() - 60000
        lines = {
            "api": [(1, "ERROR disk full"), (4, "INFO request ok"), (7, "WARN slow request")],
            "worker": [(2, "error lowercase"), (5, "ERROR connection reset by peer"), (8, "INFO done")],
            "web": [(3, "ERROR disk nearly full"), (6, "DEBUG x")],
        }
        for stream, events in lines.items():
            self.stream(self.g, stream)
            self.put(self.g, stream, [{"timestamp": self.base + t, "message": m} for t, m in events])

    def filter(self, **kwargs):
        r = self.logs.filter_log_events(logGroupName=self.g, **kwargs)
        return [e["message"] for e in r["events"]], r

    def test_patterns(self):
        got, r = self.filter()
        self.assertEqual(len(got), 8, "no pattern: everything, interleaved by time")
        self.assertEqual([e["timestamp"] - self.base for e in r["events"]], [1, 2, 3, 4, 5, 6, 7, 8])
        e = r["events"][0]
        self.assertEqual(e["logStreamName"], "api")
        self.assertIn("eventId", e)
        self.assertIn("ingestionTime", e)
        self.assertEqual(self.filter(filterPattern="ERROR")[0],
                         ["ERROR disk full", "ERROR disk nearly full", "ERROR connection reset by peer"])
        self.assertEqual(self.filter(filterPattern="ERROR full")[0], ["ERROR disk full", "ERROR disk nearly full"])
        self.assertEqual(self.filter(filterPattern='"disk full"')[0], ["ERROR disk full"])
        self.assertEqual(self.filter(filterPattern="error")[0], ["error lowercase"], "case-sensitive")
        self.assertEqual(self.filter(filterPattern="?WARN ?DEBUG")[0], ["DEBUG x", "WARN slow request"])
        self.assertEqual(self.filter(filterPattern="ERROR -disk")[0], ["ERROR connection reset by peer"])
        self.assertEqual(self.filter(filterPattern="nothing-matches")[0], [])
        self.assert_error("InvalidParameterException", None, self.logs.filter_log_events, logGroupName=self.g,
                          filterPattern='{ $.level = "ERROR" }')

    def test_streams_and_time(self):
        self.assertEqual(self.filter(logStreamNames=["web", "api"], filterPattern="ERROR")[0],
                         ["ERROR disk full", "ERROR disk nearly full"])
        self.assertEqual(self.filter(logStreamNamePrefix="w", filterPattern="INFO")[0], ["INFO done"])
        self.assertEqual(self.filter(startTime=self.base + 4, endTime=self.base + 6)[0],
                         ["INFO request ok", "ERROR connection reset by peer", "DEBUG x"], "both ends inclusive")
        self.assert_error("InvalidParameterException", None, self.logs.filter_log_events, logGroupName=self.g,
                          logStreamNames=["api"], logStreamNamePrefix="a")
        self.assert_error("ResourceNotFoundException", "The specified log group does not exist.",
                          self.logs.filter_log_events, logGroupName=self.g + "-missing")
        self.assert_error("ResourceNotFoundException", "The specified log stream does not exist.",
                          self.logs.filter_log_events, logGroupName=self.g, logStreamNames=["api", "missing"])

    def test_pages(self):
        seen, token = [], None
        while True:
            kwargs = {"limit": 3}
            if token:
                kwargs["nextToken"] = token
            got, r = self.filter(**kwargs)
            self.assertLessEqual(len(got), 3)
            seen += got
            token = r.get("nextToken")
            if not token:
                break
        self.assertEqual(len(seen), 8)
        self.assertEqual(len(set(seen)), 8)
        paginated = [e["message"] for page in self.logs.get_paginator("filter_log_events").paginate(
            logGroupName=self.g, filterPattern="ERROR", PaginationConfig={"PageSize": 1}) for e in page["events"]]
        self.assertEqual(paginated, ["ERROR disk full", "ERROR disk nearly full", "ERROR connection reset by peer"])


    def test_a_long_search_goes_on_by_token(self):
        # One call searches a bounded stretch: pages may be short or empty, with a
        # token, and following the tokens finds everything.
        g = self.group()
        self.stream(g)
        t = now_ms() - 60000
        for batch in range(12):
            events = [{"timestamp": t + batch, "message": f"noise {batch} {i}"} for i in range(10000)]
            if batch in (0, 11):
                events[5000]["message"] = f"NEEDLE {batch}"
            self.put(g, "s", events)
        found, pages, token = [], 0, None
        while True:
            kwargs = {"logGroupName": g, "filterPattern": "NEEDLE"}
            if token:
                kwargs["nextToken"] = token
            r = self.logs.filter_log_events(**kwargs)
            pages += 1
            found += [e["message"] for e in r["events"]]
            token = r.get("nextToken")
            if not token:
                break
        self.assertEqual(found, ["NEEDLE 0", "NEEDLE 11"])
        self.assertEqual(pages, 2, "120,000 events take two searches")


class Retention(LogsCase):
    def test_policy_values_and_expiry(self):
        g = self.group()
        self.stream(g)
        t = now_ms()
        self.put(g, "s", [{"timestamp": t - 3 * DAY, "message": "three days"}])
        self.put(g, "s", [{"timestamp": t - 2 * HOUR, "message": "recent"}])
        self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]["storedBytes"], 16)
        msg = self.assert_error("InvalidParameterException", None, self.logs.put_retention_policy,
                                logGroupName=g, retentionInDays=2)
        self.assertIn("Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, "
                      "545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]", msg)
        self.assert_error("ResourceNotFoundException", "The specified log group does not exist.",
                          self.logs.put_retention_policy, logGroupName=g + "-missing", retentionInDays=1)
        for days in [3653, 7]:
            self.logs.put_retention_policy(logGroupName=g, retentionInDays=days)
            self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]["retentionInDays"],
                             days)
        self.assertEqual(len(self.logs.get_log_events(logGroupName=g, logStreamName="s")["events"]), 2)
        self.logs.put_retention_policy(logGroupName=g, retentionInDays=1)
        got = [e["message"] for e in self.logs.get_log_events(logGroupName=g, logStreamName="s")["events"]]
        self.assertEqual(got, ["recent"])
        self.assertEqual([e["message"] for e in self.logs.filter_log_events(logGroupName=g)["events"]], ["recent"])
        self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]["storedBytes"], 6,
                         "expired events are removed, not just hidden")
        self.logs.delete_retention_policy(logGroupName=g)
        self.assertNotIn("retentionInDays", self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0])
        self.assertEqual(len(self.logs.get_log_events(logGroupName=g, logStreamName="s")["events"]), 1)
        self.assert_error("ResourceNotFoundException", "The specified log group does not exist.",
                          self.logs.delete_retention_policy, logGroupName=g + "-missing")


class Tags(LogsCase):
    def test_by_group_name(self):
        g = self.group()
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=g)["tags"], {})
        self.logs.tag_log_group(logGroupName=g, tags={"a": "1", "b": "2"})
        self.logs.tag_log_group(logGroupName=g, tags={"b": "3"})
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=g)["tags"], {"a": "1", "b": "3"})
        self.logs.untag_log_group(logGroupName=g, tags=["a"])
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=g)["tags"], {"b": "3"})
        self.assert_error("ResourceNotFoundException", "The specified log group does not exist.",
                          self.logs.tag_log_group, logGroupName=g + "-missing", tags={"a": "1"})

    def test_by_arn(self):
        g = self.group()
        arn = self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]["logGroupArn"]
        self.logs.tag_resource(resourceArn=arn, tags={"env": "test"})
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=arn)["tags"], {"env": "test"})
        # the ARN DescribeLogGroups gives (ending ":*") breaks the pattern the API reference documents
        self.assert_error("InvalidParameterException",
                          f"1 validation error detected: Value '{arn}:*' at 'resourceArn' failed to satisfy "
                          "constraint: Member must satisfy regular expression pattern: [\\w+=/:,.@-]*",
                          self.logs.list_tags_for_resource, resourceArn=arn + ":*")
        self.logs.untag_resource(resourceArn=arn, tagKeys=["env"])
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=arn)["tags"], {})
        self.logs.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(30)})
        self.assert_error("TooManyTagsException", "A resource can have no more than 50 tags.",
                          self.logs.tag_resource, resourceArn=arn, tags={f"x{i}": "v" for i in range(21)})
        self.logs.tag_resource(resourceArn=arn, tags={f"x{i}": "v" for i in range(20)})
        self.assertEqual(len(self.logs.list_tags_for_resource(resourceArn=arn)["tags"]), 50)
        self.assert_error("ResourceNotFoundException", None, self.logs.list_tags_for_resource,
                          resourceArn=arn + "-missing")


class Durability(unittest.TestCase):
    def test_groups_streams_and_events_survive_a_restart(self):
        data = tempfile.mkdtemp(prefix="eddy-logs-data-")
        try:
            eddy = Eddy(data_dir=data).start()
            logs = client("logs", eddy.endpoint)
            logs.create_log_group(logGroupName="/durable", tags={"k": "v"})
            logs.put_retention_policy(logGroupName="/durable", retentionInDays=30)
            logs.create_log_stream(logGroupName="/durable", logStreamName="s")
            t = now_ms()
            logs.put_log_events(logGroupName="/durable", logStreamName="s",
                                logEvents=[{"timestamp": t + i, "message": f"line {i}"} for i in range(1000)])
            token = logs.get_log_events(logGroupName="/durable", logStreamName="s", limit=10)["nextForwardToken"]
            self.assertEqual(eddy.stop(signal.SIGKILL), -signal.SIGKILL)

            eddy = Eddy(data_dir=data).start()
            logs = client("logs", eddy.endpoint)
            g = logs.describe_log_groups(logGroupNamePrefix="/durable")["logGroups"][0]
            self.assertEqual(g["retentionInDays"], 30)
            self.assertEqual(logs.list_tags_log_group(logGroupName="/durable")["tags"], {"k": "v"})
            s = logs.describe_log_streams(logGroupName="/durable")["logStreams"][0]
            self.assertEqual(s["lastEventTimestamp"], t + 999)
            got = logs.get_log_events(logGroupName="/durable", logStreamName="s", startFromHead=True)["events"]
            self.assertEqual([e["message"] for e in got], [f"line {i}" for i in range(1000)])
            # A token handed out before the restart still reads on from where it was.
            logs.put_log_events(logGroupName="/durable", logStreamName="s",
                                logEvents=[{"timestamp": t + 2000, "message": "after"}])
            after = logs.get_log_events(logGroupName="/durable", logStreamName="s", nextToken=token)["events"]
            self.assertEqual([e["message"] for e in after], ["after"])
            eddy.stop()
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
