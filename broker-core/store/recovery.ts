/**
 * Start-time recovery (RocketMQ's recoverNormally / recoverAbnormally, and nats' fast-then-slow recovery).
 * The `abort` file exists while the store runs.
 *  - Clean shutdown (no abort file, valid checkpoint): the last three commit-log files are read back with their
 *    CRCs, as RocketMQ's normal recovery does, and the data must end where the checkpoint says.
 *  - Otherwise (or when that check fails) the commit log is scanned from a safe point with CRC checks and a torn
 *    tail is cut.
 * Then consume queues and index are cut to the commit log's end, and dispatch is replayed (the same Dispatcher the
 * write rounds use) from the point the checkpoint says the derived files are complete.
 */
import fs from 'node:fs';
import type { Logger } from '../util/logger';
import type { CommitLog } from './commit-log';
import type { ConsumeQueueTable } from './consume-queue-table';
import { dispatchRequestOf, type BuildConsumeQueue, type Dispatcher } from './dispatcher';
import type { IndexService } from './index-service';
import type { RecordMeta } from './record';
import { readCheckpoint, type Checkpoint } from './store-checkpoint';

/** Records replayed between two hand-offs of the buffered entries to the OS (bounds the memory of a long replay). */
const REPLAY_RECORDS_PER_WRITE = 4096;

export interface RecoveryParts {
  commitLog: CommitLog;
  queues: ConsumeQueueTable;
  index: IndexService;
  dispatcher: Dispatcher;
  buildConsumeQueue: BuildConsumeQueue;
  checkpointFile: string;
  abortFile: string;
  logger: Logger;
}

export interface RecoveryOutcome {
  /** Commit-log offset after the last whole record: where writing continues. */
  end: number;
  /** What was found and done, for logs, runtime info and tests. */
  report: string;
  /** True when anything had to be repaired or rebuilt (the report is then logged as a warning). */
  repaired: boolean;
}

export function recoverStore(parts: RecoveryParts): RecoveryOutcome {
  const { commitLog, queues, index, logger } = parts;
  const read = readCheckpoint(parts.checkpointFile, logger);
  const checkpoint = read.kind === 'ok' ? read.checkpoint : null;
  const aborted = fs.existsSync(parts.abortFile);
  commitLog.load();
  const hasData = commitLog.segmentCount > 0;
  let abnormal = hasData && (aborted || checkpoint === null);
  queues.load();
  index.load(abnormal);

  const notes: string[] = [];
  const crcMismatch = (meta: RecordMeta, offset: number) => logger.warn('commit log record body CRC mismatch; record kept and reported', { offset, topic: meta.topic });
  let end = 0;
  let verifyFrom: number | null = null;
  if (hasData && !abnormal && checkpoint) {
    end = checkpoint.confirmPhyOffset;
    verifyFrom = lastFilesStart(commitLog);
    const verify = commitLog.scan(verifyFrom, { verifyCrc: true, countDropped: false, onCrcMismatch: crcMismatch });
    if (verify.crcMismatches > 0) notes.push(`${verify.crcMismatches} records with a body CRC mismatch found and kept (see the warnings for their offsets)`);
    if (!looksLikeEnd(commitLog, end) || verify.end !== end) {
      logger.warn('the commit log does not end where the checkpoint says; recovering as after a crash', { confirmPhyOffset: end, verifiedTo: verify.end, reason: verify.reason });
      abnormal = true;
    }
  }
  let scanFrom = commitLog.minOffset;
  if (abnormal) {
    scanFrom = abnormalScanStart(commitLog, checkpoint, verifyFrom);
    const scan = commitLog.scan(scanFrom, { verifyCrc: true, onCrcMismatch: verifyFrom === null ? crcMismatch : undefined });
    end = scan.end;
    notes.push(`abnormal recovery (${aborted ? 'abort marker present' : 'no valid checkpoint'}): scanned ${scan.records} records from ${scanFrom}, end ${end}`);
    if (scan.droppedBytes > 0) notes.push(`dropped ${scan.droppedBytes} bytes after ${end} (${scan.reason ?? 'torn tail'})`);
    if (scan.crcMismatches > 0 && verifyFrom === null) notes.push(`${scan.crcMismatches} records with a body CRC mismatch kept`);
  }
  if (!hasData) end = checkpoint?.confirmPhyOffset ?? 0;
  commitLog.setEnd(end);

  let cqDropped = 0;
  for (const queue of queues.values()) {
    cqDropped += queue.truncateDirty(end);
    queue.correctMinOffset(commitLog.minOffset);
  }
  if (cqDropped > 0) notes.push(`dropped ${cqDropped} consume queue entries beyond the commit log`);
  index.truncateDirty(end);

  const replayFrom = replayStart(parts, { hasData, abnormal, scanFrom, checkpoint, end, notes });
  if (hasData && replayFrom < end) {
    const added = replay(parts, replayFrom);
    notes.push(`replayed dispatch from ${replayFrom}: ${added} consume queue entries added`);
  }
  const report = notes.join('; ') || (hasData ? `normal recovery at ${end}` : 'empty store');
  return { end, report, repaired: notes.length > 0 };
}

/** Where dispatch replay starts: the checkpoint's point, earlier for queues found missing or short. */
function replayStart(
  parts: RecoveryParts,
  state: { hasData: boolean; abnormal: boolean; scanFrom: number; checkpoint: Checkpoint | null; end: number; notes: string[] },
): number {
  const { commitLog, queues, index, logger } = parts;
  const { checkpoint, notes } = state;
  let replayFrom = state.abnormal ? state.scanFrom : checkpoint ? Math.min(checkpoint.logicsPhyOffset, checkpoint.indexPhyOffset) : state.end;
  const { missing, shortened } = queues.damagedQueues(state.hasData);
  if (missing.length > 0) {
    replayFrom = commitLog.minOffset;
    notes.push(`rebuilding consume queues from the commit log (missing: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`);
  }
  if (shortened.length > 0) {
    replayFrom = Math.min(replayFrom, ...shortened.map((s) => s.lastPhyEnd));
    for (const s of shortened) logger.warn('consume queue is shorter than recorded at the last shutdown; rebuilding it from the commit log', { ...s });
    notes.push(`rebuilding shortened consume queues from the commit log (${shortened.slice(0, 5).map((s) => `${s.queue}: ${s.entries} of ${s.recorded} entries`).join(', ')}${shortened.length > 5 ? ', …' : ''})`);
  }
  if (index.rebuildNeeded) {
    replayFrom = commitLog.minOffset;
    notes.push('rebuilding the index from the commit log');
  }
  return Math.max(replayFrom, commitLog.minOffset);
}

/** Feeds the records from `from` to the end through the dispatcher; returns the consume queue entries added. */
function replay(parts: RecoveryParts, from: number): number {
  const { commitLog, dispatcher, buildConsumeQueue } = parts;
  buildConsumeQueue.entriesAdded = 0;
  let sinceWrite = 0;
  commitLog.scan(from, {
    verifyCrc: false,
    countDropped: false,
    onRecord: (meta, offset) => {
      dispatcher.dispatch(dispatchRequestOf(meta, offset));
      if (++sinceWrite >= REPLAY_RECORDS_PER_WRITE) {
        dispatcher.writeOut();
        sinceWrite = 0;
      }
    },
  });
  dispatcher.writeOut();
  buildConsumeQueue.takeTouched();
  return buildConsumeQueue.entriesAdded;
}

/** Where normal recovery starts verifying: the start of the third-to-last commit-log file (RocketMQ's choice). */
function lastFilesStart(commitLog: CommitLog): number {
  const starts = commitLog.segmentStarts();
  return starts[Math.max(0, starts.length - 3)] ?? commitLog.minOffset;
}

/** The file start below every offset the checkpoint vouches for (the min offset without one). */
function abnormalScanStart(commitLog: CommitLog, checkpoint: Checkpoint | null, verifyFrom: number | null): number {
  const safe = checkpoint ? Math.min(checkpoint.confirmPhyOffset, checkpoint.logicsPhyOffset, checkpoint.indexPhyOffset) : commitLog.minOffset;
  const from = Math.max(commitLog.minOffset, safe - (safe % commitLog.segmentBytes));
  return verifyFrom === null ? from : Math.min(from, verifyFrom);
}

/** After a clean shutdown the checkpoint's offset is the write position: nothing may follow it. */
function looksLikeEnd(commitLog: CommitLog, offset: number): boolean {
  const starts = commitLog.segmentStarts();
  const first = starts[0] ?? 0;
  const lastEnd = (starts[starts.length - 1] ?? 0) + commitLog.segmentBytes;
  if (offset < first || offset > lastEnd) return false;
  const scan = commitLog.scan(offset, { verifyCrc: false });
  return scan.end === offset && scan.droppedBytes === 0;
}
