/**
 * gRPC messages ↔ RocketMQ messages, so that what a 5.x client sends is stored exactly as a 4.x producer's
 * would be, and what a 4.x producer stored reads as a 5.x client expects (the Apache Proxy's
 * SendMessageActivity and GrpcConverter say which property carries what):
 *
 *   gRPC SystemProperties          stored message
 *   tag                            TAGS
 *   keys[]                         KEYS, joined by " "
 *   message_id                     UNIQ_KEY (the client makes it; it is the message id everywhere)
 *   message_group                  __SHARDINGKEY
 *   delivery_timestamp             TIMER_DELIVER_MS (epoch ms)
 *   message_type TRANSACTION       TRAN_MSG=true, CHECK_IMMUNITY_TIME_IN_SECONDS from orphaned_transaction_recovery_duration
 *   trace_context                  TRACE_CONTEXT
 *   born_timestamp                 the record's born timestamp
 *   (the producer group)           PGROUP = the topic, as the Proxy does: transaction checks go to that group
 *   user_properties                the other properties; a system property name among them is refused
 *   body_encoding GZIP             the body is gunzipped and stored as is (4.x readers inflate zlib, not gzip)
 *
 * Reading back, every message gets body_digest (MD5, upper-case hex), born/store host and time, queue id and
 * offset, delivery_attempt = reconsumeTimes + 1; a body a 4.x producer compressed (sysFlag bit 0, zlib) is
 * inflated and sent as IDENTITY.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { createOffsetMsgIdText, type StoredRecord } from '../broker/message/message-util';
import { GRPC_DELIVERY_DELAY_MS_MAX } from '../config/limits';
import type { Duration, Message, MessageType, SystemProperties, Timestamp } from './grpc-types';
import { GrpcStatusError } from './status';

/** Property names RocketMQ keeps for itself (MessageConst.STRING_HASH_SET, plus a few the broker writes). */
export const SYSTEM_PROPERTY_NAMES: ReadonlySet<string> = new Set([
  'TRACE_ON', 'MSG_REGION', 'KEYS', 'TAGS', 'WAIT', 'DELAY', 'RETRY_TOPIC', 'REAL_TOPIC', 'REAL_QID', 'TRAN_MSG', 'PGROUP',
  'MIN_OFFSET', 'MAX_OFFSET', 'BUYER_ID', 'ORIGIN_MESSAGE_ID', 'TRANSFER_FLAG', 'CORRECTION_FLAG', 'MQ2_FLAG',
  'RECONSUME_TIME', 'UNIQ_KEY', 'MAX_RECONSUME_TIMES', 'CONSUME_START_TIME', 'POP_CK', 'POP_CK_OFFSET', '1ST_POP_TIME',
  'TRAN_PREPARED_QUEUE_OFFSET', 'DUP_INFO', 'EXTEND_UNIQ_INFO', 'INSTANCE_ID', 'CORRELATION_ID', 'REPLY_TO_CLIENT', 'TTL',
  'ARRIVE_TIME', 'PUSH_REPLY_TIME', 'CLUSTER', 'MSG_TYPE', 'INNER_MULTI_QUEUE_OFFSET', 'TIMER_DELAY_SEC', 'TIMER_DELIVER_MS',
  'TIMER_ENQUEUE_MS', 'TIMER_DEQUEUE_MS', 'TIMER_ROLL_TIMES', 'TIMER_OUT_MS', 'TIMER_DEL_UNIQKEY', 'TIMER_DELAY_LEVEL',
  '__BORNHOST', 'BORN_TIMESTAMP',
  // written by brokers, not meant for applications
  '__SHARDINGKEY', 'TRACE_CONTEXT', 'CHECK_IMMUNITY_TIME_IN_SECONDS', 'TRANSACTION_CHECK_TIMES', '__transactionId__', 'TIMER_DELAY_MS',
  'INNER_NUM', 'INNER_BASE',
]);

/** sysFlag bits (MessageSysFlag). */
export const SysFlag = { COMPRESSED: 0x1, TRANSACTION_PREPARED: 0x4 } as const;

export interface MessageToSend {
  topic: string;
  body: Buffer;
  /** The properties string's entries, in the order they are written. */
  properties: Record<string, string>;
  sysFlag: number;
  bornTimestamp: number;
  messageType: MessageType;
  messageId: string;
}

export function timestampMs(timestamp: Timestamp | null | undefined): number | undefined {
  if (!timestamp) return undefined;
  return Number(timestamp.seconds) * 1000 + Math.floor(Number(timestamp.nanos) / 1e6);
}

export function timestampOf(ms: number): Timestamp {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

export function durationMs(duration: Duration | null | undefined): number | undefined {
  if (!duration) return undefined;
  return Number(duration.seconds) * 1000 + Math.floor(Number(duration.nanos) / 1e6);
}

export function durationOf(ms: number): Duration {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

/** Characters a tag or key may not hold: the separators of TAGS and KEYS, and control characters. */
const ILLEGAL_TAG = /[|\u0000-\u001f]/;
const ILLEGAL_KEY = /[\u0000-\u001f]/;

/** The message type a send asks for (the client's own, else derived as the client derives it). */
export function requestedMessageType(system: SystemProperties): MessageType {
  if (system.message_type && system.message_type !== 'MESSAGE_TYPE_UNSPECIFIED') return system.message_type;
  if (system.message_group) return 'FIFO';
  if (system.delivery_timestamp) return 'DELAY';
  return 'NORMAL';
}

/**
 * The RocketMQ message for one gRPC message, or a GrpcStatusError saying what is wrong with it.
 * `maxBodyBytes` is the broker's maxMessageSize; `nowMs` bounds delivery timestamps.
 */
export function toMessageToSend(message: Message, maxBodyBytes: number, nowMs: number): MessageToSend {
  const topic = message.topic?.name ?? '';
  const system = message.system_properties;
  if (!system) throw new GrpcStatusError('BAD_REQUEST', 'the message has no system_properties');
  const messageId = system.message_id;
  if (!messageId) throw new GrpcStatusError('ILLEGAL_MESSAGE_ID', 'message id is empty');
  if (messageId.length > 128 || ILLEGAL_KEY.test(messageId)) throw new GrpcStatusError('ILLEGAL_MESSAGE_ID', `message id ${JSON.stringify(messageId.slice(0, 64))} is not a legal id`);

  let body = Buffer.isBuffer(message.body) ? message.body : Buffer.from(message.body ?? []);
  if (system.body_encoding === 'GZIP') {
    try {
      body = zlib.gunzipSync(body, { maxOutputLength: maxBodyBytes + 1 });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new GrpcStatusError('MESSAGE_BODY_TOO_LARGE', `the message body is larger than ${maxBodyBytes} bytes once unzipped`);
      throw new GrpcStatusError('MESSAGE_CORRUPTED', `body_encoding is GZIP but the body does not gunzip: ${(err as Error).message}`);
    }
  }
  if (body.length > maxBodyBytes) throw new GrpcStatusError('MESSAGE_BODY_TOO_LARGE', `the message body size ${body.length} is over the limit of ${maxBodyBytes} bytes`);

  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.user_properties ?? {})) {
    if (SYSTEM_PROPERTY_NAMES.has(name)) throw new GrpcStatusError('ILLEGAL_MESSAGE_PROPERTY_KEY', `property is used by system: ${name}`);
    if (!name || /[\u0001\u0002]/.test(name) || /[\u0001\u0002]/.test(value)) throw new GrpcStatusError('ILLEGAL_MESSAGE_PROPERTY_KEY', `property ${JSON.stringify(name)} holds a separator character (\\u0001 or \\u0002)`);
    properties[name] = value;
  }
  if (system.tag !== undefined && system.tag !== '') {
    if (ILLEGAL_TAG.test(system.tag) || !system.tag.trim()) throw new GrpcStatusError('ILLEGAL_MESSAGE_TAG', `tag ${JSON.stringify(system.tag)} is not legal: no "|", no control characters, not blank`);
    properties.TAGS = system.tag;
  }
  if (system.keys.length > 0) {
    for (const key of system.keys) {
      if (!key.trim() || ILLEGAL_KEY.test(key)) throw new GrpcStatusError('ILLEGAL_MESSAGE_KEY', `key ${JSON.stringify(key)} is not legal: not blank, no control characters`);
    }
    properties.KEYS = system.keys.join(' ');
  }
  properties.UNIQ_KEY = messageId;

  const messageType = requestedMessageType(system);
  let sysFlag = 0;
  if (messageType === 'TRANSACTION') {
    sysFlag |= SysFlag.TRANSACTION_PREPARED;
    properties.TRAN_MSG = 'true';
    const recoveryMs = durationMs(system.orphaned_transaction_recovery_duration);
    if (recoveryMs !== undefined && recoveryMs > 0) properties.CHECK_IMMUNITY_TIME_IN_SECONDS = String(Math.floor(recoveryMs / 1000));
  }
  if (system.delivery_timestamp) {
    const deliverMs = timestampMs(system.delivery_timestamp)!;
    if (!Number.isFinite(deliverMs) || deliverMs - nowMs > GRPC_DELIVERY_DELAY_MS_MAX) {
      throw new GrpcStatusError('ILLEGAL_DELIVERY_TIME', `delivery_timestamp is more than ${GRPC_DELIVERY_DELAY_MS_MAX / 3_600_000} hours ahead`);
    }
    properties.TIMER_DELIVER_MS = String(deliverMs);
  }
  if (system.message_group) {
    if (system.message_group.length > 64 || ILLEGAL_KEY.test(system.message_group)) throw new GrpcStatusError('ILLEGAL_MESSAGE_GROUP', `message group ${JSON.stringify(system.message_group.slice(0, 80))} is not legal: at most 64 characters, no control characters`);
    properties.__SHARDINGKEY = system.message_group;
  }
  if (system.trace_context) properties.TRACE_CONTEXT = system.trace_context;
  properties.PGROUP = topic;
  const bornTimestamp = timestampMs(system.born_timestamp) ?? nowMs;
  return { topic, body, properties, sysFlag, bornTimestamp, messageType, messageId };
}

/** The 5.x type of a stored message (GrpcConverter's order: transaction, delay, FIFO, normal). */
export function storedMessageType(properties: Record<string, string>): MessageType {
  if (properties.TRAN_MSG === 'true') return 'TRANSACTION';
  if (properties.DELAY !== undefined || properties.TIMER_DELIVER_MS !== undefined || properties.TIMER_DELAY_SEC !== undefined || properties.TIMER_DELAY_MS !== undefined) return 'DELAY';
  if (properties.__SHARDINGKEY !== undefined) return 'FIFO';
  return 'NORMAL';
}

export interface ReadContext {
  /** The topic the client asked for (a retry or half topic's message is shown under it). */
  topic?: string;
  receiptHandle?: string;
  invisibleDurationMs?: number;
  /** Overrides reconsumeTimes + 1 (POP's own attempt count). */
  deliveryAttempt?: number;
  /** When the message became visible to the consumer (POP: the pop time). */
  deliveryTimestampMs?: number;
}

function hostText(host: { address: string; port: number }): string {
  return host.address.includes(':') ? `[${host.address}]:${host.port}` : `${host.address}:${host.port}`;
}

/** A stored message as a gRPC Message with every system property a 5.x client reads. */
export function toGrpcMessage(record: StoredRecord, read: ReadContext = {}): Message {
  const properties = record.properties;
  let body = record.body;
  if ((record.sysFlag & SysFlag.COMPRESSED) !== 0) {
    try {
      body = zlib.inflateSync(body);
    } catch {
      // Not zlib after all: delivered as stored; the digest lets the client see it as it is.
    }
  }
  const userProperties: Record<string, string> = {};
  for (const [name, value] of Object.entries(properties)) if (!SYSTEM_PROPERTY_NAMES.has(name)) userProperties[name] = value;

  const system: SystemProperties = {
    keys: properties.KEYS ? properties.KEYS.split(' ').filter(Boolean) : [],
    message_id: properties.UNIQ_KEY ?? '',
    body_digest: { type: 'MD5', checksum: crypto.createHash('md5').update(body).digest('hex').toUpperCase() },
    body_encoding: 'IDENTITY',
    message_type: storedMessageType(properties),
    born_timestamp: timestampOf(record.bornTimestamp),
    born_host: properties.__BORNHOST ?? record.bornHost.address,
    store_timestamp: timestampOf(record.storeTimestamp),
    store_host: hostText(record.storeHost),
    queue_id: record.queueId,
    queue_offset: record.queueOffset,
    delivery_attempt: read.deliveryAttempt ?? record.reconsumeTimes + 1,
  };
  if (properties.TAGS !== undefined) system.tag = properties.TAGS;
  if (properties.__SHARDINGKEY !== undefined) system.message_group = properties.__SHARDINGKEY;
  if (properties.TRACE_CONTEXT !== undefined) system.trace_context = properties.TRACE_CONTEXT;
  const deliverMs = properties.TIMER_DELIVER_MS !== undefined ? Number(properties.TIMER_DELIVER_MS) : read.deliveryTimestampMs;
  if (deliverMs !== undefined && Number.isFinite(deliverMs)) system.delivery_timestamp = timestampOf(deliverMs);
  if (read.receiptHandle !== undefined) system.receipt_handle = read.receiptHandle;
  if (read.invisibleDurationMs !== undefined) system.invisible_duration = durationOf(read.invisibleDurationMs);
  if (properties.DLQ_ORIGIN_TOPIC && properties.DLQ_ORIGIN_MESSAGE_ID) system.dead_letter_queue = { topic: properties.DLQ_ORIGIN_TOPIC, message_id: properties.DLQ_ORIGIN_MESSAGE_ID };
  if (!system.message_id) system.message_id = createOffsetMsgIdText(record.storeHost, record.commitLogOffset);

  const topic = read.topic ?? properties.REAL_TOPIC ?? properties.RETRY_TOPIC ?? record.topic;
  return { topic: { resource_namespace: '', name: topic }, user_properties: userProperties, system_properties: system, body };
}
