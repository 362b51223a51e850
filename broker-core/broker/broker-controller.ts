/**
 * The Broker: wires managers, the store and the request processors (the single registerProcessor table
 * below), listens on listenPort (and the "fast" port), registers with the NameServers every 30 s.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { BAD_REQUEST_LOG_WINDOW_MS, BAD_REQUESTS_LOGGED_PER_WINDOW_MAX, BROKER_CHANNEL_EXPIRED_MS, REBALANCE_LOCK_MAX_LIVE_MS, REGISTER_BROKER_TIMEOUT_MS, REGISTER_NAMESRV_PERIOD_MS_MAX, REGISTER_NAMESRV_PERIOD_MS_MIN } from '../config/limits';
import { AclField } from '../acl/acl-signer';
import { BrokerAcl } from '../acl/broker-acl';
import { RequestCode, requestCodeName } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { HeaderFieldConflictError } from '../protocol/headers/header-schema';
import { createRequest, createResponse, type RemotingCommand } from '../protocol/remoting-command';
import { decodeRequest, type DecodedRequest } from '../protocol/requests';
import { parseJavaJson } from '../protocol/fastjson';
import { RemotingClient } from '../remoting/remoting-client';
import { RemotingServer, type RemotingConnection, type RequestProcessor } from '../remoting/remoting-server';
import type { HostAddress, MessageStore } from '../store/message-store';
import { BrokerError } from '../util/errors';
import { createLogger, type Logger } from '../util/logger';
import { RateLimitedLog } from '../util/rate-limited-log';
import type { BrokerContext, Processor } from './broker-context';
import { resolveBrokerConfig, type BrokerConfig } from './broker-config';
import { ConsumerManager, ProducerManager, RebalanceLockManager, type ClientChannelInfo } from './groups/consumer-manager';
import { SubscriptionGroupManager } from './groups/subscription-group-manager';
import { PullRequestHoldService } from './long-polling/pull-request-hold-service';
import { ConsumerOffsetManager } from './offsets/consumer-offset-manager';
import * as acl from './processors/acl-processor';
import * as admin from './processors/admin-processor';
import * as client from './processors/client-manage-processor';
import { processPullMessage } from './processors/pull-message-processor';
import { processEndTransaction } from './processors/end-transaction-processor';
import { processSendReplyMessage } from './processors/reply-message-processor';
import * as pop from './processors/pop-message-processor';
import { PopService } from './pop/pop-service';
import { TimerMessageService } from './timer/timer-message-service';
import { processConsumerSendMsgBack, processSendMessage } from './processors/send-message-processor';
import { ScheduleMessageService } from './schedule/schedule-message-service';
import { TransactionalMessageService } from './transaction/transactional-message-service';
import { BrokerMetrics } from './metrics/broker-metrics';
import { BrokerStats } from './stats/broker-stats';
import { makeTopicConfig, TopicConfigManager } from './topics/topic-config-manager';

export type { BrokerConfig } from './broker-config';

export interface BrokerControllerOptions {
  logger?: Logger;
  /** Use this store instead of a DefaultMessageStore under storePathRootDir (tests). */
  store?: MessageStore;
}

/** One row of the processor table; the code's decoded type checks the processor's. */
function on<C extends number>(code: C, processor: Processor<NoInfer<C>>): [number, Processor] {
  return [code, processor as Processor];
}

const CHANNEL_SCAN_INTERVAL_MS = 10_000;

export class BrokerController implements BrokerContext {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly topicConfigManager: TopicConfigManager;
  readonly subscriptionGroupManager: SubscriptionGroupManager;
  readonly consumerOffsetManager: ConsumerOffsetManager;
  readonly consumerManager: ConsumerManager;
  readonly producerManager: ProducerManager;
  readonly lockManager = new RebalanceLockManager(REBALANCE_LOCK_MAX_LIVE_MS);
  readonly stats = new BrokerStats();
  /** Prometheus metrics (served on METRICS_PORT by `rocketdeck broker`, and by npm start's console). */
  readonly metrics: BrokerMetrics;
  readonly holdService: PullRequestHoldService;
  readonly bootTimestamp = Date.now();
  readonly acl: BrokerAcl | null;
  #store: MessageStore | undefined;
  #schedule: ScheduleMessageService | undefined;
  #transaction: TransactionalMessageService | undefined;
  #pop: PopService | undefined;
  #timer: TimerMessageService | undefined;
  readonly #server: RemotingServer;
  readonly #namesrvClient: RemotingClient;
  readonly #timers: NodeJS.Timeout[] = [];
  /** The processor table by request code, for requests served in this process (the gRPC endpoint's). */
  readonly #inProcess = new Map<number, RequestProcessor>();
  #port = 0;
  #fastPort: number | null = null;
  #started = false;
  #registerPending = false;
  readonly #injectedStore: MessageStore | undefined;
  /** Requests refused for naming a header field twice (a client bug or a probe), logged with their account. */
  readonly #badRequests: RateLimitedLog;

  constructor(config: Partial<BrokerConfig> & { storePathRootDir: string }, options: BrokerControllerOptions = {}) {
    this.config = resolveBrokerConfig(config);
    this.logger = options.logger ?? createLogger('broker');
    this.#injectedStore = options.store;
    this.#badRequests = new RateLimitedLog(this.logger, {
      windowMs: BAD_REQUEST_LOG_WINDOW_MS,
      perWindowMax: BAD_REQUESTS_LOGGED_PER_WINDOW_MAX,
      summary: (suppressed) => ({ message: `${suppressed} more requests refused for a header field sent under two names (not logged one by one)` }),
    });
    const root = this.config.storePathRootDir;
    this.topicConfigManager = new TopicConfigManager(root, {
      clusterName: this.config.brokerClusterName,
      brokerName: this.config.brokerName,
      defaultTopicQueueNums: this.config.defaultTopicQueueNums,
      autoCreateTopicEnable: () => this.config.autoCreateTopicEnable,
      clusterTopicEnable: this.config.clusterTopicEnable,
      brokerTopicEnable: this.config.brokerTopicEnable,
      logger: this.logger.child('config'),
    });
    this.subscriptionGroupManager = new SubscriptionGroupManager(root, () => this.config.autoCreateSubscriptionGroup, this.logger.child('config'));
    this.consumerOffsetManager = new ConsumerOffsetManager(root);
    this.consumerManager = new ConsumerManager((group, channels) => this.#notifyConsumerIdsChanged(group, channels));
    this.producerManager = new ProducerManager();
    this.holdService = new PullRequestHoldService(this.logger, (topic, queueId) => this.store.getMaxOffsetInQueue(topic, queueId));
    this.#server = new RemotingServer({ name: 'broker', logger: this.logger.child('remoting'), channelMaxIdleMs: this.config.serverChannelMaxIdleTimeSeconds * 1000 });
    this.#namesrvClient = new RemotingClient({ logger: this.logger.child('namesrv-client') });
    this.acl = this.config.aclEnable
      ? new BrokerAcl({ file: this.config.aclFile, watchIntervalMs: this.config.aclFileWatchIntervalMs, logger: this.logger.child('acl') })
      : null;
    this.metrics = new BrokerMetrics(this);
    this.#registerProcessors();
  }

  get transaction(): TransactionalMessageService {
    if (!this.#transaction) throw new BrokerError('BROKER_ERR_CLOSED', 'the broker is not started');
    return this.#transaction;
  }

  get pop(): PopService {
    if (!this.#pop) throw new BrokerError('BROKER_ERR_CLOSED', 'the broker is not started');
    return this.#pop;
  }

  get timer(): TimerMessageService {
    if (!this.#timer) throw new BrokerError('BROKER_ERR_CLOSED', 'the broker is not started');
    return this.#timer;
  }

  get store(): MessageStore {
    if (!this.#store) throw new BrokerError('BROKER_ERR_CLOSED', 'the broker is not started');
    return this.#store;
  }

  /** The bound listen port (after start). */
  /** Client connections open now (every listening port). */
  get connectionCount(): number {
    return this.#server.connections().length;
  }

  get port(): number {
    return this.#port;
  }

  get fastPort(): number | null {
    return this.#fastPort;
  }

  get brokerAddr(): string {
    return `${this.config.brokerIP1}:${this.#port}`;
  }

  get storeHost(): HostAddress {
    return { address: this.config.brokerIP1, port: this.#port };
  }

  #registerProcessors(): void {
    const table: [number, Processor][] = [
      on(RequestCode.SEND_MESSAGE, processSendMessage),
      on(RequestCode.SEND_MESSAGE_V2, processSendMessage),
      on(RequestCode.SEND_BATCH_MESSAGE, processSendMessage),
      on(RequestCode.SEND_REPLY_MESSAGE, processSendReplyMessage),
      on(RequestCode.SEND_REPLY_MESSAGE_V2, processSendReplyMessage),
      on(RequestCode.CONSUMER_SEND_MSG_BACK, processConsumerSendMsgBack),
      on(RequestCode.END_TRANSACTION, processEndTransaction),
      on(RequestCode.PULL_MESSAGE, processPullMessage),
      on(RequestCode.POP_MESSAGE, pop.processPopMessage),
      on(RequestCode.ACK_MESSAGE, pop.processAckMessage),
      on(RequestCode.BATCH_ACK_MESSAGE, pop.processBatchAckMessage),
      on(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, pop.processChangeInvisibleTime),
      on(RequestCode.QUERY_ASSIGNMENT, pop.processQueryAssignment),
      on(RequestCode.HEART_BEAT, client.processHeartbeat),
      on(RequestCode.UNREGISTER_CLIENT, client.processUnregisterClient),
      on(RequestCode.CHECK_CLIENT_CONFIG, client.processCheckClientConfig),
      on(RequestCode.GET_CONSUMER_LIST_BY_GROUP, client.processGetConsumerListByGroup),
      on(RequestCode.QUERY_CONSUMER_OFFSET, client.processQueryConsumerOffset),
      on(RequestCode.UPDATE_CONSUMER_OFFSET, client.processUpdateConsumerOffset),
      on(RequestCode.GET_MAX_OFFSET, client.processGetMaxOffset),
      on(RequestCode.GET_MIN_OFFSET, client.processGetMinOffset),
      on(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, client.processSearchOffsetByTimestamp),
      on(RequestCode.GET_EARLIEST_MSG_STORETIME, client.processGetEarliestMsgStoretime),
      on(RequestCode.LOCK_BATCH_MQ, client.processLockBatchMq),
      on(RequestCode.UNLOCK_BATCH_MQ, client.processUnlockBatchMq),
      on(RequestCode.UPDATE_AND_CREATE_TOPIC, admin.processUpdateAndCreateTopic),
      on(RequestCode.DELETE_TOPIC_IN_BROKER, admin.processDeleteTopic),
      on(RequestCode.GET_ALL_TOPIC_CONFIG, admin.processGetAllTopicConfig),
      on(RequestCode.GET_TOPIC_CONFIG, admin.processGetTopicConfig),
      on(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, admin.processUpdateAndCreateSubscriptionGroup),
      on(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, admin.processGetAllSubscriptionGroup),
      on(RequestCode.GET_SUBSCRIPTIONGROUP_CONFIG, admin.processGetSubscriptionGroupConfig),
      on(RequestCode.DELETE_SUBSCRIPTIONGROUP, admin.processDeleteSubscriptionGroup),
      on(RequestCode.GET_BROKER_CONFIG, admin.processGetBrokerConfig),
      on(RequestCode.UPDATE_BROKER_CONFIG, admin.processUpdateBrokerConfig),
      on(RequestCode.GET_BROKER_RUNTIME_INFO, admin.processGetBrokerRuntimeInfo),
      on(RequestCode.GET_TIMER_METRICS, admin.processGetTimerMetrics),
      on(RequestCode.VIEW_BROKER_STATS_DATA, admin.processViewBrokerStatsData),
      on(RequestCode.GET_TOPIC_STATS_INFO, admin.processGetTopicStatsInfo),
      on(RequestCode.GET_CONSUME_STATS, admin.processGetConsumeStats),
      on(RequestCode.GET_BROKER_CONSUME_STATS, admin.processGetBrokerConsumeStats),
      on(RequestCode.GET_CONSUMER_CONNECTION_LIST, admin.processGetConsumerConnectionList),
      on(RequestCode.GET_PRODUCER_CONNECTION_LIST, admin.processGetProducerConnectionList),
      on(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, admin.processQueryTopicConsumeByWho),
      on(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, admin.processInvokeBrokerToResetOffset),
      on(RequestCode.GET_CONSUMER_RUNNING_INFO, admin.processGetConsumerRunningInfo),
      on(RequestCode.CONSUME_MESSAGE_DIRECTLY, admin.processConsumeMessageDirectly),
      on(RequestCode.VIEW_MESSAGE_BY_ID, admin.processViewMessageById),
      on(RequestCode.QUERY_MESSAGE, admin.processQueryMessage),
      on(RequestCode.UPDATE_AND_CREATE_ACL_CONFIG, acl.processUpdateAndCreateAclConfig),
      on(RequestCode.DELETE_ACL_CONFIG, acl.processDeleteAclConfig),
      on(RequestCode.GET_BROKER_CLUSTER_ACL_INFO, acl.processGetBrokerClusterAclInfo),
      on(RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG, acl.processUpdateGlobalWhiteAddrsConfig),
      on(RequestCode.GET_BROKER_CLUSTER_ACL_CONFIG, acl.processGetBrokerClusterAclConfig),
    ];
    for (const [code, processor] of table) {
      this.#inProcess.set(code, this.#guard(code, processor, false));
      this.#server.registerProcessor(code, this.#guard(code, processor, true));
    }
  }

  /**
   * Serves a request in this process, as if it had come on `connection`, through the same processor table and
   * fault handling as the remoting ports but without the remoting ACL check: the caller (the gRPC endpoint)
   * checked access by its own protocol's rules. Null when the processor answers nothing (oneway semantics).
   */
  async invokeInProcess(request: RemotingCommand, connection: RemotingConnection): Promise<RemotingCommand | null> {
    const processor = this.#inProcess.get(request.code);
    if (!processor) return createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, `request type ${request.code} not supported`);
    return processor(request, connection);
  }

  /** A client connection that does not live on the remoting ports (a gRPC client) went away or ended its session. */
  clientConnectionGone(connectionId: string): void {
    this.#connectionGone(connectionId);
  }

  /**
   * Every processor answers (after the ACL, when on and asked for); a bad header or a fault becomes an error
   * response with a remark. The request is decoded once, here: the ACL checks and the processor executes that one
   * decoding.
   */
  #guard(code: number, processor: Processor, checkAcl: boolean): RequestProcessor {
    return async (request, connection) => {
      if (!this.#started) return createResponse(request, ResponseCode.SERVICE_NOT_AVAILABLE, 'the broker is starting or shutting down');
      let decoded: DecodedRequest | Error;
      try {
        decoded = decodeRequest(request);
      } catch (err) {
        decoded = err instanceof Error ? err : new Error(String(err));
      }
      const refused = checkAcl ? this.acl?.check(request, connection, decoded) : null;
      if (refused) return refused;
      if (decoded instanceof Error) {
        if (decoded instanceof HeaderFieldConflictError) {
          this.#badRequests.warn('request refused: a header field sent under two names', {
            request: requestCodeName(code), from: connection.remoteAddress, accessKey: request.extFields?.[AclField.ACCESS_KEY] ?? null, error: decoded.message,
          });
        }
        return createResponse(request, ResponseCode.SYSTEM_ERROR, decoded.message);
      }
      const started = performance.now();
      try {
        const response = await processor(this, request, connection, decoded);
        this.metrics.observeRequest(request, response, performance.now() - started);
        return response;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const codeName = (err as { code?: string }).code;
        if (codeName !== 'BROKER_ERR_INVALID_ARGUMENT') {
          this.logger.warn('request failed', { request: requestCodeName(code), from: connection.remoteAddress, error: message });
        }
        const response = createResponse(request, ResponseCode.SYSTEM_ERROR, message);
        this.metrics.observeRequest(request, response, performance.now() - started);
        return response;
      }
    };
  }

  async start(): Promise<void> {
    const root = this.config.storePathRootDir;
    this.acl?.start(); // a bad plain_acl.yml stops the start here, before anything is opened
    fs.mkdirSync(path.join(root, 'config'), { recursive: true });
    const configLogger = this.logger.child('config');
    this.topicConfigManager.load(configLogger);
    this.subscriptionGroupManager.load(configLogger);
    this.consumerOffsetManager.load(configLogger);

    const store: MessageStore = this.#injectedStore ?? (await this.#createDefaultStore());
    this.#store = store;
    store.setMessageArrivingListener((topic, queueId, maxQueueOffset, tagsCode) => {
      this.holdService.notifyMessageArriving(topic, queueId, maxQueueOffset, tagsCode);
      this.#pop?.notifyMessageArriving(topic);
      this.#timer?.notifyMessageArriving(topic);
    });
    store.setFlushListener?.((durationMs) => this.metrics.observeFlush(durationMs));
    await store.start();
    this.#recoverTopicsFromStore();

    this.#schedule = new ScheduleMessageService(root, this.config.messageDelayLevel, store, this.logger.child('schedule'));
    this.#schedule.load();
    this.#transaction = new TransactionalMessageService(store, this.consumerOffsetManager, this.producerManager, {
      transactionTimeOutMs: this.config.transactionTimeOut,
      transactionCheckMax: this.config.transactionCheckMax,
      transactionCheckIntervalMs: this.config.transactionCheckInterval,
    }, this.logger.child('transaction'), `${this.config.brokerIP1}`);

    this.#pop = new PopService({
      config: this.config,
      store,
      topicConfigManager: this.topicConfigManager,
      subscriptionGroupManager: this.subscriptionGroupManager,
      consumerOffsetManager: this.consumerOffsetManager,
      logger: this.logger.child('pop'),
      storeHost: () => this.storeHost,
      registerBrokerAll: () => this.registerBrokerAll(),
    });
    this.#pop.start();
    this.#timer = new TimerMessageService({
      store,
      topicConfigManager: this.topicConfigManager,
      storePathRootDir: root,
      timerMaxDelaySec: () => this.config.timerMaxDelaySec,
      logger: this.logger.child('timer'),
    });
    this.#timer.start();

    this.#server.onConnectionClose((connection) => this.#connectionGone(connection.id));
    try {
      this.#port = await this.#server.listen(this.config.listenPort);
      if (this.config.fastListenPort !== null) this.#fastPort = await this.#server.listen(this.config.fastListenPort);
    } catch (err) {
      await this.#server.close();
      await store.shutdown();
      this.acl?.shutdown();
      throw err;
    }
    this.#started = true;
    this.holdService.start();
    this.#schedule.start();
    this.#transaction.start();
    this.#every(this.config.offsetFlushIntervalMs, () => this.#persistOffsets());
    // Scanned at least twice per expiry period, so a short test expiry is honoured too.
    this.#every(Math.max(100, Math.min(CHANNEL_SCAN_INTERVAL_MS, (this.config.channelExpiredTimeoutMs ?? BROKER_CHANNEL_EXPIRED_MS) / 2)), () => this.#scanNotActiveChannels());
    const registerEveryMs = Math.max(REGISTER_NAMESRV_PERIOD_MS_MIN, Math.min(this.config.registerNameServerPeriodMs, REGISTER_NAMESRV_PERIOD_MS_MAX));
    this.#every(registerEveryMs, () => void this.#registerBrokerAllNow());
    await this.#registerBrokerAllNow();
    this.logger.info('broker started', { brokerAddr: this.brokerAddr, fastPort: this.#fastPort, namesrvAddr: this.config.namesrvAddr.join(';'), acl: this.acl ? this.acl.manager.file : 'off' });
  }

  async #createDefaultStore(): Promise<MessageStore> {
    const { DefaultMessageStore } = await import('../store/default-message-store');
    return new DefaultMessageStore({
      storePathRootDir: this.config.storePathRootDir,
      flushDiskType: this.config.flushDiskType,
      messageDelayLevel: this.config.messageDelayLevel,
      maxMessageSizeBytes: this.config.maxMessageSizeBytes,
      fileReservedTimeHours: this.config.fileReservedTime,
      deleteWhen: this.config.deleteWhen,
      diskMaxUsedSpaceRatio: this.config.diskMaxUsedSpaceRatio,
      flushIntervalCommitLogMs: this.config.flushIntervalCommitLog,
      commitLogFileBytes: this.config.mappedFileSizeCommitLog,
      logger: this.logger.child('store'),
    });
  }

  #every(intervalMs: number, task: () => void): void {
    const timer = setInterval(() => {
      try {
        task();
      } catch (err) {
        this.logger.warn('periodic task failed', { error: err instanceof Error ? err.message : String(err) });
      }
    }, intervalMs);
    timer.unref();
    this.#timers.push(timer);
  }

  /** Topics with consume queues on disk but no config (topics.json lost) get a config back. */
  #recoverTopicsFromStore(): void {
    let added = false;
    for (const [topic, queueIds] of this.store.listConsumeQueues()) {
      if (this.topicConfigManager.get(topic)) continue;
      const queueNums = Math.max(...queueIds, 0) + 1;
      this.topicConfigManager.topicConfigTable.set(topic, makeTopicConfig(topic, Math.max(queueNums, 1), 6));
      added = true;
    }
    if (added) this.topicConfigManager.persist();
  }

  #persistOffsets(): void {
    this.consumerOffsetManager.flushIfDirty();
  }

  #connectionGone(connectionId: string): void {
    this.consumerManager.connectionGone(connectionId, this.config.notifyConsumerIdsChangedEnable);
    this.producerManager.connectionGone(connectionId);
    this.holdService.connectionGone(connectionId);
  }

  #scanNotActiveChannels(): void {
    const expiredMs = this.config.channelExpiredTimeoutMs ?? BROKER_CHANNEL_EXPIRED_MS;
    const expired = new Set([...this.consumerManager.scanExpired(expiredMs), ...this.producerManager.scanExpired(expiredMs)]);
    if (expired.size === 0) return;
    for (const connection of this.#server.connections()) {
      if (expired.has(connection.id)) {
        this.logger.info('closing a client silent for too long', { remoteAddress: connection.remoteAddress });
        connection.close();
      }
    }
    for (const id of expired) this.#connectionGone(id);
  }

  #notifyConsumerIdsChanged(group: string, channels: ClientChannelInfo[]): void {
    for (const channel of channels) {
      if (channel.connection.closed) continue;
      try {
        channel.connection.invokeOneway(createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: group }));
      } catch (err) {
        this.logger.debug('notify consumer ids changed failed', { group, error: (err as Error).message });
      }
    }
  }

  async topicRouteQueues(topic: string): Promise<{ brokerName: string; readQueueNums: number }[] | null> {
    for (const address of this.config.namesrvAddr) {
      try {
        const response = await this.#namesrvClient.invoke(address, createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }), REGISTER_BROKER_TIMEOUT_MS);
        if (response.code === ResponseCode.TOPIC_NOT_EXIST) break;
        if (response.code !== ResponseCode.SUCCESS || !response.body) continue;
        const route = parseJavaJson(response.body.toString('utf8')) as { queueDatas?: { brokerName?: unknown; readQueueNums?: unknown }[] } | null;
        const queues = (route?.queueDatas ?? [])
          .filter((queue) => typeof queue.brokerName === 'string' && typeof queue.readQueueNums === 'number')
          .map((queue) => ({ brokerName: queue.brokerName as string, readQueueNums: queue.readQueueNums as number }));
        if (queues.length > 0) return queues;
      } catch (err) {
        this.logger.debug('route query failed', { namesrv: address, topic, error: (err as Error).message });
      }
    }
    const local = this.topicConfigManager.get(topic);
    return local ? [{ brokerName: this.config.brokerName, readQueueNums: local.readQueueNums }] : null;
  }

  clientConnectionCount(): number {
    return this.#server.connections().length;
  }

  /** Schedules one REGISTER_BROKER to every NameServer (coalesces bursts of topic changes). */
  registerBrokerAll(): void {
    if (!this.#started || this.#registerPending) return;
    this.#registerPending = true;
    setImmediate(() => {
      this.#registerPending = false;
      void this.#registerBrokerAllNow();
    });
  }

  async #registerBrokerAllNow(): Promise<void> {
    if (this.config.namesrvAddr.length === 0) return;
    const wrapper = this.topicConfigManager.wrapper();
    if (!(this.config.brokerPermission & 2) || !(this.config.brokerPermission & 4)) {
      for (const config of Object.values(wrapper.topicConfigTable)) config.perm &= this.config.brokerPermission;
    }
    const body = Buffer.from(JSON.stringify({ filterServerList: [], topicConfigSerializeWrapper: wrapper }));
    const extFields = {
      brokerAddr: this.brokerAddr,
      brokerId: this.config.brokerId,
      brokerName: this.config.brokerName,
      clusterName: this.config.brokerClusterName,
      haServerAddr: `${this.config.brokerIP1}:${this.#port + 1}`,
      compressed: false,
      bodyCrc32: zlib.crc32(body) & 0x7fffffff,
    };
    await Promise.all(
      this.config.namesrvAddr.map(async (address) => {
        try {
          const response = await this.#namesrvClient.invoke(address, createRequest(RequestCode.REGISTER_BROKER, extFields, body), REGISTER_BROKER_TIMEOUT_MS);
          if (response.code !== ResponseCode.SUCCESS) this.logger.warn('register broker refused', { namesrv: address, code: response.code, remark: response.remark });
        } catch (err) {
          this.logger.warn('register broker failed', { namesrv: address, error: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
  }

  async #unregisterBroker(): Promise<void> {
    const extFields = { brokerAddr: this.brokerAddr, brokerId: this.config.brokerId, brokerName: this.config.brokerName, clusterName: this.config.brokerClusterName };
    await Promise.all(
      this.config.namesrvAddr.map(async (address) => {
        try {
          await this.#namesrvClient.invoke(address, createRequest(RequestCode.UNREGISTER_BROKER, extFields), 3_000);
        } catch (err) {
          this.logger.warn('unregister broker failed', { namesrv: address, error: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
  }

  async shutdown(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.length = 0;
    await this.#unregisterBroker();
    this.holdService.shutdown();
    this.#schedule?.shutdown();
    this.#transaction?.shutdown();
    this.#pop?.shutdown();
    this.#timer?.shutdown();
    this.acl?.shutdown();
    this.#badRequests.flush();
    try {
      this.consumerOffsetManager.persist();
    } catch (err) {
      this.logger.error('persisting consumer offsets failed', { error: (err as Error).message });
    }
    // Topic and group changes not yet written (auto-created retry topics, say) go to disk before the process ends.
    for (const manager of [this.topicConfigManager, this.subscriptionGroupManager]) {
      try {
        await manager.persisted();
      } catch (err) {
        this.logger.error('persisting topic or group configs failed', { error: (err as Error).message });
      }
    }
    await this.#server.close();
    await this.#namesrvClient.close();
    await this.#store?.shutdown();
    this.logger.info('broker stopped', { brokerAddr: this.brokerAddr });
  }
}
