/**
 * Timer messages over real sockets: TIMER_DELAY_MS / TIMER_DELAY_SEC / TIMER_DELIVER_MS from a remoting producer
 * are delivered at their time (never before, well within 1 s after), counted per topic by GET_TIMER_METRICS
 * while they wait, refused beyond timerMaxDelaySec, and delivered after a broker restart.
 */
import { expect, it } from 'vitest';
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { RemotingClient } from '../../remoting/remoting-client';
import type { MessageExt } from '../../client/message';
import { PopClient } from '../../client/pop-client';
import { Producer } from '../../client/producer';
import { useTestCluster } from '../../testing/use-test-cluster';
import { waitFor } from '../../testing/wait-for';

const fx = useTestCluster({ broker: { mappedFileSizeCommitLog: 16 * 1024 * 1024, minInvisibleTimeMillsForRecv: 1_000 } });

async function setup(topic: string): Promise<{ producer: Producer; pop: PopClient; remoting: RemotingClient }> {
  await fx.admin.createOrUpdateTopic(fx.cluster.brokerAddr, { topicName: topic, readQueueNums: 1, writeQueueNums: 1, perm: 6 });
  const producer = new Producer({ namesrvAddr: fx.cluster.namesrvAddr, groupName: `PG_${topic}`, retryTimesWhenSendFailed: 0 });
  await producer.start();
  fx.closeLater(() => producer.shutdown());
  const pop = new PopClient();
  fx.closeLater(() => pop.close());
  const remoting = new RemotingClient();
  fx.closeLater(() => remoting.close());
  return { producer, pop, remoting };
}

/** Collects what arrives on the topic (POP, acked at once) with its arrival time. */
async function collect(pop: PopClient, topic: string, count: number, timeoutMs: number): Promise<{ message: MessageExt; at: number }[]> {
  const got: { message: MessageExt; at: number }[] = [];
  await waitFor(async () => {
    const result = await pop.pop(fx.cluster.brokerAddr, 'broker-a', { topic, group: `CG_${topic}`, maxMsgNums: 32, invisibleTimeMs: 10_000, initMode: 1 });
    for (const message of result.messages) {
      got.push({ message, at: Date.now() });
      await pop.ack(fx.cluster.brokerAddr, `CG_${topic}`, message);
    }
    return got.length >= count;
  }, { timeoutMs, intervalMs: 20, message: () => `got ${got.length} of ${count}` });
  return got;
}

async function timerMetrics(remoting: RemotingClient): Promise<Record<string, { count: number }>> {
  const response = await remoting.invoke(fx.cluster.brokerAddr, createRequest(RequestCode.GET_TIMER_METRICS, {}), 5_000);
  expect(response.code).toBe(ResponseCode.SUCCESS);
  return (JSON.parse(response.body!.toString()) as { timingCount: Record<string, { count: number }> }).timingCount;
}

it('delivers TIMER_DELAY_MS, TIMER_DELAY_SEC and TIMER_DELIVER_MS messages at their time, counted while they wait', async () => {
  const { producer, pop, remoting } = await setup('Timed');
  const due = new Map<string, number>();
  const sendAt = async (body: string, properties: Record<string, string>, dueAt: number) => {
    due.set(body, dueAt);
    await producer.send({ topic: 'Timed', body, properties });
  };
  let now = Date.now();
  await sendAt('delay-ms', { TIMER_DELAY_MS: '1500' }, now + 1_500);
  now = Date.now();
  await sendAt('delay-sec', { TIMER_DELAY_SEC: '2' }, now + 2_000);
  const deliverAt = Date.now() + 2_500;
  await sendAt('deliver-ms', { TIMER_DELIVER_MS: String(deliverAt) }, deliverAt);
  await sendAt('past', { TIMER_DELIVER_MS: String(Date.now() - 60_000) }, Date.now());
  expect((await timerMetrics(remoting)).Timed?.count).toBe(3);
  const got = await collect(pop, 'Timed', 4, 10_000);
  const late = got.map(({ message, at }) => [message.body.toString(), at - due.get(message.body.toString())!] as const);
  for (const [body, lateness] of late) {
    expect(lateness, body).toBeGreaterThanOrEqual(0);
    expect(lateness, body).toBeLessThan(1_000);
  }
  const timed = got.find(({ message }) => message.body.toString() === 'deliver-ms')!.message;
  expect(timed.topic).toBe('Timed');
  expect(timed.properties.TIMER_OUT_MS).toBe(String(deliverAt));
  expect(Number(timed.properties.TIMER_DEQUEUE_MS)).toBeGreaterThanOrEqual(deliverAt);
  expect(timed.properties.TIMER_ENQUEUE_MS).toBeDefined();
  expect(timed.properties.REAL_TOPIC).toBeUndefined();
  expect((await timerMetrics(remoting)).Timed).toBeUndefined();
  process.stdout.write(`timer lateness: ${late.map(([body, ms]) => `${body} ${ms} ms`).join(', ')}\n`);
}, 30_000);

it('refuses a delay beyond timerMaxDelaySec or one that is not a number, as RocketMQ (MESSAGE_ILLEGAL)', async () => {
  const { producer } = await setup('TimedBad');
  await expect(producer.send({ topic: 'TimedBad', body: 'x', properties: { TIMER_DELAY_SEC: String(3 * 24 * 3600 + 60) } })).rejects.toThrow(/MESSAGE_ILLEGAL|\(13\)/);
  await expect(producer.send({ topic: 'TimedBad', body: 'x', properties: { TIMER_DELIVER_MS: 'tomorrow' } })).rejects.toThrow(/timer message illegal/);
  // Up to the limit is fine (and waits: nothing arrives now).
  await producer.send({ topic: 'TimedBad', body: 'in-3-days', properties: { TIMER_DELAY_SEC: String(3 * 24 * 3600 - 60) } });
  // A delay level wins over TIMER_ properties (RocketMQ drops them).
  const sent = await producer.send({ topic: 'TimedBad', body: 'level', delayLevel: 1, properties: { TIMER_DELAY_SEC: '3600' } });
  expect(sent.sendStatus).toBe('SEND_OK');
}, 30_000);

it('a timer message waiting across a broker restart is delivered once, at its time', async () => {
  const { producer, pop } = await setup('TimedRestart');
  const dueAt = Date.now() + 3_000;
  await producer.send({ topic: 'TimedRestart', body: 'after-restart', properties: { TIMER_DELIVER_MS: String(dueAt) } });
  await fx.cluster.restartBroker();
  const got = await collect(pop, 'TimedRestart', 1, 10_000);
  expect(got[0]!.at).toBeGreaterThanOrEqual(dueAt);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await fx.cluster.restartBroker();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const again = await pop.pop(fx.cluster.brokerAddr, 'broker-a', { topic: 'TimedRestart', group: 'CG_TimedRestart', maxMsgNums: 32, invisibleTimeMs: 10_000, initMode: 1 });
  expect(again.messages).toHaveLength(0);
}, 40_000);
