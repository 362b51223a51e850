'use client';
import { useQuery } from '@tanstack/react-query';
import { ConnectionsTable, type ClientConnectionRow } from '@/components/consumer/group-dialogs';
import { TopicInput } from '@/components/message/topic-select';
import { errorsOf, Field, inputClass, primaryButton, useQueryForm } from '@/components/ui/form';
import { ErrorNote } from '@/components/ui/table';
import { fetchJson } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import { existingTopicSchema, groupNameSchema } from '@/lib/validation';
import { z } from 'zod';

const schema = z.object({ topic: existingTopicSchema, group: groupNameSchema });

interface Connections {
  exists: boolean;
  connections: ClientConnectionRow[];
}

export default function ProducerPage() {
  const { t } = useI18n();
  const { form, setForm, query, errors, submit } = useQueryForm(schema, { topic: '', group: '' });
  const result = useQuery({
    queryKey: query ? queryKeys.producers(query.topic, query.group) : ['producers', 'idle'],
    queryFn: () => fetchJson<Connections>(`/api/producers?${new URLSearchParams(query!)}`),
    enabled: !!query,
    refetchInterval: 10_000,
  });
  const shownErrors = { ...(result.error ? errorsOf(result.error) : {}), ...errors };
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t('producer.title')}</h1>
      <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3">
        <Field name="topic" label={t('topic.name')} error={shownErrors.topic} className="w-64">
          <TopicInput name="topic" label={t('topic.name')} value={form.topic} onChange={(topic) => setForm({ ...form, topic })} invalid={!!shownErrors.topic} />
        </Field>
        <Field name="group" label={t('producer.group')} error={shownErrors.group} className="w-64">
          <input name="group" className={inputClass} value={form.group} onChange={(e) => setForm({ ...form, group: e.target.value })} aria-invalid={!!shownErrors.group} />
        </Field>
        <button type="submit" className={primaryButton}>
          {t('message.search')}
        </button>
      </form>
      {shownErrors._ && <ErrorNote message={shownErrors._} />}
      {result.data && !result.data.exists && <p className="text-sm text-slate-500">{t('producer.noTopic', { topic: query!.topic })}</p>}
      {result.data?.exists && result.data.connections.length === 0 && <p className="text-sm text-slate-500">{t('producer.none', { group: query!.group })}</p>}
      {result.data?.exists && result.data.connections.length > 0 && (
        <ConnectionsTable testId="producer-connections" connections={result.data.connections} />
      )}
    </div>
  );
}
