'use client';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { BrokerAnswer } from '@/components/acl/broker-answer';
import { Dialog } from '@/components/ui/dialog';
import { ErrorNote, KeyValueTable, Table, td } from '@/components/ui/table';
import { BrokerLiveness, DepartedNotes, NamesrvStrip } from '@/components/cluster/liveness';
import type { ClusterOverview } from '@/lib/cluster-types';
import { fetchJson, formatAge, formatNumber } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';

function BrokerDetail({ addr, view, onClose }: { addr: string; view: 'status' | 'config'; onClose: () => void }) {
  const { t } = useI18n();
  const { data, error } = useQuery({
    queryKey: queryKeys.cluster.broker(addr, view),
    queryFn: () => fetchJson<{ table: Record<string, string> }>(`/api/cluster/broker?addr=${encodeURIComponent(addr)}&view=${view}`),
  });
  return (
    <Dialog title={`${view === 'status' ? t('cluster.status') : t('cluster.config')} · ${addr}`} onClose={onClose} closeLabel={t('common.close')}>
      {error ? <ErrorNote message={(error as Error).message} /> : data ? <KeyValueTable table={data.table} /> : <p>{t('common.loading')}</p>}
    </Dialog>
  );
}

export default function ClusterPage() {
  const { t } = useI18n();
  const { data, error, refetch, isFetching } = useQuery({ queryKey: queryKeys.cluster.all(), queryFn: () => fetchJson<ClusterOverview>('/api/cluster'), refetchInterval: 15_000 });
  const [detail, setDetail] = useState<{ addr: string; view: 'status' | 'config' } | null>(null);
  const [clusterFilter, setClusterFilter] = useState('');
  const brokers = (data?.brokers ?? []).filter((b) => !clusterFilter || b.cluster === clusterFilter);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{t('cluster.title')}</h1>
        <label className="ml-auto flex items-center gap-2 text-sm">
          {t('cluster.cluster')}
          <select value={clusterFilter} onChange={(e) => setClusterFilter(e.target.value)} className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900">
            <option value="">{t('topic.kind.ALL')}</option>
            {(data?.clusters ?? []).map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void refetch()} className="rounded border border-slate-300 px-3 py-1 text-sm dark:border-slate-700">
          {isFetching ? t('common.loading') : t('common.refresh')}
        </button>
      </div>
      {error && <ErrorNote message={t('common.error', { message: (error as Error).message })} />}
      {data && !data.namesrv.reachable && <ErrorNote message={t('common.error', { message: data.namesrv.error ?? '' })} />}
      {data?.namesrvs && <NamesrvStrip namesrvs={data.namesrvs} />}
      <Table
        testId="cluster-brokers"
        head={[t('cluster.cluster'), t('cluster.broker'), t('cluster.id'), t('cluster.addr'), t('cluster.liveness'), t('cluster.version'), t('cluster.putTps'), t('cluster.getTps'), t('cluster.inYesterday'), t('cluster.inToday'), t('cluster.outYesterday'), t('cluster.outToday'), t('cluster.uptime'), '']}
      >
        {brokers.map((b) => (
          <tr key={b.addr}>
            <td className={td}>{b.cluster}</td>
            <td className={td}>{b.brokerName}</td>
            <td className={td}>
              {b.brokerId} ({b.role})
            </td>
            <td className={`${td} font-mono`}>{b.addr}</td>
            <td className={td}>
              <BrokerLiveness broker={b} />
            </td>
            <td className={td}>{b.alive || b.refused ? <BrokerAnswer broker={b} /> : '–'}</td>
            <td className={`${td} tabular-nums`}>{formatNumber(b.putTps)}</td>
            <td className={`${td} tabular-nums`}>{formatNumber(b.getTps)}</td>
            <td className={`${td} tabular-nums`}>{formatNumber(b.inTotalYesterday)}</td>
            <td className={`${td} tabular-nums`}>{formatNumber(b.inTotalToday)}</td>
            <td className={`${td} tabular-nums`}>{formatNumber(b.outTotalYesterday)}</td>
            <td className={`${td} tabular-nums`}>{formatNumber(b.outTotalToday)}</td>
            <td className={td} title={b.bootTimestamp ? new Date(b.bootTimestamp).toISOString() : undefined}>{b.bootTimestamp ? formatAge(Math.max(0, (data?.checkedAt ?? Date.now()) - b.bootTimestamp)) : '–'}</td>
            <td className={`${td} space-x-2`}>
              <button type="button" disabled={!b.alive} onClick={() => setDetail({ addr: b.addr, view: 'status' })} className="rounded bg-slate-800 px-2 py-1 text-xs text-white disabled:opacity-40 dark:bg-slate-200 dark:text-slate-900">
                {t('cluster.status')}
              </button>
              <button type="button" disabled={!b.alive} onClick={() => setDetail({ addr: b.addr, view: 'config' })} className="rounded bg-slate-800 px-2 py-1 text-xs text-white disabled:opacity-40 dark:bg-slate-200 dark:text-slate-900">
                {t('cluster.config')}
              </button>
            </td>
          </tr>
        ))}
        {data && brokers.length === 0 && (
          <tr>
            <td className={td} colSpan={14}>
              {t('shell.noBrokers')}
            </td>
          </tr>
        )}
      </Table>
      {data && <DepartedNotes departed={data.departed.filter((d) => !clusterFilter || d.cluster === clusterFilter)} />}
      {detail && <BrokerDetail addr={detail.addr} view={detail.view} onClose={() => setDetail(null)} />}
    </div>
  );
}
