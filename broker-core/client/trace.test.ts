/** Trace records against a trace message body captured from the Java 4.9.4 client (TracePushConsumer example). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeTraceBody, encodeTraceRecord, type TraceRecord } from './trace';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'trace.java-4.9.4.consumer-traces.body.hex');
const body = Buffer.from(fs.readFileSync(FIXTURE, 'utf8').trim(), 'hex').toString('utf8');

describe('trace records', () => {
  it('decodes the Java client\'s SubBefore and SubAfter records field by field', () => {
    const records = decodeTraceBody(body);
    expect(records.map((r) => r.type)).toEqual(['SubBefore', 'SubBefore', 'SubBefore', 'SubAfter', 'SubAfter', 'SubBefore', 'SubAfter', 'SubBefore']);
    expect(records[0]).toEqual({
      type: 'SubBefore', timestamp: 1795585549650, regionId: undefined, groupName: 'ProducerGroupName',
      requestId: 'FD000000000000000000000000000002348A5FFD2B277CD53D510000', msgId: 'FD00000000000000000000000000000234B25FFD2B277CD50A940002', retryTimes: 0, keys: 'OrderID188',
    });
    const after = records.find((r) => r.type === 'SubAfter')!;
    expect(after).toMatchObject({ success: true, costTime: 0, contextCode: 0, groupName: 'ProducerGroupName', keys: 'OrderID188' });
    // Every SubAfter pairs with a SubBefore of the same request.
    const before = new Set(records.filter((r) => r.type === 'SubBefore').map((r) => r.requestId));
    expect(records.filter((r) => r.type === 'SubAfter').every((r) => before.has(r.requestId))).toBe(true);
  });

  it('encodes records in the same layout, byte for byte', () => {
    expect(decodeTraceBody(body).map(encodeTraceRecord).join('')).toBe(body);
    const pub: TraceRecord = { type: 'Pub', timestamp: 1, regionId: 'DefaultRegion', groupName: 'PG', topic: 'T', msgId: 'ID', tags: 'A', keys: 'k', storeHost: '127.0.0.1:10911', bodyLength: 5, costTime: 2, msgType: 0, offsetMsgId: 'OFF', success: true };
    expect(decodeTraceBody(encodeTraceRecord(pub))).toEqual([pub]);
  });

  it('skips records it cannot read instead of failing the whole body', () => {
    expect(decodeTraceBody('Garbage\u0001x\u0002SubAfter\u0001only\u0002' + body.split('\u0002')[0] + '\u0002')).toHaveLength(1);
  });
});
