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

export interface AdminClientOptions {
  /** `host:port` NameServers, as a list or a `;`-separated string. */
  namesrvAddr: string[] | string;
  timeoutMs?: number;
  logger?: Logger;
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

export const PERM_READ = 0x4;
export const PERM_WRITE = 0x2;
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
  #preferred = 0;

  constructor(options: AdminClientOptions) {
    this.namesrvAddr = splitNamesrv(options.namesrvAddr);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#remoting = new RemotingClient({ logger: options.logger ?? silentLogger, connectTimeoutMs: Math.min(3_000, this.#timeoutMs) });
  }

  async close(): Promise<void> {
    await this.#remoting.close();
  }

  // ---------------------------------------------------------------- transport

  async #invoke(address: string, code: number, fields?: ExtFieldsInput, body?: Buffer, expect: number[] = [ResponseCode.SUCCESS]): Promise<RemotingCommand> {
    const response = await this.#remoting.invoke(address, createRequest(code, fields, body), this.#timeoutMs);
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
    const raw = AdminClient.#json<{ brokerAddrTable?: unknown; clusterAddrTable?: unknown }>(await this.#namesrv(RequestCode.GET_BROKER_CLUSTER_INFO));
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
      ...(config.attributes && Object.keys(config.attributes).length > 0 ? { attributes: Object.entries(config.attributes).map(([k, v]) => `${k}=${v}`).join(',') } : {}),
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
    const raw = AdminClient.#json<{ consumeTps?: number; offsetTable?: unknown }>(
      await this.#invoke(brokerAddr, RequestCode.GET_CONSUME_STATS, { consumerGroup, ...(topic ? { topic } : {}) }),
    );
    return {
      consumeTps: Number(raw.consumeTps ?? 0),
      offsetTable: entriesOf(raw.offsetTable).map(([key, value]) => {
        const v = value as { brokerOffset?: number; consumerOffset?: number; lastTimestamp?: number };
        return { queue: toQueueRef(key), brokerOffset: Number(v.brokerOffset ?? 0), consumerOffset: Number(v.consumerOffset ?? 0), lastTimestamp: Number(v.lastTimestamp ?? 0) };
      }),
    };
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
}
