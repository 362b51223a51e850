/** Subscription group configs, persisted to <store>/config/subscriptionGroup.json. */
import path from 'node:path';
import { GroupCommitFile, readJsonFile } from '../config/json-file';
import { integerOf, objectOf } from '../../protocol/json-shape';
import { silentLogger, type Logger } from '../../util/logger';
import { newDataVersion, nextDataVersion, type DataVersion } from '../topics/topic-config-manager';

export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  consumeMessageOrderly: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
  groupSysFlag: number;
  consumeTimeoutMinute: number;
  attributes: Record<string, string>;
}

export function makeSubscriptionGroupConfig(groupName: string, raw: Record<string, unknown> = {}): SubscriptionGroupConfig {
  const bool = (v: unknown, d: boolean) => (v === undefined || v === null ? d : v === true || v === 'true');
  const num = (v: unknown, d: number) => (v === undefined || v === null || Number.isNaN(Number(v)) ? d : Number(v));
  return {
    groupName,
    consumeEnable: bool(raw.consumeEnable, true),
    consumeFromMinEnable: bool(raw.consumeFromMinEnable, true),
    consumeBroadcastEnable: bool(raw.consumeBroadcastEnable, true),
    consumeMessageOrderly: bool(raw.consumeMessageOrderly, false),
    retryQueueNums: num(raw.retryQueueNums, 1),
    retryMaxTimes: num(raw.retryMaxTimes, 16),
    brokerId: num(raw.brokerId, 0),
    whichBrokerWhenConsumeSlowly: num(raw.whichBrokerWhenConsumeSlowly, 1),
    notifyConsumerIdsChangedEnable: bool(raw.notifyConsumerIdsChangedEnable, true),
    groupSysFlag: num(raw.groupSysFlag, 0),
    consumeTimeoutMinute: num(raw.consumeTimeoutMinute, 15),
    attributes: raw.attributes && typeof raw.attributes === 'object' ? { ...(raw.attributes as Record<string, string>) } : {},
  };
}

const BUILT_IN_GROUPS = ['TOOLS_CONSUMER', 'FILTERSRV_CONSUMER', '__MONITOR_CONSUMER', 'CLIENT_INNER_PRODUCER', 'SELF_TEST_P_GROUP', 'SELF_TEST_C_GROUP', 'CID_ONS-HTTP-PROXY', 'CID_ONSAPI_PERMISSION', 'CID_ONSAPI_OWNER', 'CID_ONSAPI_PULL', 'CID_RMQ_SYS_TRANS'];

export class SubscriptionGroupManager {
  readonly table = new Map<string, SubscriptionGroupConfig>();
  readonly dataVersion: DataVersion = newDataVersion();
  readonly #filePath: string;
  readonly #file: GroupCommitFile;

  constructor(storePathRootDir: string, private readonly autoCreate: () => boolean, logger?: Logger) {
    this.#filePath = path.join(storePathRootDir, 'config', 'subscriptionGroup.json');
    this.#file = new GroupCommitFile(this.#filePath, () => JSON.stringify(this.wrapper(), null, 2), logger);
    for (const name of BUILT_IN_GROUPS) this.table.set(name, makeSubscriptionGroupConfig(name, name === 'TOOLS_CONSUMER' || name === '__MONITOR_CONSUMER' ? {} : {}));
  }

  load(logger: Logger = silentLogger): void {
    const raw = objectOf(readJsonFile(this.#filePath, logger));
    if (!raw) return;
    const skipped: string[] = [];
    for (const [name, entry] of Object.entries(objectOf(raw.subscriptionGroupTable) ?? {})) {
      const config = objectOf(entry);
      if (config) this.table.set(name, makeSubscriptionGroupConfig(name, config));
      else skipped.push(name);
    }
    if (skipped.length > 0) logger.error('subscriptionGroup.json entries that are not group configs were skipped', { file: this.#filePath, groups: skipped.slice(0, 10), count: skipped.length });
    const version = objectOf(raw.dataVersion);
    if (version) Object.assign(this.dataVersion, { counter: integerOf(version.counter) ?? 0, timestamp: integerOf(version.timestamp) ?? 0 });
  }

  /** Writes subscriptionGroup.json now (throws BROKER_ERR_STORE_IO). */
  persist(): void {
    this.#file.flushSync();
  }

  /** Resolves once every change made so far is on disk (changes of one event-loop turn share a write). */
  persisted(): Promise<void> {
    return this.#file.persisted();
  }

  wrapper(): { subscriptionGroupTable: Record<string, SubscriptionGroupConfig>; forbiddenTable: Record<string, never>; dataVersion: DataVersion } {
    const table: Record<string, SubscriptionGroupConfig> = {};
    for (const [name, config] of [...this.table].sort(([a], [b]) => (a < b ? -1 : 1))) table[name] = config;
    return { subscriptionGroupTable: table, forbiddenTable: {}, dataVersion: { ...this.dataVersion } };
  }

  get(group: string): SubscriptionGroupConfig | undefined {
    return this.table.get(group);
  }

  /** Finds a group, auto-creating it when allowed. */
  findOrCreate(group: string): SubscriptionGroupConfig | undefined {
    const existing = this.table.get(group);
    if (existing || !this.autoCreate()) return existing;
    const config = makeSubscriptionGroupConfig(group);
    this.update(config);
    return config;
  }

  update(config: SubscriptionGroupConfig): void {
    this.table.set(config.groupName, config);
    nextDataVersion(this.dataVersion);
    this.#file.markDirty();
  }

  delete(group: string): boolean {
    const removed = this.table.delete(group);
    if (removed) {
      nextDataVersion(this.dataVersion);
      this.#file.markDirty();
    }
    return removed;
  }
}
