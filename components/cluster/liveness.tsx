'use client';
/**
 * Liveness on the Cluster page: each NameServer of the session's list on its own (a dead one is shown, not
 * hidden behind failover), each broker's last answer, and the brokers that left the NameServers.
 */
import type { BrokerOverview, DepartedBroker, NamesrvProbe } from '@/lib/cluster-types';
import { formatAge } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';

const dot = (color: string) => <span aria-hidden className={`inline-block h-2 w-2 shrink-0 rounded-full ${color}`} />;

export function NamesrvStrip({ namesrvs }: { namesrvs: NamesrvProbe[] }) {
  const { t } = useI18n();
  const answered = namesrvs.filter((n) => n.reachable);
  const uneven = new Set(answered.map((n) => (n.brokerNames ?? []).join(','))).size > 1;
  return (
    <section aria-label={t('cluster.health.namesrvs')} data-testid="cluster-namesrvs" className="rounded-md border border-slate-200 bg-white px-3 py-2 text-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-center gap-x-5 gap-y-1">
        <span className="text-xs font-medium uppercase text-slate-500">{t('cluster.health.namesrvs')}</span>
        {namesrvs.map((n) => (
          <span key={n.addr} className="flex items-center gap-1.5" title={n.error}>
            {dot(n.reachable ? 'bg-emerald-500' : 'bg-red-500')}
            <code className="font-mono text-xs">{n.addr}</code>
            <span className="text-xs text-slate-500">
              {n.reachable ? t('cluster.namesrvKnows', { ms: n.latencyMs ?? 0, count: n.brokerNames?.length ?? 0 }) : t('shell.unreachable')}
            </span>
          </span>
        ))}
      </div>
      {uneven && (
        <p className="mt-1 text-xs text-amber-700 dark:text-amber-400">
          {t('cluster.health.uneven')}{' '}
          {answered.map((n) => `${n.addr}: ${(n.brokerNames ?? []).join(', ') || '–'}`).join(' · ')}
        </p>
      )}
    </section>
  );
}

export function BrokerLiveness({ broker }: { broker: BrokerOverview }) {
  const { t } = useI18n();
  if (broker.alive) {
    return (
      <span className="flex items-center gap-1.5" data-testid="broker-liveness">
        {dot('bg-emerald-500')}
        {t('cluster.alive')}
      </span>
    );
  }
  return (
    <span className="flex items-center gap-1.5 text-red-600 dark:text-red-400" title={broker.error} data-testid="broker-liveness">
      {dot('bg-red-500')}
      {t('cluster.down')} · {broker.lastSeenAgoMs === null ? t('shell.neverSeen') : t('shell.lastSeen', { age: formatAge(broker.lastSeenAgoMs) })}
    </span>
  );
}

export function DepartedNotes({ departed }: { departed: DepartedBroker[] }) {
  const { t } = useI18n();
  if (departed.length === 0) return null;
  return (
    <ul aria-label={t('cluster.departed.title')} data-testid="cluster-departed" className="space-y-1 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
      {departed.map((d) => (
        <li key={d.addr}>
          {t('cluster.departed.one', { broker: `${d.brokerName}#${d.brokerId}`, cluster: d.cluster, addr: d.addr, age: formatAge(d.goneForMs) })}
        </li>
      ))}
    </ul>
  );
}
