/** The Dashboard's collector against a real NameServer + Broker: samples land on disk and survive a restart. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AdminClient } from '@broker/client/admin-client';
import { Producer } from '@broker/client/producer';
import { startTestCluster, type TestCluster } from '@broker/testing/start-test-cluster';
import { dayOf, MetricsCollector, readDay } from './metrics';

let cluster: TestCluster;
let admin: AdminClient;
let dir: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-collector-'));
}, 30_000);

afterAll(async () => {
  await admin?.close();
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('records broker TPS and the growth of each topic, one JSON line per sample, and keeps them across a restart', async () => {
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'Collected', readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  const collector = new MetricsCollector(admin, { dir, intervalMs: 60_000 });
  const t0 = Date.now();
  const first = await collector.sampleOnce(t0);
  expect(Object.keys(first!.brokers)).toEqual(['broker-a#0']);
  expect(first!.topics).toEqual({});

  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_collector' });
  await producer.start();
  for (let i = 0; i < 30; i++) await producer.send({ topic: 'Collected', body: `m${i}` });
  await producer.shutdown();
  const second = await collector.sampleOnce(t0 + 10_000);
  expect(second!.topics).toEqual({ Collected: 3 }); // 30 messages over 10 s

  // A restarted console: a new collector appends to the same day's file; nothing is lost.
  const restarted = new MetricsCollector(admin, { dir, intervalMs: 60_000 });
  await restarted.sampleOnce(t0 + 20_000);
  const day = readDay(dayOf(t0), dir);
  expect(day.map((s) => s.t)).toEqual([t0, t0 + 10_000, t0 + 20_000]);
  expect(day[1]!.topics.Collected).toBe(3);
});

it('reports a cluster it cannot reach instead of throwing', async () => {
  const dead = new AdminClient({ namesrvAddr: '127.0.0.1:1', timeoutMs: 500 });
  const collector = new MetricsCollector(dead, { dir, intervalMs: 60_000 });
  expect(await collector.sampleOnce()).toBeNull();
  expect(collector.lastError).toContain('no NameServer answered');
  await dead.close();
});
