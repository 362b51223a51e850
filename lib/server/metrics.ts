/**
 * The console's collector: every minute (ROCKETDECK_METRICS_INTERVAL_MS) it samples the console's default
 * cluster and appends to the history store (history-store.ts):
 *   - each broker's produce / consume TPS (GET_BROKER_RUNTIME_INFO), for the Dashboard;
 *   - each group's lag, consume TPS and the produce TPS into its queues, and each topic's out TPS, from ONE
 *     GET_BROKER_CONSUME_STATS per master (every group's offsets on that broker in one answer);
 *   - each topic's in TPS from its queues' max offsets: those of consumed topics come with the consume stats,
 *     the others with GET_ALL_TOPIC_CONFIG (one per master; Rocketdeck's topicMaxOffsetTable), or from a
 *     RocketMQ broker one GET_TOPIC_STATS_INFO per remaining topic, HISTORY_TOPIC_STATS_IN_FLIGHT_MAX at a
 *     time, and none while that broker's put counter stands still.
 * Rates are offset growth between two samples (committed offsets for consumption), so the first sample after
 * a start records levels (lag) only.
 */
import type { AdminClient, ConsumeStats } from '@broker/client/admin-client';
import { HISTORY_TOPIC_STATS_IN_FLIGHT_MAX, HISTORY_TOPIC_STATS_PER_SAMPLE_MAX } from '@broker/config/limits';
import { dayOf } from '@/lib/fetch-json';
import { topicKind } from '@/lib/validation';
import { mapLimit } from './concurrency';
import { HistoryStore, readLegacyDay, type SampleRecord, type SeriesValues } from './history-store';

export { dayOf };

export interface CollectedSample extends SampleRecord {
  /** topic → messages/s in and out (topics with traffic only). */
  topicRates: Record<string, { inTps: number | null; outTps: number | null }>;
  /** group → lag and rates (groups with lag or traffic only). */
  groupRates: Record<string, { lag: number; consumeTps: number | null; produceTps: number | null }>;
}

/** Offsets totals of one sample, kept to compute the next sample's rates. */
interface Totals {
  t: number;
  /** topic → Σ queue max offsets over its brokers. */
  topics: Map<string, number>;
  /** group → Σ committed offsets and Σ max offsets of its queues. */
  groupConsumed: Map<string, number>;
  groupProduced: Map<string, number>;
  /** `group\ntopic` → Σ committed offsets. */
  groupTopicConsumed: Map<string, number>;
  groupLag: Map<string, number>;
}

const round = (n: number) => Math.round(n * 100) / 100;

export class MetricsCollector {
  readonly #admin: AdminClient;
  readonly store: HistoryStore;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #previous: Totals | null = null;
  /** Per master without Rocketdeck's max-offset table: its put counter and topic sums of the last sample. */
  readonly #brokerTopics = new Map<string, { putTotal: number; topics: Map<string, number> }>();
  #running = false;
  lastError: string | null = null;
  lastSample: CollectedSample | null = null;
  /** Every broker of the cluster at the last sample (`name#id`), and the runtime figures of those that answered. */
  lastBrokers: string[] = [];
  lastRuntime = new Map<string, Record<string, string>>();
  readonly #listeners: ((sample: CollectedSample) => Promise<void> | void)[] = [];

  constructor(admin: AdminClient, options: { store?: HistoryStore; dir?: string; intervalMs?: number } = {}) {
    this.#admin = admin;
    this.store = options.store ?? new HistoryStore(options.dir ? { dir: options.dir } : {});
    this.#intervalMs = options.intervalMs ?? 60_000;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** Called after each sample is stored (the alert rules are evaluated there). */
  onSample(listener: (sample: CollectedSample) => Promise<void> | void): void {
    this.#listeners.push(listener);
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
  async sampleOnce(now = Date.now()): Promise<CollectedSample | null> {
    if (this.#running) return null;
    this.#running = true;
    const started = performance.now();
    try {
      const info = await this.#admin.getClusterInfo();
      const systemNames = new Set([...Object.keys(info.clusterAddrTable), ...Object.keys(info.brokerAddrTable)]);
      const isNormal = (topic: string) => topicKind(topic, systemNames) === 'NORMAL';
      const brokers: SampleRecord['brokers'] = {};
      const masters: string[] = [];
      const addrs: [string, string][] = [];
      for (const b of Object.values(info.brokerAddrTable)) {
        for (const [id, addr] of Object.entries(b.brokerAddrs)) {
          addrs.push([`${b.brokerName}#${id}`, addr]);
          if (id === '0') masters.push(addr);
        }
      }
      const totals: Totals = { t: now, topics: new Map(), groupConsumed: new Map(), groupProduced: new Map(), groupTopicConsumed: new Map(), groupLag: new Map() };
      const putTotals = new Map<string, number>();
      const runtimes = new Map<string, Record<string, string>>();
      await Promise.all(
        addrs.map(async ([name, addr]) => {
          const runtime = await this.#admin.getBrokerRuntimeInfo(addr).catch(() => null);
          const first = (v: string | undefined) => Number((v ?? '0').split(' ')[0]) || 0;
          if (!runtime) return;
          runtimes.set(name, runtime);
          brokers[name] = { put: first(runtime.putTps), get: first(runtime.getTransferedTps) };
          if (runtime.msgPutTotalTodayNow !== undefined) putTotals.set(addr, first(runtime.msgPutTotalTodayNow));
        }),
      );
      await Promise.all(masters.map((addr) => this.#sampleBroker(addr, putTotals.get(addr), isNormal, totals)));
      const sample = this.#rates(totals, brokers, Math.round(performance.now() - started));
      const topicMessages = this.#topicMessages(totals);
      this.#previous = totals;
      const { topicRates, groupRates, ...record } = sample;
      const written = this.store.append({
        sample: record,
        topics: new Map(Object.entries(topicRates).map(([n, r]) => [n, [r.inTps, r.outTps] as SeriesValues])),
        groups: new Map(Object.entries(groupRates).map(([n, r]) => [n, [r.lag, r.consumeTps, r.produceTps] as SeriesValues])),
        topicMessages,
      });
      this.lastSample = { ...sample, ...written };
      this.lastBrokers = addrs.map(([name]) => name);
      this.lastRuntime = runtimes;
      this.lastError = null;
      for (const listener of this.#listeners) {
        try {
          await listener(this.lastSample);
        } catch (err) {
          process.stderr.write(`after-sample task failed: ${err instanceof Error ? err.message : String(err)}\n`);
        }
      }
      return this.lastSample;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      return null;
    } finally {
      this.#running = false;
    }
  }

  /**
   * One master: its groups' offsets in one call, and its topics' max offsets — in the same GET_ALL_TOPIC_CONFIG
   * from a Rocketdeck broker; from another broker one GET_TOPIC_STATS_INFO per topic no group consumes, skipped
   * (last sample's figures kept) while the broker's put counter has not moved.
   */
  async #sampleBroker(addr: string, putTotal: number | undefined, isNormal: (topic: string) => boolean, totals: Totals): Promise<void> {
    const [topicConfigs, consume] = await Promise.all([this.#admin.getAllTopicConfigWithMaxOffsets(addr), this.#admin.getBrokerConsumeStats(addr)]);
    const covered = new Set<string>();
    for (const [group, list] of consume.groups) {
      for (const stats of list) this.#addGroupStats(group, stats, isNormal, covered, totals);
    }
    const own = new Map<string, number>();
    if (topicConfigs.maxOffsets) {
      for (const [topic, max] of topicConfigs.maxOffsets) if (isNormal(topic) && !covered.has(topic)) own.set(topic, max);
    } else {
      const rest = Object.keys(topicConfigs.configs).filter((topic) => isNormal(topic) && !covered.has(topic)).slice(0, HISTORY_TOPIC_STATS_PER_SAMPLE_MAX);
      const last = this.#brokerTopics.get(addr);
      if (last && putTotal !== undefined && last.putTotal === putTotal) {
        for (const topic of rest) if (last.topics.has(topic)) own.set(topic, last.topics.get(topic)!);
      } else {
        await mapLimit(rest, HISTORY_TOPIC_STATS_IN_FLIGHT_MAX, async (topic) => {
          const stats = await this.#admin.getTopicStats(addr, topic).catch(() => null);
          if (stats) own.set(topic, stats.offsetTable.reduce((s, o) => s + o.offset.maxOffset, 0));
        });
      }
      if (putTotal !== undefined) this.#brokerTopics.set(addr, { putTotal, topics: own });
    }
    for (const [topic, max] of own) totals.topics.set(topic, (totals.topics.get(topic) ?? 0) + max);
  }

  /** A group's ConsumeStats for one topic: its lag and offsets; the topic's max offsets when it is a normal topic. */
  #addGroupStats(group: string, stats: ConsumeStats, isNormal: (topic: string) => boolean, covered: Set<string>, totals: Totals): void {
    const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);
    const topicMax = new Map<string, number>();
    for (const o of stats.offsetTable) {
      add(totals.groupLag, group, Math.max(0, o.brokerOffset - o.consumerOffset));
      add(totals.groupConsumed, group, o.consumerOffset);
      add(totals.groupProduced, group, o.brokerOffset);
      if (!isNormal(o.queue.topic)) continue;
      add(totals.groupTopicConsumed, `${group}\n${o.queue.topic}`, o.consumerOffset);
      add(topicMax, o.queue.topic, o.brokerOffset);
    }
    // Every group on a topic sees the same max offsets of this broker: the first one counts them.
    for (const [topic, max] of topicMax) {
      if (covered.has(topic)) continue;
      covered.add(topic);
      add(totals.topics, topic, max);
    }
  }

  #rates(totals: Totals, brokers: SampleRecord['brokers'], ms: number): CollectedSample {
    const previous = this.#previous;
    const seconds = previous ? Math.max(0.001, (totals.t - previous.t) / 1000) : 0;
    const rate = (now: number | undefined, before: number | undefined) => (now === undefined || before === undefined ? null : round(Math.max(0, now - before) / seconds));
    const outByTopic = new Map<string, number>();
    let outKnown = false;
    if (previous) {
      outKnown = true;
      for (const [key, consumed] of totals.groupTopicConsumed) {
        const before = previous.groupTopicConsumed.get(key);
        if (before === undefined) continue;
        const topic = key.slice(key.indexOf('\n') + 1);
        outByTopic.set(topic, (outByTopic.get(topic) ?? 0) + Math.max(0, consumed - before));
      }
    }
    const topicRates: CollectedSample['topicRates'] = {};
    for (const [topic, total] of totals.topics) {
      const inTps = rate(total, previous?.topics.get(topic));
      const outTps = outKnown ? round((outByTopic.get(topic) ?? 0) / seconds) : null;
      if (inTps || outTps) topicRates[topic] = { inTps, outTps };
    }
    const groupRates: CollectedSample['groupRates'] = {};
    for (const [group, lag] of totals.groupLag) {
      const consumeTps = rate(totals.groupConsumed.get(group), previous?.groupConsumed.get(group));
      const produceTps = rate(totals.groupProduced.get(group), previous?.groupProduced.get(group));
      if (lag > 0 || consumeTps || produceTps) groupRates[group] = { lag, consumeTps, produceTps };
    }
    return { t: totals.t, ms, brokers, topics: 0, groups: 0, ...(previous ? {} : { noRates: true }), topicRates, groupRates };
  }

  /** Messages each topic gained since the previous sample (for the day's totals). */
  #topicMessages(totals: Totals): Map<string, number> {
    const out = new Map<string, number>();
    const previous = this.#previous;
    if (!previous) return out;
    for (const [topic, total] of totals.topics) {
      const before = previous.topics.get(topic);
      if (before !== undefined && total > before) out.set(topic, total - before);
    }
    return out;
  }
}

export interface DaySummary {
  day: string;
  samples: number;
  intervalMs: number;
  brokers: string[];
  /** Per sample: t and "broker put"/"broker get" TPS. */
  brokerSeries: Record<string, number>[];
  /** The ten topics with the most messages stored in the day. */
  topTopics: { topic: string; messages: number }[];
  /** Per sample: t and the in-TPS of each of the top topics. */
  topicSeries: Record<string, number>[];
}

/** The Dashboard's view of one local day: broker TPS lines, the ten busiest topics and their TPS lines. */
export function daySummary(store: HistoryStore, day: string): DaySummary {
  const [from, to] = dayBounds(day);
  const samples = store.samples(from, to);
  const totals = store.dayTotals(day);
  for (const [topic, messages] of legacyDayTotals(store, day)) totals.set(topic, (totals.get(topic) ?? 0) + messages);
  const topTopics = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10).map(([topic, messages]) => ({ topic, messages: Math.round(messages) }));
  const series = store.series('topic', topTopics.map((x) => x.topic), from, to);
  const brokers = [...new Set(samples.flatMap((s) => Object.keys(s.brokers)))].sort();
  const brokerSeries = samples.map((s) => {
    const row: Record<string, number> = { t: s.t };
    for (const [name, v] of Object.entries(s.brokers)) {
      row[`${name} put`] = v.put;
      row[`${name} get`] = v.get;
    }
    return row;
  });
  const topicSeries = samples.map((s, i) => {
    const row: Record<string, number> = { t: s.t };
    for (const { topic } of topTopics) row[topic] = series.get(topic)?.[i]?.v[0] ?? 0;
    return row;
  });
  const intervalMs = samples.length > 1 ? Math.round((samples[samples.length - 1]!.t - samples[0]!.t) / (samples.length - 1)) : 0;
  return { day, samples: samples.length, intervalMs, brokers, brokerSeries, topTopics, topicSeries };
}

/** First and last ms of a local calendar day. */
export function dayBounds(day: string): [number, number] {
  const start = new Date(`${day}T00:00:00`);
  const next = new Date(start);
  next.setDate(next.getDate() + 1);
  return [start.getTime(), next.getTime() - 1];
}

/** Messages per topic of a legacy day file: each sample's TPS times the seconds since the previous one. */
function legacyDayTotals(store: HistoryStore, day: string): Map<string, number> {
  const samples = readLegacyDay(day, store.dir);
  const counts = new Map<string, number>();
  for (let i = 1; i < samples.length; i++) {
    const seconds = (samples[i]!.t - samples[i - 1]!.t) / 1000;
    for (const [topic, tps] of Object.entries(samples[i]!.topics)) counts.set(topic, (counts.get(topic) ?? 0) + tps * seconds);
  }
  return counts;
}
