/**
 * RocketMQ 5.x clients over gRPC: rocketmq-client-nodejs 1.0.8 (unmodified, from npm) against real
 * `rocketdeck namesrv` + `rocketdeck broker` processes with the gRPC endpoint on (GRPC_PORT). Sends, the
 * cross-protocol read by 4.x consumers (the project's PushConsumer, ali-ons), transactions (commit, rollback,
 * check-back over Telemetry), the clients in the connection lists, and bad input answered with the right status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../client/admin-client';
import { PushConsumer } from '../client/push-consumer';
import type { MessageExt } from '../client/message';
import { ons, quietOnsLogger, type OnsClient } from '../testing/ali-ons';
import {
  nodeClient,
  quietNodeClientLogger,
  rawMessagingClient,
  TransactionResolution,
  type NodeMessageView,
  type NodeProducer,
} from '../testing/rocketmq-client-nodejs';
import { startGrpcProcesses, type GrpcProcesses } from '../testing/grpc-processes';
import { freePort, ROCKETDECK_BIN, spawnServerProcess, type ServerProcess } from '../testing/server-processes';
import { waitFor } from '../testing/wait-for';

let processes: GrpcProcesses;
let broker: ServerProcess;
let namesrvAddr: string;
let brokerAddr: string;
let grpcEndpoint: string;
let admin: AdminClient;
const closers: (() => Promise<unknown>)[] = [];
const clientLog = quietNodeClientLogger();
let topicSeq = 0;

async function createTopic(attributes?: Record<string, string>): Promise<string> {
  const topic = `GrpcT${process.pid}_${++topicSeq}`;
  await admin.createOrUpdateTopic(brokerAddr, { topicName: topic, readQueueNums: 4, writeQueueNums: 4, perm: 6, ...(attributes ? { attributes } : {}) });
  await waitFor(async () => (await admin.getTopicRoute(topic)) !== null, { timeoutMs: 10_000, message: `route of ${topic}` });
  return topic;
}

async function startProducer(topic: string, extra: Record<string, unknown> = {}): Promise<NodeProducer> {
  const producer = new nodeClient.Producer({ endpoints: grpcEndpoint, topic, logger: clientLog, ...extra });
  await producer.startup();
  closers.push(() => producer.shutdown());
  return producer;
}

async function collect4x(topic: string, group: string, count: number): Promise<MessageExt[]> {
  const received = new Map<string, MessageExt>();
  const consumer = new PushConsumer({ namesrvAddr, groupName: group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
  consumer.subscribe(topic, '*');
  consumer.registerMessageListener(async (messages) => {
    for (const message of messages) received.set(message.msgId, message);
  });
  await consumer.start();
  try {
    await waitFor(() => received.size >= count, { timeoutMs: 30_000, message: () => `4.x consumer got ${received.size} of ${count}` });
  } finally {
    await consumer.shutdown();
  }
  return [...received.values()];
}

beforeAll(async () => {
  processes = await startGrpcProcesses({
    brokerName: 'broker-g',
    // Unresolved transactions are checked after 1 s, every second (the test of the check-back waits for one).
    properties: { transactionTimeOut: 1_000, transactionCheckInterval: 1_000 },
  });
  ({ broker, namesrvAddr, brokerAddr, grpcEndpoint } = processes);
  admin = new AdminClient({ namesrvAddr });
}, 90_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await admin?.close();
  await processes?.stop();
});

describe('gRPC producer (rocketmq-client-nodejs 1.0.8)', () => {
  it('prints the gRPC endpoint in the broker\'s boot line', () => {
    expect(broker.output()).toMatch(new RegExp(`boot success.*gRPC ${grpcEndpoint.replace(/\./g, '\\.')}`));
  });

  it('sends NORMAL messages with tag, keys and properties; a 4.x PushConsumer reads the same ids, bodies and properties', async () => {
    const topic = await createTopic();
    const producer = await startProducer(topic);
    const sent = new Map<string, { body: string; key: string }>();
    for (let i = 0; i < 20; i++) {
      const body = `grpc-${i}-${'x'.repeat(i * 10)}`;
      const receipt = await producer.send({ topic, tag: i % 2 === 0 ? 'TagA' : 'TagB', keys: [`key-${i}`, `order-${i}`], body: Buffer.from(body), properties: new Map([['color', `c${i}`]]) });
      expect(receipt.messageId).toMatch(/^[0-9A-F]{34}$/);
      sent.set(receipt.messageId, { body, key: `key-${i}` });
    }
    const read = await collect4x(topic, `CG4x_${topic}`, sent.size);
    expect(read.map((m) => m.msgId).sort()).toEqual([...sent.keys()].sort());
    for (const message of read) {
      const expected = sent.get(message.msgId)!;
      expect(message.body.toString()).toBe(expected.body);
      expect(message.keys).toEqual([expected.key, expected.key.replace('key', 'order')]);
      expect(message.tags).toMatch(/^Tag[AB]$/);
      expect(message.properties.UNIQ_KEY).toBe(message.msgId);
      expect(message.properties.color).toMatch(/^c\d+$/);
      expect(message.properties.PGROUP).toBe(topic);
      expect(message.bornHost.address).toBe('127.0.0.1');
      expect(Math.abs(message.bornTimestamp - Date.now())).toBeLessThan(60_000);
      expect(message.reconsumeTimes).toBe(0);
    }
  });

  it('is listed with its group (= the topic) as a gRPC client: protocol, language, version, address', async () => {
    const topic = await createTopic();
    await startProducer(topic);
    const connections = await waitFor(async () => {
      const list = await admin.getProducerConnectionList(brokerAddr, topic);
      return list.length > 0 ? list : null;
    }, { timeoutMs: 10_000 });
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({ language: 'NODE_JS', protocol: 'gRPC', clientVersion: '1.0.8' });
    expect(connections[0]!.clientAddr).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('its messages are consumed by ali-ons with the same ids (UNIQ_KEY), tags and bodies', async () => {
    const topic = await createTopic();
    const producer = await startProducer(topic);
    const ids = new Set<string>();
    for (let i = 0; i < 6; i++) ids.add((await producer.send({ topic, tag: 'TagA', body: Buffer.from(`ons-${i}`) })).messageId);
    const consumer = new ons.Consumer({ nameSrv: namesrvAddr, httpclient: {}, logger: quietOnsLogger, consumerGroup: `CGons_${topic}`, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', instanceName: `grpc-${process.pid}`, clientIP: '127.0.0.1' });
    closers.push(() => (consumer as OnsClient).close());
    consumer.on('error', () => undefined);
    const got = new Map<string, string>();
    consumer.subscribe(topic, '*', async (message) => {
      // ali-ons names the broker's offset id msgId; the message id 5.x clients know is the UNIQ_KEY property.
      const properties = (message as unknown as { properties: Record<string, string> }).properties;
      got.set(properties.UNIQ_KEY ?? message.msgId, `${message.tags}:${message.body.toString()}`);
    });
    await consumer.ready();
    await waitFor(() => got.size >= ids.size, { timeoutMs: 30_000, message: () => `ali-ons got ${got.size} of ${ids.size}` });
    expect([...got.keys()].sort()).toEqual([...ids].sort());
    expect([...got.values()].sort()).toEqual([...Array(6).keys()].map((i) => `TagA:ons-${i}`).sort());
  });

  it('transactions: a commit is delivered, a rollback is not, an unresolved one is checked back through Telemetry', async () => {
    const topic = await createTopic({ '+message.type': 'TRANSACTION' });
    const checked: NodeMessageView[] = [];
    const producer = await startProducer(topic, {
      checker: {
        async check(message: NodeMessageView) {
          checked.push(message);
          return message.body.toString() === 'unresolved' ? TransactionResolution.COMMIT : TransactionResolution.ROLLBACK;
        },
      },
    });
    const send = async (body: string) => {
      const transaction = producer.beginTransaction();
      const receipt = await producer.send({ topic, body: Buffer.from(body), tag: 'tx' }, transaction);
      expect(receipt.transactionId).not.toBe('');
      return { transaction, receipt };
    };
    const committed = await send('committed');
    await committed.transaction.commit();
    const rolledBack = await send('rolled-back');
    await rolledBack.transaction.rollback();
    const unresolved = await send('unresolved');

    const read = await collect4x(topic, `CGtx_${topic}`, 2);
    await waitFor(() => checked.length > 0, { timeoutMs: 20_000, message: 'no transaction check reached the producer' });
    expect(checked[0]!.messageId).toBe(unresolved.receipt.messageId);
    expect(checked[0]!.topic).toBe(topic);
    expect(read.map((m) => m.body.toString()).sort()).toEqual(['committed', 'unresolved']);
    expect(read.find((m) => m.body.toString() === 'committed')!.msgId).toBe(committed.receipt.messageId);
    expect(checked.every((m) => m.body.toString() === 'unresolved')).toBe(true);
  });
});

describe('pull consumers\' calls: PullMessage, QueryOffset, UpdateOffset, GetOffset', () => {
  it('reads every queue from its first offset to its end, and keeps a group\'s committed offsets', async () => {
    const topic = await createTopic();
    const producer = await startProducer(topic);
    const ids = new Set<string>();
    for (let i = 0; i < 12; i++) ids.add((await producer.send({ topic, tag: i % 3 === 0 ? 'T0' : 'T1', body: Buffer.from(`pull-${i}`) })).messageId);
    const raw = rawMessagingClient(grpcEndpoint, `raw-pull-${process.pid}`);
    closers.push(async () => raw.close());
    type Answer = { status: { code: string; message: string }; offset: number };
    const queue = (id: number) => ({ topic: { name: topic }, id, broker: { name: 'broker-g' } });
    const seen = new Map<string, string>();
    let tagged = 0;
    for (let id = 0; id < 4; id++) {
      const begin = await raw.call<Answer>('QueryOffset', { message_queue: queue(id), query_offset_policy: 'BEGINNING' });
      const end = await raw.call<Answer>('QueryOffset', { message_queue: queue(id), query_offset_policy: 'END' });
      expect(begin).toMatchObject({ status: { code: 'OK' }, offset: 0 });
      const stream = await raw.stream<{ content: string; status?: { code: string }; message?: { system_properties: { message_id: string; tag: string; body_digest: { type: string } }; body: Buffer }; next_offset?: number }>(
        'PullMessage', { group: { name: `CGpull_${topic}` }, message_queue: queue(id), offset: 0, batch_size: 32, filter_expression: { type: 'TAG', expression: '*' } });
      expect(stream[0]!.status!.code).toBe(end.offset > 0 ? 'OK' : 'MESSAGE_NOT_FOUND');
      expect(stream.at(-1)!.next_offset).toBe(end.offset);
      for (const item of stream) if (item.message) {
        seen.set(item.message.system_properties.message_id, Buffer.from(item.message.body).toString());
        expect(item.message.system_properties.body_digest.type).toBe('MD5');
      }
      const filtered = await raw.stream<{ message?: { system_properties: { tag: string } } }>(
        'PullMessage', { group: { name: `CGpull_${topic}` }, message_queue: queue(id), offset: 0, batch_size: 32, filter_expression: { type: 'TAG', expression: 'T0' } });
      for (const item of filtered) if (item.message) {
        expect(item.message.system_properties.tag).toBe('T0');
        tagged++;
      }
    }
    expect([...seen.keys()].sort()).toEqual([...ids].sort());
    expect(tagged).toBe(4);

    const group = { name: `CGpull_${topic}` };
    expect((await raw.call<Answer>('GetOffset', { group, message_queue: queue(1) })).status.code).toBe('OFFSET_NOT_FOUND');
    expect((await raw.call<Answer>('UpdateOffset', { group, message_queue: queue(1), offset: 2 })).status.code).toBe('OK');
    expect(await raw.call<Answer>('GetOffset', { group, message_queue: queue(1) })).toMatchObject({ status: { code: 'OK' }, offset: 2 });
    // bad queues and offsets
    expect((await raw.call<Answer>('GetOffset', { group, message_queue: { ...queue(9) } })).status.code).toBe('BAD_REQUEST');
    expect((await raw.call<Answer>('GetOffset', { group, message_queue: { ...queue(0), broker: { name: 'no-such-broker' } } })).status.code).toBe('BAD_REQUEST');
    const beyond = await raw.stream<{ status?: { code: string } }>('PullMessage', { group, message_queue: queue(0), offset: 1_000, batch_size: 1, filter_expression: { type: 'TAG', expression: '*' } });
    expect(beyond[0]!.status!.code).toBe('ILLEGAL_OFFSET');
  });
});

describe('rocketdeck proxy: the gRPC endpoint alone, talking remoting to the brokers', () => {
  it('a Producer through the proxy sends; a 4.x consumer reads the messages; the broker lists the client as gRPC', async () => {
    const proxyPort = await freePort();
    const proxy = spawnServerProcess(ROCKETDECK_BIN, ['proxy', '-n', namesrvAddr], { GRPC_PORT: String(proxyPort), BROKER_IP1: '127.0.0.1' });
    closers.push(() => proxy.stop());
    await proxy.printed(`The proxy boot success. gRPC 127.0.0.1:${proxyPort}`);
    const topic = await createTopic();
    const producer = new nodeClient.Producer({ endpoints: `127.0.0.1:${proxyPort}`, topic, logger: clientLog });
    await producer.startup();
    closers.push(() => producer.shutdown());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await producer.send({ topic, tag: 'P', keys: [`pk${i}`], body: Buffer.from(`via-proxy-${i}`) })).messageId);
    const read = await collect4x(topic, `CGproxy_${topic}`, ids.length);
    expect(read.map((m) => m.msgId).sort()).toEqual([...ids].sort());
    expect(read.map((m) => m.body.toString()).sort()).toEqual([...Array(5).keys()].map((i) => `via-proxy-${i}`));
    const connections = await waitFor(async () => {
      const list = await admin.getProducerConnectionList(brokerAddr, topic);
      return list.length > 0 ? list : null;
    }, { timeoutMs: 10_000 });
    // The connection is the proxy's; the address shown is the client's own (the proxy says it in the heartbeat).
    expect(connections[0]).toMatchObject({ protocol: 'gRPC', language: 'NODE_JS', clientVersion: '1.0.8' });
  });
});

describe('gRPC bad input gets the right status, and the broker lives on', () => {
  it('refuses what a real client would never send', async () => {
    const normalTopic = await createTopic();
    const fifoTopic = await createTopic({ '+message.type': 'FIFO' });
    const raw = rawMessagingClient(grpcEndpoint, `raw-${process.pid}`);
    closers.push(async () => raw.close());
    const message = (topic: string, extra: Record<string, unknown> = {}, body = Buffer.from('x')) => ({
      topic: { name: topic },
      body,
      system_properties: { message_id: `01${Date.now().toString(16).toUpperCase()}${Math.random().toString(16).slice(2, 10).toUpperCase()}`, message_type: 'NORMAL', body_encoding: 'IDENTITY', born_host: 'test', ...extra },
    });
    type Answer = { status: { code: string; message: string } };
    const send = (m: unknown) => raw.call<Answer & { entries: Answer[] }>('SendMessage', { messages: [m] });

    // an unknown topic
    expect((await raw.call<Answer>('QueryRoute', { topic: { name: 'NoSuchTopicAnywhere' } })).status.code).toBe('TOPIC_NOT_FOUND');
    expect((await send(message('NoSuchTopicAnywhere'))).status.code).toBe('TOPIC_NOT_FOUND');
    // an oversize body (the broker's maxMessageSize is 4 MiB)
    const oversize = await send(message(normalTopic, {}, Buffer.alloc(4 * 1024 * 1024 + 1, 0x61)));
    expect(oversize.status).toMatchObject({ code: 'MESSAGE_BODY_TOO_LARGE', message: expect.stringContaining('4194305') });
    // a FIFO message to a NORMAL topic, and a NORMAL one to a FIFO topic
    expect((await send(message(normalTopic, { message_type: 'FIFO', message_group: 'g1' }))).status.code).toBe('MESSAGE_PROPERTY_CONFLICT_WITH_TYPE');
    expect((await send(message(fifoTopic))).status.code).toBe('MESSAGE_PROPERTY_CONFLICT_WITH_TYPE');
    // a system property among the user properties, no message id, an illegal topic name
    expect((await send({ ...message(normalTopic), user_properties: { UNIQ_KEY: 'mine' } })).status.code).toBe('ILLEGAL_MESSAGE_PROPERTY_KEY');
    expect((await send(message(normalTopic, { message_id: '' }))).status.code).toBe('ILLEGAL_MESSAGE_ID');
    expect((await send(message('bad topic!'))).status.code).toBe('ILLEGAL_TOPIC');
    expect((await raw.call<Answer>('SendMessage', { messages: [] })).status.code).toBe('MESSAGE_CORRUPTED');
    // a heartbeat before any Settings, a call without a client id, a transaction id this endpoint never issued
    expect((await raw.call<Answer>('Heartbeat', { client_type: 'PRODUCER' })).status.code).toBe('UNRECOGNIZED_CLIENT_TYPE');
    expect((await raw.call<Answer>('QueryRoute', { topic: { name: normalTopic } }, { 'x-mq-client-id': '' })).status.code).toBe('CLIENT_ID_REQUIRED');
    expect((await raw.call<Answer>('EndTransaction', { topic: { name: normalTopic }, message_id: 'x', transaction_id: 'garbage', resolution: 'COMMIT' })).status.code).toBe('INVALID_TRANSACTION_ID');
    // unsupported calls answer at once with a status
    expect((await raw.call<Answer>('SyncLiteSubscription', { topic: { name: normalTopic }, group: { name: 'g' } })).status.code).toBe('NOT_IMPLEMENTED');

    // still serving
    const ok = await send(message(normalTopic));
    expect(ok.status.code).toBe('OK');
    expect(broker.child.exitCode).toBeNull();
  });

  it('a Producer for a topic that does not exist fails to start with the server\'s reason', async () => {
    const producer = new nodeClient.Producer({ endpoints: grpcEndpoint, topic: 'NoSuchTopicForProducer', logger: clientLog, requestTimeout: 2_000 });
    await expect(producer.startup()).rejects.toThrow(/Startup the rocketmq client failed/);
  });
});
