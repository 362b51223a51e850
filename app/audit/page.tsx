'use client';
/** Audit: every write through the console or its API, newest first, filtered and paged on the server. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { AuditDetailDialog, ResultBadge, type AuditEntryView } from '@/components/security/audit-detail';
import { errorsOf, Field, inputClass, Pager, primaryButton, smallButton, zodFields } from '@/components/ui/form';
import { ErrorNote, Table, td } from '@/components/ui/table';
import { fetchJson, formatTime, fromLocalInput } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { AuditPage } from '@/lib/server/audit/audit-log';
import { auditQuerySchema } from '@/lib/validation';

type AuditAnswer = AuditPage & { retentionDays: number };

const EMPTY = { user: '', action: '', target: '', result: '', from: '', to: '' };

/** The query parameters of a filter form (times as ms), page and size included. */
function toParams(filter: typeof EMPTY, page: number): Record<string, string | number> {
  const params: Record<string, string | number> = { page, pageSize: 50 };
  for (const key of ['user', 'action', 'target', 'result'] as const) if (filter[key]) params[key] = filter[key];
  if (filter.from) params.from = fromLocalInput(filter.from);
  if (filter.to) params.to = fromLocalInput(filter.to);
  return params;
}

export default function AuditPageView() {
  const { t } = useI18n();
  const [form, setForm] = useState(EMPTY);
  const [filter, setFilter] = useState(EMPTY);
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<AuditEntryView | null>(null);
  const [formErrors, setFormErrors] = useState<Record<string, string>>({});
  const params = toParams(filter, page);
  const list = useQuery({
    queryKey: queryKeys.audit(params),
    queryFn: () => fetchJson<AuditAnswer>(`/api/audit?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  const errors = { ...(list.error ? errorsOf(list.error) : {}), ...formErrors };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = auditQuerySchema.safeParse(toParams(form, 1));
    setFormErrors(checked.success ? {} : zodFields(checked.error.issues));
    if (!checked.success) return;
    setPage(1);
    setFilter(form);
  };
  const data = list.data;
  const text = (name: 'user' | 'action' | 'target', label: string, options: string[]) => (
    <Field name={name} label={label} error={errors[name]} className="w-44">
      <input name={name} list={`audit-${name}s`} className={inputClass} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })} autoComplete="off" />
      <datalist id={`audit-${name}s`}>
        {options.map((o) => (
          <option key={o} value={o} />
        ))}
      </datalist>
    </Field>
  );
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t('audit.title')}</h1>
      <p className="text-sm text-slate-500">{t('audit.explain', { days: data?.retentionDays ?? 90 })}</p>
      <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3">
        {text('user', t('audit.who'), data?.users ?? [])}
        {text('action', t('audit.action'), data?.actions ?? [])}
        {text('target', t('audit.target'), [])}
        <Field name="result" label={t('audit.result')} error={errors.result} className="w-36">
          <select name="result" className={inputClass} value={form.result} onChange={(e) => setForm({ ...form, result: e.target.value })}>
            <option value="">{t('audit.anyResult')}</option>
            <option value="ok">ok</option>
            <option value="error">{t('audit.failed')}</option>
            <option value="forbidden">forbidden</option>
            <option value="unauthenticated">unauthenticated</option>
            <option value="cross_site_refused">cross_site_refused</option>
            <option value="invalid_input">invalid_input</option>
            <option value="invalid_credentials">invalid_credentials</option>
          </select>
        </Field>
        <Field name="from" label={t('audit.from')} error={errors.from}>
          <input name="from" type="datetime-local" className={inputClass} value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </Field>
        <Field name="to" label={t('audit.to')} error={errors.to}>
          <input name="to" type="datetime-local" className={inputClass} value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </Field>
        <button type="submit" className={primaryButton}>
          {t('audit.apply')}
        </button>
        <button type="button" className={`${smallButton} px-3 py-2 text-sm`} onClick={() => { setForm(EMPTY); setFilter(EMPTY); setFormErrors({}); setPage(1); }}>
          {t('audit.clear')}
        </button>
      </form>
      {errors._ && <ErrorNote message={errors._} />}
      {data && (
        <div className="flex flex-wrap items-center gap-4 text-xs text-slate-500">
          <span>{t('audit.count', { total: data.total, scanned: data.scanned })}</span>
          {data.scanLimited && <span className="text-amber-700 dark:text-amber-400">{t('audit.scanLimited')}</span>}
          <Pager page={data.page} pages={data.pages} onPage={setPage} label={t('common.pages')} />
        </div>
      )}
      <Table testId="audit-list" head={[t('audit.time'), t('audit.who'), t('audit.action'), t('audit.target'), t('audit.result'), t('audit.address'), '']}>
        {list.isLoading && (
          <tr>
            <td className={td} colSpan={7}>
              {t('common.loading')}
            </td>
          </tr>
        )}
        {data && data.entries.length === 0 && (
          <tr>
            <td className={td} colSpan={7}>
              {data.scanned === 0 ? t('audit.none') : t('common.noMatch')}
            </td>
          </tr>
        )}
        {data?.entries.map((e) => (
          <tr key={e.id}>
            <td className={`${td} tabular-nums`}>{formatTime(e.time)}</td>
            <td className={td}>
              <span className="font-medium">{e.who}</span> <span className="text-xs text-slate-500">{e.kind === 'token' ? t('audit.viaToken') : e.role ?? ''}</span>
            </td>
            <td className={`${td} font-mono text-xs`}>{e.action}</td>
            <td className={`${td} max-w-64 truncate font-mono text-xs`} title={e.target}>
              {e.target}
            </td>
            <td className={td}>
              <ResultBadge result={e.result} /> <span className="text-xs text-slate-500">{e.status}</span>
            </td>
            <td className={`${td} font-mono text-xs`}>{e.address}</td>
            <td className={td}>
              <button type="button" className={smallButton} onClick={() => setOpen(e)}>
                {t('audit.details')}
              </button>
            </td>
          </tr>
        ))}
      </Table>
      {open && <AuditDetailDialog entry={open} onClose={() => setOpen(null)} />}
    </div>
  );
}
