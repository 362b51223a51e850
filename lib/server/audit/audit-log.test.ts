/** The audit log on real files: one line per entry in day files, retention, filters and server paging, torn lines. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempHome } from '../security/testing';
import { appendAudit, auditDir, auditLine, pruneAudit, queryAudit, type AuditEntry, type AuditFilter } from './audit-log';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);

function entry(overrides: Partial<AuditEntry>): AuditEntry {
  return { time: T0, id: `id-${Math.random()}`, who: 'ann', kind: 'user', role: 'admin', action: 'topic.create', target: 'Orders', method: 'POST', path: '/api/topics', status: 201, result: 'ok', address: '10.0.0.1', durationMs: 5, ...overrides };
}

const all: AuditFilter = { user: '', action: '', target: '', result: '', page: 1, pageSize: 50 };

describe('audit log', () => {
  useTempHome();

  it('appends JSON lines to one 0600 file per UTC day and reads them back newest first', () => {
    appendAudit(entry({ time: T0, target: 'A' }));
    appendAudit(entry({ time: T0 + 1000, target: 'B' }));
    appendAudit(entry({ time: T0 + DAY, target: 'C' }));
    expect(fs.readdirSync(auditDir()).sort()).toEqual(['audit-2026-11-20.jsonl', 'audit-2026-11-21.jsonl']);
    const file = path.join(auditDir(), 'audit-2026-11-20.jsonl');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).target)).toEqual(['A', 'B']);
    expect(queryAudit(all).entries.map((e) => e.target)).toEqual(['C', 'B', 'A']);
  });

  it('filters by user, action, target, result and time, and pages on the server', () => {
    for (let i = 0; i < 30; i++) appendAudit(entry({ time: T0 + i * 1000, who: i % 2 ? 'ann' : 'ci-token', kind: i % 2 ? 'user' : 'token', action: i % 3 ? 'topic.update' : 'offset.reset', target: `T${i}`, result: i % 5 ? 'ok' : 'forbidden', status: i % 5 ? 200 : 403 }));
    expect(queryAudit({ ...all, user: 'CI' }).total).toBe(15);
    expect(queryAudit({ ...all, action: 'offset' }).total).toBe(10);
    expect(queryAudit({ ...all, target: 't2' }).entries.map((e) => e.target)).toEqual(['T29', 'T28', 'T27', 'T26', 'T25', 'T24', 'T23', 'T22', 'T21', 'T20', 'T2']);
    expect(queryAudit({ ...all, result: 'error' }).total).toBe(6);
    expect(queryAudit({ ...all, result: 'forbidden' }).total).toBe(6);
    expect(queryAudit({ ...all, result: 'ok' }).total).toBe(24);
    expect(queryAudit({ ...all, from: T0 + 10_000, to: T0 + 20_000 }).entries.map((e) => e.target)).toEqual(['T19', 'T18', 'T17', 'T16', 'T15', 'T14', 'T13', 'T12', 'T11', 'T10']);
    const page2 = queryAudit({ ...all, page: 2, pageSize: 7 });
    expect(page2).toMatchObject({ total: 30, pages: 5, page: 2 });
    expect(page2.entries.map((e) => e.target)).toEqual(['T22', 'T21', 'T20', 'T19', 'T18', 'T17', 'T16']);
    expect(page2.actions).toEqual(['offset.reset', 'topic.update']);
    expect(page2.users).toEqual(['ann', 'ci-token']);
  });

  it('finds targets JSON escapes (quotes, non-ASCII) beyond the newest entries too', () => {
    appendAudit(entry({ time: T0, target: 'say "hi" 订单' }));
    for (let i = 1; i <= 6_000; i++) appendAudit(entry({ time: T0 + i, target: `T${i}` }));
    expect(queryAudit({ ...all, target: '"hi"' }).entries.map((e) => e.target)).toEqual(['say "hi" 订单']);
    expect(queryAudit({ ...all, target: '订单' }).total).toBe(1);
    expect(queryAudit({ ...all, target: 't599' }).total).toBe(11);
  });

  it('says when a query stopped at its scan maximum', () => {
    for (let i = 0; i < 20; i++) appendAudit(entry({ time: T0 + i }));
    expect(queryAudit(all, 10)).toMatchObject({ total: 10, scanned: 10, scanLimited: true });
  });

  it('skips a torn last line (a crash mid-append) and keeps the rest', () => {
    appendAudit(entry({ target: 'kept' }));
    fs.appendFileSync(path.join(auditDir(), 'audit-2026-11-20.jsonl'), '{"time":17963,"who":"an');
    expect(queryAudit(all).entries.map((e) => e.target)).toEqual(['kept']);
  });

  it('deletes day files older than the retention, and only those', () => {
    for (let d = 0; d < 5; d++) appendAudit(entry({ time: T0 - d * DAY }));
    expect(pruneAudit(T0, 3)).toEqual(['2026-11-16', '2026-11-17']);
    expect(fs.readdirSync(auditDir()).sort()).toEqual(['audit-2026-11-18.jsonl', 'audit-2026-11-19.jsonl', 'audit-2026-11-20.jsonl']);
  });

  it('cuts before/after of a huge entry so one line stays under its maximum', () => {
    const queues = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`broker-a:${i}`, i]));
    const line = auditLine(entry({ before: queues, after: queues }));
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(64 * 1024);
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({ truncated: true, target: 'Orders', before: { cut: true } });
    expect(parsed.before.bytes).toBeGreaterThan(64 * 1024);
  });
});
