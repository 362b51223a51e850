/**
 * The store checkpoint (RocketMQ's StoreCheckpoint), 64 bytes, big-endian:
 *   0 physicMsgTimestamp i64 · 8 logicsMsgTimestamp i64 · 16 indexMsgTimestamp i64 · 24 masterFlushedOffset i64 ·
 *   32 confirmPhyOffset i64 · 40 logicsPhyOffset i64 · 48 indexPhyOffset i64 · 56 CRC32 of bytes 0..55 (i64)
 *
 * confirmPhyOffset: the commit log is on disk up to here. logicsPhyOffset / indexPhyOffset: the consume queues and
 * the index hold every record below here (on disk). A start replays dispatch from the lower of the two.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { assert } from '../util/assert';
import type { Logger } from '../util/logger';
import { writeFileAtomic } from './atomic-file';

export interface Checkpoint {
  physicMsgTimestamp: number;
  logicsMsgTimestamp: number;
  indexMsgTimestamp: number;
  confirmPhyOffset: number;
  logicsPhyOffset: number;
  indexPhyOffset: number;
}

export const CHECKPOINT_BYTES = 64;
const CRC_AT = 56;

export type CheckpointRead = { kind: 'ok'; checkpoint: Checkpoint } | { kind: 'absent' } | { kind: 'damaged'; bytes: number };

export function readCheckpoint(file: string, logger: Logger): CheckpointRead {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    logger.warn('checkpoint file cannot be read; recovering as after a crash', { file, error: String(err) });
    return { kind: 'damaged', bytes: 0 };
  }
  if (raw.length < CHECKPOINT_BYTES || Number(raw.readBigInt64BE(CRC_AT)) !== zlib.crc32(raw.subarray(0, CRC_AT))) {
    logger.warn('checkpoint file is damaged; recovering as after a crash', { file, bytes: raw.length });
    return { kind: 'damaged', bytes: raw.length };
  }
  return {
    kind: 'ok',
    checkpoint: {
      physicMsgTimestamp: Number(raw.readBigInt64BE(0)),
      logicsMsgTimestamp: Number(raw.readBigInt64BE(8)),
      indexMsgTimestamp: Number(raw.readBigInt64BE(16)),
      confirmPhyOffset: Number(raw.readBigInt64BE(32)),
      logicsPhyOffset: Number(raw.readBigInt64BE(40)),
      indexPhyOffset: Number(raw.readBigInt64BE(48)),
    },
  };
}

export function encodeCheckpoint(checkpoint: Checkpoint): Buffer {
  for (const offset of [checkpoint.confirmPhyOffset, checkpoint.logicsPhyOffset, checkpoint.indexPhyOffset]) {
    assert(Number.isSafeInteger(offset) && offset >= 0, `checkpoint offset ${offset}`);
  }
  const buf = Buffer.alloc(CHECKPOINT_BYTES);
  buf.writeBigInt64BE(BigInt(checkpoint.physicMsgTimestamp), 0);
  buf.writeBigInt64BE(BigInt(checkpoint.logicsMsgTimestamp), 8);
  buf.writeBigInt64BE(BigInt(checkpoint.indexMsgTimestamp), 16);
  buf.writeBigInt64BE(0n, 24); // masterFlushedOffset (no replication)
  buf.writeBigInt64BE(BigInt(checkpoint.confirmPhyOffset), 32);
  buf.writeBigInt64BE(BigInt(checkpoint.logicsPhyOffset), 40);
  buf.writeBigInt64BE(BigInt(checkpoint.indexPhyOffset), 48);
  buf.writeBigInt64BE(BigInt(zlib.crc32(buf.subarray(0, CRC_AT))), CRC_AT);
  return buf;
}

/** Replaces the checkpoint file (fdatasync'ed and renamed off the event loop). */
export function writeCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  return writeFileAtomic(file, encodeCheckpoint(checkpoint));
}
