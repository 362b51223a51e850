/**
 * The NameServer's routing tables: which brokers exist (by cluster and name), which topics they host with
 * how many queues, and when each broker was last heard from. Pure data and rules; no sockets, and time
 * comes from an injectable clock so the 120 s expiry can be tested without waiting.
 *
 * Rules follow RocketMQ 4.9.x's RouteInfoManager:
 *  - a broker is identified by its address; its (cluster, brokerName, brokerId) place it in the tables;
 *  - only a master (brokerId 0) contributes queue data, and only when its topic data version changed
 *    or it registers for the first time;
 *  - a broker leaves when it unregisters, when its connection closes, or after BROKER_CHANNEL_EXPIRED_MS
 *    of silence; a broker name whose last address left is removed with its queue data, and a topic
 *    with no queue data left disappears (route lookups then answer TOPIC_NOT_EXIST).
 */
import { BROKER_CHANNEL_EXPIRED_MS } from '../config/limits';

export const MASTER_ID = 0;
const PERM_WRITE = 1 << 1;
const TOPIC_SYS_FLAG_UNIT = 1 << 0;
const TOPIC_SYS_FLAG_UNIT_SUB = 1 << 1;

export interface DataVersion {
  counter: number;
  stateVersion?: number;
  timestamp: number;
}

export interface TopicConfigLike {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag?: number;
  order?: boolean;
}

export interface QueueData {
  brokerName: string;
  perm: number;
  readQueueNums: number;
  topicSysFlag: number;
  writeQueueNums: number;
}

export interface BrokerData {
  brokerAddrs: Map<number, string>;
  brokerName: string;
  cluster: string;
}

export interface TopicRouteData {
  brokerDatas: BrokerData[];
  filterServerTable: Map<string, string[]>;
  queueDatas: QueueData[];
  orderTopicConf?: string;
}

export interface BrokerLiveInfo {
  brokerAddr: string;
  lastUpdateTimestamp: number;
  dataVersion: DataVersion | null;
  haServerAddr: string;
  /** The connection the broker registered over; its close removes the broker. */
  connectionId: string | null;
}

export interface RegisterBrokerInput {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string;
  topicConfigWrapper: { dataVersion: DataVersion; topicConfigTable: Record<string, TopicConfigLike> } | null;
  filterServerList: string[];
  connectionId: string | null;
}

export interface RegisterBrokerResult {
  haServerAddr: string | null;
  masterAddr: string | null;
}

export interface RemovedBroker {
  brokerAddr: string;
  reason: 'expired' | 'unregistered' | 'connection closed';
}

export class RouteInfoManager {
  readonly #now: () => number;
  readonly #expiredMs: number;
  /** topic → brokerName → queue data */
  readonly #topicQueueTable = new Map<string, Map<string, QueueData>>();
  /** brokerName → broker data */
  readonly #brokerAddrTable = new Map<string, BrokerData>();
  /** cluster → broker names */
  readonly #clusterAddrTable = new Map<string, Set<string>>();
  /** brokerAddr → liveness */
  readonly #brokerLiveTable = new Map<string, BrokerLiveInfo>();
  /** brokerAddr → filter server addresses */
  readonly #filterServerTable = new Map<string, string[]>();

  constructor(options: { now?: () => number; brokerExpiredMs?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#expiredMs = options.brokerExpiredMs ?? BROKER_CHANNEL_EXPIRED_MS;
  }

  registerBroker(input: RegisterBrokerInput): RegisterBrokerResult {
    let brokerNames = this.#clusterAddrTable.get(input.clusterName);
    if (!brokerNames) this.#clusterAddrTable.set(input.clusterName, (brokerNames = new Set()));
    brokerNames.add(input.brokerName);

    let registerFirst = false;
    let brokerData = this.#brokerAddrTable.get(input.brokerName);
    if (!brokerData) {
      registerFirst = true;
      brokerData = { brokerAddrs: new Map(), brokerName: input.brokerName, cluster: input.clusterName };
      this.#brokerAddrTable.set(input.brokerName, brokerData);
    }
    // The same address under another id means a role switch (slave became master): keep one entry.
    for (const [id, addr] of brokerData.brokerAddrs) {
      if (addr === input.brokerAddr && id !== input.brokerId) brokerData.brokerAddrs.delete(id);
    }
    const oldAddr = brokerData.brokerAddrs.get(input.brokerId);
    brokerData.brokerAddrs.set(input.brokerId, input.brokerAddr);
    registerFirst ||= oldAddr === undefined;

    const wrapper = input.topicConfigWrapper;
    if (wrapper && input.brokerId === MASTER_ID) {
      if (registerFirst || this.isBrokerTopicConfigChanged(input.brokerAddr, wrapper.dataVersion)) {
        for (const config of Object.values(wrapper.topicConfigTable)) this.#createAndUpdateQueueData(input.brokerName, config);
      }
    }

    this.#brokerLiveTable.set(input.brokerAddr, {
      brokerAddr: input.brokerAddr,
      lastUpdateTimestamp: this.#now(),
      dataVersion: wrapper?.dataVersion ?? null,
      haServerAddr: input.haServerAddr,
      connectionId: input.connectionId,
    });
    if (input.filterServerList.length > 0) this.#filterServerTable.set(input.brokerAddr, [...input.filterServerList]);
    else this.#filterServerTable.delete(input.brokerAddr);

    const result: RegisterBrokerResult = { haServerAddr: null, masterAddr: null };
    if (input.brokerId !== MASTER_ID) {
      const masterAddr = brokerData.brokerAddrs.get(MASTER_ID);
      if (masterAddr !== undefined) {
        const masterLive = this.#brokerLiveTable.get(masterAddr);
        if (masterLive) {
          result.haServerAddr = masterLive.haServerAddr;
          result.masterAddr = masterAddr;
        }
      }
    }
    return result;
  }

  isBrokerTopicConfigChanged(brokerAddr: string, dataVersion: DataVersion): boolean {
    const prev = this.#brokerLiveTable.get(brokerAddr)?.dataVersion;
    return !prev || prev.counter !== dataVersion.counter || prev.timestamp !== dataVersion.timestamp || (prev.stateVersion ?? 0) !== (dataVersion.stateVersion ?? 0);
  }

  brokerDataVersion(brokerAddr: string): DataVersion | null {
    return this.#brokerLiveTable.get(brokerAddr)?.dataVersion ?? null;
  }

  /** QUERY_DATA_VERSION and heartbeats keep a broker alive without a full registration. */
  touchBroker(brokerAddr: string): boolean {
    const live = this.#brokerLiveTable.get(brokerAddr);
    if (!live) return false;
    live.lastUpdateTimestamp = this.#now();
    return true;
  }

  #createAndUpdateQueueData(brokerName: string, config: TopicConfigLike): void {
    const queueData: QueueData = {
      brokerName,
      perm: config.perm,
      readQueueNums: config.readQueueNums,
      topicSysFlag: config.topicSysFlag ?? 0,
      writeQueueNums: config.writeQueueNums,
    };
    let byBroker = this.#topicQueueTable.get(config.topicName);
    if (!byBroker) this.#topicQueueTable.set(config.topicName, (byBroker = new Map()));
    byBroker.set(brokerName, queueData);
  }

  /** Adds queue data for a topic directly (REGISTER_TOPIC_IN_NAMESRV). */
  registerTopic(topic: string, queueDatas: QueueData[]): void {
    let byBroker = this.#topicQueueTable.get(topic);
    if (!byBroker) this.#topicQueueTable.set(topic, (byBroker = new Map()));
    for (const queueData of queueDatas) {
      if (this.#brokerAddrTable.has(queueData.brokerName)) byBroker.set(queueData.brokerName, { ...queueData });
    }
    if (byBroker.size === 0) this.#topicQueueTable.delete(topic);
  }

  unregisterBroker(clusterName: string, brokerAddr: string, brokerName: string, brokerId: number): void {
    this.#brokerLiveTable.delete(brokerAddr);
    this.#filterServerTable.delete(brokerAddr);
    const brokerData = this.#brokerAddrTable.get(brokerName);
    if (brokerData && brokerData.brokerAddrs.get(brokerId) === brokerAddr) brokerData.brokerAddrs.delete(brokerId);
    if (brokerData && brokerData.brokerAddrs.size === 0) {
      this.#brokerAddrTable.delete(brokerName);
      this.#removeBrokerNameFromCluster(clusterName, brokerName);
      this.#removeTopicsOfBroker(brokerName);
    }
  }

  /** Every broker address registered over this connection leaves (the broker's socket closed). */
  onConnectionClosed(connectionId: string): RemovedBroker[] {
    const removed: RemovedBroker[] = [];
    for (const live of [...this.#brokerLiveTable.values()]) {
      if (live.connectionId === connectionId) {
        this.#removeBrokerAddr(live.brokerAddr);
        removed.push({ brokerAddr: live.brokerAddr, reason: 'connection closed' });
      }
    }
    return removed;
  }

  /** Removes brokers silent for longer than the expiry; returns them so their connections can be closed. */
  scanNotActiveBroker(): (RemovedBroker & { connectionId: string | null; silentMs: number })[] {
    const now = this.#now();
    const removed: (RemovedBroker & { connectionId: string | null; silentMs: number })[] = [];
    for (const live of [...this.#brokerLiveTable.values()]) {
      const silentMs = now - live.lastUpdateTimestamp;
      if (silentMs > this.#expiredMs) {
        this.#removeBrokerAddr(live.brokerAddr);
        removed.push({ brokerAddr: live.brokerAddr, reason: 'expired', connectionId: live.connectionId, silentMs });
      }
    }
    return removed;
  }

  #removeBrokerAddr(brokerAddr: string): void {
    this.#brokerLiveTable.delete(brokerAddr);
    this.#filterServerTable.delete(brokerAddr);
    for (const [brokerName, brokerData] of [...this.#brokerAddrTable]) {
      for (const [id, addr] of [...brokerData.brokerAddrs]) if (addr === brokerAddr) brokerData.brokerAddrs.delete(id);
      if (brokerData.brokerAddrs.size === 0) {
        this.#brokerAddrTable.delete(brokerName);
        this.#removeBrokerNameFromCluster(brokerData.cluster, brokerName);
        this.#removeTopicsOfBroker(brokerName);
      }
    }
  }

  #removeBrokerNameFromCluster(clusterName: string, brokerName: string): void {
    const names = this.#clusterAddrTable.get(clusterName);
    if (!names) return;
    names.delete(brokerName);
    if (names.size === 0) this.#clusterAddrTable.delete(clusterName);
  }

  #removeTopicsOfBroker(brokerName: string): void {
    for (const [topic, byBroker] of [...this.#topicQueueTable]) {
      byBroker.delete(brokerName);
      if (byBroker.size === 0) this.#topicQueueTable.delete(topic);
    }
  }

  /** Deletes a topic's routes; with a cluster name only that cluster's brokers lose it. */
  deleteTopic(topic: string, clusterName?: string): boolean {
    const byBroker = this.#topicQueueTable.get(topic);
    if (!byBroker) return false;
    if (clusterName) {
      const names = this.#clusterAddrTable.get(clusterName);
      if (names) for (const name of names) byBroker.delete(name);
      if (byBroker.size > 0) return true;
    }
    this.#topicQueueTable.delete(topic);
    return true;
  }

  getTopicRouteData(topic: string): TopicRouteData | null {
    const byBroker = this.#topicQueueTable.get(topic);
    if (!byBroker || byBroker.size === 0) return null;
    const queueDatas = [...byBroker.values()].map((q) => ({ ...q }));
    const brokerDatas: BrokerData[] = [];
    const filterServerTable = new Map<string, string[]>();
    for (const brokerName of byBroker.keys()) {
      const brokerData = this.#brokerAddrTable.get(brokerName);
      if (!brokerData) continue;
      brokerDatas.push({ brokerAddrs: new Map(brokerData.brokerAddrs), brokerName: brokerData.brokerName, cluster: brokerData.cluster });
      for (const addr of brokerData.brokerAddrs.values()) {
        const servers = this.#filterServerTable.get(addr);
        if (servers) filterServerTable.set(addr, [...servers]);
      }
    }
    if (brokerDatas.length === 0) return null;
    return { brokerDatas, filterServerTable, queueDatas };
  }

  getClusterInfo(): { brokerAddrTable: Map<string, BrokerData>; clusterAddrTable: Map<string, string[]> } {
    const brokerAddrTable = new Map<string, BrokerData>();
    for (const [name, data] of this.#brokerAddrTable) brokerAddrTable.set(name, { ...data, brokerAddrs: new Map(data.brokerAddrs) });
    const clusterAddrTable = new Map<string, string[]>();
    for (const [cluster, names] of this.#clusterAddrTable) clusterAddrTable.set(cluster, [...names]);
    return { brokerAddrTable, clusterAddrTable };
  }

  getAllTopicList(): string[] {
    return [...this.#topicQueueTable.keys()];
  }

  getTopicsByCluster(clusterName: string): string[] {
    const names = this.#clusterAddrTable.get(clusterName);
    if (!names) return [];
    const topics: string[] = [];
    for (const [topic, byBroker] of this.#topicQueueTable) {
      if ([...byBroker.keys()].some((name) => names.has(name))) topics.push(topic);
    }
    return topics;
  }

  /** Cluster names and broker names (the broker-side "system" topics), plus one broker address to ask. */
  getSystemTopicList(): { topicList: string[]; brokerAddr: string | null } {
    const topics = new Set<string>();
    let brokerAddr: string | null = null;
    for (const [cluster, names] of this.#clusterAddrTable) {
      topics.add(cluster);
      for (const name of names) topics.add(name);
    }
    for (const data of this.#brokerAddrTable.values()) {
      for (const addr of data.brokerAddrs.values()) {
        brokerAddr ??= addr;
      }
    }
    return { topicList: [...topics], brokerAddr };
  }

  getUnitTopics(kind: 'unit' | 'unitSub' | 'unitSubNotUnit'): string[] {
    const topics: string[] = [];
    for (const [topic, byBroker] of this.#topicQueueTable) {
      const first = byBroker.values().next().value;
      if (!first) continue;
      const flag = first.topicSysFlag;
      const unit = (flag & TOPIC_SYS_FLAG_UNIT) !== 0;
      const unitSub = (flag & TOPIC_SYS_FLAG_UNIT_SUB) !== 0;
      if ((kind === 'unit' && unit) || (kind === 'unitSub' && unitSub) || (kind === 'unitSubNotUnit' && unitSub && !unit)) topics.push(topic);
    }
    return topics;
  }

  /** Clears (wipe) or restores (add) the write permission of every topic on a broker; returns the count. */
  updateWritePermOfBroker(brokerName: string, mode: 'wipe' | 'add'): number {
    let count = 0;
    for (const byBroker of this.#topicQueueTable.values()) {
      const queueData = byBroker.get(brokerName);
      if (!queueData) continue;
      queueData.perm = mode === 'wipe' ? queueData.perm & ~PERM_WRITE : queueData.perm | PERM_WRITE;
      count++;
    }
    return count;
  }

  liveBrokers(): BrokerLiveInfo[] {
    return [...this.#brokerLiveTable.values()].map((live) => ({ ...live }));
  }
}
