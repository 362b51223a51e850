'use client';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { BrokerAnswer } from '@/components/acl/broker-answer';
import { ErrorNote, Table, td } from '@/components/ui/table';
import type { ClusterOverview } from '@/lib/cluster-types';
import { dayOf, fetchJson, formatNumber } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { DaySummary } from '@/lib/server/metrics';

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

type DashboardDay = DaySummary & { collecting: boolean; collectorError: string | null; sampledNamesrv: string; otherCluster: boolean };

const COLORS = ['#f97316', '#0ea5e9', '#22c55e', '#a855f7', '#ef4444', '#eab308', '#14b8a6', '#6366f1', '#ec4899', '#84cc16'];
/** Axis labels: hours and minutes, with seconds when the samples span less than half an hour. */
const timeLabel = (span: number) => (t: number) => new Date(t).toLocaleTimeString([], span < 1_800_000 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' });

const today = () => dayOf(Date.now());

function Panel({ title, children, empty }: { title: string; children: React.ReactNode; empty?: string | null }) {
  return (
    <section aria-label={title} className="rounded-md border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
      <h2 className="mb-2 text-sm font-medium">{title}</h2>
      {empty ? <p className="flex h-56 items-center justify-center text-sm text-slate-500">{empty}</p> : <div className="h-56">{children}</div>}
    </section>
  );
}

function TpsLines({ data, keys }: { data: Record<string, number>[]; keys: string[] }) {
  const span = data.length > 1 ? data[data.length - 1]!.t! - data[0]!.t! : 0;
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={data}>
        <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
        <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={timeLabel(span)} minTickGap={30} fontSize={11} />
        <YAxis fontSize={11} unit=" /s" width={60} />
        <Tooltip labelFormatter={(v) => new Date(Number(v)).toLocaleString()} formatter={(v) => `${formatNumber(Number(v))} msg/s`} />
        <Legend wrapperStyle={{ fontSize: 11 }} />
        {keys.map((k, i) => (
          <Line key={k} type="monotone" dataKey={k} stroke={COLORS[i % COLORS.length]} dot={false} isAnimationActive={false} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

export default function DashboardPage() {
  const { t } = useI18n();
  const cluster = useQuery({ queryKey: queryKeys.cluster.all(), queryFn: () => fetchJson<ClusterOverview>('/api/cluster'), refetchInterval: 15_000 });
  const topics = useQuery({ queryKey: queryKeys.topics.all(), queryFn: () => fetchJson<{ topics: { topic: string; kind: string }[] }>('/api/topics') });
  const [day, setDay] = useState(today);
  const metrics = useQuery({ queryKey: queryKeys.dashboard(day), queryFn: () => fetchJson<DashboardDay>(`/api/dashboard?day=${day}`), refetchInterval: 30_000 });
  const brokers = cluster.data?.brokers ?? [];
  const sum = (pick: (b: (typeof brokers)[number]) => number | undefined) => brokers.reduce((s, b) => s + (pick(b) ?? 0), 0);
  const chart = brokers
    .map((b) => ({ name: `${b.brokerName}#${b.brokerId}`, in: b.inTotalToday ?? 0, out: b.outTotalToday ?? 0 }))
    .sort((a, b) => b.in - a.in)
    .slice(0, 10);
  const m = metrics.data;
  const noSamples = !m ? t('common.loading') : m.samples < 2 ? t('dashboard.collecting', { n: m.samples }) : null;
  const brokerKeys = m ? m.brokers.flatMap((b) => [`${b} put`, `${b} get`]) : [];
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
              <td className={td}><BrokerAnswer broker={b} /></td>
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
      </section>
      <div className="flex items-center gap-3">
        <h2 className="text-lg font-medium">{t('dashboard.charts')}</h2>
        <input type="date" aria-label={t('dashboard.day')} value={day} max={today()} onChange={(e) => e.target.value && setDay(e.target.value)} className="rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950" />
        {m && <span className="text-xs text-slate-500">{t('dashboard.samples', { n: m.samples, interval: Math.round(m.intervalMs / 1000) })}</span>}
        {m?.collectorError && <span className="text-xs text-red-600">{m.collectorError}</span>}
        {m?.otherCluster && <span className="text-xs text-amber-700 dark:text-amber-400">{t('dashboard.otherCluster', { addr: m.sampledNamesrv })}</span>}
      </div>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Panel title={t('dashboard.brokerTop')} empty={chart.length === 0 ? t('shell.noBrokers') : null}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={chart}>
              <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
              <XAxis dataKey="name" fontSize={11} />
              <YAxis fontSize={11} allowDecimals={false} unit=" msg" width={90} />
              <Tooltip />
              <Legend wrapperStyle={{ fontSize: 11 }} />
              <Bar dataKey="in" name={t('cluster.inToday')} fill="#f97316" />
              <Bar dataKey="out" name={t('cluster.outToday')} fill="#0ea5e9" />
            </BarChart>
          </ResponsiveContainer>
        </Panel>
        <Panel title={t('dashboard.topicTop')} empty={m && m.topTopics.length === 0 ? (noSamples ?? t('dashboard.noTraffic')) : !m ? t('common.loading') : null}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={m?.topTopics ?? []} layout="vertical" margin={{ left: 20 }}>
              <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
              <XAxis type="number" fontSize={11} allowDecimals={false} unit=" msg" />
              <YAxis type="category" dataKey="topic" fontSize={11} width={120} />
              <Tooltip />
              <Bar dataKey="messages" name={t('dashboard.messagesDay')} fill="#22c55e" />
            </BarChart>
          </ResponsiveContainer>
        </Panel>
        <Panel title={t('dashboard.brokerTps')} empty={noSamples}>
          <TpsLines data={m?.brokerSeries ?? []} keys={brokerKeys} />
        </Panel>
        <Panel title={t('dashboard.topicTps')} empty={noSamples ?? (m && m.topTopics.length === 0 ? t('dashboard.noTraffic') : null)}>
          <TpsLines data={m?.topicSeries ?? []} keys={m?.topTopics.map((x) => x.topic) ?? []} />
        </Panel>
      </div>
    </div>
  );
}
