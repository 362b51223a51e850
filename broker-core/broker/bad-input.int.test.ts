/**
 * Bad input over the wire, table-driven: each row is one request a careless or hostile client could send, and
 * the response code (and remark) RocketMQ 4.9's SendMessageProcessor, PullMessageProcessor,
 * ConsumerManageProcessor and AdminBrokerProcessor answer it with. The connection stays open throughout and a
 * good send + pull still works afterwards. Real broker, real file store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode, responseCodeName } from '../protocol/response-code';
import { createRequest, encodeFrame, type RemotingCommand } from '../protocol/remoting-command';
import { RemotingClient } from '../remoting/remoting-client';
import { useTestCluster } from '../testing/use-test-cluster';
import { MESSAGE_BODY_BYTES_MAX, MESSAGE_PROPERTIES_BYTES_MAX, TOPIC_QUEUE_NUMS_MAX } from '../config/limits';
import { encodePropertiesString } from './message/message-util';
import net from 'node:net';
import { createMemoryLogger } from '../util/logger';

/** Pull rows read TOPIC (5 messages in queue 0, nothing else is sent to it); send rows write SEND_TOPIC. */
const TOPIC = 'BadInputTopic';
const SEND_TOPIC = 'BadInputSendTopic';
const QUEUES = 4;
const logger = createMemoryLogger();
const fixture = useTestCluster({ logger, broker: { autoCreateTopicEnable: false } });
let client: RemotingClient;
let maxOffset = 0;

type Fields = Record<string, string | number | boolean>;
const invoke = (code: number, ext: Fields, body?: Buffer): Promise<RemotingCommand> => client.invoke(fixture.cluster.brokerAddr, createRequest(code, ext, body), 10_000);

const sendFields = (extra: Fields = {}): Fields => ({
  a: 'PG_bad_input', b: SEND_TOPIC, c: 'TBW102', d: 4, e: 0, f: 0, g: Date.now(), h: 0,
  i: encodePropertiesString({ UNIQ_KEY: `U${Date.now()}`, WAIT: 'true' }), j: 0, k: false, ...extra,
});
const pullFields = (extra: Fields = {}): Fields => ({
  consumerGroup: 'CG_bad_input', topic: TOPIC, queueId: 0, queueOffset: 0, maxMsgNums: 32, sysFlag: 0x4, subscription: '*', commitOffset: 0, suspendTimeoutMillis: 0, subVersion: 0, ...extra,
});

interface Row {
  name: string;
  code: number;
  fields: () => Fields;
  body?: () => Buffer;
  expect: number;
  remark?: RegExp;
  /** Extra checks on the response. */
  check?: (response: RemotingCommand) => void;
}

beforeAll(async () => {
  client = new RemotingClient();
  for (const topicName of [TOPIC, SEND_TOPIC]) await fixture.admin.createOrUpdateTopic(fixture.cluster.brokerAddr, { topicName, readQueueNums: QUEUES, writeQueueNums: QUEUES, perm: 6 });
  for (let i = 0; i < 5; i++) {
    const response = await invoke(RequestCode.SEND_MESSAGE_V2, sendFields({ b: TOPIC, e: 0 }), Buffer.from(`seed-${i}`));
    expect(response.code).toBe(ResponseCode.SUCCESS);
  }
  maxOffset = 5;
});

afterAll(async () => {
  await client?.close();
});

const sendRows: Row[] = [
  { name: 'blank topic', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ b: '' }), expect: ResponseCode.SYSTEM_ERROR, remark: /topic/ },
  { name: 'topic with illegal characters', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ b: 'orders/eu west' }), expect: ResponseCode.SYSTEM_ERROR, remark: /illegal characters/ },
  { name: 'unicode topic', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ b: 'tópico💥' }), expect: ResponseCode.SYSTEM_ERROR, remark: /illegal characters/ },
  { name: 'topic of 128 characters', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ b: 'T'.repeat(128) }), expect: ResponseCode.SYSTEM_ERROR, remark: /longer than 127/ },
  { name: 'system topic SCHEDULE_TOPIC_XXXX', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ b: 'SCHEDULE_TOPIC_XXXX' }), expect: ResponseCode.NO_PERMISSION, remark: /forbidden/ },
  { name: 'unknown topic, auto-create off', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ b: 'NoSuchTopicHere' }), expect: ResponseCode.TOPIC_NOT_EXIST, remark: /not exist/ },
  { name: 'queueId beyond the queues', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ e: QUEUES }), expect: ResponseCode.SYSTEM_ERROR, remark: /queueId\[4\] is illegal/ },
  { name: 'queueId past int32', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ e: '2147483648' }), expect: ResponseCode.SYSTEM_ERROR, remark: /queueId.*out of the int range/ },
  { name: 'negative queueId picks a queue (RocketMQ)', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ e: -1 }), expect: ResponseCode.SUCCESS },
  { name: 'queueId not a number', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ e: 'one' }), expect: ResponseCode.SYSTEM_ERROR, remark: /queueId.*not a number/ },
  { name: 'missing producer group', code: RequestCode.SEND_MESSAGE_V2, fields: () => { const f = sendFields(); delete f.a; return f; }, expect: ResponseCode.SYSTEM_ERROR, remark: /producerGroup/ },
  { name: 'topic sent as b and as topic', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ topic: 'Other' }), expect: ResponseCode.SYSTEM_ERROR, remark: /<topic> is sent twice, as <b> and as <topic>/ },
  { name: 'queueId sent as e and as queueId, same value', code: RequestCode.SEND_BATCH_MESSAGE, fields: () => sendFields({ queueId: 0 }), expect: ResponseCode.SYSTEM_ERROR, remark: /<queueId> is sent twice/ },
  { name: 'bornTimestamp not a number', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ g: '12:00' }), expect: ResponseCode.SYSTEM_ERROR, remark: /bornTimestamp/ },
  { name: 'bornTimestamp past int64', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ g: '9223372036854775808' }), expect: ResponseCode.SYSTEM_ERROR, remark: /bornTimestamp.*long range/ },
  { name: 'bornTimestamp at the int64 maximum', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ g: '9223372036854775807' }), expect: ResponseCode.SUCCESS },
  { name: 'flag past int32', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ h: '99999999999' }), expect: ResponseCode.SYSTEM_ERROR, remark: /flag/ },
  { name: 'reconsumeTimes fractional', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ j: '1.5' }), expect: ResponseCode.SYSTEM_ERROR, remark: /reconsumeTimes/ },
  {
    name: `body of ${MESSAGE_BODY_BYTES_MAX} + 1 bytes`, code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields(), body: () => Buffer.alloc(MESSAGE_BODY_BYTES_MAX + 1, 0x61),
    expect: ResponseCode.MESSAGE_ILLEGAL, remark: /body size/,
  },
  { name: `body of exactly ${MESSAGE_BODY_BYTES_MAX} bytes`, code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ e: 1 }), body: () => Buffer.alloc(MESSAGE_BODY_BYTES_MAX, 0x62), expect: ResponseCode.SUCCESS },
  {
    name: 'properties over 32 KiB', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ i: encodePropertiesString({ big: 'p'.repeat(MESSAGE_PROPERTIES_BYTES_MAX) }) }),
    expect: ResponseCode.MESSAGE_ILLEGAL, remark: /properties/,
  },
  { name: 'properties with broken separators', code: RequestCode.SEND_MESSAGE_V2, fields: () => sendFields({ i: '\u0001\u0002\u0002\u0001=\u0001' }), expect: ResponseCode.SUCCESS },
  { name: 'batch with a malformed body', code: RequestCode.SEND_BATCH_MESSAGE, fields: () => sendFields({ m: true }), body: () => Buffer.from('not a batch'), expect: ResponseCode.MESSAGE_ILLEGAL, remark: /batch/ },
  { name: 'batch with an empty body', code: RequestCode.SEND_BATCH_MESSAGE, fields: () => sendFields({ m: true }), body: () => Buffer.alloc(0), expect: ResponseCode.MESSAGE_ILLEGAL },
];

const pullRows: Row[] = [
  {
    name: 'negative queue offset', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ queueOffset: -1 }), expect: ResponseCode.PULL_OFFSET_MOVED,
    check: (r) => expect(r.extFields?.nextBeginOffset).toBe('0'),
  },
  {
    name: 'queue offset beyond the max', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ queueOffset: maxOffset + 10 }), expect: ResponseCode.PULL_OFFSET_MOVED,
    check: (r) => expect(r.extFields?.maxOffset).toBe(String(maxOffset)),
  },
  { name: 'queue offset at the int64 maximum', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ queueOffset: '9223372036854775807' }), expect: ResponseCode.PULL_OFFSET_MOVED },
  { name: 'queue offset equal to the max (nothing new)', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ queueOffset: maxOffset }), expect: ResponseCode.PULL_NOT_FOUND },
  { name: 'offset on an empty queue', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ queueId: 3, queueOffset: 7 }), expect: ResponseCode.PULL_OFFSET_MOVED },
  { name: 'queue offset not a number', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ queueOffset: 'first' }), expect: ResponseCode.SYSTEM_ERROR, remark: /queueOffset/ },
  { name: 'queue offset past int64', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ queueOffset: '99999999999999999999' }), expect: ResponseCode.SYSTEM_ERROR, remark: /queueOffset/ },
  { name: 'queueId = readQueueNums', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ queueId: QUEUES }), expect: ResponseCode.SYSTEM_ERROR, remark: /queueId\[4\] is illegal/ },
  { name: 'negative queueId', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ queueId: -1 }), expect: ResponseCode.SYSTEM_ERROR, remark: /queueId\[-1\] is illegal/ },
  { name: 'unknown topic', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ topic: 'NoSuchTopicHere' }), expect: ResponseCode.TOPIC_NOT_EXIST },
  { name: 'topic with illegal characters', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ topic: '../etc' }), expect: ResponseCode.TOPIC_NOT_EXIST },
  { name: 'an expression type that does not exist', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ sysFlag: 0x4, subscription: '//a', expressionType: 'XPATH' }), expect: ResponseCode.SUBSCRIPTION_PARSE_FAILED },
  { name: 'an SQL92 selector that does not compile', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ sysFlag: 0x4, subscription: 'a >', expressionType: 'SQL92' }), expect: ResponseCode.SUBSCRIPTION_PARSE_FAILED },
  { name: 'no subscription in the pull and no heartbeat from the group', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ sysFlag: 0, consumerGroup: 'CG_never_heartbeat' }), expect: ResponseCode.SUBSCRIPTION_NOT_EXIST },
  { name: 'maxMsgNums of zero still returns a message', code: RequestCode.PULL_MESSAGE, fields: () => pullFields({ maxMsgNums: 0 }), expect: ResponseCode.SUCCESS },
  { name: 'missing consumer group', code: RequestCode.PULL_MESSAGE, fields: () => { const f = pullFields(); delete f.consumerGroup; return f; }, expect: ResponseCode.SYSTEM_ERROR, remark: /consumerGroup/ },
];

const offsetRows: Row[] = [
  { name: 'query offset of a queue that does not exist', code: RequestCode.QUERY_CONSUMER_OFFSET, fields: () => ({ consumerGroup: 'CG_none', topic: TOPIC, queueId: 99 }), expect: ResponseCode.SUCCESS, check: (r) => expect(r.extFields?.offset).toBe('0') },
  { name: 'query offset, queueId not a number', code: RequestCode.QUERY_CONSUMER_OFFSET, fields: () => ({ consumerGroup: 'CG_none', topic: TOPIC, queueId: 'q' }), expect: ResponseCode.SYSTEM_ERROR },
  { name: 'commit offset not a number', code: RequestCode.UPDATE_CONSUMER_OFFSET, fields: () => ({ consumerGroup: 'CG_bad_input', topic: TOPIC, queueId: 0, commitOffset: 'NaN' }), expect: ResponseCode.SYSTEM_ERROR, remark: /commitOffset/ },
  { name: 'max offset of a queueId out of range is 0', code: RequestCode.GET_MAX_OFFSET, fields: () => ({ topic: TOPIC, queueId: 4096 }), expect: ResponseCode.SUCCESS, check: (r) => expect(r.extFields?.offset).toBe('0') },
  { name: 'search offset by a negative time', code: RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, fields: () => ({ topic: TOPIC, queueId: 0, timestamp: -1 }), expect: ResponseCode.SUCCESS },
  { name: 'view message at a negative commit-log offset', code: RequestCode.VIEW_MESSAGE_BY_ID, fields: () => ({ offset: -1 }), expect: ResponseCode.SYSTEM_ERROR, remark: /can not find message/ },
  { name: 'view message past the commit log', code: RequestCode.VIEW_MESSAGE_BY_ID, fields: () => ({ offset: 1_000_000_000 }), expect: ResponseCode.SYSTEM_ERROR, remark: /can not find message/ },
  { name: 'send back a message that is not there', code: RequestCode.CONSUMER_SEND_MSG_BACK, fields: () => ({ offset: 999_999_999, group: 'CG_bad_input', delayLevel: 0, originMsgId: 'x', originTopic: TOPIC }), expect: ResponseCode.SYSTEM_ERROR, remark: /look message by offset failed/ },
];

const adminRows: Row[] = [
  { name: 'create a topic with illegal characters', code: RequestCode.UPDATE_AND_CREATE_TOPIC, fields: () => ({ topic: 'bad topic', readQueueNums: 4, writeQueueNums: 4, perm: 6 }), expect: ResponseCode.SYSTEM_ERROR, remark: /illegal characters/ },
  { name: 'create a topic named like a system topic', code: RequestCode.UPDATE_AND_CREATE_TOPIC, fields: () => ({ topic: 'RMQ_SYS_TRANS_HALF_TOPIC', readQueueNums: 4, writeQueueNums: 4, perm: 6 }), expect: ResponseCode.SYSTEM_ERROR, remark: /conflict with system topic/ },
  { name: 'create a topic with the rmq_sys_ prefix', code: RequestCode.UPDATE_AND_CREATE_TOPIC, fields: () => ({ topic: 'rmq_sys_mine', readQueueNums: 4, writeQueueNums: 4, perm: 6 }), expect: ResponseCode.SYSTEM_ERROR, remark: /conflict with system topic/ },
  {
    name: `create a topic with ${TOPIC_QUEUE_NUMS_MAX + 1} queues`, code: RequestCode.UPDATE_AND_CREATE_TOPIC, fields: () => ({ topic: 'TooManyQueues', readQueueNums: TOPIC_QUEUE_NUMS_MAX + 1, writeQueueNums: 4, perm: 6 }),
    expect: ResponseCode.INVALID_PARAMETER, remark: /queue numbers/,
  },
  { name: 'create a topic with negative queues', code: RequestCode.UPDATE_AND_CREATE_TOPIC, fields: () => ({ topic: 'NegativeQueues', readQueueNums: -4, writeQueueNums: 4, perm: 6 }), expect: ResponseCode.INVALID_PARAMETER },
  { name: 'create a topic, queue count not a number', code: RequestCode.UPDATE_AND_CREATE_TOPIC, fields: () => ({ topic: 'Queues', readQueueNums: 'eight', writeQueueNums: 4, perm: 6 }), expect: ResponseCode.SYSTEM_ERROR, remark: /readQueueNums/ },
  { name: 'stats of an unknown topic', code: RequestCode.GET_TOPIC_STATS_INFO, fields: () => ({ topic: 'NoSuchTopicHere' }), expect: ResponseCode.TOPIC_NOT_EXIST },
  {
    name: 'group config with a huge retry queue count', code: RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, fields: () => ({}),
    body: () => Buffer.from(JSON.stringify({ groupName: 'CG_huge', retryQueueNums: 2_000_000_000 })), expect: ResponseCode.SYSTEM_ERROR, remark: /retryQueueNums/,
  },
  { name: 'group config that is not JSON', code: RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, fields: () => ({}), body: () => Buffer.from('{"groupName":'), expect: ResponseCode.SYSTEM_ERROR },
  { name: 'group config with an illegal name', code: RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, fields: () => ({}), body: () => Buffer.from(JSON.stringify({ groupName: 'a b' })), expect: ResponseCode.SYSTEM_ERROR, remark: /illegal characters/ },
  { name: 'broker config: queue count out of range', code: RequestCode.UPDATE_BROKER_CONFIG, fields: () => ({}), body: () => Buffer.from('defaultTopicQueueNums=100000\n'), expect: ResponseCode.SYSTEM_ERROR, remark: /defaultTopicQueueNums/ },
  { name: 'broker config: a key that is not changeable', code: RequestCode.UPDATE_BROKER_CONFIG, fields: () => ({}), body: () => Buffer.from('storePathRootDir=/\n'), expect: ResponseCode.SYSTEM_ERROR, remark: /cannot change/ },
  { name: 'heartbeat body that is a list', code: RequestCode.HEART_BEAT, fields: () => ({}), body: () => Buffer.from('[1,2,3]'), expect: ResponseCode.SYSTEM_ERROR },
  {
    name: 'heartbeat with nulls and junk entries', code: RequestCode.HEART_BEAT, fields: () => ({}),
    body: () => Buffer.from(JSON.stringify({ clientID: 'junk@1', consumerDataSet: [null, 5, { groupName: 'bad group!' }, { groupName: null }], producerDataSet: 'x' })), expect: ResponseCode.SUCCESS,
  },
  { name: 'lock batch whose mqSet is a string', code: RequestCode.LOCK_BATCH_MQ, fields: () => ({}), body: () => Buffer.from(JSON.stringify({ clientId: 'c', consumerGroup: 'CG_bad_input', mqSet: 'all' })), expect: ResponseCode.SUCCESS },
  { name: 'unknown request code', code: 9_999, fields: () => ({}), expect: ResponseCode.REQUEST_CODE_NOT_SUPPORTED },
];

describe('the broker answers bad input with RocketMQ response codes', () => {
  for (const [group, rows] of [['send', sendRows], ['pull', pullRows], ['offsets and lookups', offsetRows], ['admin and bodies', adminRows]] as const) {
    describe(group, () => {
      it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
        const response = await invoke(row.code, row.fields(), row.body?.());
        expect(responseCodeName(response.code), response.remark).toBe(responseCodeName(row.expect));
        if (row.remark) expect(response.remark ?? '').toMatch(row.remark);
        row.check?.(response);
      });
    });
  }

  it('logs a field sent under two names with the AccessKey that sent it', async () => {
    const response = await invoke(RequestCode.SEND_MESSAGE_V2, sendFields({ topic: 'Other', AccessKey: 'probe_key' }));
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    const lines = logger.lines.filter((line) => line.includes('a header field sent under two names'));
    expect(lines.some((line) => line.includes('"accessKey":"probe_key"') && line.includes('SEND_MESSAGE_V2'))).toBe(true);
  });

  it('closes only the connection of a frame over 16 MiB, and the broker keeps serving', async () => {
    const closed = await new Promise<boolean>((resolve) => {
      const socket = net.connect(Number(fixture.cluster.brokerAddr.split(':')[1]), '127.0.0.1');
      const header = Buffer.alloc(8);
      header.writeInt32BE(16 * 1024 * 1024 + 100, 0);
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(true));
      socket.write(header);
    });
    expect(closed).toBe(true);
    const frame = encodeFrame(createRequest(RequestCode.SEND_MESSAGE_V2, sendFields({ e: 2 }), Buffer.from('after the bad frame')));
    expect(frame.length).toBeLessThan(1024);
    const sent = await invoke(RequestCode.SEND_MESSAGE_V2, sendFields({ e: 2 }), Buffer.from('after the bad frame'));
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    const pulled = await invoke(RequestCode.PULL_MESSAGE, pullFields({ topic: SEND_TOPIC, queueId: 2, queueOffset: Number(sent.extFields?.queueOffset) }));
    expect(pulled.code).toBe(ResponseCode.SUCCESS);
    expect(pulled.body?.includes(Buffer.from('after the bad frame'))).toBe(true);
  });
});
