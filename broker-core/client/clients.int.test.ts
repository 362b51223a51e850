/**
 * Rocketdeck's Producer, PushConsumer and PullConsumer against a real NameServer + Broker on test ports,
 * over TCP, on the real file store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../testing/start-test-cluster';
import { waitFor } from '../testing/wait-for';
import { AdminClient } from './admin-client';
import type { MessageQueue } from './client-instance';
import type { MessageExt } from './message';
import { Producer, selectByHash } from './producer';
import { PullConsumer } from './pull-consumer';
import { PushConsumer, type PushConsumerOptions } from './push-consumer';

let cluster: TestCluster;
let admin: AdminClient;
const closers: (() => Promise<void>)[] = [];
let tmp: string;

function common() {
  return { namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1' };
}

async function startProducer(group = 'PG_clients'): Promise<Producer> {
  const producer = new Producer({ ...common(), groupName: group });
  await producer.start();
  closers.push(() => producer.shutdown());
  return producer;
}

function pushConsumer(options: Omit<PushConsumerOptions, 'namesrvAddr'>, topic: string, expression: string, onMessage: (m: MessageExt) => void | Promise<void>): PushConsumer {
  const consumer = new PushConsumer({ ...common(), rebalanceIntervalMs: 2_000, ...options });
  consumer.subscribe(topic, expression);
  consumer.registerMessageListener(async (messages) => {
    for (const m of messages) await onMessage(m);
  });
  closers.push(() => consumer.shutdown());
  return consumer;
}

async function createTopic(topic: string, queues: number): Promise<void> {
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: topic, readQueueNums: queues, writeQueueNums: queues, perm: 6 });
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-clients-'));
  cluster = await startTestCluster({ broker: { messageDelayLevel: '1s 1s 1s 1s 2s' } });
  admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
}, 30_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await admin?.close();
  await cluster?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('Producer', () => {
  it('sends sync with the fields of RocketMQ SendResult; the message is found by its UNIQ_KEY and by key', async () => {
    await createTopic('ClientSend', 4);
    const producer = await startProducer();
    const result = await producer.send({ topic: 'ClientSend', body: 'hello', tags: 'TagA', keys: ['order-1', 'k2'], properties: { color: 'red' } });
    expect(result.sendStatus).toBe('SEND_OK');
    expect(result.msgId).toMatch(/^[0-9A-F]{32}$/);
    expect(result.offsetMsgId).toMatch(/^7F000001[0-9A-F]{24}$/);
    expect(result.msgId).not.toBe(result.offsetMsgId);
    expect(result.messageQueue.topic).toBe('ClientSend');
    expect(result.messageQueue.brokerName).toBe('broker-a');
    expect(result.queueOffset).toBe(0);
    expect(result.regionId).toBe('DefaultRegion');

    const byId = await admin.viewMessage(result.msgId, 'ClientSend');
    expect(byId?.body.toString()).toBe('hello');
    expect(byId?.tags).toBe('TagA');
    expect(byId?.keys).toEqual(['order-1', 'k2']);
    expect(byId?.properties.color).toBe('red');
    expect(byId?.offsetMsgId).toBe(result.offsetMsgId);
    const byOffsetId = await admin.viewMessage(result.offsetMsgId);
    expect(byOffsetId?.msgId).toBe(result.msgId);
    const byKey = await admin.queryMessageByKey('ClientSend', 'order-1');
    expect(byKey.map((m) => m.msgId)).toEqual([result.msgId]);
  });

  it('round-robins over the queues, compresses bodies above 4 KiB, and sends batches, oneway and callback sends', async () => {
    await createTopic('ClientMix', 4);
    const producer = await startProducer('PG_mix');
    const queues = new Set<number>();
    for (let i = 0; i < 8; i++) queues.add((await producer.send({ topic: 'ClientMix', body: `rr-${i}` })).messageQueue.queueId);
    expect(queues.size).toBe(4);

    const big = Buffer.alloc(64 * 1024, 'abcdefgh');
    const bigResult = await producer.send({ topic: 'ClientMix', body: big });
    const stored = await admin.viewMessage(bigResult.msgId, 'ClientMix');
    expect(stored!.sysFlag & 0x1).toBe(1);
    expect(stored!.storeSize).toBeLessThan(8 * 1024); // stored compressed
    expect(stored!.body.equals(big)).toBe(true); // read back inflated

    const batch = await producer.sendBatch([1, 2, 3].map((i) => ({ topic: 'ClientMix', body: `batch-${i}`, keys: `bk-${i}` })), { queue: { topic: 'ClientMix', brokerName: 'broker-a', queueId: 2 } });
    expect(batch.msgId.split(',')).toHaveLength(3);
    expect(batch.offsetMsgId.split(',')).toHaveLength(3);
    const first = await admin.queryMessageByKey('ClientMix', 'bk-1');
    expect(first[0]?.body.toString()).toBe('batch-1');
    expect(first[0]?.queueId).toBe(2);

    await producer.sendOneway({ topic: 'ClientMix', body: 'oneway', keys: 'ow-1' });
    await waitFor(async () => (await admin.queryMessageByKey('ClientMix', 'ow-1')).length === 1, { timeoutMs: 5_000 });

    const viaCallback = await new Promise<string>((resolve, reject) => {
      producer.sendAsync({ topic: 'ClientMix', body: 'cb' }, { onSuccess: (r) => resolve(r.sendStatus), onException: reject });
    });
    expect(viaCallback).toBe('SEND_OK');
  });

  it('sends messages with one sharding key to one queue, in order', async () => {
    await createTopic('ClientOrder', 8);
    const producer = await startProducer('PG_order');
    const byOrder = new Map<string, Set<number>>();
    for (let step = 0; step < 5; step++) {
      for (const order of ['o-1', 'o-2', 'o-3', 'o-4']) {
        const r = await producer.send({ topic: 'ClientOrder', body: `${order}:${step}` }, { selector: selectByHash, arg: order });
        byOrder.set(order, (byOrder.get(order) ?? new Set()).add(r.messageQueue.queueId));
      }
    }
    for (const queues of byOrder.values()) expect(queues.size).toBe(1);
  });

  it('gives clear errors: invalid topic, reserved property, empty body, unknown topic without auto-create', async () => {
    const producer = await startProducer('PG_errors');
    await expect(producer.send({ topic: 'bad topic!', body: 'x' })).rejects.toThrow(/illegal characters/);
    await expect(producer.send({ topic: 'ClientSend', body: 'x', properties: { UNIQ_KEY: 'mine' } })).rejects.toThrow(/reserved/);
    await expect(producer.send({ topic: 'ClientSend', body: '' })).rejects.toThrow(/length is zero/);
    const strict = await startTestCluster({ broker: { autoCreateTopicEnable: false } });
    try {
      const p = new Producer({ namesrvAddr: strict.namesrvAddr, clientIP: '127.0.0.1', groupName: 'PG_strict', sendMsgTimeoutMs: 2_000 });
      await p.start();
      await expect(p.send({ topic: 'NoSuchTopic', body: 'x' })).rejects.toMatchObject({ code: 'BROKER_ERR_NO_ROUTE' });
      await p.shutdown();
    } finally {
      await strict.stop();
    }
  });

  it('auto-creates an unknown topic through TBW102 (4 queues)', async () => {
    const producer = await startProducer('PG_auto');
    const result = await producer.send({ topic: 'ClientAutoCreated', body: 'first' });
    expect(result.sendStatus).toBe('SEND_OK');
    const route = await admin.getTopicRoute('ClientAutoCreated');
    expect(route?.queueDatas[0]?.writeQueueNums).toBe(4);
  });
});

describe('PushConsumer', () => {
  it('consumes every message once per group, filters by tag, and commits offsets', async () => {
    await createTopic('ClientPush', 4);
    const producer = await startProducer('PG_push');
    const all = new Map<string, number>();
    const tagged: string[] = [];
    const c1 = pushConsumer({ groupName: 'CG_push_all', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' }, 'ClientPush', '*', (m) => {
      all.set(m.body.toString(), (all.get(m.body.toString()) ?? 0) + 1);
    });
    const c2 = pushConsumer({ groupName: 'CG_push_tag', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' }, 'ClientPush', 'TagB || TagC', (m) => {
      tagged.push(`${m.tags}:${m.body.toString()}`);
    });
    await c1.start();
    await c2.start();
    for (let i = 0; i < 300; i++) await producer.send({ topic: 'ClientPush', body: `m-${i}`, tags: ['TagA', 'TagB', 'TagC'][i % 3]! });
    await waitFor(() => all.size === 300 && tagged.length === 200, { timeoutMs: 20_000, message: () => `got ${all.size}/300 and ${tagged.length}/200` });
    expect([...all.values()].every((n) => n === 1)).toBe(true);
    expect(tagged.every((t) => !t.startsWith('TagA'))).toBe(true);
    expect(c1.assignedQueues().filter((q) => q.topic === 'ClientPush')).toHaveLength(4);

    await c1.persistOffsets();
    const stats = await admin.examineConsumeStats('CG_push_all', 'ClientPush');
    expect(stats.offsetTable.reduce((sum, q) => sum + (q.brokerOffset - q.consumerOffset), 0)).toBe(0);
    const connection = await admin.examineConsumerConnection('CG_push_all');
    expect(connection?.connections.map((c) => c.clientId)).toEqual([c1.clientId]);
    expect(connection?.messageModel).toBe('CLUSTERING');
    expect(connection?.subscriptions.map((s) => s.topic).sort()).toEqual(['%RETRY%CG_push_all', 'ClientPush']);
  }, 40_000);

  it('retries a failed message through the retry topic with its original topic, id and reconsumeTimes', async () => {
    await createTopic('ClientRetry', 2);
    const producer = await startProducer('PG_retry');
    const seen: { body: string; topic: string; reconsumeTimes: number; msgId: string }[] = [];
    const consumer = pushConsumer({ groupName: 'CG_retry', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' }, 'ClientRetry', '*', (m) => {
      seen.push({ body: m.body.toString(), topic: m.topic, reconsumeTimes: m.reconsumeTimes, msgId: m.msgId });
      if (m.reconsumeTimes < 2) throw new Error('not yet');
    });
    await consumer.start();
    const sent = await producer.send({ topic: 'ClientRetry', body: 'flaky' });
    await waitFor(() => seen.length >= 3, { timeoutMs: 20_000, message: () => JSON.stringify(seen) });
    expect(seen.map((s) => s.reconsumeTimes)).toEqual([0, 1, 2]);
    expect(seen.every((s) => s.topic === 'ClientRetry' && s.body === 'flaky' && s.msgId === sent.msgId)).toBe(true);
  }, 30_000);

  it('rebalances 1 → 3 → 2 consumers over 8 queues: average allocation, no queue owned twice, every message consumed', async () => {
    await createTopic('ClientRebalance', 8);
    const producer = await startProducer('PG_rebalance');
    const received = new Set<string>();
    const make = (n: number) => pushConsumer({ groupName: 'CG_rebalance', instanceName: `rb-${n}`, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' }, 'ClientRebalance', '*', (m) => {
      received.add(m.body.toString());
    });
    const owned = (consumers: PushConsumer[]) => consumers.map((c) => c.assignedQueues().filter((q) => q.topic === 'ClientRebalance').map((q) => q.queueId));
    const byId = (list: PushConsumer[]) => [...list].sort((x, y) => (x.clientId < y.clientId ? -1 : 1));
    const settled = async (consumers: PushConsumer[], expected: number[][]) => {
      await waitFor(() => JSON.stringify(owned(byId(consumers))) === JSON.stringify(expected), {
        timeoutMs: 20_000,
        message: () => `owned ${JSON.stringify(owned(byId(consumers)))}, expected ${JSON.stringify(expected)}`,
      });
    };
    let sent = 0;
    const sendSome = async (n: number) => {
      for (let i = 0; i < n; i++) await producer.send({ topic: 'ClientRebalance', body: `r-${sent++}` });
    };

    const a = make(1);
    await a.start();
    await settled([a], [[0, 1, 2, 3, 4, 5, 6, 7]]);
    await sendSome(100);
    const b = make(2);
    const c = make(3);
    await b.start();
    await c.start();
    await sendSome(100);
    // AllocateMessageQueueAveragely: 8 queues over 3 sorted client ids → 3, 3, 2 contiguous queues.
    await settled([a, b, c], [[0, 1, 2], [3, 4, 5], [6, 7]]);
    await sendSome(100);
    await b.shutdown();
    await sendSome(100);
    await settled([a, c], [[0, 1, 2, 3], [4, 5, 6, 7]]);
    await sendSome(100);
    await waitFor(() => received.size === sent, { timeoutMs: 30_000, message: () => `received ${received.size}/${sent}` });
  }, 90_000);

  it('broadcasting: every consumer gets every message; offsets are kept in a local file', async () => {
    await createTopic('ClientBroadcast', 2);
    const producer = await startProducer('PG_broadcast');
    const got = [new Set<string>(), new Set<string>()];
    const consumers = [0, 1].map((i) => pushConsumer({ groupName: 'CG_broadcast', instanceName: `bc-${i}`, messageModel: 'BROADCASTING', offsetStoreDir: tmp, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' }, 'ClientBroadcast', '*', (m) => {
      got[i]!.add(m.body.toString());
    }));
    for (const c of consumers) await c.start();
    for (let i = 0; i < 50; i++) await producer.send({ topic: 'ClientBroadcast', body: `b-${i}` });
    await waitFor(() => got[0]!.size === 50 && got[1]!.size === 50, { timeoutMs: 20_000 });
    await consumers[0]!.shutdown();
    const file = path.join(tmp, '127.0.0.1@bc-0', 'CG_broadcast', 'offsets.json');
    const offsets = JSON.parse(fs.readFileSync(file, 'utf8')) as { offsets: { topic: string; offset: number }[] };
    expect(offsets.offsets.filter((o) => o.topic === 'ClientBroadcast').reduce((s, o) => s + o.offset, 0)).toBe(50);
  }, 40_000);

  it('follows an offset reset by time sent while it runs (RESET_CONSUMER_CLIENT_OFFSET), and answers running-info and consume-directly', async () => {
    await createTopic('ClientReset', 2);
    const producer = await startProducer('PG_reset');
    for (let i = 0; i < 20; i++) await producer.send({ topic: 'ClientReset', body: `x-${i}` });
    const seen: string[] = [];
    const consumer = pushConsumer({ groupName: 'CG_reset', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' }, 'ClientReset', '*', (m) => {
      seen.push(m.body.toString());
    });
    await consumer.start();
    await waitFor(() => seen.length === 20, { timeoutMs: 15_000 });
    const reset = await admin.resetOffsetByTimestamp('ClientReset', 'CG_reset', 0, true);
    expect(reset.map((r) => r.offset)).toEqual([0, 0]);
    await waitFor(() => seen.length === 40, { timeoutMs: 15_000, message: () => `seen ${seen.length}` });

    const info = await admin.getConsumerRunningInfo('CG_reset', consumer.clientId);
    expect((info.properties as Record<string, string>).PROP_CONSUME_TYPE).toBe('CONSUME_PASSIVELY');
    const result = await producer.send({ topic: 'ClientReset', body: 'direct' });
    await waitFor(() => seen.includes('direct'), { timeoutMs: 10_000 });
    const direct = await admin.consumeMessageDirectly('CG_reset', consumer.clientId, 'ClientReset', result.msgId);
    expect(direct.consumeResult).toBe('CR_SUCCESS');
    expect(seen.filter((s) => s === 'direct')).toHaveLength(2);
    expect(await admin.queryTopicConsumeByWho('ClientReset')).toContain('CG_reset');
  }, 40_000);

  it('skips accumulated messages of an offline group (client-side fallback of the reset)', async () => {
    await createTopic('ClientSkip', 2);
    const producer = await startProducer('PG_skip');
    for (let i = 0; i < 10; i++) await producer.send({ topic: 'ClientSkip', body: `s-${i}` });
    const result = await admin.skipAccumulatedMessages('ClientSkip', 'CG_skip_offline');
    expect(result.reduce((s, r) => s + r.offset, 0)).toBe(10);
    const stats = await admin.examineConsumeStats('CG_skip_offline', 'ClientSkip');
    expect(stats.offsetTable.every((q) => q.consumerOffset === q.brokerOffset)).toBe(true);
  });
});

describe('PullConsumer', () => {
  it('lists queues, pulls from an offset with tag filtering and long polling, and commits offsets', async () => {
    await createTopic('ClientPull', 1);
    const producer = await startProducer('PG_pull');
    for (let i = 0; i < 10; i++) await producer.send({ topic: 'ClientPull', body: `p-${i}`, tags: i % 2 ? 'odd' : 'even' });
    const consumer = new PullConsumer({ ...common(), groupName: 'CG_pull' });
    await consumer.start();
    closers.push(() => consumer.shutdown());
    const queues: MessageQueue[] = await consumer.fetchSubscribeMessageQueues('ClientPull');
    expect(queues).toEqual([{ topic: 'ClientPull', brokerName: 'broker-a', queueId: 0 }]);
    const mq = queues[0]!;
    const all = await consumer.pull(mq, '*', 0, 32);
    expect(all.pullStatus).toBe('FOUND');
    expect(all.msgFoundList.map((m) => m.body.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `p-${i}`));
    expect(all.nextBeginOffset).toBe(10);
    const odd = await consumer.pull(mq, 'odd', 0, 32);
    expect(odd.msgFoundList.map((m) => m.tags)).toEqual(['odd', 'odd', 'odd', 'odd', 'odd']);
    expect((await consumer.pull(mq, '*', 10, 32)).pullStatus).toBe('NO_NEW_MSG');
    const held = consumer.pull(mq, '*', 10, 32, 5_000);
    setTimeout(() => void producer.send({ topic: 'ClientPull', body: 'late' }), 300);
    const late = await held;
    expect(late.msgFoundList.map((m) => m.body.toString())).toEqual(['late']);
    expect(await consumer.fetchConsumeOffset(mq)).toBeLessThanOrEqual(0); // none yet (the broker may answer 0 for a queue starting at 0)
    await consumer.updateConsumeOffset(mq, 11);
    expect(await consumer.fetchConsumeOffset(mq)).toBe(11);
    await expect(consumer.pull(mq, 'a b', 0)).rejects.toThrow(/not valid/);
  }, 20_000);
});
