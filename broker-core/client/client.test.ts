/** Client pieces that need no broker: allocation, record decoding (real Java frames), ids, batches, checks. */
import { describe, expect, it } from 'vitest';
import { decodeBatchBody } from '../broker/message/message-util';
import { decodeFrame } from '../protocol/remoting-command';
import { loadFixture } from '../testing/fixtures';
import { allocateAveragely } from './allocate';
import type { TopicRouteData } from './admin-client';
import type { MessageQueue } from './client-instance';
import { decodeMessages, encodeBatchBody, validateMessage } from './message';
import { MessageIdGenerator, nearlyTimeOf } from './message-id';
import { publishQueues } from './producer';

const queues = (n: number, brokers = ['broker-a']): MessageQueue[] =>
  brokers.flatMap((brokerName) => Array.from({ length: n }, (_, queueId) => ({ topic: 'T', brokerName, queueId })));

describe('allocateAveragely', () => {
  const ids = (mqs: MessageQueue[]) => mqs.map((q) => `${q.brokerName}/${q.queueId}`);

  it('gives contiguous runs, the first n % c clients one extra queue', () => {
    const all = queues(8);
    expect(['c1', 'c2', 'c3'].map((cid) => allocateAveragely(all, ['c3', 'c1', 'c2'], cid).map((q) => q.queueId))).toEqual([[0, 1, 2], [3, 4, 5], [6, 7]]);
    expect(['a', 'b'].map((cid) => allocateAveragely(all, ['b', 'a'], cid).map((q) => q.queueId))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  it('leaves clients beyond the queue count empty and ignores unknown clients', () => {
    const all = queues(2);
    expect(['a', 'b', 'c'].map((cid) => allocateAveragely(all, ['a', 'b', 'c'], cid).map((q) => q.queueId))).toEqual([[0], [1], []]);
    expect(allocateAveragely(all, ['a'], 'z')).toEqual([]);
  });

  it('sorts queues by broker then id, so every client computes the same split', () => {
    const mixed = [...queues(2, ['broker-b']), ...queues(2, ['broker-a'])].reverse();
    expect(ids(allocateAveragely(mixed, ['x', 'y'], 'x'))).toEqual(['broker-a/0', 'broker-a/1']);
    expect(ids(allocateAveragely(mixed, ['x', 'y'], 'y'))).toEqual(['broker-b/0', 'broker-b/1']);
  });
});

describe('decodeMessages', () => {
  it('decodes the records of a pull response captured from the Java 4.9.4 broker', () => {
    const response = decodeFrame(loadFixture('a-quickstart.018.11-pull-message.response.hex'));
    const messages = decodeMessages(response.body!);
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) {
      expect(m.topic).toBe('TopicTest');
      expect(m.tags).toBe('TagA');
      expect(m.body.toString()).toMatch(/^Hello RocketMQ \d+$/);
      expect(m.msgId).toMatch(/^[0-9A-F]{32}$|^[0-9A-F]{56}$/); // the capturing client had an IPv6 address
      expect(m.offsetMsgId).toMatch(/^7F000001[0-9A-F]{24}$/);
      expect(m.storeHost.address).toBe('127.0.0.1');
    }
    const offsets = messages.map((m) => m.queueOffset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it('stops at a truncated record instead of throwing', () => {
    const body = decodeFrame(loadFixture('a-quickstart.018.11-pull-message.response.hex')).body!;
    const whole = decodeMessages(body).length;
    expect(decodeMessages(body.subarray(0, body.length - 3))).toHaveLength(whole - 1);
    expect(decodeMessages(Buffer.alloc(0))).toEqual([]);
  });
});

describe('message ids', () => {
  it('makes 32-hex UNIQ_KEYs led by the client IP, unique, with a readable time', () => {
    const generator = new MessageIdGenerator('10.1.2.3');
    const now = Date.now();
    const ids = Array.from({ length: 1000 }, () => generator.next(now));
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^0A010203[0-9A-F]{24}$/);
    expect(nearlyTimeOf(ids[0]!, now)).toBe(now);
    expect(nearlyTimeOf('xyz')).toBeNull();
  });

  it('reads the time of a UNIQ_KEY made by the Java client', () => {
    const request = decodeFrame(loadFixture('a-quickstart.003.310-send-message-v2.request.hex'));
    const uniq = /UNIQ_KEY\u0001([0-9A-F]+)/.exec(request.extFields!.i!)![1]!;
    expect(uniq).toHaveLength(56); // IPv6 client: 16 address bytes
    const born = Number(request.extFields!.g);
    expect(Math.abs(nearlyTimeOf(uniq, born)! - born)).toBeLessThan(1_000);
  });
});

describe('batch body and checks', () => {
  it('encodes a batch the broker splits back into the same messages', () => {
    const body = encodeBatchBody([
      { flag: 0, body: Buffer.from('one'), properties: { UNIQ_KEY: 'A', TAGS: 't' } },
      { flag: 7, body: Buffer.from('two'), properties: { KEYS: 'k1 k2' } },
    ]);
    const split = decodeBatchBody(body);
    expect(split.map((m) => [m.flag, m.body.toString(), m.properties])).toEqual([
      [0, 'one', 'UNIQ_KEY\u0001A\u0002TAGS\u0001t\u0002'],
      [7, 'two', 'KEYS\u0001k1 k2\u0002'],
    ]);
  });

  it('refuses what RocketMQ refuses before sending', () => {
    expect(() => validateMessage({ topic: '', body: 'x' })).toThrow(/blank/);
    expect(() => validateMessage({ topic: 'a'.repeat(128), body: 'x' })).toThrow(/max length/);
    expect(() => validateMessage({ topic: 'T', body: Buffer.alloc(11) }, 10)).toThrow(/over max/);
    expect(() => validateMessage({ topic: 'T', body: 'x', properties: { a: 'b\u0002c' } })).toThrow(/separator/);
    expect(() => validateMessage({ topic: 'T', body: 'x', delayLevel: -1 })).toThrow(/delay level/);
  });

  it('lists writable queues of masters only, clamped for the TBW102 fallback, honouring orderTopicConf', () => {
    const route: TopicRouteData = {
      queueDatas: [
        { brokerName: 'b', readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 },
        { brokerName: 'a', readQueueNums: 2, writeQueueNums: 2, perm: 4, topicSysFlag: 0 },
        { brokerName: 'c', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
      ],
      brokerDatas: [
        { cluster: 'C', brokerName: 'a', brokerAddrs: { '0': 'x:1' } },
        { cluster: 'C', brokerName: 'b', brokerAddrs: { '0': 'x:2' } },
        { cluster: 'C', brokerName: 'c', brokerAddrs: { '1': 'x:3' } },
      ],
    };
    expect(publishQueues('T', route).map((q) => `${q.brokerName}${q.queueId}`)).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7']);
    expect(publishQueues('T', route, 4)).toHaveLength(4);
    expect(publishQueues('T', { ...route, orderTopicConf: 'a:1;b:2' }).map((q) => `${q.brokerName}${q.queueId}`)).toEqual(['a0', 'b0', 'b1']);
  });
});
