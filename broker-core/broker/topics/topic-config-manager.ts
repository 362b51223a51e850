/** Topic configurations, persisted to <store>/config/topics.json in fastjson's TopicConfigSerializeWrapper shape. */
import path from 'node:path';
import { GroupCommitFile, readJsonFile } from '../config/json-file';
import { TOPIC_QUEUE_NUMS_MAX } from '../../config/limits';
import { integerOf, objectOf } from '../../protocol/json-shape';
import { silentLogger, type Logger } from '../../util/logger';

export const PermName = { PERM_PRIORITY: 8, PERM_READ: 4, PERM_WRITE: 2, PERM_INHERIT: 1 } as const;
export const TopicValidator = {
  AUTO_CREATE_TOPIC_KEY_TOPIC: 'TBW102',
  RMQ_SYS_SCHEDULE_TOPIC: 'SCHEDULE_TOPIC_XXXX',
  RMQ_SYS_BENCHMARK_TOPIC: 'BenchmarkTest',
  RMQ_SYS_TRANS_HALF_TOPIC: 'RMQ_SYS_TRANS_HALF_TOPIC',
  RMQ_SYS_TRACE_TOPIC: 'RMQ_SYS_TRACE_TOPIC',
  RMQ_SYS_TRANS_OP_HALF_TOPIC: 'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC: 'TRANS_CHECK_MAX_TIME_TOPIC',
  RMQ_SYS_SELF_TEST_TOPIC: 'SELF_TEST_TOPIC',
  RMQ_SYS_OFFSET_MOVED_EVENT: 'OFFSET_MOVED_EVENT',
} as const;
export const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';
export const DLQ_GROUP_TOPIC_PREFIX = '%DLQ%';

export const NOT_SENDABLE_TOPICS = new Set<string>([
  TopicValidator.RMQ_SYS_SCHEDULE_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
  TopicValidator.RMQ_SYS_SELF_TEST_TOPIC,
  TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT,
]);

/** TopicValidator.isSystemTopic: the built-in topics and the rmq_sys_ prefix (not creatable by UPDATE_AND_CREATE_TOPIC). */
const SYSTEM_TOPICS = new Set<string>(Object.values(TopicValidator));
export function isSystemTopic(topic: string): boolean {
  return SYSTEM_TOPICS.has(topic) || topic.startsWith('rmq_sys_');
}

export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: string;
  topicSysFlag: number;
  order: boolean;
  attributes: Record<string, string>;
}

export interface DataVersion {
  timestamp: number;
  counter: number;
  stateVersion: number;
}

export function newDataVersion(): DataVersion {
  return { timestamp: Date.now(), counter: 0, stateVersion: 0 };
}

export function nextDataVersion(version: DataVersion): void {
  version.timestamp = Date.now();
  version.counter += 1;
}

export function makeTopicConfig(topicName: string, queueNums = 16, perm = 6): TopicConfig {
  return { topicName, readQueueNums: queueNums, writeQueueNums: queueNums, perm, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false, attributes: {} };
}

export function isPermReadable(perm: number): boolean {
  return (perm & PermName.PERM_READ) === PermName.PERM_READ;
}
export function isPermWriteable(perm: number): boolean {
  return (perm & PermName.PERM_WRITE) === PermName.PERM_WRITE;
}
export function isPermInherited(perm: number): boolean {
  return (perm & PermName.PERM_INHERIT) === PermName.PERM_INHERIT;
}

/** A stored topic config, or null when the entry is not one (wrong types, queue counts out of range). */
function normalize(raw: Record<string, unknown> | undefined, name: string): TopicConfig | null {
  if (!raw) return null;
  const config = makeTopicConfig(name);
  const readQueueNums = integerOf(raw.readQueueNums ?? config.readQueueNums, 0, TOPIC_QUEUE_NUMS_MAX);
  const writeQueueNums = integerOf(raw.writeQueueNums ?? config.writeQueueNums, 0, TOPIC_QUEUE_NUMS_MAX);
  const perm = integerOf(raw.perm ?? config.perm, 0, 15);
  if (readQueueNums === undefined || writeQueueNums === undefined || perm === undefined) return null;
  config.readQueueNums = readQueueNums;
  config.writeQueueNums = writeQueueNums;
  config.perm = perm;
  config.topicFilterType = typeof raw.topicFilterType === 'string' ? raw.topicFilterType : 'SINGLE_TAG';
  config.topicSysFlag = integerOf(raw.topicSysFlag ?? 0) ?? 0;
  config.order = raw.order === true || raw.order === 'true';
  if (raw.attributes && typeof raw.attributes === 'object') config.attributes = { ...(raw.attributes as Record<string, string>) };
  return config;
}

export class TopicConfigManager {
  readonly topicConfigTable = new Map<string, TopicConfig>();
  readonly dataVersion: DataVersion = newDataVersion();
  readonly #filePath: string;
  readonly #file: GroupCommitFile;

  constructor(
    storePathRootDir: string,
    private readonly options: { clusterName: string; brokerName: string; defaultTopicQueueNums: number; autoCreateTopicEnable: () => boolean; clusterTopicEnable: boolean; brokerTopicEnable: boolean; logger?: Logger },
  ) {
    this.#filePath = path.join(storePathRootDir, 'config', 'topics.json');
    this.#file = new GroupCommitFile(this.#filePath, () => JSON.stringify(this.wrapper(), null, 2), options.logger);
    const system: TopicConfig[] = [
      makeTopicConfig(TopicValidator.RMQ_SYS_SELF_TEST_TOPIC, 1),
      makeTopicConfig(TopicValidator.RMQ_SYS_BENCHMARK_TOPIC, 1024),
      makeTopicConfig(TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT, 1),
      makeTopicConfig(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, 18),
      makeTopicConfig(TopicValidator.RMQ_SYS_TRACE_TOPIC, 1),
      makeTopicConfig(TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC, 1),
      makeTopicConfig(TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC, 1),
      makeTopicConfig(`${options.clusterName}_REPLY_TOPIC`, 1),
    ];
    if (options.clusterTopicEnable) system.push(makeTopicConfig(options.clusterName, 16, PermName.PERM_READ | PermName.PERM_WRITE));
    if (options.brokerTopicEnable) system.push(makeTopicConfig(options.brokerName, 1, PermName.PERM_READ | PermName.PERM_WRITE));
    for (const config of system) this.topicConfigTable.set(config.topicName, config);
    this.#ensureDefaultTopic();
  }

  #ensureDefaultTopic(): void {
    const name = TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC;
    if (this.options.autoCreateTopicEnable()) {
      const existing = this.topicConfigTable.get(name);
      if (!existing) this.topicConfigTable.set(name, makeTopicConfig(name, this.options.defaultTopicQueueNums, 7));
    }
  }

  load(logger: Logger = silentLogger): void {
    const raw = objectOf(readJsonFile(this.#filePath, logger));
    if (!raw) return;
    const skipped: string[] = [];
    for (const [name, entry] of Object.entries(objectOf(raw.topicConfigTable) ?? {})) {
      const config = normalize(objectOf(entry), name);
      if (config) this.topicConfigTable.set(name, config);
      else skipped.push(name);
    }
    if (skipped.length > 0) logger.error('topics.json entries that are not topic configs were skipped', { file: this.#filePath, topics: skipped.slice(0, 10), count: skipped.length });
    const version = objectOf(raw.dataVersion);
    if (version) Object.assign(this.dataVersion, { counter: integerOf(version.counter) ?? 0, timestamp: integerOf(version.timestamp) ?? 0 });
    this.#ensureDefaultTopic();
  }

  /** Writes topics.json now (throws BROKER_ERR_STORE_IO). */
  persist(): void {
    this.#file.flushSync();
  }

  /** Resolves once every change made so far is in topics.json (changes of one event-loop turn share a write). */
  persisted(): Promise<void> {
    return this.#file.persisted();
  }

  wrapper(): { dataVersion: DataVersion; topicConfigTable: Record<string, TopicConfig> } {
    const table: Record<string, TopicConfig> = {};
    for (const [name, config] of [...this.topicConfigTable].sort(([a], [b]) => (a < b ? -1 : 1))) table[name] = config;
    return { dataVersion: { ...this.dataVersion }, topicConfigTable: table };
  }

  get(topic: string): TopicConfig | undefined {
    return this.topicConfigTable.get(topic);
  }

  /** Creates or replaces a topic (UPDATE_AND_CREATE_TOPIC); on disk once `persisted()` resolves. */
  update(config: TopicConfig): void {
    this.topicConfigTable.set(config.topicName, config);
    nextDataVersion(this.dataVersion);
    this.#file.markDirty();
  }

  delete(topic: string): boolean {
    const removed = this.topicConfigTable.delete(topic);
    if (removed) {
      nextDataVersion(this.dataVersion);
      this.#file.markDirty();
    }
    return removed;
  }

  /** Auto-creation on send through the default topic (TBW102); null when not allowed. */
  createTopicInSendMessageMethod(topic: string, defaultTopic: string, clientDefaultTopicQueueNums: number, topicSysFlag: number): TopicConfig | null {
    const existing = this.topicConfigTable.get(topic);
    if (existing) return existing;
    const template = this.topicConfigTable.get(defaultTopic);
    if (!template) return null;
    if (defaultTopic === TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC && !this.options.autoCreateTopicEnable()) return null;
    if (!isPermInherited(template.perm)) return null;
    const queueNums = Math.max(1, Math.min(clientDefaultTopicQueueNums || template.writeQueueNums, template.writeQueueNums));
    const config = makeTopicConfig(topic, queueNums, template.perm & ~PermName.PERM_INHERIT);
    config.topicSysFlag = topicSysFlag;
    this.update(config);
    return config;
  }

  /** Retry / DLQ topics: created on demand with the given queue count and perm. */
  createTopicIfAbsent(topic: string, queueNums: number, perm: number): { config: TopicConfig; created: boolean } {
    const existing = this.topicConfigTable.get(topic);
    if (existing) return { config: existing, created: false };
    const config = makeTopicConfig(topic, queueNums, perm);
    this.update(config);
    return { config, created: true };
  }
}
