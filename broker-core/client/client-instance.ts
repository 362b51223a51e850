/**
 * What every producer and consumer shares with the cluster (RocketMQ's MQClientInstance): one client id, one
 * set of connections, the NameServer list with failover, a route cache refreshed every 30 s, heartbeats to
 * every broker every 30 s, and the handlers for requests brokers send to clients.
 */
import { stringifyJavaJson } from '../protocol/fastjson';
import { createRequest, createResponse, type RemotingCommand } from '../protocol/remoting-command';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode, responseCodeName } from '../protocol/response-code';
import { RemotingClient } from '../remoting/remoting-client';
import type { RequestProcessor } from '../remoting/connection';
import { BrokerError, RemoteError, errorMessage } from '../util/errors';
import { silentLogger, type Logger } from '../util/logger';
import { aclRpcHook, type SessionCredentials } from '../acl/acl-signer';
import { AdminClient, type SubscriptionData, type TopicRouteData } from './admin-client';
import { decodePropertiesString } from '../broker/message/message-util';
import { ReplyMessageRequestHeader } from '../protocol/headers/reply-message-request-header';
import { decodeMessages, inflateBody, MessageProperty, MessageSysFlag, type HostPort, type MessageExt } from './message';
import { localIPv4 } from './message-id';

export interface ClientOptions {
  /** `host:port` NameServers, as a list or a `;`-separated string (default NAMESRV_ADDR, else 127.0.0.1:9876). */
  namesrvAddr?: string[] | string;
  /** The address this client reports (default: the first non-internal IPv4). */
  clientIP?: string;
  /** Default `<pid>#<high-resolution time>`, so every client object has its own id, as Java 4.9 does. */
  instanceName?: string;
  /** Bound on every request (default 3 000 ms; pulls add their suspend time). */
  requestTimeoutMs?: number;
  pollNameServerIntervalMs?: number;
  heartbeatBrokerIntervalMs?: number;
  logger?: Logger;
  /** An ACL account: every request is signed with it (RocketMQ's AclClientRPCHook); needed when the broker has aclEnable. */
  credentials?: SessionCredentials;
}

export interface ConsumerData {
  groupName: string;
  consumeType: 'CONSUME_PASSIVELY' | 'CONSUME_ACTIVELY';
  messageModel: 'CLUSTERING' | 'BROADCASTING';
  consumeFromWhere: string;
  subscriptionDataSet: SubscriptionData[];
  unitMode: boolean;
}

/** What a producer or consumer registers with the instance. */
export interface ClientMember {
  kind: 'producer' | 'consumer';
  group: string;
  /** Topics whose routes this member needs. */
  topics(): string[];
  consumerData?(): ConsumerData;
  /** A broker said the group's membership changed (consumers rebalance). */
  onConsumerIdsChanged?(): void;
  /** Requests a broker forwards for this group (reset offset, running info, consume directly, status). */
  onRequest?(request: RemotingCommand): Promise<RemotingCommand> | RemotingCommand;
  /** Producers: a broker asks for the state of a transaction (CHECK_TRANSACTION_STATE, oneway). */
  onCheckTransaction?(request: RemotingCommand, brokerAddr: string): void;
}

/** The message queue as RocketMQ names it. */
export interface MessageQueue {
  topic: string;
  brokerName: string;
  queueId: number;
}

export function queueKey(mq: MessageQueue): string {
  return `${mq.topic}@${mq.brokerName}@${mq.queueId}`;
}

export function compareQueues(a: MessageQueue, b: MessageQueue): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : a.queueId - b.queueId;
}

let instanceCounter = 0;

export class ClientInstance {
  readonly clientId: string;
  readonly clientIP: string;
  readonly namesrvAddr: string[];
  readonly remoting: RemotingClient;
  readonly admin: AdminClient;
  readonly logger: Logger;
  readonly requestTimeoutMs: number;
  readonly #members = new Set<ClientMember>();
  readonly #routes = new Map<string, TopicRouteData>();
  /** Broker name → when a route refresh last found it back in a topic's route after a refresh that lacked it. */
  readonly #returnedAt = new Map<string, number>();
  /** brokerName → (brokerId → address), from every route seen. */
  readonly #brokerAddrs = new Map<string, Record<string, string>>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #options: ClientOptions;
  #started = false;
  #closed = false;
  readonly #reconnecting = new Set<string>();
  /** Request-reply: CORRELATION_ID → who waits for the answer the broker pushes (PUSH_REPLY_MESSAGE_TO_CLIENT). */
  readonly replyWaiters = new Map<string, (reply: MessageExt) => void>();

  constructor(options: ClientOptions = {}) {
    this.#options = options;
    this.logger = options.logger ?? silentLogger;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 3_000;
    this.clientIP = options.clientIP ?? localIPv4();
    const instanceName = options.instanceName ?? `${process.pid}#${process.hrtime.bigint()}${++instanceCounter}`;
    this.clientId = `${this.clientIP}@${instanceName}`;
    this.remoting = new RemotingClient({
      logger: this.logger,
      connectTimeoutMs: Math.min(3_000, this.requestTimeoutMs),
      onConnectionClosed: (addr) => this.#brokerConnectionClosed(addr),
      ...(options.credentials ? { rpcHook: aclRpcHook(options.credentials) } : {}),
    });
    const namesrv = options.namesrvAddr ?? process.env.NAMESRV_ADDR ?? '127.0.0.1:9876';
    this.admin = new AdminClient({ namesrvAddr: namesrv, remoting: this.remoting, timeoutMs: this.requestTimeoutMs, logger: this.logger });
    this.namesrvAddr = this.admin.namesrvAddr;
    this.#registerProcessors();
  }

  register(member: ClientMember): void {
    for (const existing of this.#members) {
      if (existing.kind === member.kind && existing.group === member.group) {
        throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `the ${member.kind} group ${member.group} is already registered in this client`);
      }
    }
    this.#members.add(member);
  }

  unregister(member: ClientMember): void {
    this.#members.delete(member);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    const routeEvery = this.#options.pollNameServerIntervalMs ?? 30_000;
    const heartbeatEvery = this.#options.heartbeatBrokerIntervalMs ?? 30_000;
    this.#timers.push(setInterval(() => void this.refreshAllRoutes(), routeEvery).unref());
    this.#timers.push(setInterval(() => void this.sendHeartbeatToAllBrokers(), heartbeatEvery).unref());
  }

  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    await this.remoting.close();
  }

  get closed(): boolean {
    return this.#closed;
  }

  // ---------------------------------------------------------------- routes

  /** The route of a topic from the NameServers, cached; null when the topic has none. */
  async updateRoute(topic: string): Promise<TopicRouteData | null> {
    const route = await this.admin.getTopicRoute(topic);
    if (!route) {
      this.#routes.delete(topic);
      return null;
    }
    const previous = this.#routes.get(topic);
    this.#routes.set(topic, route);
    if (previous) {
      const before = new Set(previous.brokerDatas.map((b) => b.brokerName));
      for (const b of route.brokerDatas) if (!before.has(b.brokerName)) this.#returnedAt.set(b.brokerName, Date.now());
    }
    let newBroker = false;
    for (const broker of route.brokerDatas) {
      const before = this.#brokerAddrs.get(broker.brokerName)?.['0'];
      if (before !== broker.brokerAddrs['0']) newBroker = true;
      this.#brokerAddrs.set(broker.brokerName, broker.brokerAddrs);
    }
    // A broker seen for the first time learns about this client now rather than at the next 30 s heartbeat.
    if (newBroker) void this.sendHeartbeatToAllBrokers();
    return route;
  }

  /**
   * When a broker was last seen coming back into a topic's route after a refresh that lacked it (it registered
   * again: a restart), or 0. Seen by the periodic refresh, whether or not anything was sent in between.
   */
  brokerReturnedAt(brokerName: string): number {
    return this.#returnedAt.get(brokerName) ?? 0;
  }

  cachedRoute(topic: string): TopicRouteData | undefined {
    return this.#routes.get(topic);
  }

  async route(topic: string): Promise<TopicRouteData | null> {
    return this.#routes.get(topic) ?? (await this.updateRoute(topic));
  }

  async refreshAllRoutes(): Promise<void> {
    const topics = new Set<string>();
    for (const member of this.#members) for (const topic of member.topics()) topics.add(topic);
    await Promise.all([...topics].map((topic) => this.updateRoute(topic).catch((err: unknown) => this.logger.debug('route refresh failed', { topic, error: errorMessage(err) }))));
  }

  /** The master's address of a broker name (from routes seen so far). */
  masterAddress(brokerName: string): string | undefined {
    return this.#brokerAddrs.get(brokerName)?.['0'];
  }

  /** Any address of a broker name, master first (offsets and queries still work while a master is down). */
  anyAddress(brokerName: string): string | undefined {
    return this.pullAddress(brokerName)?.addr;
  }

  /**
   * Where to pull a queue of a broker name (RocketMQ's findBrokerAddressInSubscribe): the broker id the last
   * pull response suggested when it is in the route, else the master, else the slave with the lowest id — so a
   * master/slave group stays readable while its master is down. `slave` tells the caller not to commit offsets
   * with the pull (a slave does not keep them).
   */
  pullAddress(brokerName: string, suggestedBrokerId = 0): { addr: string; slave: boolean } | undefined {
    const addrs = this.#brokerAddrs.get(brokerName);
    if (!addrs) return undefined;
    const ids = Object.keys(addrs).sort((a, b) => Number(a) - Number(b));
    const id = addrs[String(suggestedBrokerId)] !== undefined ? String(suggestedBrokerId) : ids[0];
    if (id === undefined) return undefined;
    return { addr: addrs[id]!, slave: id !== '0' };
  }

  // ---------------------------------------------------------------- heartbeats

  heartbeatBody(): Buffer {
    const producers: { groupName: string }[] = [];
    const consumers: ConsumerData[] = [];
    for (const member of this.#members) {
      if (member.kind === 'producer') producers.push({ groupName: member.group });
      else if (member.consumerData) consumers.push(member.consumerData());
    }
    return Buffer.from(stringifyJavaJson({ clientID: this.clientId, producerDataSet: producers, consumerDataSet: consumers, heartbeatFingerprint: 0, withoutSub: false }), 'utf8');
  }

  /**
   * A broker connection closed (the broker stopped or restarted): heartbeat it every second, for up to a
   * minute, until it answers — a restarted broker knows this client's groups within a second, not at the next
   * 30 s heartbeat (transaction checks and consumer lists need them).
   */
  #brokerConnectionClosed(addr: string): void {
    if (this.#closed || !this.#started || this.#reconnecting.has(addr)) return;
    const known = [...this.#brokerAddrs.values()].some((a) => Object.values(a).includes(addr));
    if (!known) return;
    this.#reconnecting.add(addr);
    const until = Date.now() + 60_000;
    const attempt = async (): Promise<void> => {
      if (this.#closed || Date.now() > until) {
        this.#reconnecting.delete(addr);
        return;
      }
      try {
        const response = await this.remoting.invoke(addr, this.request(RequestCode.HEART_BEAT, undefined, this.heartbeatBody()), this.requestTimeoutMs);
        if (response.code === ResponseCode.SUCCESS) {
          this.#reconnecting.delete(addr);
          return;
        }
      } catch {
        /* still down */
      }
      setTimeout(() => void attempt(), 1_000).unref();
    };
    setTimeout(() => void attempt(), 200).unref();
  }

  /**
   * HEART_BEAT to the brokers in the routes seen (and to `extra` addresses): masters, and slaves too when this
   * client has consumers (as the Java client does), so a slave serving a group while its master is down knows
   * the group's members.
   */
  async sendHeartbeatToAllBrokers(extra: string[] = []): Promise<void> {
    if (this.#closed || this.#members.size === 0) return;
    const body = this.heartbeatBody();
    const addrs = new Set(extra);
    const consumers = [...this.#members].some((member) => member.kind === 'consumer');
    for (const brokerAddrs of this.#brokerAddrs.values()) {
      for (const [id, addr] of Object.entries(brokerAddrs)) if (id === '0' || consumers) addrs.add(addr);
    }
    await Promise.all([...addrs].map(async (addr) => {
      try {
        const response = await this.remoting.invoke(addr, this.request(RequestCode.HEART_BEAT, undefined, body), this.requestTimeoutMs);
        if (response.code !== ResponseCode.SUCCESS) this.logger.warn('heartbeat refused', { broker: addr, code: responseCodeName(response.code), remark: response.remark });
      } catch (err) {
        this.logger.debug('heartbeat failed', { broker: addr, error: errorMessage(err) });
      }
    }));
  }

  /** UNREGISTER_CLIENT for a group on every broker seen (best effort, bounded). */
  async unregisterClient(fields: { producerGroup?: string; consumerGroup?: string }): Promise<void> {
    const addrs = [...this.#brokerAddrs.values()].map((a) => a['0']).filter((a): a is string => Boolean(a));
    await Promise.all(addrs.map((addr) =>
      this.remoting.invoke(addr, this.request(RequestCode.UNREGISTER_CLIENT, { clientID: this.clientId, ...fields }), this.requestTimeoutMs).catch(() => undefined),
    ));
  }

  // ---------------------------------------------------------------- requests

  request(code: number, fields?: Record<string, string | number | boolean | undefined>, body?: Buffer): RemotingCommand {
    return createRequest(code, fields, body);
  }

  /** A request that must answer one of `expect` (default SUCCESS); anything else is a RemoteError. */
  async invoke(addr: string, request: RemotingCommand, timeoutMs = this.requestTimeoutMs, expect: readonly number[] = [ResponseCode.SUCCESS]): Promise<RemotingCommand> {
    const response = await this.remoting.invoke(addr, request, timeoutMs);
    if (!expect.includes(response.code)) throw new RemoteError(response.code, response.remark ?? '', responseCodeName(response.code));
    return response;
  }

  #registerProcessors(): void {
    const forGroup = (request: RemotingCommand): ClientMember | undefined => {
      const group = request.extFields?.consumerGroup ?? request.extFields?.group;
      for (const member of this.#members) if (member.kind === 'consumer' && member.group === group) return member;
      return undefined;
    };
    const notify: RequestProcessor = (request) => {
      const member = forGroup(request);
      member?.onConsumerIdsChanged?.();
      return null;
    };
    const forward: RequestProcessor = async (request) => {
      const member = forGroup(request);
      if (!member?.onRequest) return createResponse(request, ResponseCode.SYSTEM_ERROR, `no consumer of group ${request.extFields?.consumerGroup ?? request.extFields?.group} in ${this.clientId}`);
      try {
        return await member.onRequest(request);
      } catch (err) {
        return createResponse(request, ResponseCode.SYSTEM_ERROR, errorMessage(err));
      }
    };
    this.remoting.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, notify);
    this.remoting.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, forward);
    this.remoting.registerProcessor(RequestCode.GET_CONSUMER_STATUS_FROM_CLIENT, forward);
    this.remoting.registerProcessor(RequestCode.GET_CONSUMER_RUNNING_INFO, forward);
    this.remoting.registerProcessor(RequestCode.CONSUME_MESSAGE_DIRECTLY, forward);
    this.remoting.registerProcessor(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, (request) => {
      let reply: MessageExt;
      try {
        reply = replyMessageOf(request);
      } catch (err) {
        return createResponse(request, ResponseCode.SYSTEM_ERROR, errorMessage(err));
      }
      const correlationId = reply.properties[MessageProperty.CORRELATION_ID] ?? '';
      const waiter = this.replyWaiters.get(correlationId);
      if (waiter) waiter(reply);
      else this.logger.warn('a reply arrived that no request waits for (it timed out?)', { correlationId });
      return createResponse(request, ResponseCode.SUCCESS);
    });
    // The half message in the body names its producer group (PGROUP); any producer of that group may answer.
    this.remoting.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (request, connection) => {
      const group = request.body ? decodeMessages(request.body)[0]?.properties[MessageProperty.PGROUP] : undefined;
      for (const member of this.#members) {
        if (member.kind === 'producer' && member.group === group && member.onCheckTransaction) {
          member.onCheckTransaction(request, connection.remoteAddress);
          break;
        }
      }
      return null;
    });
  }
}

/** The reply message a broker pushes (RocketMQ's ClientRemotingProcessor.receiveReplyMessage). */
function replyMessageOf(request: RemotingCommand): MessageExt {
  const header = ReplyMessageRequestHeader.decode(request.extFields);
  const raw = request.body ?? Buffer.alloc(0);
  const body = (header.sysFlag & MessageSysFlag.COMPRESSED) !== 0 ? (inflateBody(raw, header.sysFlag) ?? raw) : raw;
  const properties = decodePropertiesString(header.properties);
  properties[MessageProperty.ARRIVE_TIME] = String(Date.now());
  const host = (text: string): HostPort => {
    const at = text.lastIndexOf(':');
    return { address: at < 0 ? text : text.slice(0, at), port: at < 0 ? 0 : Number(text.slice(at + 1)) || 0 };
  };
  const keys = properties[MessageProperty.KEYS];
  return {
    topic: header.topic, body, tags: properties[MessageProperty.TAGS], keys: keys ? keys.split(' ').filter(Boolean) : [], properties,
    msgId: properties[MessageProperty.UNIQ_KEY] ?? '', offsetMsgId: '', queueId: header.queueId, queueOffset: 0, commitLogOffset: 0, storeSize: 0,
    bodyCRC: 0, flag: header.flag, sysFlag: header.sysFlag, bornTimestamp: header.bornTimestamp, bornHost: host(header.bornHost),
    storeTimestamp: header.storeTimestamp, storeHost: host(header.storeHost), reconsumeTimes: header.reconsumeTimes ?? 0, preparedTransactionOffset: 0,
  };
}
