/**
 * RocketMQ's broker.properties, read as mqbroker reads it: `key=value` (or `key: value`) lines, `#`/`!`
 * comments, surrounding spaces ignored. Known keys become BrokerConfig fields; a value of the wrong type is an
 * error naming the line; keys Rocketdeck does not use are reported, not fatal (an existing RocketMQ config
 * must start).
 */
import type { BrokerConfig } from '../broker/broker-config';

export class PropertiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PropertiesError';
  }
}

export function parseProperties(text: string, source: string): Map<string, { value: string; line: number }> {
  const out = new Map<string, { value: string; line: number }>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) return;
    const match = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (!match) throw new PropertiesError(`${source} line ${index + 1}: "${line}" is not key=value`);
    out.set(match[1]!, { value: match[2]!.trim(), line: index + 1 });
  });
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
  aclEnable: ['aclEnable', 'bool'],
};

export interface BrokerPropertiesResult {
  config: Partial<BrokerConfig>;
  /** Keys present in the file that Rocketdeck does not use (e.g. brokerRole, storePathCommitLog). */
  ignored: string[];
}

export function brokerConfigFromProperties(text: string, source = 'broker.properties'): BrokerPropertiesResult {
  const config: Partial<BrokerConfig> = {};
  const ignored: string[] = [];
  for (const [key, { value, line }] of parseProperties(text, source)) {
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
