"""CORS, as browser SDKs and web consoles need it: preflights answered before any routing,
every answer to an allowed Origin marked so and its headers exposed, and --cors-origins
narrowing who may call. Browser-style requests with curl and http.client."""
import json
import subprocess
import unittest

from harness import Eddy
from test_http_wire import JSON_10, auth

PAGE = "http://localhost:3000"


def curl(port, *args):
    out = subprocess.run(["curl", "-s", "-i", *args, f"http://127.0.0.1:{port}/"], capture_output=True, text=True,
                         timeout=30)
    head, _, body = out.stdout.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


PREFLIGHT = ["-X", "OPTIONS", "-H", "Access-Control-Request-Method: POST",
             "-H", "Access-Control-Request-Headers: content-type,x-amz-target,authorization,x-amz-date"]


class AnyOrigin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.eddy = Eddy().start()

    @classmethod
    def tearDownClass(cls):
        cls.eddy.stop()

    def test_preflight(self):
        status, headers, body = curl(self.eddy.port, "-H", "Origin: " + PAGE, *PREFLIGHT)
        self.assertEqual(status, 200)
        self.assertEqual(headers["access-control-allow-origin"], PAGE)
        self.assertEqual(headers["access-control-allow-methods"], "POST")
        self.assertEqual(headers["access-control-allow-headers"], "content-type,x-amz-target,authorization,x-amz-date")
        self.assertGreater(int(headers["access-control-max-age"]), 0)
        self.assertEqual(body, "")

    def test_answers_name_the_origin_and_expose_headers(self):
        status, headers, body = curl(
            self.eddy.port, "-X", "POST", "-H", "Origin: " + PAGE, "-H", "Content-Type: " + JSON_10,
            "-H", "X-Amz-Target: AmazonSQS.CreateQueue", "-H", "Authorization: " + auth("sqs"),
            "--data", json.dumps({"QueueName": "from-a-page"}))
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["access-control-allow-origin"], PAGE)
        exposed = [h.strip().lower() for h in headers["access-control-expose-headers"].split(",")]
        for name in ("x-amzn-requestid", "etag", "x-amz-request-id"):
            self.assertIn(name, exposed)
        # errors too: the page must be able to read them
        status, headers, body = curl(
            self.eddy.port, "-X", "POST", "-H", "Origin: " + PAGE, "-H", "Content-Type: " + JSON_10,
            "-H", "X-Amz-Target: AmazonSQS.GetQueueUrl", "-H", "Authorization: " + auth("sqs"),
            "--data", json.dumps({"QueueName": "nobody"}))
        self.assertEqual(status, 400)
        self.assertEqual(headers["access-control-allow-origin"], PAGE)

    def test_no_origin_no_cors_headers(self):
        status, headers, _ = curl(self.eddy.port, "-X", "POST", "-H", "Content-Type: " + JSON_10,
                                  "-H", "X-Amz-Target: AmazonSQS.ListQueues", "-H", "Authorization: " + auth("sqs"),
                                  "--data", "{}")
        self.assertEqual(status, 200)
        self.assertNotIn("access-control-allow-origin", headers)


class NamedOrigins(unittest.TestCase):
    def test_only_the_named_origins(self):
        with Eddy(extra_args=["--cors-origins", "https://console.example, " + PAGE]) as e:
            status, headers, _ = curl(e.port, "-H", "Origin: " + PAGE, *PREFLIGHT)
            self.assertEqual((status, headers["access-control-allow-origin"]), (200, PAGE))
            status, headers, _ = curl(e.port, "-H", "Origin: https://elsewhere.example", *PREFLIGHT)
            self.assertEqual(status, 403)
            self.assertNotIn("access-control-allow-origin", headers)
            status, headers, _ = curl(e.port, "-X", "POST", "-H", "Origin: https://elsewhere.example",
                                      "-H", "Content-Type: " + JSON_10, "-H", "X-Amz-Target: AmazonSQS.ListQueues",
                                      "-H", "Authorization: " + auth("sqs"), "--data", "{}")
            self.assertEqual(status, 200)
            self.assertNotIn("access-control-allow-origin", headers)

    def test_empty_turns_cors_off(self):
        with Eddy(extra_args=["--cors-origins", ""]) as e:
            status, headers, _ = curl(e.port, "-H", "Origin: " + PAGE, *PREFLIGHT)
            self.assertEqual(status, 403)


if __name__ == "__main__":
    unittest.main()
