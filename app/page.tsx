'use client';
import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ErrorNote, Table, td } from '@/components/ui/table';
import type { ClusterOverview } from '@/lib/cluster-types';
import { fetchJson, formatNumber } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="rounded-md border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <p className="text-xs uppercase text-slate-500">{label}</p>
      <p data-testid={testId} className="mt-1 text-2xl font-semibold tabular-nums">
        {value}
      </p>
    </div>
  );
}

export default function DashboardPage() {
  const { t } = useI18n();
  const cluster = useQuery({ queryKey: queryKeys.cluster.all(), queryFn: () => fetchJson<ClusterOverview>('/api/cluster'), refetchInterval: 15_000 });
  const topics = useQuery({ queryKey: queryKeys.topics.all(), queryFn: () => fetchJson<{ topics: { topic: string; kind: string }[] }>('/api/topics') });
  const brokers = cluster.data?.brokers ?? [];
  const sum = (pick: (b: (typeof brokers)[number]) => number | undefined) => brokers.reduce((s, b) => s + (pick(b) ?? 0), 0);
  const chart = brokers.map((b) => ({ name: `${b.brokerName}#${b.brokerId}`, in: b.inTotalToday ?? 0, out: b.outTotalToday ?? 0 }));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">{t('dashboard.title')}</h1>
      {cluster.error && <ErrorNote message={t('common.error', { message: (cluster.error as Error).message })} />}
      {cluster.data && !cluster.data.namesrv.reachable && <ErrorNote message={t('common.error', { message: cluster.data.namesrv.error ?? '' })} />}
      <div className="grid grid-cols-2 gap-4 md:grid-cols-4">
        <Stat label={t('dashboard.brokerCount')} value={cluster.data ? String(brokers.length) : '…'} testId="stat-brokers" />
        <Stat label={t('dashboard.topicCount')} value={topics.data ? String(topics.data.topics.filter((x) => x.kind === 'NORMAL').length) : '…'} testId="stat-topics" />
        <Stat label={t('dashboard.totalIn')} value={cluster.data ? formatNumber(sum((b) => b.inTotalToday)) : '…'} />
        <Stat label={t('dashboard.totalOut')} value={cluster.data ? formatNumber(sum((b) => b.outTotalToday)) : '…'} />
      </div>
      <section className="space-y-2">
        <h2 className="text-lg font-medium">{t('dashboard.brokers')}</h2>
        <Table testId="broker-overview" head={[t('cluster.broker'), t('cluster.addr'), t('cluster.version'), t('cluster.putTps'), t('cluster.getTps'), t('cluster.inToday'), t('cluster.outToday')]}>
          {brokers.map((b) => (
            <tr key={b.addr}>
              <td className={td}>
                {b.brokerName}#{b.brokerId}
              </td>
              <td className={`${td} font-mono`}>{b.addr}</td>
              <td className={td}>{b.alive ? b.version : <span className="text-red-600">{t('cluster.down')}</span>}</td>
              <td className={`${td} tabular-nums`}>{formatNumber(b.putTps)}</td>
              <td className={`${td} tabular-nums`}>{formatNumber(b.getTps)}</td>
              <td className={`${td} tabular-nums`}>{formatNumber(b.inTotalToday)}</td>
              <td className={`${td} tabular-nums`}>{formatNumber(b.outTotalToday)}</td>
            </tr>
          ))}
          {cluster.data && brokers.length === 0 && (
            <tr>
              <td className={td} colSpan={7}>
                {t('shell.noBrokers')}
              </td>
            </tr>
          )}
        </Table>
        {chart.length > 0 && (
          <div className="h-56 rounded-md border border-slate-200 bg-white p-2 dark:border-slate-800 dark:bg-slate-900">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={chart}>
                <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
                <XAxis dataKey="name" fontSize={12} />
                <YAxis fontSize={12} allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="in" name={t('cluster.inToday')} fill="#f97316" />
                <Bar dataKey="out" name={t('cluster.outToday')} fill="#0ea5e9" />
              </BarChart>
            </ResponsiveContainer>
          </div>
        )}
      </section>
    </div>
  );
}
