/**
 * Damaged store files are found on start, repaired where RocketMQ repairs them, and reported in the log:
 *  - a flipped byte in a message body mid-segment: found by the start's CRC pass over the last three files and
 *    reported; the record is kept (RocketMQ would cut the log there and lose every later message);
 *  - a flipped byte in a record header mid-segment: the log is cut at that record, as RocketMQ's recovery cuts
 *    it, consume queues are cut to match, the cut is reported and writing continues consistently;
 *  - a consume queue cut mid-entry or shortened: trimmed and rebuilt from the commit log;
 *  - a garbage or short checkpoint: recovery as after a crash, and a valid checkpoint is written again;
 *  - garbage topics.json / consumerOffset.json: the .bak is loaded (as RocketMQ's ConfigManager does), no
 *    backup starts without that file's settings, and a damaged backup too stops the start naming both files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerController } from '../broker/broker-controller';
import { readStoredRecord } from '../broker/message/message-util';
import { createMemoryLogger } from '../util/logger';
import { DefaultMessageStore } from './default-message-store';
import type { MessageToStore } from './message-store';

const TOPIC = 'CorruptTopic';
const QUEUES = 2;
const MESSAGES = 600;
const dirs: string[] = [];
const running: DefaultMessageStore[] = [];

afterEach(async () => {
  for (const store of running.splice(0)) await store.shutdown().catch(() => undefined);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-corrupt-'));
  dirs.push(dir);
  return dir;
}

async function openStore(dir: string) {
  const logger = createMemoryLogger();
  const store = new DefaultMessageStore({ storePathRootDir: dir, commitLogFileBytes: 64 * 1024, consumeQueueEntriesPerFile: 50, indexHashSlotNum: 64, indexNum: 400, logger });
  await store.start();
  running.push(store);
  return { store, logger };
}

async function close(store: DefaultMessageStore): Promise<void> {
  running.splice(running.indexOf(store), 1);
  await store.shutdown();
}

const bodyOf = (i: number) => Buffer.from(`message-${i}-`.padEnd(300 + (i % 7) * 40, String.fromCharCode(97 + (i % 26))));

function message(i: number): MessageToStore {
  return {
    topic: TOPIC, queueId: i % QUEUES, flag: 0, sysFlag: 0, body: bodyOf(i), propertiesString: `KEYS\u0001k${i}\u0002`,
    bornTimestamp: 1_700_000_000_000 + i, bornHost: { address: '10.0.0.1', port: 4000 }, storeHost: { address: '127.0.0.1', port: 10911 },
    reconsumeTimes: 0, preparedTransactionOffset: 0,
  };
}

/** A store holding MESSAGES messages over several 64 KiB files, cleanly shut down; where each one went. */
async function filledStore(): Promise<{ dir: string; placed: { i: number; queueId: number; queueOffset: number; commitLogOffset: number }[] }> {
  const dir = tempDir();
  const { store } = await openStore(dir);
  const placed = [];
  for (let i = 0; i < MESSAGES; i++) {
    const result = await store.putMessage(message(i));
    expect(result.status).toBe('PUT_OK');
    placed.push({ i, queueId: i % QUEUES, queueOffset: result.appendResult!.queueOffset, commitLogOffset: result.appendResult!.commitLogOffset });
  }
  await close(store);
  return { dir, placed };
}

function commitLogFiles(dir: string): string[] {
  return fs.readdirSync(path.join(dir, 'commitlog')).sort().map((name) => path.join(dir, 'commitlog', name));
}

/** Flips one byte of the file holding `commitLogOffset`, `delta` bytes into the record. */
function flipByte(dir: string, segmentBytes: number, commitLogOffset: number, delta: number): void {
  const file = path.join(dir, 'commitlog', String(commitLogOffset - (commitLogOffset % segmentBytes)).padStart(20, '0'));
  const fd = fs.openSync(file, 'r+');
  const at = (commitLogOffset % segmentBytes) + delta;
  const byte = Buffer.alloc(1);
  fs.readSync(fd, byte, 0, 1, at);
  byte[0] = byte[0]! ^ 0x5a;
  fs.writeSync(fd, byte, 0, 1, at);
  fs.closeSync(fd);
}

function readAt(store: DefaultMessageStore, queueId: number, queueOffset: number) {
  const result = store.getMessage('check', TOPIC, queueId, queueOffset, 1);
  return result.status === 'FOUND' ? readStoredRecord(result.messages[0]!) : null;
}

const joined = (logger: { lines: string[] }) => logger.lines.join('\n');

describe('damaged commit log', () => {
  it('a flipped byte in a body mid-segment is found at start and reported; the record and every other one are kept', async () => {
    const { dir, placed } = await filledStore();
    expect(commitLogFiles(dir).length).toBeGreaterThan(2);
    const victim = placed[Math.floor(MESSAGES * 0.8)]!; // in one of the last three files, mid-file
    flipByte(dir, 64 * 1024, victim.commitLogOffset, 200); // inside the body
    const { store, logger } = await openStore(dir);
    expect(joined(logger)).toMatch(new RegExp(`body CRC mismatch.*"offset":${victim.commitLogOffset}`));
    expect(store.recoveryReport).toMatch(/1 records with a body CRC mismatch found and kept/);
    for (const p of placed) {
      const record = readAt(store, p.queueId, p.queueOffset);
      expect(record?.commitLogOffset).toBe(p.commitLogOffset);
      if (p !== victim) expect(record!.body.equals(bodyOf(p.i))).toBe(true);
    }
  });

  it('a flipped byte in a record header mid-segment cuts the log there (as RocketMQ), reports it, and writing continues consistently', async () => {
    const { dir, placed } = await filledStore();
    const victim = placed[Math.floor(MESSAGES * 0.85)]!;
    flipByte(dir, 64 * 1024, victim.commitLogOffset, 5); // the magic code
    const { store, logger } = await openStore(dir);
    expect(joined(logger)).toMatch(/does not end where the checkpoint says/);
    expect(store.recoveryReport).toMatch(new RegExp(`dropped \\d+ bytes after ${victim.commitLogOffset}`));
    expect(store.recoveryReport).toMatch(/dropped \d+ consume queue entries beyond the commit log/);
    for (const p of placed) {
      const record = readAt(store, p.queueId, p.queueOffset);
      if (p.commitLogOffset < victim.commitLogOffset) expect(record?.body.equals(bodyOf(p.i))).toBe(true);
      else expect(record).toBeNull();
    }
    // New messages go after the cut, at the queue offsets that follow what is left.
    const kept = placed.filter((p) => p.commitLogOffset < victim.commitLogOffset && p.queueId === 0).length;
    const next = await store.putMessage(message(0));
    expect(next.appendResult!.commitLogOffset).toBe(victim.commitLogOffset);
    expect(next.appendResult!.queueOffset).toBe(kept);
    await close(store);
    const again = await openStore(dir);
    expect(again.store.recoveryReport).toMatch(/^normal recovery/);
  });
});

describe('damaged consume queue', () => {
  it('a queue file cut mid-entry is trimmed and its entries rebuilt from the commit log', async () => {
    const { dir, placed } = await filledStore();
    const file = path.join(dir, 'consumequeue', TOPIC, '0', '0'.padStart(20, '0'));
    fs.truncateSync(file, 20 * 17 + 9);
    const { store, logger } = await openStore(dir);
    expect(joined(logger)).toMatch(/torn tail; truncated/);
    expect(store.recoveryReport).toMatch(/rebuilding shortened consume queues.*CorruptTopic@0: 17 of \d+ entries/);
    for (const p of placed) expect(readAt(store, p.queueId, p.queueOffset)?.body.equals(bodyOf(p.i))).toBe(true);
  });

  it('a queue whose last file was deleted is rebuilt from the commit log', async () => {
    const { dir, placed } = await filledStore();
    const queueDir = path.join(dir, 'consumequeue', TOPIC, '1');
    const files = fs.readdirSync(queueDir).sort();
    expect(files.length).toBeGreaterThan(1);
    fs.rmSync(path.join(queueDir, files[files.length - 1]!));
    const { store, logger } = await openStore(dir);
    expect(joined(logger)).toMatch(/consume queue is shorter than recorded/);
    for (const p of placed) expect(readAt(store, p.queueId, p.queueOffset)?.body.equals(bodyOf(p.i))).toBe(true);
  });
});

describe('damaged checkpoint', () => {
  for (const [name, content] of [['random bytes', Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff))], ['a file cut to 10 bytes', Buffer.alloc(10, 7)]] as const) {
    it(`${name}: recovered as after a crash, reported, and a valid checkpoint written again`, async () => {
      const { dir, placed } = await filledStore();
      fs.writeFileSync(path.join(dir, 'checkpoint'), content);
      const { store, logger } = await openStore(dir);
      expect(joined(logger)).toMatch(/checkpoint file is damaged/);
      expect(store.recoveryReport).toMatch(/abnormal recovery \(no valid checkpoint\)/);
      for (const p of placed) expect(readAt(store, p.queueId, p.queueOffset)?.body.equals(bodyOf(p.i))).toBe(true);
      await close(store);
      expect(fs.statSync(path.join(dir, 'checkpoint')).size).toBe(64);
      expect((await openStore(dir)).store.recoveryReport).toMatch(/^normal recovery/);
    });
  }
});

describe('damaged config JSON', () => {
  async function brokerOn(dir: string) {
    const logger = createMemoryLogger();
    const broker = new BrokerController({ storePathRootDir: dir, listenPort: 0, fastListenPort: null, brokerIP1: '127.0.0.1', namesrvAddr: [] }, { logger });
    return { broker, logger };
  }

  /** Starts a broker on `dir`, runs the checks, and always shuts it down. */
  async function startedBroker(dir: string, check: (broker: BrokerController, log: string) => void): Promise<void> {
    const { broker, logger } = await brokerOn(dir);
    await broker.start();
    try {
      check(broker, joined(logger));
    } finally {
      await broker.shutdown();
    }
  }

  /** A broker dir with a topic and a committed offset, written twice so that every config file has a .bak. */
  async function configuredDir(): Promise<string> {
    const dir = tempDir();
    const { broker } = await brokerOn(dir);
    await broker.start();
    broker.topicConfigManager.createTopicIfAbsent('ConfiguredTopic', 4, 6);
    await broker.topicConfigManager.persisted();
    broker.consumerOffsetManager.commitOffset('test', 'CG_config', 'ConfiguredTopic', 1, 42);
    broker.consumerOffsetManager.persist();
    broker.topicConfigManager.persist();
    broker.consumerOffsetManager.persist();
    await broker.shutdown();
    return dir;
  }

  it('garbage topics.json: its backup is loaded, the damage reported, the damaged file kept as .corrupt', async () => {
    const dir = await configuredDir();
    const file = path.join(dir, 'config', 'topics.json');
    fs.writeFileSync(file, '{"topicConfigTable": {"ConfiguredTopic": {"readQue\u0000\u0000');
    await startedBroker(dir, (broker, log) => {
      expect(log).toMatch(/config file is damaged; trying its backup.*topics\.json/);
      expect(log).toMatch(/restored from its backup/);
      expect(broker.topicConfigManager.get('ConfiguredTopic')?.readQueueNums).toBe(4);
      expect(fs.readFileSync(`${file}.corrupt`, 'utf8')).toContain('readQue');
    });
  });

  it('garbage consumerOffset.json without a backup: starts without those offsets and says so', async () => {
    const dir = await configuredDir();
    const file = path.join(dir, 'config', 'consumerOffset.json');
    fs.writeFileSync(file, 'offsetTable = {ConfiguredTopic@CG_config: 42}');
    fs.rmSync(`${file}.bak`);
    await startedBroker(dir, (broker, log) => {
      expect(log).toMatch(/damaged and has no backup; starting without its settings.*consumerOffset\.json/);
      expect(broker.consumerOffsetManager.queryOffset('CG_config', 'ConfiguredTopic', 1)).toBe(-1);
    });
  });

  it('consumerOffset.json that parses but holds wrong types: the bad entries are skipped and counted', async () => {
    const dir = await configuredDir();
    fs.writeFileSync(path.join(dir, 'config', 'consumerOffset.json'), JSON.stringify({ offsetTable: { 'ConfiguredTopic@CG_config': { 1: 42, 2: 'many', x: 3 }, nonsense: 5 } }));
    await startedBroker(dir, (broker, log) => {
      expect(log).toMatch(/consumerOffset\.json entries that are not offsets were skipped.*"count":3/);
      expect(broker.consumerOffsetManager.queryOffset('CG_config', 'ConfiguredTopic', 1)).toBe(42);
    });
  });

  it('garbage topics.json and a garbage backup: the start stops and names both files', async () => {
    const dir = await configuredDir();
    const file = path.join(dir, 'config', 'topics.json');
    fs.writeFileSync(file, '][');
    fs.writeFileSync(`${file}.bak`, '{{{');
    const { broker } = await brokerOn(dir);
    await expect(broker.start()).rejects.toThrow(/topics\.json .* and its backup .*topics\.json\.bak .* are both damaged/);
  });
});
