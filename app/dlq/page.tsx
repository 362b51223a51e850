'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { MessageDetailDialog } from '@/components/message/message-detail';
import { MessageTable } from '@/components/message/message-table';
import { AdminOnly } from '@/components/security/session';
import { errorsOf, Field, inputClass, Pager, primaryButton, smallButton, TimeRangeFields } from '@/components/ui/form';
import { ErrorNote } from '@/components/ui/table';
import { fetchJson, fromLocalInput, toLocalInput } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { TopicPage } from '@/lib/server/messages';
import { groupNameSchema } from '@/lib/validation';

const DLQ_PREFIX = '%DLQ%';

export default function DlqPage() {
  const { t } = useI18n();
  const topics = useQuery({ queryKey: queryKeys.topics.all(), queryFn: () => fetchJson<{ topics: { topic: string }[] }>('/api/topics') });
  const dlqGroups = (topics.data?.topics ?? []).filter((x) => x.topic.startsWith(DLQ_PREFIX)).map((x) => x.topic.slice(DLQ_PREFIX.length));
  const [form, setForm] = useState({ group: '', begin: toLocalInput(Date.now() - 24 * 3_600_000), end: toLocalInput(Date.now() + 60_000) });
  const [query, setQuery] = useState<{ group: string; begin: number; end: number } | null>(null);
  const [page, setPage] = useState(1);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | null>(null);
  const [notes, setNotes] = useState<string[]>([]);
  const topic = query ? `${DLQ_PREFIX}${query.group}` : '';
  const result = useQuery({
    queryKey: query ? queryKeys.messages.byTime(topic, query.begin, query.end, page) : ['messages', 'idle-dlq'],
    queryFn: () => fetchJson<TopicPage>(`/api/messages?${new URLSearchParams({ topic, begin: String(query!.begin), end: String(query!.end), page: String(page), pageSize: '20' })}`),
    enabled: !!query,
    placeholderData: keepPreviousData,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: Record<string, string> = {};
    const group = groupNameSchema.safeParse(form.group);
    if (!group.success) next.group = group.error.issues[0]?.message ?? '';
    const begin = fromLocalInput(form.begin);
    const end = fromLocalInput(form.end);
    if (Number.isNaN(begin)) next.begin = t('reset.chooseTime');
    if (Number.isNaN(end)) next.end = t('reset.chooseTime');
    else if (!Number.isNaN(begin) && begin >= end) next.end = t('message.endAfterBegin');
    setErrors(next);
    if (Object.keys(next).length > 0 || !group.success) return;
    setPage(1);
    setSelected(new Set());
    setQuery({ group: group.data, begin, end });
  };
  const resend = async (ids: string[]) => {
    if (!query) return;
    const out: string[] = [];
    for (const id of ids) {
      try {
        const r = await fetchJson<{ consumeResult: string; clientId: string }>(`/api/messages/${id}/resend`, { method: 'POST', body: JSON.stringify({ topic, group: query.group }) });
        out.push(`${id}: ${r.consumeResult} (${r.clientId})`);
      } catch (err) {
        out.push(`${id}: ${Object.values(errorsOf(err))[0] ?? ''}`);
      }
    }
    setNotes(out);
  };
  const serverErrors = result.error ? errorsOf(result.error) : {};
  const rows = result.data?.messages ?? [];
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t('dlq.title')}</h1>
      <p className="text-sm text-slate-500">{t('dlq.explain')}</p>
      <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3">
        <Field name="group" label={t('consumer.group')} error={errors.group ?? (serverErrors.topic ? t('dlq.noDlq') : undefined)} className="w-64">
          <input name="group" list="dlq-groups" className={inputClass} value={form.group} onChange={(e) => setForm({ ...form, group: e.target.value })} autoComplete="off" />
          <datalist id="dlq-groups">
            {dlqGroups.map((g) => (
              <option key={g} value={g} />
            ))}
          </datalist>
        </Field>
        <TimeRangeFields value={form} onChange={(range) => setForm({ ...form, ...range })} errors={errors} labels={{ begin: t('message.begin'), end: t('message.end') }} />
        <button type="submit" className={primaryButton}>
          {t('message.search')}
        </button>
      </form>
      {dlqGroups.length === 0 && topics.data && <p className="text-sm text-slate-500">{t('dlq.noneYet')}</p>}
      {serverErrors._ && <ErrorNote message={serverErrors._} />}
      {result.data && (
        <>
          <div className="flex flex-wrap items-center gap-4 text-xs text-slate-500">
            <span>{t('message.total', { total: result.data.total })}</span>
            <Pager page={result.data.page} pages={result.data.pages} onPage={setPage} label={t('common.pages')} />
            <AdminOnly>
              <button type="button" className={smallButton} disabled={selected.size === 0} onClick={() => void resend([...selected])}>
                {t('dlq.resendSelected', { count: selected.size })}
              </button>
            </AdminOnly>
          </div>
          {notes.length > 0 && (
            <ul role="status" className="text-sm">
              {notes.map((n) => (
                <li key={n} className="font-mono text-xs">
                  {n}
                </li>
              ))}
            </ul>
          )}
          {rows.length === 0 ? (
            <p className="text-sm text-slate-500">{t('message.none')}</p>
          ) : (
            <MessageTable
              testId="dlq-list"
              rows={rows}
              onOpen={(r) => setOpen(r.msgId)}
              selected={selected}
              onSelect={(id, on) => {
                const next = new Set(selected);
                if (on) next.add(id);
                else next.delete(id);
                setSelected(next);
              }}
            />
          )}
        </>
      )}
      {open && <MessageDetailDialog id={open} topic={topic} onClose={() => setOpen(null)} />}
    </div>
  );
}
