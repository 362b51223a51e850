/**
 * The Dashboard's collector: every minute (ROCKETDECK_METRICS_INTERVAL_MS) it asks the console's default
 * cluster for each broker's produce/consume TPS (GET_BROKER_RUNTIME_INFO) and each topic's stored total (sum of
 * queue max offsets, GET_TOPIC_STATS_INFO), and appends one JSON line per sample to
 * ROCKETDECK_HOME/console/metrics/<yyyy-mm-dd>.jsonl, so the day's charts survive restarts. Topic TPS is the
 * growth of the total since the previous sample; idle topics are not written. Files older than 7 days go.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AdminClient } from '@broker/client/admin-client';
import { dayOf } from '@/lib/fetch-json';
import { mapLimit } from './concurrency';

export interface Sample {
  /** Sample time, ms. */
  t: number;
  /** "brokerName#id" → produce and consume TPS. */
  brokers: Record<string, { put: number; get: number }>;
  /** topic → messages/s since the previous sample (only topics that grew). */
  topics: Record<string, number>;
}

const RETENTION_DAYS = 7;
const TOPICS_PER_SAMPLE_MAX = 2_000;

export function metricsDir(home = process.env.ROCKETDECK_HOME || path.resolve('data')): string {
  return path.join(home, 'console', 'metrics');
}

/** Days are local calendar days: the Dashboard shows "today" in the server's time zone. */
export { dayOf };

export class MetricsCollector {
  readonly #admin: AdminClient;
  readonly #dir: string;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #previous: { t: number; totals: Map<string, number> } | null = null;
  #running = false;
  lastError: string | null = null;

  constructor(admin: AdminClient, options: { dir?: string; intervalMs?: number } = {}) {
    this.#admin = admin;
    this.#dir = options.dir ?? metricsDir();
    this.#intervalMs = options.intervalMs ?? 60_000;
  }

  start(): void {
    if (this.#timer) return;
    const tick = () => void this.sampleOnce().catch(() => undefined);
    setTimeout(tick, Math.min(5_000, this.#intervalMs)).unref();
    this.#timer = setInterval(tick, this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Takes one sample and appends it; returns it (null when a sample is already running or the cluster is down). */
  async sampleOnce(now = Date.now()): Promise<Sample | null> {
    if (this.#running) return null;
    this.#running = true;
    try {
      const info = await this.#admin.getClusterInfo();
      const sample: Sample = { t: now, brokers: {}, topics: {} };
      const brokerAddrs: [string, string][] = [];
      for (const b of Object.values(info.brokerAddrTable)) for (const [id, addr] of Object.entries(b.brokerAddrs)) brokerAddrs.push([`${b.brokerName}#${id}`, addr]);
      await Promise.all(
        brokerAddrs.map(async ([name, addr]) => {
          const runtime = await this.#admin.getBrokerRuntimeInfo(addr).catch(() => null);
          if (!runtime) return;
          const first = (v: string | undefined) => Number((v ?? '0').split(' ')[0]) || 0;
          sample.brokers[name] = { put: first(runtime.putTps), get: first(runtime.getTransferedTps) };
        }),
      );
      const topics = (await this.#admin.getTopicList()).filter((t) => !t.startsWith('%') && !t.startsWith('rmq_sys_') && !t.startsWith('RMQ_SYS_')).slice(0, TOPICS_PER_SAMPLE_MAX);
      const totals = new Map<string, number>();
      await mapLimit(topics, 16, async (topic) => {
        const stats = await this.#admin.examineTopicStats(topic).catch(() => null);
        if (stats) totals.set(topic, stats.offsetTable.reduce((s, o) => s + o.offset.maxOffset, 0));
      });
      const previous = this.#previous;
      if (previous) {
        const seconds = Math.max(1, (now - previous.t) / 1000);
        for (const [topic, total] of totals) {
          const before = previous.totals.get(topic);
          if (before !== undefined && total > before) sample.topics[topic] = Math.round(((total - before) / seconds) * 100) / 100;
        }
      }
      this.#previous = { t: now, totals };
      this.#append(sample);
      this.lastError = null;
      return sample;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      return null;
    } finally {
      this.#running = false;
    }
  }

  #append(sample: Sample): void {
    fs.mkdirSync(this.#dir, { recursive: true });
    fs.appendFileSync(path.join(this.#dir, `${dayOf(sample.t)}.jsonl`), JSON.stringify(sample) + '\n');
    const oldest = dayOf(sample.t - RETENTION_DAYS * 86_400_000);
    for (const name of fs.readdirSync(this.#dir)) {
      if (/^\d{4}-\d{2}-\d{2}\.jsonl$/.test(name) && name.slice(0, 10) < oldest) fs.rmSync(path.join(this.#dir, name), { force: true });
    }
  }
}

/** The samples of one day (a torn last line after a crash is skipped). */
export function readDay(day: string, dir = metricsDir()): Sample[] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return [];
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, `${day}.jsonl`), 'utf8');
  } catch {
    return [];
  }
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const s = JSON.parse(line) as Sample;
      if (typeof s.t === 'number' && s.brokers && s.topics) out.push(s);
    } catch {
      /* torn line */
    }
  }
  return out;
}

export interface DaySummary {
  day: string;
  samples: number;
  intervalMs: number;
  brokers: string[];
  /** Per sample: t and "broker put"/"broker get" TPS. */
  brokerSeries: Record<string, number>[];
  /** The ten topics with the most messages in the day (estimated from the samples). */
  topTopics: { topic: string; messages: number }[];
  /** Per sample: t and the TPS of each of the top topics. */
  topicSeries: Record<string, number>[];
}

export function summarizeDay(day: string, samples: Sample[]): DaySummary {
  const brokers = [...new Set(samples.flatMap((s) => Object.keys(s.brokers)))].sort();
  const counts = new Map<string, number>();
  for (let i = 1; i < samples.length; i++) {
    const seconds = (samples[i]!.t - samples[i - 1]!.t) / 1000;
    for (const [topic, tps] of Object.entries(samples[i]!.topics)) counts.set(topic, (counts.get(topic) ?? 0) + tps * seconds);
  }
  const topTopics = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([topic, messages]) => ({ topic, messages: Math.round(messages) }));
  const brokerSeries = samples.map((s) => {
    const row: Record<string, number> = { t: s.t };
    for (const [name, v] of Object.entries(s.brokers)) {
      row[`${name} put`] = v.put;
      row[`${name} get`] = v.get;
    }
    return row;
  });
  const topicSeries = samples.map((s) => {
    const row: Record<string, number> = { t: s.t };
    for (const { topic } of topTopics) row[topic] = s.topics[topic] ?? 0;
    return row;
  });
  const intervalMs = samples.length > 1 ? Math.round((samples[samples.length - 1]!.t - samples[0]!.t) / (samples.length - 1)) : 0;
  return { day, samples: samples.length, intervalMs, brokers, brokerSeries, topTopics, topicSeries };
}
