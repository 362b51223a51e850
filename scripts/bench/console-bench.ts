/**
 * `npm run bench:console`: how the console's list endpoints hold up with many topics and groups. Starts a
 * NameServer + Broker on test ports, creates CONSOLE_BENCH_TOPICS topics (10,000) and CONSOLE_BENCH_GROUPS
 * subscription groups (2,000), then times what the Topic page's GET /api/topics does (topic list + cluster
 * info), the Consumer page's list build (cold, then cached), and the history collector's samples — beside a
 * baseline of one GET_BROKER_RUNTIME_INFO round trip and of one GET_CONSUME_STATS per group, measured in the
 * same run. Each group gets committed offsets on one topic and, before the measured sample, one message lands
 * on each of those topics, so every group has lag and that many topics have traffic: the bytes the sample adds
 * to the history store, times the samples of a day, are its disk use per day. Not a test: nothing is asserted.
 */
import fs from 'node:fs';
import { AdminClient } from '../../broker-core/client/admin-client';
import { RocketMQLikeAdmin } from '../../broker-core/testing/rocketmq-like-admin';
import { startTestCluster } from '../../broker-core/testing/start-test-cluster';
import { mapLimit } from '../../lib/server/concurrency';
import { groupList } from '../../lib/server/consumers';
import { Producer } from '../../broker-core/client/producer';
import { MetricsCollector } from '../../lib/server/metrics';

const TOPICS = Number(process.env.CONSOLE_BENCH_TOPICS ?? 10_000);
const GROUPS = Number(process.env.CONSOLE_BENCH_GROUPS ?? 2_000);

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push((await time(fn))[0]);
  return samples.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

async function main(): Promise<void> {
  const cluster = await startTestCluster();
  const admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr, timeoutMs: 30_000 });
  const dir = fs.mkdtempSync('/tmp/rocketdeck-console-bench-');
  try {
    const [createTopicsMs] = await time(() =>
      mapLimit(Array.from({ length: TOPICS }, (_, i) => `BenchTopic_${i}`), 32, (topicName) => admin.createOrUpdateTopic(cluster.brokerAddr, { topicName, readQueueNums: 4, writeQueueNums: 4, perm: 6 })),
    );
    const [createGroupsMs] = await time(() =>
      mapLimit(Array.from({ length: GROUPS }, (_, i) => `BenchGroup_${i}`), 32, (groupName) => admin.createOrUpdateSubscriptionGroup(cluster.brokerAddr, { groupName })),
    );
    // Wait until the NameServer has every topic (registration is coalesced).
    for (let i = 0; i < 100 && (await admin.getTopicList()).length < TOPICS; i++) await new Promise((r) => setTimeout(r, 200));

    const baseline = await median(9, () => admin.getBrokerRuntimeInfo(cluster.brokerAddr));
    let topicCount = 0;
    const topicsMs = await median(5, async () => {
      const [topics] = await Promise.all([admin.getTopicList(), admin.getClusterInfo()]);
      topicCount = topics.length;
    });
    const [coldGroupsMs, list] = await time(() => groupList(admin, { fresh: true }));
    const cachedGroupsMs = await median(9, () => groupList(admin));
    // History: every group has offsets on one topic; then one message on each of those topics.
    await mapLimit(Array.from({ length: GROUPS }, (_, i) => i), 32, (i) => Promise.all([0, 1, 2, 3].map((q) => admin.updateConsumerOffset(cluster.brokerAddr, `BenchGroup_${i}`, `BenchTopic_${i % TOPICS}`, q, 0))));
    const calls = countCalls(admin);
    const [perGroupMs] = await time(() => mapLimit(Array.from({ length: GROUPS }, (_, i) => `BenchGroup_${i}`), 16, (g) => admin.getConsumeStats(cluster.brokerAddr, g)));
    const [brokerStatsMs] = await time(() => admin.getBrokerConsumeStats(cluster.brokerAddr));
    const collector = new MetricsCollector(admin, { dir, intervalMs: 60_000 });
    calls.reset();
    const [firstSampleMs] = await time(() => collector.sampleOnce());
    const firstCalls = calls.snapshot();
    const idleBytes = collector.store.diskBytes();
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_console_bench' });
    await producer.start();
    await mapLimit(Array.from({ length: GROUPS }, (_, i) => i), 32, (i) => producer.send({ topic: `BenchTopic_${i % TOPICS}`, body: 'x' }));
    await producer.shutdown();
    calls.reset();
    const before = collector.store.diskBytes();
    const [sampleMs, sample] = await time(() => collector.sampleOnce());
    const sampleBytes = collector.store.diskBytes() - before;
    const sampleCalls = calls.snapshot();
    // A steady-state sample: the same traffic again (the day's totals file now only changes, it is not new).
    const again = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_console_bench' });
    await again.start();
    await mapLimit(Array.from({ length: GROUPS }, (_, i) => i), 32, (i) => again.send({ topic: `BenchTopic_${i % TOPICS}`, body: 'x' }));
    await again.shutdown();
    const steadyBefore = collector.store.diskBytes();
    await collector.sampleOnce();
    const steadyBytes = collector.store.diskBytes() - steadyBefore;
    // The same sample from a broker that answers GET_ALL_TOPIC_CONFIG as RocketMQ does (no max-offset table):
    // one GET_TOPIC_STATS_INFO per topic no group consumes (after a put; none while the broker is idle).
    const plain = new RocketMQLikeAdmin({ namesrvAddr: cluster.namesrvAddr, timeoutMs: 30_000 });
    const plainCollector = new MetricsCollector(plain, { dir: `${dir}-plain`, intervalMs: 60_000 });
    const [plainFirstMs] = await time(() => plainCollector.sampleOnce());
    const [plainIdleMs] = await time(() => plainCollector.sampleOnce());
    const plainCalls = plain.topicStatsCalls;
    await plain.close();
    fs.rmSync(`${dir}-plain`, { recursive: true, force: true });
    const rss = process.memoryUsage().rss;

    const row = (label: string, value: string) => process.stdout.write(`${label.padEnd(58)} ${value}\n`);
    process.stdout.write(`\nconsole list endpoints, ${TOPICS} topics and ${GROUPS} groups (one process: NameServer + Broker + admin calls)\n`);
    row('setup: create topics (32 in flight)', `${(createTopicsMs / 1000).toFixed(1)} s`);
    row('setup: create subscription groups (32 in flight)', `${(createGroupsMs / 1000).toFixed(1)} s`);
    row('baseline: one GET_BROKER_RUNTIME_INFO round trip (median)', `${baseline.toFixed(2)} ms`);
    row(`Topic page data: topic list (${topicCount}) + cluster info (median)`, `${topicsMs.toFixed(1)} ms`);
    row(`Consumer page list, cold build (${list.groups.length} groups)`, `${coldGroupsMs.toFixed(0)} ms`);
    row('Consumer page list, cached (median)', `${cachedGroupsMs.toFixed(3)} ms`);
    row(`baseline: one GET_CONSUME_STATS per group (${GROUPS}, 16 in flight)`, `${perGroupMs.toFixed(0)} ms`);
    row('one GET_BROKER_CONSUME_STATS (every group of the broker)', `${brokerStatsMs.toFixed(0)} ms`);
    row('collector sample, first (levels only, no rates yet)', `${firstSampleMs.toFixed(0)} ms  (${firstCalls})`);
    row(`collector sample, ${Object.keys(sample!.groupRates).length} groups with lag, ${Object.keys(sample!.topicRates).length} topics with traffic`, `${sampleMs.toFixed(0)} ms  (${sampleCalls})`);
    row(`collector sample from a RocketMQ-like broker (no max-offset table)`, `${plainFirstMs.toFixed(0)} ms  (getTopicStats ${plainCalls}); next sample, broker idle: ${plainIdleMs.toFixed(0)} ms`);
    row('history bytes: first sample (idle cluster)', `${idleBytes} B`);
    row('history bytes: that sample (the day\'s totals file is new)', `${(sampleBytes / 1024).toFixed(1)} KiB`);
    row('history bytes: the next such sample (steady state)', `${(steadyBytes / 1024).toFixed(1)} KiB -> ${((steadyBytes * 1440) / 1048576).toFixed(0)} MiB/day at one sample a minute`);
    row('process RSS after all of it', `${(rss / 1048576).toFixed(0)} MB`);
  } finally {
    await admin.close();
    await cluster.stop();
    if (process.env.CONSOLE_BENCH_KEEP) process.stdout.write(`history kept in ${dir}\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Counts the admin requests made through the client, by method (the collector's calls per sample). */
function countCalls(admin: AdminClient): { reset(): void; snapshot(): string } {
  const counts = new Map<string, number>();
  const target = admin as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['getClusterInfo', 'getBrokerRuntimeInfo', 'getAllTopicConfigWithMaxOffsets', 'getBrokerConsumeStats', 'getTopicStats', 'getConsumeStats', 'getTopicRoute']) {
    const original = target[name]!.bind(admin);
    target[name] = (...args: unknown[]) => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return original(...args);
    };
  }
  return {
    reset: () => counts.clear(),
    snapshot: () => [...counts].map(([name, n]) => `${name} ${n}`).join(', '),
  };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`console bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
