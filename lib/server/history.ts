/**
 * What the console asks of the history store: a chart's points over a range (averaged into at most
 * HISTORY_CHART_POINTS_MAX time buckets), the sparklines of a list page in one read, and a group's
 * time-to-drain estimate: lag / (consume TPS − produce TPS into its queues) over the last few samples.
 */
import { HISTORY_CHART_POINTS_MAX } from '@broker/config/limits';
import type { HistoryRange } from '@/lib/validation';
import { SERIES_FIELDS, type HistoryStore, type SeriesKind, type SeriesPoint, type SeriesValues } from './history-store';

/** Each range the history route accepts (lib/validation.ts HISTORY_RANGES), in ms. */
export const RANGES = { '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 24 * 3_600_000, '7d': 7 * 24 * 3_600_000 } as const satisfies Record<HistoryRange, number>;
export type RangeName = keyof typeof RANGES;

/** Samples the drain estimate averages over (the newest ones). */
const DRAIN_WINDOW_SAMPLES = 5;

/**
 * Points averaged into `buckets` equal time buckets from `from` to `to` (null values are left out of the
 * average; a bucket with no sample is left out, so the chart shows a gap where the collector did not run).
 */
export function downsample(points: SeriesPoint[], from: number, to: number, buckets: number): SeriesPoint[] {
  if (points.length <= buckets) return points;
  const width = Math.max(1, (to - from) / buckets);
  const out: SeriesPoint[] = [];
  let index = 0;
  for (let b = 0; b < buckets && index < points.length; b++) {
    const end = b === buckets - 1 ? Infinity : from + (b + 1) * width;
    const inBucket: SeriesPoint[] = [];
    while (index < points.length && points[index]!.t < end) inBucket.push(points[index++]!);
    if (inBucket.length === 0) continue;
    const fields = inBucket[0]!.v.length;
    const v: SeriesValues = [];
    for (let f = 0; f < fields; f++) {
      const known = inBucket.map((p) => p.v[f]).filter((x): x is number => typeof x === 'number');
      v.push(known.length ? Math.round((known.reduce((s, x) => s + x, 0) / known.length) * 100) / 100 : null);
    }
    out.push({ t: inBucket[inBucket.length - 1]!.t, v });
  }
  return out;
}

export type ChartRow = { t: number } & Record<string, number | null>;

export interface Chart {
  kind: SeriesKind;
  name: string;
  range: RangeName;
  from: number;
  to: number;
  /** Samples in the range before averaging. */
  samples: number;
  fields: readonly string[];
  points: ChartRow[];
}

export function chart(store: HistoryStore, kind: SeriesKind, name: string, range: RangeName, now = Date.now()): Chart & { raw: SeriesPoint[] } {
  const rangeStart = now - RANGES[range];
  const raw = store.series(kind, [name], rangeStart, now).get(name) ?? [];
  // A history shorter than the range is drawn across the chart, not squeezed into its right edge.
  const from = raw[0] ? Math.max(rangeStart, raw[0].t) : rangeStart;
  const fields = SERIES_FIELDS[kind];
  const points = downsample(raw, from, now, HISTORY_CHART_POINTS_MAX).map((p) => {
    const row: ChartRow = { t: p.t };
    fields.forEach((f, i) => (row[f] = p.v[i] ?? null));
    return row;
  });
  return { kind, name, range, from, to: now, samples: raw.length, fields, points, raw };
}

/**
 * The list column's value: lag for a group, in TPS for a topic, per bucket of the range (null where no sample),
 * the range starting at the first sample when the history is shorter.
 */
export function sparklines(store: HistoryStore, kind: SeriesKind, names: readonly string[], range: RangeName, buckets: number, now = Date.now()): Record<string, (number | null)[]> {
  const rangeStart = now - RANGES[range];
  const all = store.series(kind, names, rangeStart, now);
  // Sample times are the same for every name: a history shorter than the range spans the whole line.
  const first = [...all.values()].find((points) => points.length > 0)?.[0]?.t;
  const from = first === undefined ? rangeStart : Math.max(rangeStart, first);
  const width = Math.max(1, now - from) / buckets;
  const out: Record<string, (number | null)[]> = {};
  const samples = [...all.values()][0]?.length ?? 0;
  if (samples <= buckets) {
    // Fewer samples than points (a young history): one point per sample, so empty buckets do not break the line.
    for (const name of names) out[name] = (all.get(name) ?? []).map((p) => (typeof p.v[0] === 'number' ? p.v[0] : null));
    return out;
  }
  for (const name of names) {
    const line: (number | null)[] = Array.from({ length: buckets }, () => null);
    const sums = new Array<number>(buckets).fill(0);
    const counts = new Array<number>(buckets).fill(0);
    for (const p of all.get(name) ?? []) {
      const b = Math.min(buckets - 1, Math.max(0, Math.floor((p.t - from) / width)));
      const value = p.v[0];
      if (typeof value !== 'number') continue;
      sums[b]! += value;
      counts[b]! += 1;
    }
    for (let b = 0; b < buckets; b++) if (counts[b]) line[b] = Math.round((sums[b]! / counts[b]!) * 100) / 100;
    out[name] = line;
  }
  return out;
}

export interface DrainEstimate {
  /** caught_up: no lag; draining: lag falls, `seconds` left at this pace; not_draining: it holds or grows; unknown: too few samples. */
  status: 'caught_up' | 'draining' | 'not_draining' | 'unknown';
  lag: number | null;
  consumeTps: number | null;
  produceTps: number | null;
  /** consume − produce. */
  netTps: number | null;
  /** Change of the lag over the window (positive = growing). */
  lagChange: number | null;
  seconds: number | null;
  /** Time the window spans, ms. */
  windowMs: number;
}

/** A group's time to drain from its newest samples (lag, consumeTps, produceTps per point). */
export function drainEstimate(points: SeriesPoint[]): DrainEstimate {
  const window = points.slice(-DRAIN_WINDOW_SAMPLES);
  const last = window[window.length - 1];
  const empty: DrainEstimate = { status: 'unknown', lag: null, consumeTps: null, produceTps: null, netTps: null, lagChange: null, seconds: null, windowMs: 0 };
  if (!last) return empty;
  const lag = last.v[0] ?? 0;
  const average = (field: number) => {
    const known = window.slice(1).map((p) => p.v[field]).filter((x): x is number => typeof x === 'number');
    return known.length ? known.reduce((s, x) => s + x, 0) / known.length : null;
  };
  const consumeTps = average(1);
  const produceTps = average(2);
  const windowMs = last.t - window[0]!.t;
  const lagChange = window.length > 1 ? lag - (window[0]!.v[0] ?? 0) : null;
  const base = { ...empty, lag, consumeTps, produceTps, lagChange, windowMs };
  if (lag === 0) return { ...base, status: 'caught_up', netTps: consumeTps === null || produceTps === null ? null : consumeTps - produceTps, seconds: 0 };
  if (consumeTps === null || produceTps === null) return { ...base, status: 'unknown' };
  const netTps = Math.round((consumeTps - produceTps) * 100) / 100;
  if (netTps <= 0 || (lagChange !== null && lagChange > 0)) return { ...base, netTps, status: 'not_draining' };
  return { ...base, netTps, status: 'draining', seconds: Math.ceil(lag / netTps) };
}
