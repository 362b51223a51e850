/**
 * The console's `GET /metrics` (Prometheus text format):
 *   - every master broker of the console's default cluster, read over the RocketMQ protocol like any client
 *     (one GET_BROKER_RUNTIME_INFO, GET_ALL_TOPIC_CONFIG and GET_BROKER_CONSUME_STATS per master, at most once
 *     per PROMETHEUS_SCRAPE_CACHE_MS): the traffic families of broker-core's traffic-metrics.ts, the same names
 *     a broker's own METRICS_PORT serves, so Rocketdeck and Apache RocketMQ brokers look alike;
 *   - rocketdeck_broker_up per broker (0 when it did not answer), the collector's last sample time;
 *   - the internal families (latency histograms, client connections) of brokers running in this process
 *     (npm start's embedded one), which the protocol cannot show;
 *   - this process's RSS, CPU, heap and event-loop lag.
 * From an Apache RocketMQ broker, topics no group consumes are left out (RocketMQ sends no max offsets with its
 * topic configs; asking each topic would cost one request per topic per scrape).
 */
import { Gauge, Registry } from 'prom-client';
import type { AdminClient } from '@broker/client/admin-client';
import { inProcessBrokers } from '@broker/broker/metrics/in-process-brokers';
import { processMetricsRegistry } from '@broker/broker/metrics/metrics-server';
import { registerTrafficMetrics, type BrokerTrafficSnapshot, type GroupTopicFigures } from '@broker/broker/metrics/traffic-metrics';
import { PROMETHEUS_SCRAPE_CACHE_MS } from '@broker/config/limits';
import { consoleNamesrvAddr, getAdmin } from './admin';
import { defaultCollector } from './collector';

interface BrokerRead {
  cluster: string;
  brokerName: string;
  addr: string;
  snapshot: BrokerTrafficSnapshot | null;
}

const first = (value: string | undefined): number | undefined => {
  if (value === undefined || value === '') return undefined;
  const n = Number(value.split(' ')[0]);
  return Number.isFinite(n) ? n : undefined;
};

/** One master's figures over the protocol; null when it does not answer. */
async function readBroker(admin: AdminClient, cluster: string, brokerName: string, addr: string): Promise<BrokerTrafficSnapshot | null> {
  try {
    const [runtime, topicConfigs, consume] = await Promise.all([admin.getBrokerRuntimeInfo(addr), admin.getAllTopicConfigWithMaxOffsets(addr), admin.getBrokerConsumeStats(addr)]);
    const topics = new Map<string, number>(topicConfigs.maxOffsets ?? []);
    const groups: GroupTopicFigures[] = [];
    const groupConsumeTps = new Map<string, number>();
    for (const [group, list] of consume.groups) {
      for (const stats of list) {
        groupConsumeTps.set(group, (groupConsumeTps.get(group) ?? 0) + stats.consumeTps);
        const byTopic = new Map<string, GroupTopicFigures>();
        const topicMax = new Map<string, number>();
        for (const o of stats.offsetTable) {
          const figures = byTopic.get(o.queue.topic) ?? { group, topic: o.queue.topic, consumedOffsets: 0, lag: 0 };
          figures.consumedOffsets += Math.max(0, o.consumerOffset);
          figures.lag += Math.max(0, o.brokerOffset - Math.max(0, o.consumerOffset));
          byTopic.set(o.queue.topic, figures);
          topicMax.set(o.queue.topic, (topicMax.get(o.queue.topic) ?? 0) + o.brokerOffset);
        }
        groups.push(...byTopic.values());
        // Without Rocketdeck's max-offset table, a consumed topic's max offsets come with its consume stats.
        if (!topicConfigs.maxOffsets) for (const [topic, max] of topicMax) if (!topics.has(topic)) topics.set(topic, max);
      }
    }
    const minOffset = first(runtime.commitLogMinOffset);
    const maxOffset = first(runtime.commitLogMaxOffset);
    const snapshot: BrokerTrafficSnapshot = { cluster, brokerName, topics, groups, groupConsumeTps };
    const set = <K extends keyof BrokerTrafficSnapshot>(key: K, value: BrokerTrafficSnapshot[K] | undefined) => {
      if (value !== undefined) snapshot[key] = value;
    };
    set('putTps', first(runtime.putTps));
    set('getTps', first(runtime.getTransferedTps));
    set('putMessagesTotal', first(runtime.msgPutTotalTodayNow));
    set('getMessagesTotal', first(runtime.msgGetTotalTodayNow));
    set('diskRatio', first(runtime.commitLogDiskRatio));
    set('commitLogBytes', minOffset !== undefined && maxOffset !== undefined ? Math.max(0, maxOffset - minOffset) : undefined);
    set('flushBehindBytes', first(runtime.remainHowManyDataToFlush));
    set('dispatchBehindBytes', first(runtime.dispatchBehindBytes));
    set('earliestMessageTimestamp', first(runtime.earliestMessageTimeStamp));
    set('heldPulls', first(runtime.heldPullRequests));
    set('connections', first(runtime.clientConnections));
    return snapshot;
  } catch {
    return null;
  }
}

/** Every master of the cluster behind `admin`, read at once. */
export async function readCluster(admin: AdminClient): Promise<BrokerRead[]> {
  const info = await admin.getClusterInfo();
  const clusterOf = new Map<string, string>();
  for (const [cluster, names] of Object.entries(info.clusterAddrTable)) for (const name of names) clusterOf.set(name, cluster);
  const masters = Object.values(info.brokerAddrTable).flatMap((b) => (b.brokerAddrs['0'] ? [{ brokerName: b.brokerName, addr: b.brokerAddrs['0'], cluster: clusterOf.get(b.brokerName) ?? b.cluster }] : []));
  return Promise.all(masters.map(async (m) => ({ ...m, snapshot: await readBroker(admin, m.cluster, m.brokerName, m.addr) })));
}

interface ConsoleMetrics {
  registry: Registry;
  /** The last read of the cluster and when it was taken. */
  cache: { at: number; reads: Promise<BrokerRead[]> } | null;
}

function consoleMetrics(): ConsoleMetrics {
  const holder = globalThis as unknown as { __rocketdeckConsoleMetrics?: ConsoleMetrics };
  if (holder.__rocketdeckConsoleMetrics) return holder.__rocketdeckConsoleMetrics;
  const state: ConsoleMetrics = { registry: new Registry(), cache: null };
  const reads = (): Promise<BrokerRead[]> => {
    const now = Date.now();
    if (!state.cache || now - state.cache.at >= PROMETHEUS_SCRAPE_CACHE_MS) {
      const promise = readCluster(getAdmin(consoleNamesrvAddr()));
      state.cache = { at: now, reads: promise };
      // A failed read is not kept: the next scrape asks again.
      promise.catch(() => {
        if (state.cache?.reads === promise) state.cache = null;
      });
    }
    return state.cache.reads;
  };
  registerTrafficMetrics(state.registry, async () => (await reads().catch(() => [])).flatMap((r) => (r.snapshot ? [r.snapshot] : [])));
  const registers = [state.registry];
  new Gauge({
    name: 'rocketdeck_broker_up',
    help: 'Whether a master broker of the console\'s cluster answered the last scrape (1) or not (0)',
    labelNames: ['cluster', 'node_type', 'node_id', 'address'],
    registers,
    async collect() {
      this.reset();
      for (const r of await reads().catch(() => [])) this.set({ cluster: r.cluster, node_type: 'broker', node_id: r.brokerName, address: r.addr }, r.snapshot ? 1 : 0);
    },
  });
  new Gauge({
    name: 'rocketdeck_namesrv_up',
    help: 'Whether the console reached a NameServer of its cluster at the last scrape (1) or not (0)',
    registers,
    async collect() {
      this.set(await reads().then(() => 1, () => 0));
    },
  });
  new Gauge({
    name: 'rocketdeck_collector_last_sample_timestamp_seconds',
    help: 'When the console\'s history collector last sampled the cluster (absent while it has not)',
    registers,
    collect() {
      this.reset();
      const sample = defaultCollector()?.lastSample;
      if (sample) this.set(sample.t / 1000);
    },
  });
  holder.__rocketdeckConsoleMetrics = state;
  return state;
}

/** The whole text of GET /metrics. */
export async function consoleMetricsText(): Promise<string> {
  const texts = await Promise.all([consoleMetrics().registry.metrics(), ...inProcessBrokers().map((b) => b.internals.metrics()), processMetricsRegistry().metrics()]);
  return texts.map((t) => (t.endsWith('\n') || t === '' ? t : `${t}\n`)).join('');
}

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
