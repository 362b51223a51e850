/**
 * The history store on real files in a temp folder: what is written is read back after a restart, a torn last
 * line neither hides the lines before it nor swallows the next append, old days and an over-full folder are
 * trimmed, and the Dashboard's day summary and the chart helpers read it (legacy day files included).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dayOf } from '@/lib/fetch-json';
import { chart, downsample, drainEstimate, sparklines } from './history';
import { bucketOf, daysBetween, HistoryStore, readLegacyDay, type SampleWrite, type SeriesValues } from './history-store';
import { dayBounds, daySummary } from './metrics';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-history-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Noon, local time, a fixed day: far from midnight so samples an hour apart stay in one day. */
const NOON = new Date(2026, 10, 25, 12, 0, 0).getTime();

function write(t: number, options: { topics?: Record<string, SeriesValues>; groups?: Record<string, SeriesValues>; messages?: Record<string, number> } = {}): SampleWrite {
  return {
    sample: { t, ms: 3, brokers: { 'broker-a#0': { put: 1, get: 2 } }, topics: 0, groups: 0 },
    topics: new Map(Object.entries(options.topics ?? {})),
    groups: new Map(Object.entries(options.groups ?? {})),
    topicMessages: new Map(Object.entries(options.messages ?? {})),
  };
}

describe('HistoryStore', () => {
  it('reads back each series per sample time, zero where a name was not written, across a restart', () => {
    const store = new HistoryStore({ dir });
    store.append(write(NOON, { groups: { G1: [10, null, null] } }));
    store.append(write(NOON + 60_000, { groups: { G1: [7, 3, 0.5], G2: [1, 0, 0] }, topics: { T1: [2, 3] } }));
    store.append(write(NOON + 120_000)); // everything idle: no series lines, still a sample
    const reopened = new HistoryStore({ dir });
    reopened.append(write(NOON + 180_000, { groups: { G1: [4, 3, 0] } }));
    const series = reopened.series('group', ['G1', 'G2', 'Unknown'], NOON, NOON + 180_000);
    expect(series.get('G1')!.map((p) => p.v)).toEqual([[10, null, null], [7, 3, 0.5], [0, 0, 0], [4, 3, 0]]);
    expect(series.get('G2')!.map((p) => p.v[0])).toEqual([0, 1, 0, 0]);
    expect(series.get('Unknown')!.every((p) => p.v.every((x) => x === 0))).toBe(true);
    expect(reopened.series('topic', ['T1'], NOON, NOON + 180_000).get('T1')!.map((p) => p.v)).toEqual([[0, 0], [2, 3], [0, 0], [0, 0]]);
    // A first sample after a start knows no rates: missing names get null rates there (a gap), lag stays a level.
    reopened.append({ ...write(NOON + 240_000), sample: { ...write(NOON + 240_000).sample, noRates: true } });
    expect(reopened.series('topic', ['T1'], NOON + 240_000, NOON + 240_000).get('T1')!.map((p) => p.v)).toEqual([[null, null]]);
    expect(reopened.series('group', ['G2'], NOON + 240_000, NOON + 240_000).get('G2')!.map((p) => p.v)).toEqual([[0, null, null]]);
    expect(reopened.samples(NOON, NOON + 180_000).map((s) => [s.t, s.groups, s.topics])).toEqual([[NOON, 1, 0], [NOON + 60_000, 2, 1], [NOON + 120_000, 0, 0], [NOON + 180_000, 1, 0]]);
    // One folder per day, one bucket file per name.
    const files = fs.readdirSync(path.join(dir, dayOf(NOON))).sort();
    expect(files).toContain('samples.jsonl');
    expect(files).toContain(`group-${String(bucketOf('G1')).padStart(2, '0')}.jsonl`);
    expect(reopened.diskBytes()).toBe(files.reduce((s, f) => s + fs.statSync(path.join(dir, dayOf(NOON), f)).size, 0));
  });

  it('skips a torn last line and starts the next append on a line of its own', () => {
    const store = new HistoryStore({ dir });
    store.append(write(NOON, { groups: { G1: [5, 1, 1] } }));
    const folder = path.join(dir, dayOf(NOON));
    const groupFile = path.join(folder, `group-${String(bucketOf('G1')).padStart(2, '0')}.jsonl`);
    // A crash mid-write: half a line at the end of both files.
    fs.appendFileSync(groupFile, `["G1",${NOON + 30_000},9`);
    fs.appendFileSync(path.join(folder, 'samples.jsonl'), `{"t":${NOON + 30_000},"ms":1,"bro`);
    const restarted = new HistoryStore({ dir });
    expect(restarted.samples(NOON, NOON + DAY).map((s) => s.t)).toEqual([NOON]);
    restarted.append(write(NOON + 60_000, { groups: { G1: [6, 1, 1] } }));
    expect(restarted.series('group', ['G1'], NOON, NOON + 60_000).get('G1')!.map((p) => p.v[0])).toEqual([5, 6]);
    expect(fs.readFileSync(groupFile, 'utf8').split('\n')).toEqual([`["G1",${NOON},5,1,1]`, `["G1",${NOON + 30_000},9`, `["G1",${NOON + 60_000},6,1,1]`, '']);
  });

  it('deletes days older than the retention, and the oldest days first when over the byte budget', () => {
    const old = new HistoryStore({ dir, retentionDays: 7 });
    for (const daysAgo of [9, 7, 6, 2]) old.append(write(NOON - daysAgo * DAY, { groups: { G: [1, 1, 1] } }));
    new HistoryStore({ dir, retentionDays: 7 }).append(write(NOON, { groups: { G: [1, 1, 1] } }));
    expect(fs.readdirSync(dir).sort()).toEqual([6, 2, 0].map((d) => dayOf(NOON - d * DAY)));

    const day = new HistoryStore({ dir }).dayBytes(dayOf(NOON));
    const tight = new HistoryStore({ dir, bytesMax: day * 2 + 10 });
    tight.append(write(NOON + 60_000, { groups: { G: [2, 1, 1] } })); // over: the oldest day goes
    expect(fs.readdirSync(dir).sort()).toEqual([2, 0].map((d) => dayOf(NOON - d * DAY)));
    expect(tight.diskBytes()).toBeLessThanOrEqual(tight.bytesMax + 200);

    const full = new HistoryStore({ dir, bytesMax: 1 }); // today alone is over: its series stop, samples go on
    const sample = full.append(write(NOON + 120_000, { groups: { G: [3, 1, 1] }, topics: { T: [1, 1] } }));
    expect(sample).toMatchObject({ groups: 0, topics: 0, dropped: 2 });
    expect(fs.readdirSync(dir)).toEqual([dayOf(NOON)]);
    expect(full.series('group', ['G'], NOON, NOON + 120_000).get('G')!.map((p) => p.v[0])).toEqual([1, 2, 0]);
  });

  it('lists the local days a range covers', () => {
    expect(daysBetween(NOON, NOON)).toEqual([dayOf(NOON)]);
    expect(daysBetween(NOON - 2 * DAY, NOON)).toEqual([2, 1, 0].map((d) => dayOf(NOON - d * DAY)));
    expect(bucketOf('OrderTopic')).toBe(bucketOf('OrderTopic'));
  });
});

describe('daySummary (the Dashboard)', () => {
  it('ranks topics by the messages stored that day and keeps broker lines', () => {
    const store = new HistoryStore({ dir });
    store.append(write(NOON));
    store.append(write(NOON + 60_000, { topics: { Orders: [2, 1], Audit: [0.5, 0] }, messages: { Orders: 120, Audit: 30 } }));
    store.append(write(NOON + 120_000, { topics: { Orders: [2, 2], Late: [2, 0] }, messages: { Orders: 120, Late: 120 } }));
    const day = daySummary(new HistoryStore({ dir }), dayOf(NOON));
    expect(day.topTopics).toEqual([{ topic: 'Orders', messages: 240 }, { topic: 'Late', messages: 120 }, { topic: 'Audit', messages: 30 }]);
    expect(day.brokerSeries[2]).toEqual({ t: NOON + 120_000, 'broker-a#0 put': 1, 'broker-a#0 get': 2 });
    expect(day.topicSeries[1]).toEqual({ t: NOON + 60_000, Orders: 2, Late: 0, Audit: 0.5 });
    expect(day.intervalMs).toBe(60_000);
  });

  it('still reads the day files of the collector before this store, skipping a torn line', () => {
    const day = dayOf(NOON);
    const line = (t: number, topics: Record<string, number>) => JSON.stringify({ t, brokers: { 'broker-a#0': { put: 5, get: 1 } }, topics });
    fs.writeFileSync(path.join(dir, `${day}.jsonl`), `${line(NOON, {})}\n${line(NOON + 60_000, { Old: 2 })}\n{"t":3,"bro`);
    expect(readLegacyDay(day, dir)).toHaveLength(2);
    expect(readLegacyDay('../../etc/passwd', dir)).toEqual([]);
    const summary = daySummary(new HistoryStore({ dir }), day);
    expect(summary.samples).toBe(2);
    expect(summary.topTopics).toEqual([{ topic: 'Old', messages: 120 }]);
    expect(summary.topicSeries[1]).toEqual({ t: NOON + 60_000, Old: 2 });
    const [from, to] = dayBounds(day);
    expect(dayOf(from)).toBe(day);
    expect(dayOf(to)).toBe(day);
    expect(dayOf(to + 1)).not.toBe(day);
  });
});

describe('charts, sparklines and the drain estimate', () => {
  it('averages a long range into at most the chart points, leaving gaps where no sample ran', () => {
    const points = Array.from({ length: 100 }, (_, i) => ({ t: i * 1000, v: [i, i % 2 === 0 ? null : 1] }));
    const down = downsample(points, 0, 100_000, 10);
    expect(down).toHaveLength(10);
    expect(down[0]).toEqual({ t: 9000, v: [4.5, 1] });
    expect(downsample(points.slice(0, 5), 0, 100_000, 10)).toHaveLength(5);
    const sparse = downsample([...points.slice(0, 20), ...points.slice(80)], 0, 100_000, 10);
    expect(sparse.map((p) => p.t)).toEqual([9000, 19000, 89000, 99000]);
  });

  it('charts a group over a range and draws one sparkline per name from one read', () => {
    const store = new HistoryStore({ dir });
    for (let i = 0; i < 6; i++) store.append(write(NOON + i * 600_000, { groups: { G1: [100 - i * 10, 12, 2], G2: [5, 0, 0] } }));
    const now = NOON + 50 * 60_000;
    const c = chart(store, 'group', 'G1', '1h', now);
    expect(c.samples).toBe(6);
    expect(c.points[5]).toEqual({ t: now, lag: 50, consumeTps: 12, produceTps: 2 });
    expect(chart(store, 'group', 'G1', '1h', now + 30 * 60_000).samples).toBe(4); // the two oldest fell out of the hour
    const lines = sparklines(store, 'group', ['G1', 'G2', 'G3'], '1h', 12, now);
    expect(lines.G1).toEqual([100, 90, 80, 70, 60, 50]); // fewer samples than points: one point each
    expect(lines.G2).toEqual([5, 5, 5, 5, 5, 5]);
    expect(lines.G3).toEqual([0, 0, 0, 0, 0, 0]);
    const bucketed = sparklines(store, 'group', ['G1'], '1h', 3, now);
    expect(bucketed.G1).toEqual([95, 75, 55]); // 50 minutes of samples in three buckets, averaged
  });

  it('estimates the time to drain, and says so when the lag does not fall', () => {
    const at = (lags: number[], consume: number, produce: number) => lags.map((lag, i) => ({ t: i * 60_000, v: [lag, consume, produce] }));
    expect(drainEstimate(at([1000, 900, 800], 12, 10.33))).toMatchObject({ status: 'draining', netTps: 1.67, seconds: 480, lagChange: -200 });
    expect(drainEstimate(at([100, 150, 200], 5, 10))).toMatchObject({ status: 'not_draining', netTps: -5, seconds: null, lagChange: 100 });
    expect(drainEstimate(at([50, 0], 5, 0))).toMatchObject({ status: 'caught_up', seconds: 0 });
    expect(drainEstimate([{ t: 0, v: [10, null, null] }])).toMatchObject({ status: 'unknown', lag: 10 });
    expect(drainEstimate([])).toMatchObject({ status: 'unknown', lag: null });
  });
});

describe('reading a big day file', () => {
  it('finds the lines of a late range by searching the file, with the same points as reading it all', () => {
    const store = new HistoryStore({ dir });
    const start = new Date(2026, 10, 25, 0, 0, 0).getTime();
    // 4,000 samples of 40 groups in the same bucket as G0: a bucket file far over the whole-read size.
    const names = Array.from({ length: 4000 }, (_, i) => `G${i}`).filter((n) => bucketOf(n) === bucketOf('G0')).slice(0, 40);
    for (let k = 0; k < 4000; k++) store.append(write(start + k * 20_000, { groups: Object.fromEntries(names.map((n) => [n, [k, 1, 1]])) }));
    const file = path.join(dir, dayOf(start), `group-${String(bucketOf('G0')).padStart(2, '0')}.jsonl`);
    expect(fs.statSync(file).size).toBeGreaterThan(2 * 1024 * 1024);
    const late = store.series('group', ['G0', names[39]!], start + 3_000 * 20_000, start + 3_999 * 20_000);
    expect(late.get('G0')!.map((p) => p.v[0])).toEqual(Array.from({ length: 1000 }, (_, i) => 3000 + i));
    expect(late.get(names[39]!)!.map((p) => p.v[0])).toEqual(Array.from({ length: 1000 }, (_, i) => 3000 + i));
    expect(store.series('group', ['G0'], start, start + 3_999 * 20_000).get('G0')!.map((p) => p.v[0])).toEqual(Array.from({ length: 4000 }, (_, i) => i));
  });
});
