'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Dialog } from '@/components/ui/dialog';
import { errorsOf, Field, inputClass, primaryButton } from '@/components/ui/form';
import { ErrorNote, Table, td } from '@/components/ui/table';
import { fetchJson, fromLocalInput, toLocalInput } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';

interface ResetResult {
  topic: string;
  results: { group: string; ok: boolean; error?: string; queues?: { brokerName: string; queueId: number; offset: number }[] }[];
}

/**
 * RESET CONSUMER OFFSET (to a time) or SKIP ACCUMULATE (to the end) for chosen groups of a topic.
 * The groups offered are those consuming the topic; `groups` preselects (the Consumer page passes its group).
 */
export function ResetOffsetDialog({ topic, mode, groups: preselected = [], onClose }: { topic: string; mode: 'reset' | 'skip'; groups?: string[]; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const consumers = useQuery({
    queryKey: queryKeys.topics.detail(topic, 'consumers'),
    queryFn: () => fetchJson<{ groups: { group: string }[] }>(`/api/topics/${encodeURIComponent(topic)}?view=consumers`),
  });
  const offered = [...new Set([...preselected, ...(consumers.data?.groups.map((g) => g.group) ?? [])])].sort();
  const [chosen, setChosen] = useState<string[]>(preselected);
  const [time, setTime] = useState(toLocalInput(Date.now() - 3_600_000));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const mutation = useMutation({
    mutationFn: (body: unknown) => fetchJson<ResetResult>(`/api/topics/${encodeURIComponent(topic)}/reset${mode === 'skip' ? '?skip=1' : ''}`, { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.consumers.all() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.topics.detail(topic, 'consumers') });
    },
    onError: (err) => setErrors(errorsOf(err)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: Record<string, string> = {};
    if (chosen.length === 0) next.groups = t('reset.chooseGroup');
    const timestamp = fromLocalInput(time);
    if (mode === 'reset' && Number.isNaN(timestamp)) next.timestamp = t('reset.chooseTime');
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    mutation.mutate(mode === 'reset' ? { groups: chosen, timestamp, force: true } : { groups: chosen });
  };
  const title = mode === 'reset' ? t('topic.resetOffset') : t('topic.skipAccumulate');
  return (
    <Dialog title={`${title} · ${topic}`} onClose={onClose} closeLabel={t('common.close')}>
      <form onSubmit={submit} noValidate className="space-y-3">
        <Field name="groups" label={t('reset.groups')} error={errors.groups}>
          {consumers.isLoading && <p className="text-xs text-slate-500">{t('common.loading')}</p>}
          {!consumers.isLoading && offered.length === 0 && <p className="text-xs text-slate-500">{t('reset.noGroups')}</p>}
          <span className="flex flex-wrap gap-3">
            {offered.map((g) => (
              <span key={g} className="inline-flex items-center gap-1 font-mono text-xs">
                <input type="checkbox" aria-label={g} checked={chosen.includes(g)} onChange={(e) => setChosen(e.target.checked ? [...chosen, g] : chosen.filter((x) => x !== g))} />
                {g}
              </span>
            ))}
          </span>
        </Field>
        {mode === 'reset' && (
          <Field name="timestamp" label={t('reset.time')} error={errors.timestamp}>
            <input name="timestamp" type="datetime-local" className={`${inputClass} max-w-xs`} value={time} onChange={(e) => setTime(e.target.value)} aria-invalid={!!errors.timestamp} />
          </Field>
        )}
        <p className="text-xs text-slate-500">{mode === 'reset' ? t('reset.explainTime') : t('reset.explainSkip')}</p>
        {errors._ && <ErrorNote message={errors._} />}
        <button type="submit" disabled={mutation.isPending} className={primaryButton}>
          {mutation.isPending ? t('common.loading') : title}
        </button>
      </form>
      {mutation.data && (
        <div className="mt-4 space-y-3" aria-label={t('reset.result')}>
          {mutation.data.results.map((r) => (
            <div key={r.group}>
              <p className="text-sm font-medium">
                {r.group}: {r.ok ? <span className="text-emerald-700 dark:text-emerald-400">{t('reset.done')}</span> : <span className="text-red-600">{r.error}</span>}
              </p>
              {r.queues && r.queues.length > 0 && (
                <Table head={[t('cluster.broker'), t('topic.queue'), t('reset.newOffset')]}>
                  {r.queues.map((q) => (
                    <tr key={`${q.brokerName}-${q.queueId}`}>
                      <td className={td}>{q.brokerName}</td>
                      <td className={td}>{q.queueId}</td>
                      <td className={`${td} tabular-nums`}>{q.offset}</td>
                    </tr>
                  ))}
                </Table>
              )}
            </div>
          ))}
        </div>
      )}
    </Dialog>
  );
}
