/**
 * Explorer scans as jobs the browser polls: started by POST, read (progress and new results) by GET, stopped by
 * DELETE. Bounded: EXPLORER_SCANS_RUNNING_MAX at once, EXPLORER_SCANS_KEPT_MAX remembered, a running scan
 * nobody polls for EXPLORER_SCAN_ABANDONED_MS stops by itself, a finished one is forgotten after
 * EXPLORER_SCAN_KEPT_MS. Kept on globalThis so a module reload does not orphan running scans.
 */
import { randomUUID } from 'node:crypto';
import type { AdminClient } from '@broker/client/admin-client';
import { EXPLORER_SCAN_ABANDONED_MS, EXPLORER_SCAN_KEPT_MS, EXPLORER_SCANS_KEPT_MAX, EXPLORER_SCANS_RUNNING_MAX } from '@broker/config/limits';
import { queueRefText, type ScanRequest } from '@/lib/explorer/schema';
import { toMessageRow, type MessageRow } from '../messages';
import { compileFilters } from './filters';
import { adminPull, planScan, runScan, type ScanQueue, type ScanStopReason } from './scanner';

export interface ScanSnapshot {
  id: string;
  topic: string;
  state: 'running' | 'done';
  stopReason: ScanStopReason | null;
  error: string | null;
  /** Offsets read so far, over every queue. */
  scanned: number;
  /** Offsets between each queue's start and its end when the scan started. */
  total: number;
  matched: number;
  startedAt: number;
  elapsedMs: number;
  limits: { maxMessages: number; maxResults: number; maxSeconds: number };
  queues: { queue: string; from: number; to: number }[];
  /** Results from index `resultsFrom` on (the poll's `after`). */
  resultsFrom: number;
  results: MessageRow[];
}

class ScanJob {
  readonly id = randomUUID();
  readonly startedAt = Date.now();
  state: 'running' | 'done' = 'running';
  stopReason: ScanStopReason | null = null;
  error: string | null = null;
  scanned = 0;
  finishedAt = 0;
  lastSeen = Date.now();
  cancelled = false;
  readonly results: MessageRow[] = [];

  constructor(readonly request: ScanRequest, readonly queues: ScanQueue[]) {}

  get total(): number {
    return this.queues.reduce((n, q) => n + (q.to - q.from), 0);
  }

  snapshot(after: number): ScanSnapshot {
    const from = Math.max(0, Math.min(after, this.results.length));
    return {
      id: this.id,
      topic: this.request.topic,
      state: this.state,
      stopReason: this.stopReason,
      error: this.error,
      scanned: this.scanned,
      total: this.total,
      matched: this.results.length,
      startedAt: this.startedAt,
      elapsedMs: (this.finishedAt || Date.now()) - this.startedAt,
      limits: { maxMessages: this.request.maxMessages, maxResults: this.request.maxResults, maxSeconds: this.request.maxSeconds },
      queues: this.queues.map((q) => ({ queue: queueRefText(q), from: q.from, to: q.to })),
      resultsFrom: from,
      results: this.results.slice(from),
    };
  }
}

const holder = globalThis as unknown as { __rocketdeckScans?: Map<string, ScanJob> };
const scans = (holder.__rocketdeckScans ??= new Map<string, ScanJob>());

function forgetOld(): void {
  const now = Date.now();
  for (const [id, job] of scans) if (job.state === 'done' && now - job.finishedAt > EXPLORER_SCAN_KEPT_MS) scans.delete(id);
  const finished = [...scans.values()].filter((j) => j.state === 'done').sort((a, b) => a.finishedAt - b.finishedAt);
  while (scans.size >= EXPLORER_SCANS_KEPT_MAX && finished.length > 0) scans.delete(finished.shift()!.id);
}

export type StartScanResult = { ok: true; snapshot: ScanSnapshot } | { ok: false; fields: Record<string, string> } | { ok: false; busy: string };

export async function startScan(admin: AdminClient, request: ScanRequest): Promise<StartScanResult> {
  forgetOld();
  const running = [...scans.values()].filter((j) => j.state === 'running').length;
  if (running >= EXPLORER_SCANS_RUNNING_MAX || scans.size >= EXPLORER_SCANS_KEPT_MAX) {
    return { ok: false, busy: `${running} scans are running (at most ${EXPLORER_SCANS_RUNNING_MAX} at once): wait for one to end or cancel it` };
  }
  const plan = await planScan(admin, request);
  if (!plan.ok) return plan;
  const filters = compileFilters(request);
  const job = new ScanJob(request, plan.queues);
  scans.set(job.id, job);
  void runScan(plan.queues, filters, { maxMessages: request.maxMessages, maxResults: request.maxResults, maxMs: request.maxSeconds * 1000 }, adminPull(admin), {
    onMatches: (messages, queue) => {
      for (const m of messages) job.results.push(toMessageRow(m, queue.brokerName));
    },
    onProgress: (scanned) => {
      job.scanned = scanned;
    },
    shouldStop: () => (job.cancelled ? 'cancelled' : Date.now() - job.lastSeen > EXPLORER_SCAN_ABANDONED_MS ? 'abandoned' : null),
  }, request.seek === 'newest' ? 'backward' : 'forward')
    .then((outcome) => {
      job.scanned = outcome.scanned;
      job.stopReason = outcome.stopReason;
      job.error = outcome.error ?? null;
    })
    .finally(() => {
      job.state = 'done';
      job.finishedAt = Date.now();
      void filters.close();
    });
  return { ok: true, snapshot: job.snapshot(0) };
}

/** A scan's progress and its results from `after` on; undefined when it is unknown or forgotten. */
export function readScan(id: string, after = 0): ScanSnapshot | undefined {
  const job = scans.get(id);
  if (!job) return undefined;
  job.lastSeen = Date.now();
  return job.snapshot(after);
}

/** Asks a running scan to stop (it does before its next pull). False when the scan is unknown. */
export function cancelScan(id: string): ScanSnapshot | undefined {
  const job = scans.get(id);
  if (!job) return undefined;
  job.cancelled = true;
  job.lastSeen = Date.now();
  return job.snapshot(job.results.length);
}

/** Scans running now (for the status route and tests). */
export function runningScans(): number {
  return [...scans.values()].filter((j) => j.state === 'running').length;
}
