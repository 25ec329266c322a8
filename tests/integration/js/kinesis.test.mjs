// Kinesis Data Streams through the AWS SDK for JavaScript v3 against a real
// eddy: create a stream, put records (one and a batch), read them back with
// GetRecords, and split a shard. Routing is checked against the MD5 of each
// partition key, the hash Kinesis documents for choosing a shard.
// Run: EDDY_BIN=/path/to/eddy node --test kinesis.test.mjs
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import path from "node:path";
import { fileURLToPath } from "node:url";

import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  SplitShardCommand,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";

const here = path.dirname(fileURLToPath(import.meta.url));
const EDDY_BIN = process.env.EDDY_BIN || path.join(here, "..", "..", "..", "build", "eddy");

let eddy;
let kinesis;

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
  kinesis = new KinesisClient({
    endpoint: eddy.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
    // The Kinesis client speaks HTTP/2 by default (for SubscribeToShard), which
    // over http:// means h2c; eddy serves HTTP/1.1, so the client is told to use it.
    requestHandler: new NodeHttpHandler(),
  });
});

after(async () => {
  kinesis?.destroy();
  if (eddy) {
    const exited = new Promise((resolve) => eddy.child.once("exit", resolve));
    eddy.child.kill("SIGTERM");
    await exited;
  }
});

const hashKey = (partitionKey) => BigInt("0x" + createHash("md5").update(partitionKey, "utf8").digest("hex"));
const text = (bytes) => Buffer.from(bytes).toString("utf8");

async function activeStream(shards) {
  const StreamName = `js-${randomUUID().slice(0, 8)}`;
  await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: shards }));
  for (let i = 0; i < 200; i++) {
    const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
    if (s.StreamDescriptionSummary.StreamStatus === "ACTIVE") return StreamName;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${StreamName} never became ACTIVE`);
}

async function openShards(StreamName) {
  const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName }));
  return Shards.filter((s) => !s.SequenceNumberRange.EndingSequenceNumber);
}

function shardHolding(shards, key) {
  const s = shards.find((s) => BigInt(s.HashKeyRange.StartingHashKey) <= key && key <= BigInt(s.HashKeyRange.EndingHashKey));
  assert.ok(s, `no shard holds ${key}`);
  return s.ShardId;
}

// Reads until a page comes back empty or the shard ends; returns the records and that last page.
async function readShard(StreamName, ShardId) {
  let { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({ StreamName, ShardId, ShardIteratorType: "TRIM_HORIZON" }),
  );
  const records = [];
  for (;;) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    records.push(...page.Records);
    if (page.Records.length === 0 || !page.NextShardIterator) return { records, page };
    ShardIterator = page.NextShardIterator;
  }
}

test("put records and read them back in order from the shard their key hashes to", async () => {
  const StreamName = await activeStream(2);
  const shards = await openShards(StreamName);
  const one = await kinesis.send(
    new PutRecordCommand({ StreamName, PartitionKey: "alpha", Data: Buffer.from("first") }),
  );
  assert.equal(one.ShardId, shardHolding(shards, hashKey("alpha")));
  assert.match(one.SequenceNumber, /^\d{56}$/);
  const batch = await kinesis.send(
    new PutRecordsCommand({
      StreamName,
      Records: Array.from({ length: 50 }, (_, i) => ({ PartitionKey: `key-${i % 5}`, Data: Buffer.from(`rec-${i}`) })),
    }),
  );
  assert.equal(batch.FailedRecordCount ?? 0, 0);
  assert.equal(batch.Records.length, 50);
  batch.Records.forEach((r, i) => assert.equal(r.ShardId, shardHolding(shards, hashKey(`key-${i % 5}`))));

  const bySeq = new Map();
  for (const s of shards) {
    const { records } = await readShard(StreamName, s.ShardId);
    const seqs = records.map((r) => BigInt(r.SequenceNumber));
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], "sequence numbers increase");
    for (const r of records) {
      assert.ok(r.ApproximateArrivalTimestamp instanceof Date);
      bySeq.set(r.SequenceNumber, { data: text(r.Data), key: r.PartitionKey, shard: s.ShardId });
    }
  }
  assert.equal(bySeq.size, 51);
  assert.deepEqual(bySeq.get(one.SequenceNumber), { data: "first", key: "alpha", shard: one.ShardId });
  batch.Records.forEach((r, i) =>
    assert.deepEqual(bySeq.get(r.SequenceNumber), { data: `rec-${i}`, key: `key-${i % 5}`, shard: r.ShardId }),
  );
});

test("split a shard: the parent closes and is drained, new records go to its children", async () => {
  const StreamName = await activeStream(1);
  await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: "p", Data: Buffer.from("before") }));
  const middle = 1n << 127n;
  await kinesis.send(
    new SplitShardCommand({ StreamName, ShardToSplit: "shardId-000000000000", NewStartingHashKey: middle.toString() }),
  );
  const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName }));
  assert.deepEqual(
    Shards.map((s) => [s.ShardId, s.ParentShardId, Boolean(s.SequenceNumberRange.EndingSequenceNumber)]),
    [
      ["shardId-000000000000", undefined, true],
      ["shardId-000000000001", "shardId-000000000000", false],
      ["shardId-000000000002", "shardId-000000000000", false],
    ],
  );
  assert.equal(BigInt(Shards[2].HashKeyRange.StartingHashKey), middle);

  const after = await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: "p", Data: Buffer.from("after") }));
  assert.equal(after.ShardId, hashKey("p") < middle ? "shardId-000000000001" : "shardId-000000000002");

  const { records, page } = await readShard(StreamName, "shardId-000000000000");
  assert.deepEqual(records.map((r) => text(r.Data)), ["before"]);
  assert.equal(page.NextShardIterator, undefined);
  assert.deepEqual(page.ChildShards.map((c) => c.ShardId).sort(), ["shardId-000000000001", "shardId-000000000002"]);
  const child = await readShard(StreamName, after.ShardId);
  assert.deepEqual(child.records.map((r) => text(r.Data)), ["after"]);
});
