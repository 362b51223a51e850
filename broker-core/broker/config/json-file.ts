/** Atomic config-file persistence: write temp, fsync, rename; the previous version is kept as `.bak`. */
import fs from 'node:fs';
import path from 'node:path';
import { parseJavaJson } from '../../protocol/fastjson';
import { BrokerError, StoreCorruptError, errorMessage } from '../../util/errors';
import { silentLogger, type Logger } from '../../util/logger';

export function writeFileAtomic(filePath: string, text: string): void {
  try {
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
    const tmpPath = `${filePath}.tmp`;
    const fd = fs.openSync(tmpPath, 'w');
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (fs.existsSync(filePath)) fs.copyFileSync(filePath, `${filePath}.bak`);
    fs.renameSync(tmpPath, filePath);
  } catch (err) {
    throw new BrokerError('BROKER_ERR_STORE_IO', `cannot write ${filePath}`, { cause: err });
  }
}

type ReadOutcome = { kind: 'absent' } | { kind: 'ok'; value: unknown } | { kind: 'damaged'; reason: string };

function readOne(file: string): ReadOutcome {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? { kind: 'absent' } : { kind: 'damaged', reason: errorMessage(err) };
  }
  if (text.trim() === '') return { kind: 'absent' };
  try {
    const value = parseJavaJson(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'damaged', reason: 'not a JSON object' };
    return { kind: 'ok', value };
  } catch (err) {
    return { kind: 'damaged', reason: errorMessage(err) };
  }
}

/**
 * Reads a (possibly fastjson-flavoured) JSON config file the way RocketMQ's ConfigManager.load does, and says
 * what it did: an empty or damaged file falls back to `.bak`; a damaged file without a backup starts empty;
 * a damaged file whose backup is damaged too stops the start (StoreCorruptError naming both files). A damaged
 * file is copied to `.corrupt` before the next write replaces it, so it can still be looked at.
 */
export function readJsonFile(filePath: string, logger: Logger = silentLogger): unknown {
  const main = readOne(filePath);
  if (main.kind === 'ok') return main.value;
  if (main.kind === 'damaged') {
    try {
      fs.copyFileSync(filePath, `${filePath}.corrupt`);
    } catch {
      // unreadable as well: nothing to keep
    }
    logger.error('config file is damaged; trying its backup', { file: filePath, reason: main.reason, keptAs: `${filePath}.corrupt` });
  }
  const backupPath = `${filePath}.bak`;
  const backup = readOne(backupPath);
  if (backup.kind === 'ok') {
    if (main.kind === 'damaged') logger.error('config file restored from its backup (changes after the backup was taken are lost)', { file: filePath, backup: backupPath });
    else logger.warn('config file is empty or missing; loaded its backup', { file: filePath, backup: backupPath });
    return backup.value;
  }
  if (backup.kind === 'damaged') {
    throw new StoreCorruptError(
      `${filePath} (${main.kind === 'damaged' ? main.reason : 'empty'}) and its backup ${backupPath} (${backup.reason}) are both damaged; ` +
        'restore one of them, or move both away to start without these settings',
    );
  }
  if (main.kind === 'damaged') logger.error('config file is damaged and has no backup; starting without its settings', { file: filePath });
  return undefined;
}

/**
 * A config file written by group commit: every change made before the next turn of the event loop shares one
 * write (`render` is called then), so a burst of 32 pipelined topic creates costs one 2.5 MB rewrite instead of
 * 32 of them on a broker with 10,000 topics. `persisted()` resolves once every change made before the call is on
 * disk, or rejects with the write's error; a change nobody waits for that fails to write is logged and written
 * again with the next change or `flushSync()` (shutdown).
 */
export class GroupCommitFile {
  #dirty = false;
  #scheduled = false;
  #waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];

  constructor(
    readonly filePath: string,
    private readonly render: () => string,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Something changed: write it soon. */
  markDirty(): void {
    this.#dirty = true;
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#write();
    });
  }

  /** Resolves when the changes made so far are on disk. */
  persisted(): Promise<void> {
    if (!this.#dirty && !this.#scheduled) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      if (!this.#scheduled) this.markDirty();
    });
  }

  /** Writes now, in this turn (load-time repairs, shutdown); throws the write's error. */
  flushSync(): void {
    this.#dirty = true;
    this.#write(true);
  }

  #write(rethrow = false): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    if (!this.#dirty) {
      for (const w of waiters) w.resolve();
      return;
    }
    this.#dirty = false;
    try {
      writeFileAtomic(this.filePath, this.render());
    } catch (err) {
      this.#dirty = true;
      for (const w of waiters) w.reject(err);
      if (rethrow) throw err;
      if (waiters.length === 0) this.logger.error('config file write failed; retried with the next change', { file: this.filePath, error: errorMessage(err) });
      return;
    }
    for (const w of waiters) w.resolve();
  }
}
