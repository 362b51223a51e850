/**
 * Flushes, all off the event loop (fdatasync on libuv's thread pool):
 *  - the commit log: every flushIntervalCommitLogMs under ASYNC_FLUSH; under SYNC_FLUSH on demand, where puts
 *    arriving together share one fdatasync (group commit) and are acknowledged only once it completed;
 *  - the derived files and the checkpoint (every flushIntervalConsumeQueueMs): consume queues, index, queue list,
 *    then the checkpoint, which moves forward only over what the flushes before it made durable.
 */
import { performance } from 'node:perf_hooks';
import type { CommitLog } from './commit-log';
import type { ConsumeQueueTable } from './consume-queue-table';
import type { IndexService } from './index-service';
import { writeCheckpoint } from './store-checkpoint';

export interface FlushServiceDeps {
  commitLog: CommitLog;
  queues: ConsumeQueueTable;
  index: IndexService;
  checkpointFile: string;
  syncFlushTimeoutMs: number;
  /** Commit-log offset below which every record is in the consume queues and index (written to the OS). */
  dispatchedOffset: () => number;
  lastStoreTimestamp: () => number;
}

export type FlushKind = 'commitLog' | 'logics';

/**
 * One finished flush. commitLog: an fdatasync round of the commit log (what a SYNC_FLUSH send waits for);
 * logics: consume queues + index + queue list + checkpoint.
 */
export interface FlushEvent {
  kind: FlushKind;
  durationMs: number;
  /** Commit-log bytes made durable (0 for logics). */
  bytes: number;
}

export class FlushService {
  readonly #deps: FlushServiceDeps;
  /** Told about every finished flush (the broker's flush-latency histogram listens here). */
  onFlush: ((event: FlushEvent) => void) | null = null;
  #commitLogFlush: Promise<void> | null = null;
  #logicsFlush: Promise<void> | null = null;

  constructor(deps: FlushServiceDeps) {
    this.#deps = deps;
  }

  /** One commit-log fdatasync covering everything written so far (shared with any running one), timed. */
  flushCommitLog(): Promise<void> {
    if (this.#commitLogFlush) return this.#commitLogFlush;
    const commitLog = this.#deps.commitLog;
    const flushedBefore = commitLog.flushedOffset;
    const started = performance.now();
    this.#commitLogFlush = commitLog.flush().then((flushed) => {
      if (flushed > flushedBefore) this.onFlush?.({ kind: 'commitLog', durationMs: performance.now() - started, bytes: flushed - flushedBefore });
    }).finally(() => {
      this.#commitLogFlush = null;
    });
    return this.#commitLogFlush;
  }

  /** Waits until the commit log is on disk up to `end` (group commit); false when syncFlushTimeoutMs passed first. */
  async waitFlushed(end: number): Promise<boolean> {
    const commitLog = this.#deps.commitLog;
    if (commitLog.flushedOffset >= end) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#deps.syncFlushTimeoutMs);
    });
    try {
      while (commitLog.flushedOffset < end) {
        const result = await Promise.race([this.flushCommitLog().then(() => 'ok' as const), timeout]);
        if (result === 'timeout') return commitLog.flushedOffset >= end;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Consume queues, index and queue list to disk, then the checkpoint saying so. One at a time: a call made while
   * one runs waits for it, then runs again (it may have to cover more). */
  async flushLogicsAndCheckpoint(): Promise<void> {
    while (this.#logicsFlush) {
      // The running flush's caller handles its failure; this one only waits for its turn.
      await this.#logicsFlush.catch(() => undefined);
    }
    this.#logicsFlush = this.#runLogicsFlush().finally(() => {
      this.#logicsFlush = null;
    });
    return this.#logicsFlush;
  }

  async #runLogicsFlush(): Promise<void> {
    const { commitLog, queues, index } = this.#deps;
    const started = performance.now();
    const confirmPhyOffset = commitLog.flushedOffset;
    const dispatched = Math.min(this.#deps.dispatchedOffset(), commitLog.maxOffset);
    await queues.flush();
    await index.flush();
    if (queues.listDirty) await queues.writeList();
    const timestamp = this.#deps.lastStoreTimestamp();
    await writeCheckpoint(this.#deps.checkpointFile, {
      physicMsgTimestamp: timestamp,
      logicsMsgTimestamp: timestamp,
      indexMsgTimestamp: index.lastUpdateTimestamp,
      confirmPhyOffset,
      logicsPhyOffset: dispatched,
      indexPhyOffset: dispatched,
    });
    this.onFlush?.({ kind: 'logics', durationMs: performance.now() - started, bytes: 0 });
  }
}
