/**
 * PushConsumer (RocketMQ's DefaultMQPushConsumer, concurrent listener): subscriptions with tag expressions,
 * clustering (queues shared by the group, offsets on the broker) or broadcasting (every client reads every
 * queue, offsets in a local file), rebalance with the average strategy every 20 s and when a broker says the
 * group changed, one long-polling pull loop per owned queue with flow control, a bounded pool of listener
 * calls, offsets committed every 5 s, on pulls and on shutdown, failed messages sent back for retry.
 * With `orderly: true` (RocketMQ's MessageListenerOrderly) each queue is locked on its broker before it is
 * pulled (LOCK_BATCH_MQ, renewed every 20 s, a lock older than 30 s is not trusted), one listener call runs
 * per queue at a time in offset order, SUSPEND_CURRENT_QUEUE_A_MOMENT retries the same messages after a pause
 * without moving on, and a queue handed to another client is unlocked only after its offset is committed.
 * Timings: protocol.md §6.2, §6.3.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseJavaJson, stringifyJavaJson } from '../protocol/fastjson';
import { createResponse, type RemotingCommand } from '../protocol/remoting-command';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { buildSubscriptionData, isTagType } from '../broker/filter/subscription';
import { BrokerError, errorMessage } from '../util/errors';
import type { SubscriptionData, TopicRouteData } from './admin-client';
import { allocateAveragely, type AllocateStrategy } from './allocate';
import { ClientInstance, compareQueues, queueKey, type ClientMember, type ClientOptions, type ConsumerData, type MessageQueue } from './client-instance';
import { decodeMessages, MessageProperty, type MessageExt } from './message';
import { subscriptionOf, type MessageSelector } from './message-selector';
import { LocalFileOffsetStore, RemoteBrokerOffsetStore, type OffsetStore } from './offset-store';
import { TraceDispatcher } from './trace-dispatcher';

export type MessageModel = 'CLUSTERING' | 'BROADCASTING';
export type ConsumeFromWhere = 'CONSUME_FROM_LAST_OFFSET' | 'CONSUME_FROM_FIRST_OFFSET' | 'CONSUME_FROM_TIMESTAMP';
/** RECONSUME_LATER for concurrent listeners; SUSPEND_CURRENT_QUEUE_A_MOMENT for orderly ones. */
export type ConsumeStatus = 'CONSUME_SUCCESS' | 'RECONSUME_LATER' | 'SUSPEND_CURRENT_QUEUE_A_MOMENT';

export interface ConsumeContext {
  queue: MessageQueue;
  /** 0 lets the broker choose (3 + reconsumeTimes); set > 0 to pick the next retry delay level. */
  delayLevelWhenNextConsume: number;
}

/** Resolve (or return CONSUME_SUCCESS) when done; throw or return RECONSUME_LATER to have them retried. */
export type MessageListener = (messages: MessageExt[], context: ConsumeContext) => Promise<ConsumeStatus | void> | ConsumeStatus | void;

export interface PushConsumerOptions extends ClientOptions {
  groupName: string;
  messageModel?: MessageModel;
  consumeFromWhere?: ConsumeFromWhere;
  /** For CONSUME_FROM_TIMESTAMP (default: 30 minutes before start). */
  consumeTimestamp?: number;
  /** Listener calls running at once (default 20, Java's consumeThreadMax). */
  consumeThreadMax?: number;
  /** Messages per listener call (default 1). */
  consumeMessageBatchMaxSize?: number;
  /** Messages per pull (default 32). */
  pullBatchSize?: number;
  /** Flow control: pulls of a queue pause above this many cached messages (default 1 000) … */
  pullThresholdForQueue?: number;
  /** … or above this many cached body MiB (default 100). */
  pullThresholdSizeForQueueMiB?: number;
  rebalanceIntervalMs?: number;
  persistConsumerOffsetIntervalMs?: number;
  /** How long the broker may hold a pull with nothing to return (default 15 000 ms). */
  brokerSuspendMaxTimeMillis?: number;
  /** Pause after a failed pull (default 3 000 ms). */
  pullRetryDelayMs?: number;
  /** Retries before a message goes to the dead-letter queue (default 16; −1 = broker default). */
  maxReconsumeTimes?: number;
  /** Broadcasting offsets live here (default ROCKETMQ_CLIENT_LOCAL_OFFSET_STORE_DIR or ~/.rocketmq_offsets). */
  offsetStoreDir?: string;
  allocateStrategy?: AllocateStrategy;
  /** Orderly consumption: queue locks on the broker, one listener call per queue at a time (default false). */
  orderly?: boolean;
  /** Orderly: pause before a suspended queue is consumed again (default 1 000 ms). */
  suspendCurrentQueueTimeMillis?: number;
  /** Write SubBefore / SubAfter trace records around every listener call (RocketMQ's enableMsgTrace). */
  enableMsgTrace?: boolean;
  customizedTraceTopic?: string;
}

/** The client trusts a broker queue lock for this long after it was last granted (Java: 30 s). */
const LOCK_MAX_LIVE_MS = 30_000;
/** Orderly: every owned queue's lock is renewed this often (Java: 20 s). */
const LOCK_RENEW_MS = 20_000;

class ProcessQueue {
  readonly messages = new Map<number, MessageExt>();
  bytes = 0;
  maxOffset = -1;
  dropped = false;
  lastPullTimestamp = 0;
  lastConsumeTimestamp = Date.now();
  /** Orderly: the broker granted this client the queue's lock at lastLockTimestamp. */
  locked = false;
  lastLockTimestamp = 0;
  /** Orderly: the listener call in flight for this queue, if any. */
  consuming: Promise<void> | null = null;
  /** The broker id the last pull response suggested (suggestWhichBrokerId; 0 = the master). */
  suggestedBrokerId = 0;

  lockValid(): boolean {
    return this.locked && Date.now() - this.lastLockTimestamp < LOCK_MAX_LIVE_MS;
  }

  /** Orderly: the first `count` cached messages in offset order. */
  head(count: number): MessageExt[] {
    return [...this.messages.keys()].sort((a, b) => a - b).slice(0, count).map((o) => this.messages.get(o)!);
  }

  put(messages: MessageExt[]): void {
    for (const m of messages) {
      if (this.messages.has(m.queueOffset)) continue;
      this.messages.set(m.queueOffset, m);
      this.bytes += m.body.length;
      if (m.queueOffset > this.maxOffset) this.maxOffset = m.queueOffset;
    }
  }

  /** Removes consumed messages; returns the offset to commit (lowest still cached, else max + 1), or −1. */
  remove(messages: MessageExt[]): number {
    if (this.maxOffset < 0) return -1;
    for (const m of messages) {
      if (this.messages.delete(m.queueOffset)) this.bytes -= m.body.length;
    }
    this.lastConsumeTimestamp = Date.now();
    for (const offset of this.messages.keys()) return offset;
    return this.maxOffset + 1;
  }

  minCachedOffset(): number {
    for (const offset of this.messages.keys()) return offset;
    return -1;
  }
}

interface Assignment {
  mq: MessageQueue;
  pq: ProcessQueue;
  loop: Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

export class PushConsumer {
  readonly group: string;
  readonly instance: ClientInstance;
  readonly #options: PushConsumerOptions;
  readonly #subscriptions = new Map<string, SubscriptionData>();
  readonly #assignments = new Map<string, Assignment>();
  readonly #offsets: OffsetStore;
  readonly #member: ClientMember;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #pending: (() => Promise<void>)[] = [];
  readonly #stats = { consumeOk: 0, consumeFailed: 0, pulled: 0, started: Date.now() };
  #listener: MessageListener | undefined;
  #running = 0;
  #idle: (() => void)[] = [];
  #state: 'created' | 'running' | 'closed' = 'created';
  #suspended = false;
  #rebalancing: Promise<void> | null = null;
  #rebalanceAgain = false;
  #consumeTimestamp = 0;
  readonly #trace: TraceDispatcher | undefined;

  constructor(options: PushConsumerOptions) {
    if (!options.groupName || !/^[%|a-zA-Z0-9_-]+$/.test(options.groupName)) {
      throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `consumer group "${options.groupName}" is not a valid group name`);
    }
    this.#options = options;
    this.group = options.groupName;
    this.instance = new ClientInstance(options);
    if (this.messageModel === 'BROADCASTING') {
      const dir = options.offsetStoreDir ?? process.env.ROCKETMQ_CLIENT_LOCAL_OFFSET_STORE_DIR ?? path.join(os.homedir(), '.rocketmq_offsets');
      this.#offsets = new LocalFileOffsetStore(dir, `${this.instance.clientIP}@${options.instanceName ?? 'DEFAULT'}`, this.group);
    } else {
      this.#offsets = new RemoteBrokerOffsetStore(this.instance, this.group);
    }
    if (options.enableMsgTrace) this.#trace = new TraceDispatcher(options, this.group, options.customizedTraceTopic);
    this.#member = {
      kind: 'consumer',
      group: this.group,
      topics: () => [...this.#subscriptions.keys()],
      consumerData: () => this.#consumerData(),
      onConsumerIdsChanged: () => this.rebalanceNow(),
      onRequest: (request) => this.#onRequest(request),
    };
  }

  get clientId(): string {
    return this.instance.clientId;
  }

  get messageModel(): MessageModel {
    return this.#options.messageModel ?? 'CLUSTERING';
  }

  /** Orderly consumption with broker locks (clustering only: broadcasting clients each read every queue in order anyway). */
  get orderly(): boolean {
    return this.#options.orderly === true;
  }

  get #locking(): boolean {
    return this.orderly && this.messageModel === 'CLUSTERING';
  }

  /**
   * Subscribe to a topic with a tag expression (`*`, `TagA`, `TagA || TagB`) or a selector
   * (`MessageSelector.bySql("a > 5 AND TAGS = 'TagA'")`). May be called after start.
   */
  subscribe(topic: string, selector: string | MessageSelector = '*'): this {
    const data = subscriptionOf(topic, selector);
    this.#subscriptions.set(topic, data);
    if (this.messageModel === 'CLUSTERING' && !topic.startsWith('%RETRY%')) {
      const retry = `%RETRY%${this.group}`;
      if (!this.#subscriptions.has(retry)) this.#subscriptions.set(retry, buildSubscriptionData(retry, '*')!);
    }
    if (this.#state === 'running') {
      void this.instance.sendHeartbeatToAllBrokers();
      this.rebalanceNow();
    }
    return this;
  }

  unsubscribe(topic: string): void {
    this.#subscriptions.delete(topic);
    if (this.#state === 'running') this.rebalanceNow();
  }

  registerMessageListener(listener: MessageListener): this {
    this.#listener = listener;
    return this;
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') throw new BrokerError('BROKER_ERR_CLOSED', `consumer ${this.group} was already started`);
    if (!this.#listener) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', 'register a message listener before start()');
    if (this.#subscriptions.size === 0) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', 'subscribe to at least one topic before start()');
    this.#consumeTimestamp = this.#options.consumeTimestamp ?? Date.now() - 30 * 60_000;
    this.#offsets.load();
    this.instance.register(this.#member);
    this.instance.start();
    this.#state = 'running';
    this.#trace?.start();
    await this.instance.refreshAllRoutes();
    try {
      await this.#checkClientInBroker();
    } catch (err) {
      await this.shutdown({ awaitConsumingMs: 0 });
      throw err;
    }
    await this.instance.sendHeartbeatToAllBrokers();
    this.#timers.push(setInterval(() => this.rebalanceNow(), this.#options.rebalanceIntervalMs ?? 20_000).unref());
    this.#timers.push(setInterval(() => void this.persistOffsets(), this.#options.persistConsumerOffsetIntervalMs ?? 5_000).unref());
    if (this.#locking) this.#timers.push(setInterval(() => void this.#lockAll(), LOCK_RENEW_MS).unref());
    await this.rebalance();
  }

  /**
   * An SQL92 subscription is checked with a broker of its topic before consuming starts (CHECK_CLIENT_CONFIG, as
   * RocketMQ's checkClientInBroker): a broker that does not filter by SQL92, or finds the selector wrong, fails start().
   */
  async #checkClientInBroker(): Promise<void> {
    for (const subscription of this.#subscriptions.values()) {
      if (isTagType(subscription.expressionType)) continue;
      const route = await this.instance.route(subscription.topic);
      const brokerName = route?.brokerDatas[0]?.brokerName;
      const addr = brokerName ? this.instance.anyAddress(brokerName) : undefined;
      if (!addr) continue;
      const body = Buffer.from(stringifyJavaJson({ clientId: this.instance.clientId, group: this.group, subscriptionData: { ...subscription, classFilterMode: false } }));
      try {
        await this.instance.invoke(addr, this.instance.request(RequestCode.CHECK_CLIENT_CONFIG, undefined, body));
      } catch (err) {
        throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `Check client in broker error, maybe because you use ${subscription.expressionType} to filter message, but server has not been upgraded to support! ${errorMessage(err)}`, { cause: err });
      }
    }
  }

  /** Stops pulling, waits (bounded) for listener calls in flight, commits offsets, leaves the group. */
  async shutdown(options: { awaitConsumingMs?: number } = {}): Promise<void> {
    if (this.#state !== 'running') {
      this.#state = 'closed';
      await this.instance.shutdown();
      return;
    }
    this.#state = 'closed';
    for (const timer of this.#timers) clearInterval(timer);
    await this.#rebalancing?.catch(() => undefined);
    const queues = [...this.#assignments.values()];
    for (const a of queues) a.pq.dropped = true;
    this.#pending.length = 0;
    await Promise.race([this.#whenIdle(), sleep(options.awaitConsumingMs ?? 5_000)]);
    await this.#offsets.persistAll(queues.map((a) => a.mq));
    if (this.#locking) await this.#unlock(queues.map((a) => a.mq)).catch(() => undefined);
    this.#assignments.clear();
    await this.instance.unregisterClient({ consumerGroup: this.group });
    this.instance.unregister(this.#member);
    await this.#trace?.shutdown();
    await this.instance.shutdown();
  }

  /** Pause / resume pulling (consumption of what is cached goes on). */
  suspend(): void {
    this.#suspended = true;
  }

  resume(): void {
    this.#suspended = false;
  }

  /** The queues this client owns now, sorted. */
  assignedQueues(): MessageQueue[] {
    return [...this.#assignments.values()].map((a) => a.mq).sort(compareQueues);
  }

  /** Commits every owned queue's offset now. */
  async persistOffsets(): Promise<void> {
    if (this.#state !== 'running') return;
    await this.#offsets.persistAll([...this.#assignments.values()].map((a) => a.mq));
  }

  /** Rebalance soon (coalesced with one already running). */
  rebalanceNow(): void {
    if (this.#state !== 'running') return;
    void this.rebalance().catch((err: unknown) => this.instance.logger.warn('rebalance failed', { group: this.group, error: errorMessage(err) }));
  }

  async rebalance(): Promise<void> {
    if (this.#rebalancing) {
      this.#rebalanceAgain = true;
      return this.#rebalancing;
    }
    this.#rebalancing = (async () => {
      try {
        do {
          this.#rebalanceAgain = false;
          await this.#rebalanceOnce();
        } while (this.#rebalanceAgain && this.#state === 'running');
      } finally {
        this.#rebalancing = null;
      }
    })();
    return this.#rebalancing;
  }

  // ---------------------------------------------------------------- rebalance

  async #rebalanceOnce(): Promise<void> {
    for (const topic of [...this.#subscriptions.keys()]) {
      if (this.#state !== 'running') return;
      try {
        await this.#rebalanceTopic(topic);
      } catch (err) {
        this.instance.logger.debug('rebalance of a topic failed', { topic, error: errorMessage(err) });
      }
    }
    for (const [key, a] of this.#assignments) {
      if (!this.#subscriptions.has(a.mq.topic)) await this.#drop(key, a);
    }
  }

  async #rebalanceTopic(topic: string): Promise<void> {
    const route = this.instance.cachedRoute(topic) ?? (await this.instance.updateRoute(topic));
    if (!route) return;
    const mqAll = subscribeQueues(topic, route);
    let mine: MessageQueue[];
    if (this.messageModel === 'BROADCASTING') {
      mine = mqAll;
    } else {
      const cids = await this.#consumerIds(route);
      if (cids.length === 0) return; // no answer: keep what we have until the next round
      mine = (this.#options.allocateStrategy ?? allocateAveragely)(mqAll, cids, this.clientId);
    }
    const wanted = new Set(mine.map(queueKey));
    for (const [key, a] of this.#assignments) {
      if (a.mq.topic === topic && !wanted.has(key)) await this.#drop(key, a);
    }
    for (const mq of mine) {
      const key = queueKey(mq);
      if (this.#assignments.has(key) || this.#state !== 'running') continue;
      // Orderly: a queue is read only once its broker lock is ours (its previous owner unlocks after committing).
      if (this.#locking && (await this.#lock([mq])).length === 0) {
        this.instance.logger.debug('queue still locked by another client; trying again at the next rebalance', { queue: key });
        continue;
      }
      if (this.messageModel === 'CLUSTERING') this.#offsets.remove(mq);
      let offset: number;
      try {
        offset = await this.#computePullFromWhere(mq);
      } catch (err) {
        this.instance.logger.debug('start offset unknown, retrying at the next rebalance', { queue: key, error: errorMessage(err) });
        continue;
      }
      if (this.#assignments.has(key) || this.#state !== 'running') continue;
      const pq = new ProcessQueue();
      if (this.#locking) {
        pq.locked = true;
        pq.lastLockTimestamp = Date.now();
      }
      const assignment: Assignment = { mq, pq, loop: Promise.resolve() };
      this.#assignments.set(key, assignment);
      assignment.loop = this.#pullLoop(mq, pq, offset);
    }
  }

  async #drop(key: string, a: Assignment): Promise<void> {
    a.pq.dropped = true;
    this.#assignments.delete(key);
    // Orderly: the call in flight finishes (and its offset is recorded) before the offset is committed and the lock freed.
    if (a.pq.consuming) await Promise.race([a.pq.consuming, sleep(10_000)]);
    if (this.messageModel === 'CLUSTERING') {
      await this.#offsets.persist(a.mq).catch(() => undefined);
      this.#offsets.remove(a.mq);
    }
    if (this.#locking) await this.#unlock([a.mq]).catch(() => undefined);
  }

  // ---------------------------------------------------------------- orderly: broker locks

  /** LOCK_BATCH_MQ on each queue's broker; the queues granted. */
  async #lock(mqs: MessageQueue[]): Promise<MessageQueue[]> {
    const granted: MessageQueue[] = [];
    for (const [brokerName, queues] of groupByBroker(mqs)) {
      const addr = this.instance.masterAddress(brokerName);
      if (!addr) continue;
      try {
        const body = { consumerGroup: this.group, clientId: this.clientId, mqSet: queues.map(({ topic, brokerName: b, queueId }) => ({ topic, brokerName: b, queueId })) };
        const response = await this.instance.invoke(addr, this.instance.request(RequestCode.LOCK_BATCH_MQ, undefined, Buffer.from(JSON.stringify(body), 'utf8')));
        const ok = (parseJavaJson(response.body?.toString('utf8') ?? '{}') as { lockOKMQSet?: MessageQueue[] }).lockOKMQSet ?? [];
        const okKeys = new Set(ok.map((q) => queueKey({ topic: String(q.topic), brokerName: String(q.brokerName), queueId: Number(q.queueId) })));
        granted.push(...queues.filter((q) => okKeys.has(queueKey(q))));
      } catch (err) {
        this.instance.logger.debug('lock request failed', { broker: brokerName, error: errorMessage(err) });
      }
    }
    return granted;
  }

  async #unlock(mqs: MessageQueue[]): Promise<void> {
    for (const [brokerName, queues] of groupByBroker(mqs)) {
      const addr = this.instance.masterAddress(brokerName);
      if (!addr) continue;
      const body = { consumerGroup: this.group, clientId: this.clientId, mqSet: queues.map(({ topic, brokerName: b, queueId }) => ({ topic, brokerName: b, queueId })) };
      await this.instance.invoke(addr, this.instance.request(RequestCode.UNLOCK_BATCH_MQ, undefined, Buffer.from(JSON.stringify(body), 'utf8')));
    }
  }

  /** Renews the locks of every owned queue; a queue whose lock was refused stops being consumed until it is granted again. */
  async #lockAll(): Promise<void> {
    if (this.#state !== 'running') return;
    const owned = [...this.#assignments.values()];
    const granted = new Set((await this.#lock(owned.map((a) => a.mq))).map(queueKey));
    const now = Date.now();
    for (const a of owned) {
      if (granted.has(queueKey(a.mq))) {
        a.pq.locked = true;
        a.pq.lastLockTimestamp = now;
      } else {
        a.pq.locked = false;
      }
    }
  }

  async #consumerIds(route: TopicRouteData): Promise<string[]> {
    // Each broker name's master, else its first slave (a group's members are known to both).
    const addrs = route.brokerDatas.map((b) => b.brokerAddrs['0'] ?? Object.values(b.brokerAddrs)[0]).filter((a): a is string => Boolean(a));
    const start = Math.floor(Math.random() * Math.max(1, addrs.length));
    for (let i = 0; i < addrs.length; i++) {
      const addr = addrs[(start + i) % addrs.length]!;
      try {
        const response = await this.instance.invoke(addr, this.instance.request(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: this.group }), undefined, [ResponseCode.SUCCESS, ResponseCode.SYSTEM_ERROR]);
        if (response.code !== ResponseCode.SUCCESS || !response.body) continue;
        const ids = (parseJavaJson(response.body.toString('utf8')) as { consumerIdList?: string[] }).consumerIdList ?? [];
        if (ids.length > 0) return ids.map(String).sort();
      } catch (err) {
        this.instance.logger.debug('consumer list failed', { broker: addr, error: errorMessage(err) });
      }
    }
    return [];
  }

  async #computePullFromWhere(mq: MessageQueue): Promise<number> {
    const stored = await this.#offsets.readStore(mq);
    if (stored >= 0) return stored;
    const retry = mq.topic.startsWith('%RETRY%');
    const admin = this.instance.admin;
    const addr = this.instance.anyAddress(mq.brokerName);
    if (!addr) throw new Error(`no address for ${mq.brokerName}`);
    switch (this.#options.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET') {
      case 'CONSUME_FROM_FIRST_OFFSET':
        return 0;
      case 'CONSUME_FROM_TIMESTAMP':
        return retry ? admin.maxOffset(addr, mq.topic, mq.queueId) : admin.searchOffset(addr, mq.topic, mq.queueId, this.#consumeTimestamp);
      default:
        return retry ? 0 : admin.maxOffset(addr, mq.topic, mq.queueId);
    }
  }

  // ---------------------------------------------------------------- pulling

  async #pullLoop(mq: MessageQueue, pq: ProcessQueue, startOffset: number): Promise<void> {
    let offset = startOffset;
    const suspendMs = this.#options.brokerSuspendMaxTimeMillis ?? 15_000;
    const retryDelay = this.#options.pullRetryDelayMs ?? 3_000;
    const countMax = this.#options.pullThresholdForQueue ?? 1_000;
    const bytesMax = (this.#options.pullThresholdSizeForQueueMiB ?? 100) * 1024 * 1024;
    while (!pq.dropped && this.#state === 'running') {
      if (this.#suspended || pq.messages.size >= countMax || pq.bytes >= bytesMax) {
        await sleep(50);
        continue;
      }
      const subscription = this.#subscriptions.get(mq.topic);
      const target = this.instance.pullAddress(mq.brokerName, pq.suggestedBrokerId);
      if (!subscription || !target) {
        await sleep(retryDelay);
        continue;
      }
      const addr = target.addr;
      const commitOffset = this.messageModel === 'CLUSTERING' ? this.#offsets.readMemory(mq) : -1;
      // A slave keeps no offsets: the commit flag is only set towards a master (the offset store commits later).
      const sysFlag = (commitOffset > 0 && !target.slave ? 0x1 : 0) | 0x2 | 0x4;
      let response: RemotingCommand;
      try {
        pq.lastPullTimestamp = Date.now();
        response = await this.instance.remoting.invoke(addr, this.instance.request(RequestCode.PULL_MESSAGE, {
          consumerGroup: this.group,
          topic: mq.topic,
          queueId: mq.queueId,
          queueOffset: offset,
          maxMsgNums: this.#options.pullBatchSize ?? 32,
          sysFlag,
          commitOffset: Math.max(0, commitOffset),
          suspendTimeoutMillis: suspendMs,
          subscription: subscription.subString,
          subVersion: subscription.subVersion,
          expressionType: subscription.expressionType,
        }), suspendMs + 15_000);
      } catch (err) {
        if (pq.dropped || this.#state !== 'running') return;
        this.instance.logger.debug('pull failed', { queue: queueKey(mq), error: errorMessage(err) });
        await sleep(retryDelay);
        continue;
      }
      if (pq.dropped) return;
      const ext = response.extFields ?? {};
      const next = Number(ext.nextBeginOffset ?? offset);
      pq.suggestedBrokerId = Number(ext.suggestWhichBrokerId ?? 0) || 0;
      switch (response.code) {
        case ResponseCode.SUCCESS: {
          const all = decodeMessages(response.body ?? Buffer.alloc(0));
          offset = next;
          const wanted = subscription.tagsSet.length === 0 ? all : all.filter((m) => m.tags !== undefined && subscription.tagsSet.includes(m.tags));
          for (const m of all) {
            m.brokerName = mq.brokerName;
            m.properties[MessageProperty.MIN_OFFSET] = String(ext.minOffset ?? '');
            m.properties[MessageProperty.MAX_OFFSET] = String(ext.maxOffset ?? '');
          }
          this.#stats.pulled += all.length;
          if (wanted.length === 0) {
            if (pq.messages.size === 0) this.#offsets.update(mq, offset, true);
            break;
          }
          pq.put(wanted);
          if (this.orderly) this.#consumeOrderly(mq, pq);
          else this.#dispatch(mq, pq, wanted);
          break;
        }
        case ResponseCode.PULL_NOT_FOUND:
        case ResponseCode.PULL_RETRY_IMMEDIATELY:
          offset = next;
          if (pq.messages.size === 0) this.#offsets.update(mq, offset, true);
          break;
        case ResponseCode.PULL_OFFSET_MOVED:
          this.instance.logger.warn('pull offset moved', { queue: queueKey(mq), from: offset, to: next });
          offset = next;
          this.#offsets.update(mq, offset, false);
          await this.#offsets.persist(mq).catch(() => undefined);
          break;
        default:
          this.instance.logger.debug('pull refused', { queue: queueKey(mq), code: response.code, remark: response.remark });
          await sleep(retryDelay);
      }
    }
  }

  // ---------------------------------------------------------------- consuming

  #dispatch(mq: MessageQueue, pq: ProcessQueue, messages: MessageExt[]): void {
    const batch = Math.max(1, this.#options.consumeMessageBatchMaxSize ?? 1);
    for (let i = 0; i < messages.length; i += batch) {
      const chunk = messages.slice(i, i + batch);
      this.#submit(() => this.#consume(mq, pq, chunk));
    }
  }

  /**
   * Orderly: one call at a time for a queue, on its oldest cached messages, only while its lock is valid.
   * Success commits and moves on; SUSPEND_CURRENT_QUEUE_A_MOMENT (or a throw) keeps the same messages and
   * tries them again after a pause — up to maxReconsumeTimes when one is set, then they go to the DLQ.
   */
  #consumeOrderly(mq: MessageQueue, pq: ProcessQueue): void {
    if (pq.consuming || pq.dropped || pq.messages.size === 0) return;
    let finished!: () => void;
    pq.consuming = new Promise<void>((resolve) => (finished = resolve));
    this.#submit(async () => {
      let again = 0;
      try {
        if (this.#locking && !pq.lockValid()) {
          const granted = await this.#lock([mq]);
          if (granted.length > 0) {
            pq.locked = true;
            pq.lastLockTimestamp = Date.now();
          } else {
            pq.locked = false;
            again = 1_000;
            return;
          }
        }
        const messages = pq.head(Math.max(1, this.#options.consumeMessageBatchMaxSize ?? 1));
        const retryTopic = `%RETRY%${this.group}`;
        for (const m of messages) {
          const origin = m.properties[MessageProperty.RETRY_TOPIC];
          if (origin && m.topic === retryTopic) m.topic = origin;
          m.properties[MessageProperty.CONSUME_START_TIME] = String(Date.now());
        }
        let status: ConsumeStatus;
        try {
          status = await this.#callListener(messages, { queue: mq, delayLevelWhenNextConsume: 0 });
        } catch (err) {
          this.instance.logger.debug('orderly listener threw; the queue is suspended a moment', { queue: queueKey(mq), error: errorMessage(err) });
          status = 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
        }
        if (status === 'CONSUME_SUCCESS') {
          this.#stats.consumeOk += messages.length;
        } else {
          this.#stats.consumeFailed += messages.length;
          const max = this.#options.maxReconsumeTimes ?? -1;
          // Those out of retries go to the DLQ (sent back with no retries left); the rest wait and are tried again.
          const exhausted: MessageExt[] = [];
          for (const m of messages) if (max >= 0 && m.reconsumeTimes >= max && (await this.#sendBack(m, 0, 0))) exhausted.push(m);
          if (exhausted.length < messages.length) {
            for (const m of messages) if (!exhausted.includes(m)) m.reconsumeTimes++;
            if (exhausted.length > 0) {
              const offset = pq.remove(exhausted);
              if (offset >= 0 && !pq.dropped) this.#offsets.update(mq, offset, true);
            }
            again = this.#options.suspendCurrentQueueTimeMillis ?? 1_000;
            return;
          }
        }
        const offset = pq.remove(messages);
        if (offset >= 0 && !pq.dropped) this.#offsets.update(mq, offset, true);
      } finally {
        pq.consuming = null;
        finished();
        if (!pq.dropped && this.#state === 'running' && pq.messages.size > 0) {
          if (again > 0) setTimeout(() => this.#consumeOrderly(mq, pq), again).unref();
          else this.#consumeOrderly(mq, pq);
        }
      }
    });
  }

  #submit(task: () => Promise<void>): void {
    const max = Math.max(1, this.#options.consumeThreadMax ?? 20);
    if (this.#running < max) this.#run(task);
    else this.#pending.push(task);
  }

  #run(task: () => Promise<void>): void {
    this.#running++;
    void task().catch(() => undefined).finally(() => {
      this.#running--;
      const next = this.#pending.shift();
      if (next) this.#run(next);
      else if (this.#running === 0) for (const resolve of this.#idle.splice(0)) resolve();
    });
  }

  #whenIdle(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #consume(mq: MessageQueue, pq: ProcessQueue, messages: MessageExt[]): Promise<void> {
    if (pq.dropped) return;
    const retryTopic = `%RETRY%${this.group}`;
    for (const m of messages) {
      const origin = m.properties[MessageProperty.RETRY_TOPIC];
      if (origin && m.topic === retryTopic) m.topic = origin;
      m.properties[MessageProperty.CONSUME_START_TIME] = String(Date.now());
    }
    const context: ConsumeContext = { queue: mq, delayLevelWhenNextConsume: 0 };
    let status: ConsumeStatus;
    try {
      status = await this.#callListener(messages, context);
    } catch (err) {
      this.instance.logger.debug('listener threw; messages will be retried', { queue: queueKey(mq), error: errorMessage(err) });
      status = 'RECONSUME_LATER';
    }
    if (status === 'CONSUME_SUCCESS') this.#stats.consumeOk += messages.length;
    else this.#stats.consumeFailed += messages.length;
    if (pq.dropped) return;

    let done = messages;
    if (status === 'RECONSUME_LATER' && this.messageModel === 'CLUSTERING') {
      const again: MessageExt[] = [];
      for (const m of messages) {
        if (!(await this.#sendBack(m, context.delayLevelWhenNextConsume))) {
          m.reconsumeTimes++;
          again.push(m);
        }
      }
      done = messages.filter((m) => !again.includes(m));
      if (again.length > 0) {
        setTimeout(() => { if (!pq.dropped) this.#submit(() => this.#consume(mq, pq, again)); }, 5_000).unref();
      }
    } else if (status === 'RECONSUME_LATER') {
      this.instance.logger.warn('broadcasting: failed messages are not retried', { queue: queueKey(mq), count: messages.length });
    }
    const offset = pq.remove(done);
    if (offset >= 0 && !pq.dropped) this.#offsets.update(mq, offset, true);
  }

  /** CONSUMER_SEND_MSG_BACK to the broker that stores the message; false when it did not work. */
  async #sendBack(m: MessageExt, delayLevel: number, maxReconsumeTimes = this.#options.maxReconsumeTimes ?? 16): Promise<boolean> {
    const addr = (m.brokerName && this.instance.masterAddress(m.brokerName)) || `${m.storeHost.address}:${m.storeHost.port}`;
    try {
      await this.instance.invoke(addr, this.instance.request(RequestCode.CONSUMER_SEND_MSG_BACK, {
        offset: m.commitLogOffset,
        group: this.group,
        delayLevel,
        originMsgId: m.msgId,
        originTopic: m.topic,
        unitMode: false,
        maxReconsumeTimes,
      }));
      return true;
    } catch (err) {
      this.instance.logger.warn('send back failed; consuming again locally in 5 s', { msgId: m.msgId, error: errorMessage(err) });
      return false;
    }
  }

  // ---------------------------------------------------------------- broker → client

  #consumerData(): ConsumerData {
    return {
      groupName: this.group,
      consumeType: 'CONSUME_PASSIVELY',
      messageModel: this.messageModel,
      consumeFromWhere: this.#options.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET',
      subscriptionDataSet: [...this.#subscriptions.values()].map((s) => ({ ...s, classFilterMode: false })),
      unitMode: false,
    };
  }

  async #onRequest(request: RemotingCommand): Promise<RemotingCommand> {
    switch (request.code) {
      case RequestCode.RESET_CONSUMER_CLIENT_OFFSET:
        await this.#resetOffset(request);
        return createResponse(request, ResponseCode.SUCCESS);
      case RequestCode.GET_CONSUMER_RUNNING_INFO:
        return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(stringifyJavaJson(this.runningInfo()), 'utf8'));
      case RequestCode.GET_CONSUMER_STATUS_FROM_CLIENT: {
        const topic = request.extFields?.topic;
        const table = new Map<object, number>();
        for (const { mq, offset } of this.#offsets.entries()) if (mq.topic === topic) table.set({ brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic }, offset);
        return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(stringifyJavaJson(new Map([['messageQueueTable', table]])), 'utf8'));
      }
      case RequestCode.CONSUME_MESSAGE_DIRECTLY:
        return this.#consumeDirectly(request);
      default:
        return createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, `request code ${request.code} not supported by this client`);
    }
  }

  async #resetOffset(request: RemotingCommand): Promise<void> {
    const topic = request.extFields?.topic;
    if (!topic || !request.body) return;
    const raw = parseJavaJson(request.body.toString('utf8')) as { offsetTable?: unknown };
    const table = raw.offsetTable instanceof Map ? [...raw.offsetTable.entries()] : Object.entries((raw.offsetTable ?? {}) as Record<string, unknown>);
    const targets: { mq: MessageQueue; offset: number }[] = [];
    for (const [key, value] of table) {
      const k = (typeof key === 'string' ? JSON.parse(key) : key) as MessageQueue;
      targets.push({ mq: { topic: String(k.topic), brokerName: String(k.brokerName), queueId: Number(k.queueId) }, offset: Number(value) });
    }
    // Only the queues in the table are dropped and re-read from their new offsets (as RocketMQ's client does);
    // a per-queue reset leaves the topic's other queues consuming undisturbed.
    const reset = new Set(targets.map((t) => queueKey(t.mq)));
    for (const [key, a] of this.#assignments) {
      if (a.mq.topic === topic && reset.has(key)) {
        a.pq.dropped = true;
        this.#assignments.delete(key);
      }
    }
    for (const { mq, offset } of targets) {
      this.#offsets.update(mq, offset, false);
      await this.#offsets.persist(mq).catch(() => undefined);
      this.#offsets.remove(mq);
    }
    this.rebalanceNow();
  }

  /** The listener, with SubBefore / SubAfter trace records around it when tracing is on. */
  async #callListener(messages: MessageExt[], context: ConsumeContext): Promise<ConsumeStatus> {
    if (!this.#trace) return (await this.#listener!(messages, context)) ?? 'CONSUME_SUCCESS';
    const requestId = randomBytes(16).toString('hex').toUpperCase();
    const started = Date.now();
    const keysOf = (m: MessageExt) => m.keys.join(' ') || undefined;
    this.#trace.add(messages.map((m) => ({
      type: 'SubBefore' as const, timestamp: started, regionId: m.properties.MSG_REGION, groupName: this.group, requestId, msgId: m.msgId, retryTimes: m.reconsumeTimes, keys: keysOf(m),
    })));
    let status: ConsumeStatus = 'RECONSUME_LATER';
    let threw = false;
    try {
      status = (await this.#listener!(messages, context)) ?? 'CONSUME_SUCCESS';
      return status;
    } catch (err) {
      threw = true;
      throw err;
    } finally {
      const cost = Date.now() - started;
      const success = !threw && status === 'CONSUME_SUCCESS';
      // ConsumeReturnType ordinals: SUCCESS 0, EXCEPTION 2, FAILED 4.
      const contextCode = success ? 0 : threw ? 2 : 4;
      this.#trace.add(messages.map((m) => ({
        type: 'SubAfter' as const, requestId, msgId: m.msgId, costTime: Math.round(cost / messages.length), success, keys: keysOf(m), contextCode, timestamp: started, groupName: this.group,
      })));
    }
  }

  async #consumeDirectly(request: RemotingCommand): Promise<RemotingCommand> {
    const message = decodeMessages(request.body ?? Buffer.alloc(0))[0];
    if (!message) return createResponse(request, ResponseCode.SYSTEM_ERROR, 'no message in the request body');
    const started = Date.now();
    const mq = { topic: message.topic, brokerName: request.extFields?.brokerName ?? '', queueId: message.queueId };
    let consumeResult = 'CR_SUCCESS';
    let remark: string | undefined;
    try {
      const status = (await this.#listener!([message], { queue: mq, delayLevelWhenNextConsume: 0 })) ?? 'CONSUME_SUCCESS';
      if (status !== 'CONSUME_SUCCESS') consumeResult = 'CR_LATER';
    } catch (err) {
      consumeResult = 'CR_THROW_EXCEPTION';
      remark = errorMessage(err);
    }
    const body = { order: false, autoCommit: true, consumeResult, ...(remark ? { remark } : {}), spentTimeMills: Date.now() - started };
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(JSON.stringify(body), 'utf8'));
  }

  /** ConsumerRunningInfo as RocketMQ's console reads it. */
  runningInfo(): Map<string, unknown> {
    const mqTable = new Map<object, unknown>();
    for (const a of this.#assignments.values()) {
      const pq = a.pq;
      mqTable.set({ brokerName: a.mq.brokerName, queueId: a.mq.queueId, topic: a.mq.topic }, {
        commitOffset: this.#offsets.readMemory(a.mq),
        cachedMsgMinOffset: pq.minCachedOffset(),
        cachedMsgMaxOffset: pq.maxOffset,
        cachedMsgCount: pq.messages.size,
        cachedMsgSizeInMiB: Math.floor(pq.bytes / (1024 * 1024)),
        droped: pq.dropped,
        locked: false,
        lastPullTimestamp: pq.lastPullTimestamp,
        lastConsumeTimestamp: pq.lastConsumeTimestamp,
      });
    }
    const elapsedS = Math.max(1, (Date.now() - this.#stats.started) / 1000);
    const statusTable: Record<string, unknown> = {};
    for (const topic of this.#subscriptions.keys()) {
      statusTable[topic] = { pullRT: 0, pullTPS: this.#stats.pulled / elapsedS, consumeRT: 0, consumeOKTPS: this.#stats.consumeOk / elapsedS, consumeFailedTPS: this.#stats.consumeFailed / elapsedS, consumeFailedMsgs: this.#stats.consumeFailed };
    }
    return new Map<string, unknown>([
      ['properties', {
        PROP_NAMESERVER_ADDR: this.instance.namesrvAddr.join(';'),
        PROP_CONSUME_TYPE: 'CONSUME_PASSIVELY',
        PROP_CONSUME_ORDERLY: 'false',
        PROP_THREADPOOL_CORE_SIZE: String(this.#options.consumeThreadMax ?? 20),
        PROP_CONSUMER_START_TIMESTAMP: String(this.#stats.started),
        PROP_CLIENT_VERSION: 'V4_9_4',
        messageModel: this.messageModel,
        consumeFromWhere: this.#options.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET',
        language: 'NODE_JS (rocketdeck)',
      }],
      ['subscriptionSet', [...this.#subscriptions.values()]],
      ['mqTable', mqTable],
      ['statusTable', statusTable],
    ]);
  }
}

/** Queues a consumer may read: readable queue data, 0..readQueueNums−1 each, sorted. */
export function subscribeQueues(topic: string, route: TopicRouteData): MessageQueue[] {
  const out: MessageQueue[] = [];
  for (const qd of route.queueDatas) {
    if ((qd.perm & 0x4) === 0) continue;
    for (let queueId = 0; queueId < qd.readQueueNums; queueId++) out.push({ topic, brokerName: qd.brokerName, queueId });
  }
  return out.sort(compareQueues);
}

function groupByBroker(mqs: MessageQueue[]): Map<string, MessageQueue[]> {
  const out = new Map<string, MessageQueue[]>();
  for (const mq of mqs) out.set(mq.brokerName, [...(out.get(mq.brokerName) ?? []), mq]);
  return out;
}
