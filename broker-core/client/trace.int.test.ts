/** Message trace end to end: traced sends and consumes land in RMQ_SYS_TRACE_TOPIC and read back per msgId. */
import { expect, it } from 'vitest';
import { useTestCluster } from '../testing/use-test-cluster';
import { waitFor } from '../testing/wait-for';
import { Producer } from './producer';
import { PushConsumer } from './push-consumer';
import type { TraceRecord } from './trace';

const fx = useTestCluster({ broker: { messageDelayLevel: '1s 1s 1s 1s 1s' } });

it('records Pub, then SubBefore/SubAfter for a failed attempt and its retry, found by msgId', async () => {
  const { cluster, admin } = fx;
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'Traced', readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_traced', enableMsgTrace: true });
  await producer.start();
  fx.closeLater(() => producer.shutdown());
  let attempts = 0;
  const consumer = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: 'CG_traced', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', enableMsgTrace: true });
  consumer.subscribe('Traced', '*').registerMessageListener(() => (++attempts === 1 ? 'RECONSUME_LATER' : 'CONSUME_SUCCESS'));
  await consumer.start();
  fx.closeLater(() => consumer.shutdown());

  const sent = await producer.send({ topic: 'Traced', body: 'traced body', tags: 'TagT', keys: ['trace-key-1'] });
  let trace: TraceRecord[] = [];
  await waitFor(async () => {
    trace = await admin.queryTrace(sent.msgId);
    return trace.filter((r) => r.type === 'SubAfter').length >= 2;
  }, { timeoutMs: 20_000, message: () => `trace so far: ${trace.map((r) => r.type).join(', ')}` });

  expect(trace.map((r) => r.type)).toEqual(['Pub', 'SubBefore', 'SubAfter', 'SubBefore', 'SubAfter']);
  expect(trace[0]).toMatchObject({ groupName: 'PG_traced', topic: 'Traced', tags: 'TagT', keys: 'trace-key-1', storeHost: cluster.brokerAddr, bodyLength: 11, msgType: 0, offsetMsgId: sent.offsetMsgId, success: true });
  expect(trace[1]).toMatchObject({ groupName: 'CG_traced', retryTimes: 0, keys: 'trace-key-1' });
  expect(trace[2]).toMatchObject({ success: false, contextCode: 4, requestId: trace[1]!.requestId });
  expect(trace[3]).toMatchObject({ retryTimes: 1 });
  expect(trace[4]).toMatchObject({ success: true, contextCode: 0, requestId: trace[3]!.requestId, groupName: 'CG_traced' });
  // Also found by the message's own key, as the Java client's traces are.
  const byKey = await admin.queryMessageByKey('RMQ_SYS_TRACE_TOPIC', 'trace-key-1');
  expect(byKey.length).toBeGreaterThan(0);
}, 40_000);
