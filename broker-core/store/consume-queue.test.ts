/**
 * ConsumeQueue on its own: 8 entries per file (160-byte files), so a handful of entries spans several files;
 * every test that writes closes the queue and reopens it from disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger, silentLogger } from '../util/logger';
import { CQ_ENTRY_BYTES, ConsumeQueue, isHole } from './consume-queue';
import { offsetFileName } from './segment-file-queue';
import { tempDirs } from './testing/temp-dirs';

const ENTRIES_PER_FILE = 8;
const RECORD_BYTES = 300;
const tempDir = tempDirs('rocketdeck-cq-');
const open: ConsumeQueue[] = [];

afterEach(() => {
  for (const queue of open.splice(0)) queue.close();
});

function openQueue(root: string, logger = silentLogger): ConsumeQueue {
  const queue = new ConsumeQueue(root, 'TopicA', 3, ENTRIES_PER_FILE, logger);
  queue.load();
  open.push(queue);
  return queue;
}

function reopen(queue: ConsumeQueue, root: string): ConsumeQueue {
  queue.close();
  open.splice(open.indexOf(queue), 1);
  return openQueue(root);
}

/** Entry i points at commit-log offset 1000 + i * RECORD_BYTES (the queue's records, in commit-log order). */
function appendEntries(queue: ConsumeQueue, from: number, count: number): void {
  for (let i = from; i < from + count; i++) expect(queue.append(1000 + i * RECORD_BYTES, RECORD_BYTES, i * 7, i)).toBe(true);
  queue.writeOut();
}

describe('ConsumeQueue', () => {
  it('writes 20-byte entries into files named by byte offset and reads them back after a reopen', () => {
    const root = tempDir();
    let queue = openQueue(root);
    appendEntries(queue, 0, 20);
    expect(fs.readdirSync(queue.dir).sort()).toEqual([0, 160, 320].map(offsetFileName));
    expect(fs.statSync(path.join(queue.dir, offsetFileName(320))).size).toBe(4 * CQ_ENTRY_BYTES);
    queue = reopen(queue, root);
    expect(queue.minOffset).toBe(0);
    expect(queue.maxOffset).toBe(20);
    expect(queue.lastPhyEnd).toBe(1000 + 20 * RECORD_BYTES);
    expect(queue.readEntries(6, 4)).toEqual([6, 7, 8, 9].map((i) => ({ commitLogOffset: 1000 + i * RECORD_BYTES, size: RECORD_BYTES, tagsCode: i * 7 })));
    expect(queue.readEntry(19)?.tagsCode).toBe(133);
    expect(queue.readEntry(20)).toBeNull();
    expect(queue.readEntries(18, 10)).toHaveLength(2);
  });

  it('replay is idempotent: an entry for a record at or below the last one is not added again', () => {
    const root = tempDir();
    let queue = openQueue(root);
    appendEntries(queue, 0, 10);
    queue = reopen(queue, root);
    for (let i = 0; i < 10; i++) expect(queue.append(1000 + i * RECORD_BYTES, RECORD_BYTES, i * 7, i)).toBe(false);
    expect(queue.nextOffset).toBe(10);
    appendEntries(queue, 10, 2);
    queue = reopen(queue, root);
    expect(queue.maxOffset).toBe(12);
  });

  it('fills a gap in queue offsets with holes, and a rebuilt queue starts at its first queue offset', () => {
    const root = tempDir();
    let queue = openQueue(root);
    appendEntries(queue, 0, 3);
    expect(queue.append(1000 + 6 * RECORD_BYTES, RECORD_BYTES, 42, 6)).toBe(true);
    queue.writeOut();
    queue = reopen(queue, root);
    expect(queue.maxOffset).toBe(7);
    const entries = queue.readEntries(0, 7);
    expect(entries.map(isHole)).toEqual([false, false, false, true, true, true, false]);

    const rebuiltRoot = tempDir();
    let rebuilt = openQueue(rebuiltRoot);
    expect(rebuilt.append(50_000, RECORD_BYTES, 1, 13)).toBe(true);
    rebuilt.writeOut();
    rebuilt = reopen(rebuilt, rebuiltRoot);
    expect(rebuilt.minOffset).toBe(13);
    expect(rebuilt.maxOffset).toBe(14);
    expect(fs.readdirSync(rebuilt.dir)).toEqual([offsetFileName(8 * CQ_ENTRY_BYTES)]);
  });

  it('trims a torn tail and trailing empty entries at load', () => {
    const root = tempDir();
    const queue = openQueue(root);
    appendEntries(queue, 0, 5);
    queue.close();
    open.splice(0);
    const file = path.join(queue.dir, offsetFileName(0));
    fs.appendFileSync(file, Buffer.alloc(2 * CQ_ENTRY_BYTES + 7));
    const logger = createMemoryLogger();
    const again = openQueue(root, logger);
    expect(logger.lines.join('\n')).toMatch(/torn tail; truncated/);
    expect(again.maxOffset).toBe(5);
    expect(fs.statSync(file).size).toBe(5 * CQ_ENTRY_BYTES);
  });

  it('truncateDirty drops entries beyond the commit log; correctMinOffset follows retention', () => {
    const root = tempDir();
    let queue = openQueue(root);
    appendEntries(queue, 0, 20);
    expect(queue.truncateDirty(1000 + 15 * RECORD_BYTES + 10)).toBe(5);
    expect(queue.maxOffset).toBe(15);
    queue.correctMinOffset(1000 + 9 * RECORD_BYTES);
    expect(queue.minOffset).toBe(9);
    expect(fs.readdirSync(queue.dir).sort()).toEqual([160].map(offsetFileName));
    queue = reopen(queue, root);
    expect(queue.minOffset).toBe(8);
    queue.correctMinOffset(1000 + 9 * RECORD_BYTES);
    expect(queue.minOffset).toBe(9);
    expect(queue.maxOffset).toBe(15);
    expect(queue.append(1000 + 15 * RECORD_BYTES, RECORD_BYTES, 0, 15)).toBe(true);
  });
});
