'use client';
/**
 * The Alerts page: alerts pending or firing (acknowledge), the rules (silence, test, delete), a form for a new
 * rule with each field's error beside it, and the history of events with their webhook deliveries.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ALERT_KIND_INFO, ALERT_KINDS, alertRuleInputSchema, WEBHOOK_FORMATS, type AlertKind, type AlertRule } from '@/lib/alerts-schema';
import { AdminOnly } from '@/components/security/session';
import { dangerButton, errorsOf, Field, FieldError, inputClass, primaryButton, smallButton, useValidation } from '@/components/ui/form';
import { ErrorNote, Table, td } from '@/components/ui/table';
import { fetchJson, formatTime } from '@/lib/fetch-json';
import { useI18n, type MessageKey } from '@/lib/i18n';

interface AlertView {
  id: string;
  ruleId: string;
  ruleName: string;
  kind: string;
  subject: string;
  state: 'pending' | 'firing';
  since: number;
  firedAt?: number;
  message: string;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  silencedUntil: number | null;
}

interface EventView {
  id: string;
  ruleName: string;
  subject: string;
  state: 'firing' | 'resolved' | 'test';
  message: string;
  at: number;
  delivery?: { url: string; ok: boolean; status?: number; error?: string; skipped?: 'silenced' | 'no_webhook' };
}

interface AlertsAnswer {
  rules: AlertRule[];
  alerts: AlertView[];
  events: EventView[];
  collector: { running: boolean; intervalMs: number | null; lastSampleAt: number | null; lastError: string | null };
}

const ALERTS_KEY = ['alerts'] as const;
const EMPTY_FORM = { name: '', kind: 'lag' as AlertKind, target: '', threshold: '', forMinutes: '5', webhookUrl: '', webhookFormat: 'json' as (typeof WEBHOOK_FORMATS)[number] };

const stateClass: Record<string, string> = {
  firing: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200',
  pending: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200',
  resolved: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
  test: 'bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-100',
};

function StateBadge({ state }: { state: string }) {
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${stateClass[state] ?? ''}`}>{state}</span>;
}

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function AlertsView() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ALERTS_KEY, queryFn: () => fetchJson<AlertsAnswer>('/api/alerts?limit=100'), refetchInterval: 5_000 });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ALERTS_KEY });
  const [note, setNote] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const action = useMutation({
    mutationFn: ({ url, body, method = 'POST' }: { url: string; body?: unknown; method?: 'POST' | 'DELETE' }) => fetchJson<{ event?: EventView }>(url, { method, body: JSON.stringify(body ?? {}) }),
    onMutate: () => {
      setNote(null);
      setActionError(null);
    },
    onSuccess: (answer) => {
      const event = answer.event;
      if (event?.delivery) setNote(t('alerts.testResult', { url: event.delivery.url, result: event.delivery.ok ? t('alerts.delivered', { status: event.delivery.status ?? '' }) : t('alerts.notDelivered', { error: event.delivery.error ?? '' }) }));
      void refresh();
    },
    onError: (err) => setActionError(errorsOf(err)._ ?? Object.values(errorsOf(err))[0] ?? String(err)),
  });
  const data = query.data;
  const collector = data?.collector;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold">{t('alerts.title')}</h1>
        {collector && (
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
            {collector.running ? t('alerts.intro', { interval: Math.round((collector.intervalMs ?? 60_000) / 1000) }) : t('alerts.notCollecting')}
            {collector.lastSampleAt ? ` ${t('alerts.lastSample', { time: formatTime(collector.lastSampleAt) })}` : ''}
          </p>
        )}
      </div>
      {query.error && <ErrorNote message={String((query.error as Error).message)} />}
      {note && <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">{note}</p>}
      {actionError && <ErrorNote message={actionError} />}

      <section aria-labelledby="alerts-active" className="space-y-2">
        <h2 id="alerts-active" className="font-medium">{t('alerts.active')}</h2>
        {data && data.alerts.length === 0 ? (
          <p className="text-sm text-slate-500">{t('alerts.noActive')}</p>
        ) : (
          <Table testId="active-alerts" head={[t('alerts.state'), t('alerts.rule'), t('alerts.subject'), t('alerts.since'), t('alerts.detail'), t('alerts.acknowledged'), '']}>
            {(data?.alerts ?? []).map((a) => (
              <tr key={a.id}>
                <td className={td}><StateBadge state={a.state} /></td>
                <td className={td}>{a.ruleName}</td>
                <td className={`${td} max-w-[16rem] truncate`} title={a.subject}>{a.subject}</td>
                <td className={td}>{formatTime(a.firedAt ?? a.since)}</td>
                <td className={`${td} whitespace-normal min-w-[16rem]`}>{a.message}</td>
                <td className={td}>{a.acknowledgedAt ? t('alerts.ackedBy', { who: a.acknowledgedBy ?? '', time: formatTime(a.acknowledgedAt) }) : '—'}</td>
                <td className={td}>
                  {!a.acknowledgedAt && (
                    <AdminOnly>
                      <button type="button" className={smallButton} disabled={action.isPending} onClick={() => action.mutate({ url: `/api/alerts/${a.id}/ack` })}>{t('alerts.acknowledge')}</button>
                    </AdminOnly>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>

      <section aria-labelledby="alerts-rules" className="space-y-2">
        <h2 id="alerts-rules" className="font-medium">{t('alerts.rules')}</h2>
        {data && data.rules.length === 0 ? (
          <p className="text-sm text-slate-500">{t('alerts.noRules')}</p>
        ) : (
          <Table testId="alert-rules" head={[t('alerts.name'), t('alerts.condition'), t('alerts.webhook'), t('alerts.status'), '']}>
            {(data?.rules ?? []).map((r) => {
              const silenced = r.silencedUntil && r.silencedUntil > Date.now();
              return (
                <tr key={r.id}>
                  <td className={`${td} max-w-[14rem] truncate`} title={r.name}>{r.name}</td>
                  <td className={td}>
                    {t(`alerts.kind.${r.kind}` as MessageKey).replace('N', String(r.threshold ?? ''))} · <span className="font-mono text-xs">{r.target}</span>
                    {r.forMinutes > 0 ? ` · ${r.forMinutes} min` : ''}
                  </td>
                  <td className={td}>{r.webhookUrl ? `${r.webhookFormat} → ${host(r.webhookUrl)}` : '—'}</td>
                  <td className={td}>{silenced ? t('alerts.silencedUntil', { time: formatTime(r.silencedUntil) }) : t(r.enabled ? 'alerts.enabled' : 'alerts.disabled')}</td>
                  <td className={td}>
                    <AdminOnly>
                      <span className="flex gap-1">
                        <button type="button" className={smallButton} disabled={action.isPending} onClick={() => action.mutate({ url: `/api/alerts/rules/${r.id}/silence`, body: { minutes: silenced ? 0 : 60 } })}>{t(silenced ? 'alerts.unsilence' : 'alerts.silence')}</button>
                        {r.webhookUrl && <button type="button" className={smallButton} disabled={action.isPending} onClick={() => action.mutate({ url: `/api/alerts/rules/${r.id}/test` })}>{t('alerts.test')}</button>}
                        <button type="button" className={dangerButton} disabled={action.isPending} onClick={() => window.confirm(t('alerts.confirmDelete', { name: r.name })) && action.mutate({ url: `/api/alerts/rules/${r.id}`, method: 'DELETE' })}>{t('alerts.delete')}</button>
                      </span>
                    </AdminOnly>
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
      </section>

      <AdminOnly>
        <NewRuleForm onCreated={(name) => {
          setActionError(null);
          setNote(t('alerts.created', { name }));
          void refresh();
        }} />
      </AdminOnly>

      <section aria-labelledby="alerts-history" className="space-y-2">
        <h2 id="alerts-history" className="font-medium">{t('alerts.history')}</h2>
        {data && data.events.length === 0 ? (
          <p className="text-sm text-slate-500">{t('alerts.noHistory')}</p>
        ) : (
          <Table testId="alert-history" head={[t('alerts.time'), t('alerts.event'), t('alerts.rule'), t('alerts.subject'), t('alerts.detail'), t('alerts.delivery')]}>
            {(data?.events ?? []).map((e) => (
              <tr key={e.id}>
                <td className={td}>{formatTime(e.at)}</td>
                <td className={td}><StateBadge state={e.state} /></td>
                <td className={td}>{e.ruleName}</td>
                <td className={`${td} max-w-[14rem] truncate`} title={e.subject}>{e.subject}</td>
                <td className={`${td} whitespace-normal min-w-[16rem]`}>{e.message}</td>
                <td className={td}>
                  {!e.delivery ? '—' : e.delivery.skipped ? t(e.delivery.skipped === 'silenced' ? 'alerts.skippedSilenced' : 'alerts.skippedNoWebhook') : e.delivery.ok ? t('alerts.delivered', { status: e.delivery.status ?? '' }) : t('alerts.notDelivered', { error: e.delivery.error ?? '' })}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>
    </div>
  );
}

function NewRuleForm({ onCreated }: { onCreated: (name: string) => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState(EMPTY_FORM);
  const { errors, setErrors, validate } = useValidation(alertRuleInputSchema);
  const create = useMutation({
    mutationFn: (body: unknown) => fetchJson<{ rule: AlertRule }>('/api/alerts/rules', { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: ({ rule }) => {
      setForm(EMPTY_FORM);
      onCreated(rule.name);
    },
    onError: (err) => setErrors(errorsOf(err)),
  });
  const info = ALERT_KIND_INFO[form.kind];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = validate({ ...form, threshold: info.threshold ? form.threshold : undefined });
    if (value) create.mutate(value);
  };
  const set = (key: keyof typeof EMPTY_FORM) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  return (
    <section aria-labelledby="alerts-new" className="space-y-2">
      <h2 id="alerts-new" className="font-medium">{t('alerts.newRule')}</h2>
      <form onSubmit={submit} noValidate className="grid gap-3 rounded-md border border-slate-200 bg-white p-3 sm:grid-cols-2 lg:grid-cols-4 dark:border-slate-800 dark:bg-slate-900">
        <Field name="name" label={t('alerts.name')} error={errors.name}>
          <input name="name" className={inputClass} value={form.name} onChange={set('name')} aria-invalid={!!errors.name} aria-describedby="name-error" />
        </Field>
        <Field name="kind" label={t('alerts.kind')} error={errors.kind}>
          <select name="kind" className={inputClass} value={form.kind} onChange={set('kind')}>
            {ALERT_KINDS.map((k) => <option key={k} value={k}>{t(`alerts.kind.${k}` as MessageKey)}</option>)}
          </select>
        </Field>
        <Field name="target" label={t('alerts.target')} error={errors.target}>
          <input name="target" className={inputClass} value={form.target} onChange={set('target')} placeholder={info.subject === 'group' ? 'CG_orders' : info.subject === 'broker' ? 'broker-a' : 'OrderTopic'} aria-invalid={!!errors.target} aria-describedby="target-error" />
        </Field>
        {info.threshold && (
          <Field name="threshold" label={`${t('alerts.threshold')} (${info.unit})`} error={errors.threshold}>
            <input name="threshold" inputMode="decimal" className={inputClass} value={form.threshold} onChange={set('threshold')} aria-invalid={!!errors.threshold} aria-describedby="threshold-error" />
          </Field>
        )}
        <Field name="forMinutes" label={t('alerts.forMinutes')} error={errors.forMinutes}>
          <input name="forMinutes" inputMode="numeric" className={inputClass} value={form.forMinutes} onChange={set('forMinutes')} aria-invalid={!!errors.forMinutes} aria-describedby="forMinutes-error" />
        </Field>
        <Field name="webhookUrl" label={t('alerts.webhookUrl')} error={errors.webhookUrl} className="sm:col-span-2">
          <input name="webhookUrl" className={inputClass} value={form.webhookUrl} onChange={set('webhookUrl')} placeholder="https://hooks.slack.com/services/…" aria-invalid={!!errors.webhookUrl} aria-describedby="webhookUrl-error" />
        </Field>
        <Field name="webhookFormat" label={t('alerts.webhookFormat')} error={errors.webhookFormat}>
          <select name="webhookFormat" className={inputClass} value={form.webhookFormat} onChange={set('webhookFormat')}>
            {WEBHOOK_FORMATS.map((f) => <option key={f} value={f}>{f === 'json' ? 'JSON' : f === 'slack' ? 'Slack' : 'DingTalk'}</option>)}
          </select>
        </Field>
        <div className="flex flex-col justify-end gap-1 sm:col-span-2 lg:col-span-4">
          <FieldError id="rule-error" message={errors._} />
          <div>
            <button type="submit" className={primaryButton} disabled={create.isPending}>{t('alerts.create')}</button>
          </div>
        </div>
      </form>
    </section>
  );
}
