"""The HTTP layer and the protocol router, spoken to over raw sockets.

Bad input must get the error an AWS endpoint gives (or a clean refusal), and
the server must keep answering afterwards. HTTP/1.1 features that SDKs use
(keep-alive, Expect: 100-continue, chunked bodies) must work. Standard library
only, so it runs under either interpreter.
"""
import http.client
import json
import socket
import unittest
import uuid
import xml.etree.ElementTree as ET

from harness import Eddy

JSON_10 = "application/x-amz-json-1.0"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
eddy = None


def setUpModule():
    global eddy
    eddy = Eddy().start()


def tearDownModule():
    if eddy:
        eddy.stop()
        eddy.proc.stdout.close()


def auth(service, region="us-east-1"):
    # Signatures are not verified; the credential scope is what names service and region.
    return (
        f"AWS4-HMAC-SHA256 Credential=test/20260101/{region}/{service}/aws4_request, "
        f"SignedHeaders=content-type;host;x-amz-date, Signature={'0' * 64}"
    )


def request(method, path, body=b"", headers=None, conn=None):
    """One request over http.client; returns (status, lower-cased headers, body)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", eddy.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        if own:
            conn.close()


def sqs_json(target, payload, extra=None, conn=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": JSON_10, "X-Amz-Target": target, "Authorization": auth("sqs")}
    headers.update(extra or {})
    return request("POST", "/", body, headers, conn)


def json_error_type(body):
    doc = json.loads(body)
    # AWS sends either the bare shape name or a namespaced one (com.amazonaws.sqs#Name).
    return doc["__type"].rsplit("#", 1)[-1], doc


def connect():
    return socket.create_connection(("127.0.0.1", eddy.port), timeout=10)


def read_until_close(sock):
    """Everything the server sends until it closes; b'' for a close without a response."""
    out = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return out
        if not chunk:
            return out
        out += chunk


def read_response(reader):
    """Parses one HTTP response from a buffered socket reader: (status, headers, body)."""
    status_line = reader.readline()
    if not status_line:
        raise EOFError("connection closed before a response")
    parts = status_line.decode("latin-1").split(" ", 2)
    status = int(parts[1])
    headers = {}
    while True:
        line = reader.readline().decode("latin-1")
        if line in ("\r\n", "\n", ""):
            break
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = reader.read(length) if status >= 200 and status not in (204, 304) else b""
    return status, headers, body


class ServerStaysUp:
    def assert_alive(self):
        status, headers, body = sqs_json("AmazonSQS.ListQueues", {})
        self.assertEqual(status, 200, body)
        self.assertIsInstance(json.loads(body), dict)


class BadInput(unittest.TestCase, ServerStaysUp):
    def test_malformed_json(self):
        status, headers, body = sqs_json("AmazonSQS.ListQueues", b"{not json")
        self.assertEqual(status, 400, body)
        self.assertTrue(headers["content-type"].startswith("application/x-amz-json-1.0"), headers)
        code, _ = json_error_type(body)
        self.assertTrue(code)
        self.assert_alive()

    def test_json_that_is_not_an_object(self):
        status, _, body = sqs_json("AmazonSQS.ListQueues", b"[1, 2, 3]")
        self.assertEqual(status, 400, body)
        self.assertTrue(json_error_type(body)[0])
        self.assert_alive()

    def test_wrong_content_type(self):
        # AWS documents no answer for this; a client error or a plain success are
        # both acceptable, a server error or a dropped connection is not.
        status, headers, body = request(
            "POST", "/", b"{}",
            {"Content-Type": "text/plain", "X-Amz-Target": "AmazonSQS.ListQueues", "Authorization": auth("sqs")},
        )
        self.assertLess(status, 500, body)
        if status >= 400:
            self.assertTrue(b"Code" in body or b"__type" in body, body)
        else:
            self.assertIsInstance(json.loads(body), dict)
        self.assert_alive()

    def test_unknown_operation_of_known_service(self):
        status, _, body = sqs_json("AmazonSQS.NoSuchThing", {})
        self.assertEqual(status, 400, body)
        self.assertEqual(json_error_type(body)[0], "UnknownOperationException")
        self.assert_alive()

    def test_unknown_target_prefix(self):
        status, _, body = request(
            "POST", "/", b"{}", {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Bogus_1.Foo"}
        )
        self.assertEqual(status, 400, body)
        self.assertEqual(json_error_type(body)[0], "UnknownOperationException")
        self.assert_alive()

    def test_unknown_query_action(self):
        status, headers, body = request(
            "POST", "/", b"Action=NoSuchAction&Version=2012-11-05",
            {"Content-Type": FORM, "Authorization": auth("sqs")},
        )
        self.assertEqual(status, 400, body)
        self.assertIn("xml", headers.get("content-type", ""))
        root = ET.fromstring(body)
        self.assertTrue(root.tag.endswith("ErrorResponse"), root.tag)
        code = root.find(".//{*}Error/{*}Code")
        self.assertIsNotNone(code, body)
        self.assertEqual(code.text, "InvalidAction")
        self.assertIsNotNone(root.find(".//{*}RequestId"), body)
        self.assert_alive()

    def test_modelled_but_unimplemented_operations(self):
        # An operation in AWS's models that eddy does not serve yet gets 501
        # NotImplemented naming it, in the caller's protocol. Which services are
        # still unimplemented changes as eddy grows, so ask /_eddy/health.
        _, _, health = request("GET", "/_eddy/health")
        pending = {s for s, state in json.loads(health)["services"].items() if state != "running"}
        json_cases = {
            "kinesis": ("Kinesis_20131202.ListStreams", "1.1", "kinesis"),
            "dynamodb": ("DynamoDB_20120810.ListTables", "1.0", "dynamodb"),
            "events": ("AWSEvents.ListRules", "1.1", "events"),
            "logs": ("Logs_20140328.DescribeLogGroups", "1.1", "logs"),
            "stepfunctions": ("AWSStepFunctions.ListStateMachines", "1.0", "states"),
            "ssm": ("AmazonSSM.DescribeParameters", "1.1", "ssm"),
            "ecs": ("AmazonEC2ContainerServiceV20141113.ListClusters", "1.1", "ecs"),
        }
        tried = 0
        for service, (target, version, scope) in json_cases.items():
            if service not in pending:
                continue
            tried += 1
            with self.subTest(target=target):
                status, _, body = request(
                    "POST", "/", b"{}",
                    {"Content-Type": f"application/x-amz-json-{version}", "X-Amz-Target": target,
                     "Authorization": auth(scope)},
                )
                self.assertEqual(status, 501, body)
                code, doc = json_error_type(body)
                self.assertEqual(code, "NotImplemented")
                self.assertIn(target.split(".")[1], doc.get("message") or doc.get("Message") or "")
        if "s3" in pending:  # rest-xml
            tried += 1
            status, _, body = request("GET", "/", headers={"Authorization": auth("s3")})
            self.assertEqual(status, 501, body)
            root = ET.fromstring(body)
            self.assertEqual(root.findtext("Code"), "NotImplemented")
            self.assertIn("ListBuckets", root.findtext("Message") or "")
        if "lambda" in pending:  # rest-json
            tried += 1
            status, _, body = request("GET", "/2015-03-31/functions/", headers={"Authorization": auth("lambda")})
            self.assertEqual(status, 501, body)
            code, doc = json_error_type(body)
            self.assertEqual(code, "NotImplemented")
            self.assertIn("ListFunctions", doc.get("message") or doc.get("Message") or "")
        if not tried:
            self.skipTest("every modelled service is implemented")
        self.assert_alive()

    def test_oversized_body(self):
        with connect() as s:
            s.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                b"X-Amz-Target: AmazonSQS.ListQueues\r\nContent-Length: 104857600\r\n\r\n{}" + b" " * 4096
            )
            reply = read_until_close(s)
        # A 413 or a clean close, never a hang or a 2xx.
        if reply:
            self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:200])
        self.assert_alive()

    def test_truncated_body(self):
        with connect() as s:
            s.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                b"X-Amz-Target: AmazonSQS.CreateQueue\r\nContent-Length: 100\r\n\r\n{\"QueueName\":"
            )
            s.shutdown(socket.SHUT_WR)
            reply = read_until_close(s)
        if reply:
            self.assertRegex(reply[:12], rb"^HTTP/1\.1 4\d\d")
        self.assert_alive()

    def test_garbage_bytes(self):
        for junk in [b"\x00\xff\x13\x37garbage\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\xaa" * 64,
                     b"GET\r\n\r\n", b"POST / HTTP/9.9\r\nContent-Length: x\r\n\r\n"]:
            with self.subTest(junk=junk[:16]):
                with connect() as s:
                    s.sendall(junk)
                    s.shutdown(socket.SHUT_WR)
                    reply = read_until_close(s)
                if reply:
                    self.assertRegex(reply[:12], rb"^HTTP/1\.[01] 4\d\d", reply[:200])
                self.assert_alive()

    def test_bad_content_length(self):
        with connect() as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}")
            s.shutdown(socket.SHUT_WR)
            reply = read_until_close(s)
        if reply:
            self.assertTrue(reply.startswith(b"HTTP/1.1 400"), reply[:200])
        self.assert_alive()

    def test_stalled_client_does_not_block_others(self):
        with connect() as stalled:
            stalled.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
            self.assert_alive()
            with connect() as half_headers:
                half_headers.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Tar")
                self.assert_alive()

    def test_oversized_headers(self):
        with connect() as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (256 * 1024) + b"\r\n\r\n")
            reply = read_until_close(s)
        if reply:
            self.assertRegex(reply[:12], rb"^HTTP/1\.1 4\d\d", reply[:200])
        self.assert_alive()


class HttpFeatures(unittest.TestCase, ServerStaysUp):
    def test_keep_alive(self):
        conn = http.client.HTTPConnection("127.0.0.1", eddy.port, timeout=10)
        try:
            conn.connect()
            first = conn.sock
            exchanges = [
                lambda: sqs_json("AmazonSQS.ListQueues", {}, conn=conn),
                lambda: request("POST", "/", b"Action=ListQueues&Version=2012-11-05",
                                {"Content-Type": FORM, "Authorization": auth("sqs")}, conn),
                lambda: request("POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15",
                                {"Content-Type": FORM, "Authorization": auth("sts")}, conn),
                lambda: sqs_json("AmazonSQS.GetQueueUrl", {"QueueName": "no-such-queue"}, conn=conn),
                lambda: request("GET", "/_eddy/health", conn=conn),
                lambda: sqs_json("AmazonSQS.ListQueues", {}, conn=conn),
            ]
            statuses = []
            for exchange in exchanges:
                status, headers, _ = exchange()
                statuses.append(status)
                self.assertNotEqual(headers.get("connection", "").lower(), "close")
                self.assertIs(conn.sock, first, "the connection was not reused")
            self.assertEqual(statuses, [200, 200, 200, 400, 200, 200])
        finally:
            conn.close()

    def test_pipelined_requests(self):
        body = b"{}"
        one = (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: AmazonSQS.ListQueues\r\nContent-Length: 2\r\n\r\n" + body
        )
        health = b"GET /_eddy/health HTTP/1.1\r\nHost: x\r\n\r\n"
        with connect() as s:
            s.sendall(one + health + one)
            reader = s.makefile("rb")
            got = [read_response(reader) for _ in range(3)]
            reader.close()
        self.assertEqual([g[0] for g in got], [200, 200, 200])
        self.assertIn("services", json.loads(got[1][2]))

    def test_http_10_closes(self):
        with connect() as s:
            s.sendall(b"GET /_eddy/health HTTP/1.0\r\n\r\n")
            reply = read_until_close(s)  # returns only because the server closes
        self.assertRegex(reply[:12], rb"^HTTP/1\.[01] 200")

    def test_expect_100_continue(self):
        name = f"expect-{uuid.uuid4().hex[:8]}"
        body = json.dumps({"QueueName": name}).encode()
        with connect() as s:
            s.sendall(
                b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
                b"X-Amz-Target: AmazonSQS.CreateQueue\r\nExpect: 100-continue\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
            )
            reader = s.makefile("rb")
            interim = reader.readline()
            self.assertRegex(interim, rb"^HTTP/1\.1 100 ", "no interim response before the body was sent")
            while reader.readline() not in (b"\r\n", b""):
                pass
            s.sendall(body)
            status, _, data = read_response(reader)
            reader.close()
        self.assertEqual(status, 200, data)
        self.assertTrue(json.loads(data)["QueueUrl"].endswith("/" + name))
        status, _, data = sqs_json("AmazonSQS.GetQueueUrl", {"QueueName": name})
        self.assertEqual(status, 200, data)

    def test_chunked_request_body(self):
        name = f"chunked-{uuid.uuid4().hex[:8]}"
        body = json.dumps({"QueueName": name, "Attributes": {"DelaySeconds": "4"}}).encode()
        pieces = [body[:7], body[7:20], body[20:]]
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        with connect() as s:
            s.sendall(
                b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
                b"X-Amz-Target: AmazonSQS.CreateQueue\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            for i in range(0, len(chunked), 11):  # trickle it in small writes
                s.sendall(chunked[i:i + 11])
            reader = s.makefile("rb")
            status, _, data = read_response(reader)
            reader.close()
        self.assertEqual(status, 200, data)
        url = json.loads(data)["QueueUrl"]
        self.assertTrue(url.endswith("/" + name))
        status, _, data = sqs_json(
            "AmazonSQS.GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["DelaySeconds"]}
        )
        self.assertEqual(status, 200, data)
        self.assertEqual(json.loads(data)["Attributes"], {"DelaySeconds": "4"})

    def test_health(self):
        for path in ["/_eddy/health", "/_localstack/health"]:
            with self.subTest(path=path):
                status, headers, body = request("GET", path)
                self.assertEqual(status, 200)
                self.assertIn("json", headers.get("content-type", ""))
                doc = json.loads(body)
                self.assertIsInstance(doc.get("version"), str)
                self.assertTrue(doc["version"])
                self.assertEqual(doc["services"]["sqs"], "running")
                self.assertEqual(doc["services"]["sts"], "running")


if __name__ == "__main__":
    unittest.main()
