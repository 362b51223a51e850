/**
 * The NameServer: brokers register their topics here every 30 s; producers, consumers and admin tools ask
 * it where topics live. One processor per request code (the table in #registerProcessors); the routing
 * rules live in RouteInfoManager. Route and cluster bodies are written the way RocketMQ 4.9.x writes them,
 * because clients parse them with different JSON parsers (see protocol.md §3.3):
 *  - GET_BROKER_CLUSTER_INFO: brokerAddrs with bare numeric keys ({0:"ip:port"}), always;
 *  - GET_ROUTEINFO_BY_TOPIC: quoted keys for clients of version ≥ 401 (Java 4.9.4+) or acceptStandardJsonOnly,
 *    bare keys for older clients such as ali-ons (version 121).
 */
import zlib from 'node:zlib';
import { NAMESRV_SCAN_INTERVAL_MS, SYSTEM_TOPIC_NAME_CHARS_MAX, TOPIC_QUEUE_NUMS_MAX } from '../config/limits';
import { parseJavaJson, stringifyJavaJson } from '../protocol/fastjson';
import { createResponse, type RemotingCommand } from '../protocol/remoting-command';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { RemotingServer, type RemotingConnection } from '../remoting/remoting-server';
import { Header } from '../broker/processors/header';
import { integerOf, objectOf, objectsOf, textOf, textsOf } from '../protocol/json-shape';
import { silentLogger, type Logger } from '../util/logger';
import { KvConfigManager, NAMESPACE_ORDER_TOPIC_CONFIG } from './kv-config-manager';
import { RouteInfoManager, type DataVersion, type QueueData, type TopicConfigLike, type TopicRouteData } from './route-info-manager';

/** Java client version ordinal of 4.9.4; from it on clients get standard JSON routes. */
const VERSION_STANDARD_JSON_ROUTE = 401;

export interface NamesrvOptions {
  port: number;
  host?: string;
  logger?: Logger;
  /** Clock for broker liveness (tests inject one). */
  now?: () => number;
  brokerExpiredMs?: number;
  /** How often silent brokers are looked for; 0 disables the timer (tests call scanNotActiveBrokers()). */
  scanIntervalMs?: number;
  /** Where the KV config is kept (RocketMQ's kvConfig.json); null keeps it in memory. */
  kvConfigPath?: string | null;
  /** Close a connection idle this long (RocketMQ serverChannelMaxIdleTimeSeconds); default 120 s, 0 = never. */
  channelMaxIdleMs?: number;
}

export class NamesrvController {
  readonly routeInfoManager: RouteInfoManager;
  readonly kvConfigManager: KvConfigManager;
  readonly #options: NamesrvOptions;
  readonly #logger: Logger;
  readonly #server: RemotingServer;
  /** Settings shown by GET_NAMESRV_CONFIG and changeable by UPDATE_NAMESRV_CONFIG. */
  readonly #config = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #port = 0;
  #started = false;

  constructor(options: NamesrvOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.routeInfoManager = new RouteInfoManager({ now: options.now, brokerExpiredMs: options.brokerExpiredMs });
    this.kvConfigManager = new KvConfigManager(options.kvConfigPath ?? null);
    this.#server = new RemotingServer({ name: 'namesrv', host: options.host, logger: this.#logger, channelMaxIdleMs: options.channelMaxIdleMs });
    this.#config.set('listenPort', String(options.port));
    this.#config.set('kvConfigPath', options.kvConfigPath ?? '');
    this.#config.set('orderMessageEnable', 'false');
    this.#config.set('scanNotActiveBrokerInterval', String(options.scanIntervalMs ?? NAMESRV_SCAN_INTERVAL_MS));
    this.#registerProcessors();
    this.#server.onConnectionClose((connection) => {
      for (const removed of this.routeInfoManager.onConnectionClosed(connection.id)) {
        this.#logger.info('broker left: its connection closed', { brokerAddr: removed.brokerAddr });
      }
    });
  }

  get port(): number {
    return this.#port;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.kvConfigManager.load(this.#logger.child('config'));
    this.#port = await this.#server.listen(this.#options.port, this.#options.host);
    this.#started = true;
    const interval = this.#options.scanIntervalMs ?? NAMESRV_SCAN_INTERVAL_MS;
    if (interval > 0) {
      this.#timer = setInterval(() => this.scanNotActiveBrokers(), interval);
      this.#timer.unref();
    }
    this.#logger.info('nameserver started', { port: this.#port });
  }

  /** Removes brokers silent for longer than the expiry and closes their connections. */
  scanNotActiveBrokers(): string[] {
    const removed = this.routeInfoManager.scanNotActiveBroker();
    for (const broker of removed) {
      this.#logger.warn('broker expired: no registration for too long', { brokerAddr: broker.brokerAddr, silentMs: broker.silentMs });
      if (broker.connectionId) this.#server.connections().find((c) => c.id === broker.connectionId)?.close();
    }
    return removed.map((broker) => broker.brokerAddr);
  }

  async shutdown(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    if (this.#timer) clearInterval(this.#timer);
    await this.#server.close();
    this.#logger.info('nameserver stopped', { port: this.#port });
  }

  #registerProcessors(): void {
    const on = (code: number, processor: (request: RemotingCommand, connection: RemotingConnection) => RemotingCommand | null) =>
      this.#server.registerProcessor(code, processor);
    on(RequestCode.REGISTER_BROKER, (req, conn) => this.#registerBroker(req, conn));
    on(RequestCode.UNREGISTER_BROKER, (req) => this.#unregisterBroker(req));
    on(RequestCode.QUERY_DATA_VERSION, (req) => this.#queryDataVersion(req));
    on(RequestCode.GET_ROUTEINFO_BY_TOPIC, (req) => this.#getRouteInfoByTopic(req));
    on(RequestCode.GET_BROKER_CLUSTER_INFO, (req) => this.#getBrokerClusterInfo(req));
    on(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, (req) => topicListResponse(req, this.routeInfoManager.getAllTopicList()));
    on(RequestCode.GET_TOPICS_BY_CLUSTER, (req) => topicListResponse(req, this.routeInfoManager.getTopicsByCluster(new Header(req).string('cluster'))));
    on(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS, (req) => {
      const { topicList, brokerAddr } = this.routeInfoManager.getSystemTopicList();
      return topicListResponse(req, topicList, brokerAddr);
    });
    on(RequestCode.GET_UNIT_TOPIC_LIST, (req) => topicListResponse(req, this.routeInfoManager.getUnitTopics('unit')));
    on(RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST, (req) => topicListResponse(req, this.routeInfoManager.getUnitTopics('unitSub')));
    on(RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST, (req) => topicListResponse(req, this.routeInfoManager.getUnitTopics('unitSubNotUnit')));
    on(RequestCode.DELETE_TOPIC_IN_NAMESRV, (req) => {
      const header = new Header(req);
      const topic = header.string('topic');
      this.routeInfoManager.deleteTopic(topic, header.optString('clusterName'));
      this.#logger.info('topic deleted from routes', { topic });
      return createResponse(req, ResponseCode.SUCCESS);
    });
    on(RequestCode.REGISTER_TOPIC_IN_NAMESRV, (req) => this.#registerTopic(req));
    on(RequestCode.WIPE_WRITE_PERM_OF_BROKER, (req) => {
      const count = this.routeInfoManager.updateWritePermOfBroker(new Header(req).string('brokerName'), 'wipe');
      return createResponse(req, ResponseCode.SUCCESS, undefined, { wipeTopicCount: count });
    });
    on(RequestCode.ADD_WRITE_PERM_OF_BROKER, (req) => {
      const count = this.routeInfoManager.updateWritePermOfBroker(new Header(req).string('brokerName'), 'add');
      return createResponse(req, ResponseCode.SUCCESS, undefined, { addTopicCount: count });
    });
    on(RequestCode.PUT_KV_CONFIG, (req) => {
      const header = new Header(req);
      this.kvConfigManager.put(header.string('namespace'), header.string('key'), header.string('value'));
      return createResponse(req, ResponseCode.SUCCESS);
    });
    on(RequestCode.GET_KV_CONFIG, (req) => {
      const header = new Header(req);
      const namespace = header.string('namespace');
      const key = header.string('key');
      const value = this.kvConfigManager.get(namespace, key);
      if (value === undefined) return createResponse(req, ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${namespace} Key: ${key}`);
      return createResponse(req, ResponseCode.SUCCESS, undefined, { value });
    });
    on(RequestCode.DELETE_KV_CONFIG, (req) => {
      const header = new Header(req);
      this.kvConfigManager.delete(header.string('namespace'), header.string('key'));
      return createResponse(req, ResponseCode.SUCCESS);
    });
    on(RequestCode.GET_KVLIST_BY_NAMESPACE, (req) => {
      const namespace = new Header(req).string('namespace');
      const table = this.kvConfigManager.list(namespace);
      if (!table) return createResponse(req, ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${namespace}`);
      return createResponse(req, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(JSON.stringify({ table })));
    });
    on(RequestCode.GET_NAMESRV_CONFIG, (req) => {
      const text = [...this.#config].map(([key, value]) => `${key}=${value}`).join('\n') + '\n';
      return createResponse(req, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(text));
    });
    on(RequestCode.UPDATE_NAMESRV_CONFIG, (req) => this.#updateNamesrvConfig(req));
  }

  #registerBroker(request: RemotingCommand, connection: RemotingConnection): RemotingCommand {
    const header = new Header(request);
    const clusterName = header.string('clusterName');
    const brokerAddr = header.string('brokerAddr');
    const brokerName = header.string('brokerName');
    const brokerId = header.int('brokerId');
    const haServerAddr = header.optString('haServerAddr') ?? '';
    const body = request.body ?? Buffer.alloc(0);
    const crc = header.optInt('bodyCrc32') ?? 0;
    if (crc !== 0 && body.length > 0 && (zlib.crc32(body) & 0x7fffffff) !== crc) {
      this.#logger.warn('register broker: body crc32 does not match', { brokerAddr });
      return createResponse(request, ResponseCode.SYSTEM_ERROR, 'crc32 not match');
    }
    if (header.optBoolean('compressed') === true) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, 'compressed registration is not supported; set compressedRegister=false on the broker');
    }

    let topicConfigWrapper: { dataVersion: DataVersion; topicConfigTable: Record<string, TopicConfigLike> } | null = null;
    let filterServerList: string[] = [];
    if (body.length > 0) {
      const parsed = objectOf(parseJavaJson(body.toString('utf8')));
      if (!parsed) return createResponse(request, ResponseCode.SYSTEM_ERROR, 'the registration body is not a JSON object');
      filterServerList = textsOf(parsed.filterServerList);
      const wrapper = objectOf(parsed.topicConfigSerializeWrapper);
      if (wrapper) topicConfigWrapper = { dataVersion: dataVersionOf(wrapper.dataVersion), topicConfigTable: topicConfigTableOf(wrapper.topicConfigTable) };
    }
    const first = !this.routeInfoManager.liveBrokers().some((live) => live.brokerAddr === brokerAddr);
    const result = this.routeInfoManager.registerBroker({
      clusterName,
      brokerAddr,
      brokerName,
      brokerId,
      haServerAddr,
      topicConfigWrapper,
      filterServerList,
      connectionId: connection.id,
    });
    if (first) {
      this.#logger.info('broker registered', { clusterName, brokerName, brokerId, brokerAddr, topics: Object.keys(topicConfigWrapper?.topicConfigTable ?? {}).length });
    }
    const orderTopics = this.kvConfigManager.list(NAMESPACE_ORDER_TOPIC_CONFIG);
    return createResponse(
      request,
      ResponseCode.SUCCESS,
      undefined,
      { haServerAddr: result.haServerAddr, masterAddr: result.masterAddr },
      orderTopics ? Buffer.from(JSON.stringify({ table: orderTopics })) : undefined,
    );
  }

  #unregisterBroker(request: RemotingCommand): RemotingCommand {
    const header = new Header(request);
    const brokerAddr = header.string('brokerAddr');
    this.routeInfoManager.unregisterBroker(header.string('clusterName'), brokerAddr, header.string('brokerName'), header.int('brokerId'));
    this.#logger.info('broker unregistered', { brokerAddr });
    return createResponse(request, ResponseCode.SUCCESS);
  }

  #queryDataVersion(request: RemotingCommand): RemotingCommand {
    const header = new Header(request);
    const brokerAddr = header.string('brokerAddr');
    const sent = request.body && request.body.length > 0 ? dataVersionOf(parseJavaJson(request.body.toString('utf8'))) : null;
    const changed = sent ? this.routeInfoManager.isBrokerTopicConfigChanged(brokerAddr, sent) : true;
    this.routeInfoManager.touchBroker(brokerAddr);
    const known = this.routeInfoManager.brokerDataVersion(brokerAddr);
    return createResponse(request, ResponseCode.SUCCESS, undefined, { changed }, known ? Buffer.from(JSON.stringify(known)) : undefined);
  }

  #getRouteInfoByTopic(request: RemotingCommand): RemotingCommand {
    const header = new Header(request);
    const topic = header.string('topic');
    const route = this.routeInfoManager.getTopicRouteData(topic);
    if (!route) {
      return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `No topic route info in name server for the topic: ${topic}`);
    }
    const orderTopicConf = this.kvConfigManager.get(NAMESPACE_ORDER_TOPIC_CONFIG, topic);
    if (orderTopicConf !== undefined) route.orderTopicConf = orderTopicConf;
    const standard = request.version >= VERSION_STANDARD_JSON_ROUTE || header.optBoolean('acceptStandardJsonOnly') === true;
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(encodeTopicRouteData(route, !standard)));
  }

  #getBrokerClusterInfo(request: RemotingCommand): RemotingCommand {
    const { brokerAddrTable, clusterAddrTable } = this.routeInfoManager.getClusterInfo();
    const brokers = new Map([...brokerAddrTable].map(([name, data]) => [name, brokerDataJson(data)]));
    const body = stringifyJavaJson(new Map<string, unknown>([['brokerAddrTable', brokers], ['clusterAddrTable', clusterAddrTable]]), {
      numericKeysUnquoted: true,
    });
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(body));
  }

  #registerTopic(request: RemotingCommand): RemotingCommand {
    const topic = new Header(request).string('topic');
    const body = request.body && request.body.length > 0 ? objectOf(parseJavaJson(request.body.toString('utf8'))) : {};
    const queueDatas: QueueData[] = objectsOf(body?.queueDatas).flatMap((q) => {
      const brokerName = textOf(q.brokerName);
      const readQueueNums = integerOf(q.readQueueNums ?? 0, 0, TOPIC_QUEUE_NUMS_MAX);
      const writeQueueNums = integerOf(q.writeQueueNums ?? 0, 0, TOPIC_QUEUE_NUMS_MAX);
      const perm = integerOf(q.perm ?? 6, 0, 7);
      if (!brokerName || readQueueNums === undefined || writeQueueNums === undefined || perm === undefined) return [];
      return [{ brokerName, perm, readQueueNums, topicSysFlag: integerOf(q.topicSysFlag) ?? 0, writeQueueNums }];
    });
    this.routeInfoManager.registerTopic(topic, queueDatas);
    return createResponse(request, ResponseCode.SUCCESS);
  }

  #updateNamesrvConfig(request: RemotingCommand): RemotingCommand {
    const text = request.body?.toString('utf8') ?? '';
    const updates = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (!trimmed || trimmed.startsWith('#')) continue;
      const at = trimmed.indexOf('=');
      if (at <= 0) return createResponse(request, ResponseCode.INVALID_PARAMETER, `not a key=value line: ${trimmed}`);
      updates.set(trimmed.slice(0, at).trim(), trimmed.slice(at + 1).trim());
    }
    for (const key of updates.keys()) {
      if (key !== 'orderMessageEnable') return createResponse(request, ResponseCode.NO_PERMISSION, `${key} cannot be changed at run time`);
    }
    for (const [key, value] of updates) this.#config.set(key, value);
    return createResponse(request, ResponseCode.SUCCESS);
  }
}

function topicListResponse(request: RemotingCommand, topicList: string[], brokerAddr?: string | null): RemotingCommand {
  const body: { brokerAddr?: string; topicList: string[] } = { topicList };
  if (brokerAddr) body.brokerAddr = brokerAddr;
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(JSON.stringify(body)));
}

function brokerDataJson(data: { brokerAddrs: Map<number, string>; brokerName: string; cluster: string }): Map<string, unknown> {
  const addrs = new Map([...data.brokerAddrs].sort((a, b) => a[0] - b[0]));
  return new Map<string, unknown>([
    ['brokerAddrs', addrs],
    ['brokerName', data.brokerName],
    ['cluster', data.cluster],
  ]);
}

/** TopicRouteData in fastjson's field order; numeric brokerAddrs keys bare for legacy clients. */
export function encodeTopicRouteData(route: TopicRouteData, numericKeysUnquoted: boolean): string {
  const value = new Map<string, unknown>([
    ['brokerDatas', route.brokerDatas.map(brokerDataJson)],
    ['filterServerTable', route.filterServerTable],
  ]);
  if (route.orderTopicConf !== undefined) value.set('orderTopicConf', route.orderTopicConf);
  value.set(
    'queueDatas',
    route.queueDatas.map((q) => ({ brokerName: q.brokerName, perm: q.perm, readQueueNums: q.readQueueNums, topicSysFlag: q.topicSysFlag, writeQueueNums: q.writeQueueNums })),
  );
  return stringifyJavaJson(value, { numericKeysUnquoted });
}

/** A registration's dataVersion; a malformed one reads as version 0 (the topics are then taken as changed). */
function dataVersionOf(value: unknown): DataVersion {
  const version = objectOf(value);
  return { counter: integerOf(version?.counter) ?? 0, timestamp: integerOf(version?.timestamp) ?? 0 };
}

/**
 * The topic configs of a registration: entries that are not objects with a topic name (1..255 characters;
 * brokers register topics named after themselves, so RocketMQ's stricter send-time pattern is not applied),
 * queue counts and a permission are left out of the routes: a broker never sends them, and a hostile peer
 * must not poison the routes clients read.
 */
function topicConfigTableOf(value: unknown): Record<string, TopicConfigLike> {
  const table: Record<string, TopicConfigLike> = {};
  for (const entry of Object.values(objectOf(value) ?? {})) {
    const config = objectOf(entry);
    const topicName = textOf(config?.topicName);
    const readQueueNums = integerOf(config?.readQueueNums, 0, TOPIC_QUEUE_NUMS_MAX);
    const writeQueueNums = integerOf(config?.writeQueueNums, 0, TOPIC_QUEUE_NUMS_MAX);
    const perm = integerOf(config?.perm, 0, 7);
    if (!topicName || topicName.length > SYSTEM_TOPIC_NAME_CHARS_MAX || readQueueNums === undefined || writeQueueNums === undefined || perm === undefined) continue;
    table[topicName] = { topicName, readQueueNums, writeQueueNums, perm, topicSysFlag: integerOf(config?.topicSysFlag) ?? 0, order: config?.order === true };
  }
  return table;
}
