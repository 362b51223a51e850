'use client';
/** Pieces of the history views: the range selector, a time-series chart with units, and list sparklines. */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';

export const RANGE_NAMES = ['1h', '6h', '24h', '7d'] as const;
export type RangeName = (typeof RANGE_NAMES)[number];

export function RangeSelector({ value, onChange }: { value: RangeName; onChange: (range: RangeName) => void }) {
  const { t } = useI18n();
  return (
    <div role="radiogroup" aria-label={t('history.range')} className="inline-flex overflow-hidden rounded border border-slate-300 text-xs dark:border-slate-700">
      {RANGE_NAMES.map((r) => (
        <button
          key={r}
          type="button"
          role="radio"
          aria-checked={value === r}
          onClick={() => onChange(r)}
          className={`px-3 py-1 ${value === r ? 'bg-slate-800 text-white dark:bg-slate-200 dark:text-slate-900' : 'hover:bg-slate-100 dark:hover:bg-slate-800'}`}
        >
          {r}
        </button>
      ))}
    </div>
  );
}

const pad = (n: number) => String(n).padStart(2, '0');
/** Axis labels: seconds on spans under half an hour, dates on spans over a day. */
function timeLabel(span: number) {
  return (t: number) => {
    const d = new Date(t);
    const time = `${pad(d.getHours())}:${pad(d.getMinutes())}${span < 1_800_000 ? `:${pad(d.getSeconds())}` : ''}`;
    return span > 86_400_000 ? `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}` : time;
  };
}

export interface ChartLine {
  key: string;
  name: string;
  color: string;
}

/** Lines over [from, to] (the whole range shows even with few points); a missing value is a gap. */
export function TimeSeriesChart({ data, lines, unit, from, to, testId, title }: { data: Record<string, number | null>[]; lines: ChartLine[]; unit: string; from: number; to: number; testId: string; title: string }) {
  const label = timeLabel(to - from);
  return (
    <section aria-label={title} className="rounded-md border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
      <h3 className="mb-2 text-sm font-medium">{title}</h3>
      <div className="h-56" data-testid={testId}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data}>
            <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
            <XAxis dataKey="t" type="number" scale="time" domain={[from, to]} tickFormatter={label} minTickGap={40} fontSize={11} />
            <YAxis fontSize={11} unit={` ${unit}`} width={80} allowDecimals={unit !== 'msg'} />
            <Tooltip labelFormatter={(v) => new Date(Number(v)).toLocaleString()} formatter={(v) => (v === null || v === undefined ? '–' : `${formatNumber(Number(v))} ${unit}`)} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            {lines.map((l) => (
              <Line key={l.key} type="monotone" dataKey={l.key} name={l.name} stroke={l.color} dot={data.length < 30} connectNulls={false} isAnimationActive={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}

/** A small line of a list row (SVG: cheap for a page of rows); null points are gaps. */
export function Sparkline({ values, label, testId, color = '#f97316' }: { values: (number | null)[] | undefined; label: string; testId: string; color?: string }) {
  const known = (values ?? []).filter((v): v is number => v !== null);
  if (!values || known.length === 0) {
    return (
      <span data-testid={testId} aria-label={label} className="text-xs text-slate-400">
        –
      </span>
    );
  }
  const width = 96;
  const height = 22;
  const max = Math.max(...known, 0);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const y = (v: number) => (max === 0 ? height - 1 : height - 1 - (v / max) * (height - 2));
  const segments: string[] = [];
  let current = '';
  values.forEach((v, i) => {
    if (v === null) {
      if (current) segments.push(current);
      current = '';
      return;
    }
    current += `${current ? 'L' : 'M'}${(i * step).toFixed(1)},${y(v).toFixed(1)}`;
  });
  if (current) segments.push(current);
  return (
    <svg data-testid={testId} role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`} className="overflow-visible">
      {segments.map((d, i) => (d.includes('L') ? <path key={i} d={d} fill="none" stroke={color} strokeWidth={1.5} /> : <circle key={i} cx={d.slice(1).split(',')[0]} cy={d.split(',')[1]} r={1.5} fill={color} />))}
    </svg>
  );
}

/** 45 s, 12 min, 3.5 h, 2.1 days. */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5_400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3_600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}
