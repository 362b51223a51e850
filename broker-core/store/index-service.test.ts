/** IndexService on its own: tiny files (10 entries) so that it rolls; every test reopens it. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../util/logger';
import { IndexService } from './index-service';
import { offsetFileName } from './segment-file-queue';
import { tempDirs } from './testing/temp-dirs';

const CONFIG = { hashSlotNum: 16, indexNum: 10 };
const FILE_BYTES = 40 + 16 * 4 + 11 * 20;
const tempDir = tempDirs('rocketdeck-index-');
const open: IndexService[] = [];

afterEach(() => {
  for (const index of open.splice(0)) index.close();
});

function openIndex(dir: string, rebuild = false): IndexService {
  const index = new IndexService(dir, CONFIG, silentLogger);
  index.load(rebuild);
  open.push(index);
  return index;
}

async function reopen(index: IndexService, abruptly = false): Promise<IndexService> {
  if (abruptly) index.closeAbruptly();
  else {
    await index.flush();
    index.close();
  }
  open.splice(open.indexOf(index), 1);
  return openIndex(index.dir, abruptly);
}

function fill(index: IndexService, from: number, count: number): void {
  for (let i = from; i < from + count; i++) index.put([`T#k${i}`, 'T#all'], 1000 + i * 100, 1_700_000_000_000 + i * 1000);
  index.writeOut();
}

describe('IndexService', () => {
  it('rolls into offset-named files and finds keys newest first after a clean or an abrupt reopen', async () => {
    const dir = tempDir();
    let index = openIndex(dir);
    fill(index, 0, 12); // 24 entries: 3 files of 10
    expect(fs.readdirSync(dir).sort()).toEqual([0, FILE_BYTES, 2 * FILE_BYTES].map(offsetFileName));
    index = await reopen(index);
    expect(index.query('T#k7', 5, 0, Number.MAX_SAFE_INTEGER)).toEqual([1700]);
    expect(index.query('T#all', 50, 0, Number.MAX_SAFE_INTEGER)).toEqual(Array.from({ length: 12 }, (_, i) => 1000 + (11 - i) * 100));
    fill(index, 12, 2);
    index = await reopen(index, true);
    expect(index.query('T#k13', 5, 0, Number.MAX_SAFE_INTEGER)).toEqual([2300]);
    expect(index.endPhyOffset).toBe(2300);
    index.truncateDirty(2300);
    expect(index.query('T#k13', 5, 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    index.deleteBelow(2000);
    expect(index.query('T#k0', 5, 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(index.query('T#k12', 5, 0, Number.MAX_SAFE_INTEGER)).toEqual([2200]);
  });

  it('renames files named by creation time (RocketMQ) to offset names, in order', async () => {
    const dir = tempDir();
    const index = openIndex(dir);
    fill(index, 0, 8);
    await index.flush();
    index.close();
    open.splice(0);
    fs.renameSync(path.join(dir, offsetFileName(0)), path.join(dir, '20240101120000000'));
    fs.renameSync(path.join(dir, offsetFileName(FILE_BYTES)), path.join(dir, '20240101120500123'));
    const again = openIndex(dir);
    expect(fs.readdirSync(dir).sort()).toEqual([0, FILE_BYTES].map(offsetFileName));
    expect(again.query('T#all', 50, 0, Number.MAX_SAFE_INTEGER)).toHaveLength(8);
  });
});
