"""Starts a real eddy for a test and stops it afterwards.

Used by every integration suite, under both interpreters: `python3` (boto3 1.43,
JSON protocol for SQS) and `/usr/bin/python3` (boto3 1.26, query protocol).
EDDY_BIN names the binary (ctest sets it); the default is build/eddy.
"""
import os
import re
import signal
import subprocess
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EDDY_BIN = os.environ.get("EDDY_BIN", os.path.join(ROOT, "build", "eddy"))

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class Eddy:
    """One eddy process on a free port. `data_dir=None` runs it ephemeral."""

    def __init__(self, data_dir=None, extra_args=(), env=None):
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.env = env
        self.proc = None
        self.port = None
        self.log_path = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        args = [EDDY_BIN, "serve", "--port", "0", "--log-level", "info"]
        args += ["--data-dir", self.data_dir] if self.data_dir else ["--ephemeral"]
        args += self.extra_args
        log = tempfile.NamedTemporaryFile(prefix="eddy-", suffix=".log", delete=False)
        self.log_path = log.name
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True, env=self.env)
        line = self.proc.stdout.readline()
        match = re.search(r"listening on http://[^:]+:(\d+)", line)
        if not match:
            self.proc.kill()
            raise RuntimeError(f"eddy did not start: {line!r}; log in {self.log_path}")
        self.port = int(match.group(1))
        return self

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        return self.proc.returncode if self.proc else None

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        # keep the log of a failed test for whoever reads the output; drop the rest
        if exc[0] is None and self.log_path and os.path.exists(self.log_path):
            os.unlink(self.log_path)


def client(service, endpoint, region="us-east-1", **config):
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, **config),
    )


def cli_env(endpoint):
    env = dict(os.environ)
    env.update(CREDENTIALS)
    env["AWS_ENDPOINT_URL"] = endpoint
    env.pop("AWS_PROFILE", None)
    return env
