/**
 * Offsets at the broker level, over real TCP with a live PushConsumer: GET_BROKER_CONSUME_STATS answers every
 * group's offsets in one call; an exact per-queue reset reaches a live consumer (which then consumes from the
 * new offset) where a plain UPDATE_CONSUMER_OFFSET is put back by the consumer's next commit; an offset
 * outside the queue is refused with RocketMQ's remark; an offline group just gets its offsets committed; and
 * several queues are set exactly through a broker that answers the reset as RocketMQ 4.x does.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestCluster } from '../testing/use-test-cluster';
import { waitFor } from '../testing/wait-for';
import { createRequest, decodeFrame, encodeFrame } from '../protocol/remoting-command';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { RemotingClient } from '../remoting/remoting-client';
import { silentLogger } from '../util/logger';
import { AdminClient } from './admin-client';
import type { MessageExt } from './message';
import { Producer } from './producer';
import { PushConsumer } from './push-consumer';

const fixture = useTestCluster();

async function topicWithMessages(topic: string, perQueue: number, queues = 2): Promise<void> {
  const { admin, cluster } = fixture;
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: topic, readQueueNums: queues, writeQueueNums: queues, perm: 6 });
  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: `PG_${topic}` });
  await producer.start();
  try {
    for (let queueId = 0; queueId < queues; queueId++) {
      for (let i = 0; i < perQueue; i++) await producer.send({ topic, body: `q${queueId}-${i}` }, { queue: { topic, brokerName: 'broker-a', queueId } });
    }
  } finally {
    await producer.shutdown();
  }
}

/** A started consumer of the topic that records what it receives; shut down after the file. */
async function liveConsumer(group: string, topic: string, options: { persistConsumerOffsetIntervalMs?: number } = {}): Promise<{ consumer: PushConsumer; received: MessageExt[] }> {
  const received: MessageExt[] = [];
  const consumer = new PushConsumer({ namesrvAddr: fixture.cluster.namesrvAddr, groupName: group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', ...options });
  consumer.subscribe(topic, '*');
  consumer.registerMessageListener((messages) => void received.push(...messages));
  await consumer.start();
  fixture.closeLater(() => consumer.shutdown());
  return { consumer, received };
}

/**
 * A TCP hop in front of the broker that makes it answer INVOKE_BROKER_TO_RESET_OFFSET as RocketMQ 4.x does:
 * the queueId / offset fields are taken out, so the broker pushes the committed offset of every queue of the
 * topic (timestamp -1, isForce false). Everything else passes through unchanged.
 */
async function rocketmq4Hop(brokerAddr: string): Promise<string> {
  const [host, port] = brokerAddr.split(':');
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), host);
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(0, 4 + pending.readInt32BE(0));
        pending = pending.subarray(frame.length);
        const command = decodeFrame(frame);
        if (command.code !== RequestCode.INVOKE_BROKER_TO_RESET_OFFSET) {
          upstream.write(frame);
          continue;
        }
        const { queueId: _queueId, offset: _offset, ...fields } = command.extFields ?? {};
        upstream.write(encodeFrame({ ...command, extFields: fields }));
      }
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fixture.closeLater(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

const committed = (group: string, topic: string, queueId: number) => fixture.admin.queryConsumerOffset(fixture.cluster.brokerAddr, group, topic, queueId);

describe('GET_BROKER_CONSUME_STATS', () => {
  it("answers every group's offsets per topic in one call", async () => {
    const { admin, cluster } = fixture;
    await topicWithMessages('BrokerStatsA', 3);
    await admin.updateConsumerOffset(cluster.brokerAddr, 'CG_stats_1', 'BrokerStatsA', 0, 1);
    await admin.updateConsumerOffset(cluster.brokerAddr, 'CG_stats_1', 'BrokerStatsA', 1, 3);
    await admin.createOrUpdateSubscriptionGroup(cluster.brokerAddr, { groupName: 'CG_stats_1' });
    await admin.createOrUpdateSubscriptionGroup(cluster.brokerAddr, { groupName: 'CG_stats_idle' });
    const stats = await admin.getBrokerConsumeStats(cluster.brokerAddr);
    expect(stats.brokerAddr).toBe(cluster.brokerAddr);
    expect(stats.groups.get('CG_stats_idle')).toEqual([]);
    const [one] = stats.groups.get('CG_stats_1')!;
    expect(one!.offsetTable.map((o) => [o.queue.topic, o.queue.queueId, o.brokerOffset, o.consumerOffset])).toEqual([['BrokerStatsA', 0, 3, 1], ['BrokerStatsA', 1, 3, 3]]);
    expect(stats.totalDiff).toBeGreaterThanOrEqual(2);
    expect((await admin.getBrokerConsumeStats(cluster.brokerAddr, true)).groups.get('CG_stats_1')).toEqual([]); // isOrder: ordered topics only
  });
});

describe('per-queue reset', () => {
  it('reaches a live consumer, which consumes again from the new offset; a plain offset commit would be put back', async () => {
    const { admin, cluster } = fixture;
    const topic = 'ResetLive';
    await topicWithMessages(topic, 10);
    const { consumer, received } = await liveConsumer('CG_reset_live', topic, { persistConsumerOffsetIntervalMs: 2_000 });
    await waitFor(() => received.length >= 20, { timeoutMs: 20_000 });
    await consumer.persistOffsets();
    await waitFor(async () => (await committed('CG_reset_live', topic, 0)) === 10 && (await committed('CG_reset_live', topic, 1)) === 10);

    // The naive way: commit an offset from outside. The live consumer's next commit puts its own back.
    await admin.updateConsumerOffset(cluster.brokerAddr, 'CG_reset_live', topic, 0, 2);
    expect(await committed('CG_reset_live', topic, 0)).toBe(2);
    await waitFor(async () => (await committed('CG_reset_live', topic, 0)) === 10, { timeoutMs: 10_000 });
    expect(received.length).toBe(20);

    // RocketMQ's way: the broker pushes the queue's new offset to the client.
    received.length = 0;
    const results = await admin.resetQueueOffsets('CG_reset_live', [{ queue: { topic, brokerName: 'broker-a', queueId: 0 }, offset: 3 }]);
    expect(results).toEqual([{ queue: { topic, brokerName: 'broker-a', queueId: 0 }, offset: 3, pushedToClients: true }]);
    await waitFor(() => received.length >= 7, { timeoutMs: 20_000 });
    expect(received.map((m) => [m.queueId, m.queueOffset]).sort((a, b) => a[1]! - b[1]!)).toEqual([3, 4, 5, 6, 7, 8, 9].map((o) => [0, o]));
    await waitFor(async () => (await committed('CG_reset_live', topic, 0)) === 10, { timeoutMs: 10_000 });
    expect(await committed('CG_reset_live', topic, 1)).toBe(10); // the other queue was left alone
  });

  it('sets several queues exactly on a broker that pushes every committed offset (RocketMQ 4.x)', async () => {
    const topic = 'ResetLive4x';
    await topicWithMessages(topic, 10, 4);
    const { consumer, received } = await liveConsumer('CG_reset_4x', topic, { persistConsumerOffsetIntervalMs: 1_000 });
    await waitFor(() => received.length >= 40, { timeoutMs: 20_000 });
    await consumer.persistOffsets();
    await waitFor(async () => (await Promise.all([0, 1, 2, 3].map((q) => committed('CG_reset_4x', topic, q)))).every((o) => o === 10));

    // Every call of this admin goes through the hop; the masters it resolves are the hop's address.
    const hop = await rocketmq4Hop(fixture.cluster.brokerAddr);
    const admin = new (class extends AdminClient {
      override async masterAddresses(): Promise<Map<string, string>> {
        return new Map([['broker-a', hop]]);
      }
    })({ namesrvAddr: fixture.cluster.namesrvAddr, logger: silentLogger });
    fixture.closeLater(() => admin.close());
    received.length = 0;
    const targets = [[0, 2], [1, 0], [2, 7]] as const;
    const results = await admin.resetQueueOffsets('CG_reset_4x', targets.map(([queueId, offset]) => ({ queue: { topic, brokerName: 'broker-a', queueId }, offset })));
    expect(results.every((r) => r.pushedToClients)).toBe(true);
    // Each queue is read again from its new offset, the fourth not at all: 8 + 10 + 3 distinct messages. (A
    // 4.x broker pushes the whole table once per queue reset, so a message read between two pushes may come
    // twice: at least once, as RocketMQ promises.)
    const distinct = () => new Set(received.map((m) => `${m.queueId}:${m.queueOffset}`));
    await waitFor(() => distinct().size >= 21, { timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const firstOffsets = new Map<number, number>();
    for (const m of received) firstOffsets.set(m.queueId, Math.min(firstOffsets.get(m.queueId) ?? Infinity, m.queueOffset));
    expect([...firstOffsets].sort((a, b) => a[0] - b[0])).toEqual(targets.map(([q, o]) => [q, o]));
    expect(distinct().size).toBe(21);
    await waitFor(async () => (await Promise.all([0, 1, 2, 3].map((q) => committed('CG_reset_4x', topic, q)))).every((o) => o === 10), { timeoutMs: 10_000 });
  });

  it('refuses an offset outside the queue with RocketMQ remark, and commits directly for an offline group', async () => {
    const { admin } = fixture;
    const topic = 'ResetOffline';
    await topicWithMessages(topic, 4);
    const { consumer, received } = await liveConsumer('CG_reset_range', topic);
    await waitFor(() => received.length >= 8, { timeoutMs: 20_000 });
    const error = await admin.resetQueueOffsets('CG_reset_range', [{ queue: { topic, brokerName: 'broker-a', queueId: 1 }, offset: 99 }]).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`offset 99 is outside queue broker-a:1 of ${topic} (0 to 4)`);
    await waitFor(async () => (await committed('CG_reset_range', topic, 1)) === 4); // nothing was written
    // The broker checks too, with RocketMQ's remark (a client that skips the check).
    const remoting = new RemotingClient({ logger: silentLogger });
    fixture.closeLater(() => remoting.close());
    const fields = { topic, group: 'CG_reset_range', timestamp: -1, isForce: false, queueId: 1, offset: 99 };
    const refused = await remoting.invoke(fixture.cluster.brokerAddr, createRequest(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, fields), 5_000);
    expect([refused.code, refused.remark]).toEqual([ResponseCode.SYSTEM_ERROR, 'Target offset 99 not in consume queue range [0-4]']);
    const badQueue = await remoting.invoke(fixture.cluster.brokerAddr, createRequest(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, { ...fields, queueId: 7, offset: 1 }), 5_000);
    expect(badQueue.remark).toBe(`queue 7 does not exist in topic ${topic} (queues 0..1)`);
    await consumer.shutdown();

    const results = await admin.resetQueueOffsets('CG_reset_offline', [
      { queue: { topic, brokerName: 'broker-a', queueId: 0 }, offset: 1 },
      { queue: { topic, brokerName: 'broker-a', queueId: 1 }, offset: 4 },
    ]);
    expect(results.map((r) => r.pushedToClients)).toEqual([false, false]);
    expect([await committed('CG_reset_offline', topic, 0), await committed('CG_reset_offline', topic, 1)]).toEqual([1, 4]);
  });
});
