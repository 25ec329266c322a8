// SQS messages through the AWS SDK for JavaScript v3 against a real eddy.
// The SDK checks MD5OfMessageBody on SendMessage, SendMessageBatch and
// ReceiveMessage itself (it throws on a mismatch); MD5OfMessageAttributes it
// does not, so this file computes it as the SQS developer guide defines it.
// Run: EDDY_BIN=/path/to/eddy node --test sqs.test.mjs
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import path from "node:path";
import { fileURLToPath } from "node:url";

import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";

const here = path.dirname(fileURLToPath(import.meta.url));
const EDDY_BIN = process.env.EDDY_BIN || path.join(here, "..", "..", "..", "build", "eddy");

let eddy;
let sqs;

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
  sqs = new SQSClient({
    endpoint: eddy.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
});

after(async () => {
  sqs?.destroy();
  if (eddy) {
    const exited = new Promise((resolve) => eddy.child.once("exit", resolve));
    eddy.child.kill("SIGTERM");
    await exited;
  }
});

const md5 = (data) => createHash("md5").update(data).digest("hex");

function md5OfAttributes(attributes) {
  const parts = [];
  const put = (bytes) => {
    const buf = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : Buffer.from(bytes);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(buf.length);
    parts.push(len, buf);
  };
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name];
    put(name);
    put(value.DataType);
    if (value.DataType.startsWith("Binary")) {
      parts.push(Buffer.from([2]));
      put(value.BinaryValue);
    } else {
      parts.push(Buffer.from([1]));
      put(value.StringValue);
    }
  }
  return md5(Buffer.concat(parts));
}

async function newQueue(prefix, attributes = {}) {
  const suffix = attributes.FifoQueue === "true" ? ".fifo" : "";
  const name = `${prefix}-${randomUUID().slice(0, 8)}${suffix}`;
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return out.QueueUrl;
}

async function visibleCount(url) {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return Number(out.Attributes.ApproximateNumberOfMessages) + Number(out.Attributes.ApproximateNumberOfMessagesNotVisible);
}

const ATTRIBUTES = {
  text: { DataType: "String", StringValue: "héllo ✓" },
  amount: { DataType: "Number", StringValue: "12.50" },
  qty: { DataType: "Number.int", StringValue: "7" },
  blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 253, 254, 255]) },
};

function plainAttributes(attributes) {
  // The SDK returns BinaryValue as Uint8Array; compare as arrays of numbers.
  const out = {};
  for (const [name, v] of Object.entries(attributes)) {
    out[name] = v.BinaryValue
      ? { DataType: v.DataType, BinaryValue: Array.from(v.BinaryValue) }
      : { DataType: v.DataType, StringValue: v.StringValue };
  }
  return out;
}

test("send, receive and delete with message attributes", async () => {
  const url = await newQueue("js");
  const body = "from node ✓ 😀";
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: ATTRIBUTES }));
  assert.equal(sent.MD5OfMessageBody, md5(body));
  assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(ATTRIBUTES));

  const got = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"],
      WaitTimeSeconds: 1,
    }),
  );
  assert.equal(got.Messages.length, 1);
  const [m] = got.Messages;
  assert.equal(m.MessageId, sent.MessageId);
  assert.equal(m.Body, body);
  assert.deepEqual(plainAttributes(m.MessageAttributes), plainAttributes(ATTRIBUTES));
  assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(ATTRIBUTES));
  assert.equal(m.Attributes.ApproximateReceiveCount, "1");
  assert.match(m.Attributes.SentTimestamp, /^\d{13}$/);

  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  assert.equal(await visibleCount(url), 0);
});

test("batches: the SDK checks each entry's MD5", async () => {
  const url = await newQueue("jsbatch");
  const entries = [0, 1, 2].map((i) => ({
    Id: `e${i}`,
    MessageBody: `message ${i}`,
    MessageAttributes: { index: { DataType: "Number", StringValue: String(i) } },
  }));
  const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
  assert.equal(sent.Failed?.length ?? 0, 0);
  assert.deepEqual(sent.Successful.map((e) => e.Id).sort(), ["e0", "e1", "e2"]);
  for (const ok of sent.Successful) {
    const entry = entries.find((e) => e.Id === ok.Id);
    assert.equal(ok.MD5OfMessageAttributes, md5OfAttributes(entry.MessageAttributes));
  }

  const received = [];
  for (let i = 0; i < 5 && received.length < 3; i++) {
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ["index"] }),
    );
    received.push(...(got.Messages ?? []));
  }
  assert.deepEqual(received.map((m) => m.Body).sort(), ["message 0", "message 1", "message 2"]);
  const deleted = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: url,
      Entries: received.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
    }),
  );
  assert.equal(deleted.Successful.length, 3);
  assert.equal(await visibleCount(url), 0);
});

test("FIFO order within a group", async () => {
  const fifoUrl = await newQueue("jsfifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
  for (let i = 0; i < 5; i++) {
    await sqs.send(new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: `m${i}`, MessageGroupId: "g" }));
  }
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: fifoUrl, MaxNumberOfMessages: 10 }));
  assert.deepEqual(
    got.Messages.map((m) => m.Body),
    ["m0", "m1", "m2", "m3", "m4"].slice(0, got.Messages.length),
  );
});

test("modeled errors reach the caller as the SDK's exception classes", async () => {
  const url = await newQueue("jserr");
  await assert.rejects(
    sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "not-a-receipt-handle" })),
    (e) => e.name === "ReceiptHandleIsInvalid",
  );
  await assert.rejects(
    sqs.send(new ReceiveMessageCommand({ QueueUrl: url.replace(/[^/]+$/, "no-such-queue") })),
    (e) => e.name === "QueueDoesNotExist",
  );
  await assert.rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "bad \u0000 char" })),
    (e) => e.name === "InvalidMessageContents",
  );
});
