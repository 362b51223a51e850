/**
 * Delayed messages and the retry → dead-letter path against a broker with an accelerated delay table
 * ("1s 1s 1s 2s 3s": level 1 = 1 s … level 5 = 3 s). RocketMQ's rule: the n-th retry waits level n + 2.
 */
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { useTestCluster } from '../testing/use-test-cluster';
import { waitFor } from '../testing/wait-for';
import type { MessageExt } from './message';
import { Producer } from './producer';
import { PushConsumer } from './push-consumer';

const DELAYS_MS = [1_000, 1_000, 1_000, 2_000, 3_000];
const fx = useTestCluster({ broker: { messageDelayLevel: '1s 1s 1s 2s 3s' } });

async function producer(group: string): Promise<Producer> {
  const p = new Producer({ namesrvAddr: fx.cluster.namesrvAddr, groupName: group });
  await p.start();
  fx.closeLater(() => p.shutdown());
  return p;
}

function consumer(group: string, topic: string, listener: (m: MessageExt) => 'CONSUME_SUCCESS' | 'RECONSUME_LATER', extra: { maxReconsumeTimes?: number } = {}): PushConsumer {
  const c = new PushConsumer({ namesrvAddr: fx.cluster.namesrvAddr, groupName: group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', ...extra });
  c.subscribe(topic, '*').registerMessageListener((messages) => listener(messages[0]!));
  fx.closeLater(() => c.shutdown());
  return c;
}

it('delivers each delay level no earlier than due, clamps levels above the table, and reports the lateness', async () => {
  await fx.admin.createOrUpdateTopic(fx.cluster.brokerAddr, { topicName: 'Delayed', readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  const p = await producer('PG_delay');
  const due = new Map<string, number>();
  const late: number[] = [];
  const c = consumer('CG_delay', 'Delayed', (m) => {
    const body = m.body.toString();
    late.push(Date.now() - due.get(body)!);
    return 'CONSUME_SUCCESS';
  });
  await c.start();
  for (const level of [1, 4, 5, 9]) {
    for (let i = 0; i < 3; i++) {
      const body = `level-${level}-${i}`;
      const sentAt = Date.now();
      due.set(body, sentAt + DELAYS_MS[Math.min(level, DELAYS_MS.length) - 1]!);
      await p.send({ topic: 'Delayed', body, delayLevel: level });
    }
  }
  await waitFor(() => late.length >= 12, { timeoutMs: 20_000, message: () => `delivered ${late.length} of 12` });
  // Never early (the due time was taken before the send, so the store time is later still) …
  expect(Math.min(...late)).toBeGreaterThanOrEqual(0);
  // … and not much late: the schedule service ticks every 100 ms, the consumer's long poll wakes at once.
  expect(Math.max(...late)).toBeLessThan(1_500);
  const sorted = [...late].sort((a, b) => a - b);
  process.stdout.write(`delay lateness over ${late.length} messages: median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms\n`);
}, 40_000);

it('a delayed message survives a broker restart and is delivered once, after its due time', async () => {
  await fx.admin.createOrUpdateTopic(fx.cluster.brokerAddr, { topicName: 'DelayedRestart', readQueueNums: 1, writeQueueNums: 1, perm: 6 });
  const p = await producer('PG_delay_restart');
  const sentAt = Date.now();
  await p.send({ topic: 'DelayedRestart', body: 'after-restart', delayLevel: 5 }); // 3 s
  await fx.cluster.restartBroker();
  const arrivals: number[] = [];
  const c = consumer('CG_delay_restart', 'DelayedRestart', () => {
    arrivals.push(Date.now());
    return 'CONSUME_SUCCESS';
  });
  await c.start();
  await waitFor(() => arrivals.length >= 1, { timeoutMs: 15_000, message: 'the delayed message was lost across the restart' });
  await new Promise((r) => setTimeout(r, 1_000));
  expect(arrivals).toHaveLength(1);
  expect(arrivals[0]! - sentAt).toBeGreaterThanOrEqual(3_000);
}, 40_000);

it('retries a failing message at levels 3, 4 (… n + 2) and dead-letters it after maxReconsumeTimes, keeping its origin', async () => {
  await fx.admin.createOrUpdateTopic(fx.cluster.brokerAddr, { topicName: 'Poison', readQueueNums: 1, writeQueueNums: 1, perm: 6 });
  const p = await producer('PG_poison');
  const deliveries: { at: number; reconsumeTimes: number; topic: string; msgId: string }[] = [];
  const c = consumer('CG_poison', 'Poison', (m) => {
    deliveries.push({ at: Date.now(), reconsumeTimes: m.reconsumeTimes, topic: m.topic, msgId: m.msgId });
    return 'RECONSUME_LATER';
  }, { maxReconsumeTimes: 2 });
  await c.start();
  const sent = await p.send({ topic: 'Poison', body: 'never works', keys: ['poison-1'] });
  await waitFor(async () => deliveries.length >= 3 && (await fx.admin.maxOffset(fx.cluster.brokerAddr, '%DLQ%CG_poison', 0).catch(() => 0)) === 1,
    { timeoutMs: 20_000, message: () => `${deliveries.length} deliveries so far` });
  await new Promise((r) => setTimeout(r, 2_500)); // nothing more comes
  expect(deliveries.map((d) => d.reconsumeTimes)).toEqual([0, 1, 2]);
  expect(deliveries.every((d) => d.topic === 'Poison' && d.msgId === sent.msgId)).toBe(true);
  // Retry 1 waited level 3 (1 s), retry 2 level 4 (2 s).
  const gap1 = deliveries[1]!.at - deliveries[0]!.at;
  const gap2 = deliveries[2]!.at - deliveries[1]!.at;
  expect(gap1).toBeGreaterThanOrEqual(900);
  expect(gap1).toBeLessThan(1_900);
  expect(gap2).toBeGreaterThanOrEqual(1_900);
  expect(gap2).toBeLessThan(2_900);

  const dead = await fx.admin.pullOnce(fx.cluster.brokerAddr, { consumerGroup: 'TOOLS_CONSUMER', topic: '%DLQ%CG_poison', queueId: 0, offset: 0, maxNums: 8 });
  expect(dead.messages).toHaveLength(1);
  const m = dead.messages[0]!;
  expect(m.body.toString()).toBe('never works');
  expect(m.msgId).toBe(sent.msgId);
  expect(m.properties.RETRY_TOPIC).toBe('Poison');
  expect(m.keys).toEqual(['poison-1']);
  expect(m.reconsumeTimes).toBe(3); // as RocketMQ: the send-back counts itself, then sees the limit
}, 40_000);

// ali-ons 3.12 (unmodified): its delayTimeLevel, and a thrown error in its consumer, take the same paths.
const require = createRequire(import.meta.url);
interface OnsClient {
  ready(): Promise<void>;
  close(): Promise<void>;
  on(event: string, listener: (err: Error) => void): void;
}
const ons = require('ali-ons') as {
  Producer: new (options: Record<string, unknown>) => OnsClient & { send(msg: unknown): Promise<{ sendStatus: string; msgId: string }> };
  Consumer: new (options: Record<string, unknown>) => OnsClient & { subscribe(topic: string, expression: string, handler: (msg: { body: Buffer; reconsumeTimes: number }) => Promise<void>): void };
  Message: new (topic: string, tags: string, body: string) => { delayTimeLevel: number };
};
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

it('ali-ons: a delayTimeLevel send waits its level, and a consumer that throws gets the message again with reconsumeTimes + 1', async () => {
  await fx.admin.createOrUpdateTopic(fx.cluster.brokerAddr, { topicName: 'OnsDelayRetry', readQueueNums: 1, writeQueueNums: 1, perm: 6 });
  const common = { nameSrv: fx.cluster.namesrvAddr, httpclient: {}, logger: quiet, clientIP: '127.0.0.1' };
  const producer = new ons.Producer({ ...common, producerGroup: 'PG_ons_delay', instanceName: 'ons-delay-p' });
  producer.on('error', () => {});
  fx.closeLater(() => producer.close().then(() => producer.on('error', () => {}))); // ali-ons re-emits its shared client's errors on a closed producer
  await producer.ready();

  const arrivals: { body: string; at: number; reconsumeTimes: number }[] = [];
  const consumer = new ons.Consumer({ ...common, consumerGroup: 'CG_ons_delay', instanceName: 'ons-delay-c', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
  consumer.on('error', () => {});
  fx.closeLater(() => consumer.close().then(() => consumer.on('error', () => {})));
  consumer.subscribe('OnsDelayRetry', '*', async (msg) => {
    const body = msg.body.toString();
    arrivals.push({ body, at: Date.now(), reconsumeTimes: msg.reconsumeTimes });
    if (body === 'fail-once' && msg.reconsumeTimes === 0) throw new Error('first attempt fails');
  });
  await consumer.ready();

  const delayed = new ons.Message('OnsDelayRetry', 'T', 'delayed-2s');
  delayed.delayTimeLevel = 4; // 2 s in this table
  const sentAt = Date.now();
  expect((await producer.send(delayed)).sendStatus).toBe('SEND_OK');
  expect((await producer.send(new ons.Message('OnsDelayRetry', 'T', 'fail-once'))).sendStatus).toBe('SEND_OK');

  await waitFor(() => arrivals.some((a) => a.body === 'delayed-2s') && arrivals.filter((a) => a.body === 'fail-once').length >= 2,
    { timeoutMs: 30_000, message: () => JSON.stringify(arrivals) });
  expect(arrivals.find((a) => a.body === 'delayed-2s')!.at - sentAt).toBeGreaterThanOrEqual(2_000);
  expect(arrivals.filter((a) => a.body === 'fail-once').map((a) => a.reconsumeTimes).slice(0, 2)).toEqual([0, 1]);
}, 45_000);
