/**
 * One broker's Prometheus metrics, read in-process: the traffic families of traffic-metrics.ts from the broker's
 * own tables, and what only the broker itself can see:
 *   rocketmq_rpc_latency{request_code,response_code,is_long_polling,result}  ms from request to answer (RocketMQ 5's
 *       name, labels and buckets; a held pull's time includes its wait, with is_long_polling="true")
 *   rocketdeck_storage_flush_latency   ms per commit-log fdatasync
 *   rocketmq_consumer_connections{consumer_group,language,version,consume_mode}, rocketmq_producer_connections{language,version}
 * `rocketdeck broker` serves them on METRICS_PORT (metrics-server.ts); `npm start`'s console adds the internal
 * families of its embedded broker to its own /metrics (in-process-brokers.ts).
 */
import { Gauge, Histogram, Registry } from 'prom-client';
import { requestCodeName } from '../../protocol/request-code';
import { responseCodeName } from '../../protocol/response-code';
import type { RemotingCommand } from '../../protocol/remoting-command';
import type { BrokerController } from '../broker-controller';
import { registerTrafficMetrics, type BrokerTrafficSnapshot, type GroupTopicFigures } from './traffic-metrics';

/** RocketMQ 5's rocketmq_rpc_latency buckets (RemotingMetricsManager), ms. */
const RPC_LATENCY_BUCKETS_MS = [1, 3, 5, 7, 10, 100, 1000, 2000, 3000];
/** fdatasync of a commit-log segment: from page-cache speed to a slow disk, ms. */
const FLUSH_LATENCY_BUCKETS_MS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];
/** Separates topic and group in the broker's offset and stats keys (RocketMQ's TOPIC_GROUP_SEPARATOR). */
const SEPARATOR = '@';

export class BrokerMetrics {
  /** The internal families only (latencies, connections): what a console's protocol view cannot see. */
  readonly internals = new Registry();
  /** Everything: the traffic families and the internal ones. */
  readonly registry: Registry;
  readonly #broker: BrokerController;
  readonly #rpcLatency: Histogram<string>;
  readonly #flushLatency: Histogram<string>;
  readonly #longPolling = new WeakSet<RemotingCommand>();

  constructor(broker: BrokerController) {
    this.#broker = broker;
    const registers = [this.internals];
    const labels = () => ({ cluster: broker.config.brokerClusterName, node_type: 'broker', node_id: broker.config.brokerName });
    this.#rpcLatency = new Histogram({
      name: 'rocketmq_rpc_latency',
      help: 'Milliseconds from a request to its answer, by request code (send_message_v2, pull_message, ...) and response code',
      labelNames: ['cluster', 'node_type', 'node_id', 'protocol_type', 'request_code', 'response_code', 'is_long_polling', 'result'],
      buckets: RPC_LATENCY_BUCKETS_MS,
      registers,
    });
    this.#flushLatency = new Histogram({
      name: 'rocketdeck_storage_flush_latency',
      help: 'Milliseconds per commit-log flush (fdatasync)',
      labelNames: ['cluster', 'node_type', 'node_id'],
      buckets: FLUSH_LATENCY_BUCKETS_MS,
      registers,
    });
    new Gauge({
      name: 'rocketmq_consumer_connections',
      help: 'Consumer clients connected to the broker, per group',
      labelNames: ['cluster', 'node_type', 'node_id', 'consumer_group', 'language', 'version', 'consume_mode'],
      registers,
      collect() {
        this.reset();
        for (const [group, info] of broker.consumerManager.groups) {
          for (const channel of info.channels.values()) {
            this.inc({ ...labels(), consumer_group: group, language: channel.language, version: String(channel.version), consume_mode: info.consumeType === 'CONSUME_ACTIVELY' ? 'pull' : 'push' });
          }
        }
      },
    });
    new Gauge({
      name: 'rocketmq_producer_connections',
      help: 'Producer clients connected to the broker',
      labelNames: ['cluster', 'node_type', 'node_id', 'language', 'version'],
      registers,
      collect() {
        this.reset();
        const seen = new Set<string>();
        for (const channels of broker.producerManager.groups.values()) {
          for (const channel of channels.values()) {
            // One client in several producer groups is one connection.
            if (seen.has(channel.connection.id)) continue;
            seen.add(channel.connection.id);
            this.inc({ ...labels(), language: channel.language, version: String(channel.version) });
          }
        }
      },
    });
    const traffic = new Registry();
    registerTrafficMetrics(traffic, () => (broker.port > 0 ? [this.snapshot()] : []));
    this.registry = Registry.merge([traffic, this.internals]);
  }

  /** The broker answered `request` after `ms`. */
  observeRequest(request: RemotingCommand, response: RemotingCommand | null, ms: number): void {
    const config = this.#broker.config;
    this.#rpcLatency.observe(
      {
        cluster: config.brokerClusterName,
        node_type: 'broker',
        node_id: config.brokerName,
        protocol_type: 'remoting',
        request_code: requestCodeName(request.code).toLowerCase(),
        response_code: response ? responseCodeName(response.code).toLowerCase() : 'none',
        is_long_polling: String(this.#longPolling.has(request)),
        result: response ? 'success' : 'oneway',
      },
      ms,
    );
  }

  /** The request waits in the long-polling hold (its latency includes the wait). */
  markLongPolling(request: RemotingCommand): void {
    this.#longPolling.add(request);
  }

  observeFlush(ms: number): void {
    this.#flushLatency.observe({ cluster: this.#broker.config.brokerClusterName, node_type: 'broker', node_id: this.#broker.config.brokerName }, ms);
  }

  /** The broker's figures now, from its own tables. */
  snapshot(): BrokerTrafficSnapshot {
    const broker = this.#broker;
    const store = broker.store;
    const topics = new Map<string, number>();
    for (const [topic, config] of broker.topicConfigManager.topicConfigTable) {
      let total = 0;
      const queues = Math.max(config.readQueueNums, config.writeQueueNums);
      for (let queueId = 0; queueId < queues; queueId++) total += store.getMaxOffsetInQueue(topic, queueId);
      topics.set(topic, total);
    }
    const groups: GroupTopicFigures[] = [];
    for (const [key, queues] of broker.consumerOffsetManager.offsetTable) {
      const at = key.lastIndexOf(SEPARATOR);
      if (at < 0) continue;
      const topic = key.slice(0, at);
      let consumedOffsets = 0;
      let lag = 0;
      for (const [queueId, consumerOffset] of queues) {
        if (consumerOffset < 0) continue;
        consumedOffsets += consumerOffset;
        lag += Math.max(0, store.getMaxOffsetInQueue(topic, queueId) - consumerOffset);
      }
      groups.push({ group: key.slice(at + 1), topic, consumedOffsets, lag });
    }
    const groupConsumeTps = new Map<string, number>();
    for (const [key, counter] of broker.stats.groupGet) {
      const group = key.slice(key.lastIndexOf(SEPARATOR) + 1);
      groupConsumeTps.set(group, (groupConsumeTps.get(group) ?? 0) + counter.tps(10));
    }
    const info = store.runtimeInfo();
    return {
      cluster: broker.config.brokerClusterName,
      brokerName: broker.config.brokerName,
      topics,
      groups,
      groupConsumeTps,
      putTps: broker.stats.putTimes.tps(10),
      getTps: broker.stats.getTransfered.tps(10),
      putMessagesTotal: broker.stats.putTimes.total,
      getMessagesTotal: broker.stats.getTransfered.total,
      diskRatio: info.commitLogDiskRatio,
      ...(info.diskUsedBytes === undefined ? {} : { diskUsedBytes: info.diskUsedBytes }),
      commitLogBytes: Math.max(0, info.commitLogMaxOffset - info.commitLogMinOffset),
      flushBehindBytes: info.unflushedBytes,
      dispatchBehindBytes: info.dispatchBehindBytes,
      earliestMessageTimestamp: info.earliestMessageTimestamp,
      heldPulls: broker.holdService.heldCount,
      connections: broker.clientConnectionCount(),
    };
  }
}
