/**
 * What a broker has taken in and handed out, as Prometheus metrics: one snapshot per broker, whoever built it.
 * A broker builds its own snapshot in-process (broker-metrics.ts, `rocketdeck broker` with METRICS_PORT); the
 * console builds one per broker of its cluster over the RocketMQ protocol (lib/server/prometheus.ts), so both
 * expose the same families with the same labels.
 *
 * Names follow RocketMQ 5's OpenTelemetry metrics (BrokerMetricsConstant, DefaultStoreMetricsConstant) where
 * RocketMQ has one, with its labels (cluster, node_type, node_id, topic, consumer_group, is_system, is_retry):
 *   rocketmq_messages_in_total{topic}                  Σ of the topic's queue max offsets: messages ever stored
 *   rocketmq_messages_out_total{topic,consumer_group}  Σ of the group's committed consumer offsets on the topic
 *   rocketmq_consumer_lag_messages{topic,consumer_group}  Σ (max offset − committed offset) over the queues
 *   rocketmq_storage_size{storage_type,storage_medium} bytes used on the store's file system
 *   rocketmq_storage_flush_behind_bytes / _dispatch_behind_bytes, rocketmq_storage_message_reserve_time (ms)
 * and Rocketdeck's own where RocketMQ has none (rocketdeck_*): per broker put / get TPS and message totals, the
 * store's disk ratio and commit-log bytes, each group's consume TPS, held pulls and client connections.
 *
 * Counters are read, not counted: each scrape sets them to the broker's figures (a counter that goes down, after
 * an offset reset or a deleted topic, is a counter reset to Prometheus, as after a restart).
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface GroupTopicFigures {
  group: string;
  topic: string;
  /** Σ committed consumer offsets over the topic's queues on this broker. */
  consumedOffsets: number;
  /** Σ max(0, max offset − committed offset). */
  lag: number;
}

/** One broker's figures at one moment. Optional fields are left out of the output when unknown. */
export interface BrokerTrafficSnapshot {
  cluster: string;
  brokerName: string;
  /** Topic → Σ of its queue max offsets on this broker. */
  topics: Map<string, number>;
  groups: GroupTopicFigures[];
  /** Group → messages/s it consumed lately (the broker's own window). */
  groupConsumeTps: Map<string, number>;
  putTps?: number;
  getTps?: number;
  /** Messages put / handed to consumers: since the broker started (in-process), or today (over the protocol). */
  putMessagesTotal?: number;
  getMessagesTotal?: number;
  diskRatio?: number;
  diskUsedBytes?: number;
  commitLogBytes?: number;
  flushBehindBytes?: number;
  dispatchBehindBytes?: number;
  earliestMessageTimestamp?: number;
  heldPulls?: number;
  connections?: number;
}

const SYSTEM_TOPICS = new Set(['TBW102', 'SELF_TEST_TOPIC', 'OFFSET_MOVED_EVENT', 'SCHEDULE_TOPIC_XXXX', 'TRANS_CHECK_MAX_TIME_TOPIC', 'BenchmarkTest', 'DefaultHeartBeatSyncerTopic']);

/** RocketMQ's is_system: reserved names, rmq_sys_ topics and the cluster's and broker's own topics. */
export function isSystemTopic(topic: string, cluster: string, brokerName: string): boolean {
  return SYSTEM_TOPICS.has(topic) || /^(rmq_sys_|RMQ_SYS_)/.test(topic) || topic === cluster || topic === brokerName;
}

const BROKER_LABELS = ['cluster', 'node_type', 'node_id'] as const;

/**
 * Registers the families on `registry`; each scrape asks `snapshots()` for the brokers to show (the console's
 * scrape reads its cluster there, so the function may be async).
 */
export function registerTrafficMetrics(registry: Registry, snapshots: () => BrokerTrafficSnapshot[] | Promise<BrokerTrafficSnapshot[]>): void {
  const registers = [registry];
  // One read per scrape, shared by every family (the first family's collect starts it).
  let pending: Promise<BrokerTrafficSnapshot[]> | null = null;
  const read = async (): Promise<BrokerTrafficSnapshot[]> => {
    pending ??= Promise.resolve(snapshots()).finally(() => setImmediate(() => (pending = null)));
    return pending;
  };
  const base = (s: BrokerTrafficSnapshot) => ({ cluster: s.cluster, node_type: 'broker', node_id: s.brokerName });
  const topicLabels = (s: BrokerTrafficSnapshot, topic: string) => ({
    ...base(s),
    topic,
    is_system: String(isSystemTopic(topic, s.cluster, s.brokerName)),
    is_retry: String(topic.startsWith('%RETRY%')),
  });

  /** A gauge set from each snapshot's optional figure. */
  const brokerGauge = (name: string, help: string, pick: (s: BrokerTrafficSnapshot) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: BROKER_LABELS,
      registers,
      async collect() {
        this.reset();
        for (const s of await read()) {
          const value = pick(s);
          if (value !== undefined && Number.isFinite(value)) this.set(base(s), value);
        }
      },
    });

  new Counter({
    name: 'rocketmq_messages_in_total',
    help: 'Messages stored in a topic on a broker: the sum of its queue max offsets',
    labelNames: [...BROKER_LABELS, 'topic', 'is_system', 'is_retry'],
    registers,
    async collect() {
      this.reset();
      for (const s of await read()) for (const [topic, total] of s.topics) this.inc(topicLabels(s, topic), Math.max(0, total));
    },
  });
  new Counter({
    name: 'rocketmq_messages_out_total',
    help: 'Messages a consumer group consumed from a topic on a broker: the sum of its committed consumer offsets',
    labelNames: [...BROKER_LABELS, 'topic', 'consumer_group', 'is_system', 'is_retry'],
    registers,
    async collect() {
      this.reset();
      for (const s of await read()) for (const g of s.groups) this.inc({ ...topicLabels(s, g.topic), consumer_group: g.group }, Math.max(0, g.consumedOffsets));
    },
  });
  new Gauge({
    name: 'rocketmq_consumer_lag_messages',
    help: 'Messages stored but not yet consumed (committed) by a consumer group, per topic and broker',
    labelNames: [...BROKER_LABELS, 'topic', 'consumer_group', 'is_system', 'is_retry'],
    registers,
    async collect() {
      this.reset();
      for (const s of await read()) for (const g of s.groups) this.set({ ...topicLabels(s, g.topic), consumer_group: g.group }, g.lag);
    },
  });
  new Gauge({
    name: 'rocketdeck_consumer_tps',
    help: 'Messages per second a consumer group pulled from a broker lately (the broker\'s own window)',
    labelNames: [...BROKER_LABELS, 'consumer_group'],
    registers,
    async collect() {
      this.reset();
      for (const s of await read()) for (const [group, tps] of s.groupConsumeTps) this.set({ ...base(s), consumer_group: group }, tps);
    },
  });
  new Gauge({
    name: 'rocketdeck_broker_tps',
    help: 'Messages per second a broker stored (direction="put") or handed to consumers (direction="get") lately',
    labelNames: [...BROKER_LABELS, 'direction'],
    registers,
    async collect() {
      this.reset();
      for (const s of await read()) {
        if (s.putTps !== undefined) this.set({ ...base(s), direction: 'put' }, s.putTps);
        if (s.getTps !== undefined) this.set({ ...base(s), direction: 'get' }, s.getTps);
      }
    },
  });
  new Counter({
    name: 'rocketdeck_broker_messages_total',
    help: 'Messages a broker stored (direction="put") or handed to consumers (direction="get"): since its start from the broker itself, today from the console',
    labelNames: [...BROKER_LABELS, 'direction'],
    registers,
    async collect() {
      this.reset();
      for (const s of await read()) {
        if (s.putMessagesTotal !== undefined) this.inc({ ...base(s), direction: 'put' }, Math.max(0, s.putMessagesTotal));
        if (s.getMessagesTotal !== undefined) this.inc({ ...base(s), direction: 'get' }, Math.max(0, s.getMessagesTotal));
      }
    },
  });
  brokerGauge('rocketdeck_storage_disk_ratio', 'Used share (0..1) of the file system holding the broker\'s store', (s) => s.diskRatio);
  new Gauge({
    name: 'rocketmq_storage_size',
    help: 'Bytes used on the file system holding the broker\'s store',
    labelNames: [...BROKER_LABELS, 'storage_type', 'storage_medium'],
    registers,
    async collect() {
      this.reset();
      for (const s of await read()) if (s.diskUsedBytes !== undefined) this.set({ ...base(s), storage_type: 'local', storage_medium: 'disk' }, s.diskUsedBytes);
    },
  });
  brokerGauge('rocketdeck_commitlog_size_bytes', 'Bytes of messages the commit log holds (max − min commit-log offset)', (s) => s.commitLogBytes);
  brokerGauge('rocketmq_storage_flush_behind_bytes', 'Bytes written to the commit log but not yet flushed to disk', (s) => s.flushBehindBytes);
  brokerGauge('rocketmq_storage_dispatch_behind_bytes', 'Bytes in the commit log not yet dispatched to consume queues', (s) => s.dispatchBehindBytes);
  brokerGauge('rocketmq_storage_message_reserve_time', 'Age in ms of the oldest message the store keeps', (s) =>
    s.earliestMessageTimestamp && s.earliestMessageTimestamp > 0 ? Date.now() - s.earliestMessageTimestamp : undefined,
  );
  brokerGauge('rocketdeck_held_pulls', 'Long-polling pull requests a broker holds now', (s) => s.heldPulls);
  brokerGauge('rocketdeck_connections', 'Client connections open on a broker\'s ports', (s) => s.connections);
}
