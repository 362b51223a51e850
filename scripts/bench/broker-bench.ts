/**
 * `npm run bench`: the broker in its own process, driven by a separate load process over loopback.
 * Prints produce msg/s (1 and 64 senders), consume msg/s draining the backlog, end-to-end latency at a fixed
 * rate, and the broker's RSS / RssAnon — beside a baseline process that only decodes frames and answers,
 * measured in the same run. Then send and send→pull latency split by whether the broker had an fsync/fdatasync
 * in progress (its baseline: the samples of the same run with none in progress). Not a test: nothing is
 * asserted. Env: BENCH_DURATION_MS (5000), BENCH_RATE (5000), BENCH_FLUSH.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequest } from '../../broker-core/protocol/remoting-command';
import { RequestCode } from '../../broker-core/protocol/request-code';
import { RemotingClient } from '../../broker-core/remoting/remoting-client';
import { splitByFlush, type FlushWindow } from './flush-windows';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
/** Sends per second of the fixed-rate phase (lower it on a busy machine: a saturated broker measures its queue). */
const RATE = Number(process.env.BENCH_RATE ?? 5000);
const TOPIC = 'BenchTopic';
const QUEUES = 8;
const BODY = 1024;

interface Child {
  proc: ChildProcess;
  info: { brokerAddr: string; pid: number };
  stdout: () => string;
}

/** Children still running: killed if this process ends early (a failed phase must not leave a broker behind). */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const proc of running) proc.kill('SIGKILL');
});

function startChild(file: string, env: Record<string, string> = {}): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, file)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    let buffered = '';
    let ready = false;
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = ready ? undefined : buffered.split('\n').find((l) => l.startsWith('READY '));
      if (line) {
        ready = true;
        resolve({ proc, info: JSON.parse(line.slice(6)), stdout: () => buffered });
      }
    });
    proc.once('exit', (code) => reject(new Error(`${file} exited early with code ${code}`)));
  });
}

/** Stops a child; returns the flush windows it reported (bench-broker.ts), if any. */
async function stopChild(child: Child): Promise<FlushWindow[]> {
  const exited = new Promise((resolve) => child.proc.once('exit', resolve));
  child.proc.kill('SIGTERM');
  await exited;
  const line = child.stdout().split('\n').find((l) => l.startsWith('FLUSHES '));
  return line ? (JSON.parse(line.slice(8)) as FlushWindow[]) : [];
}

interface LoadResult {
  msgPerSec?: number;
  p50Ms?: number;
  p99Ms?: number;
  received?: number;
  rate?: number;
  skipped?: number;
  samples?: [number, number][];
  sendSamples?: [number, number][];
  e2eSamples?: [number, number][];
}

function runLoad(job: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'load.ts'), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (line) resolve(JSON.parse(line.slice(7)));
      else reject(new Error(`load process exited with ${code} and no result`));
    });
  });
}

function memory(pid: number): { rssMb: number; anonMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, anonMb: kb('RssAnon') / 1024 };
}

/** Runs `work` while sampling the process's memory; returns the result and the peak. */
async function withMemory<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peak: { rssMb: number; anonMb: number } }> {
  const peak = memory(pid);
  const timer = setInterval(() => {
    const m = memory(pid);
    peak.rssMb = Math.max(peak.rssMb, m.rssMb);
    peak.anonMb = Math.max(peak.anonMb, m.anonMb);
  }, 100);
  try {
    return { result: await work(), peak };
  } finally {
    clearInterval(timer);
  }
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
const rows: string[][] = [];
const produceJob = (brokerAddr: string, concurrency: number) => ({ mode: 'produce', brokerAddr, topic: TOPIC, queues: QUEUES, bodyBytes: BODY, concurrency, durationMs: DURATION_MS });

console.log(`Rocketdeck broker benchmark: ${BODY} B messages, ${QUEUES} queues, ${DURATION_MS} ms per phase, flush ${process.env.BENCH_FLUSH ?? 'ASYNC_FLUSH'}`);

// Baseline: frames decoded and answered, nothing stored.
const baseline = await startChild('baseline-server.ts');
const base1 = await withMemory(baseline.info.pid, () => runLoad(produceJob(baseline.info.brokerAddr, 1)));
const base64 = await withMemory(baseline.info.pid, () => runLoad(produceJob(baseline.info.brokerAddr, 64)));
await stopChild(baseline);

const broker = await startChild('bench-broker.ts', { BENCH_FLUSH: process.env.BENCH_FLUSH ?? 'ASYNC_FLUSH' });
const admin = new RemotingClient();
await admin.invoke(
  broker.info.brokerAddr,
  createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
    topic: TOPIC,
    defaultTopic: 'TBW102',
    readQueueNums: QUEUES,
    writeQueueNums: QUEUES,
    perm: 6,
    topicFilterType: 'SINGLE_TAG',
    topicSysFlag: 0,
    order: false,
  }),
  5000,
);
const idle = memory(broker.info.pid);
const p1 = await withMemory(broker.info.pid, () => runLoad(produceJob(broker.info.brokerAddr, 1)));
const p64 = await withMemory(broker.info.pid, () => runLoad(produceJob(broker.info.brokerAddr, 64)));
let backlog = 0;
for (let queueId = 0; queueId < QUEUES; queueId++) {
  const response = await admin.invoke(broker.info.brokerAddr, createRequest(RequestCode.GET_MAX_OFFSET, { topic: TOPIC, queueId }), 5000);
  backlog += Number(response.extFields?.offset ?? 0);
}
const drain = await withMemory(broker.info.pid, () => runLoad({ mode: 'consume', brokerAddr: broker.info.brokerAddr, topic: TOPIC, queues: QUEUES, bodyBytes: BODY, expected: backlog, group: 'bench_drain' }));
const lat = await withMemory(broker.info.pid, () =>
  runLoad({ mode: 'latency', brokerAddr: broker.info.brokerAddr, topic: TOPIC, queues: QUEUES, bodyBytes: BODY, rate: RATE, durationMs: DURATION_MS, group: 'bench_latency' }),
);
await admin.close();
const flushWindows = await stopChild(broker);

rows.push(['phase', 'msg/s', 'p50 ms', 'p99 ms', 'peak RSS MB', 'peak RssAnon MB', 'baseline msg/s', 'ratio']);
rows.push(['produce, 1 sender', fmt(p1.result.msgPerSec!), fmt(p1.result.p50Ms!, 2), fmt(p1.result.p99Ms!, 2), fmt(p1.peak.rssMb), fmt(p1.peak.anonMb), fmt(base1.result.msgPerSec!), fmt(p1.result.msgPerSec! / base1.result.msgPerSec!, 2)]);
rows.push(['produce, 64 senders', fmt(p64.result.msgPerSec!), fmt(p64.result.p50Ms!, 2), fmt(p64.result.p99Ms!, 2), fmt(p64.peak.rssMb), fmt(p64.peak.anonMb), fmt(base64.result.msgPerSec!), fmt(p64.result.msgPerSec! / base64.result.msgPerSec!, 2)]);
rows.push([`consume, drain ${fmt(backlog)}`, fmt(drain.result.msgPerSec!), '-', '-', fmt(drain.peak.rssMb), fmt(drain.peak.anonMb), '-', '-']);
rows.push([`end-to-end at ${fmt(lat.result.rate!)}/s`, fmt((lat.result.received! / DURATION_MS) * 1000), fmt(lat.result.p50Ms!, 2), fmt(lat.result.p99Ms!, 2), fmt(lat.peak.rssMb), fmt(lat.peak.anonMb), '-', '-']);
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
console.log(`broker idle after start: RSS ${fmt(idle.rssMb)} MB, RssAnon ${fmt(idle.anonMb)} MB; baseline peak RSS ${fmt(base64.peak.rssMb)} MB`);
console.log('Reference (DEVELOPERS.md): Java 4.9.4 broker, benchmark Producer -w 64 -s 1024: 21.2k msg/s, 445-540 MB anonymous memory.');

// With and without a flush in progress: every sample is classed by whether its [start, end] overlaps a window in
// which the broker process had an fsync/fdatasync running (on the event loop or on libuv's pool).
const flushRows: string[][] = [['latency, by flush in progress', 'samples', 'p50 ms', 'p99 ms', 'no flush: samples', 'p50 ms', 'p99 ms', 'p99 ratio']];
const split = (name: string, samples: [number, number][] | undefined) => {
  const { during, outside } = splitByFlush(samples ?? [], flushWindows);
  flushRows.push([name, fmt(during.count), fmt(during.p50, 2), fmt(during.p99, 2), fmt(outside.count), fmt(outside.p50, 2), fmt(outside.p99, 2), fmt(during.p99 / outside.p99, 2)]);
};
split('send, 64 senders (closed loop)', p64.result.samples);
split(`send at ${fmt(lat.result.rate!)}/s`, lat.result.sendSamples);
split(`send → pull at ${fmt(lat.result.rate!)}/s`, lat.result.e2eSamples);
const flushWidths = flushRows[0]!.map((_, i) => Math.max(...flushRows.map((r) => r[i]!.length)));
for (const row of flushRows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(flushWidths[i]!) : cell.padStart(flushWidths[i]!))).join('  '));
const syncWindows = flushWindows.filter((w) => w.how === 'sync');
const syncMs = syncWindows.reduce((sum, w) => sum + (w.endMs - w.startMs), 0);
console.log(`broker flushes: ${flushWindows.length} fsync/fdatasync calls, ${syncWindows.length} of them on the event loop (${fmt(syncMs, 1)} ms blocked in all)${lat.result.skipped ? `; ${fmt(lat.result.skipped)} due sends skipped (over ${2000} in flight)` : ''}`);
