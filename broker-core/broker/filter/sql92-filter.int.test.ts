/**
 * SQL92 filtering end to end on the real file store: the SqlFilterProducer / SqlFilterConsumer example (10
 * messages, TagA/TagB/TagC, property a = 0..9; 3 delivered), the way a Java push consumer does it (heartbeat
 * with the selector, pulls without the SUBSCRIPTION flag) and the way the project's consumers do it (selector in
 * every pull), CHECK_CLIENT_CONFIG, held pulls, and a broker with enablePropertyFilter=false refusing SQL92.
 */
import { describe, expect, it } from 'vitest';
import { MessageSelector } from '../../client/message-selector';
import type { MessageExt } from '../../client/message';
import { Producer } from '../../client/producer';
import { PullConsumer } from '../../client/pull-consumer';
import { PushConsumer } from '../../client/push-consumer';
import { stringifyJavaJson } from '../../protocol/fastjson';
import { createRequest, type RemotingCommand } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { RemotingClient } from '../../remoting/remoting-client';
import { useTestCluster, type ClusterFixture } from '../../testing/use-test-cluster';
import { waitFor } from '../../testing/wait-for';
import { silentLogger } from '../../util/logger';
import { readStoredRecord } from '../message/message-util';

const EXAMPLE_SQL = "(TAGS is not null and TAGS in ('TagA', 'TagB')) and (a is not null and a between 0 and 3)";
const TAGS = ['TagA', 'TagB', 'TagC'];

const on = useTestCluster();
const off = useTestCluster({ broker: { enablePropertyFilter: false } });

async function sendExample(fx: ClusterFixture, topic: string): Promise<void> {
  await fx.admin.createOrUpdateTopic(fx.cluster.brokerAddr, { topicName: topic, readQueueNums: 1, writeQueueNums: 1, perm: 6 });
  const producer = new Producer({ namesrvAddr: fx.cluster.namesrvAddr, groupName: `PG_${topic}` });
  await producer.start();
  fx.closeLater(() => producer.shutdown());
  for (let i = 0; i < 10; i++) {
    await producer.send({ topic, tags: TAGS[i % 3]!, body: `Hello RocketMQ ${i}`, properties: { a: String(i) } });
  }
}

function remoting(fx: ClusterFixture): (code: number, ext?: Record<string, string | number | boolean>, body?: Buffer, timeoutMs?: number) => Promise<RemotingCommand> {
  const client = new RemotingClient({ logger: silentLogger });
  fx.closeLater(() => client.close());
  return (code, ext, body, timeoutMs = 5_000) => client.invoke(fx.cluster.brokerAddr, createRequest(code, ext, body), timeoutMs);
}

function heartbeat(group: string, topic: string, subString: string, expressionType: string): Buffer {
  return Buffer.from(stringifyJavaJson({
    clientID: `127.0.0.1@${group}`,
    producerDataSet: [],
    consumerDataSet: [{
      groupName: group, consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', unitMode: false,
      subscriptionDataSet: [{ classFilterMode: false, topic, subString, tagsSet: [], codeSet: [], subVersion: 1, expressionType }],
    }],
  }));
}

const checkBody = (subString: string, expressionType = 'SQL92'): Buffer =>
  Buffer.from(stringifyJavaJson({ clientId: '127.0.0.1@check', group: 'CG_check', subscriptionData: { topic: 'SqlFilterTest', subString, expressionType, tagsSet: [], codeSet: [], subVersion: 1 } }));

const pullFields = (group: string, topic: string, extra: Record<string, string | number> = {}) => ({
  consumerGroup: group, topic, queueId: 0, queueOffset: 0, maxMsgNums: 32, sysFlag: 0, commitOffset: 0, suspendTimeoutMillis: 0, subVersion: 1, ...extra,
});

const bodies = (response: RemotingCommand): string[] => {
  const out: string[] = [];
  const buf = response.body ?? Buffer.alloc(0);
  for (let pos = 0; pos < buf.length; pos += buf.readInt32BE(pos)) out.push(readStoredRecord(buf.subarray(pos, pos + buf.readInt32BE(pos))).body.toString());
  return out;
};

const DELIVERED = ['Hello RocketMQ 0', 'Hello RocketMQ 1', 'Hello RocketMQ 3'];

describe('SQL92 filtering (enablePropertyFilter=true, the default)', () => {
  it('a Java-style consumer (selector in the heartbeat, pulls without it) gets exactly the 3 of 10', async () => {
    await sendExample(on, 'SqlJavaStyle');
    const call = remoting(on);
    expect((await call(RequestCode.HEART_BEAT, undefined, heartbeat('CG_java', 'SqlJavaStyle', EXAMPLE_SQL, 'SQL92'))).code).toBe(ResponseCode.SUCCESS);
    const pulled = await call(RequestCode.PULL_MESSAGE, pullFields('CG_java', 'SqlJavaStyle', { sysFlag: 0x2 }));
    expect(pulled.code).toBe(ResponseCode.SUCCESS);
    expect(bodies(pulled)).toEqual(DELIVERED);
    expect(pulled.extFields?.nextBeginOffset).toBe('10');
  });

  it('the project\'s PushConsumer and PullConsumer, with the selector in each pull, get the same 3', async () => {
    await sendExample(on, 'SqlFilterTest');
    const received: MessageExt[] = [];
    const consumer = new PushConsumer({ namesrvAddr: on.cluster.namesrvAddr, groupName: 'CG_sql_push', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
    consumer.subscribe('SqlFilterTest', MessageSelector.bySql(EXAMPLE_SQL)).registerMessageListener((messages) => void received.push(...messages));
    on.closeLater(() => consumer.shutdown());
    await consumer.start();
    await waitFor(() => received.length >= 3, { timeoutMs: 15_000, message: () => `received ${received.length}` });
    // Long enough for any unfiltered message to arrive as well.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(received.map((m) => m.body.toString()).sort()).toEqual(DELIVERED);
    expect(received.map((m) => `${m.tags} a=${m.properties.a}`).sort()).toEqual(['TagA a=0', 'TagA a=3', 'TagB a=1']);

    const pullConsumer = new PullConsumer({ namesrvAddr: on.cluster.namesrvAddr, groupName: 'CG_sql_pull' });
    await pullConsumer.start();
    on.closeLater(() => pullConsumer.shutdown());
    const [queue] = await pullConsumer.fetchSubscribeMessageQueues('SqlFilterTest');
    const result = await pullConsumer.pull(queue!, MessageSelector.bySql('a >= 8 OR TAGS = \'TagB\''), 0);
    expect(result.msgFoundList.map((m) => m.properties.a)).toEqual(['1', '4', '7', '8', '9']);
  }, 30_000);

  it('answers CHECK_CLIENT_CONFIG: SQL92 compiles or the reason it does not', async () => {
    const call = remoting(on);
    expect((await call(RequestCode.CHECK_CLIENT_CONFIG, undefined, checkBody(EXAMPLE_SQL))).code).toBe(ResponseCode.SUCCESS);
    expect((await call(RequestCode.CHECK_CLIENT_CONFIG, undefined, checkBody('TagA || TagB', 'TAG'))).code).toBe(ResponseCode.SUCCESS);
    const bad = await call(RequestCode.CHECK_CLIENT_CONFIG, undefined, checkBody('a >'));
    expect(bad.code).toBe(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    expect(bad.remark).toMatch(/Encountered the end of the expression at line 1, column 4/);
  });

  it('never delivers what a selector refuses, even when the selector is wrong or missing', async () => {
    await sendExample(on, 'SqlWrong');
    const call = remoting(on);
    // A selector that does not compile, in the pull: refused, not "everything".
    const parse = await call(RequestCode.PULL_MESSAGE, pullFields('CG_wrong', 'SqlWrong', { sysFlag: 0x4, subscription: 'a >', expressionType: 'SQL92' }));
    expect(parse.code).toBe(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    // ... in the heartbeat: pulls answer FILTER_DATA_NOT_EXIST.
    await call(RequestCode.HEART_BEAT, undefined, heartbeat('CG_wrong', 'SqlWrong', 'price >', 'SQL92'));
    const noFilter = await call(RequestCode.PULL_MESSAGE, pullFields('CG_wrong', 'SqlWrong'));
    expect(noFilter.code).toBe(ResponseCode.FILTER_DATA_NOT_EXIST);
    expect(noFilter.remark).toBe("The broker's consumer filter data is not exist!Your expression may be wrong!");
    // No heartbeat at all: RocketMQ's SUBSCRIPTION_NOT_EXIST, not the whole queue.
    const unknown = await call(RequestCode.PULL_MESSAGE, pullFields('CG_never_heartbeat', 'SqlWrong'));
    expect(unknown.code).toBe(ResponseCode.SUBSCRIPTION_NOT_EXIST);
    // A selector that matches nothing: the whole queue is scanned and nothing comes back.
    const none = await call(RequestCode.PULL_MESSAGE, pullFields('CG_none', 'SqlWrong', { sysFlag: 0x4, subscription: "TAGS = 'TagZ'", expressionType: 'SQL92' }));
    expect(none.code).toBe(ResponseCode.PULL_RETRY_IMMEDIATELY);
    expect(none.extFields?.nextBeginOffset).toBe('10');
    expect(none.body?.length ?? 0).toBe(0);
  });

  it('a held pull wakes on arrival and answers only with matching messages', async () => {
    await on.admin.createOrUpdateTopic(on.cluster.brokerAddr, { topicName: 'SqlHeld', readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    const call = remoting(on);
    const held = call(RequestCode.PULL_MESSAGE, pullFields('CG_held', 'SqlHeld', { sysFlag: 0x2 | 0x4, suspendTimeoutMillis: 10_000, subscription: 'a > 5', expressionType: 'SQL92' }), undefined, 15_000);
    const producer = new Producer({ namesrvAddr: on.cluster.namesrvAddr, groupName: 'PG_held' });
    await producer.start();
    on.closeLater(() => producer.shutdown());
    await new Promise((resolve) => setTimeout(resolve, 300));
    await producer.send({ topic: 'SqlHeld', body: 'small', properties: { a: '1' } });
    await producer.send({ topic: 'SqlHeld', body: 'large', properties: { a: '9' } });
    let response = await held;
    let offset = 0;
    const seen: string[] = [];
    // The first wake-up may come for the non-matching message alone; the client then pulls again.
    for (let i = 0; i < 3 && seen.length === 0; i++) {
      if (response.code === ResponseCode.SUCCESS) seen.push(...bodies(response));
      offset = Number(response.extFields?.nextBeginOffset ?? offset);
      if (seen.length === 0) response = await call(RequestCode.PULL_MESSAGE, pullFields('CG_held', 'SqlHeld', { sysFlag: 0x2 | 0x4, queueOffset: offset, suspendTimeoutMillis: 5_000, subscription: 'a > 5', expressionType: 'SQL92' }), undefined, 10_000);
    }
    expect(seen).toEqual(['large']);
  }, 30_000);
});

describe('SQL92 filtering with enablePropertyFilter=false', () => {
  const REFUSAL = 'The broker does not support consumer to filter message by SQL92';

  it('refuses SQL92 with RocketMQ\'s message in CHECK_CLIENT_CONFIG and in pulls', async () => {
    await sendExample(off, 'SqlOff');
    const call = remoting(off);
    const check = await call(RequestCode.CHECK_CLIENT_CONFIG, undefined, checkBody(EXAMPLE_SQL));
    expect([check.code, check.remark]).toEqual([ResponseCode.SYSTEM_ERROR, REFUSAL]);
    const pulled = await call(RequestCode.PULL_MESSAGE, pullFields('CG_off', 'SqlOff', { sysFlag: 0x4, subscription: EXAMPLE_SQL, expressionType: 'SQL92' }));
    expect([pulled.code, pulled.remark]).toEqual([ResponseCode.SYSTEM_ERROR, REFUSAL]);
    await call(RequestCode.HEART_BEAT, undefined, heartbeat('CG_off', 'SqlOff', EXAMPLE_SQL, 'SQL92'));
    const fromHeartbeat = await call(RequestCode.PULL_MESSAGE, pullFields('CG_off', 'SqlOff'));
    expect([fromHeartbeat.code, fromHeartbeat.remark]).toEqual([ResponseCode.SYSTEM_ERROR, REFUSAL]);
    // Tags still work.
    const tags = await call(RequestCode.PULL_MESSAGE, pullFields('CG_off_tags', 'SqlOff', { sysFlag: 0x4, subscription: 'TagA', expressionType: 'TAG' }));
    expect(bodies(tags)).toEqual(['Hello RocketMQ 0', 'Hello RocketMQ 3', 'Hello RocketMQ 6', 'Hello RocketMQ 9']);
  });

  it('the project\'s PushConsumer does not start with an SQL92 subscription there', async () => {
    const consumer = new PushConsumer({ namesrvAddr: off.cluster.namesrvAddr, groupName: 'CG_off_push' });
    consumer.subscribe('SqlOff', MessageSelector.bySql('a > 1')).registerMessageListener(() => undefined);
    await expect(consumer.start()).rejects.toThrow(/Check client in broker error.*The broker does not support consumer to filter message by SQL92/);
  });
});
