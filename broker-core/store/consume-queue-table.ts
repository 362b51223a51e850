/**
 * Every consume queue of the store, by `topic@queueId` (RocketMQ's consumeQueueTable), and `queues.json`: the
 * list of queues with each one's entry count at the last write, which the next start checks the files against (a
 * deleted queue folder or a shortened file is rebuilt from the commit log rather than served short).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../util/logger';
import { writeFileAtomic } from './atomic-file';
import { ConsumeQueue } from './consume-queue';

export interface ShortenedQueue {
  queue: string;
  entries: number;
  recorded: number;
  /** Commit-log end of the queue's last entry: replaying from there refills it. */
  lastPhyEnd: number;
}

/** At most this many queue files are fdatasync'ed at once: the rest of libuv's pool stays free for the commit log. */
const QUEUE_FLUSHES_PARALLEL_MAX = 2;

export class ConsumeQueueTable {
  readonly rootDir: string;
  readonly #entriesPerFile: number;
  readonly #logger: Logger;
  readonly #queues = new Map<string, ConsumeQueue>();
  #listDirty = false;

  constructor(rootDir: string, entriesPerFile: number, logger: Logger) {
    this.rootDir = rootDir;
    this.#entriesPerFile = entriesPerFile;
    this.#logger = logger;
  }

  get #listFile(): string {
    return path.join(this.rootDir, 'queues.json');
  }

  /** Opens every queue folder found on disk. */
  load(): void {
    fs.mkdirSync(this.rootDir, { recursive: true });
    for (const topic of fs.readdirSync(this.rootDir)) {
      const topicDir = path.join(this.rootDir, topic);
      if (!fs.statSync(topicDir).isDirectory()) continue;
      for (const queueId of fs.readdirSync(topicDir)) {
        if (!/^\d+$/.test(queueId)) continue;
        this.#open(topic, Number(queueId));
      }
    }
    this.#listDirty = false;
  }

  #open(topic: string, queueId: number): ConsumeQueue {
    const queue = new ConsumeQueue(this.rootDir, topic, queueId, this.#entriesPerFile, this.#logger);
    queue.load();
    this.#queues.set(`${topic}@${queueId}`, queue);
    this.#listDirty = true;
    return queue;
  }

  get size(): number {
    return this.#queues.size;
  }

  get(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.#queues.get(`${topic}@${queueId}`);
  }

  getOrCreate(topic: string, queueId: number): ConsumeQueue {
    return this.#queues.get(`${topic}@${queueId}`) ?? this.#open(topic, queueId);
  }

  values(): IterableIterator<ConsumeQueue> {
    return this.#queues.values();
  }

  /** Topics with queues, and their queue ids in order. */
  list(): Map<string, number[]> {
    const result = new Map<string, number[]>();
    for (const queue of this.#queues.values()) {
      const ids = result.get(queue.topic) ?? [];
      ids.push(queue.queueId);
      result.set(queue.topic, ids);
    }
    for (const ids of result.values()) ids.sort((a, b) => a - b);
    return result;
  }

  /** Removes the queues of these topics with their files. */
  deleteTopics(topics: Iterable<string>): void {
    const doomed = new Set(topics);
    for (const [key, queue] of [...this.#queues]) {
      if (!doomed.has(queue.topic)) continue;
      queue.destroy();
      this.#queues.delete(key);
    }
    for (const topic of doomed) fs.rmSync(path.join(this.rootDir, topic), { recursive: true, force: true });
    this.#listDirty = true;
  }

  /** fdatasync of every queue written since the last flush, a few files at a time. */
  async flush(): Promise<void> {
    const queues = [...this.#queues.values()].filter((queue) => queue.files.dirtyCount > 0);
    let next = 0;
    const worker = async () => {
      while (next < queues.length) await queues[next++]!.flush();
    };
    await Promise.all(Array.from({ length: Math.min(QUEUE_FLUSHES_PARALLEL_MAX, queues.length) }, worker));
  }

  /**
   * Queues recorded in queues.json whose folders are gone (a deleted consumequeue folder is rebuilt), and queues
   * holding fewer entries than queues.json recorded (a truncated or damaged file).
   */
  damagedQueues(hasData: boolean): { missing: string[]; shortened: ShortenedQueue[] } {
    let listed: string[] = [];
    let recorded: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(fs.readFileSync(this.#listFile, 'utf8')) as { queues?: unknown; maxOffsets?: unknown };
      listed = Array.isArray(parsed.queues) ? parsed.queues.filter((key): key is string => typeof key === 'string') : [];
      recorded = typeof parsed.maxOffsets === 'object' && parsed.maxOffsets !== null ? (parsed.maxOffsets as Record<string, unknown>) : {};
    } catch {
      // No list: a store from before the list existed, or the whole consumequeue folder was deleted.
      return { missing: hasData && this.#queues.size === 0 ? ['*'] : [], shortened: [] };
    }
    const missing = listed.filter((key) => !this.#queues.has(key) || this.#queues.get(key)!.maxOffset === 0);
    const shortened: ShortenedQueue[] = [];
    for (const [key, queue] of this.#queues) {
      const was = recorded[key];
      if (typeof was === 'number' && queue.maxOffset > 0 && queue.maxOffset < was) {
        shortened.push({ queue: key, entries: queue.maxOffset, recorded: was, lastPhyEnd: queue.lastPhyEnd });
      }
    }
    return { missing, shortened };
  }

  get listDirty(): boolean {
    return this.#listDirty;
  }

  /** Writes queues.json (atomically, fdatasync'ed off the event loop): the queues and each one's entry count. */
  async writeList(): Promise<void> {
    this.#listDirty = false;
    const keys = [...this.#queues.keys()].sort();
    const maxOffsets = Object.fromEntries(keys.map((key) => [key, this.#queues.get(key)!.maxOffset]));
    try {
      await writeFileAtomic(this.#listFile, JSON.stringify({ queues: keys, maxOffsets }));
    } catch (err) {
      this.#listDirty = true;
      throw err;
    }
  }

  /** Closes every queue (buffered entries are written first). */
  close(): void {
    for (const queue of this.#queues.values()) queue.close();
  }
}
