/**
 * Frame fuzzing over TCP. A NameServer and a Broker run in one child process (cluster-process.ts); many
 * connections at once send them mutated frames grown from the real captured frames
 * (broker-core/protocol/__fixtures__, see frame-mutator.ts): each connection sends a batch of frames with
 * decodable headers (they reach the processors) and, most of the time, one last frame with a corrupt header
 * or broken framing (that connection must be closed), then half-closes. Meanwhile a well-behaved Producer + PullConsumer on their own connections do
 * send + pull round trips and check each one. Before and after, the child's memory (after a full GC) and open
 * file descriptors are measured. Used by frame-fuzz.int.test.ts (100k frames) and fuzz.ts (any count).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AdminClient } from '../../broker-core/client/admin-client';
import { Producer } from '../../broker-core/client/producer';
import { PullConsumer } from '../../broker-core/client/pull-consumer';
import { listFixtures, readFixture } from '../../broker-core/testing/fixtures';
import { startClusterProcess, type ClusterProcessMemory } from '../../broker-core/testing/cluster-process';
import { createFrameMutator, seededRandom } from '../../broker-core/testing/frame-mutator';
import { processFdCount, processSocketCount } from '../../broker-core/testing/server-processes';
import { waitFor } from '../../broker-core/testing/wait-for';
import { errorMessage } from '../../broker-core/util/errors';
import { FrameDecoder } from '../../broker-core/protocol/frame-decoder';

export interface FrameFuzzOptions {
  frames: number;
  seed?: number;
  /** Connections open at once (default 32). */
  concurrency?: number;
  /** Frames per connection at most (default 40). */
  framesPerConnectionMax?: number;
  log?: (line: string) => void;
}

export interface FrameFuzzSummary {
  seed: number;
  frames: number;
  /** Frames with a decodable header (they reach a processor). */
  validFrames: number;
  /** Frames that end their connection: an undecodable header, or broken framing. */
  corruptFrames: number;
  breakingFrames: number;
  /** Response frames the servers sent back to the fuzzing connections. */
  answeredFrames: number;
  connections: number;
  bytesSent: number;
  bytesReceived: number;
  framesPerSecond: number;
  durationMs: number;
  toNamesrv: number;
  toBroker: number;
  memoryBefore: ClusterProcessMemory;
  memoryAfter: ClusterProcessMemory;
  fdsBefore: number;
  fdsAfter: number;
  /** Open sockets of the process before and after (all fuzzing connections closed by then). */
  socketsBefore: number;
  socketsAfter: number;
  /** Distinct processor faults the broker logged (request failed: <error>), with counts: input that reached code not expecting it. */
  processorFaults: Record<string, number>;
  goodRoundTrips: number;
  goodFailures: string[];
  processAlive: boolean;
  /** Lines the child logged at ERROR level, or about uncaught faults. */
  childErrors: string[];
  topicsCreatedByFuzz: number;
}

const GOOD_TOPIC = 'FuzzGoodClientTopic';

/** Writes the payload, half-closes, and counts what comes back until the server closes. */
function feedConnection(port: number, payload: Buffer): Promise<{ bytes: number; frames: number }> {
  return new Promise((resolve) => {
    let bytes = 0;
    let frames = 0;
    const decoder = new FrameDecoder();
    const socket = net.connect(port, '127.0.0.1');
    const guard = setTimeout(() => socket.destroy(), 10_000);
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      try {
        frames += decoder.push(chunk).length;
      } catch {
        frames = -1_000_000; // the server itself sent a malformed frame: surfaces as a negative count
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(guard);
      resolve({ bytes, frames });
    });
    socket.on('connect', () => {
      socket.write(payload);
      socket.end();
    });
  });
}

export async function runFrameFuzz(options: FrameFuzzOptions): Promise<FrameFuzzSummary> {
  const seed = options.seed ?? (Date.now() & 0x7fffffff);
  const log = options.log ?? (() => {});
  const random = seededRandom(seed);
  const concurrency = options.concurrency ?? 32;
  const perConnectionMax = options.framesPerConnectionMax ?? 40;
  const fixtures = listFixtures((name) => name.endsWith('.request.hex') || name.endsWith('.response.hex')).map(readFixture);
  const toNamesrvSeeds = fixtures.filter((f) => /->namesrv/.test(f.comments.direction ?? '')).map((f) => f.frame);
  const toBrokerSeeds = fixtures.filter((f) => !/->namesrv/.test(f.comments.direction ?? '')).map((f) => f.frame);
  const mutators = { namesrv: createFrameMutator(toNamesrvSeeds, random), broker: createFrameMutator(toBrokerSeeds, random) };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-fuzz-'));
  const cluster = await startClusterProcess(dir, { brokerName: 'broker-fuzz', brokerClusterName: 'FuzzCluster' });
  const ports = { namesrv: Number(cluster.namesrvAddr.split(':')[1]), broker: Number(cluster.brokerAddr.split(':')[1]) };
  const admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr, timeoutMs: 10_000 });
  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_fuzz_good', sendMsgTimeoutMs: 10_000, requestTimeoutMs: 10_000 });
  const consumer = new PullConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: 'CG_fuzz_good', requestTimeoutMs: 10_000 });
  const goodFailures: string[] = [];
  let goodRoundTrips = 0;
  let goodRunning = true;
  let goodLoop: Promise<void> = Promise.resolve();

  try {
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: GOOD_TOPIC, readQueueNums: 4, writeQueueNums: 4, perm: 6 });
    await waitFor(async () => (await admin.getTopicRoute(GOOD_TOPIC)) !== null, { message: 'good topic never routed' });
    await producer.start();
    await consumer.start();
    const topicsAtStart = Object.keys(await admin.getAllTopicConfig(cluster.brokerAddr)).length;

    const roundTrip = async (n: number) => {
      const body = `good-${seed}-${n}`;
      const sent = await producer.send({ topic: GOOD_TOPIC, body, keys: `good-${n}` });
      const pulled = await consumer.pull(sent.messageQueue, '*', sent.queueOffset, 1);
      const message = pulled.msgFoundList[0];
      if (!message || message.msgId !== sent.msgId || message.body.toString() !== body) {
        throw new Error(`round trip ${n}: sent ${sent.msgId} to ${sent.messageQueue.queueId}/${sent.queueOffset}, pulled ${message ? `${message.msgId} "${message.body.toString().slice(0, 40)}"` : pulled.pullStatus}`);
      }
    };
    for (let n = 0; n < 20; n++) await roundTrip(-1 - n);

    let sent = 0;
    const counts = { valid: 0, corrupt: 0, breaking: 0, connections: 0, bytesSent: 0, bytesReceived: 0, answered: 0, namesrv: 0, broker: 0 };
    const fuzzFrames = async (count: number) => {
      let issued = 0;
      const worker = async () => {
        while (issued < count && cluster.alive()) {
          const target: 'namesrv' | 'broker' = random() < 0.25 ? 'namesrv' : 'broker';
          const mutator = random() < 0.85 ? mutators[target] : mutators[target === 'broker' ? 'namesrv' : 'broker'];
          const n = Math.min(count - issued, 1 + Math.floor(random() * perConnectionMax));
          issued += n;
          const frames: Buffer[] = [];
          const last = random();
          const terminal = last < 0.35 ? 'corrupt' : last < 0.7 ? 'breaking' : null;
          for (let i = 0; i < n - (terminal ? 1 : 0); i++) frames.push(mutator.valid());
          if (terminal) frames.push(mutator[terminal]());
          counts.valid += n - (terminal ? 1 : 0);
          if (terminal) counts[terminal]++;
          counts[target] += n;
          const payload = Buffer.concat(frames);
          counts.bytesSent += payload.length;
          counts.connections++;
          const answer = await feedConnection(ports[target], payload);
          counts.bytesReceived += answer.bytes;
          counts.answered += answer.frames;
          sent += n;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    };

    // Warm up (pools, JIT, first topics), then measure, fuzz with the good client running, measure again.
    await fuzzFrames(Math.min(5_000, Math.ceil(options.frames / 20)));
    const memoryBefore = await cluster.memory();
    const fdsBefore = processFdCount(cluster.pid) ?? -1;
    const socketsBefore = processSocketCount(cluster.pid) ?? -1;
    goodLoop = (async () => {
      for (let n = 0; goodRunning; n++) {
        try {
          await roundTrip(n);
          goodRoundTrips++;
        } catch (err) {
          goodFailures.push(errorMessage(err));
          if (goodFailures.length > 20) return;
        }
      }
    })();
    const started = Date.now();
    sent = 0;
    for (const key of Object.keys(counts) as (keyof typeof counts)[]) counts[key] = 0;
    let lastReport = Date.now();
    const progress = setInterval(() => {
      if (Date.now() - lastReport >= 5_000) {
        lastReport = Date.now();
        log(`${sent} frames, ${counts.connections} connections, ${counts.answered} answers, ${goodRoundTrips} good round trips`);
      }
    }, 1_000);
    await fuzzFrames(options.frames);
    clearInterval(progress);
    const durationMs = Date.now() - started;
    goodRunning = false;
    await goodLoop;
    await roundTrip(1_000_000);
    goodRoundTrips++;

    // Connections the fuzzer opened are all closed once the server saw their ends.
    await waitFor(() => (processSocketCount(cluster.pid) ?? 0) <= socketsBefore, { timeoutMs: 20_000 }).catch(() => undefined);
    const socketsAfter = processSocketCount(cluster.pid) ?? -1;
    const fdsAfter = processFdCount(cluster.pid) ?? -1;
    const processorFaults: Record<string, number> = {};
    for (const match of cluster.output().matchAll(/(?:request failed|processor failed) (\{.*\})/g)) {
      const fields = JSON.parse(match[1]!) as { request?: string; code?: string; error?: string };
      const key = `${fields.request ?? fields.code}: ${(fields.error ?? '').replace(/\d+/g, 'N').slice(0, 120)}`;
      processorFaults[key] = (processorFaults[key] ?? 0) + 1;
    }
    const memoryAfter = await cluster.memory();
    const topicsAfter = Object.keys(await admin.getAllTopicConfig(cluster.brokerAddr)).length;
    return {
      seed,
      frames: sent,
      validFrames: counts.valid,
      corruptFrames: counts.corrupt,
      breakingFrames: counts.breaking,
      answeredFrames: counts.answered,
      connections: counts.connections,
      bytesSent: counts.bytesSent,
      bytesReceived: counts.bytesReceived,
      framesPerSecond: Math.round(sent / (durationMs / 1000)),
      durationMs,
      toNamesrv: counts.namesrv,
      toBroker: counts.broker,
      memoryBefore,
      memoryAfter,
      fdsBefore,
      fdsAfter,
      socketsBefore,
      socketsAfter,
      processorFaults,
      goodRoundTrips,
      goodFailures,
      processAlive: cluster.alive(),
      childErrors: cluster.output().split('\n').filter((line) => / ERROR |uncaught|unhandled|FATAL|heap out of memory/i.test(line)).slice(0, 20),
      topicsCreatedByFuzz: topicsAfter - topicsAtStart,
    };
  } finally {
    goodRunning = false;
    await goodLoop.catch(() => undefined);
    await Promise.allSettled([producer.shutdown(), consumer.shutdown()]);
    await admin.close();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
