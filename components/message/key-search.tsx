'use client';
/** Find messages of a topic by key (the broker's index); the Message page and the Trace page use it. */
import { useQuery } from '@tanstack/react-query';
import { MessageTable } from '@/components/message/message-table';
import { TopicInput } from '@/components/message/topic-select';
import { errorsOf, Field, inputClass, primaryButton, useQueryForm } from '@/components/ui/form';
import { ErrorNote } from '@/components/ui/table';
import { fetchJson } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { MessageRow } from '@/lib/server/messages';
import { messageKeyQuerySchema } from '@/lib/validation';

export function MessageKeySearch({ onOpen, buttonLabel, testId }: { onOpen: (row: MessageRow) => void; buttonLabel: string; testId?: string }) {
  const { t } = useI18n();
  const { form, setForm, query, errors, submit } = useQueryForm(messageKeyQuerySchema, { topic: '', key: '' });
  const result = useQuery({
    queryKey: query ? queryKeys.messages.byKey(query.topic, query.key) : ['messages', 'idle-key'],
    queryFn: () => fetchJson<{ messages: MessageRow[] }>(`/api/messages?${new URLSearchParams(query!)}`),
    enabled: !!query,
  });
  const shownErrors = { ...(result.error ? errorsOf(result.error) : {}), ...errors };
  return (
    <div className="space-y-3">
      <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3">
        <Field name="key-topic" label={t('topic.name')} error={shownErrors.topic} className="w-64">
          <TopicInput name="key-topic" label={t('topic.name')} value={form.topic} onChange={(topic) => setForm({ ...form, topic })} invalid={!!shownErrors.topic} />
        </Field>
        <Field name="key" label={t('message.key')} error={shownErrors.key} className="w-64">
          <input name="key" className={inputClass} value={form.key} onChange={(e) => setForm({ ...form, key: e.target.value })} aria-invalid={!!shownErrors.key} />
        </Field>
        <button type="submit" className={primaryButton}>
          {buttonLabel}
        </button>
      </form>
      {shownErrors._ && <ErrorNote message={shownErrors._} />}
      {result.isFetching && <p className="text-sm text-slate-500">{t('common.loading')}</p>}
      {result.data && (result.data.messages.length === 0 ? <p className="text-sm text-slate-500">{t('message.none')}</p> : <MessageTable rows={result.data.messages} onOpen={onOpen} testId={testId} />)}
    </div>
  );
}
