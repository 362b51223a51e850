/**
 * Live tail: new messages of a topic as they arrive. One long-polling PULL_MESSAGE per queue, from each
 * queue's max offset (or a paused tail's cursor), never committing an offset (the tools group gets no consumer
 * offset, so no group lag appears anywhere). Each tail has its own connection to each broker, closed when the
 * tail stops: the broker then lets go of the held pulls at once. At most `rate` matching messages per second
 * are forwarded; the rest are counted as skipped, so a busy topic cannot flood the browser.
 */
import { AdminClient, type PullOnceResult } from '@broker/client/admin-client';
import { PULL_MESSAGES_MAX, TAIL_BACKLOG_PER_QUEUE_MAX, TAIL_PULL_SUSPEND_MS, TAIL_SESSIONS_MAX } from '@broker/config/limits';
import { queueRefText, type FilterInput } from '@/lib/explorer/schema';
import { TOOLS_CONSUMER_GROUP, toMessageRow, type MessageRow } from '../messages';
import { compileFilters, type CompiledFilters } from './filters';
import { RegexTimeoutError } from './regex-tester';
import type { QueueSpan } from './scanner';

export interface TailStats {
  /** Messages read from the queues. */
  received: number;
  /** Of those, messages that passed the filters. */
  matched: number;
  /** Matching messages sent to the browser. */
  forwarded: number;
  /** Matching messages not sent because of the rate cap, plus any backlog jumped after a long pause. */
  skipped: number;
  /** Where each queue would resume: broker:queueId:offset. */
  cursor: string[];
}

export type TailEvent =
  | { event: 'start'; data: { queues: string[]; rate: number; cursor: string[] } }
  | { event: 'message'; data: MessageRow }
  | { event: 'stats'; data: TailStats }
  | { event: 'warning'; data: { message: string } }
  | { event: 'end'; data: { reason: 'stopped' | 'regexTimeout' | 'error'; message?: string } };

/** A forwarded-messages budget refilled continuously at `rate` per second, holding at most one second's worth. */
export class RateCap {
  #tokens: number;
  #at = Date.now();
  constructor(readonly ratePerSecond: number) {
    this.#tokens = ratePerSecond;
  }

  take(now = Date.now()): boolean {
    this.#tokens = Math.min(this.ratePerSecond, this.#tokens + ((now - this.#at) / 1000) * this.ratePerSecond);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

const STATS_INTERVAL_MS = 1_000;
/** Wait after a failed pull before the next (the broker restarts, the route changes). */
const RETRY_AFTER_FAILURE_MS = 1_000;

interface Cursor {
  queue: QueueSpan;
  offset: number;
}

export class Tail {
  readonly stats: TailStats = { received: 0, matched: 0, forwarded: 0, skipped: 0, cursor: [] };
  readonly #admin: AdminClient;
  readonly #filters: CompiledFilters;
  readonly #cap: RateCap;
  readonly #cursors: Cursor[];
  #pullsInFlight = 0;
  #stopped = false;
  #loops: Promise<void>[] = [];
  #timer: NodeJS.Timeout | undefined;
  #lastStats = '';
  #wakeRetry = new Set<() => void>();

  constructor(
    namesrvAddr: string[],
    starts: { queue: QueueSpan; offset: number }[],
    filters: FilterInput,
    rate: number,
    private readonly emit: (event: TailEvent) => void,
  ) {
    // Its own connections: closing them is what lets the broker drop this tail's held pulls.
    this.#admin = new AdminClient({ namesrvAddr, timeoutMs: 4_000 });
    this.#filters = compileFilters(filters);
    this.#cap = new RateCap(rate);
    this.#cursors = starts.map((s) => ({ queue: s.queue, offset: s.offset }));
  }

  get pullsInFlight(): number {
    return this.#pullsInFlight;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  start(): void {
    this.emit({ event: 'start', data: { queues: this.#cursors.map((c) => queueRefText(c.queue)), rate: this.#cap.ratePerSecond, cursor: this.#cursorText() } });
    this.#loops = this.#cursors.map((c) => this.#follow(c));
    this.#timer = setInterval(() => this.#sendStats(), STATS_INTERVAL_MS);
    this.#sendStats();
  }

  /** Stops every pull and closes the tail's connections; resolves when every queue's loop has ended. */
  async stop(reason: 'stopped' | 'regexTimeout' | 'error' = 'stopped', message?: string): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    for (const wake of this.#wakeRetry) wake();
    await this.#admin.close();
    await Promise.allSettled(this.#loops);
    await this.#filters.close();
    this.#sendStats();
    this.emit({ event: 'end', data: { reason, ...(message ? { message } : {}) } });
  }

  #cursorText(): string[] {
    return this.#cursors.map((c) => `${queueRefText(c.queue)}:${c.offset}`);
  }

  #sendStats(): void {
    this.stats.cursor = this.#cursorText();
    const text = JSON.stringify(this.stats);
    if (text === this.#lastStats) return;
    this.#lastStats = text;
    this.emit({ event: 'stats', data: { ...this.stats, cursor: [...this.stats.cursor] } });
  }

  async #follow(cursor: Cursor): Promise<void> {
    while (!this.#stopped) {
      let result: PullOnceResult;
      this.#pullsInFlight++;
      try {
        result = await this.#admin.pullOnce(cursor.queue.addr, {
          consumerGroup: TOOLS_CONSUMER_GROUP, topic: cursor.queue.topic, queueId: cursor.queue.queueId, offset: cursor.offset,
          maxNums: PULL_MESSAGES_MAX, subscription: this.#filters.subscription, suspendMs: TAIL_PULL_SUSPEND_MS,
        });
      } catch (err) {
        if (this.#stopped) return;
        this.emit({ event: 'warning', data: { message: `${queueRefText(cursor.queue)}: ${err instanceof Error ? err.message : String(err)} (retrying)` } });
        await this.#pause(RETRY_AFTER_FAILURE_MS);
        continue;
      } finally {
        this.#pullsInFlight--;
      }
      if (this.#stopped) return;
      await this.#take(cursor, result);
    }
  }

  async #take(cursor: Cursor, result: PullOnceResult): Promise<void> {
    const fresh = result.messages.filter((m) => m.queueOffset >= cursor.offset);
    const last = fresh[fresh.length - 1];
    cursor.offset = Math.max(cursor.offset, result.nextBeginOffset, last ? last.queueOffset + 1 : 0);
    if (result.status === 'OFFSET_ILLEGAL' && result.nextBeginOffset < cursor.offset) cursor.offset = result.nextBeginOffset;
    const backlog = result.maxOffset - cursor.offset;
    if (backlog > TAIL_BACKLOG_PER_QUEUE_MAX) {
      this.stats.skipped += backlog - TAIL_BACKLOG_PER_QUEUE_MAX;
      cursor.offset = result.maxOffset - TAIL_BACKLOG_PER_QUEUE_MAX;
    }
    if (fresh.length === 0) return;
    this.stats.received += fresh.length;
    let matched;
    try {
      matched = await this.#filters.apply(fresh, 2_000);
    } catch (err) {
      if (err instanceof RegexTimeoutError) void this.stop('regexTimeout', err.message);
      else void this.stop('error', err instanceof Error ? err.message : String(err));
      return;
    }
    this.stats.matched += matched.length;
    for (const m of matched) {
      if (this.#stopped) return;
      if (this.#cap.take()) {
        this.stats.forwarded++;
        this.emit({ event: 'message', data: toMessageRow(m, cursor.queue.brokerName) });
      } else this.stats.skipped++;
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakeRetry.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakeRetry.add(wake);
    });
  }
}

const holder = globalThis as unknown as { __rocketdeckTails?: Set<Tail> };
const tails = (holder.__rocketdeckTails ??= new Set<Tail>());

export type OpenTailResult = { ok: true; tail: Tail } | { ok: false; busy: string };

/** A started tail, counted against TAIL_SESSIONS_MAX until it stops. */
export function openTail(namesrvAddr: string[], starts: { queue: QueueSpan; offset: number }[], filters: FilterInput, rate: number, emit: (event: TailEvent) => void): OpenTailResult {
  for (const t of tails) if (t.stopped) tails.delete(t);
  if (tails.size >= TAIL_SESSIONS_MAX) return { ok: false, busy: `${tails.size} live tails are open (at most ${TAIL_SESSIONS_MAX}): close one first` };
  const tail = new Tail(namesrvAddr, starts, filters, rate, (event) => {
    if (event.event === 'end') tails.delete(tail);
    emit(event);
  });
  tails.add(tail);
  tail.start();
  return { ok: true, tail };
}

/** Tails open now and their pulls waiting at brokers (a closed browser must bring both back to 0). */
export function tailStatus(): { tails: number; pullsInFlight: number } {
  let pulls = 0;
  for (const t of tails) pulls += t.pullsInFlight;
  return { tails: tails.size, pullsInFlight: pulls };
}

/** Start offsets: a resumed tail's cursor where it names a queue, else the queue's end now. */
export function tailStarts(queues: QueueSpan[], cursor: string[]): { queue: QueueSpan; offset: number }[] {
  const resume = new Map<string, number>();
  for (const entry of cursor) {
    const at = entry.lastIndexOf(':');
    resume.set(entry.slice(0, at), Number(entry.slice(at + 1)));
  }
  return queues.map((queue) => {
    const saved = resume.get(queueRefText(queue));
    const offset = saved === undefined ? queue.maxOffset : Math.min(queue.maxOffset, Math.max(queue.minOffset, saved));
    return { queue, offset };
  });
}
