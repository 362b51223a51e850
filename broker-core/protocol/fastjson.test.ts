/** Goal: read fastjson's non-standard bodies from real captures, and write the forms Java and ali-ons parse. */
import { describe, expect, it } from 'vitest';
import { readFixture } from '../testing/fixtures';
import { decodeFrame } from './remoting-command';
import { objectKey, parseJavaJson, stringifyJavaJson } from './fastjson';

const bodyOf = (name: string) => decodeFrame(readFixture(name).frame).body!.toString('utf8');

describe('parseJavaJson', () => {
  it('reads GET_BROKER_CLUSTER_INFO with bare integer keys', () => {
    const text = bodyOf('c-mqadmin.017.106-get-broker-cluster-info.response.hex');
    expect(() => JSON.parse(text)).toThrow();
    const parsed = parseJavaJson(text) as { brokerAddrTable: Record<string, { brokerAddrs: Record<string, string> }>; clusterAddrTable: Record<string, string[]> };
    expect(parsed.brokerAddrTable['broker-a']!.brokerAddrs['0']).toBe('127.0.0.1:20911');
    expect(parsed.clusterAddrTable.DefaultCluster).toEqual(['broker-a']);
  });

  it('reads GET_CONSUME_STATS with objects as map keys', () => {
    const text = bodyOf('c-mqadmin.024.208-get-consume-stats.response.hex');
    const parsed = parseJavaJson(text) as { offsetTable: Record<string, { brokerOffset: number; consumerOffset: number }> };
    const keys = Object.keys(parsed.offsetTable);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const queue = JSON.parse(key) as { brokerName: string; queueId: number; topic: string };
      expect(Object.keys(queue)).toEqual(['brokerName', 'queueId', 'topic']);
      expect(queue.brokerName).toBe('broker-a');
      expect(parsed.offsetTable[key]!.brokerOffset).toBeGreaterThanOrEqual(parsed.offsetTable[key]!.consumerOffset);
    }
  });

  it('reads GET_TOPIC_STATS_INFO and the reset-offset body', () => {
    const stats = parseJavaJson(bodyOf('c-mqadmin.023.202-get-topic-stats-info.response.hex')) as { offsetTable: Record<string, { maxOffset: number }> };
    expect(Object.keys(stats.offsetTable).map((k) => (JSON.parse(k) as { topic: string }).topic)).toContain('TopicTest');
    const reset = parseJavaJson(bodyOf('c-mqadmin.044.222-invoke-broker-to-reset-offset.response.hex')) as { offsetTable: Record<string, number> };
    expect(Object.values(reset.offsetTable).every((v) => typeof v === 'number')).toBe(true);
  });

  it('reads standard JSON exactly like JSON.parse', () => {
    const text = '{"a":[1,-2.5,3e2,true,false,null],"b":{"c":"\\u0001x\\n\\"y"},"d":[]}';
    expect(parseJavaJson(text)).toEqual(JSON.parse(text));
  });

  it.each(['{', '{"a":}', '{"a" 1}', '[1,,2]', '"open', '{} x', 'nul', '{"a":1,}'])('rejects %s with a coded error', (text) => {
    expect(() => parseJavaJson(text)).toThrow(expect.objectContaining({ code: 'BROKER_ERR_DECODE' }));
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(() => parseJavaJson('['.repeat(100_000))).toThrow(expect.objectContaining({ code: 'BROKER_ERR_DECODE' }));
  });
});

describe('stringifyJavaJson', () => {
  it('writes Map object keys raw, as fastjson does for Map<MessageQueue, X>', () => {
    const table = new Map([[objectKey({ topic: 'T', queueId: 0, brokerName: 'b' }), { brokerOffset: 3 }]]);
    const text = stringifyJavaJson({ offsetTable: table, consumeTps: 0 });
    expect(text).toBe('{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"brokerOffset":3}},"consumeTps":0}');
    expect(parseJavaJson(text)).toEqual({ offsetTable: { '{"brokerName":"b","queueId":0,"topic":"T"}': { brokerOffset: 3 } }, consumeTps: 0 });
  });

  it('writes numeric Map keys bare only when asked', () => {
    const addrs = new Map([['0', '127.0.0.1:10911']]);
    expect(stringifyJavaJson({ brokerAddrs: addrs }, { numericKeysUnquoted: true })).toBe('{"brokerAddrs":{0:"127.0.0.1:10911"}}');
    expect(stringifyJavaJson({ brokerAddrs: addrs })).toBe('{"brokerAddrs":{"0":"127.0.0.1:10911"}}');
  });

  it('matches JSON.stringify for plain values', () => {
    const value = { a: [1, 'x', null, { b: true }], c: '\u0001', d: undefined };
    expect(stringifyJavaJson(value)).toBe(JSON.stringify(value));
  });
});
