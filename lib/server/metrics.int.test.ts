/**
 * The collector against a real NameServer + Broker with real clients: broker TPS, each topic's in/out TPS and
 * each group's lag and rates land in the history store, survive a restart of the console, and a group that
 * stops consuming shows its lag growing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AdminClient } from '@broker/client/admin-client';
import { Producer } from '@broker/client/producer';
import { PushConsumer } from '@broker/client/push-consumer';
import { RocketMQLikeAdmin } from '@broker/testing/rocketmq-like-admin';
import { startTestCluster, type TestCluster } from '@broker/testing/start-test-cluster';
import { waitFor } from '@broker/testing/wait-for';
import { drainEstimate } from './history';
import { HistoryStore } from './history-store';
import { dayOf, daySummary, MetricsCollector } from './metrics';

let cluster: TestCluster;
let admin: AdminClient;
let producer: Producer;
let dir: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
  producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_collector' });
  await producer.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-collector-'));
}, 30_000);

afterAll(async () => {
  await producer?.shutdown();
  await admin?.close();
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function send(topic: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await producer.send({ topic, body: `m${i}` });
}

/** A consumer of the group takes `n` messages from its committed offsets (or the first), commits and leaves. */
async function consume(group: string, topic: string, n: number): Promise<void> {
  const consumer = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
  consumer.subscribe(topic, '*');
  let consumed = 0;
  consumer.registerMessageListener((messages) => void (consumed += messages.length));
  await consumer.start();
  try {
    await waitFor(() => consumed >= n, { timeoutMs: 20_000 });
    await consumer.persistOffsets();
  } finally {
    await consumer.shutdown();
  }
}

it('records broker TPS, topic in/out TPS and group lag from one consume-stats call per broker, and keeps them across a restart', async () => {
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'Collected', readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'Unconsumed', readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  await send('Collected', 10);
  await consume('CG_collected', 'Collected', 10);

  const collector = new MetricsCollector(admin, { dir, intervalMs: 60_000 });
  const t0 = Date.now();
  const first = await collector.sampleOnce(t0);
  expect(Object.keys(first!.brokers)).toEqual(['broker-a#0']);
  expect(first!.topicRates).toEqual({}); // no rates before a second sample
  expect(first!.groupRates.CG_collected).toBeUndefined(); // caught up, no traffic known yet

  // 30 more messages on Collected (nobody consumes them now) and 20 on a topic no group consumes.
  await send('Collected', 30);
  await send('Unconsumed', 20);
  const second = await collector.sampleOnce(t0 + 10_000);
  expect(second!.topicRates).toEqual({ Collected: { inTps: 3, outTps: 0 }, Unconsumed: { inTps: 2, outTps: 0 } });
  expect(second!.groupRates.CG_collected).toEqual({ lag: 30, consumeTps: 0, produceTps: 3 });

  // The group consumes the 30 (a new consumer takes up from the committed offsets).
  await consume('CG_collected', 'Collected', 30);
  const third = await collector.sampleOnce(t0 + 20_000);
  expect(third!.topicRates).toEqual({ Collected: { inTps: 0, outTps: 3 } });
  expect(third!.groupRates.CG_collected).toEqual({ lag: 0, consumeTps: 3, produceTps: 0 });

  // A restarted console: a new collector (rates known again from its second sample) appends to the same day.
  const restarted = new MetricsCollector(admin, { dir, intervalMs: 60_000 });
  await restarted.sampleOnce(t0 + 30_000);
  await send('Collected', 5);
  const fifth = await restarted.sampleOnce(t0 + 40_000);
  expect(fifth!.groupRates.CG_collected).toEqual({ lag: 5, consumeTps: 0, produceTps: 0.5 });

  const store = new HistoryStore({ dir });
  const series = store.series('group', ['CG_collected'], t0, t0 + 40_000).get('CG_collected')!;
  expect(series.map((p) => p.t)).toEqual([t0, t0 + 10_000, t0 + 20_000, t0 + 30_000, t0 + 40_000]);
  // The first sample of each collector knows no rates (null): a gap in the charts, not a drop to zero.
  expect(series.map((p) => p.v)).toEqual([[0, null, null], [30, 0, 3], [0, 3, 0], [0, null, null], [5, 0, 0.5]]);
  expect(store.series('topic', ['Collected'], t0, t0 + 40_000).get('Collected')!.map((p) => p.v)).toEqual([[null, null], [3, 0], [0, 3], [null, null], [0.5, 0]]);
  expect(drainEstimate(series.slice(0, 2))).toMatchObject({ status: 'not_draining', lag: 30, lagChange: 30 });
  const day = daySummary(store, dayOf(t0));
  expect(day.topTopics).toEqual([{ topic: 'Collected', messages: 35 }, { topic: 'Unconsumed', messages: 20 }]);
  expect(day.samples).toBe(5);
});

it('reports a cluster it cannot reach instead of throwing', async () => {
  const dead = new AdminClient({ namesrvAddr: '127.0.0.1:1', timeoutMs: 500 });
  const collector = new MetricsCollector(dead, { dir, intervalMs: 60_000 });
  expect(await collector.sampleOnce()).toBeNull();
  expect(collector.lastError).toContain('no NameServer answered');
  await dead.close();
});

it('reads each topic on a broker without Rocketdeck\'s max-offset table (as Apache RocketMQ), and none while its put counter stands still', async () => {
  const plain = new RocketMQLikeAdmin({ namesrvAddr: cluster.namesrvAddr });
  try {
    const collector = new MetricsCollector(plain, { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-collector-plain-')), intervalMs: 60_000 });
    const t0 = Date.now();
    await collector.sampleOnce(t0);
    const perSample = plain.topicStatsCalls;
    expect(perSample).toBeGreaterThanOrEqual(1); // Unconsumed (and any other topic no group consumes)
    await collector.sampleOnce(t0 + 10_000); // nothing was put since: no topic stats asked
    expect(plain.topicStatsCalls).toBe(perSample);
    await send('Unconsumed', 10);
    const third = await collector.sampleOnce(t0 + 20_000);
    expect(plain.topicStatsCalls).toBe(2 * perSample);
    expect(third!.topicRates.Unconsumed).toEqual({ inTps: 1, outTps: 0 });
    fs.rmSync(collector.store.dir, { recursive: true, force: true });
  } finally {
    await plain.close();
  }
});
