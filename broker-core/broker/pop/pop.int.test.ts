/**
 * POP over real sockets: the remoting codes a RocketMQ 5.x client uses (POP_MESSAGE, ACK_MESSAGE,
 * CHANGE_MESSAGE_INVISIBLETIME, BATCH_ACK_MESSAGE, QUERY_ASSIGNMENT) against a real broker and store, with a
 * broker restart in the middle. The broker's least invisible time is lowered to 1 s so redeliveries take
 * seconds, not tens of seconds; one test puts the product default (10 s) back and checks it is enforced.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { RemotingClient } from '../../remoting/remoting-client';
import type { MessageExt } from '../../client/message';
import { PopClient, PROPERTY_POP_CK, type PopOptions } from '../../client/pop-client';
import { Producer, selectByHash } from '../../client/producer';
import { useTestCluster } from '../../testing/use-test-cluster';
import { waitFor } from '../../testing/wait-for';

// Small commit-log files: a restart re-reads the last files with their CRCs, which takes seconds with 1 GiB ones.
const fx = useTestCluster({ broker: { minInvisibleTimeMillsForRecv: 1_000, mappedFileSizeCommitLog: 16 * 1024 * 1024 } });
const BROKER_NAME = 'broker-a';

async function setup(topic: string, queues = 2): Promise<{ producer: Producer; pop: PopClient }> {
  await fx.admin.createOrUpdateTopic(fx.cluster.brokerAddr, { topicName: topic, readQueueNums: queues, writeQueueNums: queues, perm: 6 });
  const producer = new Producer({ namesrvAddr: fx.cluster.namesrvAddr, groupName: `PG_${topic}` });
  await producer.start();
  fx.closeLater(() => producer.shutdown());
  const pop = new PopClient();
  fx.closeLater(() => pop.close());
  return { producer, pop };
}

function popOptions(topic: string, group: string, extra: Partial<PopOptions> = {}): PopOptions {
  return { topic, group, maxMsgNums: 32, invisibleTimeMs: 1_500, initMode: 1, ...extra };
}

/** Pops until `count` messages came or `timeoutMs` passed (each pop answers at once). */
async function popUntil(pop: PopClient, options: PopOptions, count: number, timeoutMs = 10_000): Promise<MessageExt[]> {
  const got: MessageExt[] = [];
  await waitFor(async () => {
    const result = await pop.pop(fx.cluster.brokerAddr, BROKER_NAME, options);
    got.push(...result.messages);
    return got.length >= count;
  }, { timeoutMs, intervalMs: 50, message: () => `popped ${got.length} of ${count}` });
  return got;
}

it('pops every message once, acks them, and a pop after that finds nothing', async () => {
  const { producer, pop } = await setup('PopBasic');
  const sent = new Map<string, string>();
  for (let i = 0; i < 20; i++) {
    const result = await producer.send({ topic: 'PopBasic', body: `m${i}`, tags: 'TagA', keys: [`k${i}`] });
    sent.set(result.msgId, `m${i}`);
  }
  const got = await popUntil(pop, popOptions('PopBasic', 'CG_basic', { maxMsgNums: 7 }), 20);
  expect(got).toHaveLength(20);
  expect(new Map(got.map((m) => [m.msgId, m.body.toString()]))).toEqual(sent);
  for (const m of got) {
    expect(m.topic).toBe('PopBasic');
    expect(m.tags).toBe('TagA');
    expect(m.reconsumeTimes).toBe(0);
    expect((await pop.ack(fx.cluster.brokerAddr, 'CG_basic', m)).code).toBe(ResponseCode.SUCCESS);
  }
  const again = await pop.pop(fx.cluster.brokerAddr, BROKER_NAME, popOptions('PopBasic', 'CG_basic'));
  expect(again.status).toBe('POLLING_NOT_FOUND');
  // The group's progress shows as committed offsets (what consumerProgress and the console read).
  const stats = await fx.admin.getConsumeStats(fx.cluster.brokerAddr, 'CG_basic', 'PopBasic');
  expect(stats.offsetTable.reduce((sum, queue) => sum + queue.consumerOffset, 0)).toBe(20);
}, 30_000);

it('an unacked message comes back after its invisible time with one more attempt; the old handle is then stale', async () => {
  const { producer, pop } = await setup('PopRedeliver', 1);
  const sent = await producer.send({ topic: 'PopRedeliver', body: 'again', tags: 'T' });
  const [first] = await popUntil(pop, popOptions('PopRedeliver', 'CG_redeliver'), 1);
  expect(first!.msgId).toBe(sent.msgId);
  const poppedAt = Date.now();
  const [second] = await popUntil(pop, popOptions('PopRedeliver', 'CG_redeliver'), 1);
  expect(Date.now() - poppedAt).toBeGreaterThanOrEqual(1_000);
  expect(second!.msgId).toBe(sent.msgId);
  expect(second!.topic).toBe('PopRedeliver');
  expect(second!.reconsumeTimes).toBe(1);
  expect(second!.body.toString()).toBe('again');
  expect(second!.properties[PROPERTY_POP_CK]!.split(' ')[4]).toBe('1'); // from the POP retry topic
  const stale = await pop.ack(fx.cluster.brokerAddr, 'CG_redeliver', first!);
  expect(stale.code).toBe(ResponseCode.NO_MESSAGE);
  expect((await pop.ack(fx.cluster.brokerAddr, 'CG_redeliver', second!)).code).toBe(ResponseCode.SUCCESS);
  expect((await pop.ack(fx.cluster.brokerAddr, 'CG_redeliver', second!)).code).toBe(ResponseCode.NO_MESSAGE);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect((await pop.pop(fx.cluster.brokerAddr, BROKER_NAME, popOptions('PopRedeliver', 'CG_redeliver'))).messages).toHaveLength(0);
}, 30_000);

it('changeInvisibleTime keeps a message hidden longer and gives a new handle; the old one is stale', async () => {
  const { producer, pop } = await setup('PopChange', 1);
  await producer.send({ topic: 'PopChange', body: 'hold' });
  const [m] = await popUntil(pop, popOptions('PopChange', 'CG_change'), 1);
  const oldInfo = m!.properties[PROPERTY_POP_CK]!;
  const changed = await pop.changeInvisibleTime(fx.cluster.brokerAddr, 'CG_change', m!, 4_000);
  expect(changed.code).toBe(ResponseCode.SUCCESS);
  expect(changed.extraInfo).not.toBe(oldInfo);
  await new Promise((resolve) => setTimeout(resolve, 2_500)); // past the first invisible time (1.5 s)
  expect((await pop.pop(fx.cluster.brokerAddr, BROKER_NAME, popOptions('PopChange', 'CG_change'))).messages).toHaveLength(0);
  expect((await pop.ack(fx.cluster.brokerAddr, 'CG_change', m!, oldInfo)).code).toBe(ResponseCode.NO_MESSAGE);
  expect((await pop.ack(fx.cluster.brokerAddr, 'CG_change', m!)).code).toBe(ResponseCode.SUCCESS);
}, 30_000);

it('after maxAttempts deliveries (retryMaxTimes + 1) the message goes to %DLQ%<group>', async () => {
  const { producer, pop } = await setup('PopDlq', 1);
  await fx.admin.createOrUpdateSubscriptionGroup(fx.cluster.brokerAddr, { groupName: 'CG_dlq', retryMaxTimes: 1 });
  const sent = await producer.send({ topic: 'PopDlq', body: 'poison', keys: ['poison-1'] });
  const [first] = await popUntil(pop, popOptions('PopDlq', 'CG_dlq'), 1);
  const [second] = await popUntil(pop, popOptions('PopDlq', 'CG_dlq'), 1);
  expect([first!.reconsumeTimes, second!.reconsumeTimes]).toEqual([0, 1]);
  await waitFor(async () => (await fx.admin.getTopicStats(fx.cluster.brokerAddr, '%DLQ%CG_dlq').catch(() => null))?.offsetTable.some((q) => q.offset.maxOffset > 0), { timeoutMs: 8_000 });
  const dead = await fx.admin.pullOnce(fx.cluster.brokerAddr, { consumerGroup: 'TOOLS_CONSUMER', topic: '%DLQ%CG_dlq', queueId: 0, offset: 0, maxNums: 4 });
  expect(dead.messages.map((m) => [m.msgId, m.body.toString(), m.properties.DLQ_ORIGIN_TOPIC])).toEqual([[sent.msgId, 'poison', 'PopDlq']]);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect((await pop.pop(fx.cluster.brokerAddr, BROKER_NAME, popOptions('PopDlq', 'CG_dlq'))).messages).toHaveLength(0);
}, 30_000);

it('a FIFO group gets one queue in order and nothing more from it until the popped messages are acked', async () => {
  const { producer, pop } = await setup('PopFifo', 4);
  await fx.admin.createOrUpdateSubscriptionGroup(fx.cluster.brokerAddr, { groupName: 'CG_fifo', consumeMessageOrderly: true, retryMaxTimes: 3 });
  for (let i = 0; i < 6; i++) {
    await producer.send({ topic: 'PopFifo', body: `order-${i}`, properties: { __SHARDINGKEY: 'order-1' } }, { selector: selectByHash, arg: 'order-1' });
  }
  const options = popOptions('PopFifo', 'CG_fifo', { maxMsgNums: 3, order: true });
  const first = await popUntil(pop, options, 3);
  expect(first.map((m) => m.body.toString())).toEqual(['order-0', 'order-1', 'order-2']);
  expect(first.every((m) => m.properties.__SHARDINGKEY === 'order-1')).toBe(true);
  expect((await pop.pop(fx.cluster.brokerAddr, BROKER_NAME, options)).messages).toHaveLength(0); // blocked
  await pop.ack(fx.cluster.brokerAddr, 'CG_fifo', first[0]!);
  await pop.ack(fx.cluster.brokerAddr, 'CG_fifo', first[1]!);
  expect((await pop.pop(fx.cluster.brokerAddr, BROKER_NAME, options)).messages).toHaveLength(0); // order-2 still out
  // order-2 is not acked: after its invisible time it comes first again, attempt 2, then the rest in order.
  const again = await popUntil(pop, options, 3);
  expect(again.map((m) => [m.body.toString(), m.reconsumeTimes])).toEqual([['order-2', 1], ['order-3', 0], ['order-4', 0]]);
  await pop.batchAck(fx.cluster.brokerAddr, BROKER_NAME, 'CG_fifo', 'PopFifo', again);
  const last = await popUntil(pop, options, 1);
  expect(last.map((m) => m.body.toString())).toEqual(['order-5']);
  expect((await pop.ack(fx.cluster.brokerAddr, 'CG_fifo', last[0]!)).code).toBe(ResponseCode.SUCCESS);
}, 30_000);

it('a broker restart in the middle loses nothing popped and brings back nothing acked', async () => {
  const { producer, pop } = await setup('PopRestart', 2);
  const bodies = new Set<string>();
  for (let i = 0; i < 30; i++) {
    await producer.send({ topic: 'PopRestart', body: `r${i}` });
    bodies.add(`r${i}`);
  }
  const options = popOptions('PopRestart', 'CG_restart', { maxMsgNums: 10, invisibleTimeMs: 6_000 });
  const popped = await popUntil(pop, options, 20);
  const acked = new Set<string>();
  for (const m of popped.slice(0, 12)) {
    expect((await pop.ack(fx.cluster.brokerAddr, 'CG_restart', m)).code).toBe(ResponseCode.SUCCESS);
    acked.add(m.body.toString());
  }
  const unacked = popped.slice(12);
  await fx.cluster.broker.shutdown();
  // Without the checkpoint (as after a crash before its first write) the whole revive log is replayed: same state.
  fs.rmSync(path.join(fx.cluster.storePathRootDir, 'config', 'popCheckpoint.json'));
  await fx.cluster.restartBroker();
  // A handle from before the restart still acks: the in-flight table was rebuilt from the revive log.
  expect(await pop.ack(fx.cluster.brokerAddr, 'CG_restart', unacked[0]!)).toEqual({ code: ResponseCode.SUCCESS });
  acked.add(unacked[0]!.body.toString());
  const seen = new Map<string, number>();
  await waitFor(async () => {
    const result = await pop.pop(fx.cluster.brokerAddr, BROKER_NAME, options);
    for (const m of result.messages) {
      seen.set(m.body.toString(), (seen.get(m.body.toString()) ?? 0) + 1);
      expect((await pop.ack(fx.cluster.brokerAddr, 'CG_restart', m)).code).toBe(ResponseCode.SUCCESS);
    }
    return seen.size + acked.size >= bodies.size;
  }, { timeoutMs: 15_000, intervalMs: 100, message: () => `seen ${seen.size}, acked before ${acked.size}` });
  for (const body of acked) expect(seen.has(body)).toBe(false);
  expect([...seen.values()].every((n) => n === 1)).toBe(true);
  expect(new Set([...seen.keys(), ...acked])).toEqual(bodies);
  for (const m of unacked.slice(1)) expect(seen.has(m.body.toString())).toBe(true);
}, 60_000);

it('a held pop is woken by a send; QUERY_ASSIGNMENT assigns every broker in POP mode', async () => {
  const { producer, pop } = await setup('PopPoll', 2);
  const started = Date.now();
  const held = pop.pop(fx.cluster.brokerAddr, BROKER_NAME, popOptions('PopPoll', 'CG_poll', { pollTimeMs: 15_000 }));
  await new Promise((resolve) => setTimeout(resolve, 300));
  await producer.send({ topic: 'PopPoll', body: 'wake' });
  const result = await held;
  expect(result.messages.map((m) => m.body.toString())).toEqual(['wake']);
  expect(Date.now() - started).toBeLessThan(5_000);

  const remoting = new RemotingClient();
  fx.closeLater(() => remoting.close());
  const body = Buffer.from(JSON.stringify({ topic: 'PopPoll', consumerGroup: 'CG_poll', clientId: 'c1', strategyName: 'AVG', messageModel: 'CLUSTERING' }));
  const response = await remoting.invoke(fx.cluster.brokerAddr, createRequest(RequestCode.QUERY_ASSIGNMENT, {}, body), 5_000);
  expect(response.code).toBe(ResponseCode.SUCCESS);
  expect(JSON.parse(response.body!.toString())).toEqual({ messageQueueAssignments: [{ messageQueue: { topic: 'PopPoll', brokerName: BROKER_NAME, queueId: -1 }, mode: 'POP', attachments: {} }] });
}, 30_000);

it('bad input gets the right code and the connection keeps working', async () => {
  const { producer, pop } = await setup('PopBad', 1);
  await producer.send({ topic: 'PopBad', body: 'x' });
  const remoting = new RemotingClient();
  fx.closeLater(() => remoting.close());
  const send = (code: number, ext: Record<string, string | number>, body?: Buffer) => remoting.invoke(fx.cluster.brokerAddr, createRequest(code, ext, body), 5_000);
  const popHeader = { consumerGroup: 'CG_bad', topic: 'PopBad', queueId: -1, maxMsgNums: 1, invisibleTime: 2_000, pollTime: 0, bornTime: Date.now(), initMode: 1 };
  expect((await send(RequestCode.POP_MESSAGE, { ...popHeader, maxMsgNums: 1_000_000 })).code).toBe(ResponseCode.INVALID_PARAMETER);
  expect((await send(RequestCode.POP_MESSAGE, { ...popHeader, invisibleTime: 10 })).code).toBe(ResponseCode.INVALID_PARAMETER);
  expect((await send(RequestCode.POP_MESSAGE, { ...popHeader, invisibleTime: 13 * 3_600_000 })).code).toBe(ResponseCode.INVALID_PARAMETER);
  expect((await send(RequestCode.POP_MESSAGE, { ...popHeader, queueId: 7 })).code).toBe(ResponseCode.INVALID_PARAMETER);
  expect((await send(RequestCode.POP_MESSAGE, { ...popHeader, topic: 'NoSuchTopic' })).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
  expect((await send(RequestCode.POP_MESSAGE, { ...popHeader, maxMsgNums: 'many' })).code).toBe(ResponseCode.SYSTEM_ERROR);
  const ackHeader = { consumerGroup: 'CG_bad', topic: 'PopBad', queueId: 0, offset: 0 };
  expect((await send(RequestCode.ACK_MESSAGE, { ...ackHeader, extraInfo: 'not a handle' })).code).toBe(ResponseCode.INVALID_PARAMETER);
  expect((await send(RequestCode.ACK_MESSAGE, { ...ackHeader, extraInfo: `0 ${Date.now()} 2000 0 0 ${BROKER_NAME} 0 0` })).code).toBe(ResponseCode.NO_MESSAGE);
  expect((await send(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, { ...ackHeader, extraInfo: `0 1 2000 0 0 ${BROKER_NAME} 0`, invisibleTime: 1 })).code).toBe(ResponseCode.INVALID_PARAMETER);
  expect((await send(RequestCode.BATCH_ACK_MESSAGE, {}, Buffer.from('{not json'))).code).toBe(ResponseCode.SYSTEM_ERROR);
  expect((await send(RequestCode.BATCH_ACK_MESSAGE, {}, Buffer.from('{"acks":[]}'))).code).toBe(ResponseCode.NO_MESSAGE);
  // The product default least invisible time (10 s, the Apache Proxy's) is enforced.
  const config = fx.cluster.broker.config;
  config.minInvisibleTimeMillsForRecv = 10_000;
  try {
    expect((await send(RequestCode.POP_MESSAGE, { ...popHeader, invisibleTime: 9_999 })).code).toBe(ResponseCode.INVALID_PARAMETER);
  } finally {
    config.minInvisibleTimeMillsForRecv = 1_000;
  }
  const [m] = await popUntil(pop, popOptions('PopBad', 'CG_bad'), 1);
  expect(m!.body.toString()).toBe('x');
}, 30_000);

it('a TAG filter and an SQL92 filter pop only what matches; a bad selector is refused', async () => {
  const { producer, pop } = await setup('PopFilter', 2);
  for (let i = 0; i < 10; i++) await producer.send({ topic: 'PopFilter', body: `f${i}`, tags: i % 2 === 0 ? 'A' : 'B', properties: { n: String(i) } });
  const tagged = await popUntil(pop, popOptions('PopFilter', 'CG_tag', { expression: 'A' }), 5);
  expect(tagged.map((m) => m.body.toString()).sort()).toEqual(['f0', 'f2', 'f4', 'f6', 'f8']);
  const selected = await popUntil(pop, popOptions('PopFilter', 'CG_sql', { expressionType: 'SQL92', expression: "n >= 5 AND TAGS = 'B'" }), 3);
  expect(selected.map((m) => m.body.toString()).sort()).toEqual(['f5', 'f7', 'f9']);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect((await pop.pop(fx.cluster.brokerAddr, BROKER_NAME, popOptions('PopFilter', 'CG_sql', { expressionType: 'SQL92', expression: "n >= 5 AND TAGS = 'B'" }))).messages).toHaveLength(0);
  await expect(pop.pop(fx.cluster.brokerAddr, BROKER_NAME, popOptions('PopFilter', 'CG_sql2', { expressionType: 'SQL92', expression: 'n >>= 5' }))).rejects.toThrow(/SUBSCRIPTION_PARSE_FAILED|\(23\)/);
}, 30_000);
