'use client';
/**
 * The health of one saved cluster connection as table cells (OPS page): each NameServer of the list with its
 * answer time, the brokers registered and how many answer, the topic count, or why nothing answered.
 */
import { useQuery } from '@tanstack/react-query';
import { td } from '@/components/ui/table';
import { fetchJson } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { ClusterHealth } from '@/lib/cluster-types';

const dot = (color: string) => <span aria-hidden className={`inline-block h-2 w-2 shrink-0 rounded-full ${color}`} />;

/** Re-checked every 30 s while the OPS page is open; "Check again" invalidates queryKeys.opsHealth. */
const HEALTH_REFRESH_MS = 30_000;

export function ClusterHealthCells({ namesrvAddr }: { namesrvAddr: string }) {
  const { t } = useI18n();
  const { data, error, isFetching } = useQuery({
    queryKey: queryKeys.opsHealth(namesrvAddr),
    queryFn: () => fetchJson<ClusterHealth>(`/api/ops/health?namesrvAddr=${encodeURIComponent(namesrvAddr)}`),
    refetchInterval: HEALTH_REFRESH_MS,
  });
  if (error || !data) {
    return (
      <td className="max-w-md break-words px-2.5 py-2 text-xs" colSpan={3}>
        {error ? <span className="text-red-600 dark:text-red-400">{(error as Error).message}</span> : <span className="text-slate-500">{t('cluster.health.checking')}</span>}
      </td>
    );
  }
  const { brokers } = data;
  const brokerColor = !data.reachable || brokers.total === 0 || brokers.alive === 0 ? 'bg-red-500' : brokers.alive < brokers.total ? 'bg-amber-500' : 'bg-emerald-500';
  return (
    <>
      <td className={`${td} align-top`} data-testid="health-namesrvs" aria-busy={isFetching}>
        <ul className="space-y-0.5">
          {data.namesrvs.map((n) => (
            <li key={n.addr} className="flex items-center gap-1.5 text-xs" title={n.error ?? (n.brokerNames ?? []).join(', ')}>
              {dot(n.reachable ? 'bg-emerald-500' : 'bg-red-500')}
              <span className="font-mono">{n.addr}</span>
              <span className="text-slate-500">{n.reachable ? `${n.latencyMs} ms` : t('shell.unreachable')}</span>
            </li>
          ))}
        </ul>
        {data.unevenRegistration && <p className="mt-1 text-xs text-amber-700 dark:text-amber-400">{t('cluster.health.uneven')}</p>}
      </td>
      {data.reachable ? (
        <>
          <td className={`${td} align-top text-xs`} data-testid="health-brokers">
            <span className="flex items-center gap-1.5">
              {dot(brokerColor)}
              {brokers.total === 0 ? t('shell.noBrokers') : t('cluster.health.brokersAlive', { alive: brokers.alive, total: brokers.total })}
            </span>
            {brokers.notAnswering.length > 0 && <span className="mt-0.5 block text-amber-700 dark:text-amber-400">{t('cluster.health.notAnswering', { brokers: brokers.notAnswering.join(', ') })}</span>}
            {data.clusters.length > 0 && <span className="mt-0.5 block text-slate-500">{data.clusters.join(', ')}</span>}
          </td>
          <td className={`${td} align-top text-xs tabular-nums`} data-testid="health-topics" title={data.error}>
            {data.topics ?? '–'}
          </td>
        </>
      ) : (
        <td className="max-w-md break-words px-2.5 py-2 align-top text-xs text-red-700 dark:text-red-400" colSpan={2} data-testid="health-error">
          {data.error}
        </td>
      )}
    </>
  );
}
