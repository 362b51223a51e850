import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readStoredRecord } from '../broker/message/message-util';
import { DefaultMessageStore, type DefaultMessageStoreOptions } from './default-message-store';
import type { MessageToStore } from './message-store';
import { BLANK_MAGIC, MAGIC_V1, javaStringHashCode } from './record';

const dirs: string[] = [];
const open: DefaultMessageStore[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-store-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const store of open.splice(0)) await store.shutdown().catch(() => {});
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Tiny files so that rolling and padding happen after a handful of records. */
async function openStore(dir: string, extra: Partial<DefaultMessageStoreOptions> = {}): Promise<DefaultMessageStore> {
  const store = new DefaultMessageStore({
    storePathRootDir: dir,
    commitLogFileBytes: 4096,
    consumeQueueEntriesPerFile: 8,
    indexHashSlotNum: 64,
    indexNum: 50,
    ...extra,
  });
  await store.start();
  open.push(store);
  return store;
}

async function reopen(store: DefaultMessageStore, dir: string, extra: Partial<DefaultMessageStoreOptions> = {}): Promise<DefaultMessageStore> {
  await store.shutdown();
  open.splice(open.indexOf(store), 1);
  return openStore(dir, extra);
}

function message(topic: string, queueId: number, body: string, props: Record<string, string> = {}): MessageToStore {
  return {
    topic,
    queueId,
    flag: 0,
    sysFlag: 0,
    body: Buffer.from(body),
    propertiesString: Object.entries(props).map(([k, v]) => `${k}\u0001${v}\u0002`).join(''),
    bornTimestamp: 1_700_000_000_000,
    bornHost: { address: '10.1.2.3', port: 50000 },
    storeHost: { address: '127.0.0.1', port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  };
}

function bodies(store: DefaultMessageStore, topic: string, queueId: number, from = 0, max = 1000): string[] {
  const out: string[] = [];
  let offset = from;
  for (;;) {
    const r = store.getMessage('g', topic, queueId, offset, 32, undefined, 1 << 30);
    if (r.status !== 'FOUND') break;
    for (const m of r.messages) out.push(readStoredRecord(m).body.toString());
    offset = r.nextBeginOffset;
    if (out.length >= max) break;
  }
  return out;
}

async function putMany(store: DefaultMessageStore, topic: string, queueId: number, count: number, prefix = 'm', props: (i: number) => Record<string, string> = () => ({})): Promise<void> {
  for (let i = 0; i < count; i++) {
    const r = await store.putMessage(message(topic, queueId, `${prefix}-${i}-${'x'.repeat(100)}`, props(i)));
    expect(r.status).toBe('PUT_OK');
  }
}

describe('DefaultMessageStore', () => {
  it('appends across tiny files with blank padding, returns the exact records, and survives a clean restart', async () => {
    const dir = tempDir();
    let store = await openStore(dir);
    await putMany(store, 'TopicA', 0, 60, 'a', (i) => ({ TAGS: i % 2 ? 'odd' : 'even', KEYS: `k${i}` }));
    await putMany(store, 'TopicA', 1, 10, 'b');

    const files = fs.readdirSync(path.join(dir, 'commitlog')).sort();
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      expect(f).toMatch(/^\d{20}$/);
      expect(Number(f) % 4096).toBe(0);
      expect(fs.statSync(path.join(dir, 'commitlog', f)).size).toBe(4096);
    }
    // Every full file ends with a blank record whose size reaches the file end.
    const first = fs.readFileSync(path.join(dir, 'commitlog', files[0]!));
    let pos = 0;
    while (first.readInt32BE(pos + 4) !== BLANK_MAGIC) {
      expect(first.readInt32BE(pos + 4)).toBe(MAGIC_V1);
      pos += first.readInt32BE(pos);
    }
    expect(pos + first.readInt32BE(pos)).toBe(4096);

    const r = store.getMessage('g', 'TopicA', 0, 5, 3);
    expect(r.status).toBe('FOUND');
    expect(r.queueOffsets).toEqual([5, 6, 7]);
    const rec = readStoredRecord(r.messages[0]!);
    expect(rec.queueOffset).toBe(5);
    expect(rec.topic).toBe('TopicA');
    expect(rec.properties.KEYS).toBe('k5');
    expect(rec.bornHost).toEqual({ address: '10.1.2.3', port: 50000 });
    expect(store.lookMessageByOffset(rec.commitLogOffset)?.equals(r.messages[0]!)).toBe(true);

    expect(bodies(store, 'TopicA', 0)).toHaveLength(60);
    store = await reopen(store, dir);
    expect(store.recoveryReport).toMatch(/normal recovery/);
    const again = bodies(store, 'TopicA', 0);
    expect(again).toHaveLength(60);
    expect(again[59]).toMatch(/^a-59-/);
    expect(bodies(store, 'TopicA', 1)).toHaveLength(10);
    const next = await store.putMessage(message('TopicA', 0, 'after restart'));
    expect(next.appendResult?.queueOffset).toBe(60);
    expect(store.listConsumeQueues().get('TopicA')).toEqual([0, 1]);
  });

  it('answers RocketMQ statuses for offsets, filters and bad messages', async () => {
    const store = await openStore(tempDir(), { maxMessageSizeBytes: 1000 });
    expect(store.getMessage('g', 'Nope', 0, 0, 32).status).toBe('NO_MESSAGE_IN_QUEUE');
    await putMany(store, 'T', 0, 5, 't', (i) => ({ TAGS: i === 3 ? 'TagB' : 'TagA' }));
    expect(store.getMessage('g', 'T', 0, 5, 32)).toMatchObject({ status: 'OFFSET_OVERFLOW_ONE', nextBeginOffset: 5, maxOffset: 5 });
    expect(store.getMessage('g', 'T', 0, 9, 32)).toMatchObject({ status: 'OFFSET_OVERFLOW_BADLY', nextBeginOffset: 0 });
    const tagB = javaStringHashCode('TagB');
    const filtered = store.getMessage('g', 'T', 0, 0, 32, (code) => code === tagB);
    expect(filtered.status).toBe('FOUND');
    expect(filtered.queueOffsets).toEqual([3]);
    expect(filtered.nextBeginOffset).toBe(5);
    expect(store.getMessage('g', 'T', 0, 4, 32, (code) => code === tagB)).toMatchObject({ status: 'NO_MATCHED_MESSAGE', nextBeginOffset: 5 });

    const big = await store.putMessage(message('T', 0, 'x'.repeat(1001)));
    expect(big.status).toBe('MESSAGE_ILLEGAL');
    expect(big.remark).toMatch(/1001 bytes/);
    const props = await store.putMessage(message('T', 0, 'p', { BIG: 'y'.repeat(40_000) }));
    expect(props.status).toBe('PROPERTIES_SIZE_EXCEEDED');
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(5);
  });

  it('stores batches with consecutive queue offsets and comma-joined offset message ids', async () => {
    const store = await openStore(tempDir());
    await putMany(store, 'B', 0, 2);
    const r = await store.putMessages([message('B', 0, 'one'), message('B', 0, 'two'), message('B', 0, 'three')]);
    expect(r.status).toBe('PUT_OK');
    expect(r.appendResult?.queueOffset).toBe(2);
    const ids = r.appendResult!.msgId.split(',');
    expect(ids).toHaveLength(3);
    expect(ids[0]).toMatch(/^7F00000100002A9F[0-9A-F]{16}$/);
    expect(bodies(store, 'B', 0, 2)).toEqual(['one', 'two', 'three']);
  });

  it('encodes IPv6 hosts with the v6 sys flags', async () => {
    const store = await openStore(tempDir());
    const m = message('V6', 0, 'hello');
    m.bornHost = { address: '::1', port: 1234 };
    m.storeHost = { address: 'fe80::1:2', port: 10911 };
    const r = await store.putMessage(m);
    expect(r.appendResult!.msgId).toHaveLength(56);
    const rec = readStoredRecord(store.getMessage('g', 'V6', 0, 0, 1).messages[0]!);
    expect(rec.sysFlag & 0x30).toBe(0x30);
    expect(rec.bornHost.port).toBe(1234);
    expect(rec.storeHost.address).toBe('fe80:0000:0000:0000:0000:0000:0001:0002');
    expect(rec.body.toString()).toBe('hello');
  });

  it('keeps every whole record and drops a torn one after a crash', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await putMany(store, 'C', 0, 30, 'c');
    const last = store.getMessage('g', 'C', 0, 29, 1);
    const lastOffset = readStoredRecord(last.messages[0]!).commitLogOffset;
    store.closeAbruptly();
    open.splice(open.indexOf(store), 1);
    // Tear the last record: keep its first 40 bytes, the rest of the file is unwritten space.
    const file = path.join(dir, 'commitlog', String(lastOffset - (lastOffset % 4096)).padStart(20, '0'));
    const fd = fs.openSync(file, 'r+');
    fs.ftruncateSync(fd, (lastOffset % 4096) + 40);
    fs.ftruncateSync(fd, 4096);
    fs.closeSync(fd);

    const recovered = await openStore(dir);
    expect(recovered.recoveryReport).toMatch(/abnormal recovery/);
    expect(Number(/dropped (\d+) bytes/.exec(recovered.recoveryReport)?.[1])).toBeGreaterThan(30); // non-zero bytes of the 40 kept
    const got = bodies(recovered, 'C', 0);
    expect(got).toHaveLength(29);
    expect(recovered.getMaxOffsetInQueue('C', 0)).toBe(29);
    const put = await recovered.putMessage(message('C', 0, 'replacement'));
    expect(put.appendResult?.queueOffset).toBe(29);
    expect(put.appendResult?.commitLogOffset).toBe(lastOffset);
    expect(bodies(recovered, 'C', 0, 29)).toEqual(['replacement']);
  });

  it('rebuilds a deleted consume queue folder from the commit log', async () => {
    const dir = tempDir();
    let store = await openStore(dir);
    await putMany(store, 'R', 0, 20, 'r', (i) => ({ TAGS: `t${i % 3}` }));
    await putMany(store, 'Other', 2, 5, 'o');
    await store.shutdown();
    open.splice(open.indexOf(store), 1);
    fs.rmSync(path.join(dir, 'consumequeue', 'R'), { recursive: true });
    store = await openStore(dir);
    expect(store.recoveryReport).toMatch(/rebuilding consume queues/);
    expect(bodies(store, 'R', 0)).toHaveLength(20);
    const filtered = store.getMessage('g', 'R', 0, 0, 32, (code) => code === javaStringHashCode('t1'));
    expect(filtered.queueOffsets).toEqual([1, 4, 7, 10, 13, 16, 19]);
    expect(bodies(store, 'Other', 2)).toHaveLength(5);

    // The whole folder.
    await store.shutdown();
    open.splice(open.indexOf(store), 1);
    fs.rmSync(path.join(dir, 'consumequeue'), { recursive: true });
    store = await openStore(dir);
    expect(bodies(store, 'R', 0)).toHaveLength(20);
    expect(bodies(store, 'Other', 2)).toHaveLength(5);
  });

  it('finds messages by key and by UNIQ_KEY, newest first, also after a crash', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await putMany(store, 'K', 0, 80, 'k', (i) => ({ KEYS: `order-${i % 10} all`, UNIQ_KEY: `U${i}` }));
    const hits = store.queryMessage('K', 'order-3', 5, 0, Date.now() + 1000);
    expect(hits.messages.map((m) => readStoredRecord(m).body.toString().split('-')[1])).toEqual(['73', '63', '53', '43', '33']);
    expect(store.queryMessage('K', 'U42', 32, 0, Date.now() + 1000).messages).toHaveLength(1);
    expect(store.queryMessage('Other', 'U42', 32, 0, Date.now() + 1000).messages).toHaveLength(0);
    expect(store.queryMessage('K', 'all', 100, 0, Date.now() + 1000).messages).toHaveLength(80);
    store.closeAbruptly();
    open.splice(open.indexOf(store), 1);
    const recovered = await openStore(dir);
    expect(recovered.queryMessage('K', 'U79', 32, 0, Date.now() + 1000).messages).toHaveLength(1);
    expect(recovered.queryMessage('K', 'all', 100, 0, Date.now() + 1000).messages).toHaveLength(80);
    await putMany(recovered, 'K', 0, 1, 'late', () => ({ KEYS: 'all' }));
    expect(recovered.queryMessage('K', 'all', 100, 0, Date.now() + 1000).messages).toHaveLength(81);
  });

  it('looks up queue offsets by store time', async () => {
    let now = 1_000_000;
    const store = await openStore(tempDir(), { now: () => now });
    for (let i = 0; i < 10; i++) {
      now = 1_000_000 + i * 1000;
      await store.putMessage(message('Time', 0, `t${i}`));
    }
    expect(store.getOffsetInQueueByTime('Time', 0, 1_003_000)).toBe(3);
    expect(store.getOffsetInQueueByTime('Time', 0, 1_003_500)).toBe(4);
    expect(store.getOffsetInQueueByTime('Time', 0, 1_003_500, 'upper')).toBe(3);
    expect(store.getOffsetInQueueByTime('Time', 0, 0)).toBe(0);
    expect(store.getOffsetInQueueByTime('Time', 0, 9_999_999)).toBe(10);
    expect(store.getEarliestMessageTime('Time', 0)).toBe(1_000_000);
    expect(store.getMessageStoreTimeStamp('Time', 0, 7)).toBe(1_007_000);
  });

  it('retention deletes the oldest files; reads below the min answer the next valid offset', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await putMany(store, 'Old', 0, 100, 'o');
    await store.shutdown();
    open.splice(open.indexOf(store), 1);
    const reopened = await openStore(dir);
    const before = fs.readdirSync(path.join(dir, 'commitlog')).length;
    const deleted = reopened.cleanFilesNow({ force: true });
    expect(deleted).toBeGreaterThan(0);
    expect(fs.readdirSync(path.join(dir, 'commitlog')).length).toBe(before - deleted);
    const min = reopened.getMinOffsetInQueue('Old', 0);
    expect(min).toBeGreaterThan(0);
    expect(reopened.getMinPhyOffset()).toBe(deleted * 4096);
    expect(reopened.getMessage('g', 'Old', 0, 0, 32)).toMatchObject({ status: 'OFFSET_TOO_SMALL', nextBeginOffset: min });
    expect(bodies(reopened, 'Old', 0, min)).toHaveLength(100 - min);
    // Survives a restart with the head gone, and consume queue files below the min are gone too.
    const again = await reopen(reopened, dir);
    expect(again.getMinOffsetInQueue('Old', 0)).toBe(min);
    expect(bodies(again, 'Old', 0, min)).toHaveLength(100 - min);
    const cqFiles = fs.readdirSync(path.join(dir, 'consumequeue', 'Old', '0'));
    expect(Number(cqFiles.sort()[0]) / 20).toBeLessThanOrEqual(min);
    expect(Number(cqFiles.sort()[0]) / 20).toBeGreaterThan(0);
  });

  it('SYNC_FLUSH acknowledges concurrent puts after a shared fdatasync', async () => {
    const store = await openStore(tempDir(), { flushDiskType: 'SYNC_FLUSH', commitLogFileBytes: 1024 * 1024 });
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => store.putMessage(message('S', i % 4, `s${i}`))));
    expect(results.every((r) => r.status === 'PUT_OK')).toBe(true);
    expect(store.runtimeInfo().unflushedBytes).toBe(0);
    const waitFalse = await store.putMessage(message('S', 0, 'no wait', { WAIT: 'false' }));
    expect(waitFalse.status).toBe('PUT_OK');
  });

  it('recovers from a garbage checkpoint and reports a flipped body byte without dropping later records', async () => {
    const dir = tempDir();
    const store = await openStore(dir, { commitLogFileBytes: 64 * 1024 });
    await putMany(store, 'G', 0, 20, 'g');
    const victim = readStoredRecord(store.getMessage('g', 'G', 0, 10, 1).messages[0]!);
    await store.shutdown();
    open.splice(open.indexOf(store), 1);
    fs.writeFileSync(path.join(dir, 'checkpoint'), Buffer.from('not a checkpoint at all'));
    const file = path.join(dir, 'commitlog', '0'.repeat(20));
    const bytes = fs.readFileSync(file);
    const bodyAt = victim.commitLogOffset + victim.storeSize - 2 - 1 - 1 - victim.body.length; // props len 0, topic 'G', 1-byte topic length
    bytes[bodyAt] = bytes[bodyAt]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    const recovered = await openStore(dir, { commitLogFileBytes: 64 * 1024 });
    expect(recovered.recoveryReport).toMatch(/no valid checkpoint/);
    expect(recovered.recoveryReport).toMatch(/1 records with a body CRC mismatch kept/);
    expect(bodies(recovered, 'G', 0)).toHaveLength(20);
  });

  it('refuses a store written with another file size instead of misreading it', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await putMany(store, 'Z', 0, 50);
    await store.shutdown();
    open.splice(open.indexOf(store), 1);
    const other = new DefaultMessageStore({ storePathRootDir: dir, commitLogFileBytes: 8192 });
    await expect(other.start()).rejects.toMatchObject({ code: 'BROKER_ERR_STORE_CORRUPT' });
  });
});
