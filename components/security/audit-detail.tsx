'use client';
/** One audit entry: every field, and what changed between before and after, field by field. */
import { Dialog } from '@/components/ui/dialog';
import { KeyValueTable, Table, td } from '@/components/ui/table';
import { formatTime } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import type { AuditEntry } from '@/lib/server/audit/audit-log';

/** An entry as GET /api/audit answers it. */
export type AuditEntryView = AuditEntry;

const CHANGES_MAX = 500;

/** Leaf values by dotted path ("configs.0.perm"), for a field-by-field comparison. */
export function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (out.size >= CHANGES_MAX * 4) return out;
  if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else if (value !== undefined) {
    out.set(prefix || '(value)', typeof value === 'string' ? value : JSON.stringify(value));
  }
  return out;
}

export function changes(before: unknown, after: unknown): { path: string; before?: string; after?: string }[] {
  const a = flatten(before);
  const b = flatten(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths.filter((p) => a.get(p) !== b.get(p)).slice(0, CHANGES_MAX).map((p) => ({ path: p, before: a.get(p), after: b.get(p) }));
}

export function ResultBadge({ result }: { result: string }) {
  return <span className={`rounded px-1.5 py-0.5 font-mono text-xs ${result === 'ok' ? 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100' : 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200'}`}>{result}</span>;
}

export function AuditDetailDialog({ entry, onClose }: { entry: AuditEntryView; onClose: () => void }) {
  const { t } = useI18n();
  const hasDiff = entry.before !== undefined || entry.after !== undefined;
  const diff = hasDiff ? changes(entry.before, entry.after) : [];
  return (
    <Dialog title={`${t('audit.entry')} · ${entry.action}`} onClose={onClose} closeLabel={t('common.close')}>
      <div className="space-y-4">
        <KeyValueTable
          sorted={false}
          table={{
            [t('audit.time')]: formatTime(entry.time), [t('audit.who')]: `${entry.who} (${entry.kind}${entry.role ? `, ${entry.role}` : ''})`, [t('audit.action')]: entry.action, [t('audit.target')]: entry.target,
            [t('audit.request')]: `${entry.method} ${entry.path}`, [t('audit.result')]: `${entry.result} (HTTP ${entry.status}, ${entry.durationMs} ms)`, [t('audit.address')]: entry.address + (entry.forwardedFor ? ` (X-Forwarded-For ${entry.forwardedFor})` : ''),
            'User-Agent': entry.userAgent ?? '–', [t('audit.requestId')]: entry.id,
          }}
        />
        {entry.truncated && <p className="text-xs text-amber-700 dark:text-amber-400">{t('audit.truncated')}</p>}
        {hasDiff && (
          <section aria-label={t('audit.changes')}>
            <h3 className="mb-1 font-medium">{t('audit.changes')}</h3>
            {diff.length === 0 ? (
              <p className="text-sm text-slate-500">{t('audit.noChange')}</p>
            ) : (
              <Table testId="audit-changes" head={[t('audit.field'), t('audit.before'), t('audit.after')]}>
                {diff.map((c) => (
                  <tr key={c.path}>
                    <td className={`${td} font-mono text-xs`}>{c.path}</td>
                    <td className={`${td} whitespace-pre-wrap break-all font-mono text-xs text-red-700 dark:text-red-300`}>{c.before ?? '–'}</td>
                    <td className={`${td} whitespace-pre-wrap break-all font-mono text-xs text-emerald-700 dark:text-emerald-300`}>{c.after ?? '–'}</td>
                  </tr>
                ))}
              </Table>
            )}
          </section>
        )}
        {(['before', 'after', 'detail'] as const).map((k) =>
          entry[k] === undefined ? null : (
            <details key={k}>
              <summary className="cursor-pointer text-sm font-medium">{t(`audit.${k}`)} (JSON)</summary>
              <pre className="mt-1 max-h-72 overflow-auto rounded bg-slate-100 p-2 text-xs dark:bg-slate-800">{JSON.stringify(entry[k], null, 2)}</pre>
            </details>
          ),
        )}
      </div>
    </Dialog>
  );
}
