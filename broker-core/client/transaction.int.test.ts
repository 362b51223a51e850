/**
 * Transactional messages end to end: half messages invisible until committed, rollback, UNKNOW resolved by
 * the broker's CHECK_TRANSACTION_STATE, the check limit, and a broker restart in between. The broker checks
 * every 300 ms, first after 800 ms, at most 3 times (RocketMQ: 60 s, 6 s, 15).
 */
import { expect, it } from 'vitest';
import { TopicValidator } from '../broker/topics/topic-config-manager';
import { useTestCluster } from '../testing/use-test-cluster';
import { waitFor } from '../testing/wait-for';
import type { MessageExt } from './message';
import { Producer, type LocalTransactionState } from './producer';
import { PushConsumer } from './push-consumer';

const fx = useTestCluster({ broker: { transactionTimeOut: 800, transactionCheckInterval: 300, transactionCheckMax: 3 } });
const TOPIC = 'TxOrders';

/** Local transactions decided per body: the first answer, and what checks answer. */
const decisions = new Map<string, { first: LocalTransactionState; check: LocalTransactionState }>();
const checks = new Map<string, number>();
/** Messages in the topic (sum of queue max offsets) seen from inside the local transaction of "peek". */
let visibleDuringPeek = -1;

const topicTotal = async () => (await fx.admin.getTopicStats(fx.cluster.brokerAddr, TOPIC)).offsetTable.reduce((s, o) => s + o.offset.maxOffset, 0);

async function setup(): Promise<{ producer: Producer; delivered: Map<string, MessageExt> }> {
  const { cluster, admin } = fx;
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: TOPIC, readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  const producer = new Producer({
    namesrvAddr: cluster.namesrvAddr,
    groupName: 'PG_tx',
    transactionListener: {
      executeLocalTransaction: async (message) => {
        if (String(message.body) === 'peek') visibleDuringPeek = await topicTotal();
        return decisions.get(String(message.body))!.first;
      },
      checkLocalTransaction: (message) => {
        const body = message.body.toString();
        checks.set(body, (checks.get(body) ?? 0) + 1);
        return decisions.get(body)!.check;
      },
    },
  });
  await producer.start();
  fx.closeLater(() => producer.shutdown());
  const delivered = new Map<string, MessageExt>();
  const consumer = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: 'CG_tx', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', rebalanceIntervalMs: 1_000 });
  consumer.subscribe(TOPIC, '*').registerMessageListener((messages) => {
    for (const m of messages) delivered.set(m.body.toString(), m);
  });
  await consumer.start();
  fx.closeLater(() => consumer.shutdown());
  return { producer, delivered };
}

it('hides half messages, commits, rolls back, resolves UNKNOW through checks and gives up after the check limit', async () => {
  const { cluster, admin } = fx;
  const { producer, delivered } = await setup();

  decisions.set('commit-me', { first: 'COMMIT_MESSAGE', check: 'ROLLBACK_MESSAGE' });
  decisions.set('roll-me-back', { first: 'ROLLBACK_MESSAGE', check: 'COMMIT_MESSAGE' });
  decisions.set('ask-me-later', { first: 'UNKNOW', check: 'COMMIT_MESSAGE' });
  decisions.set('never-decided', { first: 'UNKNOW', check: 'UNKNOW' });

  // While the local transaction runs, the message is a half message: not in the topic.
  decisions.set('peek', { first: 'ROLLBACK_MESSAGE', check: 'ROLLBACK_MESSAGE' });
  await producer.sendMessageInTransaction({ topic: TOPIC, body: 'peek' });
  expect(visibleDuringPeek).toBe(0);
  expect(await topicTotal()).toBe(0);

  const sent = await producer.sendMessageInTransaction({ topic: TOPIC, body: 'commit-me', keys: ['tx-1'] });
  expect(sent.sendStatus).toBe('SEND_OK');
  expect(sent.localTransactionState).toBe('COMMIT_MESSAGE');
  expect(sent.messageQueue.topic).toBe(TOPIC);

  expect((await producer.sendMessageInTransaction({ topic: TOPIC, body: 'roll-me-back' })).localTransactionState).toBe('ROLLBACK_MESSAGE');
  expect((await producer.sendMessageInTransaction({ topic: TOPIC, body: 'ask-me-later' })).localTransactionState).toBe('UNKNOW');
  expect((await producer.sendMessageInTransaction({ topic: TOPIC, body: 'never-decided' })).localTransactionState).toBe('UNKNOW');

  await waitFor(() => delivered.has('commit-me'), { timeoutMs: 10_000, message: 'the committed message was not delivered' });
  const committed = delivered.get('commit-me')!;
  expect(committed.msgId).toBe(sent.msgId);
  expect(committed.keys).toEqual(['tx-1']);
  // As the Java broker: the committed message keeps the half message's properties.
  expect(committed.properties.TRAN_MSG).toBe('true');
  expect(committed.properties.REAL_TOPIC).toBe(TOPIC);
  expect(committed.properties.PGROUP).toBe('PG_tx');
  expect(committed.sysFlag & 0xc).toBe(0x8);

  // UNKNOW → the broker checks after ~0.8 s, the check answers COMMIT: delivered once.
  await waitFor(() => delivered.has('ask-me-later'), { timeoutMs: 10_000, message: 'the checked transaction was not committed' });
  expect(checks.get('ask-me-later')).toBe(1);
  expect(delivered.get('ask-me-later')!.properties.TRANSACTION_CHECK_TIMES).toBe('1');
  // Never decided → checked 3 times, then given up: parked in TRANS_CHECK_MAX_TIME_TOPIC, never delivered.
  await waitFor(async () => (checks.get('never-decided') ?? 0) >= 3 && (await admin.maxOffset(cluster.brokerAddr, TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC, 0)) === 1,
    { timeoutMs: 15_000, message: () => `checked ${checks.get('never-decided') ?? 0} times` });
  await new Promise((r) => setTimeout(r, 1_500));
  expect(checks.get('never-decided')).toBe(3);
  expect(delivered.has('roll-me-back')).toBe(false);
  expect(delivered.has('never-decided')).toBe(false);
  expect(checks.has('commit-me')).toBe(false);
  expect(checks.has('roll-me-back')).toBe(false);
  expect([...delivered.keys()].sort()).toEqual(['ask-me-later', 'commit-me']);
}, 60_000);

it('a half message left unknown when the broker restarts is checked and committed after the restart', async () => {
  const { cluster } = fx;
  const producer = new Producer({
    namesrvAddr: cluster.namesrvAddr,
    groupName: 'PG_tx_restart',
    transactionListener: { executeLocalTransaction: () => 'UNKNOW', checkLocalTransaction: () => 'COMMIT_MESSAGE' },
  });
  await producer.start();
  fx.closeLater(() => producer.shutdown());
  const sent = await producer.sendMessageInTransaction({ topic: TOPIC, body: 'across-a-restart' });
  expect(sent.localTransactionState).toBe('UNKNOW');
  await cluster.restartBroker();

  const seen: string[] = [];
  const consumer = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: 'CG_tx_restart', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
  consumer.subscribe(TOPIC, '*').registerMessageListener((messages) => {
    for (const m of messages) seen.push(m.body.toString());
  });
  await consumer.start();
  fx.closeLater(() => consumer.shutdown());
  // The restarted broker checks the producer (once it has heartbeated again) and commits.
  await waitFor(() => seen.includes('across-a-restart'), { timeoutMs: 20_000, message: 'the half message was not resolved after the restart' });
  await new Promise((r) => setTimeout(r, 1_000));
  expect(seen.filter((b) => b === 'across-a-restart')).toHaveLength(1);
}, 60_000);
