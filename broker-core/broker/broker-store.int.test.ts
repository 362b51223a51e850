/**
 * The broker on the real file store (no injected store), over real TCP: SEND_MESSAGE (v1 header names),
 * subscription groups, NOTIFY_CONSUMER_IDS_CHANGED pushed to the group's other client, and a restart that keeps
 * messages, offsets and groups.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { createRequest, createResponse, type RemotingCommand } from '../protocol/remoting-command';
import { RemotingClient } from '../remoting/remoting-client';
import { waitFor } from '../testing/wait-for';
import { silentLogger } from '../util/logger';
import { BrokerController } from './broker-controller';
import { encodePropertiesString, readStoredRecord } from './message/message-util';

let dir: string;
let broker: BrokerController;
let clients: RemotingClient[] = [];
let addr: string;

async function startBroker(port = 0): Promise<void> {
  broker = new BrokerController({ storePathRootDir: dir, listenPort: port, fastListenPort: null, brokerIP1: '127.0.0.1', namesrvAddr: [] }, { logger: silentLogger });
  await broker.start();
  addr = `127.0.0.1:${broker.port}`;
}

function newClient(): RemotingClient {
  const client = new RemotingClient({ logger: silentLogger });
  clients.push(client);
  return client;
}

const call = (client: RemotingClient, code: number, ext?: Record<string, string | number | boolean>, body?: Buffer): Promise<RemotingCommand> =>
  client.invoke(addr, createRequest(code, ext, body), 5_000);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-broker-store-'));
  await startBroker();
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await broker?.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('broker on the file store', () => {
  it('accepts SEND_MESSAGE with v1 header names and serves the stored record', async () => {
    const client = newClient();
    const sent = await call(client, RequestCode.SEND_MESSAGE, {
      producerGroup: 'PG', topic: 'V1Topic', defaultTopic: 'TBW102', defaultTopicQueueNums: 4, queueId: 1, sysFlag: 0,
      bornTimestamp: Date.now(), flag: 0, properties: encodePropertiesString({ TAGS: 'TagV1', KEYS: 'k1' }), reconsumeTimes: 0, unitMode: false,
    }, Buffer.from('v1 body'));
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    expect(sent.extFields).toMatchObject({ queueId: '1', queueOffset: '0' });
    const pulled = await call(client, RequestCode.PULL_MESSAGE, { consumerGroup: 'G', topic: 'V1Topic', queueId: 1, queueOffset: 0, maxMsgNums: 32, sysFlag: 0x4, subscription: '*', commitOffset: 0, suspendTimeoutMillis: 0, subVersion: 0 });
    expect(pulled.code).toBe(ResponseCode.SUCCESS);
    const record = readStoredRecord(pulled.body!);
    expect(record.body.toString()).toBe('v1 body');
    expect(record.properties.TAGS).toBe('TagV1');
  });

  it('creates, reads and deletes subscription groups', async () => {
    const client = newClient();
    const config = { groupName: 'GroupX', consumeEnable: true, consumeBroadcastEnable: true, retryQueueNums: 1, retryMaxTimes: 5, brokerId: 0, whichBrokerWhenConsumeSlowly: 1, consumeMessageOrderly: false };
    expect((await call(client, RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, undefined, Buffer.from(JSON.stringify(config)))).code).toBe(ResponseCode.SUCCESS);
    const got = await call(client, RequestCode.GET_SUBSCRIPTIONGROUP_CONFIG, { group: 'GroupX' });
    expect(JSON.parse(got.body!.toString())).toMatchObject({ groupName: 'GroupX', retryMaxTimes: 5 });
    expect((await call(client, RequestCode.DELETE_SUBSCRIPTIONGROUP, { groupName: 'GroupX' })).code).toBe(ResponseCode.SUCCESS);
    const all = await call(client, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG);
    expect(all.body!.toString()).not.toContain('"GroupX"');
  });

  it('tells the group’s existing client when another one joins (NOTIFY_CONSUMER_IDS_CHANGED)', async () => {
    const first = newClient();
    const notified: string[] = [];
    first.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, async (request) => {
      notified.push(request.extFields?.consumerGroup ?? '');
      return createResponse(request, ResponseCode.SUCCESS);
    });
    const heartbeat = (clientID: string) => Buffer.from(JSON.stringify({
      clientID,
      producerDataSet: [],
      consumerDataSet: [{ groupName: 'NotifyGroup', consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET', subscriptionDataSet: [{ topic: 'V1Topic', subString: '*', subVersion: 1 }] }],
    }));
    expect((await call(first, RequestCode.HEART_BEAT, undefined, heartbeat('127.0.0.1@first'))).code).toBe(ResponseCode.SUCCESS);
    const second = newClient();
    expect((await call(second, RequestCode.HEART_BEAT, undefined, heartbeat('127.0.0.1@second'))).code).toBe(ResponseCode.SUCCESS);
    await waitFor(() => notified.includes('NotifyGroup'), { timeoutMs: 5_000 });
    const list = await call(first, RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'NotifyGroup' });
    expect(JSON.parse(list.body!.toString()).consumerIdList.sort()).toEqual(['127.0.0.1@first', '127.0.0.1@second']);
  });

  it('keeps messages and committed offsets across a restart on the same store', async () => {
    const client = newClient();
    await call(client, RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'V1Topic', queueId: 1, commitOffset: 1 });
    const port = broker.port;
    await broker.shutdown();
    await startBroker(port);
    const after = newClient();
    expect((await call(after, RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'V1Topic', queueId: 1 })).extFields?.offset).toBe('1');
    expect((await call(after, RequestCode.GET_MAX_OFFSET, { topic: 'V1Topic', queueId: 1 })).extFields?.offset).toBe('1');
    const pulled = await call(after, RequestCode.PULL_MESSAGE, { consumerGroup: 'G', topic: 'V1Topic', queueId: 1, queueOffset: 0, maxMsgNums: 32, sysFlag: 0x4, subscription: '*', commitOffset: 0, suspendTimeoutMillis: 0, subVersion: 0 });
    expect(readStoredRecord(pulled.body!).body.toString()).toBe('v1 body');
  });
});
