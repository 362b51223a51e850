/**
 * A real third-party client, ali-ons 3.12.0 (unmodified), against a NameServer + Broker on test ports.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { createRequest } from '../protocol/remoting-command';
import { RemotingClient } from '../remoting/remoting-client';
import { startTestCluster, type TestCluster } from '../testing/start-test-cluster';
import { waitFor } from '../testing/wait-for';
import { silentLogger } from '../util/logger';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ons = require('ali-ons') as {
  Producer: new (options: Record<string, unknown>) => OnsClient & { send(msg: unknown): Promise<{ sendStatus: string; msgId: string }> };
  Consumer: new (options: Record<string, unknown>) => OnsClient & { subscribe(topic: string, expression: string, handler: (msg: OnsMessage) => Promise<void>): void };
  Message: new (topic: string, tags: string, body: string) => unknown;
};
interface OnsClient {
  ready(): Promise<void>;
  close(): Promise<void>;
  on(event: string, listener: (err: Error) => void): void;
}
interface OnsMessage {
  msgId: string;
  tags: string;
  body: Buffer;
  queueId?: number;
  queueOffset?: number;
}

const quietLogger = { info() {}, warn() {}, error() {}, debug() {} };
let cluster: TestCluster;
let admin: RemotingClient;
const clients: OnsClient[] = [];
let instance = 0;

function options(extra: Record<string, unknown>): Record<string, unknown> {
  instance++;
  return { nameSrv: cluster.namesrvAddr, httpclient: {}, logger: quietLogger, instanceName: `test-${process.pid}-${instance}`, clientIP: '127.0.0.1', ...extra };
}

async function createTopic(topic: string, queueNums: number): Promise<void> {
  const response = await admin.invoke(cluster.brokerAddr, createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
    topic, defaultTopic: 'TBW102', readQueueNums: queueNums, writeQueueNums: queueNums, perm: 6, topicFilterType: 'SINGLE_TAG', order: false,
  }), 5_000);
  expect(response.code).toBe(ResponseCode.SUCCESS);
}

async function produce(topic: string, count: number, prefix = 'm'): Promise<void> {
  const producer = new ons.Producer(options({ producerGroup: `PG_${topic}` }));
  clients.push(producer);
  producer.on('error', () => {});
  await producer.ready();
  for (let i = 0; i < count; i++) {
    const result = await producer.send(new ons.Message(topic, i % 2 === 0 ? 'TagA' : 'TagB', `${prefix}-${i}`));
    expect(result.sendStatus).toBe('SEND_OK');
  }
  await producer.close();
  // ali-ons keeps a closed producer subscribed to its shared MQClient (kept alive by the process-wide default
  // producer) but drops the producer's own listeners: the client's next route-refresh error (the topic has no
  // route while the broker restarts) would then be re-emitted with no listener and crash the process.
  producer.on('error', () => {});
}

function consume(topic: string, group: string, expression: string, into: Map<string, number>, extra: Record<string, unknown> = {}) {
  const consumer = new ons.Consumer(options({ consumerGroup: group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', ...extra }));
  clients.push(consumer);
  consumer.on('error', () => {});
  const tags = new Set<string>();
  consumer.subscribe(topic, expression, async (msg) => {
    const body = msg.body.toString();
    into.set(body, (into.get(body) ?? 0) + 1);
    tags.add(msg.tags);
  });
  return { consumer, tags };
}

beforeAll(async () => {
  cluster = await startTestCluster({ logger: silentLogger });
  admin = new RemotingClient({ logger: silentLogger });
}, 30_000);

afterAll(async () => {
  for (const client of clients) {
    await client.close().catch(() => {});
    client.on('error', () => {}); // see produce()
  }
  await admin?.close();
  await cluster?.stop();
}, 30_000);

describe('ali-ons against Rocketdeck', () => {
  it('delivers 1000 messages to G1, again to G2, and only TagA to a TagA subscriber', async () => {
    await createTopic('AliTopic', 4);
    await produce('AliTopic', 1000);
    const g1 = new Map<string, number>();
    const g2 = new Map<string, number>();
    const g3 = new Map<string, number>();
    consume('AliTopic', 'G1', '*', g1);
    consume('AliTopic', 'G2', '*', g2);
    const tagged = consume('AliTopic', 'G3', 'TagA', g3);
    await waitFor(() => g1.size === 1000 && g2.size === 1000 && g3.size === 500, { timeoutMs: 40_000, message: 'all messages consumed' });
    expect([...tagged.tags]).toEqual(['TagA']);
    for (const body of g3.keys()) expect(Number(body.slice(2)) % 2).toBe(0);
  }, 60_000);

  it('splits the queues between two consumers of one group', async () => {
    await createTopic('AliSplit', 4);
    const a = new Map<string, number>();
    const b = new Map<string, number>();
    consume('AliSplit', 'G4', '*', a);
    consume('AliSplit', 'G4', '*', b);
    await waitFor(async () => {
      const list = await admin.invoke(cluster.brokerAddr, createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'G4' }), 3_000);
      return list.code === 0 && JSON.parse(list.body!.toString()).consumerIdList.length === 2;
    }, { timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 11_000)); // one ali-ons rebalance period (10 s)
    await produce('AliSplit', 200);
    await waitFor(() => a.size + b.size >= 200, { timeoutMs: 30_000 });
    expect(a.size).toBeGreaterThan(0);
    expect(b.size).toBeGreaterThan(0);
    for (const body of a.keys()) expect(b.has(body)).toBe(false);
    expect(new Set([...a.keys(), ...b.keys()]).size).toBe(200);
  }, 90_000);

  it('resumes from committed offsets after a broker restart, losing nothing', async () => {
    await createTopic('AliRestart', 2);
    await produce('AliRestart', 300, 'a');
    const got = new Map<string, number>();
    const { consumer } = consume('AliRestart', 'G5', '*', got);
    await waitFor(() => got.size === 300, { timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 6_000)); // ali-ons commits every 5 s
    const committed = cluster.broker.consumerOffsetManager.queryOffsets('G5', 'AliRestart');
    await consumer.close();
    await cluster.restartBroker();
    expect(cluster.broker.consumerOffsetManager.queryOffsets('G5', 'AliRestart')).toEqual(committed);
    await produce('AliRestart', 100, 'b');
    const after = new Map<string, number>();
    consume('AliRestart', 'G5', '*', after);
    await waitFor(() => after.size >= 100, { timeoutMs: 40_000 });
    for (let i = 0; i < 100; i++) expect(after.has(`b-${i}`)).toBe(true);
    // Resumed from the committed offsets: the acknowledged first batch is not delivered again.
    expect([...after.keys()].filter((body) => body.startsWith('a-'))).toEqual([]);
  }, 120_000);
});
