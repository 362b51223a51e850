/**
 * The audit log: one JSON line per write made through the console or its API, in
 * ROCKETDECK_HOME/console/audit/audit-<yyyy-mm-dd>.jsonl (UTC days, mode 0600). Files older than the retention
 * (ROCKETDECK_AUDIT_RETENTION_DAYS, default 90) are deleted when a new day's first entry is written.
 * Queries read the day files of the asked range newest first, filter, and page on the server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { consoleHome } from '../security/config';
import { AUDIT_LINE_BYTES_MAX, AUDIT_RETENTION_DAYS_DEFAULT, AUDIT_SCAN_ENTRIES_MAX } from '../security/limits';

export interface AuditEntry {
  time: number;
  /** The request's id (also in the response header x-rocketdeck-request-id). */
  id: string;
  who: string;
  kind: 'user' | 'token' | 'local' | 'anonymous';
  role: string | null;
  action: string;
  target: string;
  method: string;
  path: string;
  status: number;
  /** "ok", or the error code of the answer (forbidden, invalid_input, broker_refused, ...). */
  result: string;
  address: string;
  forwardedFor?: string;
  userAgent?: string;
  durationMs: number;
  before?: unknown;
  after?: unknown;
  detail?: unknown;
  /** Set when before/after/detail were cut to keep the line under AUDIT_LINE_BYTES_MAX. */
  truncated?: boolean;
}

export const auditDir = (): string => path.join(consoleHome(), 'audit');
const FILE = /^audit-(\d{4}-\d{2}-\d{2})\.jsonl$/;
const DAY_MS = 86_400_000;
/** The filter lists (actions, users seen) come from this many newest entries. */
const FACET_ENTRIES_MAX = 5_000;

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function retentionDays(env: Record<string, string | undefined> = process.env): number {
  const days = Number(env.ROCKETDECK_AUDIT_RETENTION_DAYS);
  return Number.isInteger(days) && days >= 1 && days <= 3650 ? days : AUDIT_RETENTION_DAYS_DEFAULT;
}

const state = ((globalThis as unknown as { __rocketdeckAuditState?: { prunedDay: string } }).__rocketdeckAuditState ??= { prunedDay: '' });

/** Deletes day files older than the retention; returns the days removed. */
export function pruneAudit(now = Date.now(), days = retentionDays()): string[] {
  const oldestKept = utcDay(now - (days - 1) * DAY_MS);
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(auditDir());
  } catch {
    return removed;
  }
  for (const name of names) {
    const day = FILE.exec(name)?.[1];
    if (day && day < oldestKept) {
      fs.rmSync(path.join(auditDir(), name), { force: true });
      removed.push(day);
    }
  }
  return removed;
}

/** The line to store: before/after/detail are cut when the whole line would exceed the maximum. */
export function auditLine(entry: AuditEntry): string {
  const line = JSON.stringify(entry);
  if (Buffer.byteLength(line) <= AUDIT_LINE_BYTES_MAX) return line;
  const cut = (value: unknown) => {
    if (value === undefined) return undefined;
    const text = JSON.stringify(value);
    return { cut: true, bytes: Buffer.byteLength(text), preview: text.slice(0, Math.floor(AUDIT_LINE_BYTES_MAX / 8)) };
  };
  const smaller = { ...entry, before: cut(entry.before), after: cut(entry.after), detail: cut(entry.detail), truncated: true };
  const again = JSON.stringify(smaller);
  return Buffer.byteLength(again) <= AUDIT_LINE_BYTES_MAX ? again : JSON.stringify({ ...entry, before: undefined, after: undefined, detail: undefined, truncated: true, target: entry.target.slice(0, 1024) });
}

export function appendAudit(entry: AuditEntry): void {
  const day = utcDay(entry.time);
  fs.mkdirSync(auditDir(), { recursive: true, mode: 0o700 });
  if (state.prunedDay !== day) {
    state.prunedDay = day;
    pruneAudit(entry.time);
  }
  fs.appendFileSync(path.join(auditDir(), `audit-${day}.jsonl`), `${auditLine(entry)}\n`, { mode: 0o600 });
}

export interface AuditFilter {
  user: string;
  action: string;
  target: string;
  /** "" any, "ok", "error" (anything but ok), or one error code. */
  result: string;
  from?: number;
  to?: number;
  page: number;
  pageSize: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  total: number;
  page: number;
  pages: number;
  scanned: number;
  /** True when the scan stopped at AUDIT_SCAN_ENTRIES_MAX: narrow the time range to see older entries. */
  scanLimited: boolean;
  actions: string[];
  users: string[];
}

function matches(entry: AuditEntry, filter: AuditFilter, needles: { user: string; action: string; target: string }): boolean {
  if (filter.from !== undefined && entry.time < filter.from) return false;
  if (filter.to !== undefined && entry.time >= filter.to) return false;
  if (needles.user && !entry.who.toLowerCase().includes(needles.user)) return false;
  if (needles.action && !entry.action.toLowerCase().includes(needles.action)) return false;
  if (needles.target && !entry.target.toLowerCase().includes(needles.target)) return false;
  if (filter.result === 'ok') return entry.result === 'ok';
  if (filter.result === 'error') return entry.result !== 'ok';
  return !filter.result || entry.result === filter.result;
}

/** Day files overlapping [from, to), newest first. */
function dayFiles(from: number | undefined, to: number | undefined): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(auditDir());
  } catch {
    return [];
  }
  const first = from === undefined ? '' : utcDay(from);
  const last = to === undefined ? '9999-99-99' : utcDay(Math.max(0, to - 1));
  return names
    .map((name) => FILE.exec(name)?.[1])
    .filter((day): day is string => !!day && day >= first && day <= last)
    .sort()
    .reverse()
    .map((day) => path.join(auditDir(), `audit-${day}.jsonl`));
}

export function queryAudit(filter: AuditFilter, scanMax = AUDIT_SCAN_ENTRIES_MAX): AuditPage {
  const needles = { user: filter.user.toLowerCase(), action: filter.action.toLowerCase(), target: filter.target.toLowerCase() };
  // Only needles that JSON writes as they are (no quotes, backslashes, control or non-ASCII characters).
  const textNeedles = [needles.user, needles.action, needles.target, filter.result === 'ok' || filter.result === 'error' ? '' : filter.result].filter((n) => n && /^[\x20-\x7e]+$/.test(n) && !/["\\]/.test(n));
  const skip = (filter.page - 1) * filter.pageSize;
  const entries: AuditEntry[] = [];
  const actions = new Set<string>();
  const users = new Set<string>();
  let total = 0;
  let scanned = 0;
  let scanLimited = false;
  outer: for (const file of dayFiles(filter.from, filter.to)) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!;
      if (!line) continue;
      if (scanned >= scanMax) {
        scanLimited = true;
        break outer;
      }
      scanned++;
      // Cheap text check first: a line that does not contain every needle cannot match (facets read the newest ones anyway).
      const facets = scanned <= FACET_ENTRIES_MAX;
      if (!facets && textNeedles.length > 0) {
        const lower = line.toLowerCase();
        if (!textNeedles.every((n) => lower.includes(n))) continue;
      }
      let entry: AuditEntry;
      try {
        entry = JSON.parse(line) as AuditEntry;
      } catch {
        continue; // a torn last line after a crash: skipped, the rest of the file is intact
      }
      if (facets && actions.size < 200) actions.add(entry.action);
      if (facets && users.size < 200) users.add(entry.who);
      if (!matches(entry, filter, needles)) continue;
      if (total >= skip && entries.length < filter.pageSize) entries.push(entry);
      total++;
    }
  }
  const pages = Math.max(1, Math.ceil(total / filter.pageSize));
  return { entries, total, page: filter.page, pages, scanned, scanLimited, actions: [...actions].sort(), users: [...users].sort() };
}
