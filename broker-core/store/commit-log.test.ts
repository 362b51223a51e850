/**
 * CommitLog on its own: 1 KiB segments so that blank padding and rolls happen every few records; every test
 * that writes closes the log and reopens the folder the way recovery does (load, scan, setEnd).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../util/logger';
import { CommitLog } from './commit-log';
import type { MessageToStore } from './message-store';
import { BLANK_MAGIC, RECORD_BYTES_MIN, checkRecord, prepareRecord, writeRecord } from './record';
import { offsetFileName } from './segment-file-queue';
import { tempDirs } from './testing/temp-dirs';

const SEGMENT_BYTES = 1024;
const tempDir = tempDirs('rocketdeck-commitlog-');
const logs: CommitLog[] = [];

afterEach(() => {
  for (const log of logs.splice(0)) log.close();
});

function message(body: string, topic = 'T'): MessageToStore {
  return {
    topic, queueId: 0, flag: 0, sysFlag: 0, body: Buffer.from(body), propertiesString: '', bornTimestamp: 1_700_000_000_000,
    bornHost: { address: '10.0.0.1', port: 1 }, storeHost: { address: '127.0.0.1', port: 10911 }, reconsumeTimes: 0, preparedTransactionOffset: 0,
  };
}

/** Appends one record the way a write round does; returns its commit-log offset. */
function append(log: CommitLog, body: string, queueOffset: number): number {
  const prepared = prepareRecord(message(body));
  const at = log.reserve(prepared.length);
  const buf = Buffer.alloc(prepared.length);
  writeRecord(buf, 0, prepared, queueOffset, at, 1_700_000_000_000 + queueOffset);
  log.put(at, buf);
  log.writeOut();
  return at;
}

function openLog(dir: string): CommitLog {
  const log = new CommitLog(dir, SEGMENT_BYTES, silentLogger);
  logs.push(log);
  log.load();
  return log;
}

/** Reopens as recovery does: scan from the first file, end where the records end. */
function reopen(log: CommitLog): { log: CommitLog; bodies: string[] } {
  log.close();
  logs.splice(logs.indexOf(log), 1);
  const again = openLog(log.dir);
  const bodies: string[] = [];
  const scan = again.scan(again.minOffset, {
    verifyCrc: true,
    onRecord: (meta, _offset, record) => bodies.push(record.toString('utf8', meta.bodyOffset, meta.bodyOffset + meta.bodyLength)),
  });
  again.setEnd(scan.end);
  return { log: again, bodies };
}

describe('CommitLog', () => {
  it('pads each file with a blank record, rolls, and scans every record back after a reopen', () => {
    const dir = tempDir();
    const log = openLog(dir);
    log.setEnd(0);
    const offsets = Array.from({ length: 30 }, (_, i) => append(log, `body-${i}-${'x'.repeat(100)}`, i));
    expect(log.segmentCount).toBeGreaterThan(3);
    for (const offset of offsets) expect(Math.floor(offset / SEGMENT_BYTES)).toBe(Math.floor((offset + 200) / SEGMENT_BYTES)); // never spans files
    const first = fs.readFileSync(path.join(dir, offsetFileName(0)));
    let pos = 0;
    while (first.readInt32BE(pos + 4) !== BLANK_MAGIC) pos += first.readInt32BE(pos);
    expect(pos + first.readInt32BE(pos)).toBe(SEGMENT_BYTES);

    const { log: again, bodies } = reopen(log);
    expect(bodies).toHaveLength(30);
    expect(bodies[29]).toMatch(/^body-29-/);
    expect(again.maxOffset).toBe(log.maxOffset);
    const record = again.readRecord(offsets[7]!)!;
    const check = checkRecord(record, 0, record.length, true);
    expect(check.kind === 'record' && check.meta.queueOffset).toBe(7);
    expect(again.read(again.maxOffset, 1)).toBeNull();
    // 24 bytes are left in the last file: the next record pads them with a blank and opens the next file.
    expect(SEGMENT_BYTES - (again.maxOffset % SEGMENT_BYTES)).toBe(24);
    const next = append(again, 'after reopen', 30);
    expect(next).toBe(again.segmentStarts().at(-1));
    expect(next % SEGMENT_BYTES).toBe(0);
    expect(reopen(again).bodies.at(-1)).toBe('after reopen');
  });

  it('keeps the shortest possible record (92 bytes: empty body, 1-byte topic, no properties) across recovery', () => {
    const dir = tempDir();
    const log = openLog(dir);
    log.setEnd(0);
    append(log, '', 0);
    append(log, 'a', 1);
    expect(log.maxOffset).toBe(RECORD_BYTES_MIN + RECORD_BYTES_MIN + 1);
    const { log: again, bodies } = reopen(log);
    expect(bodies).toEqual(['', 'a']);
    expect(again.maxOffset).toBe(2 * RECORD_BYTES_MIN + 1);
  });

  it('setEnd cuts mid-file: the rest of the file is zeroed and later files are deleted', () => {
    const dir = tempDir();
    const log = openLog(dir);
    log.setEnd(0);
    const offsets = Array.from({ length: 20 }, (_, i) => append(log, `m${i}-${'y'.repeat(150)}`, i));
    log.close();
    logs.splice(0);
    const cutAt = offsets[9]!;
    const again = openLog(dir);
    again.setEnd(cutAt);
    expect(again.segmentStarts().at(-1)).toBe(cutAt - (cutAt % SEGMENT_BYTES));
    const { bodies, log: third } = reopen(again);
    expect(bodies).toHaveLength(9);
    expect(third.maxOffset).toBe(cutAt);
    expect(append(third, 'replacement', 9)).toBe(cutAt);
  });

  it('flush makes everything written durable; callers arriving together share one', async () => {
    const log = openLog(tempDir());
    log.setEnd(0);
    for (let i = 0; i < 12; i++) append(log, `f${i}`, i);
    expect(log.flushedOffset).toBe(0);
    const [a, b] = await Promise.all([log.flush(), log.flush()]);
    expect(a).toBe(log.maxOffset);
    expect(b).toBe(log.maxOffset);
    expect(log.files.dirtyCount).toBe(0);
  });

  it('retention deletes flushed files only, never the current one', async () => {
    const dir = tempDir();
    const log = openLog(dir);
    log.setEnd(0);
    for (let i = 0; i < 30; i++) append(log, `r${i}-${'z'.repeat(100)}`, i);
    expect(log.deleteExpired(Infinity, true, 10, () => 0)).toBe(0); // nothing flushed yet
    await log.flush();
    const files = log.segmentCount;
    expect(log.deleteExpired(Infinity, true, 2, () => 0)).toBe(2);
    expect(log.minOffset).toBe(2 * SEGMENT_BYTES);
    expect(log.deleteExpired(Infinity, true, 100, () => 0)).toBe(files - 3);
    const { log: again, bodies } = reopen(log);
    expect(again.segmentCount).toBe(1);
    expect(bodies.length).toBeGreaterThan(0);
  });

  it('refuses records that cannot fit in one file', () => {
    const log = openLog(tempDir());
    log.setEnd(0);
    expect(() => log.reserve(SEGMENT_BYTES)).toThrow(RangeError);
  });
});
