/**
 * Ordered messages end to end: sends keyed by order id (same key → same queue), two orderly consumers in one
 * group with a rebalance in the middle, queue locks on the broker, a suspended queue that must not let later
 * steps overtake.
 */
import { expect, it } from 'vitest';
import { useTestCluster } from '../testing/use-test-cluster';
import { waitFor } from '../testing/wait-for';
import { Producer, selectByHash } from './producer';
import { PushConsumer } from './push-consumer';

const fx = useTestCluster();

it('10 orders × 20 steps arrive strictly in sequence across two consumers and a rebalance, with a suspended queue', async () => {
  const topic = 'OrderSteps';
  const group = 'CG_orderly';
  const { cluster, admin } = fx;
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: topic, readQueueNums: 8, writeQueueNums: 8, perm: 6, order: true });
  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_orderly' });
  await producer.start();
  fx.closeLater(() => producer.shutdown());

  const arrivals: { order: number; step: number; consumer: string }[] = [];
  let suspended = 0;
  const consumer = (name: string) => {
    const c = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr, groupName: group, instanceName: name, orderly: true, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      rebalanceIntervalMs: 500, suspendCurrentQueueTimeMillis: 200, consumeThreadMax: 4,
    });
    c.subscribe(topic, '*');
    c.registerMessageListener(async (messages) => {
      const { order, step } = JSON.parse(messages[0]!.body.toString()) as { order: number; step: number };
      // Order 3 refuses its step 5 twice: its queue must wait, not skip ahead.
      if (order === 3 && step === 5 && suspended < 2) {
        suspended++;
        return 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
      }
      await new Promise((r) => setTimeout(r, Math.random() * 4));
      arrivals.push({ order, step, consumer: name });
      return 'CONSUME_SUCCESS';
    });
    fx.closeLater(() => c.shutdown());
    return c;
  };

  const a = consumer('a');
  await a.start();
  let b: PushConsumer | undefined;
  for (let step = 0; step < 20; step++) {
    if (step === 10) {
      b = consumer('b');
      await b.start();
    }
    for (let order = 0; order < 10; order++) {
      const result = await producer.send({ topic, body: JSON.stringify({ order, step }), keys: [`order-${order}`] }, { selector: selectByHash, arg: `order-${order}` });
      expect(result.sendStatus).toBe('SEND_OK');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await waitFor(() => arrivals.length >= 200, { timeoutMs: 60_000, message: () => `consumed ${arrivals.length} of 200` });
  await new Promise((r) => setTimeout(r, 500)); // anything delivered twice would show up now

  for (let order = 0; order < 10; order++) {
    const steps = arrivals.filter((x) => x.order === order).map((x) => x.step);
    expect(steps, `order ${order}`).toEqual([...Array(20).keys()]);
  }
  expect(suspended).toBe(2);
  expect(new Set(arrivals.map((x) => x.consumer))).toEqual(new Set(['a', 'b']));
  // After settling, the group's two clients own disjoint halves of the eight queues.
  const mine = (c: PushConsumer) => c.assignedQueues().filter((q) => q.topic === topic);
  await waitFor(() => mine(a).length === 4 && mine(b!).length === 4, { timeoutMs: 10_000, message: () => `queues split ${mine(a).length} + ${mine(b!).length}` });
  const owned = [...mine(a), ...mine(b!)].map((q) => q.queueId).sort((x, y) => x - y);
  expect(owned).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
}, 90_000);
