/**
 * A request is checked on exactly the values it is executed with. Table of hand-made frames over real TCP to a
 * broker with aclEnable: fields aliased (a SEND_MESSAGE_V2 one-letter name and its long name), duplicated (the
 * same key twice in a JSON or ROCKETMQ binary header) and conflicting, each signed by an account as a client
 * holding its keys would sign it. Every row says what the broker answers and which topic, if any, received the
 * message; no row may put a message into a topic the account cannot publish to.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../client/admin-client';
import { FrameDecoder } from '../protocol/frame-decoder';
import { decodeFrame, type RemotingCommand } from '../protocol/remoting-command';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode, responseCodeName } from '../protocol/response-code';
import { startTestCluster, type TestCluster } from '../testing/start-test-cluster';
import { createMemoryLogger } from '../util/logger';
import { calSignature, signedContent, type SessionCredentials } from './acl-signer';

const ADMIN: SessionCredentials = { accessKey: 'names_admin', secretKey: 'names_admin_secret' };
/** May publish to OrderTopic only; DenyTopic is DENY. */
const PUBLISHER: SessionCredentials = { accessKey: 'names_publisher', secretKey: 'publisher_secret' };
/** May publish nowhere (subscribe only). */
const READER: SessionCredentials = { accessKey: 'names_reader', secretKey: 'reader_secret' };

const ACL = `accounts:
  - accessKey: ${ADMIN.accessKey}
    secretKey: ${ADMIN.secretKey}
    admin: true
  - accessKey: ${PUBLISHER.accessKey}
    secretKey: ${PUBLISHER.secretKey}
    defaultTopicPerm: DENY
    defaultGroupPerm: SUB
    topicPerms:
      - OrderTopic=PUB|SUB
      - DenyTopic=DENY
  - accessKey: ${READER.accessKey}
    secretKey: ${READER.secretKey}
    defaultTopicPerm: SUB
    defaultGroupPerm: SUB
`;

const TOPICS = ['OrderTopic', 'DenyTopic'] as const;
type Entries = [string, string][];

/** The other fields of a send under V2 names (queue 0, so a row's message is easy to count). */
const V2_REST: Entries = [['a', 'PG_names'], ['c', 'TBW102'], ['d', '4'], ['e', '0'], ['f', '0'], ['g', '1700000000000'], ['h', '0']];
const V1_REST: Entries = [['producerGroup', 'PG_names'], ['defaultTopic', 'TBW102'], ['defaultTopicQueueNums', '4'], ['queueId', '0'], ['sysFlag', '0'], ['bornTimestamp', '1700000000000'], ['flag', '0']];

interface Row {
  name: string;
  code: number;
  /** extFields in wire order; a key may repeat. */
  entries: Entries;
  as: SessionCredentials;
  serialize?: 'json' | 'binary';
  expect: number;
  remark?: RegExp;
  /** The topic the message must land in (none when refused). */
  storedIn?: (typeof TOPICS)[number];
}

const ROWS: Row[] = [
  // aliased and conflicting: the V2 name and the long name of one field
  { name: 'V2 b=OrderTopic and topic=DenyTopic', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['b', 'OrderTopic'], ['topic', 'DenyTopic']], as: PUBLISHER, expect: ResponseCode.NO_PERMISSION, remark: /<topic> is sent twice, as <b> and as <topic>/ },
  { name: 'V2 topic=DenyTopic then b=OrderTopic', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['topic', 'DenyTopic'], ['b', 'OrderTopic']], as: PUBLISHER, expect: ResponseCode.NO_PERMISSION, remark: /sent twice/ },
  { name: 'V2 empty b and topic=DenyTopic', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['b', ''], ['topic', 'DenyTopic']], as: PUBLISHER, expect: ResponseCode.NO_PERMISSION, remark: /sent twice/ },
  { name: 'V2 empty b and topic=OrderTopic from an account with no PUB', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['b', ''], ['topic', 'OrderTopic']], as: READER, expect: ResponseCode.NO_PERMISSION, remark: /sent twice/ },
  { name: 'batch b=OrderTopic and topic=DenyTopic', code: RequestCode.SEND_BATCH_MESSAGE, entries: [...V2_REST, ['b', 'OrderTopic'], ['topic', 'DenyTopic'], ['m', 'true']], as: PUBLISHER, expect: ResponseCode.NO_PERMISSION, remark: /sent twice/ },
  { name: 'V2 a and producerGroup, same value', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['b', 'OrderTopic'], ['producerGroup', 'PG_names']], as: PUBLISHER, expect: ResponseCode.NO_PERMISSION, remark: /<producerGroup> is sent twice/ },
  { name: 'V2 b and topic, binary header', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['b', 'OrderTopic'], ['topic', 'DenyTopic']], as: PUBLISHER, serialize: 'binary', expect: ResponseCode.NO_PERMISSION, remark: /sent twice/ },
  // aliased, one name only
  { name: 'V2 with the long name topic=DenyTopic only', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['topic', 'DenyTopic']], as: PUBLISHER, expect: ResponseCode.NO_PERMISSION, remark: /No permission for topic:DenyTopic/ },
  { name: 'V2 with the long name topic=OrderTopic only', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['topic', 'OrderTopic']], as: PUBLISHER, expect: ResponseCode.SUCCESS, storedIn: 'OrderTopic' },
  { name: 'V1 topic=OrderTopic with a stray b=DenyTopic', code: RequestCode.SEND_MESSAGE, entries: [...V1_REST, ['topic', 'OrderTopic'], ['b', 'DenyTopic']], as: PUBLISHER, expect: ResponseCode.SUCCESS, storedIn: 'OrderTopic' },
  { name: 'V1 topic=DenyTopic with a stray b=OrderTopic', code: RequestCode.SEND_MESSAGE, entries: [...V1_REST, ['b', 'OrderTopic'], ['topic', 'DenyTopic']], as: PUBLISHER, expect: ResponseCode.NO_PERMISSION, remark: /No permission for topic:DenyTopic/ },
  // duplicated: one key twice; the header decoder keeps the last, for the check and the execution alike
  { name: 'JSON b twice, DenyTopic last', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['b', 'OrderTopic'], ['b', 'DenyTopic']], as: PUBLISHER, expect: ResponseCode.NO_PERMISSION, remark: /No permission for topic:DenyTopic/ },
  { name: 'JSON b twice, OrderTopic last', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['b', 'DenyTopic'], ['b', 'OrderTopic']], as: PUBLISHER, expect: ResponseCode.SUCCESS, storedIn: 'OrderTopic' },
  { name: 'binary b twice, DenyTopic last', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['b', 'OrderTopic'], ['b', 'DenyTopic']], as: PUBLISHER, serialize: 'binary', expect: ResponseCode.NO_PERMISSION, remark: /No permission for topic:DenyTopic/ },
  { name: 'binary b twice, OrderTopic last', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['b', 'DenyTopic'], ['b', 'OrderTopic']], as: PUBLISHER, serialize: 'binary', expect: ResponseCode.SUCCESS, storedIn: 'OrderTopic' },
  { name: 'V1 topic twice, DenyTopic last', code: RequestCode.SEND_MESSAGE, entries: [...V1_REST, ['topic', 'OrderTopic'], ['topic', 'DenyTopic']], as: PUBLISHER, expect: ResponseCode.NO_PERMISSION, remark: /No permission for topic:DenyTopic/ },
  // the plain cases the rows above are measured against
  { name: 'V2 b=OrderTopic', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['b', 'OrderTopic']], as: PUBLISHER, expect: ResponseCode.SUCCESS, storedIn: 'OrderTopic' },
  { name: 'V2 b=DenyTopic', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['b', 'DenyTopic']], as: PUBLISHER, expect: ResponseCode.NO_PERMISSION },
  { name: 'V2 b=OrderTopic from an account with no PUB', code: RequestCode.SEND_MESSAGE_V2, entries: [...V2_REST, ['b', 'OrderTopic']], as: READER, expect: ResponseCode.NO_PERMISSION },
];

const logger = createMemoryLogger();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-acl-names-'));
let cluster: TestCluster;
let admin: AdminClient;
let socket: net.Socket;
const pending = new Map<number, (response: RemotingCommand) => void>();
let opaque = 1000;

/** The values a server decoding these entries sees: the last of a repeated key wins (JSON.parse and the binary decoder alike). */
function asDecoded(entries: Entries): Record<string, string> {
  return Object.fromEntries(entries);
}

/** Signs as a client holding the account's keys: over the values the broker decodes, then AccessKey and Signature appended. */
function signed(entries: Entries, body: Buffer, as: SessionCredentials): Entries {
  const withKey: Entries = [...entries, ['AccessKey', as.accessKey]];
  return [...withKey, ['Signature', calSignature(signedContent(asDecoded(withKey), body), as.secretKey)]];
}

function jsonHeader(code: number, id: number, entries: Entries): Buffer {
  const ext = entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',');
  return Buffer.from(`{"code":${code},"extFields":{${ext}},"flag":0,"language":"JAVA","opaque":${id},"serializeTypeCurrentRPC":"JSON","version":401}`);
}

function binaryHeader(code: number, id: number, entries: Entries): Buffer {
  const parts = entries.map(([key, value]) => {
    const k = Buffer.from(key);
    const v = Buffer.from(value);
    const part = Buffer.alloc(2 + k.length + 4 + v.length);
    part.writeInt16BE(k.length, 0);
    k.copy(part, 2);
    part.writeInt32BE(v.length, 2 + k.length);
    v.copy(part, 6 + k.length);
    return part;
  });
  const ext = Buffer.concat(parts);
  const fixed = Buffer.alloc(21);
  fixed.writeInt16BE(code, 0);
  fixed.writeInt8(0, 2); // JAVA
  fixed.writeInt16BE(401, 3);
  fixed.writeInt32BE(id, 5);
  fixed.writeInt32BE(0, 9); // flag: request
  fixed.writeInt32BE(0, 13); // no remark
  fixed.writeInt32BE(ext.length, 17);
  return Buffer.concat([fixed, ext]);
}

function send(row: Row, body: Buffer): Promise<RemotingCommand> {
  const id = opaque++;
  const entries = signed(row.entries, body, row.as);
  const binary = row.serialize === 'binary';
  const header = binary ? binaryHeader(row.code, id, entries) : jsonHeader(row.code, id, entries);
  const prefix = Buffer.alloc(8);
  prefix.writeInt32BE(4 + header.length + body.length, 0);
  prefix.writeUInt32BE((((binary ? 1 : 0) << 24) | header.length) >>> 0, 4);
  return new Promise((resolve) => {
    pending.set(id, resolve);
    socket.write(Buffer.concat([prefix, header, body]));
  });
}

function messagesIn(topic: string): number {
  return cluster.broker.store.getMaxOffsetInQueue(topic, 0);
}

beforeAll(async () => {
  const aclFile = path.join(dir, 'plain_acl.yml');
  fs.writeFileSync(aclFile, ACL);
  cluster = await startTestCluster({ logger, broker: { aclEnable: true, aclFile, autoCreateTopicEnable: false } });
  admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr, credentials: ADMIN });
  for (const topicName of TOPICS) await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName, readQueueNums: 1, writeQueueNums: 1, perm: 6 });
  const [host, port] = cluster.brokerAddr.split(':');
  socket = net.connect(Number(port), host);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const decoder = new FrameDecoder();
  socket.on('data', (chunk) => {
    for (const frame of decoder.push(chunk)) {
      const response = decodeFrame(frame);
      pending.get(response.opaque)?.(response);
      pending.delete(response.opaque);
    }
  });
}, 30_000);

afterAll(async () => {
  socket?.destroy();
  await admin?.close();
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('ACL on aliased, duplicated and conflicting header fields', () => {
  it.each(ROWS)('$name', async (row) => {
    const before = Object.fromEntries(TOPICS.map((topic) => [topic, messagesIn(topic)]));
    const body = Buffer.from(`row: ${row.name}`);
    const response = await send(row, row.code === RequestCode.SEND_BATCH_MESSAGE ? batchBody(body) : body);
    expect(responseCodeName(response.code), response.remark).toBe(responseCodeName(row.expect));
    if (row.remark) expect(response.remark).toMatch(row.remark);
    for (const topic of TOPICS) expect(messagesIn(topic) - before[topic]!, `messages added to ${topic}`).toBe(topic === row.storedIn ? 1 : 0);
  });

  it('logs each refusal of a field sent twice with the account that sent it', () => {
    const lines = logger.lines.filter((line) => line.includes('request refused by the ACL') && line.includes('sent twice'));
    expect(lines.some((line) => line.includes(`"accessKey":"${READER.accessKey}"`))).toBe(true);
    expect(lines.some((line) => line.includes(`"accessKey":"${PUBLISHER.accessKey}"`))).toBe(true);
  });
});

/** One message in SEND_BATCH_MESSAGE's body format (MessageDecoder.encodeMessage): its body is the row's text. */
function batchBody(body: Buffer): Buffer {
  const properties = Buffer.alloc(0);
  const total = 4 + 4 + 4 + 4 + 4 + body.length + 2 + properties.length;
  const out = Buffer.alloc(total);
  let at = out.writeInt32BE(total, 0);
  at = out.writeInt32BE(0, at); // magic
  at = out.writeInt32BE(0, at); // body crc
  at = out.writeInt32BE(0, at); // flag
  at = out.writeInt32BE(body.length, at);
  at += body.copy(out, at);
  out.writeInt16BE(properties.length, at);
  return out;
}
