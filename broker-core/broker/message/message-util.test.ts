import { describe, expect, it } from 'vitest';
import { prepareRecord, writeRecord } from '../../store/record';
import { createOffsetMsgIdText, decodeBatchBody, decodeOffsetMsgIdText, decodePropertiesString, encodePropertiesString, readRecordPropertiesString, readStoredRecord } from './message-util';

describe('message helpers', () => {
  it('round-trips properties and tolerates a trailing separator', () => {
    const text = encodePropertiesString({ TAGS: 'TagA', KEYS: 'k1 k2' });
    expect(decodePropertiesString(text)).toEqual({ TAGS: 'TagA', KEYS: 'k1 k2' });
    expect(decodePropertiesString('TAGS\u0001TagA\u0002\u0002')).toEqual({ TAGS: 'TagA' });
  });
  it('skips a piece without a value, as string2messageProperties does', () => {
    expect(decodePropertiesString('a\u0001\u0002b\u00011\u0002\u0001x')).toEqual({ b: '1' });
  });
  it('reads the properties of a stored record without decoding the rest (IPv4 and IPv6 hosts, long topics)', () => {
    for (const [address, topic] of [['127.0.0.1', 'T'], ['::1', 'T'], ['127.0.0.1', 'L'.repeat(200)]] as const) {
      const prepared = prepareRecord({
        topic, queueId: 0, flag: 0, sysFlag: 0, body: Buffer.from('body'), propertiesString: 'a\u00011\u0002TAGS\u0001x',
        bornTimestamp: 1, bornHost: { address, port: 1 }, storeHost: { address, port: 2 }, reconsumeTimes: 0, preparedTransactionOffset: 0,
      });
      const record = Buffer.alloc(prepared.length);
      writeRecord(record, 0, prepared, 0, 0, 2);
      expect(readRecordPropertiesString(record)).toBe(readStoredRecord(record).propertiesString);
      expect(readRecordPropertiesString(record)).toBe('a\u00011\u0002TAGS\u0001x');
    }
  });
  it('makes 32-hex offsetMsgIds and decodes them', () => {
    const id = createOffsetMsgIdText({ address: '127.0.0.1', port: 10911 }, 4096);
    expect(id).toBe('7F00000100002A9F0000000000001000');
    expect(decodeOffsetMsgIdText(id)).toEqual({ host: { address: '127.0.0.1', port: 10911 }, commitLogOffset: 4096 });
    expect(decodeOffsetMsgIdText('xyz')).toBeNull();
  });
  it('splits batch bodies and rejects truncated ones', () => {
    const one = (body: string, props: string) => {
      const b = Buffer.from(body);
      const p = Buffer.from(props);
      const buf = Buffer.alloc(20 + b.length + 2 + p.length);
      buf.writeInt32BE(buf.length, 0);
      buf.writeInt32BE(0, 12);
      buf.writeInt32BE(b.length, 16);
      b.copy(buf, 20);
      buf.writeInt16BE(p.length, 20 + b.length);
      p.copy(buf, 22 + b.length);
      return buf;
    };
    const batch = Buffer.concat([one('a', 'TAGS\u0001x'), one('bb', '')]);
    expect(decodeBatchBody(batch).map((m) => m.body.toString())).toEqual(['a', 'bb']);
    expect(() => decodeBatchBody(batch.subarray(0, batch.length - 1))).toThrow(RangeError);
  });
});
