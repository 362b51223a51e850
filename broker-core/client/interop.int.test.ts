/**
 * Rocketdeck's clients and a real third-party client, ali-ons 3.12.0 (unmodified), through the same
 * NameServer + Broker: each side reads what the other wrote, field by field.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { useTestCluster } from '../testing/use-test-cluster';
import { waitFor } from '../testing/wait-for';
import type { MessageExt } from './message';
import { Producer } from './producer';
import { PushConsumer } from './push-consumer';

const require = createRequire(import.meta.url);
interface OnsClient {
  ready(): Promise<void>;
  close(): Promise<void>;
  on(event: string, listener: (err: Error) => void): void;
}
interface OnsMessage {
  msgId: string;
  tags: string;
  keys: string;
  body: Buffer;
  properties: Record<string, string>;
  queueId: number;
  queueOffset: number;
  reconsumeTimes: number;
}
type OnsMessageCtor = new (topic: string, tags: string, body: string | Buffer) => OnsMessage;
const ons = require('ali-ons') as {
  Producer: new (options: Record<string, unknown>) => OnsClient & { send(msg: unknown): Promise<{ sendStatus: string; msgId: string; messageQueue: { queueId: number }; queueOffset: number }> };
  Consumer: new (options: Record<string, unknown>) => OnsClient & { subscribe(topic: string, expression: string, handler: (msg: OnsMessage) => Promise<void>): void };
  Message: OnsMessageCtor;
};

const quietLogger = { info() {}, warn() {}, error() {}, debug() {} };
const fx = useTestCluster();
let instance = 0;

function onsOptions(extra: Record<string, unknown>): Record<string, unknown> {
  instance++;
  return { nameSrv: fx.cluster.namesrvAddr, httpclient: {}, logger: quietLogger, instanceName: `interop-${process.pid}-${instance}`, clientIP: '127.0.0.1', ...extra };
}


describe('Rocketdeck Producer → ali-ons consumer', () => {
  it('delivers tags, keys, user properties, UNIQ_KEY and a zlib-compressed body larger than 4 KiB', async () => {
    const { cluster, admin } = fx;
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'InteropToOns', readQueueNums: 4, writeQueueNums: 4, perm: 6 });
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1', groupName: 'PG_interop_rd' });
    await producer.start();
    fx.closeLater(() => producer.shutdown());

    const big = 'rocketdeck-'.repeat(1_000); // 11 KB, compressed by the producer
    const sent = new Map<string, { body: string; tags: string; keys: string }>();
    for (let i = 0; i < 20; i++) {
      const body = i === 7 ? big : `small-${i}`;
      const tags = i % 2 === 0 ? 'TagA' : 'TagB';
      const result = await producer.send({ topic: 'InteropToOns', body, tags, keys: [`order-${i}`, 'interop'], properties: { seq: String(i) } });
      expect(result.sendStatus).toBe('SEND_OK');
      sent.set(result.msgId, { body, tags, keys: `order-${i} interop` });
    }
    // The broker stored the big one compressed: what is on disk is smaller than the body.
    const stored = await admin.viewMessage([...sent.keys()][7]!, 'InteropToOns');
    expect(stored?.body.toString()).toBe(big);
    expect(stored!.storeSize).toBeLessThan(big.length);

    const got = new Map<string, OnsMessage>();
    const consumer = new ons.Consumer(onsOptions({ consumerGroup: 'CG_interop_ons', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' }));
    consumer.on('error', () => {});
    fx.closeLater(() => consumer.close().then(() => consumer.on('error', () => {})));
    consumer.subscribe('InteropToOns', 'TagA || TagB', async (msg) => {
      got.set(msg.properties.UNIQ_KEY ?? msg.msgId, msg);
    });
    await consumer.ready();
    await waitFor(() => got.size >= 20, { timeoutMs: 30_000, message: () => `ali-ons consumed ${got.size} of 20` });

    for (const [msgId, expected] of sent) {
      const msg = got.get(msgId);
      expect(msg, msgId).toBeDefined();
      expect(msg!.body.toString()).toBe(expected.body);
      expect(msg!.tags).toBe(expected.tags);
      expect(msg!.keys).toBe(expected.keys);
      expect(msg!.properties.seq).toBeDefined();
    }
  }, 60_000);
});

describe('ali-ons producer → Rocketdeck PushConsumer', () => {
  it('consumes what ali-ons sent, with its tags, keys, compressed body and offsets, and commits the offsets', async () => {
    const { cluster, admin } = fx;
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'InteropFromOns', readQueueNums: 4, writeQueueNums: 4, perm: 6 });
    const producer = new ons.Producer(onsOptions({ producerGroup: 'PG_interop_ons' }));
    producer.on('error', () => {});
    fx.closeLater(() => producer.close().then(() => producer.on('error', () => {}))); // ali-ons re-emits its shared client's errors on a closed producer
    await producer.ready();

    const big = Buffer.from('ali-ons-'.repeat(1_000));
    const sent = new Map<string, { body: string; tags: string; queueId: number; queueOffset: number }>();
    for (let i = 0; i < 20; i++) {
      const body = i === 3 ? big : Buffer.from(`ons-${i}`);
      const tags = i % 2 === 0 ? 'TagA' : 'TagB';
      const msg = new ons.Message('InteropFromOns', tags, body);
      msg.keys = [`k-${i}`] as unknown as string;
      const result = await producer.send(msg);
      expect(result.sendStatus).toBe('SEND_OK');
      // ali-ons hands back the response header fields as the strings they travel as.
      sent.set(result.msgId, { body: body.toString(), tags, queueId: Number(result.messageQueue.queueId), queueOffset: Number(result.queueOffset) });
    }

    const got = new Map<string, MessageExt>();
    const consumer = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1', groupName: 'CG_interop_rd', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    });
    consumer.subscribe('InteropFromOns', 'TagA');
    consumer.registerMessageListener((messages) => {
      for (const m of messages) got.set(m.msgId, m);
    });
    await consumer.start();
    fx.closeLater(() => consumer.shutdown());
    const wanted = [...sent].filter(([, s]) => s.tags === 'TagA');
    await waitFor(() => got.size >= wanted.length, { timeoutMs: 30_000, message: () => `consumed ${got.size} of ${wanted.length}` });

    // ali-ons 3.12 sets no UNIQ_KEY, so its msgId is the broker's offsetMsgId; ours falls back to it too.
    for (const [msgId, expected] of wanted) {
      const m = got.get(msgId);
      expect(m, msgId).toBeDefined();
      expect(m!.offsetMsgId).toBe(msgId);
      expect(m!.body.toString()).toBe(expected.body);
      expect(m!.tags).toBe('TagA');
      expect(m!.queueId).toBe(expected.queueId);
      expect(m!.queueOffset).toBe(expected.queueOffset);
    }
    expect([...got.values()].every((m) => m.tags === 'TagA')).toBe(true);

    await consumer.persistOffsets();
    const stats = await admin.getConsumeStats(cluster.brokerAddr, 'CG_interop_rd', 'InteropFromOns');
    const lag = stats.offsetTable.reduce((sum, o) => sum + o.brokerOffset - o.consumerOffset, 0);
    expect(lag).toBe(0);
  }, 60_000);
});

describe('ali-ons ordered send → Rocketdeck orderly PushConsumer', () => {
  it('keeps each sharding key on one queue and every key\'s messages in order', async () => {
    const { cluster, admin } = fx;
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'InteropOrdered', readQueueNums: 4, writeQueueNums: 4, perm: 6, order: true });
    const producer = new ons.Producer(onsOptions({ producerGroup: 'PG_interop_ordered' }));
    producer.on('error', () => {});
    fx.closeLater(() => producer.close().then(() => producer.on('error', () => {}))); // ali-ons re-emits its shared client's errors on a closed producer
    await producer.ready();
    const queueOf = new Map<string, Set<number>>();
    for (let step = 0; step < 10; step++) {
      for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) {
        const msg = new ons.Message('InteropOrdered', 'T', JSON.stringify({ key, step })) as OnsMessage & { shardingKey: string };
        msg.shardingKey = key;
        const result = await producer.send(msg);
        queueOf.set(key, (queueOf.get(key) ?? new Set()).add(Number(result.messageQueue.queueId)));
      }
    }
    for (const [key, queues] of queueOf) expect(queues.size, key).toBe(1);

    const seen = new Map<string, number[]>();
    const consumer = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1', groupName: 'CG_interop_ordered', orderly: true, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
    consumer.subscribe('InteropOrdered', '*');
    consumer.registerMessageListener(async (messages) => {
      const { key, step } = JSON.parse(messages[0]!.body.toString()) as { key: string; step: number };
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      seen.set(key, [...(seen.get(key) ?? []), step]);
    });
    await consumer.start();
    fx.closeLater(() => consumer.shutdown());
    await waitFor(() => [...seen.values()].reduce((n, s) => n + s.length, 0) >= 50, { timeoutMs: 30_000, message: 'ordered messages not all consumed' });
    for (const key of queueOf.keys()) expect(seen.get(key), key).toEqual([...Array(10).keys()]);
  }, 60_000);
});
