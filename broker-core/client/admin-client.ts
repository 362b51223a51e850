/**
 * The Admin client: every cluster operation the console and the CLI perform, over the RocketMQ protocol,
 * against any NameServer list (Rocketdeck or Apache RocketMQ). NameServer requests fail over along the list,
 * starting from the last one that answered.
 */
import { parseJavaJson } from '../protocol/fastjson';
import { createRequest, type ExtFieldsInput, type RemotingCommand } from '../protocol/remoting-command';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode, responseCodeName } from '../protocol/response-code';
import { RemotingClient } from '../remoting/remoting-client';
import { BrokerError, RemoteError, errorMessage } from '../util/errors';
import { silentLogger, type Logger } from '../util/logger';
import { aclRpcHook, type SessionCredentials } from '../acl/acl-signer';
import type { DataVersion, PlainAccessConfig } from '../acl/plain-acl-file';
import { makeSubscriptionGroupConfig, type SubscriptionGroupConfig } from '../broker/groups/subscription-group-manager';
import type { SubscriptionData } from '../broker/filter/subscription';
import { decodeTraceBody, TRACE_TOPIC, type TraceRecord } from './trace';
import { decodeMessages, type MessageExt } from './message';
import { nearlyTimeOf } from './message-id';

export interface AdminClientOptions {
  /** `host:port` NameServers, as a list or a `;`-separated string. */
  namesrvAddr: string[] | string;
  timeoutMs?: number;
  logger?: Logger;
  /** Share a client's connections (the producer and consumers do); not closed by close(). */
  remoting?: RemotingClient;
  /** An ACL account to sign every request with (ignored with `remoting`, which signs by itself). */
  credentials?: SessionCredentials;
}

export interface BrokerData {
  cluster: string;
  brokerName: string;
  /** brokerId → address; id 0 is the master. */
  brokerAddrs: Record<string, string>;
}

export interface ClusterInfo {
  brokerAddrTable: Record<string, BrokerData>;
  clusterAddrTable: Record<string, string[]>;
}

export interface NamesrvProbe {
  addr: string;
  reachable: boolean;
  latencyMs?: number;
  /** Broker names this NameServer has registered. */
  brokerNames?: string[];
  error?: string;
}

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

export interface TopicRouteData {
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  orderTopicConf?: string;
}

export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType?: string;
  topicSysFlag?: number;
  order?: boolean;
  /** 5.x attributes, e.g. {"+message.type": "FIFO"}. */
  attributes?: Record<string, string>;
}

export interface MessageQueueRef {
  topic: string;
  brokerName: string;
  queueId: number;
}

export interface TopicOffset {
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

export interface TopicStats {
  offsetTable: { queue: MessageQueueRef; offset: TopicOffset }[];
}

export interface ConsumeStats {
  consumeTps: number;
  offsetTable: { queue: MessageQueueRef; brokerOffset: number; consumerOffset: number; lastTimestamp: number }[];
}

export type { SubscriptionGroupConfig, SubscriptionData };

export interface ClientConnection {
  clientId: string;
  clientAddr: string;
  language: string;
  version: number;
  /** 'gRPC' for RocketMQ 5.x clients on a Rocketdeck gRPC endpoint (absent: a remoting client, or a broker that does not say). */
  protocol?: string;
  /** A gRPC client's own version text ("1.0.8"); `version` is then RocketMQ's V5_0_0. */
  clientVersion?: string;
}

export interface ConsumerConnection {
  connections: ClientConnection[];
  subscriptions: SubscriptionData[];
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
}

export interface ResetOffsetEntry {
  queue: MessageQueueRef;
  offset: number;
}

/** GET_BROKER_CONSUME_STATS: every group of one broker with its ConsumeStats (one per topic it has offsets on). */
export interface BrokerConsumeStats {
  brokerAddr: string;
  totalDiff: number;
  groups: Map<string, ConsumeStats[]>;
}

export interface QueueResetResult {
  queue: MessageQueueRef;
  offset: number;
  /** True when clients of the group were online and the broker pushed the new offset to them. */
  pushedToClients: boolean;
}

export interface ConsumeMessageDirectlyResult {
  order: boolean;
  autoCommit: boolean;
  consumeResult: string;
  remark?: string;
  spentTimeMills: number;
}

export interface QueryMessageOptions {
  maxNum?: number;
  beginTimestamp?: number;
  endTimestamp?: number;
}

export interface PullOnceResult {
  status: 'FOUND' | 'NO_NEW_MSG' | 'NO_MATCHED_MSG' | 'OFFSET_ILLEGAL';
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  messages: MessageExt[];
}

/** An account for UPDATE_AND_CREATE_ACL_CONFIG: absent fields keep the account's current values. */
export interface AclAccountUpdate {
  accessKey: string;
  secretKey?: string;
  whiteRemoteAddress?: string;
  admin?: boolean;
  defaultTopicPerm?: string;
  defaultGroupPerm?: string;
  /** `topic=PERM` entries. */
  topicPerms?: string[];
  /** `group=PERM` entries. */
  groupPerms?: string[];
}

/** GET_BROKER_CLUSTER_ACL_INFO (mqadmin clusterAclConfigVersion). */
export interface BrokerAclVersion {
  clusterName: string;
  brokerName: string;
  brokerAddr: string;
  version: DataVersion;
  /** ACL file path → its version. */
  allAclFileVersion: Record<string, DataVersion>;
}

/** GET_BROKER_CLUSTER_ACL_CONFIG (mqadmin getAclConfig); it carries the secret keys. */
export interface BrokerAclConfig {
  globalWhiteAddrs: string[];
  plainAccessConfigs: PlainAccessConfig[];
}

export const PERM_READ = 0x4;
export const PERM_WRITE = 0x2;

/** One window of VIEW_BROKER_STATS_DATA: messages in it, per second, and per call (avgpt). */
export interface BrokerStatsItem {
  sum: number;
  tps: number;
  avgpt: number;
}

/** RocketMQ's BrokerStatsData: one counter over the last minute, hour and day. */
export interface BrokerStatsData {
  statsMinute: BrokerStatsItem;
  statsHour: BrokerStatsItem;
  statsDay: BrokerStatsItem;
}
export const PERM_INHERIT = 0x1;

const DEFAULT_TIMEOUT_MS = 5_000;

function splitNamesrv(addr: string[] | string): string[] {
  const list = (Array.isArray(addr) ? addr : addr.split(';')).map((a) => a.trim()).filter(Boolean);
  if (list.length === 0) throw new BrokerError('BROKER_ERR_NO_NAMESRV', 'no NameServer address given (set NAMESRV_ADDR or pass -n host:port)');
  return list;
}

/** Java MessageQueue keys arrive as JSON text (fastjson object keys) or as parsed objects. */
function toQueueRef(key: unknown): MessageQueueRef {
  const value = (typeof key === 'string' ? JSON.parse(key) : key) as Record<string, unknown>;
  return { topic: String(value.topic), brokerName: String(value.brokerName), queueId: Number(value.queueId) };
}

function entriesOf(table: unknown): [unknown, unknown][] {
  if (table instanceof Map) return [...table.entries()];
  if (Array.isArray(table)) return table as [unknown, unknown][];
  if (table && typeof table === 'object') return Object.entries(table);
  return [];
}

export class AdminClient {
  readonly namesrvAddr: string[];
  readonly #timeoutMs: number;
  readonly #remoting: RemotingClient;
  readonly #ownsRemoting: boolean;
  #preferred = 0;

  constructor(options: AdminClientOptions) {
    this.namesrvAddr = splitNamesrv(options.namesrvAddr);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#ownsRemoting = options.remoting === undefined;
    this.#remoting = options.remoting ?? new RemotingClient({
      logger: options.logger ?? silentLogger,
      connectTimeoutMs: Math.min(3_000, this.#timeoutMs),
      ...(options.credentials ? { rpcHook: aclRpcHook(options.credentials) } : {}),
    });
  }

  async close(): Promise<void> {
    if (this.#ownsRemoting) await this.#remoting.close();
  }

  // ---------------------------------------------------------------- transport

  async #invoke(address: string, code: number, fields?: ExtFieldsInput, body?: Buffer, expect: number[] = [ResponseCode.SUCCESS], timeoutMs = this.#timeoutMs): Promise<RemotingCommand> {
    const response = await this.#remoting.invoke(address, createRequest(code, fields, body), timeoutMs);
    if (!expect.includes(response.code)) throw new RemoteError(response.code, response.remark ?? '', responseCodeName(response.code));
    return response;
  }

  /** A NameServer request, trying each NameServer once from the last good one. */
  async #namesrv(code: number, fields?: ExtFieldsInput, body?: Buffer, expect?: number[]): Promise<RemotingCommand> {
    let lastError: unknown;
    for (let i = 0; i < this.namesrvAddr.length; i++) {
      const index = (this.#preferred + i) % this.namesrvAddr.length;
      try {
        const response = await this.#invoke(this.namesrvAddr[index]!, code, fields, body, expect);
        this.#preferred = index;
        return response;
      } catch (err) {
        if (err instanceof RemoteError) throw err; // an answer, not an outage
        lastError = err;
      }
    }
    throw new BrokerError('BROKER_ERR_NO_NAMESRV', `no NameServer answered (${this.namesrvAddr.join(';')}): ${errorMessage(lastError)}`, { retriable: true, cause: lastError });
  }

  static #json<T>(response: RemotingCommand): T {
    if (!response.body || response.body.length === 0) return {} as T;
    return parseJavaJson(response.body.toString('utf8')) as T;
  }

  // ---------------------------------------------------------------- NameServer

  async getClusterInfo(): Promise<ClusterInfo> {
    return AdminClient.#clusterInfo(await this.#namesrv(RequestCode.GET_BROKER_CLUSTER_INFO));
  }

  /**
   * Every NameServer of the list asked on its own, without failover: which ones answer, how fast, and which
   * brokers each knows (a broker missing from one NameServer has a wrong namesrvAddr or cannot reach it).
   */
  async probeNamesrvs(): Promise<NamesrvProbe[]> {
    return Promise.all(this.namesrvAddr.map(async (addr): Promise<NamesrvProbe> => {
      const started = Date.now();
      try {
        const info = AdminClient.#clusterInfo(await this.#invoke(addr, RequestCode.GET_BROKER_CLUSTER_INFO));
        return { addr, reachable: true, latencyMs: Date.now() - started, brokerNames: Object.keys(info.brokerAddrTable).sort() };
      } catch (err) {
        return { addr, reachable: false, error: errorMessage(err) };
      }
    }));
  }

  static #clusterInfo(response: RemotingCommand): ClusterInfo {
    const raw = AdminClient.#json<{ brokerAddrTable?: unknown; clusterAddrTable?: unknown }>(response);
    const brokerAddrTable: Record<string, BrokerData> = {};
    for (const [name, data] of entriesOf(raw.brokerAddrTable)) {
      const d = data as { cluster?: string; brokerName?: string; brokerAddrs?: unknown };
      const addrs: Record<string, string> = {};
      for (const [id, addr] of entriesOf(d.brokerAddrs)) addrs[String(id)] = String(addr);
      brokerAddrTable[String(name)] = { cluster: String(d.cluster ?? ''), brokerName: String(d.brokerName ?? name), brokerAddrs: addrs };
    }
    const clusterAddrTable: Record<string, string[]> = {};
    for (const [cluster, names] of entriesOf(raw.clusterAddrTable)) clusterAddrTable[String(cluster)] = [...((names as string[]) ?? [])].map(String).sort();
    return { brokerAddrTable, clusterAddrTable };
  }

  async getTopicList(): Promise<string[]> {
    const raw = AdminClient.#json<{ topicList?: string[] }>(await this.#namesrv(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER));
    return [...(raw.topicList ?? [])].sort();
  }

  /** Route of a topic, or null when the NameServer knows no route for it. */
  async getTopicRoute(topic: string): Promise<TopicRouteData | null> {
    const response = await this.#namesrv(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }, undefined, [ResponseCode.SUCCESS, ResponseCode.TOPIC_NOT_EXIST]);
    if (response.code === ResponseCode.TOPIC_NOT_EXIST) return null;
    const raw = AdminClient.#json<{ queueDatas?: QueueData[]; brokerDatas?: { cluster: string; brokerName: string; brokerAddrs: unknown }[]; orderTopicConf?: string }>(response);
    return {
      queueDatas: (raw.queueDatas ?? []).map((q) => ({ brokerName: q.brokerName, readQueueNums: Number(q.readQueueNums), writeQueueNums: Number(q.writeQueueNums), perm: Number(q.perm), topicSysFlag: Number(q.topicSysFlag ?? 0) })),
      brokerDatas: (raw.brokerDatas ?? []).map((b) => {
        const addrs: Record<string, string> = {};
        for (const [id, addr] of entriesOf(b.brokerAddrs)) addrs[String(id)] = String(addr);
        return { cluster: b.cluster, brokerName: b.brokerName, brokerAddrs: addrs };
      }),
      ...(raw.orderTopicConf ? { orderTopicConf: raw.orderTopicConf } : {}),
    };
  }

  // ---------------------------------------------------------------- broker

  /** GET_BROKER_RUNTIME_INFO: the broker's runtime figures (all strings, as RocketMQ sends them). */
  async getBrokerRuntimeInfo(brokerAddr: string): Promise<Record<string, string>> {
    const raw = AdminClient.#json<{ table?: unknown }>(await this.#invoke(brokerAddr, RequestCode.GET_BROKER_RUNTIME_INFO));
    const table: Record<string, string> = {};
    for (const [k, v] of entriesOf(raw.table)) table[String(k)] = String(v);
    return table;
  }

  /**
   * VIEW_BROKER_STATS_DATA: one broker counter over the last minute, hour and day, as mqadmin statsAll reads it.
   * statsName TOPIC_PUT_NUMS (key: topic), GROUP_GET_NUMS (key: topic@group), BROKER_PUT_NUMS / BROKER_GET_NUMS
   * (key: cluster name); a RemoteError SYSTEM_ERROR "The stats <name> <key> not exist" when nothing was counted.
   */
  async viewBrokerStatsData(brokerAddr: string, statsName: string, statsKey: string): Promise<BrokerStatsData> {
    const raw = AdminClient.#json<Record<string, unknown>>(await this.#invoke(brokerAddr, RequestCode.VIEW_BROKER_STATS_DATA, { statsName, statsKey }));
    const item = (value: unknown): BrokerStatsItem => {
      const o = (value ?? {}) as Record<string, unknown>;
      return { sum: Number(o.sum ?? 0), tps: Number(o.tps ?? 0), avgpt: Number(o.avgpt ?? 0) };
    };
    return { statsMinute: item(raw.statsMinute), statsHour: item(raw.statsHour), statsDay: item(raw.statsDay) };
  }

  /** GET_BROKER_CONFIG: the broker's configuration (Java properties text, parsed). */
  async getBrokerConfig(brokerAddr: string): Promise<Record<string, string>> {
    const response = await this.#invoke(brokerAddr, RequestCode.GET_BROKER_CONFIG);
    const config: Record<string, string> = {};
    for (const line of (response.body?.toString('utf8') ?? '').split(/\r?\n/)) {
      const at = line.indexOf('=');
      if (at > 0 && !line.startsWith('#')) config[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    return config;
  }

  async getAllTopicConfig(brokerAddr: string): Promise<Record<string, TopicConfig>> {
    const raw = AdminClient.#json<{ topicConfigTable?: unknown }>(await this.#invoke(brokerAddr, RequestCode.GET_ALL_TOPIC_CONFIG));
    const out: Record<string, TopicConfig> = {};
    for (const [name, config] of entriesOf(raw.topicConfigTable)) out[String(name)] = config as TopicConfig;
    return out;
  }

  /**
   * GET_ALL_TOPIC_CONFIG asking for Rocketdeck's `topicMaxOffsetTable` (each topic's Σ queue max offsets) beside
   * the configs; `maxOffsets` is null from a broker that does not send it (RocketMQ ignores the field).
   */
  async getAllTopicConfigWithMaxOffsets(brokerAddr: string): Promise<{ configs: Record<string, TopicConfig>; maxOffsets: Map<string, number> | null }> {
    const raw = AdminClient.#json<{ topicConfigTable?: unknown; topicMaxOffsetTable?: unknown }>(await this.#invoke(brokerAddr, RequestCode.GET_ALL_TOPIC_CONFIG, { withMaxOffsets: true }));
    const configs: Record<string, TopicConfig> = {};
    for (const [name, config] of entriesOf(raw.topicConfigTable)) configs[String(name)] = config as TopicConfig;
    const maxOffsets = raw.topicMaxOffsetTable === undefined ? null : new Map(entriesOf(raw.topicMaxOffsetTable).map(([name, sum]) => [String(name), Number(sum)] as [string, number]));
    return { configs, maxOffsets };
  }

  /** UPDATE_AND_CREATE_TOPIC on one broker. */
  async createOrUpdateTopic(brokerAddr: string, config: TopicConfig): Promise<void> {
    await this.#invoke(brokerAddr, RequestCode.UPDATE_AND_CREATE_TOPIC, {
      topic: config.topicName,
      defaultTopic: 'TBW102',
      readQueueNums: config.readQueueNums,
      writeQueueNums: config.writeQueueNums,
      perm: config.perm,
      topicFilterType: config.topicFilterType ?? 'SINGLE_TAG',
      topicSysFlag: config.topicSysFlag ?? 0,
      order: config.order ?? false,
      ...(config.attributes && Object.keys(config.attributes).length > 0 ? { attributes: Object.entries(config.attributes).map(([k, v]) => (k.startsWith('-') ? k : `${k}=${v}`)).join(',') } : {}),
    });
  }

  async deleteTopicInBroker(brokerAddr: string, topic: string): Promise<void> {
    await this.#invoke(brokerAddr, RequestCode.DELETE_TOPIC_IN_BROKER, { topic });
  }

  async deleteTopicInNamesrv(topic: string): Promise<void> {
    await Promise.all(this.namesrvAddr.map((addr) => this.#invoke(addr, RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic }).catch(() => undefined)));
  }

  async getTopicStats(brokerAddr: string, topic: string): Promise<TopicStats> {
    const raw = AdminClient.#json<{ offsetTable?: unknown }>(await this.#invoke(brokerAddr, RequestCode.GET_TOPIC_STATS_INFO, { topic }));
    return {
      offsetTable: entriesOf(raw.offsetTable).map(([key, value]) => {
        const v = value as { minOffset?: number; maxOffset?: number; lastUpdateTimestamp?: number };
        return { queue: toQueueRef(key), offset: { minOffset: Number(v.minOffset ?? 0), maxOffset: Number(v.maxOffset ?? 0), lastUpdateTimestamp: Number(v.lastUpdateTimestamp ?? 0) } };
      }).sort((a, b) => a.queue.brokerName.localeCompare(b.queue.brokerName) || a.queue.queueId - b.queue.queueId),
    };
  }

  async getConsumeStats(brokerAddr: string, consumerGroup: string, topic?: string): Promise<ConsumeStats> {
    return toConsumeStats(AdminClient.#json(await this.#invoke(brokerAddr, RequestCode.GET_CONSUME_STATS, { consumerGroup, ...(topic ? { topic } : {}) })));
  }

  /** GET_BROKER_CONSUME_STATS (mqadmin brokerConsumeStats): one broker's groups and their offsets in one call. */
  async getBrokerConsumeStats(brokerAddr: string, isOrder = false): Promise<BrokerConsumeStats> {
    const raw = AdminClient.#json<{ brokerAddr?: string; totalDiff?: number; consumeStatsList?: unknown[] }>(
      await this.#invoke(brokerAddr, RequestCode.GET_BROKER_CONSUME_STATS, { isOrder }),
    );
    const groups = new Map<string, ConsumeStats[]>();
    for (const item of raw.consumeStatsList ?? []) {
      for (const [group, list] of entriesOf(item)) groups.set(String(group), ((list as unknown[]) ?? []).map(toConsumeStats));
    }
    return { brokerAddr: String(raw.brokerAddr ?? brokerAddr), totalDiff: Number(raw.totalDiff ?? 0), groups };
  }

  /** Every master broker address of every cluster (or of one), by broker name. */
  async masterAddresses(cluster?: string): Promise<Map<string, string>> {
    const info = await this.getClusterInfo();
    const names = cluster ? (info.clusterAddrTable[cluster] ?? []) : Object.keys(info.brokerAddrTable);
    const out = new Map<string, string>();
    for (const name of names) {
      const addr = info.brokerAddrTable[name]?.brokerAddrs['0'];
      if (addr) out.set(name, addr);
    }
    return out;
  }

  async getTopicConfig(brokerAddr: string, topic: string): Promise<TopicConfig | null> {
    const response = await this.#invoke(brokerAddr, RequestCode.GET_TOPIC_CONFIG, { topic }, undefined, [ResponseCode.SUCCESS, ResponseCode.TOPIC_NOT_EXIST]);
    if (response.code !== ResponseCode.SUCCESS) return null;
    const raw = AdminClient.#json<TopicConfig & { topicConfig?: TopicConfig }>(response);
    return raw.topicConfig ?? raw;
  }

  /** UPDATE_BROKER_CONFIG: the given keys only (the broker validates and persists them). */
  async updateBrokerConfig(brokerAddr: string, properties: Record<string, string>): Promise<void> {
    const text = Object.entries(properties).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
    await this.#invoke(brokerAddr, RequestCode.UPDATE_BROKER_CONFIG, undefined, Buffer.from(text, 'utf8'));
  }

  // ---------------------------------------------------------------- groups and connections

  /** GET_CONSUMER_CONNECTION_LIST; null when no client of the group is online (CONSUMER_NOT_ONLINE). */
  async getConsumerConnectionList(brokerAddr: string, consumerGroup: string): Promise<ConsumerConnection | null> {
    const response = await this.#invoke(brokerAddr, RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup }, undefined, [ResponseCode.SUCCESS, ResponseCode.CONSUMER_NOT_ONLINE]);
    if (response.code !== ResponseCode.SUCCESS) return null;
    const raw = AdminClient.#json<{ connectionSet?: ClientConnection[]; subscriptionTable?: unknown; consumeType?: string; messageModel?: string; consumeFromWhere?: string }>(response);
    return {
      connections: (raw.connectionSet ?? []).map(toConnection).sort((a, b) => a.clientId.localeCompare(b.clientId)),
      subscriptions: entriesOf(raw.subscriptionTable).map(([, sd]) => toSubscriptionData(sd)),
      consumeType: String(raw.consumeType ?? ''),
      messageModel: String(raw.messageModel ?? ''),
      consumeFromWhere: String(raw.consumeFromWhere ?? ''),
    };
  }

  /** GET_PRODUCER_CONNECTION_LIST; empty when no producer of the group is connected to that broker. */
  async getProducerConnectionList(brokerAddr: string, producerGroup: string): Promise<ClientConnection[]> {
    const response = await this.#invoke(brokerAddr, RequestCode.GET_PRODUCER_CONNECTION_LIST, { producerGroup }, undefined, [ResponseCode.SUCCESS, ResponseCode.SYSTEM_ERROR]);
    if (response.code !== ResponseCode.SUCCESS) return [];
    return (AdminClient.#json<{ connectionSet?: ClientConnection[] }>(response).connectionSet ?? []).map(toConnection);
  }

  /** Producer connections of a group over every broker of a topic's route (what Dashboard's Producer page shows). */
  async examineProducerConnections(topic: string, producerGroup: string): Promise<ClientConnection[]> {
    const seen = new Map<string, ClientConnection>();
    for (const addr of await this.#routeMasters(topic)) {
      for (const c of await this.getProducerConnectionList(addr, producerGroup)) seen.set(`${c.clientId}|${c.clientAddr}`, c);
    }
    return [...seen.values()].sort((a, b) => a.clientId.localeCompare(b.clientId));
  }

  /** Consumer connections of a group, from the brokers of its retry topic (any master as a fallback). */
  async examineConsumerConnection(consumerGroup: string): Promise<ConsumerConnection | null> {
    for (const addr of await this.#groupBrokers(consumerGroup)) {
      const connection = await this.getConsumerConnectionList(addr, consumerGroup).catch(() => null);
      if (connection) return connection;
    }
    return null;
  }

  async getConsumerIdList(brokerAddr: string, consumerGroup: string): Promise<string[]> {
    const response = await this.#invoke(brokerAddr, RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup }, undefined, [ResponseCode.SUCCESS, ResponseCode.SYSTEM_ERROR]);
    if (response.code !== ResponseCode.SUCCESS) return [];
    return [...(AdminClient.#json<{ consumerIdList?: string[] }>(response).consumerIdList ?? [])].map(String).sort();
  }

  async createOrUpdateSubscriptionGroup(brokerAddr: string, config: Partial<SubscriptionGroupConfig> & { groupName: string }): Promise<void> {
    const body = makeSubscriptionGroupConfig(config.groupName, config);
    await this.#invoke(brokerAddr, RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, undefined, Buffer.from(JSON.stringify(body), 'utf8'));
  }

  async getSubscriptionGroupConfig(brokerAddr: string, group: string): Promise<SubscriptionGroupConfig | null> {
    const response = await this.#invoke(brokerAddr, RequestCode.GET_SUBSCRIPTIONGROUP_CONFIG, { group }, undefined, [ResponseCode.SUCCESS, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, ResponseCode.SYSTEM_ERROR]);
    if (response.code !== ResponseCode.SUCCESS || !response.body?.length) return null;
    return AdminClient.#json<SubscriptionGroupConfig>(response);
  }

  async getAllSubscriptionGroupConfig(brokerAddr: string): Promise<Record<string, SubscriptionGroupConfig>> {
    const raw = AdminClient.#json<{ subscriptionGroupTable?: unknown }>(await this.#invoke(brokerAddr, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG));
    const out: Record<string, SubscriptionGroupConfig> = {};
    for (const [name, config] of entriesOf(raw.subscriptionGroupTable)) out[String(name)] = config as SubscriptionGroupConfig;
    return out;
  }

  async deleteSubscriptionGroup(brokerAddr: string, groupName: string, cleanOffset = false): Promise<void> {
    await this.#invoke(brokerAddr, RequestCode.DELETE_SUBSCRIPTIONGROUP, { groupName, cleanOffset });
  }

  /** Every consumer group known to any master broker (subscription group configs), with the brokers that have it. */
  async getAllConsumerGroups(): Promise<Map<string, { brokers: string[]; config: SubscriptionGroupConfig }>> {
    const out = new Map<string, { brokers: string[]; config: SubscriptionGroupConfig }>();
    const masters = await this.masterAddresses();
    const tables = await Promise.all([...masters].map(async ([name, addr]) => [name, await this.getAllSubscriptionGroupConfig(addr)] as const));
    for (const [brokerName, table] of tables) {
      for (const [group, config] of Object.entries(table)) {
        const entry = out.get(group) ?? { brokers: [], config };
        entry.brokers.push(brokerName);
        out.set(group, entry);
      }
    }
    return out;
  }

  /** Consume stats of a group merged over the brokers of its retry topic (every master when it has none). */
  async examineConsumeStats(consumerGroup: string, topic?: string): Promise<ConsumeStats> {
    const merged: ConsumeStats = { consumeTps: 0, offsetTable: [] };
    for (const addr of await this.#groupBrokers(consumerGroup)) {
      const stats = await this.getConsumeStats(addr, consumerGroup, topic).catch((err: unknown) => {
        if (err instanceof RemoteError) return null; // group unknown on that broker
        throw err;
      });
      if (!stats) continue;
      merged.consumeTps += stats.consumeTps;
      merged.offsetTable.push(...stats.offsetTable);
    }
    merged.offsetTable.sort((a, b) => a.queue.topic.localeCompare(b.queue.topic) || a.queue.brokerName.localeCompare(b.queue.brokerName) || a.queue.queueId - b.queue.queueId);
    return merged;
  }

  /** Topic stats merged over the brokers of the topic's route. */
  async examineTopicStats(topic: string): Promise<TopicStats> {
    const merged: TopicStats = { offsetTable: [] };
    for (const addr of await this.#routeMasters(topic)) merged.offsetTable.push(...(await this.getTopicStats(addr, topic)).offsetTable);
    merged.offsetTable.sort((a, b) => a.queue.brokerName.localeCompare(b.queue.brokerName) || a.queue.queueId - b.queue.queueId);
    return merged;
  }

  /** QUERY_TOPIC_CONSUME_BY_WHO over the topic's brokers: groups online on it or with offsets in it. */
  async queryTopicConsumeByWho(topic: string): Promise<string[]> {
    const groups = new Set<string>();
    for (const addr of await this.#routeMasters(topic)) {
      const raw = AdminClient.#json<{ groupList?: string[] }>(await this.#invoke(addr, RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic }));
      for (const g of raw.groupList ?? []) groups.add(String(g));
    }
    return [...groups].sort();
  }

  /** GET_CONSUMER_RUNNING_INFO, forwarded by a broker to that client; the client's JSON as parsed. */
  async getConsumerRunningInfo(consumerGroup: string, clientId: string, jstack = false): Promise<Record<string, unknown>> {
    let lastError: unknown = new BrokerError('BROKER_ERR_NO_ROUTE', `no broker knows consumer group ${consumerGroup}`);
    for (const addr of await this.#groupBrokers(consumerGroup)) {
      try {
        return AdminClient.#json<Record<string, unknown>>(await this.#invoke(addr, RequestCode.GET_CONSUMER_RUNNING_INFO, { consumerGroup, clientId, jstackEnable: jstack }));
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  // ---------------------------------------------------------------- offsets

  async queryConsumerOffset(brokerAddr: string, consumerGroup: string, topic: string, queueId: number): Promise<number> {
    const response = await this.#invoke(brokerAddr, RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup, topic, queueId }, undefined, [ResponseCode.SUCCESS, ResponseCode.QUERY_NOT_FOUND]);
    return response.code === ResponseCode.SUCCESS ? Number(response.extFields?.offset ?? -1) : -1;
  }

  async updateConsumerOffset(brokerAddr: string, consumerGroup: string, topic: string, queueId: number, commitOffset: number): Promise<void> {
    await this.#invoke(brokerAddr, RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup, topic, queueId, commitOffset });
  }

  async maxOffset(brokerAddr: string, topic: string, queueId: number): Promise<number> {
    return Number((await this.#invoke(brokerAddr, RequestCode.GET_MAX_OFFSET, { topic, queueId })).extFields?.offset ?? 0);
  }

  async minOffset(brokerAddr: string, topic: string, queueId: number): Promise<number> {
    return Number((await this.#invoke(brokerAddr, RequestCode.GET_MIN_OFFSET, { topic, queueId })).extFields?.offset ?? 0);
  }

  async searchOffset(brokerAddr: string, topic: string, queueId: number, timestamp: number): Promise<number> {
    return Number((await this.#invoke(brokerAddr, RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, { topic, queueId, timestamp })).extFields?.offset ?? 0);
  }

  /**
   * Resets a group's offsets on a topic to the first message stored at or after `timestamp` (−1 = the end,
   * which skips everything accumulated). Online groups: INVOKE_BROKER_TO_RESET_OFFSET, which also tells the
   * clients. Offline groups (CONSUMER_NOT_ONLINE): the offsets are searched and committed from here.
   * With `force` false an offset only moves when the new one is lower, as in RocketMQ.
   */
  async resetOffsetByTimestamp(topic: string, group: string, timestamp: number, force = true): Promise<ResetOffsetEntry[]> {
    const route = await this.getTopicRoute(topic);
    if (!route) throw new RemoteError(ResponseCode.TOPIC_NOT_EXIST, `topic ${topic} has no route`, 'TOPIC_NOT_EXIST');
    const out: ResetOffsetEntry[] = [];
    for (const qd of route.queueDatas) {
      const addr = route.brokerDatas.find((b) => b.brokerName === qd.brokerName)?.brokerAddrs['0'];
      if (!addr) continue;
      const response = await this.#invoke(addr, RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, { topic, group, timestamp, isForce: force }, undefined, [ResponseCode.SUCCESS, ResponseCode.CONSUMER_NOT_ONLINE]);
      if (response.code === ResponseCode.SUCCESS) {
        const raw = AdminClient.#json<{ offsetTable?: unknown }>(response);
        for (const [key, value] of entriesOf(raw.offsetTable)) out.push({ queue: toQueueRef(key), offset: Number(value) });
        continue;
      }
      for (let queueId = 0; queueId < qd.readQueueNums; queueId++) {
        const current = await this.queryConsumerOffset(addr, group, topic, queueId);
        let target = timestamp === -1 ? await this.maxOffset(addr, topic, queueId) : await this.searchOffset(addr, topic, queueId, timestamp);
        if (!force && current >= 0 && target >= current) target = current;
        await this.updateConsumerOffset(addr, group, topic, queueId, target);
        out.push({ queue: { topic, brokerName: qd.brokerName, queueId }, offset: target });
      }
    }
    return out.sort((a, b) => a.queue.brokerName.localeCompare(b.queue.brokerName) || a.queue.queueId - b.queue.queueId);
  }

  /** Skip accumulated messages: every queue of the topic to its max offset. */
  skipAccumulatedMessages(topic: string, group: string): Promise<ResetOffsetEntry[]> {
    return this.resetOffsetByTimestamp(topic, group, -1, true);
  }

  /**
   * Sets a group's offset on each given queue exactly, RocketMQ 5.x's resetOffsetByQueueId: UPDATE_CONSUMER_OFFSET
   * on the queue's master (what an offline group reads when it starts), then INVOKE_BROKER_TO_RESET_OFFSET with
   * queueId and offset, which has the broker push the offset to online clients in RESET_CONSUMER_CLIENT_OFFSET —
   * without that push a live consumer's next commit would put its own offset back. timestamp −1 with isForce
   * false is sent beside them: a broker that ignores queueId (RocketMQ 4.x) then pushes every queue's committed
   * offset, which for this queue is the one just written. CONSUMER_NOT_ONLINE is an answer, not a failure.
   */
  async resetQueueOffsets(consumerGroup: string, entries: ResetOffsetEntry[]): Promise<QueueResetResult[]> {
    const masters = await this.masterAddresses();
    const planned: { entry: ResetOffsetEntry; addr: string }[] = [];
    // Every queue is checked before anything is written.
    for (const entry of entries) {
      const { queue, offset } = entry;
      const addr = masters.get(queue.brokerName);
      if (!addr) throw new BrokerError('BROKER_ERR_NO_ROUTE', `broker ${queue.brokerName} has no master registered`);
      const [min, max] = await Promise.all([this.minOffset(addr, queue.topic, queue.queueId), this.maxOffset(addr, queue.topic, queue.queueId)]);
      if (!Number.isSafeInteger(offset) || offset < min || offset > max) {
        throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `offset ${offset} is outside queue ${queue.brokerName}:${queue.queueId} of ${queue.topic} (${min} to ${max})`);
      }
      planned.push({ entry, addr });
    }
    // Every commit before the first push: a RocketMQ 4.x broker pushes the whole committed table each time, and a
    // client that applies a push commits what it was told, so a push sent between two commits would carry (and
    // have the client write back) the old offset of a queue not yet committed.
    for (const { entry, addr } of planned) await this.updateConsumerOffset(addr, consumerGroup, entry.queue.topic, entry.queue.queueId, entry.offset);
    const out: QueueResetResult[] = [];
    for (const { entry, addr } of planned) {
      const { queue, offset } = entry;
      const response = await this.#invoke(
        addr, RequestCode.INVOKE_BROKER_TO_RESET_OFFSET,
        { topic: queue.topic, group: consumerGroup, timestamp: -1, isForce: false, queueId: queue.queueId, offset },
        undefined, [ResponseCode.SUCCESS, ResponseCode.CONSUMER_NOT_ONLINE],
      );
      out.push({ queue, offset, pushedToClients: response.code === ResponseCode.SUCCESS });
    }
    return out;
  }

  // ---------------------------------------------------------------- messages

  /** QUERY_MESSAGE by key on every broker of the topic, newest first. */
  async queryMessageByKey(topic: string, key: string, options: QueryMessageOptions = {}): Promise<MessageExt[]> {
    const found = await this.#queryMessage(topic, key, false, options);
    return found.sort((a, b) => b.storeTimestamp - a.storeTimestamp).slice(0, options.maxNum ?? 64);
  }

  /** QUERY_MESSAGE by UNIQ_KEY (the Java client's msgId); the newest copy when a retry stored it again. */
  async queryMessageByUniqKey(topic: string, uniqKey: string): Promise<MessageExt | null> {
    const around = nearlyTimeOf(uniqKey);
    const options = around === null ? {} : { beginTimestamp: Math.max(0, around - 24 * 3600_000), endTimestamp: Number.MAX_SAFE_INTEGER };
    let found = await this.#queryMessage(topic, uniqKey, true, options);
    if (found.length === 0 && around !== null) found = await this.#queryMessage(topic, uniqKey, true, {});
    const exact = found.filter((m) => m.msgId === uniqKey).sort((a, b) => b.storeTimestamp - a.storeTimestamp);
    return exact[0] ?? null;
  }

  /**
   * The trace records of one message (the client's msgId): trace messages are keyed by the msgIds they
   * carry, so this is a key query on the trace topic, decoded and kept to that msgId, oldest first.
   */
  async queryTrace(msgId: string, traceTopic = TRACE_TOPIC): Promise<TraceRecord[]> {
    const route = await this.getTopicRoute(traceTopic);
    if (!route) return [];
    const messages = await this.queryMessageByKey(traceTopic, msgId, { maxNum: 64 });
    const records = messages.flatMap((m) => decodeTraceBody(m.body.toString('utf8'))).filter((r) => r.msgId === msgId);
    const order = { Pub: 0, EndTransaction: 1, SubBefore: 2, SubAfter: 3 } as const;
    return records.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0) || order[a.type] - order[b.type]);
  }

  /** VIEW_MESSAGE_BY_ID at a broker address for a commit log offset. */
  async viewMessageAt(brokerAddr: string, commitLogOffset: number): Promise<MessageExt | null> {
    const response = await this.#invoke(brokerAddr, RequestCode.VIEW_MESSAGE_BY_ID, { offset: commitLogOffset }, undefined, [ResponseCode.SUCCESS, ResponseCode.SYSTEM_ERROR]);
    if (response.code !== ResponseCode.SUCCESS || !response.body) return null;
    return decodeMessages(response.body)[0] ?? null;
  }

  /**
   * One message by id: the UNIQ_KEY query on the topic first (when a topic is given), then the id read as an
   * offsetMsgId — only when it names a broker of this cluster, so an arbitrary id never opens a connection
   * to an arbitrary address.
   */
  async viewMessage(msgId: string, topic?: string): Promise<MessageExt | null> {
    const id = msgId.trim().toUpperCase();
    if (!/^[0-9A-F]{32}$|^[0-9A-F]{56}$/.test(id)) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `"${msgId}" is not a message id (32 or 56 hex characters)`);
    if (topic) {
      const byKey = await this.queryMessageByUniqKey(topic, id);
      if (byKey) return byKey;
    }
    const decoded = decodeOffsetMsgId(id);
    if (!decoded) return null;
    const info = await this.getClusterInfo();
    const known = Object.values(info.brokerAddrTable).some((b) => Object.values(b.brokerAddrs).includes(decoded.address));
    if (!known) return null;
    const message = await this.viewMessageAt(decoded.address, decoded.commitLogOffset);
    return message && (!topic || message.topic === topic || message.properties.RETRY_TOPIC === topic) ? message : null;
  }

  /** CONSUME_MESSAGE_DIRECTLY: asks one client of a group to consume a stored message again, and how it went. */
  async consumeMessageDirectly(consumerGroup: string, clientId: string, topic: string, msgId: string): Promise<ConsumeMessageDirectlyResult> {
    const message = await this.viewMessage(msgId, topic);
    if (!message) throw new RemoteError(ResponseCode.QUERY_NOT_FOUND, `message ${msgId} not found in topic ${topic}`, 'QUERY_NOT_FOUND');
    const storeAddr = `${message.storeHost.address}:${message.storeHost.port}`;
    const info = await this.getClusterInfo();
    const brokerName = Object.values(info.brokerAddrTable).find((b) => Object.values(b.brokerAddrs).includes(storeAddr))?.brokerName ?? '';
    const response = await this.#invoke(storeAddr, RequestCode.CONSUME_MESSAGE_DIRECTLY, { consumerGroup, clientId, msgId: message.offsetMsgId, brokerName, topic });
    const raw = AdminClient.#json<Partial<ConsumeMessageDirectlyResult>>(response);
    return { order: Boolean(raw.order), autoCommit: raw.autoCommit !== false, consumeResult: String(raw.consumeResult ?? ''), ...(raw.remark ? { remark: String(raw.remark) } : {}), spentTimeMills: Number(raw.spentTimeMills ?? 0) };
  }

  /**
   * One PULL_MESSAGE that never commits an offset (what the console's message browser and live tail use).
   * `suspendMs` > 0 lets the broker hold it until a message arrives (long polling); 0 answers at once.
   */
  async pullOnce(brokerAddr: string, request: { consumerGroup: string; topic: string; queueId: number; offset: number; maxNums: number; subscription?: string; suspendMs?: number }): Promise<PullOnceResult> {
    const suspendMs = Math.max(0, request.suspendMs ?? 0);
    const response = await this.#invoke(brokerAddr, RequestCode.PULL_MESSAGE, {
      consumerGroup: request.consumerGroup,
      topic: request.topic,
      queueId: request.queueId,
      queueOffset: request.offset,
      maxMsgNums: request.maxNums,
      sysFlag: 0x4 | (suspendMs > 0 ? 0x2 : 0),
      commitOffset: 0,
      suspendTimeoutMillis: suspendMs,
      subscription: request.subscription ?? '*',
      subVersion: 0,
      expressionType: 'TAG',
    }, undefined, [ResponseCode.SUCCESS, ResponseCode.PULL_NOT_FOUND, ResponseCode.PULL_RETRY_IMMEDIATELY, ResponseCode.PULL_OFFSET_MOVED], suspendMs + this.#timeoutMs);
    const ext = response.extFields ?? {};
    const status = response.code === ResponseCode.SUCCESS ? 'FOUND' : response.code === ResponseCode.PULL_NOT_FOUND ? 'NO_NEW_MSG' : response.code === ResponseCode.PULL_RETRY_IMMEDIATELY ? 'NO_MATCHED_MSG' : 'OFFSET_ILLEGAL';
    return {
      status,
      nextBeginOffset: Number(ext.nextBeginOffset ?? request.offset),
      minOffset: Number(ext.minOffset ?? 0),
      maxOffset: Number(ext.maxOffset ?? 0),
      messages: status === 'FOUND' && response.body ? decodeMessages(response.body) : [],
    };
  }

  async #queryMessage(topic: string, key: string, uniqueKeyQuery: boolean, options: QueryMessageOptions): Promise<MessageExt[]> {
    const fields: ExtFieldsInput = {
      topic,
      key,
      maxNum: options.maxNum ?? 64,
      beginTimestamp: options.beginTimestamp ?? 0,
      endTimestamp: options.endTimestamp ?? Number.MAX_SAFE_INTEGER,
      ...(uniqueKeyQuery ? { _UNIQUE_KEY_QUERY: 'true' } : {}),
    };
    const out: MessageExt[] = [];
    for (const addr of await this.#routeMasters(topic)) {
      const response = await this.#invoke(addr, RequestCode.QUERY_MESSAGE, fields, undefined, [ResponseCode.SUCCESS, ResponseCode.QUERY_NOT_FOUND]);
      if (response.code !== ResponseCode.SUCCESS || !response.body) continue;
      for (const message of decodeMessages(response.body)) {
        const matches = uniqueKeyQuery ? message.msgId === key : message.keys.includes(key);
        if (matches) out.push(message);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- ACL (the broker needs aclEnable)

  /** UPDATE_AND_CREATE_ACL_CONFIG on one broker (mqadmin updateAclConfig). */
  async updateAclConfig(brokerAddr: string, account: AclAccountUpdate): Promise<void> {
    await this.#invoke(brokerAddr, RequestCode.UPDATE_AND_CREATE_ACL_CONFIG, {
      accessKey: account.accessKey,
      secretKey: account.secretKey,
      whiteRemoteAddress: account.whiteRemoteAddress,
      admin: account.admin ?? false,
      defaultTopicPerm: account.defaultTopicPerm,
      defaultGroupPerm: account.defaultGroupPerm,
      topicPerms: account.topicPerms?.join(','),
      groupPerms: account.groupPerms?.join(','),
    });
  }

  /** DELETE_ACL_CONFIG on one broker (mqadmin deleteAclConfig). */
  async deleteAclConfig(brokerAddr: string, accessKey: string): Promise<void> {
    await this.#invoke(brokerAddr, RequestCode.DELETE_ACL_CONFIG, { accessKey });
  }

  /** UPDATE_GLOBAL_WHITE_ADDRS_CONFIG on one broker (mqadmin updateGlobalWhiteAddr). */
  async updateGlobalWhiteAddrs(brokerAddr: string, patterns: string[], aclFileFullPath?: string): Promise<void> {
    await this.#invoke(brokerAddr, RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG, { globalWhiteAddrs: patterns.join(','), aclFileFullPath });
  }

  async getBrokerAclVersion(brokerAddr: string): Promise<BrokerAclVersion> {
    const ext = (await this.#invoke(brokerAddr, RequestCode.GET_BROKER_CLUSTER_ACL_INFO)).extFields ?? {};
    const version = (text: unknown): DataVersion => {
      const raw = (typeof text === 'string' ? parseJavaJson(text) : text) as Partial<DataVersion> | null;
      return { counter: Number(raw?.counter ?? 0), timestamp: Number(raw?.timestamp ?? 0) };
    };
    const all: Record<string, DataVersion> = {};
    for (const [file, v] of entriesOf(ext.allAclFileVersion ? parseJavaJson(ext.allAclFileVersion) : {})) all[String(file)] = version(v);
    return { clusterName: ext.clusterName ?? '', brokerName: ext.brokerName ?? '', brokerAddr: ext.brokerAddr ?? brokerAddr, version: version(ext.version ?? '{}'), allAclFileVersion: all };
  }

  async getBrokerAclConfig(brokerAddr: string): Promise<BrokerAclConfig> {
    const raw = AdminClient.#json<{ globalWhiteAddrs?: string[]; plainAccessConfigs?: Partial<PlainAccessConfig>[] }>(await this.#invoke(brokerAddr, RequestCode.GET_BROKER_CLUSTER_ACL_CONFIG));
    return {
      globalWhiteAddrs: [...(raw.globalWhiteAddrs ?? [])].map(String),
      plainAccessConfigs: (raw.plainAccessConfigs ?? []).map((c) => ({
        accessKey: String(c.accessKey ?? ''),
        secretKey: String(c.secretKey ?? ''),
        whiteRemoteAddress: c.whiteRemoteAddress ?? null,
        admin: Boolean(c.admin),
        defaultTopicPerm: c.defaultTopicPerm ?? null,
        defaultGroupPerm: c.defaultGroupPerm ?? null,
        topicPerms: [...(c.topicPerms ?? [])].map(String),
        groupPerms: [...(c.groupPerms ?? [])].map(String),
      })),
    };
  }

  // ---------------------------------------------------------------- helpers

  /** Master addresses of the brokers in a topic's route (empty when it has none). */
  async #routeMasters(topic: string): Promise<string[]> {
    const route = await this.getTopicRoute(topic);
    if (!route) throw new RemoteError(ResponseCode.TOPIC_NOT_EXIST, `No topic route info in name server for the topic: ${topic}`, 'TOPIC_NOT_EXIST');
    return route.brokerDatas.map((b) => b.brokerAddrs['0']).filter((a): a is string => Boolean(a));
  }

  /** Brokers that serve a consumer group: those of %RETRY%group when routed, else every master. */
  async #groupBrokers(consumerGroup: string): Promise<string[]> {
    const route = await this.getTopicRoute(`%RETRY%${consumerGroup}`).catch(() => null);
    const fromRoute = route?.brokerDatas.map((b) => b.brokerAddrs['0']).filter((a): a is string => Boolean(a)) ?? [];
    return fromRoute.length > 0 ? fromRoute : [...(await this.masterAddresses()).values()];
  }
}

function toConsumeStats(value: unknown): ConsumeStats {
  const raw = (value ?? {}) as { consumeTps?: number; offsetTable?: unknown };
  return {
    consumeTps: Number(raw.consumeTps ?? 0),
    offsetTable: entriesOf(raw.offsetTable).map(([key, entry]) => {
      const v = entry as { brokerOffset?: number; consumerOffset?: number; lastTimestamp?: number };
      return { queue: toQueueRef(key), brokerOffset: Number(v.brokerOffset ?? 0), consumerOffset: Number(v.consumerOffset ?? 0), lastTimestamp: Number(v.lastTimestamp ?? 0) };
    }),
  };
}

function toConnection(raw: Partial<ClientConnection>): ClientConnection {
  const connection: ClientConnection = { clientId: String(raw.clientId ?? ''), clientAddr: String(raw.clientAddr ?? ''), language: String(raw.language ?? ''), version: Number(raw.version ?? 0) };
  if (typeof raw.protocol === 'string' && raw.protocol) connection.protocol = raw.protocol;
  if (typeof raw.clientVersion === 'string' && raw.clientVersion) connection.clientVersion = raw.clientVersion;
  return connection;
}

function toSubscriptionData(raw: unknown): SubscriptionData {
  const sd = (raw ?? {}) as Partial<SubscriptionData>;
  return {
    topic: String(sd.topic ?? ''),
    subString: String(sd.subString ?? '*'),
    tagsSet: [...(sd.tagsSet ?? [])].map(String),
    codeSet: [...(sd.codeSet ?? [])].map(Number),
    subVersion: Number(sd.subVersion ?? 0),
    expressionType: String(sd.expressionType ?? 'TAG'),
  };
}

/** Reads an IPv4 offsetMsgId (store host + commit log offset); null when it cannot be one. */
export function decodeOffsetMsgId(id: string): { address: string; commitLogOffset: number } | null {
  if (!/^[0-9A-Fa-f]{32}$/.test(id)) return null;
  const buf = Buffer.from(id, 'hex');
  const port = buf.readInt32BE(4);
  if (port <= 0 || port > 65535) return null;
  const offset = buf.readBigInt64BE(8);
  if (offset < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return { address: `${buf[0]}.${buf[1]}.${buf[2]}.${buf[3]}:${port}`, commitLogOffset: Number(offset) };
}
