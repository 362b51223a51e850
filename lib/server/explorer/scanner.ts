/**
 * The explorer's scan: reads chosen queues of a topic from a starting point (oldest, newest N per queue, a
 * time, an offset) up to each queue's end as it was when the scan started, with PULL_MESSAGE (no offsets
 * committed: the console's tools group never gets a consumer offset), filters every message, and stops at the
 * first bound reached: messages scanned, results kept, time, a cancel, or nobody asking for it any more.
 * Queues are read round robin, a few pulls in flight, so every queue moves forward together; "newest N" reads
 * each queue backwards from its end, one pull's window at a time, so a results bound keeps the newest.
 */
import type { AdminClient, PullOnceResult } from '@broker/client/admin-client';
import type { MessageExt } from '@broker/client/message';
import { EXPLORER_PULLS_IN_FLIGHT_MAX, EXPLORER_REGEX_BATCH_TIME_MS_MAX, PULL_MESSAGES_MAX } from '@broker/config/limits';
import { parseQueueRef, type ScanRequest } from '@/lib/explorer/schema';
import { TOOLS_CONSUMER_GROUP } from '../messages';
import type { CompiledFilters } from './filters';
import { RegexTimeoutError } from './regex-tester';

export interface QueueSpan {
  topic: string;
  brokerName: string;
  addr: string;
  queueId: number;
  minOffset: number;
  maxOffset: number;
}

/** One queue of a scan: read [from, to). */
export interface ScanQueue extends QueueSpan {
  from: number;
  to: number;
}

export type PlanResult = { ok: true; queues: ScanQueue[] } | { ok: false; fields: Record<string, string> };

/** Every readable queue of a topic with its offsets, by broker then queue id; null when the topic has no route. */
export async function topicQueues(admin: AdminClient, topic: string): Promise<QueueSpan[] | null> {
  const route = await admin.getTopicRoute(topic);
  if (!route) return null;
  const spans: QueueSpan[] = [];
  for (const qd of route.queueDatas) {
    const addr = route.brokerDatas.find((b) => b.brokerName === qd.brokerName)?.brokerAddrs['0'];
    if (!addr) continue;
    const stats = await admin.getTopicStats(addr, topic);
    for (let queueId = 0; queueId < qd.readQueueNums; queueId++) {
      const offsets = stats.offsetTable.find((o) => o.queue.brokerName === qd.brokerName && o.queue.queueId === queueId)?.offset;
      spans.push({ topic, brokerName: qd.brokerName, addr, queueId, minOffset: offsets?.minOffset ?? 0, maxOffset: offsets?.maxOffset ?? 0 });
    }
  }
  return spans.sort((a, b) => a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId);
}

/** The queues chosen by name (all when none is named), or the field error naming the one that does not exist. */
export function chooseQueues(all: QueueSpan[], names: string[]): { ok: true; queues: QueueSpan[] } | { ok: false; fields: Record<string, string> } {
  if (names.length === 0) return { ok: true, queues: all };
  const chosen: QueueSpan[] = [];
  for (const name of new Set(names)) {
    const ref = parseQueueRef(name);
    const span = ref && all.find((q) => q.brokerName === ref.brokerName && q.queueId === ref.queueId);
    if (!span) return { ok: false, fields: { queues: `The topic has no readable queue ${name}` } };
    chosen.push(span);
  }
  return { ok: true, queues: chosen };
}

/** Where each chosen queue's scan starts and ends. */
export async function planScan(admin: AdminClient, request: ScanRequest): Promise<PlanResult> {
  const all = await topicQueues(admin, request.topic);
  if (!all) return { ok: false, fields: { topic: `Topic "${request.topic}" does not exist` } };
  const chosen = chooseQueues(all, request.queues);
  if (!chosen.ok) return chosen;
  const queues = await Promise.all(
    chosen.queues.map(async (q): Promise<ScanQueue> => {
      const clamp = (offset: number) => Math.min(q.maxOffset, Math.max(q.minOffset, offset));
      let from: number;
      if (request.seek === 'oldest') from = q.minOffset;
      else if (request.seek === 'newest') from = clamp(q.maxOffset - request.newest);
      else if (request.seek === 'offset') from = clamp(request.seekOffset ?? 0);
      else from = clamp(await admin.searchOffset(q.addr, request.topic, q.queueId, request.seekTime ?? 0));
      return { ...q, from, to: q.maxOffset };
    }),
  );
  return { ok: true, queues };
}

export type ScanStopReason = 'end' | 'maxMessages' | 'maxResults' | 'timeLimit' | 'cancelled' | 'abandoned' | 'regexTimeout' | 'error';

export interface ScanLimits {
  maxMessages: number;
  maxResults: number;
  maxMs: number;
}

export interface ScanHooks {
  /** Called with each batch's matching messages (already cut to the results still wanted). */
  onMatches(messages: MessageExt[], queue: ScanQueue): void;
  /** Checked before each pull: a reason to stop now, or null to go on. */
  shouldStop(): 'cancelled' | 'abandoned' | null;
  /** Offsets read so far changed. */
  onProgress?(scanned: number): void;
}

export interface ScanOutcome {
  stopReason: ScanStopReason;
  scanned: number;
  matched: number;
  error?: string;
}

export type Pull = (queue: ScanQueue, offset: number, maxNums: number, subscription: string) => Promise<PullOnceResult>;

export function adminPull(admin: AdminClient): Pull {
  return (queue, offset, maxNums, subscription) => admin.pullOnce(queue.addr, { consumerGroup: TOOLS_CONSUMER_GROUP, topic: queue.topic, queueId: queue.queueId, offset, maxNums, subscription });
}

interface Cursor {
  queue: ScanQueue;
  /** The window being read: [start, end), `next` its next offset. */
  start: number;
  next: number;
  end: number;
}

/**
 * Runs a planned scan to its first bound. Never throws: a failure is the outcome's `error`. `backward` reads
 * each queue from its end (newest first), so a results bound keeps the newest matches.
 */
export async function runScan(queues: ScanQueue[], filters: CompiledFilters, limits: ScanLimits, pull: Pull, hooks: ScanHooks, direction: 'forward' | 'backward' = 'forward'): Promise<ScanOutcome> {
  const startedAt = Date.now();
  const deadline = startedAt + limits.maxMs;
  // Each queue is read forward through a window [start, end). Forward scans have one window, the whole range;
  // backward scans (newest first) step windows of one pull from the end towards `from`.
  const window = (q: ScanQueue, end: number): Cursor => {
    const start = direction === 'backward' ? Math.max(q.from, end - PULL_MESSAGES_MAX) : q.from;
    return { queue: q, start, next: start, end };
  };
  const ring = queues.filter((q) => q.from < q.to).map((q) => window(q, q.to));
  let scanned = 0;
  let reserved = 0;
  let matched = 0;
  let stop: { reason: ScanStopReason; error?: string } | null = null;

  const step = async (cursor: Cursor): Promise<boolean> => {
    const { queue } = cursor;
    const maxNums = Math.min(PULL_MESSAGES_MAX, cursor.end - cursor.next, limits.maxMessages - scanned - reserved);
    reserved += maxNums;
    let result: PullOnceResult;
    try {
      result = await pull(queue, cursor.next, maxNums, filters.subscription);
    } finally {
      reserved -= maxNums;
    }
    let next = Math.max(cursor.next, Math.min(result.nextBeginOffset, cursor.end));
    const inRange = result.messages.filter((m) => m.queueOffset >= cursor.next && m.queueOffset < cursor.end);
    const last = inRange[inRange.length - 1];
    if (last) next = Math.max(next, last.queueOffset + 1);
    scanned += next - cursor.next;
    const progressed = next > cursor.next;
    cursor.next = next;
    hooks.onProgress?.(scanned);
    if (inRange.length > 0) {
      const remainingMs = deadline - Date.now();
      const regexMs = Math.max(1, Math.min(EXPLORER_REGEX_BATCH_TIME_MS_MAX, remainingMs));
      let passed: MessageExt[];
      try {
        passed = await filters.apply(inRange, regexMs);
      } catch (err) {
        if (err instanceof RegexTimeoutError) {
          stop ??= regexMs < EXPLORER_REGEX_BATCH_TIME_MS_MAX ? { reason: 'timeLimit' } : { reason: 'regexTimeout', error: err.message };
          return false;
        }
        throw err;
      }
      // Backward, the newest of a window are the ones to keep when the results bound cuts it.
      const wanted = (direction === 'backward' ? [...passed].reverse() : passed).slice(0, Math.max(0, limits.maxResults - matched));
      matched += wanted.length;
      if (wanted.length > 0) hooks.onMatches(wanted, queue);
      if (matched >= limits.maxResults) stop ??= { reason: 'maxResults' };
    }
    // A queue that did not move (its end moved below us, or it is empty now) is done.
    if (!progressed) return false;
    if (cursor.next < cursor.end) return true;
    if (cursor.start <= queue.from) return false;
    Object.assign(cursor, window(queue, cursor.start));
    return true;
  };

  const worker = async () => {
    while (!stop) {
      const requested = hooks.shouldStop();
      if (requested) stop ??= { reason: requested };
      else if (Date.now() >= deadline) stop ??= { reason: 'timeLimit' };
      else if (scanned >= limits.maxMessages && ring.length > 0) stop ??= { reason: 'maxMessages' };
      // Out of queues, or the rest of the budget is in another worker's pull (it goes on alone).
      if (stop || ring.length === 0 || scanned + reserved >= limits.maxMessages) return;
      const cursor = ring.shift()!;
      if (await step(cursor)) ring.push(cursor);
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(EXPLORER_PULLS_IN_FLIGHT_MAX, ring.length)) }, worker));
  } catch (err) {
    stop ??= { reason: 'error', error: err instanceof Error ? err.message : String(err) };
  }
  const final = stop as { reason: ScanStopReason; error?: string } | null;
  return { stopReason: final?.reason ?? 'end', scanned, matched, ...(final?.error ? { error: final.error } : {}) };
}
