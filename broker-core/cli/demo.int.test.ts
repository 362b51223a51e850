/**
 * `rocketdeck demo` against a real NameServer + Broker: while it runs, its topics exist and take messages, the
 * online group is connected, the slow group lags, the failing group's DLQ fills, and the traced message has its
 * trace (Pub and the consumer's SubBefore / SubAfter); stopped, it says so and exits 0.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AdminClient } from '../client/admin-client';
import { startTestCluster, type TestCluster } from '../testing/start-test-cluster';
import { waitFor } from '../testing/wait-for';
import { DEMO_GROUPS, DEMO_TOPICS, DEMO_TRACED_KEY, runDemo } from './demo';

let cluster: TestCluster;
let admin: AdminClient;
beforeAll(async () => {
  cluster = await startTestCluster();
  admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
});
afterAll(async () => {
  await admin?.close();
  await cluster?.stop();
});

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (out += c.toString()));
  let stop!: () => void;
  const stopSignal = new Promise<void>((resolve) => (stop = resolve));
  return { io: { stdout, stderr, env: {}, stopSignal }, output: () => out, stop };
}

const topicMessages = async (topic: string) => (await admin.getTopicStats(cluster.brokerAddr, topic)).offsetTable.reduce((sum, o) => sum + o.offset.maxOffset, 0);

it('makes topics, an online, a lagging and a failing group with a DLQ, and a traced message', async () => {
  const demo = io();
  const running = runDemo(['-n', cluster.namesrvAddr], demo.io);
  try {
    await waitFor(() => /traced\s+msgId (\S+)/.test(demo.output()), { timeoutMs: 30_000, message: () => `no traced message in:\n${demo.output()}` });
    const msgId = /traced\s+msgId (\S+)/.exec(demo.output())![1]!;
    for (const topic of Object.values(DEMO_TOPICS)) await waitFor(async () => (await topicMessages(topic)) > 0, { timeoutMs: 20_000, message: `${topic} holds nothing` });
    expect((await admin.getConsumerConnectionList(cluster.brokerAddr, DEMO_GROUPS.online))?.connections.length).toBe(1);
    await waitFor(async () => {
      const stats = await admin.getConsumeStats(cluster.brokerAddr, DEMO_GROUPS.lagging, DEMO_TOPICS.audit);
      return stats.offsetTable.reduce((lag, o) => lag + o.brokerOffset - Math.max(0, o.consumerOffset), 0) >= 5;
    }, { timeoutMs: 30_000, message: 'the slow group does not lag' });
    await waitFor(async () => (await topicMessages(`%DLQ%${DEMO_GROUPS.failing}`).catch(() => 0)) > 0, { timeoutMs: 30_000, message: 'the DLQ stays empty' });
    await waitFor(async () => {
      const types = (await admin.queryTrace(msgId)).map((r) => r.type);
      return types.includes('Pub') && types.includes('SubAfter');
    }, { timeoutMs: 30_000, message: 'no trace of the traced message' });
    expect((await admin.queryMessageByKey(DEMO_TOPICS.orders, DEMO_TRACED_KEY)).length).toBeGreaterThanOrEqual(1);
  } finally {
    demo.stop();
  }
  expect(await running).toBe(0);
  expect(demo.output()).toMatch(/Stopped after \d+ orders/);
}, 120_000);

it('refuses a bad option with the usage, and fails with a reason when no broker answers', async () => {
  const bad = io();
  expect(await runDemo(['-t', 'soon'], bad.io)).toBe(1);
  expect(bad.output()).toContain('-t takes a whole number of seconds');
  expect(bad.output()).toContain('usage: rocketdeck demo');
});
