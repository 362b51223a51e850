import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { StoredRecord } from '../broker/message/message-util';
import type { Message } from './grpc-types';
import { toGrpcMessage, toMessageToSend } from './message-converter';
import { decodeTransactionId, encodeTransactionId, peerAddress } from './messaging-service';
import { GrpcStatusError } from './status';

const NOW = 1_760_000_000_000;
const MAX_BODY = 1024;

function grpcMessage(system: Record<string, unknown> = {}, extra: Partial<Message> = {}): Message {
  return {
    topic: { resource_namespace: '', name: 'Orders' },
    user_properties: {},
    body: Buffer.from('hello'),
    system_properties: { keys: [], message_id: 'ID1', body_digest: null, body_encoding: 'IDENTITY', message_type: 'NORMAL', born_timestamp: { seconds: 1_700_000_000, nanos: 123_000_000 }, born_host: 'h', store_host: '', queue_id: 0, ...system },
    ...extra,
  } as Message;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof GrpcStatusError) return err.status;
    throw err;
  }
  throw new Error('not refused');
}

describe('toMessageToSend: a 5.x message as a remoting producer would store it', () => {
  it('maps tag, keys, id, group, delivery time, trace context, user properties and the producer group', () => {
    const sent = toMessageToSend(grpcMessage({ tag: 'TagA', keys: ['k1', 'k2'], message_group: 'g1', message_type: 'FIFO', trace_context: 'tc' }, { user_properties: { color: 'red' } }), MAX_BODY, NOW);
    expect(sent.properties).toEqual({ color: 'red', TAGS: 'TagA', KEYS: 'k1 k2', UNIQ_KEY: 'ID1', __SHARDINGKEY: 'g1', TRACE_CONTEXT: 'tc', PGROUP: 'Orders' });
    expect(sent.bornTimestamp).toBe(1_700_000_000_123);
    expect(sent.messageType).toBe('FIFO');
    expect(sent.sysFlag).toBe(0);
    const delayed = toMessageToSend(grpcMessage({ message_type: 'DELAY', delivery_timestamp: { seconds: (NOW + 3_500) / 1000, nanos: 0 } }), MAX_BODY, NOW);
    expect(delayed.properties.TIMER_DELIVER_MS).toBe(String(NOW + 3_500));
  });

  it('marks a transaction half message (sysFlag and TRAN_MSG) with its check immunity', () => {
    const sent = toMessageToSend(grpcMessage({ message_type: 'TRANSACTION', orphaned_transaction_recovery_duration: { seconds: 30, nanos: 0 } }), MAX_BODY, NOW);
    expect(sent.sysFlag & 0x4).toBe(0x4);
    expect(sent.properties).toMatchObject({ TRAN_MSG: 'true', CHECK_IMMUNITY_TIME_IN_SECONDS: '30' });
  });

  it('gunzips a GZIP body and bounds it by the unzipped size', () => {
    const sent = toMessageToSend(grpcMessage({ body_encoding: 'GZIP' }, { body: zlib.gzipSync(Buffer.from('zipped')) }), MAX_BODY, NOW);
    expect(sent.body.toString()).toBe('zipped');
    expect(refusal(() => toMessageToSend(grpcMessage({ body_encoding: 'GZIP' }, { body: zlib.gzipSync(Buffer.alloc(MAX_BODY + 1)) }), MAX_BODY, NOW))).toBe('MESSAGE_BODY_TOO_LARGE');
    expect(refusal(() => toMessageToSend(grpcMessage({ body_encoding: 'GZIP' }, { body: Buffer.from('not gzip') }), MAX_BODY, NOW))).toBe('MESSAGE_CORRUPTED');
  });

  it('refuses what RocketMQ would not store, each with its own code', () => {
    expect(refusal(() => toMessageToSend(grpcMessage({}, { body: Buffer.alloc(MAX_BODY + 1) }), MAX_BODY, NOW))).toBe('MESSAGE_BODY_TOO_LARGE');
    expect(refusal(() => toMessageToSend(grpcMessage({}, { user_properties: { TAGS: 'x' } }), MAX_BODY, NOW))).toBe('ILLEGAL_MESSAGE_PROPERTY_KEY');
    expect(refusal(() => toMessageToSend(grpcMessage({}, { user_properties: { 'a\u0001b': 'x' } }), MAX_BODY, NOW))).toBe('ILLEGAL_MESSAGE_PROPERTY_KEY');
    expect(refusal(() => toMessageToSend(grpcMessage({ message_id: '' }), MAX_BODY, NOW))).toBe('ILLEGAL_MESSAGE_ID');
    expect(refusal(() => toMessageToSend(grpcMessage({ tag: 'a|b' }), MAX_BODY, NOW))).toBe('ILLEGAL_MESSAGE_TAG');
    expect(refusal(() => toMessageToSend(grpcMessage({ keys: [' '] }), MAX_BODY, NOW))).toBe('ILLEGAL_MESSAGE_KEY');
    expect(refusal(() => toMessageToSend(grpcMessage({ message_group: 'g'.repeat(65) }), MAX_BODY, NOW))).toBe('ILLEGAL_MESSAGE_GROUP');
    expect(refusal(() => toMessageToSend(grpcMessage({ delivery_timestamp: { seconds: NOW / 1000 + 4 * 86_400, nanos: 0 } }), MAX_BODY, NOW))).toBe('ILLEGAL_DELIVERY_TIME');
  });
});

function record(properties: Record<string, string>, body: Buffer, extra: Partial<StoredRecord> = {}): StoredRecord {
  return {
    storeSize: 0, queueId: 2, flag: 0, queueOffset: 41, commitLogOffset: 9_000, sysFlag: 0, bornTimestamp: 1_700_000_000_000,
    bornHost: { address: '10.0.0.7', port: 5555 }, storeTimestamp: 1_700_000_000_500, storeHost: { address: '127.0.0.1', port: 10911 },
    reconsumeTimes: 0, preparedTransactionOffset: 0, body, topic: 'Orders', properties, propertiesString: '', ...extra,
  };
}

describe('toGrpcMessage: a stored message as a 5.x client reads it', () => {
  it('fills every system property the Node.js client reads, body_digest included', () => {
    const body = Buffer.from('payload');
    const message = toGrpcMessage(record({ TAGS: 'TagA', KEYS: 'k1 k2', UNIQ_KEY: 'U1', color: 'red', CLUSTER: 'c', WAIT: 'true' }, body, { reconsumeTimes: 2 }), { receiptHandle: 'rh', invisibleDurationMs: 15_000 });
    expect(message.topic).toEqual({ resource_namespace: '', name: 'Orders' });
    expect(message.user_properties).toEqual({ color: 'red' });
    expect(message.system_properties).toMatchObject({
      tag: 'TagA', keys: ['k1', 'k2'], message_id: 'U1', message_type: 'NORMAL', body_encoding: 'IDENTITY',
      body_digest: { type: 'MD5', checksum: crypto.createHash('md5').update(body).digest('hex').toUpperCase() },
      born_host: '10.0.0.7', store_host: '127.0.0.1:10911', queue_id: 2, queue_offset: 41, delivery_attempt: 3, receipt_handle: 'rh',
      born_timestamp: { seconds: 1_700_000_000, nanos: 0 }, store_timestamp: { seconds: 1_700_000_000, nanos: 500_000_000 },
      invisible_duration: { seconds: 15, nanos: 0 },
    });
  });

  it('inflates a body a 4.x producer compressed, digests the inflated bytes, and says IDENTITY', () => {
    const plain = Buffer.from('z'.repeat(5_000));
    const message = toGrpcMessage(record({ UNIQ_KEY: 'U2' }, zlib.deflateSync(plain), { sysFlag: 0x1 }));
    expect(message.body.equals(plain)).toBe(true);
    expect(message.system_properties!.body_encoding).toBe('IDENTITY');
    expect(message.system_properties!.body_digest!.checksum).toBe(crypto.createHash('md5').update(plain).digest('hex').toUpperCase());
  });

  it('derives the type (transaction, delay, FIFO, normal) and shows a half message under its real topic', () => {
    expect(toGrpcMessage(record({ TRAN_MSG: 'true', REAL_TOPIC: 'Real' }, Buffer.alloc(0), { topic: 'RMQ_SYS_TRANS_HALF_TOPIC' })).topic!.name).toBe('Real');
    expect(toGrpcMessage(record({ TRAN_MSG: 'true' }, Buffer.alloc(0))).system_properties!.message_type).toBe('TRANSACTION');
    expect(toGrpcMessage(record({ TIMER_DELIVER_MS: '1700000009000' }, Buffer.alloc(0))).system_properties).toMatchObject({ message_type: 'DELAY', delivery_timestamp: { seconds: 1_700_000_009, nanos: 0 } });
    expect(toGrpcMessage(record({ __SHARDINGKEY: 'g' }, Buffer.alloc(0))).system_properties).toMatchObject({ message_type: 'FIFO', message_group: 'g' });
    expect(toGrpcMessage(record({}, Buffer.alloc(0))).system_properties!.message_id).toBe('7F00000100002A9F0000000000002328');
  });
});

describe('transaction ids and peers', () => {
  it('round-trips where a half message is, with a broker name of any characters', () => {
    expect(decodeTransactionId(encodeTransactionId('broker:a', 123_456, 7))).toEqual({ brokerName: 'broker:a', commitLogOffset: 123_456, queueOffset: 7 });
    for (const bad of ['', 'x', ':1:2', 'b:-1:2', 'b:1:x', 'b:1.5:2']) expect(decodeTransactionId(bad)).toBeNull();
  });

  it('reads grpc-js peer strings as ip:port', () => {
    expect(peerAddress('ipv4:127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(peerAddress('127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(peerAddress('ipv6:[::1]:5000')).toBe('[::1]:5000');
    expect(peerAddress('::1:5000')).toBe('[::1]:5000');
  });
});
