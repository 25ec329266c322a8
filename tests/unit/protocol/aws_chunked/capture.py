"""Records what boto3 sends for S3 uploads, so eddy's aws-chunked decoder is tested on a real
client's bytes. Run with the python3 whose boto3 is 1.36 or later (1.43 on our machines):

    python3 tests/unit/protocol/aws_chunked/capture.py tests/unit/protocol/aws_chunked

It serves HTTPS on 127.0.0.1 with a throwaway self-signed certificate (boto3 sends trailing
checksums, and so aws-chunked bodies, only over TLS), points boto3 at it, and writes each request
as <name>.headers (the request line and headers) and <name>.body (the raw body, as received)."""

import os
import ssl
import subprocess
import sys
import tempfile
import threading
import http.server

import boto3
import botocore.config

out_dir = sys.argv[1]
captured = []


class recorder(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_PUT(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:  # HTTP/1.1 chunked transfer coding, under the aws-chunked content coding
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        captured.append((self.requestline, str(self.headers), body))
        self.send_response(200)
        self.send_header("ETag", '"0"')
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")  # so shutdown() waits on no idle connection
        self.end_headers()
        self.close_connection = True

    def log_message(self, *args):
        pass


class short_reads:
    """A stream of unknown length whose reads return at most 9000 bytes, as a socket or pipe
    would: boto3 frames each read as one aws-chunked chunk."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def read(self, n=-1):
        n = 9000 if n is None or n < 0 else min(n, 9000)
        piece = self.data[self.at : self.at + n]
        self.at += len(piece)
        return piece


with tempfile.TemporaryDirectory() as tmp:
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", key, "-out", cert], check=True, capture_output=True)
    server = http.server.HTTPServer(("127.0.0.1", 0), recorder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    s3 = boto3.client("s3", endpoint_url=f"https://127.0.0.1:{server.server_port}", verify=False,
                      region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                      config=botocore.config.Config(s3={"addressing_style": "path"}))
    payload = bytes((i * 7 + i // 251) % 256 for i in range(40000))
    # put_object with the defaults: a CRC32 trailer, the body in one chunk.
    s3.put_object(Bucket="bucket", Key="default", Body=b"Hello, aws-chunked world!\n")
    # An upload of a stream of unknown length: a chunk per read, a SHA1 trailer (boto3 needs awscrt for CRC32C and CRC64NVME).
    s3.put_object(Bucket="bucket", Key="streamed", Body=short_reads(payload), ChecksumAlgorithm="SHA1")
    # An empty body with a SHA256 trailer.
    s3.put_object(Bucket="bucket", Key="empty", Body=b"", ChecksumAlgorithm="SHA256")
    server.shutdown()

names = ["put_object_default", "put_object_streamed_sha1", "put_object_empty_sha256"]
for name, (line, headers, body) in zip(names, captured):
    with open(os.path.join(out_dir, name + ".headers"), "w") as f:
        f.write(line + "\n" + headers)
    with open(os.path.join(out_dir, name + ".body"), "wb") as f:
        f.write(body)
with open(os.path.join(out_dir, "streamed_payload.bin"), "wb") as f:
    f.write(payload)
print(f"captured {len(captured)} requests with boto3 {boto3.__version__}")
