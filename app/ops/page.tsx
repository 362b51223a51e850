'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ClusterHealthCells } from '@/components/cluster/cluster-health';
import { AdminOnly } from '@/components/security/session';
import { dangerButton, errorsOf, Field, inputClass, primaryButton, smallButton } from '@/components/ui/form';
import { ErrorNote, Table, td } from '@/components/ui/table';
import { fetchJson } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import { namesrvSchema } from '@/lib/validation';

interface OpsState {
  current: string;
  default: string;
  usingDefault: boolean;
  saved: string[];
}

export default function OpsPage() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const state = useQuery({ queryKey: queryKeys.ops(), queryFn: () => fetchJson<OpsState>('/api/ops') });
  const [addr, setAddr] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [note, setNote] = useState<string | null>(null);
  const mutation = useMutation({
    // Using a listed connection (or going back to the default) is this session's own choice, open to read-only
    // users too (/api/ops/session); typing a new address, saving and forgetting lists are admin writes (/api/ops).
    mutationFn: (body: { action: string; namesrvAddr?: string }) =>
      fetchJson<OpsState>(body.action === 'use' || body.action === 'reset' ? '/api/ops/session' : '/api/ops', { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: (next, body) => {
      queryClient.setQueryData(queryKeys.ops(), next);
      setErrors({});
      const switched = body.action === 'switch' || body.action === 'use' || body.action === 'reset';
      setNote(switched ? t('ops.switched', { addr: next.current }) : null);
      // Everything else on screen came from the previous cluster.
      if (switched) void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'ops' });
    },
    onError: (err) => setErrors(errorsOf(err)),
  });
  const submit = (action: 'switch' | 'add') => (e?: FormEvent) => {
    e?.preventDefault();
    const parsed = namesrvSchema.safeParse({ namesrvAddr: addr });
    if (!parsed.success) {
      setErrors({ namesrvAddr: parsed.error.issues[0]?.message ?? '' });
      return;
    }
    mutation.mutate({ action, namesrvAddr: parsed.data.namesrvAddr });
  };
  const data = state.data;
  return (
    <div className="max-w-6xl space-y-6">
      <h1 className="text-2xl font-semibold">{t('ops.title')}</h1>
      {state.error && <ErrorNote message={(state.error as Error).message} />}
      {data && (
        <section className="rounded-md border border-slate-200 bg-white p-4 text-sm dark:border-slate-800 dark:bg-slate-900">
          <p>
            {t('ops.current')}: <code data-testid="ops-current" className="font-mono">{data.current}</code> {data.usingDefault && <span className="text-slate-500">({t('ops.isDefault')})</span>}
          </p>
          <p className="mt-1 text-xs text-slate-500">{t('ops.sessionOnly')}</p>
          {note && (
            <p role="status" className="mt-2 text-emerald-700 dark:text-emerald-400">
              {note}
            </p>
          )}
        </section>
      )}
      <AdminOnly fallback={<p className="text-sm text-slate-600 dark:text-slate-300">{t('ops.readOnlyHint')}</p>}>
        <form onSubmit={submit('switch')} noValidate className="flex flex-wrap items-end gap-3">
          <Field name="namesrvAddr" label={t('ops.address')} error={errors.namesrvAddr} className="w-96">
            <input name="namesrvAddr" placeholder="127.0.0.1:9876;10.0.0.2:9876" className={`${inputClass} font-mono`} value={addr} onChange={(e) => setAddr(e.target.value)} aria-invalid={!!errors.namesrvAddr} />
          </Field>
          <button type="submit" disabled={mutation.isPending} className={primaryButton}>
            {t('ops.switch')}
          </button>
          <button type="button" disabled={mutation.isPending} className={`${smallButton} px-3 py-2 text-sm`} onClick={() => submit('add')()}>
            {t('ops.add')}
          </button>
        </form>
      </AdminOnly>
      {errors._ && <ErrorNote message={errors._} />}
      {data && (
        <section>
          <div className="mb-2 flex items-center gap-3">
            <h2 className="text-lg font-medium">{t('cluster.health.saved')}</h2>
            <button type="button" className={`${smallButton} ml-auto`} onClick={() => void queryClient.invalidateQueries({ queryKey: [...queryKeys.ops(), 'health'] })}>
              {t('cluster.health.recheck')}
            </button>
          </div>
          <Table testId="namesrv-list" head={[t('ops.address'), '', t('cluster.health.namesrvs'), t('cluster.health.brokers'), t('cluster.health.topics'), t('topic.operations')]}>
            {data.saved.map((s) => (
              <tr key={s}>
                <td className={`${td} font-mono`}>{s}</td>
                <td className={td}>
                  {s === data.current && <span className="rounded bg-emerald-100 px-2 py-0.5 text-xs text-emerald-800 dark:bg-emerald-900 dark:text-emerald-200">{t('ops.inUse')}</span>}
                  {s === data.default && <span className="ml-1 rounded bg-slate-200 px-2 py-0.5 text-xs dark:bg-slate-700">{t('ops.isDefault')}</span>}
                </td>
                <ClusterHealthCells namesrvAddr={s} />
                <td className={`${td} space-x-2`}>
                  {s !== data.current && (
                    <button type="button" disabled={mutation.isPending} className={smallButton} onClick={() => mutation.mutate(s === data.default ? { action: 'reset' } : { action: 'use', namesrvAddr: s })}>
                      {t('ops.use')}
                    </button>
                  )}
                  <AdminOnly>
                    {s !== data.default && (
                      <button type="button" className={dangerButton} onClick={() => mutation.mutate({ action: 'remove', namesrvAddr: s })}>
                        {t('common.remove')}
                      </button>
                    )}
                  </AdminOnly>
                </td>
              </tr>
            ))}
          </Table>
        </section>
      )}
    </div>
  );
}
