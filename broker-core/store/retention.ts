/**
 * Retention (RocketMQ's CleanCommitLogService + CleanConsumeQueueService): at a deleteWhen hour, commit-log files
 * older than fileReservedTime go; above diskMaxUsedSpaceRatio the oldest go regardless of age. Consume queues and
 * the index then drop what points below the commit log's new min offset.
 */
import fs from 'node:fs';
import type { Logger } from '../util/logger';
import type { CommitLog } from './commit-log';
import type { ConsumeQueueTable } from './consume-queue-table';
import type { IndexService } from './index-service';

/** Files deleted per pass at most: a pass must not stall the event loop on a huge backlog of expired files. */
const CLEAN_FILES_PER_RUN = 10;

export interface RetentionConfig {
  fileReservedTimeHours: number;
  /** Hours of the day ("04" or "04;05"). */
  deleteWhen: string;
  diskMaxUsedSpaceRatio: number;
}

export class RetentionService {
  readonly #rootDir: string;
  readonly #config: RetentionConfig;
  readonly #commitLog: CommitLog;
  readonly #queues: ConsumeQueueTable;
  readonly #index: IndexService;
  readonly #logger: Logger;

  constructor(rootDir: string, config: RetentionConfig, parts: { commitLog: CommitLog; queues: ConsumeQueueTable; index: IndexService }, logger: Logger) {
    this.#rootDir = rootDir;
    this.#config = config;
    this.#commitLog = parts.commitLog;
    this.#queues = parts.queues;
    this.#index = parts.index;
    this.#logger = logger;
  }

  /** Share (0..1) and bytes in use of the file system holding the store (zeros when it cannot be read). */
  diskUsage(): { ratio: number; usedBytes: number } {
    try {
      const s = fs.statfsSync(this.#rootDir);
      return s.blocks > 0 ? { ratio: (s.blocks - s.bavail) / s.blocks, usedBytes: (s.blocks - s.bfree) * s.bsize } : { ratio: 0, usedBytes: 0 };
    } catch (err) {
      this.#logger.warn('cannot read the disk usage of the store folder', { error: String(err) });
      return { ratio: 0, usedBytes: 0 };
    }
  }

  /** One pass; returns the number of commit-log files deleted. */
  cleanFilesNow(now: number, force = false): number {
    const hours = this.#config.deleteWhen.split(';').map((h) => Number(h));
    const atDeleteHour = hours.includes(new Date(now).getHours());
    const diskFull = this.diskUsage().ratio * 100 > this.#config.diskMaxUsedSpaceRatio;
    const mtimeOf = (file: { fd: number }) => fs.fstatSync(file.fd).mtimeMs;
    let deleted = 0;
    if (diskFull || force) {
      deleted = this.#commitLog.deleteExpired(Infinity, true, CLEAN_FILES_PER_RUN, mtimeOf);
      if (diskFull) this.#logger.warn('disk usage above diskMaxUsedSpaceRatio; oldest commit log files deleted', { deleted, ratio: this.#config.diskMaxUsedSpaceRatio });
    } else if (atDeleteHour) {
      deleted = this.#commitLog.deleteExpired(now - this.#config.fileReservedTimeHours * 3_600_000, false, CLEAN_FILES_PER_RUN, mtimeOf);
    }
    if (deleted > 0) {
      this.#logger.info('commit log files deleted by retention', { deleted, forced: diskFull || force, commitLogMinOffset: this.#commitLog.minOffset });
      const min = this.#commitLog.minOffset;
      for (const queue of this.#queues.values()) queue.correctMinOffset(min);
      this.#index.deleteBelow(min);
    }
    return deleted;
  }
}
