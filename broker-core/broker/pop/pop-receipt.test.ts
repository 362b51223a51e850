/** Receipt handles and offset infos in RocketMQ 5.x's text forms (ExtraInfoUtil, ReceiptHandle), and the batch-ack body. */
import { describe, expect, it } from 'vitest';
import { decodeBatchAckBody } from '../../protocol/bodies/batch-ack-body';
import { buildReceiptHandle, msgOffsetInfoEntry, orderCountInfoEntry, parseOffsetInfo, parseReceiptHandle, popRetryTopic, realTopicOf, retryFlagOf, startOffsetInfoEntry } from './pop-receipt';

describe('receipt handles', () => {
  it('round-trips the 7-, 8- and 9-field forms', () => {
    const base = { ckQueueOffset: 10, popTime: 1_700_000_000_000, invisibleTime: 60_000, reviveQid: 3, retryFlag: '0', brokerName: 'broker-a', queueId: 2 };
    expect(buildReceiptHandle(base)).toBe('10 1700000000000 60000 3 0 broker-a 2');
    expect(buildReceiptHandle({ ...base, queueOffset: 12 })).toBe('10 1700000000000 60000 3 0 broker-a 2 12');
    expect(buildReceiptHandle({ ...base, queueOffset: 12, commitLogOffset: 4096 })).toBe('10 1700000000000 60000 3 0 broker-a 2 12 4096');
    for (const text of ['10 1700000000000 60000 3 0 broker-a 2', '10 1700000000000 60000 3 0 broker-a 2 12', '10 1700000000000 60000 3 0 broker-a 2 12 4096']) {
      expect(buildReceiptHandle(parseReceiptHandle(text)!)).toBe(text);
    }
  });

  it('refuses what is not a handle', () => {
    for (const bad of ['', 'x', '1 2 3 4 0 b', '1 2 3 4 7 b 0 0', 'a 2 3 4 0 b 0', '1 2 3 4 0 b -1', '1 2 3 4 0 b 0 1 2 3', '1 2 3 4 0  0', `${'9'.repeat(30)} 2 3 4 0 b 0`]) {
      expect(parseReceiptHandle(bad)).toBeNull();
    }
    expect(parseReceiptHandle('1 '.repeat(600))).toBeNull();
  });

  it('names the POP retry topic as RocketMQ does and maps flags back', () => {
    expect(popRetryTopic('Orders', 'CG')).toBe('%RETRY%CG_Orders');
    expect(retryFlagOf('Orders')).toBe('0');
    expect(retryFlagOf('%RETRY%CG_Orders')).toBe('1');
    expect(retryFlagOf('%RETRY%CG+Orders')).toBe('2');
    expect(realTopicOf('Orders', 'CG', '1')).toBe('%RETRY%CG_Orders');
    expect(realTopicOf('Orders', 'CG', '2')).toBe('%RETRY%CG+Orders');
    expect(realTopicOf('%RETRY%CG_Orders', 'CG', '1')).toBe('%RETRY%CG_Orders');
  });

  it('writes and reads the response offset infos', () => {
    const start = [startOffsetInfoEntry('T', 0, 5), startOffsetInfoEntry('%RETRY%G_T', 0, 1)].join(';');
    expect(start).toBe('0 0 5;1 0 1');
    expect(parseOffsetInfo(start)).toEqual(new Map([['0@0', '5'], ['1@0', '1']]));
    expect(msgOffsetInfoEntry('T', 3, [5, 6, 9])).toBe('0 3 5,6,9');
    expect(orderCountInfoEntry('T', 3, 7, 2)).toBe('0 qo3%7 2');
    expect(parseOffsetInfo(orderCountInfoEntry('T', 3, 7, 2))).toEqual(new Map([['0@qo3%7', '2']]));
    expect(() => parseOffsetInfo('0 1')).toThrow(RangeError);
  });
});

describe('batch ack body', () => {
  it('reads java.util.BitSet bytes (little-endian bits) under short and long names', () => {
    // BitSet {1, 3, 9} → toByteArray() = [0x0a, 0x02]
    const body = Buffer.from(JSON.stringify({ brokerName: 'broker-a', acks: [
      { c: 'CG', t: 'T', r: '0', so: 100, q: 1, rq: 0, pt: 5, it: 60000, b: Buffer.from([0x0a, 0x02]).toString('base64') },
      { consumerGroup: 'CG', topic: 'T', retry: '1', startOffset: 7, queueId: 0, popTime: 6, bitSet: Buffer.from([0x01]).toString('base64') },
    ] }));
    expect(decodeBatchAckBody(body)).toEqual([
      { group: 'CG', topic: 'T', retry: '0', startOffset: 100, queueId: 1, popTime: 5, offsets: [101, 103, 109] },
      { group: 'CG', topic: 'T', retry: '1', startOffset: 7, queueId: 0, popTime: 6, offsets: [7] },
    ]);
  });

  it('refuses malformed bodies with a coded error', () => {
    for (const bad of ['{', '{"acks":[1]}', '{"acks":[{"c":"G"}]}', '{"acks":[{"c":"G","t":"T","so":"x","q":0,"pt":1}]}']) {
      expect(() => decodeBatchAckBody(Buffer.from(bad))).toThrow(expect.objectContaining({ code: 'BROKER_ERR_INVALID_ARGUMENT' }));
    }
    expect(decodeBatchAckBody(Buffer.from('{}'))).toEqual([]);
  });
});
