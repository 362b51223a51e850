/**
 * `npm run bench:explorer`: the message explorer's two speeds, each beside a baseline measured in the same run.
 *
 * 1. Scan speed. A NameServer + Broker on ephemeral ports, EXPLORER_BENCH_MESSAGES (100,000) JSON messages over
 *    4 queues sent by the project's Producer, then the explorer's scanner (the same code the console runs, over
 *    TCP) reads all of them: plain (pull only, the baseline), with a body regex, a body substring and a JSON
 *    filter. Median of 5 rounds, in messages scanned per second.
 * 2. Live-tail delay. The product (`scripts/start.ts`: NameServer + Broker + console) on bench ports, Chromium
 *    on its Live tail page, and a producer sending EXPLORER_BENCH_TAIL_MESSAGES (200) at 20/s: for each message,
 *    the time from its send (bornTimestamp) to its row appearing in the page, read in the page by a
 *    MutationObserver. Baseline: the same sends received by a plain long-polling pull (no console, no browser).
 *
 * Not a test: nothing is asserted. Needs the console built (npm start builds it when stale) and /usr/bin/chromium.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { AdminClient } from '../../broker-core/client/admin-client';
import { Producer } from '../../broker-core/client/producer';
import { PULL_MESSAGES_MAX } from '../../broker-core/config/limits';
import { startTestCluster } from '../../broker-core/testing/start-test-cluster';
import { waitFor } from '../../broker-core/testing/wait-for';
import { scanRequestSchema } from '../../lib/explorer/schema';
import { compileFilters } from '../../lib/server/explorer/filters';
import { adminPull, planScan, runScan } from '../../lib/server/explorer/scanner';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MESSAGES = Number(process.env.EXPLORER_BENCH_MESSAGES ?? 100_000);
const TAIL_MESSAGES = Number(process.env.EXPLORER_BENCH_TAIL_MESSAGES ?? 200);
const TAIL_SEND_INTERVAL_MS = 50;
const PORTS = { console: Number(process.env.EXPLORER_BENCH_PORT ?? 27899), namesrv: Number(process.env.EXPLORER_BENCH_NAMESRV_PORT ?? 27876), broker: Number(process.env.EXPLORER_BENCH_BROKER_PORT ?? 27911) };

const row = (label: string, value: string) => process.stdout.write(`${label.padEnd(64)} ${value}\n`);
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

function orderBody(i: number): string {
  return JSON.stringify({ order: { id: `ORDER-${String(i).padStart(7, '0')}`, status: i % 1000 === 7 ? 'REFUNDED' : i % 2 ? 'PAID' : 'NEW', amount: (i * 37) % 10_000, currency: 'EUR' }, customer: { name: `customer ${i % 977}`, email: `c${i % 977}@example.com` }, items: [{ sku: `SKU-${i % 50}`, qty: 1 + (i % 3) }] });
}

async function scanSpeed(): Promise<void> {
  const cluster = await startTestCluster();
  const admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr, timeoutMs: 30_000 });
  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_explorer_bench' });
  try {
    const topic = 'ExplorerBench';
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: topic, readQueueNums: 4, writeQueueNums: 4, perm: 6 });
    await waitFor(async () => (await admin.getTopicRoute(topic)) !== null);
    await producer.start();
    const seedStarted = performance.now();
    const BATCH = 200;
    for (let i = 0; i < MESSAGES; i += BATCH) {
      const count = Math.min(BATCH, MESSAGES - i);
      await producer.sendBatch(Array.from({ length: count }, (_, j) => ({ topic, body: orderBody(i + j), tags: (i + j) % 10 === 0 ? 'Audit' : 'Order', keys: [`k-${i + j}`] })));
    }
    const seedMs = performance.now() - seedStarted;

    const scans: [string, Record<string, unknown>][] = [
      ['baseline: plain scan, pull only (no filter)', {}],
      ['body regex  "status":"(REFUNDED|VOID)"|ORDER-\\d{4}007\\b', { body: '"status":"(REFUNDED|VOID)"|ORDER-\\d{4}007\\b', bodyMode: 'regex' }],
      ['body regex, ignoring case  refunded', { body: 'refunded', bodyMode: 'regex', ignoreCase: true }],
      ['body substring  "REFUNDED"', { body: '"REFUNDED"' }],
      ['JSON filter  $.order.status == "REFUNDED"', { json: '$.order.status == "REFUNDED"' }],
      ['tag (filtered by the broker)  Audit', { tag: 'Audit' }],
    ];
    process.stdout.write(`\nexplorer scan speed: ${MESSAGES.toLocaleString('en-US')} JSON messages (~${orderBody(1).length} B) over 4 queues; NameServer, Broker and scanner in one process\n`);
    row('setup: messages sent (batches of 200)', `${(seedMs / 1000).toFixed(1)} s`);
    // Warm-up (JIT, page cache), not measured; then each kind in turn, five rounds, so load spikes spread over all.
    const samples = new Map<string, { ms: number; scanned: number; matched: number; stop: string }[]>();
    for (let round = -1; round < 5; round++) {
      for (const [label, filters] of round < 0 ? scans.slice(0, 1) : scans) {
        const request = scanRequestSchema.parse({ topic, seek: 'oldest', maxMessages: 1_000_000, maxResults: 500, maxSeconds: 60, ...filters });
        const plan = await planScan(admin, request);
        if (!plan.ok) throw new Error(JSON.stringify(plan.fields));
        const compiled = compileFilters(request);
        const started = performance.now();
        // Every scan reads all messages: the results are counted, not kept, so no results bound applies.
        const outcome = await runScan(plan.queues, compiled, { maxMessages: request.maxMessages, maxResults: Number.MAX_SAFE_INTEGER, maxMs: request.maxSeconds * 1000 }, adminPull(admin), { onMatches: () => undefined, shouldStop: () => null });
        const ms = performance.now() - started;
        await compiled.close();
        if (round >= 0) samples.set(label, [...(samples.get(label) ?? []), { ms, scanned: outcome.scanned, matched: outcome.matched, stop: outcome.stopReason }]);
      }
    }
    for (const [label] of scans) {
      const median = samples.get(label)!.sort((a, b) => a.ms - b.ms)[2]!;
      row(label, `${Math.round((median.scanned / median.ms) * 1000).toLocaleString('en-US').padStart(9)} msg/s  (${median.scanned} scanned, ${median.matched} matched, ${median.ms.toFixed(0)} ms, ${median.stop})`);
    }
  } finally {
    await producer.shutdown();
    await admin.close();
    await cluster.stop();
  }
}

/** Send → receive over a plain long-polling pull from the queue ends: what a tail cannot beat. */
async function pullBaseline(namesrvAddr: string, topic: string): Promise<number[]> {
  const admin = new AdminClient({ namesrvAddr, timeoutMs: 10_000 });
  const producer = new Producer({ namesrvAddr, groupName: 'PG_tail_baseline' });
  const delays: number[] = [];
  let stopped = false;
  let loops: Promise<void>[] = [];
  try {
    await producer.start();
    const route = (await admin.getTopicRoute(topic))!;
    const addr = route.brokerDatas[0]!.brokerAddrs['0']!;
    const queues = route.queueDatas[0]!.readQueueNums;
    const starts = await Promise.all(Array.from({ length: queues }, (_, queueId) => admin.maxOffset(addr, topic, queueId)));
    loops = starts.map(async (start, queueId) => {
      let offset = start;
      while (!stopped) {
        const r = await admin.pullOnce(addr, { consumerGroup: 'TOOLS_CONSUMER', topic, queueId, offset, maxNums: PULL_MESSAGES_MAX, suspendMs: 5_000 }).catch(() => null);
        if (!r) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        const at = Date.now();
        for (const m of r.messages) delays.push(at - m.bornTimestamp);
        offset = Math.max(offset, r.nextBeginOffset);
      }
    });
    for (let i = 0; i < TAIL_MESSAGES; i++) {
      await producer.send({ topic, body: `baseline ${i}` });
      await new Promise((r) => setTimeout(r, TAIL_SEND_INTERVAL_MS));
    }
    await waitFor(() => delays.length >= TAIL_MESSAGES, { timeoutMs: 20_000, message: () => `baseline received ${delays.length} of ${TAIL_MESSAGES}` });
    return delays;
  } finally {
    stopped = true;
    await producer.shutdown();
    await admin.close();
    await Promise.allSettled(loops);
  }
}

async function tailDelay(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-explorer-bench-'));
  const base = `http://127.0.0.1:${PORTS.console}`;
  const namesrvAddr = `127.0.0.1:${PORTS.namesrv}`;
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'scripts', 'start.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NAMESRV_ADDR: '', ROCKETDECK_HOME: home, NAMESRV_PORT: String(PORTS.namesrv), BROKER_PORT: String(PORTS.broker), BROKER_FAST_PORT: 'off', GRPC_PORT: 'off', PORT: String(PORTS.console), HOST: '127.0.0.1', BROKER_IP1: '127.0.0.1' },
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const admin = new AdminClient({ namesrvAddr, timeoutMs: 10_000 });
  const producer = new Producer({ namesrvAddr, groupName: 'PG_tail_bench' });
  try {
    process.stderr.write('tail bench: starting the product on bench ports ...\n');
    await waitFor(async () => (await fetch(`${base}/api/status`)).ok, { timeoutMs: 300_000, intervalMs: 500, message: 'the product did not start' });
    const topic = 'ExplorerTailBench';
    for (const addr of (await admin.masterAddresses()).values()) await admin.createOrUpdateTopic(addr, { topicName: topic, readQueueNums: 4, writeQueueNums: 4, perm: 6 });
    await waitFor(async () => (await admin.getTopicRoute(topic)) !== null, { timeoutMs: 60_000, intervalMs: 200 });
    await producer.start();
    await producer.send({ topic, body: 'warm up' });

    const page = await browser.newPage();
    // Records, in the page, when each tail row appears: now − the message's bornTimestamp (same machine clock).
    await page.addInitScript(() => {
      const seen: number[] = [];
      (window as unknown as { __tailDelays: number[] }).__tailDelays = seen;
      new MutationObserver((records) => {
        const now = Date.now(); // the wall clock, like bornTimestamp (timeOrigin + now() drifts from it)
        for (const r of records) for (const n of r.addedNodes) if (n instanceof HTMLElement) for (const tr of n.matches('tr[data-born]') ? [n] : n.querySelectorAll<HTMLElement>('tr[data-born]')) if (tr.closest('[data-testid=tail-rows]')) seen.push(now - Number(tr.dataset.born));
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${base}/explorer?topic=${topic}&tab=tail`);
    const form = page.getByRole('form', { name: 'Live tail' });
    await form.locator('input[name=tail-rate]').fill('200');
    await form.getByRole('button', { name: 'Start tail' }).click();
    await page.getByTestId('tail-state').filter({ hasText: 'live' }).waitFor({ timeout: 60_000 });
    for (let i = 0; i < TAIL_MESSAGES; i++) {
      await producer.send({ topic, body: JSON.stringify({ n: i }) });
      await new Promise((r) => setTimeout(r, TAIL_SEND_INTERVAL_MS));
    }
    process.stderr.write('tail bench: messages sent, waiting for the page\n');
    await page.waitForFunction((n) => (window as unknown as { __tailDelays: number[] }).__tailDelays.length >= n, TAIL_MESSAGES, { timeout: 30_000 });
    const inBrowser = (await page.evaluate(() => (window as unknown as { __tailDelays: number[] }).__tailDelays)).sort((a, b) => a - b);
    await page.close();
    const baseline = (await pullBaseline(namesrvAddr, topic)).sort((a, b) => a - b);

    process.stdout.write(`\nlive tail delay: ${TAIL_MESSAGES} messages sent at ${1000 / TAIL_SEND_INTERVAL_MS}/s to 4 queues; product on bench ports, Chromium on the Live tail page\n`);
    const line = (label: string, d: number[]) => row(label, `median ${quantile(d, 0.5).toFixed(1)} ms   p95 ${quantile(d, 0.95).toFixed(1)} ms   max ${d[d.length - 1]!.toFixed(1)} ms   (${d.length})`);
    line('baseline: send → plain long-polling pull received', baseline);
    line('send → row shown in the browser (tail over SSE)', inBrowser);
  } finally {
    await producer.shutdown().catch(() => undefined);
    await admin.close();
    await browser.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only !== 'tail') await scanSpeed();
  if (only !== 'scan') await tailDelay();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`explorer bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
