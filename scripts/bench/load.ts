/**
 * Benchmark load process: speaks the remoting protocol with the project's RemotingClient (SEND_MESSAGE_V2 and
 * PULL_MESSAGE frames shaped like the Java client's). Reads one JSON job from argv[2], prints `RESULT {json}`.
 *   produce  — `concurrency` senders in a closed loop for `durationMs` (after a warm-up)
 *   consume  — drains `expected` messages from every queue of the topic with one pull in flight per queue
 *   latency  — sends at a fixed `rate` while long-polling consumers measure send → receive time
 * Results carry `[start, duration]` samples (wall-clock ms, comparable with the broker child's flush windows).
 */
import { performance } from 'node:perf_hooks';
import { createRequest } from '../../broker-core/protocol/remoting-command';
import { RequestCode } from '../../broker-core/protocol/request-code';
import { ResponseCode } from '../../broker-core/protocol/response-code';
import { RemotingClient } from '../../broker-core/remoting/remoting-client';

interface Job {
  mode: 'produce' | 'consume' | 'latency';
  brokerAddr: string;
  topic: string;
  queues: number;
  bodyBytes: number;
  concurrency?: number;
  durationMs?: number;
  warmupMs?: number;
  expected?: number;
  rate?: number;
  group?: string;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
/** Samples returned per kind at most (the RESULT line stays a few MB). */
const SAMPLES_MAX = 200_000;
/** Sends in flight at most in the fixed-rate phase: past it a due send is skipped and counted, not queued. */
const LATENCY_SENDS_IN_FLIGHT_MAX = 2000;
const client = new RemotingClient();
const now = () => performance.timeOrigin + performance.now();
let uniq = 0;

function sendRequest(queueId: number, body: Buffer) {
  const key = `BENCH${process.pid.toString(16)}${(uniq++).toString(16).padStart(12, '0')}`.toUpperCase();
  return createRequest(
    RequestCode.SEND_MESSAGE_V2,
    {
      a: 'bench_producer',
      b: job.topic,
      c: 'TBW102',
      d: 4,
      e: queueId,
      f: 0,
      g: Date.now(),
      h: 0,
      i: `UNIQ_KEY\u0001${key}\u0002WAIT\u0001true\u0002TAGS\u0001TagA`,
      j: 0,
      k: false,
      m: false,
    },
    body,
  );
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Walks the stored records of a pull body; calls back with each record's body. */
function forEachRecordBody(buf: Buffer, visit: (body: Buffer) => void): number {
  let at = 0;
  let count = 0;
  while (at + 4 <= buf.length) {
    const total = buf.readInt32BE(at);
    if (total <= 0 || at + total > buf.length) break;
    const sysFlag = buf.readInt32BE(at + 36);
    const bornHostLen = sysFlag & (1 << 4) ? 20 : 8;
    const storeHostLen = sysFlag & (1 << 5) ? 20 : 8;
    const bodyLenAt = at + 48 + bornHostLen + 8 + storeHostLen + 4 + 8;
    const bodyLen = buf.readInt32BE(bodyLenAt);
    visit(buf.subarray(bodyLenAt + 4, bodyLenAt + 4 + bodyLen));
    at += total;
    count++;
  }
  return count;
}

async function pull(queueId: number, offset: number, suspendMs: number) {
  const request = createRequest(RequestCode.PULL_MESSAGE, {
    consumerGroup: job.group ?? 'bench_consumer',
    topic: job.topic,
    queueId,
    queueOffset: offset,
    maxMsgNums: 32,
    sysFlag: suspendMs > 0 ? 6 : 4,
    commitOffset: 0,
    suspendTimeoutMillis: suspendMs,
    subscription: '*',
    subVersion: 0,
    expressionType: 'TAG',
  });
  return client.invoke(job.brokerAddr, request, suspendMs + 5000);
}

async function produce() {
  const body = Buffer.alloc(job.bodyBytes, 0x61);
  const latencies: number[] = [];
  const samples: [number, number][] = [];
  let sent = 0;
  let failed = 0;
  let measuring = false;
  let stop = false;
  let queue = 0;
  const sender = async () => {
    while (!stop) {
      const started = now();
      const response = await client.invoke(job.brokerAddr, sendRequest(queue++ % job.queues, body), 10_000);
      if (!measuring) continue;
      if (response.code === ResponseCode.SUCCESS) {
        sent++;
        const took = now() - started;
        latencies.push(took);
        if (samples.length < SAMPLES_MAX) samples.push([started, took]);
      } else failed++;
    }
  };
  const senders = Array.from({ length: job.concurrency ?? 1 }, sender);
  await new Promise((resolve) => setTimeout(resolve, job.warmupMs ?? 1000));
  measuring = true;
  const started = now();
  await new Promise((resolve) => setTimeout(resolve, job.durationMs ?? 5000));
  measuring = false;
  const elapsedMs = now() - started;
  stop = true;
  await Promise.all(senders);
  latencies.sort((a, b) => a - b);
  return { sent, failed, msgPerSec: (sent / elapsedMs) * 1000, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), samples };
}

async function consume() {
  const expected = job.expected ?? 0;
  let received = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: job.queues }, async (_, queueId) => {
      let offset = 0;
      for (;;) {
        if (received >= expected) return;
        const response = await pull(queueId, offset, 0);
        if (response.code !== ResponseCode.SUCCESS) return; // nothing more in this queue
        received += forEachRecordBody(response.body ?? Buffer.alloc(0), () => undefined);
        offset = Number(response.extFields?.nextBeginOffset ?? offset);
      }
    }),
  );
  const elapsedMs = now() - started;
  return { received, msgPerSec: (received / elapsedMs) * 1000 };
}

async function latency() {
  const rate = job.rate ?? 5000;
  const durationMs = job.durationMs ?? 5000;
  const latencies: number[] = [];
  const e2eSamples: [number, number][] = [];
  const sendSamples: [number, number][] = [];
  let stop = false;
  const pullers = Array.from({ length: job.queues }, async (_, queueId) => {
    let offset = Number((await client.invoke(job.brokerAddr, createRequest(RequestCode.GET_MAX_OFFSET, { topic: job.topic, queueId }), 5000)).extFields?.offset ?? 0);
    while (!stop) {
      const response = await pull(queueId, offset, 2000);
      if (response.code !== ResponseCode.SUCCESS) continue;
      const arrived = now();
      forEachRecordBody(response.body ?? Buffer.alloc(0), (body) => {
        const sentAt = body.readDoubleBE(0);
        latencies.push(arrived - sentAt);
        if (e2eSamples.length < SAMPLES_MAX) e2eSamples.push([sentAt, arrived - sentAt]);
      });
      offset = Number(response.extFields?.nextBeginOffset ?? offset);
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = now();
  let sent = 0;
  let due = 0;
  let skipped = 0;
  let failed = 0;
  let inFlight = 0;
  let queue = 0;
  const sends: Promise<unknown>[] = [];
  while (now() - started < durationMs) {
    const dueNow = Math.floor(((now() - started) / 1000) * rate);
    for (; due < dueNow; due++) {
      if (inFlight >= LATENCY_SENDS_IN_FLIGHT_MAX) {
        skipped++;
        continue;
      }
      const body = Buffer.alloc(job.bodyBytes, 0x62);
      const sentAt = now();
      body.writeDoubleBE(sentAt, 0);
      inFlight++;
      sends.push(
        client
          .invoke(job.brokerAddr, sendRequest(queue++ % job.queues, body), 10_000)
          .then(
            () => {
              if (sendSamples.length < SAMPLES_MAX) sendSamples.push([sentAt, now() - sentAt]);
            },
            () => {
              failed++;
            },
          )
          .finally(() => {
            inFlight--;
          }),
      );
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(sends);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  stop = true;
  await Promise.all(pullers);
  latencies.sort((a, b) => a - b);
  return { sent, skipped, failed, received: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), rate, sendSamples, e2eSamples };
}

const result = job.mode === 'produce' ? await produce() : job.mode === 'consume' ? await consume() : await latency();
// A pipe is written asynchronously: exit only once the (large) result line is out.
await new Promise((resolve) => process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, resolve));
await client.close();
process.exit(0);
