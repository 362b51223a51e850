'use client';
/** HISTORY of a group (lag, consume vs produce TPS, time to drain) or a topic (in / out TPS), and list sparklines. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Dialog } from '@/components/ui/dialog';
import { ErrorNote } from '@/components/ui/table';
import { fetchJson, formatNumber } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { DrainEstimate } from '@/lib/server/history';
import { formatDuration, RangeSelector, Sparkline, TimeSeriesChart, type RangeName } from './charts';

interface HistoryAnswer {
  kind: 'group' | 'topic';
  name: string;
  from: number;
  to: number;
  samples: number;
  points: Record<string, number | null>[];
  drain?: DrainEstimate;
  intervalMs: number | null;
  collecting: boolean;
  collectorError: string | null;
  otherCluster: boolean;
  sampledNamesrv: string;
}

/** Refetch as often as the collector samples (at most every 5 s, at least every minute). */
const refetchMs = (data: HistoryAnswer | undefined) => Math.min(60_000, Math.max(5_000, data?.intervalMs ?? 60_000));

function useHistory(kind: 'group' | 'topic', name: string, range: RangeName) {
  const query = useQuery({
    queryKey: queryKeys.history.chart(kind, name, range),
    queryFn: () => fetchJson<HistoryAnswer>(`/api/history?kind=${kind}&name=${encodeURIComponent(name)}&range=${range}`),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => refetchMs(q.state.data),
  });
  return query;
}

function CollectorNotes({ data }: { data: HistoryAnswer }) {
  const { t } = useI18n();
  return (
    <p className="text-xs text-slate-500">
      {t('history.samples', { n: data.samples, interval: data.intervalMs ? Math.round(data.intervalMs / 1000) : '–' })}
      {!data.collecting && <span className="ml-2 text-amber-700 dark:text-amber-400">{t('history.notCollecting')}</span>}
      {data.collectorError && <span className="ml-2 text-red-600">{data.collectorError}</span>}
      {data.otherCluster && <span className="ml-2 text-amber-700 dark:text-amber-400">{t('dashboard.otherCluster', { addr: data.sampledNamesrv })}</span>}
    </p>
  );
}

function DrainPanel({ drain }: { drain: DrainEstimate }) {
  const { t } = useI18n();
  const rates = drain.consumeTps !== null && drain.produceTps !== null ? t('history.rates', { consume: formatNumber(drain.consumeTps), produce: formatNumber(drain.produceTps) }) : '';
  const text =
    drain.status === 'caught_up' ? t('history.caughtUp')
    : drain.status === 'draining' ? t('history.draining', { time: formatDuration(drain.seconds ?? 0), net: formatNumber(drain.netTps ?? 0) })
    : drain.status === 'not_draining' ? t('history.notDraining', { change: drain.lagChange !== null && drain.lagChange > 0 ? t('history.grewBy', { n: formatNumber(drain.lagChange) }) : t('history.holds') })
    : t('history.unknownDrain');
  const tone = drain.status === 'not_draining' ? 'border-red-300 bg-red-50 dark:border-red-800 dark:bg-red-950' : drain.status === 'draining' ? 'border-amber-300 bg-amber-50 dark:border-amber-800 dark:bg-amber-950' : 'border-slate-200 bg-slate-50 dark:border-slate-800 dark:bg-slate-900';
  return (
    <div data-testid="drain-estimate" className={`rounded-md border px-3 py-2 text-sm ${tone}`}>
      <p className="font-medium">
        {t('history.timeToDrain')}: {text}
      </p>
      <p className="text-xs text-slate-600 dark:text-slate-400">
        {t('consumer.lag')}: {drain.lag === null ? '–' : formatNumber(drain.lag)} {rates && `· ${rates}`}
      </p>
    </div>
  );
}

/** What a chart takes of an answer: its points and the time span they cover. */
const span = (data: HistoryAnswer) => ({ data: data.points, from: data.from, to: data.to });

/** The frame of a HISTORY dialog: the range selector, the collector's notes, loading and errors, then the charts. */
function HistoryDialog({ kind, name, onClose, children }: { kind: 'group' | 'topic'; name: string; onClose: () => void; children: (data: HistoryAnswer) => ReactNode }) {
  const { t } = useI18n();
  const [range, setRange] = useState<RangeName>('1h');
  const { data, error } = useHistory(kind, name, range);
  return (
    <Dialog title={`${t('history.button')} · ${name}`} onClose={onClose} closeLabel={t('common.close')}>
      <div className="space-y-3">
        <div className="flex items-center gap-3">
          <RangeSelector value={range} onChange={setRange} />
          {data && <CollectorNotes data={data} />}
        </div>
        {error && <ErrorNote message={(error as Error).message} />}
        {!data && !error && <p>{t('common.loading')}</p>}
        {data && children(data)}
      </div>
    </Dialog>
  );
}

export function GroupHistoryDialog({ group, onClose }: { group: string; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <HistoryDialog kind="group" name={group} onClose={onClose}>
      {(data) => (
        <>
          {data.drain && <DrainPanel drain={data.drain} />}
          <div className="grid grid-cols-1 gap-3 lg:grid-cols-2">
            <TimeSeriesChart title={t('history.lagChart')} testId="chart-lag" {...span(data)} unit="msg" lines={[{ key: 'lag', name: t('consumer.lag'), color: '#f97316' }]} />
            <TimeSeriesChart
              title={t('history.groupTpsChart')}
              testId="chart-group-tps"
              {...span(data)}
              unit="msg/s"
              lines={[{ key: 'consumeTps', name: t('history.consumeTps'), color: '#0ea5e9' }, { key: 'produceTps', name: t('history.produceTps'), color: '#22c55e' }]}
            />
          </div>
        </>
      )}
    </HistoryDialog>
  );
}

export function TopicHistoryDialog({ topic, onClose }: { topic: string; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <HistoryDialog kind="topic" name={topic} onClose={onClose}>
      {(data) => (
        <TimeSeriesChart
          title={t('history.topicTpsChart')}
          testId="chart-topic-tps"
          {...span(data)}
          unit="msg/s"
          lines={[{ key: 'inTps', name: t('history.inTps'), color: '#f97316' }, { key: 'outTps', name: t('history.outTps'), color: '#0ea5e9' }]}
        />
      )}
    </HistoryDialog>
  );
}

/** The sparklines of the rows a list page shows: one request for the page, refreshed every 30 s. */
export function useSparklines(kind: 'group' | 'topic', names: readonly string[]) {
  return useQuery({
    queryKey: queryKeys.history.sparklines(kind, names),
    queryFn: () => fetchJson<{ lines: Record<string, (number | null)[]> }>('/api/history/sparklines', { method: 'POST', body: JSON.stringify({ kind, names, range: '1h' }) }),
    enabled: names.length > 0,
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}

/** One row's sparkline cell: a group's lag or a topic's in TPS over the last hour. */
export function SparklineCell({ kind, name, lines }: { kind: 'group' | 'topic'; name: string; lines: Record<string, (number | null)[]> | undefined }) {
  const { t } = useI18n();
  const values = lines?.[name];
  const known = (values ?? []).filter((v): v is number => v !== null);
  // A point averages the samples of its time bucket; a lag is a count of messages, so its label says a whole number.
  const shown = (v: number) => formatNumber(kind === 'group' ? Math.round(v) : v);
  const label = known.length === 0 ? t('history.noHistory') : t(kind === 'group' ? 'history.sparkGroup' : 'history.sparkTopic', { last: shown(known[known.length - 1]!), max: shown(Math.max(...known)) });
  return <Sparkline values={values} label={label} testId={`spark-${name}`} color={kind === 'group' ? '#f97316' : '#0ea5e9'} />;
}
