'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { MessageKeySearch } from '@/components/message/key-search';
import { MessageDetailDialog } from '@/components/message/message-detail';
import { MessageTable } from '@/components/message/message-table';
import { TopicInput } from '@/components/message/topic-select';
import { errorsOf, Field, inputClass, Pager, primaryButton, TimeRangeFields, useValidation } from '@/components/ui/form';
import { ErrorNote } from '@/components/ui/table';
import { fetchJson, fromLocalInput, toLocalInput } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { MessageRow, TopicPage } from '@/lib/server/messages';
import { messageIdSchema, messageQuerySchema } from '@/lib/validation';

type Mode = 'topic' | 'key' | 'id';

function ByTopic({ onOpen }: { onOpen: (row: MessageRow) => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState({ topic: '', begin: toLocalInput(Date.now() - 3_600_000), end: toLocalInput(Date.now() + 60_000) });
  const [query, setQuery] = useState<{ topic: string; begin: number; end: number } | null>(null);
  const [page, setPage] = useState(1);
  const { errors, validate } = useValidation(messageQuerySchema);
  const result = useQuery({
    queryKey: query ? queryKeys.messages.byTime(query.topic, query.begin, query.end, page) : ['messages', 'idle'],
    queryFn: () => fetchJson<TopicPage>(`/api/messages?${new URLSearchParams({ topic: query!.topic, begin: String(query!.begin), end: String(query!.end), page: String(page), pageSize: '20' })}`),
    enabled: !!query,
    placeholderData: keepPreviousData,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const valid = validate({ topic: form.topic, begin: fromLocalInput(form.begin), end: fromLocalInput(form.end) });
    if (!valid) return;
    setPage(1);
    setQuery({ topic: valid.topic, begin: valid.begin, end: valid.end });
  };
  const serverErrors = result.error ? errorsOf(result.error) : {};
  const shownErrors = { ...serverErrors, ...errors };
  return (
    <div className="space-y-3">
      <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3">
        <Field name="topic" label={t('topic.name')} error={shownErrors.topic} className="w-64">
          <TopicInput name="topic" label={t('topic.name')} value={form.topic} onChange={(topic) => setForm({ ...form, topic })} invalid={!!shownErrors.topic} />
        </Field>
        <TimeRangeFields value={form} onChange={(range) => setForm({ ...form, ...range })} errors={shownErrors} labels={{ begin: t('message.begin'), end: t('message.end') }} />
        <button type="submit" className={primaryButton}>
          {t('message.search')}
        </button>
      </form>
      {shownErrors._ && <ErrorNote message={shownErrors._} />}
      {result.isFetching && <p className="text-sm text-slate-500">{t('common.loading')}</p>}
      {result.data && (
        <>
          <div className="flex items-center gap-4 text-xs text-slate-500">
            <span data-testid="message-total">{t('message.total', { total: result.data.total })}</span>
            <Pager page={result.data.page} pages={result.data.pages} onPage={setPage} label={t('common.pages')} />
            {result.data.order === 'queue' && <span>{t('message.queueOrder')}</span>}
          </div>
          {result.data.messages.length === 0 ? <p className="text-sm text-slate-500">{t('message.none')}</p> : <MessageTable rows={result.data.messages} onOpen={onOpen} />}
        </>
      )}
    </div>
  );
}

function ById({ onOpen }: { onOpen: (id: string, topic: string) => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState({ topic: '', id: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = messageIdSchema.safeParse(form.id);
    if (!parsed.success) {
      setErrors({ id: parsed.error.issues[0]?.message ?? '' });
      return;
    }
    setErrors({});
    onOpen(parsed.data.toUpperCase(), form.topic.trim());
  };
  return (
    <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3">
      <Field name="id-topic" label={t('message.topicOptional')} className="w-64">
        <TopicInput name="id-topic" label={t('message.topicOptional')} value={form.topic} onChange={(topic) => setForm({ ...form, topic })} />
      </Field>
      <Field name="id" label={t('message.id')} error={errors.id} className="w-96">
        <input name="id" className={`${inputClass} font-mono`} value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} aria-invalid={!!errors.id} />
      </Field>
      <button type="submit" className={primaryButton}>
        {t('message.search')}
      </button>
    </form>
  );
}

export default function MessagePage() {
  const { t } = useI18n();
  const [mode, setMode] = useState<Mode>('topic');
  const [open, setOpen] = useState<{ id: string; topic: string } | null>(null);
  const openRow = (row: MessageRow) => setOpen({ id: row.msgId, topic: row.topic });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t('message.title')}</h1>
      <div role="tablist" aria-label={t('message.searchBy')} className="flex gap-1 text-sm">
        {(['topic', 'key', 'id'] as const).map((m) => (
          <button key={m} type="button" role="tab" aria-selected={mode === m} onClick={() => setMode(m)} className={`rounded px-3 py-1 ${mode === m ? 'bg-slate-800 text-white dark:bg-slate-200 dark:text-slate-900' : 'border border-slate-300 dark:border-slate-700'}`}>
            {t(`message.by.${m}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {mode === 'topic' && <ByTopic onOpen={openRow} />}
        {mode === 'key' && <MessageKeySearch onOpen={openRow} buttonLabel={t('message.search')} />}
        {mode === 'id' && <ById onOpen={(id, topic) => setOpen({ id, topic })} />}
      </div>
      {open && <MessageDetailDialog id={open.id} topic={open.topic} onClose={() => setOpen(null)} />}
    </div>
  );
}
