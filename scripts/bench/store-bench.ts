/**
 * npm run bench:store — appends of 1 KB messages to DefaultMessageStore under ASYNC_FLUSH and SYNC_FLUSH,
 * beside plain fs.write append loops of the same bytes measured in the same run; each store run's put latency is
 * also split by whether an fsync/fdatasync was in progress (flush-windows.ts).
 * Not a test: it prints figures. Options: --seconds N (per phase, default 5), --dir PATH (default: a temp folder).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DefaultMessageStore } from '../../broker-core/store/default-message-store';
import type { FlushDiskType, MessageToStore } from '../../broker-core/store/message-store';
import { prepareRecord } from '../../broker-core/store/record';
import { recordFlushWindows, splitByFlush } from './flush-windows';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1]! : fallback;
};
const SECONDS = Number(arg('seconds', '5'));
const BASE_DIR = fs.mkdtempSync(path.join(arg('dir', os.tmpdir()), 'rocketdeck-store-bench-'));
const BODY = Buffer.alloc(1024, 0x61);
const flushWindows = await recordFlushWindows(BASE_DIR);

function message(i: number): MessageToStore {
  return {
    topic: 'BenchTopic',
    queueId: i % 8,
    flag: 0,
    sysFlag: 0,
    body: BODY,
    propertiesString: `UNIQ_KEY\u0001${(i + 0x1000000).toString(16).toUpperCase().padStart(32, '0')}\u0002TAGS\u0001TagA\u0002`,
    bornTimestamp: Date.now(),
    bornHost: { address: '127.0.0.1', port: 50000 },
    storeHost: { address: '127.0.0.1', port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  };
}
const RECORD_BYTES = prepareRecord(message(0)).length;

interface Figures {
  name: string;
  messages: number;
  seconds: number;
  p50?: number;
  p99?: number;
  /** Put latency with an fsync/fdatasync in progress, and without (the same run). */
  byFlush?: ReturnType<typeof splitByFlush>;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function print(f: Figures, baseline?: Figures): void {
  const rate = f.messages / f.seconds;
  const mb = (rate * RECORD_BYTES) / 1e6;
  const ratio = baseline ? `  ratio to baseline ${(rate / (baseline.messages / baseline.seconds)).toFixed(2)}` : '';
  const lat = f.p50 !== undefined ? `  p50 ${f.p50.toFixed(3)} ms  p99 ${f.p99!.toFixed(3)} ms` : '';
  console.log(`${f.name.padEnd(52)} ${Math.round(rate).toLocaleString('en-US').padStart(9)} msg/s ${mb.toFixed(1).padStart(7)} MB/s${lat}${ratio}`);
  if (f.byFlush) {
    const { during, outside } = f.byFlush;
    console.log(`  puts during a flush: ${during.count} (p99 ${during.p99.toFixed(3)} ms); with none in progress: ${outside.count} (p99 ${outside.p99.toFixed(3)} ms)`);
  }
}

/** Plain baseline: one writeSync of the record's bytes per message, appended to one file. */
function plainWriteLoop(syncEach: boolean): Figures {
  const file = path.join(BASE_DIR, `plain-${syncEach ? 'sync' : 'async'}`);
  const fd = fs.openSync(file, 'w');
  const bytes = Buffer.alloc(RECORD_BYTES, 0x62);
  let n = 0;
  let pos = 0;
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    fs.writeSync(fd, bytes, 0, bytes.length, pos);
    if (syncEach) fs.fdatasyncSync(fd);
    latencies.push(performance.now() - t0);
    pos += bytes.length;
    n++;
  }
  const seconds = (performance.now() - start) / 1000;
  fs.closeSync(fd);
  fs.rmSync(file);
  latencies.sort((a, b) => a - b);
  return { name: `plain fs.writeSync loop${syncEach ? ' + fdatasync each' : ''}`, messages: n, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** Plain baseline with the async API: `fs.write` of each message, awaited, appended to one file. */
async function plainAsyncWriteLoop(): Promise<Figures> {
  const file = path.join(BASE_DIR, 'plain-fs-write');
  const fd = fs.openSync(file, 'w');
  const bytes = Buffer.alloc(RECORD_BYTES, 0x62);
  let n = 0;
  let pos = 0;
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => fs.write(fd, bytes, 0, bytes.length, pos, (err) => (err ? reject(err) : resolve())));
    latencies.push(performance.now() - t0);
    pos += bytes.length;
    n++;
  }
  const seconds = (performance.now() - start) / 1000;
  fs.closeSync(fd);
  fs.rmSync(file);
  latencies.sort((a, b) => a - b);
  return { name: 'plain fs.write loop (async, awaited)', messages: n, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function storeRun(flushDiskType: FlushDiskType, writers: number): Promise<Figures> {
  const dir = path.join(BASE_DIR, `store-${flushDiskType}-${writers}`);
  const store = new DefaultMessageStore({ storePathRootDir: dir, flushDiskType });
  await store.start();
  let n = 0;
  let failed = 0;
  const latencies: number[] = [];
  const samples: [number, number][] = [];
  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const r = await store.putMessage(message(n));
        latencies.push(performance.now() - t0);
        samples.push([performance.timeOrigin + t0, performance.now() - t0]);
        if (r.status === 'PUT_OK') n++;
        else failed++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await store.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
  if (failed > 0) console.log(`  (${failed} puts not PUT_OK)`);
  latencies.sort((a, b) => a - b);
  return {
    name: `store ${flushDiskType}, ${writers} concurrent writer${writers > 1 ? 's' : ''}`,
    messages: n, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), byFlush: splitByFlush(samples, flushWindows()),
  };
}

async function main(): Promise<void> {
  console.log(`store bench: ${RECORD_BYTES}-byte records (1 KiB body), ${SECONDS} s per phase, in ${BASE_DIR}`);
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''}`);
  try {
    const plainAsync = await plainAsyncWriteLoop();
    print(plainAsync);
    const plain = plainWriteLoop(false);
    print(plain);
    const async1 = await storeRun('ASYNC_FLUSH', 1);
    print(async1, plainAsync);
    const async64 = await storeRun('ASYNC_FLUSH', 64);
    print(async64, plainAsync);
    console.log(`  ASYNC_FLUSH, 64 writers vs plain fs.writeSync loop: ratio ${(async64.messages / async64.seconds / (plain.messages / plain.seconds)).toFixed(2)}`);
    const plainSync = plainWriteLoop(true);
    print(plainSync);
    print(await storeRun('SYNC_FLUSH', 1), plainSync);
    print(await storeRun('SYNC_FLUSH', 64), plainSync);
    const rss = process.memoryUsage().rss / 1e6;
    console.log(`bench process RSS at end: ${rss.toFixed(0)} MB`);
  } finally {
    fs.rmSync(BASE_DIR, { recursive: true, force: true });
  }
}

await main();
