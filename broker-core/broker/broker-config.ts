/** Broker configuration (names as RocketMQ's BrokerConfig/MessageStoreConfig properties). */
import os from 'node:os';
import path from 'node:path';
import type { FlushDiskType } from '../store/message-store';
import { SERVER_CHANNEL_MAX_IDLE_MS_DEFAULT } from '../config/limits';

export interface BrokerConfig {
  brokerClusterName: string;
  brokerName: string;
  brokerId: number;
  listenPort: number;
  /** The "fast" (VIP) port older Java clients may use; listenPort - 2 by default; null = off. */
  fastListenPort: number | null;
  /** The advertised address (env BROKER_IP1 in the launcher); default the first non-loopback IPv4, or 127.0.0.1. */
  brokerIP1: string;
  namesrvAddr: string[];
  storePathRootDir: string;
  flushDiskType: FlushDiskType;
  autoCreateTopicEnable: boolean;
  autoCreateSubscriptionGroup: boolean;
  defaultTopicQueueNums: number;
  brokerPermission: number;
  longPollingEnable: boolean;
  registerNameServerPeriodMs: number;
  notifyConsumerIdsChangedEnable: boolean;
  maxMessageSizeBytes: number;
  clusterTopicEnable: boolean;
  brokerTopicEnable: boolean;
  messageDelayLevel: string;
  offsetFlushIntervalMs: number;
  channelExpiredTimeoutMs: number;
  /** Hours a commit-log file is kept (RocketMQ fileReservedTime). */
  fileReservedTime: number;
  /** Hours of the day when expired files are deleted ("04", or "04;05"). */
  deleteWhen: string;
  /** Disk usage percent above which the oldest files are deleted regardless of age. */
  diskMaxUsedSpaceRatio: number;
  /** Refuse transactional (half) messages with NO_PERMISSION. */
  rejectTransactionMessage: boolean;
  /** A half message is first checked this long after it was stored (ms). */
  transactionTimeOut: number;
  /** Checks of one half message before it is given up. */
  transactionCheckMax: number;
  /** How often half messages are checked (ms). */
  transactionCheckInterval: number;
  /** A client connection with no traffic this long is closed (RocketMQ serverChannelMaxIdleTimeSeconds); 0 = never. */
  serverChannelMaxIdleTimeSeconds: number;
  /** ASYNC_FLUSH: how often the commit log is fdatasync'ed (RocketMQ flushIntervalCommitLog, ms). */
  flushIntervalCommitLog: number;
  /** Size of one commit-log file (RocketMQ mappedFileSizeCommitLog, 1 GiB); a store keeps the size it was created with. */
  mappedFileSizeCommitLog: number;
  /** Check every request against the plain ACL file (RocketMQ aclEnable; off by default). */
  aclEnable: boolean;
  /** The plain ACL file (default <storePathRootDir>/../conf/plain_acl.yml, i.e. ROCKETDECK_HOME/conf/plain_acl.yml). */
  aclFile: string;
  /** How often the ACL file is checked for changes (RocketMQ: 5 s). */
  aclFileWatchIntervalMs: number;
  /**
   * Accept SQL92 subscriptions (RocketMQ's enablePropertyFilter). On by default, where RocketMQ's is off: RocketMQ
   * keeps it off because its SQL filtering computes a bloom-filter bit map for every stored message (CPU and
   * consume-queue-ext disk for every topic, subscribed by SQL or not); Rocketdeck evaluates the selector only on
   * the records an SQL92 subscriber pulls, so the switch costs nothing until one subscribes, and RocketMQ 5.x
   * clients (gRPC, FilterExpression SQL92) expect it. Off: SQL92 subscriptions are refused with RocketMQ's
   * "The broker does not support consumer to filter message by SQL92".
   */
  enablePropertyFilter: boolean;
  /** Also store request-reply answers in <cluster>_REPLY_TOPIC after pushing them (RocketMQ storeReplyMessageEnable). */
  storeReplyMessageEnable: boolean;
  /** Least invisible time a POP / receive may ask for (the Apache Proxy's minInvisibleTimeMillsForRecv, 10 s). */
  minInvisibleTimeMillsForRecv: number;
  /** Longest invisible time a POP / receive / change may ask for (the Proxy's maxInvisibleTimeMills, 12 h). */
  maxInvisibleTimeMills: number;
  /** Longest delay a timer message may ask for (RocketMQ's timerMaxDelaySec, 3 days); beyond it the send is refused. */
  timerMaxDelaySec: number;
  /**
   * Refuse a message whose type (FIFO, DELAY, TRANSACTION, NORMAL from its properties) is not its topic's
   * `message.type` (the Apache Proxy's enableTopicMessageTypeCheck, on by default). Remoting sends are checked on typed
   * topics only; the gRPC endpoint's Settings publish it as validateMessageType.
   */
  enableTopicMessageTypeCheck: boolean;
}

export function firstNonLoopbackIPv4(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.family === 'IPv4' && !info.internal) return info.address;
    }
  }
  return '127.0.0.1';
}

export function resolveBrokerConfig(input: Partial<BrokerConfig> & { storePathRootDir: string }): BrokerConfig {
  const listenPort = input.listenPort ?? 10911;
  const namesrv = input.namesrvAddr as unknown;
  const namesrvAddr = Array.isArray(namesrv)
    ? (namesrv as string[])
    : typeof namesrv === 'string'
      ? namesrv.split(';').map((s) => s.trim()).filter(Boolean)
      : [];
  return {
    brokerClusterName: input.brokerClusterName ?? 'DefaultCluster',
    brokerName: input.brokerName ?? 'broker-a',
    brokerId: input.brokerId ?? 0,
    listenPort,
    fastListenPort: input.fastListenPort === undefined ? (listenPort === 0 ? null : listenPort - 2) : input.fastListenPort,
    brokerIP1: input.brokerIP1 || firstNonLoopbackIPv4(),
    namesrvAddr,
    storePathRootDir: input.storePathRootDir,
    flushDiskType: input.flushDiskType ?? 'ASYNC_FLUSH',
    autoCreateTopicEnable: input.autoCreateTopicEnable ?? true,
    autoCreateSubscriptionGroup: input.autoCreateSubscriptionGroup ?? true,
    defaultTopicQueueNums: input.defaultTopicQueueNums ?? 8,
    brokerPermission: input.brokerPermission ?? 6,
    longPollingEnable: input.longPollingEnable ?? true,
    registerNameServerPeriodMs: input.registerNameServerPeriodMs ?? 30_000,
    notifyConsumerIdsChangedEnable: input.notifyConsumerIdsChangedEnable ?? true,
    maxMessageSizeBytes: input.maxMessageSizeBytes ?? 4 * 1024 * 1024,
    clusterTopicEnable: input.clusterTopicEnable ?? true,
    brokerTopicEnable: input.brokerTopicEnable ?? true,
    messageDelayLevel: input.messageDelayLevel ?? '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h',
    offsetFlushIntervalMs: input.offsetFlushIntervalMs ?? 5_000,
    channelExpiredTimeoutMs: input.channelExpiredTimeoutMs ?? 120_000,
    fileReservedTime: input.fileReservedTime ?? 72,
    deleteWhen: input.deleteWhen ?? '04',
    diskMaxUsedSpaceRatio: input.diskMaxUsedSpaceRatio ?? 75,
    rejectTransactionMessage: input.rejectTransactionMessage ?? false,
    transactionTimeOut: input.transactionTimeOut ?? 6_000,
    transactionCheckMax: input.transactionCheckMax ?? 15,
    transactionCheckInterval: input.transactionCheckInterval ?? 60_000,
    serverChannelMaxIdleTimeSeconds: input.serverChannelMaxIdleTimeSeconds ?? SERVER_CHANNEL_MAX_IDLE_MS_DEFAULT / 1000,
    flushIntervalCommitLog: input.flushIntervalCommitLog ?? 500,
    mappedFileSizeCommitLog: input.mappedFileSizeCommitLog ?? 1024 * 1024 * 1024,
    aclEnable: input.aclEnable ?? false,
    aclFile: input.aclFile ?? path.join(path.dirname(path.resolve(input.storePathRootDir)), 'conf', 'plain_acl.yml'),
    aclFileWatchIntervalMs: input.aclFileWatchIntervalMs ?? 5_000,
    enablePropertyFilter: input.enablePropertyFilter ?? true,
    storeReplyMessageEnable: input.storeReplyMessageEnable ?? true,
    minInvisibleTimeMillsForRecv: input.minInvisibleTimeMillsForRecv ?? 10_000,
    maxInvisibleTimeMills: input.maxInvisibleTimeMills ?? 12 * 3_600_000,
    timerMaxDelaySec: input.timerMaxDelaySec ?? 3 * 24 * 3600,
    enableTopicMessageTypeCheck: input.enableTopicMessageTypeCheck ?? true,
  };
}

/** Keys UPDATE_BROKER_CONFIG may change at run time. */
export const MUTABLE_BROKER_CONFIG_KEYS = [
  'autoCreateTopicEnable',
  'autoCreateSubscriptionGroup',
  'brokerPermission',
  'longPollingEnable',
  'notifyConsumerIdsChangedEnable',
  'defaultTopicQueueNums',
] as const;

export function brokerConfigToProperties(config: BrokerConfig): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (value === null || value === undefined) continue;
    lines.push(`${key}=${Array.isArray(value) ? value.join(';') : String(value)}`);
  }
  lines.push(`namesrvAddr=${config.namesrvAddr.join(';')}`);
  return lines.join('\n') + '\n';
}
