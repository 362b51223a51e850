/**
 * gRPC calls under the broker's plain ACL (aclEnable=true in broker.properties, ROCKETDECK_HOME/conf/plain_acl.yml):
 * rocketmq-client-nodejs 1.0.8 signing with sessionCredentials (MQv2-HMAC-SHA1 over x-mq-date-time) against a real
 * `rocketdeck broker` process; the same accounts and permissions as remoting clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionCredentials } from '../acl/acl-signer';
import { AdminClient } from '../client/admin-client';
import { PullConsumer } from '../client/pull-consumer';
import { nodeClient, quietNodeClientLogger, rawMessagingClient } from '../testing/rocketmq-client-nodejs';
import { startGrpcProcesses, type GrpcProcesses } from '../testing/grpc-processes';
import type { ServerProcess } from '../testing/server-processes';
import { waitFor } from '../testing/wait-for';
import { grpcSignature } from './grpc-auth';

const ADMIN: SessionCredentials = { accessKey: 'grpc_admin', secretKey: 'grpc_admin_secret' };
const APP: SessionCredentials = { accessKey: 'grpc_app', secretKey: 'grpc_app_secret' };
const TOPIC = `GrpcAclTopic${process.pid}`;
const DENIED = `GrpcAclDenied${process.pid}`;

const ACL_YAML = `globalWhiteRemoteAddresses: []
accounts:
  - accessKey: ${ADMIN.accessKey}
    secretKey: ${ADMIN.secretKey}
    admin: true
  - accessKey: ${APP.accessKey}
    secretKey: ${APP.secretKey}
    admin: false
    defaultTopicPerm: DENY
    defaultGroupPerm: DENY
    topicPerms:
      - ${TOPIC}=PUB|SUB
      - ${DENIED}=SUB
`;

let processes: GrpcProcesses;
let broker: ServerProcess;
let brokerAddr: string;
let namesrvAddr: string;
let endpoint: string;
let admin: AdminClient;
const closers: (() => Promise<unknown>)[] = [];
const log = quietNodeClientLogger();

const credentials = (c: SessionCredentials) => ({ accessKey: c.accessKey, accessSecret: c.secretKey });

beforeAll(async () => {
  processes = await startGrpcProcesses({ brokerName: 'broker-acl', properties: { aclEnable: true }, files: { 'conf/plain_acl.yml': ACL_YAML } });
  ({ broker, namesrvAddr, brokerAddr, grpcEndpoint: endpoint } = processes);
  admin = new AdminClient({ namesrvAddr, credentials: ADMIN });
  for (const topic of [TOPIC, DENIED]) await admin.createOrUpdateTopic(brokerAddr, { topicName: topic, readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  await waitFor(async () => (await admin.getTopicRoute(DENIED)) !== null, { timeoutMs: 10_000 });
}, 90_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await admin?.close();
  await processes?.stop();
});

describe('gRPC under the plain ACL', () => {
  it('a signed producer with PUB sends; its messages are stored as any other', async () => {
    const producer = new nodeClient.Producer({ endpoints: endpoint, topic: TOPIC, sessionCredentials: credentials(APP), logger: log });
    await producer.startup();
    closers.push(() => producer.shutdown());
    const receipt = await producer.send({ topic: TOPIC, tag: 'acl', body: Buffer.from('signed') });
    const pull = new PullConsumer({ namesrvAddr, groupName: 'CG_grpc_acl_check', credentials: ADMIN });
    await pull.start();
    closers.push(() => pull.shutdown());
    const bodies: string[] = [];
    for (const queueId of [0, 1]) {
      const result = await pull.pull({ topic: TOPIC, brokerName: 'broker-acl', queueId }, '*', 0, 32);
      for (const message of result.msgFoundList) if (message.msgId === receipt.messageId) bodies.push(message.body.toString());
    }
    expect(bodies).toEqual(['signed']);
  });

  it('a wrong secret or no credentials: the client cannot start (UNAUTHORIZED), and the refusal is logged', async () => {
    for (const sessionCredentials of [{ accessKey: APP.accessKey, accessSecret: 'not-the-secret' }, undefined]) {
      const producer = new nodeClient.Producer({ endpoints: endpoint, topic: TOPIC, logger: log, requestTimeout: 2_000, ...(sessionCredentials ? { sessionCredentials } : {}) });
      await expect(producer.startup()).rejects.toThrow(/Startup the rocketmq client failed/);
      await producer.shutdown().catch(() => undefined);
    }
    expect(broker.output()).toMatch(/request refused by the ACL.*gRPC QueryRoute.*Check signature failed for accessKey=grpc_app/);
    expect(broker.output()).toMatch(/request refused by the ACL.*No accessKey is configured/);
  });

  it('a signed account without PUB on the topic gets FORBIDDEN for its sends, with RocketMQ\'s reason', async () => {
    const producer = new nodeClient.Producer({ endpoints: endpoint, topic: DENIED, sessionCredentials: credentials(APP), logger: log });
    await producer.startup();
    closers.push(() => producer.shutdown());
    await expect(producer.send({ topic: DENIED, body: Buffer.from('nope') })).rejects.toThrow(/No permission for topic:GrpcAclDenied/);
  });

  it('answers each refusal with its status: UNAUTHORIZED without or with a bad signature, FORBIDDEN without the permission', async () => {
    const raw = rawMessagingClient(endpoint, `raw-acl-${process.pid}`);
    closers.push(async () => raw.close());
    const dateTime = '20261207T101010Z';
    const signed = (secret: string, accessKey = APP.accessKey) => ({ 'x-mq-date-time': dateTime, authorization: `MQv2-HMAC-SHA1 Credential=${accessKey}, SignedHeaders=x-mq-date-time, Signature=${grpcSignature(secret, dateTime)}` });
    type Answer = { status: { code: string; message: string } };
    const route = (metadata: Record<string, string>) => raw.call<Answer>('QueryRoute', { topic: { name: TOPIC } }, metadata);
    expect((await route({})).status).toMatchObject({ code: 'UNAUTHORIZED', message: 'No accessKey is configured' });
    expect((await route(signed('wrong'))).status).toMatchObject({ code: 'UNAUTHORIZED', message: `Check signature failed for accessKey=${APP.accessKey}` });
    expect((await route(signed(APP.secretKey, 'nobody_here'))).status).toMatchObject({ code: 'UNAUTHORIZED', message: 'No acl config for nobody_here' });
    expect((await route(signed(APP.secretKey))).status.code).toBe('OK');
    const lowerCase = signed(APP.secretKey);
    lowerCase.authorization = lowerCase.authorization.replace(/Signature=(\w+)/, (_, hex: string) => `Signature=${hex.toLowerCase()}`);
    expect((await route(lowerCase)).status.code).toBe('OK');
    const offset = await raw.call<Answer>('GetOffset', { group: { name: 'CG_not_granted' }, message_queue: { topic: { name: TOPIC }, id: 0, broker: { name: 'broker-acl' } } }, signed(APP.secretKey));
    expect(offset.status).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('CG_not_granted') });
  });
});
