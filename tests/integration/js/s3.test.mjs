// S3 through the AWS SDK for JavaScript v3 against a real eddy, with the
// client in its default configuration apart from the endpoint, the region,
// the credentials and path-style addressing. That default includes the
// flexible checksums SDKs send since 2025: a CRC32 in an x-amz-checksum-crc32
// header for bodies whose length the SDK knows (strings, buffers), and an
// `aws-chunked` body with the CRC32 in a trailer for streams.
// Expected values come from the S3 API reference: ETags are the MD5 of the
// bytes (a multipart object's is the MD5 of its parts' MD5s, then -N), a
// range answers 206 with Content-Range, a missing key is NoSuchKey (404).
// Run: EDDY_BIN=/path/to/eddy node --test s3.test.mjs
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

const here = path.dirname(fileURLToPath(import.meta.url));
const EDDY_BIN = process.env.EDDY_BIN || path.join(here, "..", "..", "..", "build", "eddy");
const MiB = 1024 * 1024;

let eddy;
let s3;

async function startEddy() {
  const child = spawn(EDDY_BIN, ["serve", "--port", "0", "--ephemeral"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout });
  const endpoint = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`eddy did not start in 10 s: ${stderr}`)), 10000);
    child.once("exit", (code) => reject(new Error(`eddy exited with ${code}: ${stderr}`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      const m = /listening on (http:\/\/[^\s:]+:\d+)/.exec(line);
      if (m) resolve(m[1]);
      else reject(new Error(`unexpected first line from eddy: ${line}`));
    });
  });
  return { child, endpoint };
}

before(async () => {
  eddy = await startEddy();
  s3 = new S3Client({
    endpoint: eddy.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    forcePathStyle: true,
  });
});

after(async () => {
  s3?.destroy();
  if (eddy) {
    const exited = new Promise((resolve) => eddy.child.once("exit", resolve));
    eddy.child.kill("SIGTERM");
    await exited;
  }
});

const md5 = (data) => createHash("md5").update(data).digest("hex");
const etagOf = (data) => `"${md5(data)}"`;

async function newBucket(prefix) {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const out = await s3.send(new CreateBucketCommand({ Bucket: name }));
  // In us-east-1 the Location header is "/" followed by the bucket's name.
  assert.equal(out.Location, `/${name}`);
  return name;
}

async function getBytes(input) {
  const out = await s3.send(new GetObjectCommand(input));
  return { out, bytes: Buffer.from(await out.Body.transformToByteArray()) };
}

test("CreateBucket makes a bucket HeadBucket finds, ListObjectsV2 shows it empty", async () => {
  const bucket = await newBucket("js-create");
  const head = await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  assert.equal(head.$metadata.httpStatusCode, 200);
  const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  assert.equal(list.KeyCount, 0);
  assert.equal(list.Contents, undefined);
  assert.equal(list.IsTruncated, false);
});

test("PutObject and GetObject round-trip text", async () => {
  const bucket = await newBucket("js-text");
  const text = "héllo from node ✓ 😀\nsecond line\n";
  const put = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: "notes/hello.txt", Body: text, ContentType: "text/plain; charset=utf-8" }),
  );
  assert.equal(put.ETag, etagOf(Buffer.from(text, "utf8")));

  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "notes/hello.txt" }));
  assert.equal(await got.Body.transformToString(), text);
  assert.equal(got.ContentType, "text/plain; charset=utf-8");
  assert.equal(got.ContentLength, Buffer.byteLength(text, "utf8"));
  assert.equal(got.ETag, put.ETag);
});

test("PutObject and GetObject round-trip binary bytes", async () => {
  const bucket = await newBucket("js-binary");
  // Every byte value, CR/LF pairs and NULs included, then random bytes.
  const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const body = Buffer.concat([every, Buffer.from("\r\n\r\n\0\0"), randomBytes(MiB)]);
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "blob.bin", Body: body }));
  assert.equal(put.ETag, etagOf(body));

  const { out, bytes } = await getBytes({ Bucket: bucket, Key: "blob.bin" });
  assert.equal(out.ContentLength, body.length);
  // The SDK labels a body without a ContentType application/octet-stream; S3 keeps the label.
  assert.equal(out.ContentType, "application/octet-stream");
  assert.ok(bytes.equals(body), "the bytes read back differ from the bytes put");
});

test("PutObject of a stream (the SDK sends it aws-chunked) stores the bytes, not the framing", async () => {
  const bucket = await newBucket("js-stream");
  const body = Buffer.concat([Buffer.from("streamed body\n"), randomBytes(256 * 1024)]);
  // A Readable with a known length, as an upload of fs.createReadStream() is.
  const halves = [body.subarray(0, 100000), body.subarray(100000)];
  const put = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: "streamed.bin", Body: Readable.from(halves), ContentLength: body.length }),
  );
  assert.equal(put.ETag, etagOf(body));

  const { out, bytes } = await getBytes({ Bucket: bucket, Key: "streamed.bin" });
  assert.equal(out.ContentLength, body.length);
  assert.equal(out.ContentEncoding, undefined, "aws-chunked is a transfer framing, S3 does not store it");
  assert.ok(bytes.equals(body), `read back ${bytes.length} bytes, put ${body.length}`);
});

test("HeadObject gives back the metadata and headers the upload set", async () => {
  const bucket = await newBucket("js-head");
  const body = Buffer.from("{\"ok\":true}");
  const put = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: "doc.json",
      Body: body,
      ContentType: "application/json",
      CacheControl: "max-age=60",
      ContentDisposition: 'attachment; filename="doc.json"',
      Metadata: { color: "blue", "build-id": "1234", note: "spaces and: colons" },
    }),
  );
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "doc.json" }));
  assert.equal(head.ContentLength, body.length);
  assert.equal(head.ContentType, "application/json");
  assert.equal(head.CacheControl, "max-age=60");
  assert.equal(head.ContentDisposition, 'attachment; filename="doc.json"');
  assert.equal(head.ETag, put.ETag);
  assert.deepEqual(head.Metadata, { color: "blue", "build-id": "1234", note: "spaces and: colons" });
  assert.ok(head.LastModified instanceof Date);
  assert.ok(Math.abs(head.LastModified.getTime() - Date.now()) < 5 * 60 * 1000);
});

test("ListObjectsV2 with a Delimiter groups keys into CommonPrefixes", async () => {
  const bucket = await newBucket("js-list");
  const keys = ["photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/index.html", "readme.txt", "zeta/z"];
  for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));

  const top = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/" }));
  assert.deepEqual(top.Contents.map((o) => o.Key), ["readme.txt"]);
  assert.deepEqual(top.CommonPrefixes.map((p) => p.Prefix), ["photos/", "zeta/"]);
  assert.equal(top.KeyCount, 3); // keys and common prefixes both count
  assert.equal(top.Delimiter, "/");

  const photos = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "photos/", Delimiter: "/" }));
  assert.deepEqual(photos.Contents.map((o) => o.Key), ["photos/index.html"]);
  assert.deepEqual(photos.CommonPrefixes.map((p) => p.Prefix), ["photos/2024/", "photos/2025/"]);
  assert.equal(photos.Prefix, "photos/");
  const [index] = photos.Contents;
  assert.equal(index.Size, Buffer.byteLength("photos/index.html"));
  assert.equal(index.ETag, etagOf("photos/index.html"));

  // One key per page: the continuation token walks the same grouping.
  const seen = [];
  let ContinuationToken;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/", MaxKeys: 1, ContinuationToken }));
    seen.push(...(page.Contents ?? []).map((o) => o.Key), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix));
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  assert.deepEqual(seen, ["photos/", "readme.txt", "zeta/"]);
});

test("DeleteObjects removes the keys it names and reports each one", async () => {
  const bucket = await newBucket("js-delete");
  for (const Key of ["keep", "gone/1", "gone/2"]) await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));
  const out = await s3.send(
    new DeleteObjectsCommand({
      Bucket: bucket,
      // A key that never existed is reported deleted too: S3 deletes are idempotent.
      Delete: { Objects: [{ Key: "gone/1" }, { Key: "gone/2" }, { Key: "never-there" }] },
    }),
  );
  assert.deepEqual(out.Deleted.map((d) => d.Key).sort(), ["gone/1", "gone/2", "never-there"]);
  assert.equal(out.Errors, undefined);
  const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  assert.deepEqual(list.Contents.map((o) => o.Key), ["keep"]);

  const quiet = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "keep" }], Quiet: true } }));
  assert.equal(quiet.Deleted, undefined); // quiet mode reports only errors
  assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount, 0);
});

test("CopyObject copies bytes and metadata, or replaces the metadata", async () => {
  const bucket = await newBucket("js-copy");
  const other = await newBucket("js-copy-dst");
  const body = randomBytes(64 * 1024);
  const put = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: "src/original", Body: body, ContentType: "image/png", Metadata: { origin: "node" } }),
  );

  const copied = await s3.send(new CopyObjectCommand({ Bucket: other, Key: "copy", CopySource: `${bucket}/src/original` }));
  assert.equal(copied.CopyObjectResult.ETag, put.ETag);
  assert.ok(copied.CopyObjectResult.LastModified instanceof Date);
  const { out, bytes } = await getBytes({ Bucket: other, Key: "copy" });
  assert.ok(bytes.equals(body));
  assert.equal(out.ContentType, "image/png");
  assert.deepEqual(out.Metadata, { origin: "node" });

  await s3.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: "src/replaced",
      CopySource: `${bucket}/src/original`,
      MetadataDirective: "REPLACE",
      ContentType: "application/octet-stream",
      Metadata: { stage: "two" },
    }),
  );
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "src/replaced" }));
  assert.equal(head.ContentType, "application/octet-stream");
  assert.deepEqual(head.Metadata, { stage: "two" });
  assert.equal(head.ContentLength, body.length);
});

test("lib-storage Upload of 20 MiB in 5 MiB parts is a 4-part multipart object", async () => {
  const bucket = await newBucket("js-upload");
  const partSize = 5 * MiB;
  const body = randomBytes(20 * MiB);
  const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: "big/object.bin", Body: body }, partSize, queueSize: 2 });
  const parts = [];
  upload.on("httpUploadProgress", (p) => p.part && parts.push(p.part));
  const done = await upload.done();

  const partMd5s = [];
  for (let off = 0; off < body.length; off += partSize) partMd5s.push(createHash("md5").update(body.subarray(off, off + partSize)).digest());
  const expected = `"${md5(Buffer.concat(partMd5s))}-4"`;
  assert.match(done.ETag, /-4"$/);
  assert.equal(done.ETag, expected);
  assert.deepEqual([...new Set(parts)].sort(), [1, 2, 3, 4]);

  const { out, bytes } = await getBytes({ Bucket: bucket, Key: "big/object.bin" });
  assert.equal(out.ContentLength, body.length);
  assert.equal(out.ETag, expected);
  assert.ok(bytes.equals(body), "the 20 MiB read back differ from what was uploaded");

  // A ranged read across the boundary of parts 1 and 2.
  const from = partSize - 10;
  const ranged = await getBytes({ Bucket: bucket, Key: "big/object.bin", Range: `bytes=${from}-${from + 19}` });
  assert.equal(ranged.out.$metadata.httpStatusCode, 206);
  assert.equal(ranged.out.ContentRange, `bytes ${from}-${from + 19}/${body.length}`);
  assert.ok(ranged.bytes.equals(body.subarray(from, from + 20)));
});

test("GetObject with Range answers 206 with the bytes and Content-Range", async () => {
  const bucket = await newBucket("js-range");
  const body = randomBytes(10000);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "r", Body: body }));

  const mid = await getBytes({ Bucket: bucket, Key: "r", Range: "bytes=100-199" });
  assert.equal(mid.out.$metadata.httpStatusCode, 206);
  assert.equal(mid.out.ContentRange, "bytes 100-199/10000");
  assert.equal(mid.out.ContentLength, 100);
  assert.ok(mid.bytes.equals(body.subarray(100, 200)));

  const suffix = await getBytes({ Bucket: bucket, Key: "r", Range: "bytes=-16" });
  assert.equal(suffix.out.ContentRange, "bytes 9984-9999/10000");
  assert.ok(suffix.bytes.equals(body.subarray(9984)));

  const open = await getBytes({ Bucket: bucket, Key: "r", Range: "bytes=9990-" });
  assert.equal(open.out.ContentRange, "bytes 9990-9999/10000");
  assert.ok(open.bytes.equals(body.subarray(9990)));

  await assert.rejects(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "r", Range: "bytes=20000-20010" })), (e) => {
    assert.equal(e.name, "InvalidRange");
    assert.equal(e.$metadata.httpStatusCode, 416);
    return true;
  });
});

test("a missing key is NoSuchKey with status 404", async () => {
  const bucket = await newBucket("js-missing");
  await assert.rejects(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "no/such/key" })), (e) => {
    assert.equal(e.name, "NoSuchKey");
    assert.equal(e.$metadata.httpStatusCode, 404);
    assert.equal(e.Key, "no/such/key");
    return true;
  });
  // HEAD has no body, so the SDK names the error by its status.
  await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "no/such/key" })), (e) => {
    assert.equal(e.name, "NotFound");
    assert.equal(e.$metadata.httpStatusCode, 404);
    return true;
  });
  await assert.rejects(s3.send(new GetObjectCommand({ Bucket: `${bucket}-absent`, Key: "k" })), (e) => {
    assert.equal(e.name, "NoSuchBucket");
    assert.equal(e.$metadata.httpStatusCode, 404);
    return true;
  });
});
