'use client';
/**
 * Config: export the cluster's topics and subscription groups (YAML or JSON), and import a document with a dry
 * run first — what would be created, updated (field by field) or left alone, and what the cluster has that
 * the document lacks (never deleted) — then apply exactly that plan. Read-only users can export and dry-run
 * (POST /api/config/import/dry-run cannot write) but see no Apply.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type ChangeEvent } from 'react';
import { AdminOnly } from '@/components/security/session';
import { Field, inputClass, primaryButton } from '@/components/ui/form';
import { ErrorNote, Table, td } from '@/components/ui/table';
import type { ClusterOverview } from '@/lib/cluster-types';
import { ApiError, fetchJson } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { ApplyResult, ImportPlan, PlanItem } from '@/lib/server/config-io';

type ImportAnswer = { status: 'plan'; plan: ImportPlan } | { status: 'changed'; plan: ImportPlan } | { status: 'applied'; plan: ImportPlan; results: ApplyResult[]; failed: number };

const show = (v: unknown) => (v === null || v === undefined ? '–' : String(v));

function ExportSection() {
  const { t } = useI18n();
  const [format, setFormat] = useState<'yaml' | 'json'>('yaml');
  return (
    <section aria-label={t('config.export')} className="space-y-3 rounded-md border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 className="text-lg font-medium">{t('config.export')}</h2>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t('config.exportExplain')}</p>
      <div className="flex items-center gap-4 text-sm">
        {(['yaml', 'json'] as const).map((f) => (
          <label key={f} className="inline-flex items-center gap-1">
            <input type="radio" name="format" value={f} checked={format === f} onChange={() => setFormat(f)} />
            {f.toUpperCase()}
          </label>
        ))}
        <a href={`/api/config/export?format=${format}`} download className={primaryButton}>
          {t('config.download')}
        </a>
      </div>
    </section>
  );
}

function Changes({ item }: { item: PlanItem }) {
  const { t } = useI18n();
  return (
    <ul className="space-y-0.5 text-xs">
      {item.brokers.map((b) => (
        <li key={b.brokerName}>
          <span className="font-medium">{b.brokerName}</span>: {t(`config.action.${b.action}`)}
          {b.action === 'update' &&
            b.changes.map((c) => (
              <span key={c.field} className="ml-2 font-mono">
                {c.field} {show(c.before)} → <b>{show(c.after)}</b>
              </span>
            ))}
        </li>
      ))}
    </ul>
  );
}

function PlanView({ plan }: { plan: ImportPlan }) {
  const { t } = useI18n();
  const [all, setAll] = useState(false);
  const items = all ? plan.items : plan.items.filter((i) => i.action !== 'unchanged');
  return (
    <section aria-label={t('config.plan')} className="space-y-3">
      <p data-testid="plan-counts" className="text-sm">
        {t('config.counts', { create: plan.counts.create, update: plan.counts.update, unchanged: plan.counts.unchanged, notInFile: plan.counts.notInFile })}
      </p>
      <label className="flex items-center gap-1 text-xs">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
        {t('config.showUnchanged')}
      </label>
      <Table testId="plan-items" head={[t('config.kind'), t('config.name'), t('config.where'), t('config.actionColumn'), t('config.brokers')]}>
        {items.map((item) => (
          <tr key={`${item.kind}-${item.path}`}>
            <td className={td}>{t(`config.kind.${item.kind}`)}</td>
            <td className={`${td} font-mono`}>{item.name}</td>
            <td className={`${td} font-mono text-xs text-slate-500`}>{item.path}</td>
            <td className={td}>
              <span className={item.action === 'create' ? 'text-emerald-700 dark:text-emerald-400' : item.action === 'update' ? 'text-amber-700 dark:text-amber-400' : 'text-slate-500'}>{t(`config.action.${item.action}`)}</span>
            </td>
            <td className="px-2.5 py-2">
              <Changes item={item} />
            </td>
          </tr>
        ))}
        {items.length === 0 && (
          <tr>
            <td className={td} colSpan={5}>
              {t('config.nothingToDo')}
            </td>
          </tr>
        )}
      </Table>
      {plan.notInFile.length > 0 && (
        <div data-testid="plan-not-in-file" className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-800">
          <p className="mb-1 font-medium">{t('config.notInFile')}</p>
          <p className="font-mono text-xs">{plan.notInFile.map((x) => `${t(`config.kind.${x.kind}`)} ${x.name} (${x.brokers.join(', ')})`).join(' · ')}</p>
        </div>
      )}
    </section>
  );
}

function ImportSection() {
  const { t } = useI18n();
  const cluster = useQuery({ queryKey: queryKeys.cluster.all(), queryFn: () => fetchJson<ClusterOverview>('/api/cluster') });
  const clusters = cluster.data?.clusters ?? [];
  const [document, setDocument] = useState('');
  const [target, setTarget] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [answer, setAnswer] = useState<ImportAnswer | null>(null);
  /** The document and target the shown plan was made for (Apply is only offered for exactly those). */
  const [planned, setPlanned] = useState<{ document: string; cluster: string } | null>(null);
  const chosenCluster = target || clusters[0] || '';
  const run = useMutation({
    mutationFn: (action: 'dry-run' | 'apply') =>
      fetchJson<ImportAnswer>(action === 'apply' ? '/api/config/import' : '/api/config/import/dry-run', {
        method: 'POST',
        body: JSON.stringify({ document, cluster: chosenCluster, ...(action === 'apply' ? { planHash: answer?.plan.planHash } : {}) }),
      }),
    onSuccess: (result) => {
      setFields({});
      setAnswer(result);
      setPlanned(result.status === 'applied' ? null : { document, cluster: chosenCluster });
    },
    onError: (err) => {
      setAnswer(null);
      setPlanned(null);
      setFields(err instanceof ApiError && Object.keys(err.fields).length > 0 ? err.fields : { _: (err as Error).message });
    },
  });
  const readFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) setDocument(await file.text());
  };
  const canApply = !!answer && answer.status !== 'applied' && planned?.document === document && planned.cluster === chosenCluster && answer.plan.counts.create + answer.plan.counts.update > 0;
  const entryErrors = Object.entries(fields).filter(([k]) => k !== 'document' && k !== 'cluster' && k !== '_');
  return (
    <section aria-label={t('config.import')} className="space-y-3 rounded-md border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 className="text-lg font-medium">{t('config.import')}</h2>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t('config.importExplain')}</p>
      <label className="block text-sm">
        <span className="mb-1 block text-slate-600 dark:text-slate-300">{t('config.upload')}</span>
        <input type="file" name="file" accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml" onChange={(e) => void readFile(e)} className="text-sm" />
      </label>
      <Field name="document" label={t('config.document')} error={fields.document}>
        <textarea name="document" rows={14} spellCheck={false} className={`${inputClass} font-mono text-xs`} value={document} onChange={(e) => setDocument(e.target.value)} aria-invalid={!!fields.document} placeholder={'topics:\n  - name: OrderTopic\n    readQueueNums: 8\n    writeQueueNums: 8\ngroups:\n  - name: CG_billing\n    retryMaxTimes: 16'} />
      </Field>
      <Field name="cluster" label={t('config.cluster')} error={fields.cluster} className="max-w-xs">
        <select name="cluster" className={inputClass} value={chosenCluster} onChange={(e) => setTarget(e.target.value)}>
          {clusters.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </Field>
      {entryErrors.length > 0 && (
        <div role="alert" aria-label={t('config.errors')} className="rounded-md border border-red-300 bg-red-50 p-3 text-sm dark:border-red-800 dark:bg-red-950">
          <p className="mb-1 font-medium text-red-800 dark:text-red-200">{t('config.errorsTitle', { n: entryErrors.length })}</p>
          <ul data-testid="import-errors" className="space-y-0.5 font-mono text-xs">
            {entryErrors.map(([path, message]) => (
              <li key={path}>
                <b>{path}</b>: {message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {fields._ && <ErrorNote message={fields._} />}
      <div className="flex gap-2">
        {/* Not before the cluster list is in: the dry run would go out without the cluster the select then shows. */}
        <button type="button" className={primaryButton} disabled={run.isPending || cluster.isLoading} onClick={() => run.mutate('dry-run')}>
          {run.isPending && run.variables === 'dry-run' ? t('common.loading') : t('config.dryRun')}
        </button>
        <AdminOnly fallback={<p className="self-center text-xs text-slate-500">{t('config.readOnlyImport')}</p>}>
          <button type="button" disabled={!canApply || run.isPending} onClick={() => run.mutate('apply')} className="rounded bg-red-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-40">
            {run.isPending && run.variables === 'apply' ? t('common.loading') : t('config.apply')}
          </button>
        </AdminOnly>
      </div>
      {answer?.status === 'changed' && <p role="alert" className="text-sm text-red-600">{t('config.changed')}</p>}
      {answer?.status === 'applied' && (
        <div role="status" className="text-sm">
          <p className={answer.failed > 0 ? 'text-red-600' : 'text-emerald-700 dark:text-emerald-400'}>{t('config.applied', { ok: answer.results.length - answer.failed, failed: answer.failed })}</p>
          {answer.results.filter((r) => !r.ok).map((r) => (
            <p key={`${r.kind}-${r.name}-${r.brokerName}`} className="font-mono text-xs text-red-600">
              {r.name} @ {r.brokerName}: {r.error}
            </p>
          ))}
        </div>
      )}
      {answer && answer.status !== 'applied' && <PlanView plan={answer.plan} />}
    </section>
  );
}

export default function ConfigPage() {
  const { t } = useI18n();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t('config.title')}</h1>
      <ExportSection />
      <ImportSection />
    </div>
  );
}
