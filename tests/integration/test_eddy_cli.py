"""eddy's own command line: options, environment, signals and the access log."""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import unittest
import warnings

from harness import EDDY_BIN, Eddy

SERVE_OPTIONS = ["serve", "--host", "--port", "--data-dir", "--ephemeral", "--log-level"]


def setUpModule():
    # The harness leaves each eddy's stdout pipe to the garbage collector.
    warnings.simplefilter("ignore", ResourceWarning)


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def run(*args, env=None):
    return subprocess.run([EDDY_BIN, *args], capture_output=True, text=True, timeout=20, env=env)


class Launched:
    """An eddy started with a chosen environment (the harness always passes --port 0)."""

    def __init__(self, args, env_extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("EDDY_") or k == "EDDY_BIN"}
        env.update(env_extra)
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([EDDY_BIN, *args], stdout=subprocess.PIPE, stderr=self.log, env=env, text=True)
        self.first_line = self.proc.stdout.readline()

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def list_queues(host, port):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("POST", "/", b"{}", {"Content-Type": "application/x-amz-json-1.0",
                                          "X-Amz-Target": "AmazonSQS.ListQueues"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


class CommandLine(unittest.TestCase):
    def test_version(self):
        r = run("--version")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"\b\d+\.\d+\.\d+\b")

    def test_help(self):
        for args in (["--help"], ["serve", "--help"]):
            with self.subTest(args=args):
                r = run(*args)
                self.assertEqual(r.returncode, 0, r.stderr)
                for word in SERVE_OPTIONS:
                    self.assertIn(word, r.stdout)

    def test_bad_invocations_exit_nonzero_with_one_readable_line(self):
        cases = [
            (["serve", "--no-such-option"], "--no-such-option"),
            (["frobnicate"], "frobnicate"),
            (["serve", "--port", "notaport"], "notaport"),
            (["serve", "--port", "70000"], "70000"),
            (["serve", "--log-level", "loud"], "log-level"),
            (["serve", "--port"], "--port"),
            (["serve", "--ephemeral", "--data-dir", "/tmp/x"], "--ephemeral"),
            (["serve", "--host", "not-an-address", "--port", "0"], "not-an-address"),
        ]
        for args, mention in cases:
            with self.subTest(args=args):
                r = run(*args)
                self.assertNotEqual(r.returncode, 0, r.stdout)
                self.assertIn(mention, r.stderr)
                lines = [l for l in r.stderr.splitlines() if l.strip()]
                self.assertTrue(1 <= len(lines) <= 3, r.stderr)
                self.assertNotIn("terminate called", r.stderr)

    def test_port_in_use_is_reported(self):
        with Eddy() as first:
            r = run("serve", "--ephemeral", "--port", str(first.port))
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(str(first.port), r.stderr)
            self.assertEqual(list_queues("127.0.0.1", first.port)[0], 200)


class Environment(unittest.TestCase):
    def test_eddy_port_and_host(self):
        port = free_port("127.0.0.2")
        with Launched(["serve", "--ephemeral"], {"EDDY_PORT": str(port), "EDDY_HOST": "127.0.0.2"}) as e:
            self.assertIn(f"http://127.0.0.2:{port}", e.first_line)
            status, body = list_queues("127.0.0.2", port)
            self.assertEqual(status, 200, body)
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=2).close()

    def test_option_wins_over_environment(self):
        env_port, flag_port = free_port(), free_port()
        with Launched(["serve", "--ephemeral", "--port", str(flag_port)], {"EDDY_PORT": str(env_port)}) as e:
            self.assertIn(f":{flag_port}", e.first_line)
            self.assertEqual(list_queues("127.0.0.1", flag_port)[0], 200)

    def test_bad_environment_value_is_reported(self):
        r = run("serve", env={**os.environ, "EDDY_PORT": "nope"})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("EDDY_PORT", r.stderr)

    def test_eddy_log_level(self):
        with Launched(["serve", "--ephemeral", "--port", "0"], {"EDDY_LOG_LEVEL": "warn"}) as e:
            port = int(re.search(r":(\d+)", e.first_line.split("http://")[1]).group(1))
            self.assertEqual(list_queues("127.0.0.1", port)[0], 200)
            e.proc.send_signal(signal.SIGTERM)
            self.assertEqual(e.proc.wait(timeout=15), 0)
            e.log.seek(0)
            self.assertNotIn(b"ListQueues", e.log.read())


class Lifecycle(unittest.TestCase):
    def test_sigterm_exits_zero(self):
        e = Eddy().start()
        self.assertEqual(list_queues("127.0.0.1", e.port)[0], 200)
        self.assertEqual(e.stop(signal.SIGTERM), 0, e.log())

    def test_sigint_exits_zero(self):
        e = Eddy().start()
        self.assertEqual(list_queues("127.0.0.1", e.port)[0], 200)
        self.assertEqual(e.stop(signal.SIGINT), 0, e.log())

    def test_sigterm_with_idle_keep_alive_connection(self):
        e = Eddy().start()
        conn = http.client.HTTPConnection("127.0.0.1", e.port, timeout=10)
        try:
            conn.request("GET", "/_eddy/health")
            conn.getresponse().read()  # the connection stays open and idle
            self.assertEqual(e.stop(signal.SIGTERM, timeout=5), 0, e.log())
        finally:
            conn.close()

    def test_one_access_log_line_per_request(self):
        e = Eddy().start()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", e.port, timeout=10)
            json10 = {"Content-Type": "application/x-amz-json-1.0"}
            conn.request("POST", "/", b"{}", {**json10, "X-Amz-Target": "AmazonSQS.ListQueues"})
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 200)
            conn.request("POST", "/", json.dumps({"QueueName": "nope"}).encode(),
                         {**json10, "X-Amz-Target": "AmazonSQS.GetQueueUrl"})
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 400)
            conn.request("POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15",
                         {"Content-Type": "application/x-www-form-urlencoded",
                          "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, "
                                           "SignedHeaders=host, Signature=00"})
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 200)
            conn.close()
        finally:
            self.assertEqual(e.stop(), 0)
        log = e.log()
        for op, status in [("sqs.ListQueues", 200), ("sqs.GetQueueUrl", 400), ("sts.GetCallerIdentity", 200)]:
            lines = [l for l in log.splitlines() if re.search(rf"\b{re.escape(op)}\b", l)]
            self.assertEqual(len(lines), 1, f"{op}: {lines}")
            self.assertRegex(lines[0], rf"\b{status}\b")


if __name__ == "__main__":
    unittest.main()


def clock_call(eddy, method, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", eddy.port, timeout=10)
    conn.request(method, "/_eddy/clock", body=json.dumps(body) if body is not None else None)
    resp = conn.getresponse()
    answer = json.loads(resp.read())
    conn.close()
    return resp.status, answer


class Clock(unittest.TestCase):
    def test_system_clock_cannot_be_moved(self):
        with Eddy() as eddy:
            status, reading = clock_call(eddy, "GET")
            self.assertEqual(status, 200)
            self.assertEqual(reading["mode"], "system")
            status, answer = clock_call(eddy, "POST", {"advanceSeconds": 60})
            self.assertEqual(status, 409)
            self.assertIn("--clock manual", answer["error"])

    def test_manual_clock_moves_only_when_told(self):
        with Eddy(extra_args=["--clock", "manual"]) as eddy:
            _, first = clock_call(eddy, "GET")
            self.assertEqual(first["mode"], "manual")
            _, again = clock_call(eddy, "GET")
            self.assertEqual(again["epochMillis"], first["epochMillis"])
            status, moved = clock_call(eddy, "POST", {"advanceSeconds": 3600})
            self.assertEqual(status, 200)
            self.assertEqual(moved["epochMillis"], first["epochMillis"] + 3_600_000)
            status, _ = clock_call(eddy, "POST", {"epochMillis": first["epochMillis"]})
            self.assertEqual(status, 400)  # never backwards
            status, _ = clock_call(eddy, "POST", {"forward": 1})
            self.assertEqual(status, 400)

    def test_eddy_clock_environment(self):
        env = dict(os.environ, EDDY_CLOCK="manual")
        with Eddy(env=env) as eddy:
            self.assertEqual(clock_call(eddy, "GET")[1]["mode"], "manual")


def environ_of(pid):
    with open(f"/proc/{pid}/environ", "rb") as f:
        return [item.decode(errors="replace") for item in f.read().split(b"\0") if item]


def huge_page_mappings(pid):
    """The address ranges of the process advised for transparent huge pages (VmFlags hg)."""
    ranges, current = [], None
    with open(f"/proc/{pid}/smaps", encoding="utf-8") as f:
        for line in f:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                current = line.split()[0]
            elif line.startswith("VmFlags:") and " hg" in f" {line[8:]}":
                ranges.append(current)
    return ranges


def thp_mode():
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled", encoding="utf-8") as f:
            return re.search(r"\[(\w+)\]", f.read()).group(1)
    except OSError:
        return None


def send_messages(port, count, body_size):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    try:
        conn.request("POST", "/", json.dumps({"QueueName": "heap"}),
                     {**headers, "X-Amz-Target": "AmazonSQS.CreateQueue"})
        url = json.loads(conn.getresponse().read())["QueueUrl"]
        body = json.dumps({"QueueUrl": url, "MessageBody": "m" * body_size})
        for _ in range(count):
            conn.request("POST", "/", body, {**headers, "X-Amz-Target": "AmazonSQS.SendMessage"})
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200
    finally:
        conn.close()


class HeapPages(unittest.TestCase):
    """serve runs itself again once with glibc.malloc.hugetlb=1 so that a growing queue's
    heap is backed by huge pages rather than faulted in a page at a time (main.cpp)."""

    def test_serve_asks_malloc_for_huge_pages(self):
        if "GLIBC_TUNABLES" in os.environ:
            self.skipTest("GLIBC_TUNABLES is set in the test's environment")
        with Launched(["serve", "--ephemeral", "--port", "0"], {}) as e:
            port = int(re.search(r":(\d+)", e.first_line.split("http://")[1]).group(1))
            # The same process, running the image it executed with the tunable set.
            self.assertIn("GLIBC_TUNABLES=glibc.malloc.hugetlb=1", environ_of(e.proc.pid))
            send_messages(port, 2000, 4096)
            if thp_mode() == "madvise":
                self.assertTrue(huge_page_mappings(e.proc.pid), "no mapping advised for huge pages")
            self.assertEqual(list_queues("127.0.0.1", port)[0], 200)

    def test_tunables_the_user_set_are_left_alone(self):
        with Launched(["serve", "--ephemeral", "--port", "0"], {"GLIBC_TUNABLES": "glibc.malloc.tcache_count=7"}) as e:
            port = int(re.search(r":(\d+)", e.first_line.split("http://")[1]).group(1))
            env = environ_of(e.proc.pid)
            self.assertIn("GLIBC_TUNABLES=glibc.malloc.tcache_count=7", env)
            self.assertFalse([item for item in env if "hugetlb" in item])
            send_messages(port, 2000, 4096)
            if thp_mode() == "madvise":
                self.assertEqual(huge_page_mappings(e.proc.pid), [])
