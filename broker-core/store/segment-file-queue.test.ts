/**
 * SegmentFileQueue on its own, with 1 KiB files so that every test crosses file boundaries; every test that
 * writes closes the queue, opens the folder again and checks what a restart sees.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger, silentLogger } from '../util/logger';
import { SegmentFileQueue, offsetFileName } from './segment-file-queue';
import { tempDirs } from './testing/temp-dirs';

const FILE_BYTES = 1024;
const tempDir = tempDirs('rocketdeck-segments-');
const queues: SegmentFileQueue[] = [];

afterEach(() => {
  for (const queue of queues.splice(0)) queue.close();
});

function open(dir: string, preallocate: boolean, extra: { misaligned?: 'throw' | 'skip'; logger?: ReturnType<typeof createMemoryLogger> } = {}): SegmentFileQueue {
  const queue = new SegmentFileQueue({ dir, fileBytes: FILE_BYTES, preallocate, label: 'test', logger: extra.logger ?? silentLogger, misaligned: extra.misaligned ?? 'throw' });
  queue.load();
  queues.push(queue);
  return queue;
}

function reopen(queue: SegmentFileQueue, preallocate: boolean): SegmentFileQueue {
  queue.close();
  queues.splice(queues.indexOf(queue), 1);
  return open(queue.dir, preallocate);
}

/** Appends `count` 64-byte chunks, byte value = chunk number, rolling as RocketMQ's MappedFileQueueTest does. */
function appendChunks(queue: SegmentFileQueue, count: number, from = 0): void {
  for (let i = 0; i < count; i++) {
    const offset = from + i * 64;
    queue.fileForAppend(offset);
    queue.write(offset, [Buffer.alloc(64, (from / 64 + i) & 0xff)]);
  }
}

function byteAt(queue: SegmentFileQueue, offset: number): number {
  const one = Buffer.alloc(1);
  expect(queue.read(offset, one)).toBe(1);
  return one[0]!;
}

describe('SegmentFileQueue', () => {
  it('names files by their 20-digit start offset, finds the file for any offset, and reopens the same', () => {
    const dir = tempDir();
    let queue = open(dir, true);
    appendChunks(queue, 64); // 4 files of 1024
    expect(fs.readdirSync(dir).sort()).toEqual([0, 1024, 2048, 3072].map(offsetFileName));
    for (const name of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, name)).size).toBe(FILE_BYTES);
    expect(queue.findByOffset(0)?.start).toBe(0);
    expect(queue.findByOffset(100)?.start).toBe(0);
    expect(queue.findByOffset(1024)?.start).toBe(1024);
    expect(queue.findByOffset(1024 + 100)?.start).toBe(1024);
    expect(queue.findByOffset(2048)?.start).toBe(2048);
    expect(queue.findByOffset(4095)?.start).toBe(3072);
    expect(queue.findByOffset(4096)).toBeUndefined();
    expect(queue.findByOffset(-1)).toBeUndefined();

    queue = reopen(queue, true);
    expect(queue.count).toBe(4);
    expect(queue.minOffset).toBe(0);
    expect(queue.endOffset).toBe(4096);
    expect(byteAt(queue, 64 * 17 + 5)).toBe(17);
    expect(byteAt(queue, 4095)).toBe(63);
  });

  it('growing files are as long as what was written; truncate cuts inside a file and deletes the later ones', () => {
    const dir = tempDir();
    let queue = open(dir, false);
    appendChunks(queue, 40); // 2.5 files
    expect(queue.files.map((f) => f.size)).toEqual([1024, 1024, 512]);
    expect(queue.endOffset).toBe(2560);
    queue = reopen(queue, false);
    expect(queue.files.map((f) => f.size)).toEqual([1024, 1024, 512]);

    expect(queue.truncate(1024 + 300)).toBe(1);
    expect(queue.files.map((f) => f.size)).toEqual([1024, 300]);
    queue = reopen(queue, false);
    expect(queue.endOffset).toBe(1324);
    expect(fs.readdirSync(dir).sort()).toEqual([0, 1024].map(offsetFileName));
    expect(byteAt(queue, 1024 + 299)).toBe(20);
    expect(queue.read(1024 + 300, Buffer.alloc(1))).toBe(0);
  });

  it('truncating a preallocated file zeroes what follows and keeps the file size; keepFileAtOffset keeps an empty next file', () => {
    const dir = tempDir();
    let queue = open(dir, true);
    appendChunks(queue, 32); // exactly 2 files
    queue.create(2048); // a roll created the third, nothing in it yet
    queue.truncate(2048, { keepFileAtOffset: true });
    expect(queue.count).toBe(3);
    queue.truncate(1024 + 64);
    expect(queue.count).toBe(2);
    queue = reopen(queue, true);
    expect(fs.statSync(path.join(dir, offsetFileName(1024))).size).toBe(FILE_BYTES);
    expect(byteAt(queue, 1024 + 63)).toBe(16);
    expect(byteAt(queue, 1024 + 64)).toBe(0);
    expect(byteAt(queue, 2047)).toBe(0);
  });

  it('deleteOldest removes files from the head while the predicate holds, never the last one', () => {
    const dir = tempDir();
    let queue = open(dir, false);
    appendChunks(queue, 64);
    expect(queue.deleteOldest((file) => file.start < 2048, 10)).toBe(2);
    expect(queue.minOffset).toBe(2048);
    expect(queue.deleteOldest(() => true, 1)).toBe(1);
    expect(queue.deleteOldest(() => true, 10)).toBe(0);
    expect(queue.count).toBe(1);
    queue = reopen(queue, false);
    expect(queue.minOffset).toBe(3072);
    expect(queue.findByOffset(100)).toBeUndefined();
    expect(byteAt(queue, 3072)).toBe(48);
  });

  it('refuses or skips a file off the boundary, and stops at a gap between files', () => {
    const dir = tempDir();
    const queue = open(dir, true);
    appendChunks(queue, 48);
    queue.close();
    queues.splice(0);
    fs.writeFileSync(path.join(dir, offsetFileName(5000)), Buffer.alloc(10));
    expect(() => open(dir, true)).toThrow(/does not start on a 1024-byte boundary/);
    const logger = createMemoryLogger();
    const skipping = open(dir, true, { misaligned: 'skip', logger });
    expect(skipping.count).toBe(3);
    expect(logger.lines.join('\n')).toMatch(/not on a file boundary/);
    skipping.close();
    queues.splice(0);
    fs.rmSync(path.join(dir, offsetFileName(5000)));
    fs.rmSync(path.join(dir, offsetFileName(1024)));
    const gapLogger = createMemoryLogger();
    const gapped = open(dir, true, { logger: gapLogger });
    expect(gapped.count).toBe(1);
    expect(gapLogger.lines.join('\n')).toMatch(/not contiguous/);
  });

  it('flush syncs what was written, and a file deleted while a flush runs is closed after it', async () => {
    const dir = tempDir();
    let queue = open(dir, true);
    appendChunks(queue, 40);
    expect(queue.dirtyCount).toBe(3);
    const flushing = queue.flush();
    expect(queue.deleteOldest(() => true, 1)).toBe(1); // file 0 goes while its fdatasync may be running
    await flushing;
    expect(queue.dirtyCount).toBe(0);
    appendChunks(queue, 1, 40 * 64);
    expect(queue.dirtyCount).toBe(1);
    await queue.flush();
    queue = reopen(queue, true);
    expect(queue.minOffset).toBe(1024);
    expect(byteAt(queue, 40 * 64)).toBe(40);
  });

  it('asserts that a write stays inside its file', () => {
    const queue = open(tempDir(), true);
    queue.fileForAppend(0);
    expect(() => queue.write(1000, [Buffer.alloc(64)])).toThrow(/crosses the end of its file/);
    expect(() => queue.create(3000)).toThrow(/not on a 1024-byte boundary/);
    expect(() => queue.create(4096)).toThrow(/does not follow/);
  });
});
