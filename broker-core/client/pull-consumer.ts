/**
 * PullConsumer (lite): the application chooses queues and offsets. Lists a topic's queues, pulls from an
 * offset (optionally long-polling), reads and commits the group's offsets on the broker.
 */
import { RequestCode } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { subscriptionOf, type MessageSelector } from './message-selector';
import { BrokerError } from '../util/errors';
import { ClientInstance, type ClientMember, type ClientOptions, type ConsumerData, type MessageQueue } from './client-instance';
import { decodeMessages, type MessageExt } from './message';
import { subscribeQueues } from './push-consumer';

export interface PullConsumerOptions extends ClientOptions {
  groupName: string;
}

export type PullStatus = 'FOUND' | 'NO_NEW_MSG' | 'NO_MATCHED_MSG' | 'OFFSET_ILLEGAL';

export interface PullResult {
  pullStatus: PullStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  msgFoundList: MessageExt[];
}

export class PullConsumer {
  readonly group: string;
  readonly instance: ClientInstance;
  readonly #topics = new Set<string>();
  readonly #member: ClientMember;
  #state: 'created' | 'running' | 'closed' = 'created';

  constructor(options: PullConsumerOptions) {
    if (!options.groupName || !/^[%|a-zA-Z0-9_-]+$/.test(options.groupName)) {
      throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `consumer group "${options.groupName}" is not a valid group name`);
    }
    this.group = options.groupName;
    this.instance = new ClientInstance(options);
    this.#member = { kind: 'consumer', group: this.group, topics: () => [...this.#topics], consumerData: () => this.#consumerData() };
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') throw new BrokerError('BROKER_ERR_CLOSED', `pull consumer ${this.group} was already started`);
    this.instance.register(this.#member);
    this.instance.start();
    this.#state = 'running';
  }

  async shutdown(): Promise<void> {
    if (this.#state === 'closed') return;
    if (this.#state === 'running') await this.instance.unregisterClient({ consumerGroup: this.group });
    this.#state = 'closed';
    this.instance.unregister(this.#member);
    await this.instance.shutdown();
  }

  /** Readable queues of a topic. */
  async fetchSubscribeMessageQueues(topic: string): Promise<MessageQueue[]> {
    this.#assertRunning();
    this.#topics.add(topic);
    const route = await this.instance.updateRoute(topic);
    if (!route) throw new BrokerError('BROKER_ERR_NO_ROUTE', `no route info of this topic: ${topic}`);
    return subscribeQueues(topic, route);
  }

  /** One pull. `suspendMs` > 0 makes the broker hold the request until a message arrives or the time is up. */
  async pull(mq: MessageQueue, expression: string | MessageSelector, offset: number, maxNums = 32, suspendMs = 0): Promise<PullResult> {
    this.#assertRunning();
    const subscription = subscriptionOf(mq.topic, expression, 0);
    if (!Number.isInteger(offset) || offset < 0) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `offset must be a whole number ≥ 0 (got ${offset})`);
    const addr = await this.#address(mq);
    const response = await this.instance.invoke(addr, this.instance.request(RequestCode.PULL_MESSAGE, {
      consumerGroup: this.group,
      topic: mq.topic,
      queueId: mq.queueId,
      queueOffset: offset,
      maxMsgNums: Math.max(1, Math.min(maxNums, 1024)),
      sysFlag: (suspendMs > 0 ? 0x2 : 0) | 0x4,
      commitOffset: 0,
      suspendTimeoutMillis: suspendMs,
      subscription: subscription.subString,
      subVersion: 0,
      expressionType: subscription.expressionType,
    }), suspendMs + this.instance.requestTimeoutMs, [ResponseCode.SUCCESS, ResponseCode.PULL_NOT_FOUND, ResponseCode.PULL_RETRY_IMMEDIATELY, ResponseCode.PULL_OFFSET_MOVED]);
    const ext = response.extFields ?? {};
    const pullStatus: PullStatus = response.code === ResponseCode.SUCCESS ? 'FOUND' : response.code === ResponseCode.PULL_NOT_FOUND ? 'NO_NEW_MSG' : response.code === ResponseCode.PULL_RETRY_IMMEDIATELY ? 'NO_MATCHED_MSG' : 'OFFSET_ILLEGAL';
    let messages = pullStatus === 'FOUND' ? decodeMessages(response.body ?? Buffer.alloc(0)) : [];
    if (subscription.tagsSet.length > 0) messages = messages.filter((m) => m.tags !== undefined && subscription.tagsSet.includes(m.tags));
    for (const m of messages) m.brokerName = mq.brokerName;
    return {
      pullStatus: pullStatus === 'FOUND' && messages.length === 0 ? 'NO_MATCHED_MSG' : pullStatus,
      nextBeginOffset: Number(ext.nextBeginOffset ?? offset),
      minOffset: Number(ext.minOffset ?? 0),
      maxOffset: Number(ext.maxOffset ?? 0),
      msgFoundList: messages,
    };
  }

  /** The group's committed offset of a queue, or −1 when it has none. */
  async fetchConsumeOffset(mq: MessageQueue): Promise<number> {
    this.#assertRunning();
    return this.instance.admin.queryConsumerOffset(await this.#address(mq), this.group, mq.topic, mq.queueId);
  }

  async updateConsumeOffset(mq: MessageQueue, offset: number): Promise<void> {
    this.#assertRunning();
    if (!Number.isInteger(offset) || offset < 0) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `offset must be a whole number ≥ 0 (got ${offset})`);
    await this.instance.admin.updateConsumerOffset(await this.#address(mq), this.group, mq.topic, mq.queueId, offset);
  }

  async minOffset(mq: MessageQueue): Promise<number> {
    return this.instance.admin.minOffset(await this.#address(mq), mq.topic, mq.queueId);
  }

  async maxOffset(mq: MessageQueue): Promise<number> {
    return this.instance.admin.maxOffset(await this.#address(mq), mq.topic, mq.queueId);
  }

  async searchOffset(mq: MessageQueue, timestamp: number): Promise<number> {
    return this.instance.admin.searchOffset(await this.#address(mq), mq.topic, mq.queueId, timestamp);
  }

  #assertRunning(): void {
    if (this.#state !== 'running') throw new BrokerError('BROKER_ERR_CLOSED', `pull consumer ${this.group} is ${this.#state === 'created' ? 'not started' : 'shut down'}`);
  }

  async #address(mq: MessageQueue): Promise<string> {
    // The master, else a slave while the master is down.
    let addr = this.instance.anyAddress(mq.brokerName);
    if (!addr) {
      this.#topics.add(mq.topic);
      await this.instance.updateRoute(mq.topic);
      addr = this.instance.anyAddress(mq.brokerName);
    }
    if (!addr) throw new BrokerError('BROKER_ERR_NO_ROUTE', `broker ${mq.brokerName} not found in the route of ${mq.topic}`);
    return addr;
  }

  #consumerData(): ConsumerData {
    return {
      groupName: this.group,
      consumeType: 'CONSUME_ACTIVELY',
      messageModel: 'CLUSTERING',
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
      subscriptionDataSet: [],
      unitMode: false,
    };
  }
}
