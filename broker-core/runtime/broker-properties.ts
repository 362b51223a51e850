/**
 * RocketMQ's broker.properties, read as mqbroker reads it (java.util.Properties: `key=value`, `key: value` or
 * `key value`, `#`/`!` comments, continuation lines, escapes; surrounding spaces of a value ignored). Known keys
 * become BrokerConfig fields; a value of the wrong type is an error naming the line; keys Rocketdeck does not
 * use are reported, not fatal (an existing RocketMQ config must start). Replication settings are refused rather
 * than ignored: a Rocketdeck broker is a master without slaves, and a file asking for a slave or DLedger must
 * not start something that only looks like one.
 */
import type { BrokerConfig } from '../broker/broker-config';
import { parseJavaPropertiesWithLines } from './java-properties';

export class PropertiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PropertiesError';
  }
}

export function parseProperties(text: string): Map<string, { value: string; line: number }> {
  const out = new Map<string, { value: string; line: number }>();
  for (const [key, entry] of parseJavaPropertiesWithLines(text)) out.set(key, { value: entry.value.trim(), line: entry.line });
  return out;
}

type Kind = 'string' | 'int' | 'bool' | 'list' | 'flush';
const KEYS: Record<string, [keyof BrokerConfig, Kind]> = {
  brokerClusterName: ['brokerClusterName', 'string'],
  brokerName: ['brokerName', 'string'],
  brokerId: ['brokerId', 'int'],
  listenPort: ['listenPort', 'int'],
  brokerIP1: ['brokerIP1', 'string'],
  namesrvAddr: ['namesrvAddr', 'list'],
  storePathRootDir: ['storePathRootDir', 'string'],
  flushDiskType: ['flushDiskType', 'flush'],
  autoCreateTopicEnable: ['autoCreateTopicEnable', 'bool'],
  autoCreateSubscriptionGroup: ['autoCreateSubscriptionGroup', 'bool'],
  defaultTopicQueueNums: ['defaultTopicQueueNums', 'int'],
  brokerPermission: ['brokerPermission', 'int'],
  longPollingEnable: ['longPollingEnable', 'bool'],
  notifyConsumerIdsChangedEnable: ['notifyConsumerIdsChangedEnable', 'bool'],
  maxMessageSize: ['maxMessageSizeBytes', 'int'],
  clusterTopicEnable: ['clusterTopicEnable', 'bool'],
  brokerTopicEnable: ['brokerTopicEnable', 'bool'],
  messageDelayLevel: ['messageDelayLevel', 'string'],
  fileReservedTime: ['fileReservedTime', 'int'],
  deleteWhen: ['deleteWhen', 'string'],
  diskMaxUsedSpaceRatio: ['diskMaxUsedSpaceRatio', 'int'],
  rejectTransactionMessage: ['rejectTransactionMessage', 'bool'],
  transactionTimeOut: ['transactionTimeOut', 'int'],
  transactionCheckMax: ['transactionCheckMax', 'int'],
  transactionCheckInterval: ['transactionCheckInterval', 'int'],
  flushConsumerOffsetInterval: ['offsetFlushIntervalMs', 'int'],
  flushIntervalCommitLog: ['flushIntervalCommitLog', 'int'],
  serverChannelMaxIdleTimeSeconds: ['serverChannelMaxIdleTimeSeconds', 'int'],
  registerNameServerPeriod: ['registerNameServerPeriodMs', 'int'],
  mappedFileSizeCommitLog: ['mappedFileSizeCommitLog', 'int'],
  aclEnable: ['aclEnable', 'bool'],
  enablePropertyFilter: ['enablePropertyFilter', 'bool'],
  storeReplyMessageEnable: ['storeReplyMessageEnable', 'bool'],
};

/** Keys read only to refuse what a Rocketdeck broker cannot be (see the file comment). */
const REPLICATION_HELP = 'Rocketdeck brokers do not replicate; for master/slave or DLedger run Apache RocketMQ brokers (README: "Scaling out")';
function checkReplication(key: string, value: string, line: number, source: string): boolean {
  const refuse = (what: string) => new PropertiesError(`${source} line ${line}: ${what}. ${REPLICATION_HELP}`);
  switch (key) {
    case 'brokerRole':
      // A master without slaves: ASYNC_MASTER is what it is; SYNC_MASTER is listed as not used (nothing to wait for).
      if (value === 'ASYNC_MASTER') return true;
      if (value === 'SYNC_MASTER') return false;
      if (value === 'SLAVE') throw refuse('brokerRole=SLAVE is not supported');
      throw new PropertiesError(`${source} line ${line}: brokerRole must be ASYNC_MASTER, SYNC_MASTER or SLAVE (got "${value}")`);
    case 'brokerId':
      if (/^-?\d+$/.test(value) && Number(value) !== 0) throw refuse(`brokerId=${value} makes a slave, which is not supported (use 0)`);
      return false;
    case 'enableDLegerCommitLog':
      if (value === 'true') throw refuse('enableDLegerCommitLog=true is not supported');
      return true;
    default:
      return false;
  }
}

export interface BrokerPropertiesResult {
  config: Partial<BrokerConfig>;
  /** Keys present in the file that Rocketdeck does not use (e.g. brokerIP2, storePathCommitLog). */
  ignored: string[];
}

export function brokerConfigFromProperties(text: string, source = 'broker.properties'): BrokerPropertiesResult {
  const config: Partial<BrokerConfig> = {};
  const ignored: string[] = [];
  for (const [key, { value, line }] of parseProperties(text)) {
    if (checkReplication(key, value, line, source)) continue;
    const known = KEYS[key];
    if (!known) {
      ignored.push(key);
      continue;
    }
    const [field, kind] = known;
    const bad = (what: string) => new PropertiesError(`${source} line ${line}: ${key} must be ${what} (got "${value}")`);
    let parsed: unknown;
    switch (kind) {
      case 'int':
        if (!/^-?\d+$/.test(value)) throw bad('a whole number');
        parsed = Number(value);
        break;
      case 'bool':
        if (value !== 'true' && value !== 'false') throw bad('true or false');
        parsed = value === 'true';
        break;
      case 'flush':
        if (value !== 'ASYNC_FLUSH' && value !== 'SYNC_FLUSH') throw bad('ASYNC_FLUSH or SYNC_FLUSH');
        parsed = value;
        break;
      case 'list':
        parsed = value.split(';').map((s) => s.trim()).filter(Boolean);
        break;
      default:
        parsed = value;
    }
    (config as Record<string, unknown>)[field] = parsed;
  }
  if (config.listenPort !== undefined && (config.listenPort < 0 || config.listenPort > 65535)) throw new PropertiesError(`${source}: listenPort ${config.listenPort} is not a port`);
  return { config, ignored };
}
