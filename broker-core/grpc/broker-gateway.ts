/**
 * How the gRPC endpoint reaches brokers. It speaks the broker's own request codes (RemotingCommand in,
 * RemotingCommand out), so a message sent over gRPC takes exactly the path of a remoting producer's:
 *
 *   - the broker running in this process (`npm start`, `rocketdeck broker`) is served in process, through its
 *     processor table (BrokerController.invokeInProcess), on a per-client connection object whose peer address
 *     is the gRPC client's;
 *   - any other broker of the cluster (and every broker, for `rocketdeck proxy`) is reached over TCP, one
 *     remoting connection per gRPC client and broker, so the broker sees each client as its own connection
 *     (its heartbeats, its transaction checks).
 *
 * Routes come from the NameServers (GET_ROUTEINFO_BY_TOPIC), cached for ROUTE_CACHE_MS; a topic the local
 * broker has but the NameServers do not list yet (just created) is served from the local topic table.
 * Requests the broker sends to a client (CHECK_TRANSACTION_STATE, GET_CONSUMER_RUNNING_INFO,
 * NOTIFY_CONSUMER_IDS_CHANGED) reach the client's BrokerRequestHandler.
 */
import { aclRpcHook, type SessionCredentials } from '../acl/acl-signer';
import type { BrokerController } from '../broker/broker-controller';
import type { SubscriptionGroupConfig } from '../broker/groups/subscription-group-manager';
import { AdminClient, type TopicRouteData } from '../client/admin-client';
import { GRPC_ROUTE_CACHE_ENTRIES_MAX, GRPC_ROUTE_CACHE_MS } from '../config/limits';
import { RequestCode } from '../protocol/request-code';
import { createResponse, type RemotingCommand } from '../protocol/remoting-command';
import { ResponseCode } from '../protocol/response-code';
import { RemotingClient } from '../remoting/remoting-client';
import type { RemotingConnection } from '../remoting/remoting-server';
import { BrokerError } from '../util/errors';
import type { Logger } from '../util/logger';

/** What a client does with a request a broker sends it; null answers nothing. */
export type BrokerRequestHandler = (brokerName: string, request: RemotingCommand) => RemotingCommand | null;

export interface TopicInfo {
  /** The topic's 5.x message type attribute (`message.type`), NORMAL when unset. */
  messageType: string;
}

export interface BrokerGatewayOptions {
  namesrvAddr: string[];
  /** The broker of this process, served in process. */
  localBroker?: BrokerController;
  /** An ACL account for requests sent over TCP (proxy mode towards brokers with aclEnable). */
  credentials?: SessionCredentials;
  logger: Logger;
  requestTimeoutMs: number;
}

interface Cached<T> {
  value: T;
  atMs: number;
}

/** Caches by name, at most GRPC_ROUTE_CACHE_ENTRIES_MAX entries (the oldest set goes first). */
function remember<T>(cache: Map<string, Cached<T>>, key: string, value: T): void {
  cache.delete(key);
  if (cache.size >= GRPC_ROUTE_CACHE_ENTRIES_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, { value, atMs: Date.now() });
}

export class BrokerGateway {
  readonly #options: BrokerGatewayOptions;
  readonly #admin: AdminClient | null;
  readonly #routes = new Map<string, Cached<TopicRouteData | null>>();
  readonly #topics = new Map<string, Cached<TopicInfo | null>>();
  readonly #groups = new Map<string, Cached<SubscriptionGroupConfig | null>>();
  /** brokerName → master address, from every route seen. */
  readonly #brokerAddrs = new Map<string, string>();

  constructor(options: BrokerGatewayOptions) {
    this.#options = options;
    this.#admin = options.namesrvAddr.length > 0
      ? new AdminClient({ namesrvAddr: options.namesrvAddr, timeoutMs: options.requestTimeoutMs, logger: options.logger, ...(options.credentials ? { credentials: options.credentials } : {}) })
      : null;
  }

  get localBroker(): BrokerController | undefined {
    return this.#options.localBroker;
  }

  get localBrokerName(): string | undefined {
    return this.#options.localBroker?.config.brokerName;
  }

  async close(): Promise<void> {
    await this.#admin?.close();
  }

  /** The topic's route, or null when no broker has it. */
  async route(topic: string): Promise<TopicRouteData | null> {
    const cached = this.#routes.get(topic);
    if (cached && Date.now() - cached.atMs < GRPC_ROUTE_CACHE_MS) return cached.value;
    let route: TopicRouteData | null = null;
    if (this.#admin) {
      try {
        route = await this.#admin.getTopicRoute(topic);
      } catch (err) {
        if (!this.#options.localBroker) throw err;
        this.#options.logger.debug('route query failed; serving the local topic table', { topic, error: (err as Error).message });
      }
    }
    if (!route || route.queueDatas.length === 0) route = this.#localRoute(topic) ?? route;
    if (route && route.queueDatas.length === 0) route = null;
    if (route) {
      for (const broker of route.brokerDatas) {
        const master = broker.brokerAddrs['0'];
        if (master) this.#brokerAddrs.set(broker.brokerName, master);
      }
    }
    remember(this.#routes, topic, route);
    return route;
  }

  #localRoute(topic: string): TopicRouteData | null {
    const broker = this.#options.localBroker;
    const config = broker?.topicConfigManager.get(topic);
    if (!broker || !config) return null;
    return {
      queueDatas: [{ brokerName: broker.config.brokerName, readQueueNums: config.readQueueNums, writeQueueNums: config.writeQueueNums, perm: config.perm & broker.config.brokerPermission, topicSysFlag: config.topicSysFlag }],
      brokerDatas: [{ cluster: broker.config.brokerClusterName, brokerName: broker.config.brokerName, brokerAddrs: { 0: broker.brokerAddr } }],
    };
  }

  /** Forget what is cached about a topic (after a refusal that says the route changed). */
  invalidate(topic: string): void {
    this.#routes.delete(topic);
    this.#topics.delete(topic);
  }

  /** The topic's message type, from the local broker's table or the first broker of its route. */
  async topicInfo(topic: string, route: TopicRouteData): Promise<TopicInfo | null> {
    const cached = this.#topics.get(topic);
    if (cached && Date.now() - cached.atMs < GRPC_ROUTE_CACHE_MS) return cached.value;
    let attributes: Record<string, string> | undefined;
    let found = false;
    const local = this.#options.localBroker;
    const localConfig = local && route.queueDatas.some((q) => q.brokerName === local.config.brokerName) ? local.topicConfigManager.get(topic) : undefined;
    if (localConfig) {
      attributes = localConfig.attributes;
      found = true;
    } else if (this.#admin) {
      for (const queueData of route.queueDatas) {
        const address = this.#brokerAddrs.get(queueData.brokerName);
        if (!address) continue;
        const config = await this.#admin.getTopicConfig(address, topic).catch(() => null);
        if (config) {
          attributes = config.attributes;
          found = true;
          break;
        }
      }
    }
    const value = found ? { messageType: messageTypeAttribute(attributes) } : null;
    remember(this.#topics, topic, value);
    return value;
  }

  /** A consumer group's config (retry times, orderly), from the local broker or a broker of the route. */
  async groupConfig(group: string, brokerNames: string[]): Promise<SubscriptionGroupConfig | null> {
    const cached = this.#groups.get(group);
    if (cached && Date.now() - cached.atMs < GRPC_ROUTE_CACHE_MS) return cached.value;
    let value: SubscriptionGroupConfig | null = null;
    const local = this.#options.localBroker;
    if (local && (brokerNames.length === 0 || brokerNames.includes(local.config.brokerName))) {
      value = local.subscriptionGroupManager.get(group) ?? null;
    } else if (this.#admin) {
      for (const name of brokerNames) {
        const address = this.#brokerAddrs.get(name);
        if (!address) continue;
        value = await this.#admin.getSubscriptionGroupConfig(address, group).catch(() => null);
        if (value) break;
      }
    }
    remember(this.#groups, group, value);
    return value;
  }

  brokerAddress(brokerName: string): string | undefined {
    if (brokerName === this.localBrokerName) return this.#options.localBroker!.brokerAddr;
    return this.#brokerAddrs.get(brokerName);
  }

  /** A client's way to its brokers. */
  link(identity: ClientIdentity, onBrokerRequest: BrokerRequestHandler): BrokerLink {
    return new BrokerLink(this, this.#options, identity, onBrokerRequest);
  }
}

/** The 5.x topic attribute `message.type` (stored without its "+", accepted with it). */
export function messageTypeAttribute(attributes: Record<string, string> | undefined): string {
  const value = attributes?.['message.type'] ?? attributes?.['+message.type'];
  return value ? value.toUpperCase() : 'NORMAL';
}

/** Who a client is, for the connections made on its behalf. */
export interface ClientIdentity {
  clientId: string;
  /** "ip:port" of the gRPC peer. */
  remoteAddress: string;
  localAddress: string;
}

/**
 * The connection the local broker sees for one gRPC client: requests it sends the client go to the client's
 * handler; closing it only marks it closed (the gRPC session owns the client's lifetime).
 */
class InProcessClientConnection implements RemotingConnection {
  readonly id: string;
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly attributes = new Map<string, unknown>();
  #closed = false;

  constructor(identity: ClientIdentity, private readonly brokerName: string, private readonly onRequest: BrokerRequestHandler) {
    this.id = `grpc:${identity.clientId}`;
    this.remoteAddress = identity.remoteAddress;
    this.localAddress = identity.localAddress;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async invoke(request: RemotingCommand): Promise<RemotingCommand> {
    if (this.#closed) throw new BrokerError('BROKER_ERR_CONNECTION_CLOSED', `gRPC client ${this.id} is gone`, { retriable: true });
    return this.onRequest(this.brokerName, request) ?? createResponse(request, ResponseCode.SUCCESS);
  }

  invokeOneway(request: RemotingCommand): void {
    if (!this.#closed) this.onRequest(this.brokerName, request);
  }

  close(): void {
    this.#closed = true;
  }
}

/** One gRPC client's path to the brokers: in process to the local broker, a remoting connection to the others. */
export class BrokerLink {
  readonly #gateway: BrokerGateway;
  readonly #options: BrokerGatewayOptions;
  readonly #identity: ClientIdentity;
  readonly #onBrokerRequest: BrokerRequestHandler;
  #local: InProcessClientConnection | undefined;
  #remote: RemotingClient | undefined;
  /** Remote broker address → its name, for requests the broker sends back. */
  readonly #namesByAddress = new Map<string, string>();

  constructor(gateway: BrokerGateway, options: BrokerGatewayOptions, identity: ClientIdentity, onBrokerRequest: BrokerRequestHandler) {
    this.#gateway = gateway;
    this.#options = options;
    this.#identity = identity;
    this.#onBrokerRequest = onBrokerRequest;
  }

  /** The in-process connection's id, when this client has used the local broker. */
  get localConnectionId(): string | undefined {
    return this.#local?.id;
  }

  async invoke(brokerName: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const local = this.#options.localBroker;
    if (local && brokerName === local.config.brokerName) {
      this.#local ??= new InProcessClientConnection(this.#identity, brokerName, this.#onBrokerRequest);
      return (await local.invokeInProcess(request, this.#local)) ?? createResponse(request, ResponseCode.SUCCESS);
    }
    const address = this.#gateway.brokerAddress(brokerName);
    if (!address) throw new BrokerError('BROKER_ERR_NO_ROUTE', `no address known for broker ${brokerName}`);
    this.#namesByAddress.set(address, brokerName);
    return this.#remoteClient().invoke(address, request, timeoutMs);
  }

  #remoteClient(): RemotingClient {
    if (this.#remote) return this.#remote;
    const client = new RemotingClient({
      logger: this.#options.logger,
      connectTimeoutMs: Math.min(3_000, this.#options.requestTimeoutMs),
      ...(this.#options.credentials ? { rpcHook: aclRpcHook(this.#options.credentials) } : {}),
    });
    const forward = (request: RemotingCommand, connection: RemotingConnection): RemotingCommand | null => {
      const brokerName = this.#namesByAddress.get(connection.remoteAddress) ?? this.#nameOfAddress(connection.remoteAddress);
      return this.#onBrokerRequest(brokerName, request);
    };
    for (const code of BROKER_TO_CLIENT_CODES) client.registerProcessor(code, forward);
    this.#remote = client;
    return client;
  }

  #nameOfAddress(address: string): string {
    for (const [known, name] of this.#namesByAddress) if (known.endsWith(address.slice(address.lastIndexOf(':')))) return name;
    return '';
  }

  /** The client ended: the local broker forgets its connection, the remote ones see theirs close. */
  async close(): Promise<void> {
    if (this.#local) {
      this.#local.close();
      this.#options.localBroker?.clientConnectionGone(this.#local.id);
    }
    await this.#remote?.close();
  }
}

/** Requests a broker sends to clients. */
const BROKER_TO_CLIENT_CODES = [RequestCode.CHECK_TRANSACTION_STATE, RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, RequestCode.RESET_CONSUMER_CLIENT_OFFSET, RequestCode.GET_CONSUMER_RUNNING_INFO, RequestCode.CONSUME_MESSAGE_DIRECTLY];
