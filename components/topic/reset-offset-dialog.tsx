'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AdminOnly } from '@/components/security/session';
import { Dialog } from '@/components/ui/dialog';
import { errorsOf, Field, FieldError, inputClass, primaryButton } from '@/components/ui/form';
import { ErrorNote, Table, td } from '@/components/ui/table';
import { fetchJson, formatNumber, fromLocalInput, toLocalInput } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { MovedQueue, ResetAnswer, ResetMode, ResetPreview } from '@/lib/offset-reset-schema';

/** What the dialog holds per group: the last preview shown, what moved at apply, the outcome, or errors. */
interface GroupState {
  preview?: ResetPreview;
  moved?: MovedQueue[];
  applied?: ResetPreview;
  errors?: Record<string, string>;
}

const MODES: ResetMode[] = ['time', 'offset', 'copy', 'end'];

/**
 * RESET OFFSET / SKIP ACCUMULATE for chosen groups of a topic, always previewed: by time, to exact offsets per
 * queue (one group), copied from another group, or to the end. Preview shows each queue's before → after and
 * the lag change; Apply sends that preview back, and the server refuses (showing the new preview) when the
 * offsets moved in between. The groups offered are those consuming the topic; `groups` preselects. Read-only
 * users preview (its own route, which cannot write) and see no Apply.
 */
export function ResetOffsetDialog({ topic, mode: initialMode, groups: preselected = [], onClose }: { topic: string; mode: 'reset' | 'skip'; groups?: string[]; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const consumers = useQuery({
    queryKey: queryKeys.topics.detail(topic, 'consumers'),
    queryFn: () => fetchJson<{ groups: { group: string }[] }>(`/api/topics/${encodeURIComponent(topic)}?view=consumers`),
  });
  const offered = [...new Set([...preselected, ...(consumers.data?.groups.map((g) => g.group) ?? [])])].sort();
  const [chosen, setChosen] = useState<string[]>(preselected);
  const [mode, setMode] = useState<ResetMode>(initialMode === 'skip' ? 'end' : 'time');
  const [time, setTime] = useState(toLocalInput(Date.now() - 3_600_000));
  const [sourceGroup, setSourceGroup] = useState('');
  /** Exact mode: the new offset typed per queue ("broker:queue" → text). */
  const [offsets, setOffsets] = useState<Record<string, string>>({});
  const [states, setStates] = useState<Record<string, GroupState>>({});
  /** Something changed since the previews shown: they stay visible (exact offsets are typed into them) but cannot be applied. */
  const [stale, setStale] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});

  const typedOffsets = Object.entries(offsets).map(([queue, text]) => {
    const at = queue.lastIndexOf(':');
    return { brokerName: queue.slice(0, at), queueId: Number(queue.slice(at + 1)), offset: text.trim() === '' ? Number.NaN : Number(text) };
  });
  const request = (action: 'preview' | 'apply', group: string) => ({
    action, topic, mode,
    ...(mode === 'time' ? { timestamp: fromLocalInput(time) } : {}),
    ...(mode === 'copy' ? { sourceGroup: sourceGroup.trim() } : {}),
    ...(mode === 'offset' ? { offsets: typedOffsets.map((o) => ({ ...o, offset: Number.isNaN(o.offset) ? '' : o.offset })) } : {}),
    ...(action === 'apply' ? { expected: states[group]?.preview?.queues.map(({ brokerName, queueId, before, after }) => ({ brokerName, queueId, before, after })), ifMoved: states[group]?.moved ? 'apply' : 'refuse' } : {}),
  });
  const post = (action: 'preview' | 'apply', group: string) =>
    fetchJson<ResetAnswer>(`/api/consumers/${encodeURIComponent(group)}/reset${action === 'preview' ? '/preview' : ''}`, { method: 'POST', body: JSON.stringify(request(action, group)) });

  const run = useMutation({
    mutationFn: async (action: 'preview' | 'apply') => {
      const next: Record<string, GroupState> = {};
      for (const group of chosen) {
        try {
          const answer = await post(action, group);
          next[group] = answer.status === 'applied' ? { applied: answer.preview, ...(answer.moved.length ? { moved: answer.moved } : {}) } : answer.status === 'moved' ? { preview: answer.preview, moved: answer.moved } : { preview: answer.preview };
        } catch (err) {
          next[group] = { errors: errorsOf(err), preview: states[group]?.preview };
        }
      }
      return { action, next };
    },
    onSuccess: ({ action, next }) => {
      setStates(next);
      setStale(false);
      const fieldErrors = Object.values(next).find((s) => s.errors)?.errors ?? {};
      setErrors(fieldErrors);
      if (action === 'preview' && mode === 'offset' && chosen.length === 1) {
        const preview = next[chosen[0]!]?.preview;
        if (preview && Object.keys(offsets).length === 0) setOffsets(Object.fromEntries(preview.queues.map((q) => [`${q.brokerName}:${q.queueId}`, String(q.after)])));
      }
      if (action === 'apply') {
        void queryClient.invalidateQueries({ queryKey: queryKeys.consumers.all() });
        void queryClient.invalidateQueries({ queryKey: queryKeys.topics.detail(topic, 'consumers') });
      }
    },
  });

  /** Another operation (mode, groups): the previews go. */
  const restart = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setStates({});
    setErrors({});
    setStale(false);
  };
  /** Any change of what would be reset makes the previews stale: Apply only ever sends what was just shown. */
  const changed = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setStale(true);
  };
  const check = (): boolean => {
    const next: Record<string, string> = {};
    if (chosen.length === 0) next.groups = t('reset.chooseGroup');
    if (mode === 'time' && Number.isNaN(fromLocalInput(time))) next.timestamp = t('reset.chooseTime');
    if (mode === 'offset' && chosen.length > 1) next.groups = t('reset.oneGroupForOffsets');
    if (mode === 'copy' && !sourceGroup.trim()) next.sourceGroup = t('reset.chooseSource');
    setErrors(next);
    return Object.keys(next).length === 0;
  };
  const previewed = !stale && chosen.length > 0 && chosen.every((g) => states[g]?.preview && !states[g]?.errors && !states[g]?.applied);
  const anyMoved = chosen.some((g) => states[g]?.moved && !states[g]?.applied);
  const title = initialMode === 'skip' ? t('topic.skipAccumulate') : t('topic.resetOffset');
  return (
    <Dialog title={`${title} · ${topic}`} onClose={onClose} closeLabel={t('common.close')}>
      <form onSubmit={(e) => { e.preventDefault(); if (check()) run.mutate('preview'); }} noValidate className="space-y-3">
        <Field name="groups" label={t('reset.groups')} error={errors.groups}>
          {consumers.isLoading && <p className="text-xs text-slate-500">{t('common.loading')}</p>}
          {!consumers.isLoading && offered.length === 0 && <p className="text-xs text-slate-500">{t('reset.noGroups')}</p>}
          <span className="flex flex-wrap gap-3">
            {offered.map((g) => (
              <span key={g} className="inline-flex items-center gap-1 font-mono text-xs">
                <input type="checkbox" aria-label={g} checked={chosen.includes(g)} onChange={(e) => restart(setChosen)(e.target.checked ? [...chosen, g] : chosen.filter((x) => x !== g))} />
                {g}
              </span>
            ))}
          </span>
        </Field>
        <fieldset>
          <legend className="mb-1 text-sm text-slate-600 dark:text-slate-300">{t('reset.how')}</legend>
          <div role="radiogroup" className="flex flex-wrap gap-3 text-sm">
            {MODES.map((m) => (
              <label key={m} className="inline-flex items-center gap-1">
                <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => {
                    restart(setMode)(m);
                    setOffsets({});
                  }} />
                {t(`reset.mode.${m}`)}
              </label>
            ))}
          </div>
        </fieldset>
        {mode === 'time' && (
          <Field name="timestamp" label={t('reset.time')} error={errors.timestamp}>
            <input name="timestamp" type="datetime-local" className={`${inputClass} max-w-xs`} value={time} onChange={(e) => changed(setTime)(e.target.value)} aria-invalid={!!errors.timestamp} />
          </Field>
        )}
        {mode === 'copy' && (
          <Field name="sourceGroup" label={t('reset.sourceGroup')} error={errors.sourceGroup}>
            <input name="sourceGroup" list="reset-source-groups" className={`${inputClass} max-w-xs font-mono`} value={sourceGroup} onChange={(e) => changed(setSourceGroup)(e.target.value)} aria-invalid={!!errors.sourceGroup} />
            <datalist id="reset-source-groups">
              {offered.filter((g) => !chosen.includes(g)).map((g) => <option key={g} value={g} />)}
            </datalist>
          </Field>
        )}
        <p className="text-xs text-slate-500">{t(`reset.explain.${mode}`)}</p>
        {errors._ && <ErrorNote message={errors._} />}
        {errors.topic && <ErrorNote message={errors.topic} />}
        {stale && Object.keys(states).length > 0 && <p role="status" className="text-xs text-amber-700 dark:text-amber-400">{t('reset.stale')}</p>}
        <div className="flex gap-2">
          <button type="submit" disabled={run.isPending} className={primaryButton}>
            {run.isPending && run.variables === 'preview' ? t('common.loading') : t('reset.preview')}
          </button>
          <AdminOnly fallback={<p className="self-center text-xs text-slate-500">{t('reset.readOnly')}</p>}>
            <button type="button" disabled={!previewed || run.isPending} onClick={() => run.mutate('apply')} className="rounded bg-red-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-40">
              {run.isPending && run.variables === 'apply' ? t('common.loading') : anyMoved ? t('reset.applyAnyway') : t('reset.apply')}
            </button>
          </AdminOnly>
        </div>
      </form>
      <div className="mt-4 space-y-4">
        {chosen.filter((g) => states[g]).map((group) => (
          <GroupPreview
            key={group}
            group={group}
            state={states[group]!}
            exact={mode === 'offset' && chosen.length === 1}
            offsets={offsets}
            errors={errors}
            onOffset={(queue, text) => changed(setOffsets)({ ...offsets, [queue]: text })}
          />
        ))}
      </div>
    </Dialog>
  );
}

function GroupPreview({ group, state, exact, offsets, errors, onOffset }: { group: string; state: GroupState; exact: boolean; offsets: Record<string, string>; errors: Record<string, string>; onOffset: (queue: string, text: string) => void }) {
  const { t } = useI18n();
  const shown = state.applied ?? state.preview;
  const keys = Object.keys(offsets);
  return (
    <section aria-label={t('reset.previewOf', { group })} className="space-y-2">
      <p className="text-sm font-medium">
        {group}:{' '}
        {state.applied ? (
          <span className="text-emerald-700 dark:text-emerald-400">
            {t('reset.done')}
            {state.moved && <span className="ml-1 text-amber-700 dark:text-amber-400">{t('reset.appliedMoved', { n: state.moved.length })}</span>}
          </span>
        ) : state.moved ? (
          <span role="alert" className="text-red-600">{t('reset.moved', { n: state.moved.length })}</span>
        ) : state.errors ? (
          <span className="text-red-600">{Object.values(state.errors)[0]}</span>
        ) : (
          <span className="text-slate-600 dark:text-slate-300">{t('reset.previewed')}</span>
        )}
      </p>
      {shown && (
        <>
          <p data-testid={`reset-lag-${group}`} className="text-sm">
            {t('reset.lagChange', { before: formatNumber(shown.lagBefore), after: formatNumber(shown.lagAfter), delta: `${shown.lagAfter - shown.lagBefore >= 0 ? '+' : ''}${formatNumber(shown.lagAfter - shown.lagBefore)}` })}
            {' · '}
            {shown.clients > 0 ? t('reset.online', { n: shown.clients }) : t('reset.offline')}
          </p>
          <Table testId={`reset-preview-${group}`} head={[t('cluster.broker'), t('topic.queue'), t('reset.range'), t('reset.beforeAfter'), t('reset.lagBeforeAfter'), ...(exact && !state.applied ? [t('reset.newOffset')] : [])]}>
            {shown.queues.map((q) => {
              const queue = `${q.brokerName}:${q.queueId}`;
              const moved = state.moved?.find((m) => m.brokerName === q.brokerName && m.queueId === q.queueId);
              const index = keys.indexOf(queue);
              const error = index >= 0 ? (errors[`offsets.${index}.offset`] ?? errors[`offsets.${index}.queueId`]) : undefined;
              return (
                <tr key={queue} className={moved ? 'bg-red-50 dark:bg-red-950' : q.after !== q.before ? 'bg-amber-50 dark:bg-amber-950/40' : ''}>
                  <td className={td}>{q.brokerName}</td>
                  <td className={td}>{q.queueId}</td>
                  <td className={`${td} tabular-nums text-slate-500`}>{q.minOffset} – {q.brokerOffset}</td>
                  <td className={`${td} tabular-nums`}>
                    {q.before} → <b>{q.after}</b>
                    {moved && <span className="ml-2 text-xs text-red-600">{t('reset.wasBefore', { n: moved.expectedBefore ?? '–' })}</span>}
                    {q.sourceMissing && <span className="ml-2 text-xs text-slate-500">{t('reset.sourceMissing')}</span>}
                  </td>
                  <td className={`${td} tabular-nums`}>
                    {q.lagBefore} → <b>{q.lagAfter}</b>
                  </td>
                  {exact && !state.applied && (
                    <td className={td}>
                      <input aria-label={t('reset.newOffsetOf', { queue })} inputMode="numeric" className={`${inputClass} w-28`} value={offsets[queue] ?? String(q.after)} onChange={(e) => onOffset(queue, e.target.value)} aria-invalid={!!error} />
                      <FieldError id={`offset-${q.brokerName}-${q.queueId}-error`} message={error} />
                    </td>
                  )}
                </tr>
              );
            })}
          </Table>
        </>
      )}
    </section>
  );
}
