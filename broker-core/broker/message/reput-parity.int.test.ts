/**
 * Every path that writes a record, replayed against Rocketdeck with the requests that were sent to the Java
 * 4.9.4 broker; each record Rocketdeck stores must equal the one Java stored (__fixtures__, read from the Java
 * broker's commit log): topic, queue, flags, reconsume times, body, size, and the properties string byte for byte
 * (HashMap order, no trailing separator, WAIT dropped from sends and kept on re-puts, DELAY / REAL_TOPIC / TRAN_MSG
 * kept on delivery). Only values that name a place in the store may differ in their digits (ORIGIN_MESSAGE_ID, an
 * op message's body).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJavaJson } from '../../protocol/fastjson';
import { createRequest, type RemotingCommand } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { RemotingClient } from '../../remoting/remoting-client';
import { waitFor } from '../../testing/wait-for';
import { silentLogger } from '../../util/logger';
import { BrokerController } from '../broker-controller';
import { readStoredRecord } from './message-util';

interface JavaRecord {
  topic: string;
  queueId: number;
  storeSize: number;
  flag: number;
  sysFlag: number;
  reconsumeTimes: number;
  body: string;
  propertiesString: string;
}
const JAVA = JSON.parse(fs.readFileSync(new URL('./__fixtures__/reput.java-4.9.4.records.json', import.meta.url), 'utf8')) as { scenario: string; records: JavaRecord[] }[];
const javaRecords = (scenario: string): JavaRecord[] => JAVA.find((s) => s.scenario === scenario)!.records;

const S = '\u0002';
const V = '\u0001';
const props = (entries: [string, string][], trailing = false): string => entries.map(([k, v]) => k + V + v).join(S) + (trailing ? S : '');
const UNIQ = (n: number): string => `FD00000000000000000000000000000266305FFD2B27768E3E52${n.toString(16).padStart(4, '0').toUpperCase()}`;

let dir: string;
let broker: BrokerController;
let client: RemotingClient;
let addr: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-reput-'));
  broker = new BrokerController({
    storePathRootDir: dir, listenPort: 0, fastListenPort: null, brokerIP1: '127.0.0.1', namesrvAddr: [],
    // 18 levels as RocketMQ's table, all 1 s, so retries (level 3) are delivered quickly.
    messageDelayLevel: Array.from({ length: 18 }, () => '1s').join(' '),
    transactionTimeOut: 1_000,
    transactionCheckInterval: 300,
  }, { logger: silentLogger });
  await broker.start();
  addr = `127.0.0.1:${broker.port}`;
  client = new RemotingClient({ logger: silentLogger });
  await invoke(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'ParityProps', defaultTopic: 'TBW102', readQueueNums: 1, writeQueueNums: 1, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false });
});

afterAll(async () => {
  await client?.close();
  await broker?.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function invoke(code: number, ext?: Record<string, string | number | boolean>, body?: Buffer): Promise<RemotingCommand> {
  const response = await client.invoke(addr, createRequest(code, ext, body), 10_000);
  expect(response.code, response.remark).toBe(0);
  return response;
}

const sendFields = (properties: string, extra: Record<string, string | number | boolean> = {}) => ({
  a: 'PG_parity', b: 'ParityProps', c: 'TBW102', d: 4, e: 0, f: 0, g: Date.now(), h: 0, i: properties, j: 0, k: false, m: false, ...extra,
});

/** The records appended while `run` runs (and until `count` of them are there). */
async function recordsOf(count: number, run: () => Promise<void>): Promise<ReturnType<typeof readStoredRecord>[]> {
  const from = broker.store.getMaxPhyOffset();
  await run();
  const records: ReturnType<typeof readStoredRecord>[] = [];
  await waitFor(() => {
    records.length = 0;
    for (let offset = from; offset < broker.store.getMaxPhyOffset(); ) {
      const raw = broker.store.lookMessageByOffset(offset);
      if (!raw) break;
      records.push(readStoredRecord(raw));
      offset += raw.length;
    }
    return records.length >= count;
  }, { timeoutMs: 15_000, message: () => `${records.length} of ${count} records` });
  return records;
}

const POSITION_VALUED = new Set(['ORIGIN_MESSAGE_ID']);

function expectSameRecords(actual: ReturnType<typeof readStoredRecord>[], expected: JavaRecord[]): void {
  const shape = (text: string) => text.split(S).map((pair) => {
    const [key, value] = pair.split(V) as [string, string];
    return POSITION_VALUED.has(key) ? `${key}${V}${value.replace(/^[0-9A-F]{32}$/, '<offsetMsgId>')}` : pair;
  }).join(S);
  // An op message's body is the half message's queue offset (its digits count: it is in storeSize).
  const body = (topic: string, text: string) => (topic === 'RMQ_SYS_TRANS_OP_HALF_TOPIC' ? text.replace(/^\d$/, '<one-digit queue offset>') : text);
  expect(actual.map((r) => ({
    topic: r.topic, queueId: r.queueId, storeSize: r.storeSize, flag: r.flag, sysFlag: r.sysFlag, reconsumeTimes: r.reconsumeTimes,
    body: body(r.topic, r.body.toString()), propertiesString: shape(r.propertiesString),
  }))).toEqual(expected.map((r) => ({ ...r, body: body(r.topic, r.body), propertiesString: shape(r.propertiesString) })));
}

let firstOffset = 0;

describe('the records Rocketdeck writes equal the Java 4.9.4 broker\'s', () => {
  it('send: WAIT dropped, CLUSTER added, HashMap order, no trailing separator', async () => {
    const records = await recordsOf(1, async () => {
      const sent = await invoke(RequestCode.SEND_MESSAGE_V2, sendFields(props([['UNIQ_KEY', UNIQ(1)], ['WAIT', 'true'], ['TAGS', 'TagA']])), Buffer.from('Hello RocketMQ 0'));
      firstOffset = Number(BigInt(`0x${sent.extFields!.msgId!.slice(16)}`));
    });
    expectSameRecords(records, javaRecords('send-java-quickstart'));
  });

  it('send with keys and user properties, with 12 + 2 properties (a 32-bucket map), and ali-ons\' trailing separator', async () => {
    expectSameRecords(await recordsOf(1, async () => {
      await invoke(RequestCode.SEND_MESSAGE_V2, sendFields(props([['a', '7'], ['price', '25.5'], ['KEYS', 'order-1 order-2'], ['UNIQ_KEY', UNIQ(2)], ['WAIT', 'true'], ['TAGS', 'TagB']])), Buffer.from('with user properties'));
    }), javaRecords('send-keys-user-properties'));
    const many: [string, string][] = Array.from({ length: 12 }, (_, i) => [`p${i}`, `v${i}`]);
    expectSameRecords(await recordsOf(1, async () => {
      await invoke(RequestCode.SEND_MESSAGE_V2, sendFields(props([...many, ['UNIQ_KEY', UNIQ(3)], ['WAIT', 'true']])), Buffer.from('many'));
    }), javaRecords('send-many-properties'));
    expectSameRecords(await recordsOf(1, async () => {
      await invoke(RequestCode.SEND_MESSAGE_V2, sendFields(props([['TAGS', 'TagA'], ['KEYS', 'key-1'], ['runId', 'r1']], true)), Buffer.from('ali-ons'));
    }), javaRecords('send-ali-ons-trailing-separator'));
  });

  it('batch: each message\'s own properties, then the request\'s with CLUSTER', async () => {
    const one = (body: string, p: string): Buffer => {
      const b = Buffer.from(body);
      const pp = Buffer.from(p);
      const buf = Buffer.alloc(20 + b.length + 2 + pp.length);
      buf.writeInt32BE(buf.length, 0);
      buf.writeInt32BE(b.length, 16);
      b.copy(buf, 20);
      buf.writeInt16BE(pp.length, 20 + b.length);
      pp.copy(buf, 22 + b.length);
      return buf;
    };
    const body = Buffer.concat([0, 1, 2].map((i) => one(`Hello world ${i}`, props([['KEYS', `OrderID00${i + 1}`], ['UNIQ_KEY', UNIQ(10 + i)], ['WAIT', 'true'], ['TAGS', 'Tag']]))));
    expectSameRecords(await recordsOf(3, async () => {
      await invoke(RequestCode.SEND_BATCH_MESSAGE, sendFields(props([['WAIT', 'true']]), { m: true }), body);
    }), javaRecords('send-batch'));
  });

  it('delay: scheduled, then delivered with DELAY, REAL_TOPIC, REAL_QID and WAIT kept; a level above the table is clamped', async () => {
    expectSameRecords(await recordsOf(2, async () => {
      await invoke(RequestCode.SEND_MESSAGE_V2, sendFields(props([['DELAY', '1'], ['UNIQ_KEY', UNIQ(20)], ['WAIT', 'true'], ['TAGS', 'TagD']])), Buffer.from('delayed'));
    }), javaRecords('delay-level-1'));
    // Java's level 18 is 2 h; here 1 s: its delivery follows, with the same properties.
    const clamped = await recordsOf(2, async () => {
      await invoke(RequestCode.SEND_MESSAGE_V2, sendFields(props([['KEYS', 'k'], ['DELAY', '99'], ['UNIQ_KEY', UNIQ(21)], ['WAIT', 'false'], ['TAGS', 'TagD']])), Buffer.from('delayed max'));
    });
    const [scheduled] = javaRecords('delay-level-above-max');
    expectSameRecords(clamped, [scheduled!, { ...scheduled!, topic: 'ParityProps', queueId: 0, storeSize: scheduled!.storeSize - 'SCHEDULE_TOPIC_XXXX'.length + 'ParityProps'.length }]);
  });

  it('transactions: half message, commit (TRAN_MSG, REAL_TOPIC, WAIT kept), op message; rollback', async () => {
    const halfFields = (n: number, extra: [string, string][] = []) => sendFields(props([['TRAN_MSG', 'true'], ['PGROUP', 'PG_parity'], ...extra, ['UNIQ_KEY', UNIQ(n)], ['WAIT', 'true'], ['TAGS', 'TagT']]), { f: 4 });
    const end = async (half: RemotingCommand, n: number, commitOrRollback: number) => {
      await client.invokeOneway(addr, createRequest(RequestCode.END_TRANSACTION, {
        producerGroup: 'PG_parity', tranStateTableOffset: half.extFields!.queueOffset!, commitLogOffset: Number(BigInt(`0x${half.extFields!.msgId!.slice(16)}`)),
        commitOrRollback, fromTransactionCheck: false, msgId: UNIQ(n), transactionId: UNIQ(n),
      }));
    };
    expectSameRecords(await recordsOf(3, async () => {
      await end(await invoke(RequestCode.SEND_MESSAGE_V2, halfFields(30, [['KEYS', 'tx-1']]), Buffer.from('tx commit')), 30, 8);
    }), javaRecords('transaction-commit'));
    expectSameRecords(await recordsOf(2, async () => {
      await end(await invoke(RequestCode.SEND_MESSAGE_V2, halfFields(31), Buffer.from('tx rollback')), 31, 12);
    }), javaRecords('transaction-rollback'));
  });

  it('a checked transaction: re-put with TRANSACTION_CHECK_TIMES, then committed with it', async () => {
    const producer = new RemotingClient({ logger: silentLogger });
    producer.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (request) => {
      const h = request.extFields!;
      void producer.invokeOneway(addr, createRequest(RequestCode.END_TRANSACTION, {
        producerGroup: 'PG_parity', tranStateTableOffset: h.tranStateTableOffset!, commitLogOffset: h.commitLogOffset!, commitOrRollback: 8, fromTransactionCheck: true, msgId: h.msgId!, transactionId: h.transactionId ?? h.msgId!,
      }));
      return null;
    });
    try {
      const records = await recordsOf(4, async () => {
        const heartbeat = Buffer.from(stringifyJavaJson({ clientID: '127.0.0.1@parity', producerDataSet: [{ groupName: 'PG_parity' }], consumerDataSet: [] }));
        expect((await producer.invoke(addr, createRequest(RequestCode.HEART_BEAT, undefined, heartbeat), 5_000)).code).toBe(0);
        await producer.invoke(addr, createRequest(RequestCode.SEND_MESSAGE_V2, sendFields(props([['TRAN_MSG', 'true'], ['PGROUP', 'PG_parity'], ['UNIQ_KEY', UNIQ(32)], ['WAIT', 'true'], ['TAGS', 'TagT']]), { f: 4 }), Buffer.from('tx checked')), 5_000);
      });
      expectSameRecords(records, javaRecords('transaction-checked-then-commit'));
    } finally {
      await producer.close();
    }
  });

  it('send back: retried through the schedule topic (RETRY_TOPIC, WAIT=false, DELAY, ORIGIN_MESSAGE_ID), dead-lettered', async () => {
    expectSameRecords(await recordsOf(2, async () => {
      await invoke(RequestCode.CONSUMER_SEND_MSG_BACK, { offset: firstOffset, group: 'CG_parity', delayLevel: 0, originMsgId: UNIQ(1), originTopic: 'ParityProps', unitMode: false, maxReconsumeTimes: 16 });
    }), javaRecords('retry-send-back'));
    expectSameRecords(await recordsOf(1, async () => {
      await invoke(RequestCode.CONSUMER_SEND_MSG_BACK, { offset: firstOffset, group: 'CG_parity_dlq', delayLevel: 0, originMsgId: UNIQ(1), originTopic: 'ParityProps', unitMode: false, maxReconsumeTimes: 0 });
    }), javaRecords('dlq-send-back'));
  });
});
