/**
 * Client-side messages: what an application hands to a producer (Message), what a consumer or a query gets
 * back (MessageExt, decoded from the stored-record layout of protocol.md §4.1), the batch body (§4.7) and
 * body compression (§4.8). Property names are RocketMQ's (MessageConst.java, §4.5).
 */
import zlib from 'node:zlib';
import { decodePropertiesString, encodePropertiesString } from '../broker/message/message-util';
import { offsetMsgId as storeOffsetMsgId } from '../store/record';
import { BrokerError } from '../util/errors';

export const MessageProperty = {
  TAGS: 'TAGS',
  KEYS: 'KEYS',
  WAIT: 'WAIT',
  DELAY: 'DELAY',
  RETRY_TOPIC: 'RETRY_TOPIC',
  REAL_TOPIC: 'REAL_TOPIC',
  REAL_QID: 'REAL_QID',
  TRAN_MSG: 'TRAN_MSG',
  PGROUP: 'PGROUP',
  UNIQ_KEY: 'UNIQ_KEY',
  MIN_OFFSET: 'MIN_OFFSET',
  MAX_OFFSET: 'MAX_OFFSET',
  ORIGIN_MESSAGE_ID: 'ORIGIN_MESSAGE_ID',
  RECONSUME_TIME: 'RECONSUME_TIME',
  MAX_RECONSUME_TIMES: 'MAX_RECONSUME_TIMES',
  CONSUME_START_TIME: 'CONSUME_START_TIME',
  CLUSTER: 'CLUSTER',
  SHARDING_KEY: '__SHARDINGKEY',
  TRANSACTION_ID: '__transactionId__',
  CORRELATION_ID: 'CORRELATION_ID',
  REPLY_TO_CLIENT: 'REPLY_TO_CLIENT',
  TTL: 'TTL',
  MSG_TYPE: 'MSG_TYPE',
  ARRIVE_TIME: 'ARRIVE_TIME',
  PUSH_REPLY_TIME: 'PUSH_REPLY_TIME',
} as const;

/** Keys an application may not set itself (the client or the broker owns them). */
const RESERVED_PROPERTIES = new Set<string>([
  'TAGS', 'KEYS', 'WAIT', 'DELAY', 'RETRY_TOPIC', 'REAL_TOPIC', 'REAL_QID', 'TRAN_MSG', 'PGROUP', 'UNIQ_KEY', 'MIN_OFFSET', 'MAX_OFFSET',
  'ORIGIN_MESSAGE_ID', 'RECONSUME_TIME', 'MAX_RECONSUME_TIMES', 'CLUSTER', 'TRAN_PREPARED_QUEUE_OFFSET', 'BUYER_ID', 'CONSUME_START_TIME',
  'CORRELATION_ID', 'REPLY_TO_CLIENT', 'TTL', 'MSG_TYPE', 'ARRIVE_TIME', 'PUSH_REPLY_TIME',
]);

export const MessageSysFlag = {
  COMPRESSED: 0x1,
  MULTI_TAGS: 0x2,
  TRANSACTION_PREPARED: 0x4,
  TRANSACTION_COMMIT: 0x8,
  TRANSACTION_ROLLBACK: 0xc,
  BORNHOST_V6: 0x10,
  STOREHOST_V6: 0x20,
  COMPRESSION_TYPE_MASK: 0x700,
  COMPRESSION_ZLIB: 0x300,
} as const;

/** A message as an application builds it. */
export interface Message {
  topic: string;
  body: Buffer | string;
  tags?: string;
  /** One key or several; stored space-separated and indexed by the broker. */
  keys?: string | string[];
  /** Delay level 1..18 (1s 5s 10s 30s 1m ... 2h). */
  delayLevel?: number;
  /** Wait for the broker's flush before it answers (default true). */
  waitStoreMsgOK?: boolean;
  flag?: number;
  /** User properties; RocketMQ's reserved names are refused. */
  properties?: Record<string, string>;
}

export interface HostPort {
  address: string;
  port: number;
}

/** A stored message, as pulled, queried or pushed to a consumer. */
export interface MessageExt {
  topic: string;
  /** The (inflated) body. */
  body: Buffer;
  tags: string | undefined;
  keys: string[];
  properties: Record<string, string>;
  /** The client-made id (UNIQ_KEY) when there is one, else the offsetMsgId (what RocketMQ's getMsgId returns). */
  msgId: string;
  /** The broker-made id: store host + commit log offset. */
  offsetMsgId: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  storeSize: number;
  bodyCRC: number;
  flag: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: HostPort;
  storeTimestamp: number;
  storeHost: HostPort;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  /** Set by the consumer that pulled it. */
  brokerName?: string;
  /** True when the body was compressed with a codec this client cannot inflate (LZ4, ZSTD): body is raw. */
  bodyCompressed?: boolean;
}

const MAGIC_V2 = -626843477;

function readHost(buf: Buffer, at: number, v6: boolean): [HostPort, number] {
  if (v6) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(buf.readUInt16BE(at + i).toString(16));
    return [{ address: groups.join(':'), port: buf.readInt32BE(at + 16) }, at + 20];
  }
  return [{ address: `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`, port: buf.readInt32BE(at + 4) }, at + 8];
}

/** Inflates a compressed body; returns null when the codec is not zlib. */
export function inflateBody(body: Buffer, sysFlag: number): Buffer | null {
  const type = sysFlag & MessageSysFlag.COMPRESSION_TYPE_MASK;
  if (type !== 0 && type !== MessageSysFlag.COMPRESSION_ZLIB) return null;
  return zlib.inflateSync(body);
}

/**
 * Decodes records back to back (a pull body, a query body, a pushed message). Stops at the first record that
 * does not fit, as RocketMQ's decoder does. Compressed bodies are inflated unless `inflate` is false.
 */
export function decodeMessages(buf: Buffer, options: { inflate?: boolean } = {}): MessageExt[] {
  const out: MessageExt[] = [];
  let at = 0;
  while (at + 4 <= buf.length) {
    const storeSize = buf.readInt32BE(at);
    if (storeSize <= 0 || at + storeSize > buf.length) break;
    try {
      out.push(decodeOne(buf.subarray(at, at + storeSize), options.inflate ?? true));
    } catch {
      break;
    }
    at += storeSize;
  }
  return out;
}

function decodeOne(buf: Buffer, inflate: boolean): MessageExt {
  const storeSize = buf.readInt32BE(0);
  const magic = buf.readInt32BE(4);
  const bodyCRC = buf.readInt32BE(8);
  const queueId = buf.readInt32BE(12);
  const flag = buf.readInt32BE(16);
  const queueOffset = Number(buf.readBigInt64BE(20));
  const commitLogOffset = Number(buf.readBigInt64BE(28));
  const sysFlag = buf.readInt32BE(36);
  const bornTimestamp = Number(buf.readBigInt64BE(40));
  let at = 48;
  let bornHost: HostPort;
  [bornHost, at] = readHost(buf, at, (sysFlag & MessageSysFlag.BORNHOST_V6) !== 0);
  const storeTimestamp = Number(buf.readBigInt64BE(at)); at += 8;
  const storeV6 = (sysFlag & MessageSysFlag.STOREHOST_V6) !== 0;
  let storeHost: HostPort;
  [storeHost, at] = readHost(buf, at, storeV6);
  const reconsumeTimes = buf.readInt32BE(at); at += 4;
  const preparedTransactionOffset = Number(buf.readBigInt64BE(at)); at += 8;
  const bodyLength = buf.readInt32BE(at); at += 4;
  if (bodyLength < 0 || at + bodyLength > buf.length) throw new RangeError('body overruns the record');
  let body: Buffer = Buffer.from(buf.subarray(at, at + bodyLength)); at += bodyLength;
  let topicLength: number;
  if (magic === MAGIC_V2) {
    topicLength = buf.readInt16BE(at); at += 2;
  } else {
    topicLength = buf.readUInt8(at); at += 1;
  }
  const topic = buf.toString('utf8', at, at + topicLength); at += topicLength;
  const propertiesLength = buf.readInt16BE(at); at += 2;
  if (propertiesLength < 0 || at + propertiesLength > buf.length) throw new RangeError('properties overrun the record');
  const properties = decodePropertiesString(buf.toString('utf8', at, at + propertiesLength));

  let bodyCompressed: boolean | undefined;
  if (inflate && (sysFlag & MessageSysFlag.COMPRESSED) !== 0) {
    const inflated = inflateBody(body, sysFlag);
    if (inflated) body = inflated;
    else bodyCompressed = true;
  }
  const offsetMsgId = storeOffsetMsgId(storeHost, commitLogOffset);
  const message: MessageExt = {
    topic,
    body,
    tags: properties[MessageProperty.TAGS],
    keys: splitKeys(properties[MessageProperty.KEYS]),
    properties,
    msgId: properties[MessageProperty.UNIQ_KEY] ?? offsetMsgId,
    offsetMsgId,
    queueId,
    queueOffset,
    commitLogOffset,
    storeSize,
    bodyCRC,
    flag,
    sysFlag,
    bornTimestamp,
    bornHost,
    storeTimestamp,
    storeHost,
    reconsumeTimes,
    preparedTransactionOffset,
  };
  if (bodyCompressed) message.bodyCompressed = true;
  return message;
}

function splitKeys(text: string | undefined): string[] {
  return text ? text.split(' ').filter(Boolean) : [];
}

const TOPIC_PATTERN = /^[%|a-zA-Z0-9_-]+$/;
export const TOPIC_NAME_BYTES_MAX = 127;
export const MESSAGE_BODY_BYTES_MAX = 4 * 1024 * 1024;

/** Client-side checks RocketMQ's Validators does before a send. */
export function validateMessage(message: Message, maxBodyBytes = MESSAGE_BODY_BYTES_MAX): void {
  validateTopic(message.topic);
  const bodyBytes = typeof message.body === 'string' ? Buffer.byteLength(message.body) : message.body?.length;
  if (bodyBytes === undefined) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', 'the message body is missing');
  if (bodyBytes === 0) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', 'the message body length is zero');
  if (bodyBytes > maxBodyBytes) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `the message body size over max value, MAX: ${maxBodyBytes}`);
  if (message.delayLevel !== undefined && (!Number.isInteger(message.delayLevel) || message.delayLevel < 0)) {
    throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `delay level must be a whole number ≥ 0 (got ${message.delayLevel})`);
  }
  for (const name of Object.keys(message.properties ?? {})) {
    if (RESERVED_PROPERTIES.has(name)) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `the property name "${name}" is reserved by RocketMQ`);
    if (/[\u0001\u0002]/.test(name) || /[\u0001\u0002]/.test(message.properties![name]!)) {
      throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `property "${name}" contains a separator character (\\u0001 or \\u0002)`);
    }
  }
}

export function validateTopic(topic: string): void {
  if (!topic || !topic.trim()) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', 'the specified topic is blank');
  if (!TOPIC_PATTERN.test(topic)) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `the specified topic "${topic}" contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`);
  if (topic.length > TOPIC_NAME_BYTES_MAX) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `the specified topic is longer than topic max length ${TOPIC_NAME_BYTES_MAX}`);
}

/** The property map a message is sent with (user properties + TAGS, KEYS, DELAY, WAIT + the extra ones given). */
export function messageProperties(message: Message, extra: Record<string, string> = {}): Record<string, string> {
  const props: Record<string, string> = { ...(message.properties ?? {}) };
  if (message.tags) props[MessageProperty.TAGS] = message.tags;
  const keys = Array.isArray(message.keys) ? message.keys.join(' ') : message.keys;
  if (keys) props[MessageProperty.KEYS] = keys;
  if (message.delayLevel && message.delayLevel > 0) props[MessageProperty.DELAY] = String(message.delayLevel);
  props[MessageProperty.WAIT] = message.waitStoreMsgOK === false ? 'false' : 'true';
  return Object.assign(props, extra);
}

export function bodyBuffer(body: Buffer | string): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** SEND_BATCH_MESSAGE body: each message as TOTALSIZE, MAGIC 0, BODYCRC 0, FLAG, BODY, PROPERTIES (§4.7). */
export function encodeBatchBody(items: { flag: number; body: Buffer; properties: Record<string, string> }[]): Buffer {
  const parts: Buffer[] = [];
  for (const item of items) {
    const props = Buffer.from(encodePropertiesString(item.properties), 'utf8');
    const total = 4 + 4 + 4 + 4 + 4 + item.body.length + 2 + props.length;
    const buf = Buffer.alloc(total);
    let at = buf.writeInt32BE(total, 0);
    at = buf.writeInt32BE(0, at);
    at = buf.writeInt32BE(0, at);
    at = buf.writeInt32BE(item.flag, at);
    at = buf.writeInt32BE(item.body.length, at);
    at += item.body.copy(buf, at);
    at = buf.writeInt16BE(props.length, at);
    props.copy(buf, at);
    parts.push(buf);
  }
  return Buffer.concat(parts);
}

export { decodePropertiesString, encodePropertiesString };
