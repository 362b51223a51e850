import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJavaJson } from '../protocol/fastjson';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { createRequest, type RemotingCommand } from '../protocol/remoting-command';
import { RemotingClient } from '../remoting/remoting-client';
import { silentLogger } from '../util/logger';
import { BrokerController } from './broker-controller';
import { encodePropertiesString, readStoredRecord } from './message/message-util';
import { MemoryMessageStore } from './testing/memory-message-store';
import { waitFor } from '../testing/wait-for';

let dir: string;
let broker: BrokerController;
let client: RemotingClient;
let addr: string;

const invoke = (code: number, ext?: Record<string, string | number | boolean>, body?: Buffer, timeoutMs = 5_000): Promise<RemotingCommand> =>
  client.invoke(addr, createRequest(code, ext, body), timeoutMs);

function sendV2(topic: string, tags: string, body: string, extra: Record<string, string | number> = {}): Promise<RemotingCommand> {
  return invoke(RequestCode.SEND_MESSAGE_V2, {
    a: 'PG', b: topic, c: 'TBW102', d: 4, e: 0, f: 0, g: Date.now(), h: 0,
    i: encodePropertiesString({ TAGS: tags, KEYS: `key-${body}`, UNIQ_KEY: `U${body}`, WAIT: 'true' }), j: 0, k: false, ...extra,
  }, Buffer.from(body));
}

function pull(topic: string, queueId: number, queueOffset: number, extra: Record<string, string | number> = {}, timeoutMs = 5_000) {
  return invoke(RequestCode.PULL_MESSAGE, {
    consumerGroup: 'G1', topic, queueId, queueOffset, maxMsgNums: 32, sysFlag: 0x4, subscription: '*', commitOffset: 0, suspendTimeoutMillis: 0, subVersion: 0, ...extra,
  }, undefined, timeoutMs);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-broker-'));
  broker = new BrokerController({ storePathRootDir: dir, listenPort: 0, fastListenPort: null, brokerIP1: '127.0.0.1', namesrvAddr: [] }, { logger: silentLogger, store: new MemoryMessageStore() });
  await broker.start();
  addr = `127.0.0.1:${broker.port}`;
  client = new RemotingClient({ logger: silentLogger });
});

afterAll(async () => {
  await client?.close();
  await broker?.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('BrokerController over TCP', () => {
  it('creates topics, sends and pulls with tag filtering', async () => {
    const created = await invoke(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'T1', defaultTopic: 'TBW102', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicFilterType: 'SINGLE_TAG', order: false });
    expect(created.code).toBe(ResponseCode.SUCCESS);
    const sent = await sendV2('T1', 'TagA', 'one');
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    expect(sent.extFields?.msgId).toMatch(/^[0-9A-F]{32}$/);
    expect(sent.extFields?.queueOffset).toBe('0');
    await sendV2('T1', 'TagB', 'two');
    const all = await pull('T1', 0, 0);
    expect(all.code).toBe(ResponseCode.SUCCESS);
    expect(all.extFields?.nextBeginOffset).toBe('2');
    const records = [readStoredRecord(all.body!)];
    expect(records[0]!.properties.CLUSTER).toBe('DefaultCluster');
    expect(records[0]!.properties.WAIT).toBeUndefined();
    const onlyB = await pull('T1', 0, 0, { sysFlag: 4, subscription: 'TagB' });
    expect(onlyB.code).toBe(ResponseCode.SUCCESS);
    expect(readStoredRecord(onlyB.body!).body.toString()).toBe('two');
    const none = await pull('T1', 0, 0, { sysFlag: 4, subscription: 'TagC' });
    expect(none.code).toBe(ResponseCode.PULL_RETRY_IMMEDIATELY);
    expect((await pull('T1', 0, 2)).code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect((await pull('T1', 0, 9)).code).toBe(ResponseCode.PULL_OFFSET_MOVED);
    const view = await invoke(RequestCode.VIEW_MESSAGE_BY_ID, { offset: readStoredRecord(all.body!).commitLogOffset });
    expect(view.code).toBe(ResponseCode.SUCCESS);
    const byKey = await invoke(RequestCode.QUERY_MESSAGE, { topic: 'T1', key: 'key-two', maxNum: 10, beginTimestamp: 0, endTimestamp: Date.now() + 1000 });
    expect(byKey.code).toBe(ResponseCode.SUCCESS);
    const byUniq = await client.invoke(addr, { ...createRequest(RequestCode.QUERY_MESSAGE, { topic: 'T1', key: 'Uone', maxNum: 10, beginTimestamp: 0, endTimestamp: Date.now() + 1000 }), extFields: { topic: 'T1', key: 'Uone', maxNum: '10', beginTimestamp: '0', endTimestamp: String(Date.now() + 1000), _UNIQUE_KEY_QUERY: 'true' } }, 5000);
    expect(readStoredRecord(byUniq.body!).body.toString()).toBe('one');
  });

  it('rejects bad requests with a code and remark, never dropping the connection', async () => {
    const noTopic = await invoke(RequestCode.SEND_MESSAGE_V2, { a: 'PG', b: 'Unknown', c: 'NOPE', d: 4, e: 0, f: 0, g: Date.now(), h: 0 }, Buffer.from('x'));
    expect(noTopic.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    const badHeader = await invoke(RequestCode.PULL_MESSAGE, { consumerGroup: 'G1', topic: 'T1', queueId: 'abc' });
    expect(badHeader.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(badHeader.remark).toMatch(/queueId/);
    const big = await invoke(RequestCode.SEND_MESSAGE_V2, { a: 'PG', b: 'T1', c: 'TBW102', d: 4, e: 0, f: 0, g: Date.now(), h: 0 }, Buffer.alloc(4 * 1024 * 1024 + 1));
    expect(big.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    const badBatch = await invoke(RequestCode.SEND_BATCH_MESSAGE, { a: 'PG', b: 'T1', c: 'TBW102', d: 4, e: 0, f: 0, g: Date.now(), h: 0, m: true }, Buffer.from([0, 0, 0, 99, 1]));
    expect(badBatch.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect((await invoke(RequestCode.GET_MAX_OFFSET, { topic: 'T1', queueId: 0 })).extFields?.offset).toBe('2');
  });

  it('auto-creates topics through TBW102 with 4 queues', async () => {
    const sent = await sendV2('AutoTopic', 'TagA', 'auto');
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    const config = await invoke(RequestCode.GET_TOPIC_CONFIG, { topic: 'AutoTopic' });
    expect(JSON.parse(config.body!.toString())).toMatchObject({ topicName: 'AutoTopic', readQueueNums: 4, writeQueueNums: 4, perm: 6 });
  });

  it('holds a pull until a message arrives, and answers PULL_NOT_FOUND at the timeout', async () => {
    await invoke(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'Held', defaultTopic: 'TBW102', readQueueNums: 1, writeQueueNums: 1, perm: 6, topicFilterType: 'SINGLE_TAG', order: false });
    const started = Date.now();
    const timedOut = await pull('Held', 0, 0, { sysFlag: 2 | 4, suspendTimeoutMillis: 300 });
    expect(timedOut.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const held = pull('Held', 0, 0, { sysFlag: 2 | 4, suspendTimeoutMillis: 10_000 }, 15_000);
    await new Promise((r) => setTimeout(r, 100));
    const wokeAt = Date.now();
    await sendV2('Held', 'TagA', 'wake');
    const woken = await held;
    expect(woken.code).toBe(ResponseCode.SUCCESS);
    expect(Date.now() - wokeAt).toBeLessThan(3_000);
  });

  it('lets go of a held pull as soon as its connection closes', async () => {
    await invoke(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'HeldGone', defaultTopic: 'TBW102', readQueueNums: 1, writeQueueNums: 1, perm: 6, topicFilterType: 'SINGLE_TAG', order: false });
    const other = new RemotingClient();
    const before = broker.holdService.heldCount;
    const held = other.invoke(addr, createRequest(RequestCode.PULL_MESSAGE, { consumerGroup: 'GHeld', topic: 'HeldGone', queueId: 0, queueOffset: 0, maxMsgNums: 32, sysFlag: 2 | 4, subscription: '*', commitOffset: 0, suspendTimeoutMillis: 30_000, subVersion: 0 }), 40_000);
    held.catch(() => undefined);
    await waitFor(() => broker.holdService.heldCount === before + 1);
    await other.close();
    await expect(held).rejects.toThrow();
    await waitFor(() => broker.holdService.heldCount === before, { timeoutMs: 2_000, message: 'the held pull of the closed connection was not let go' });
  });

  it('keeps offsets per group, answers heartbeats, consumer lists and admin queries', async () => {
    const heartbeat = {
      clientID: '127.0.0.1@1',
      producerDataSet: [{ groupName: 'PG' }],
      consumerDataSet: [{ groupName: 'G1', consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', subscriptionDataSet: [{ topic: 'T1', subString: 'TagA', subVersion: 1 }] }],
    };
    expect((await invoke(RequestCode.HEART_BEAT, undefined, Buffer.from(JSON.stringify(heartbeat)))).code).toBe(ResponseCode.SUCCESS);
    const list = await invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'G1' });
    expect(JSON.parse(list.body!.toString()).consumerIdList).toEqual(['127.0.0.1@1']);
    expect((await invoke(RequestCode.GET_TOPIC_CONFIG, { topic: '%RETRY%G1' })).code).toBe(ResponseCode.SUCCESS);
    expect((await invoke(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'G1', topic: 'T1', queueId: 0 })).extFields?.offset).toBe('0');
    await invoke(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'G1', topic: 'T1', queueId: 0, commitOffset: 2 });
    expect((await invoke(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'G1', topic: 'T1', queueId: 0 })).extFields?.offset).toBe('2');
    expect((await invoke(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'G2', topic: 'T1', queueId: 0 })).extFields?.offset).toBe('0');
    const stats = await invoke(RequestCode.GET_CONSUME_STATS, { consumerGroup: 'G1', topic: 'T1' });
    const parsed = parseJavaJson(stats.body!.toString()) as { offsetTable: Record<string, { brokerOffset: number; consumerOffset: number }> };
    const q0 = Object.entries(parsed.offsetTable).find(([k]) => k.includes('"queueId":0'))![1];
    expect(q0).toMatchObject({ brokerOffset: 2, consumerOffset: 2 });
    expect(stats.body!.toString()).toContain('{"brokerName":"broker-a","queueId":0,"topic":"T1"}:');
    const topicStats = await invoke(RequestCode.GET_TOPIC_STATS_INFO, { topic: 'T1' });
    expect(topicStats.code).toBe(ResponseCode.SUCCESS);
    const runtime = JSON.parse((await invoke(RequestCode.GET_BROKER_RUNTIME_INFO)).body!.toString()).table;
    expect(runtime).toHaveProperty('putTps');
    expect(runtime).toHaveProperty('getTransferedTps');
    expect(Number(runtime.msgPutTotalTodayNow)).toBeGreaterThan(0);
    const conns = await invoke(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: 'G1' });
    expect(JSON.parse(conns.body!.toString()).connectionSet).toHaveLength(1);
    expect((await invoke(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: 'Nobody' })).code).toBe(ResponseCode.CONSUMER_NOT_ONLINE);
    expect((await invoke(RequestCode.GET_PRODUCER_CONNECTION_LIST, { producerGroup: 'PG' })).code).toBe(ResponseCode.SUCCESS);
    const who = await invoke(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic: 'T1' });
    expect(JSON.parse(who.body!.toString()).groupList).toContain('G1');
    const reset = await invoke(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, { topic: 'T1', group: 'G1', timestamp: -1, isForce: true });
    expect(reset.code).toBe(ResponseCode.SUCCESS);
    expect((await invoke(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, { topic: 'T1', group: 'Offline', timestamp: -1, isForce: true })).code).toBe(ResponseCode.CONSUMER_NOT_ONLINE);
    const lock = await invoke(RequestCode.LOCK_BATCH_MQ, undefined, Buffer.from(JSON.stringify({ clientId: 'c1', consumerGroup: 'G1', mqSet: [{ topic: 'T1', brokerName: 'broker-a', queueId: 0 }] })));
    expect(JSON.parse(lock.body!.toString()).lockOKMQSet).toHaveLength(1);
    const lock2 = await invoke(RequestCode.LOCK_BATCH_MQ, undefined, Buffer.from(JSON.stringify({ clientId: 'c2', consumerGroup: 'G1', mqSet: [{ topic: 'T1', brokerName: 'broker-a', queueId: 0 }] })));
    expect(JSON.parse(lock2.body!.toString()).lockOKMQSet).toHaveLength(0);
    expect((await invoke(RequestCode.GET_MIN_OFFSET, { topic: 'T1', queueId: 0 })).extFields?.offset).toBe('0');
    expect((await invoke(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, { topic: 'T1', queueId: 0, timestamp: 0 })).extFields?.offset).toBe('0');
    expect((await invoke(RequestCode.GET_EARLIEST_MSG_STORETIME, { topic: 'T1', queueId: 0 })).code).toBe(ResponseCode.SUCCESS);
    expect((await invoke(RequestCode.GET_ALL_TOPIC_CONFIG)).code).toBe(ResponseCode.SUCCESS);
    expect((await invoke(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG)).code).toBe(ResponseCode.SUCCESS);
    expect((await invoke(RequestCode.GET_SUBSCRIPTIONGROUP_CONFIG, { group: 'G1' })).code).toBe(ResponseCode.SUCCESS);
    expect((await invoke(RequestCode.GET_BROKER_CONFIG)).body!.toString()).toContain('brokerName=broker-a');
    expect((await invoke(RequestCode.UPDATE_BROKER_CONFIG, undefined, Buffer.from('autoCreateTopicEnable=false\n'))).code).toBe(ResponseCode.SUCCESS);
    expect((await sendV2('NotAuto', 'TagA', 'x')).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect((await invoke(RequestCode.UPDATE_BROKER_CONFIG, undefined, Buffer.from('autoCreateTopicEnable=true\n'))).code).toBe(ResponseCode.SUCCESS);
    expect((await invoke(RequestCode.UNREGISTER_CLIENT, { clientID: '127.0.0.1@1', consumerGroup: 'G1', producerGroup: 'PG' })).code).toBe(ResponseCode.SUCCESS);
    expect((await invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'G1' })).code).toBe(ResponseCode.SYSTEM_ERROR);
  });

  it('sends a failed message back to %RETRY% via the delay levels and dead-letters exhausted ones', async () => {
    const view = await pull('T1', 0, 0);
    const record = readStoredRecord(view.body!);
    const back = await invoke(RequestCode.CONSUMER_SEND_MSG_BACK, { offset: record.commitLogOffset, group: 'G1', delayLevel: 0, originMsgId: 'X', maxReconsumeTimes: 16 });
    expect(back.code).toBe(ResponseCode.SUCCESS);
    expect((await invoke(RequestCode.GET_MAX_OFFSET, { topic: 'SCHEDULE_TOPIC_XXXX', queueId: 2 })).extFields?.offset).toBe('1');
    const dead = await invoke(RequestCode.CONSUMER_SEND_MSG_BACK, { offset: record.commitLogOffset, group: 'G1', delayLevel: -1 });
    expect(dead.code).toBe(ResponseCode.SUCCESS);
    expect((await invoke(RequestCode.GET_MAX_OFFSET, { topic: '%DLQ%G1', queueId: 0 })).extFields?.offset).toBe('1');
  });

  it('persists topics, groups and offsets atomically under config/', async () => {
    await broker.shutdown();
    for (const name of ['topics.json', 'subscriptionGroup.json', 'consumerOffset.json']) expect(fs.existsSync(path.join(dir, 'config', name))).toBe(true);
    const offsets = fs.readFileSync(path.join(dir, 'config', 'consumerOffset.json'), 'utf8');
    expect(offsets).toContain('"T1@G1":{0:2');
    const again = new BrokerController({ storePathRootDir: dir, listenPort: 0, fastListenPort: null, brokerIP1: '127.0.0.1', namesrvAddr: [] }, { logger: silentLogger, store: new MemoryMessageStore() });
    await again.start();
    expect(again.consumerOffsetManager.queryOffset('G1', 'T1', 0)).toBe(2);
    expect(again.topicConfigManager.get('T1')?.readQueueNums).toBe(2);
    expect(again.subscriptionGroupManager.get('G1')).toBeDefined();
    broker = again;
  });
});
