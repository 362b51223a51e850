/**
 * Offsets at the broker level, over real TCP with a live PushConsumer: GET_BROKER_CONSUME_STATS answers every
 * group's offsets in one call; an exact per-queue reset reaches a live consumer (which then consumes from the
 * new offset) where a plain UPDATE_CONSUMER_OFFSET is put back by the consumer's next commit; an offset
 * outside the queue is refused with RocketMQ's remark; an offline group just gets its offsets committed.
 */
import { describe, expect, it } from 'vitest';
import { useTestCluster } from '../testing/use-test-cluster';
import { waitFor } from '../testing/wait-for';
import { createRequest } from '../protocol/remoting-command';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { RemotingClient } from '../remoting/remoting-client';
import { silentLogger } from '../util/logger';
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
