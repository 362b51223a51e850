/**
 * Producer (RocketMQ's DefaultMQProducer): route lookup with the TBW102 fallback for topics the broker may
 * auto-create, round-robin queue selection that avoids a broker that just failed, sync / callback / oneway
 * and batch sends, retries on another broker within one send timeout, UNIQ_KEY ids, zlib compression above
 * 4 KiB, queue selectors for ordered sends, delay levels. Behaviour: protocol.md §6.1; headers §2.3.
 */
import { randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode, responseCodeName } from '../protocol/response-code';
import type { RemotingCommand } from '../protocol/remoting-command';
import { BrokerError, RemoteError, errorMessage, isBrokerError } from '../util/errors';
import { decodeOffsetMsgId, type TopicRouteData } from './admin-client';
import { ClientInstance, type ClientMember, type ClientOptions, type MessageQueue } from './client-instance';
import {
  MESSAGE_BODY_BYTES_MAX,
  MessageProperty,
  MessageSysFlag,
  bodyBuffer,
  decodeMessages,
  encodeBatchBody,
  encodePropertiesString,
  messageProperties,
  validateMessage,
  type Message,
  type MessageExt,
} from './message';
import { MessageIdGenerator } from './message-id';
import { TraceDispatcher } from './trace-dispatcher';

export interface ProducerOptions extends ClientOptions {
  /** The producer group (shown on the console's Producer page, used for transaction checks). */
  groupName: string;
  /** Bound on one send including its retries (default 3 000 ms). */
  sendMsgTimeoutMs?: number;
  /** Extra attempts of a sync send (default 2). */
  retryTimesWhenSendFailed?: number;
  /** Extra attempts of a callback send (default 2). */
  retryTimesWhenSendAsyncFailed?: number;
  /** Bodies above this many bytes are zlib-compressed (default 4 096). */
  compressMsgBodyOverHowmuch?: number;
  maxMessageSize?: number;
  /** Queues of a topic the broker auto-creates from TBW102 (default 4). */
  defaultTopicQueueNums?: number;
  createTopicKey?: string;
  /** How long a broker that failed a send is avoided while others are available (default 30 000 ms). */
  brokerIsolationMs?: number;
  /** Makes this a transaction producer (RocketMQ's TransactionMQProducer): sendMessageInTransaction and checks. */
  transactionListener?: TransactionListener;
  /** Write a Pub trace record for every send to RMQ_SYS_TRACE_TOPIC (RocketMQ's enableMsgTrace). */
  enableMsgTrace?: boolean;
  /** Trace topic (default RMQ_SYS_TRACE_TOPIC). */
  customizedTraceTopic?: string;
}

/** RocketMQ's LocalTransactionState (UNKNOW is spelled as RocketMQ spells it). */
export type LocalTransactionState = 'COMMIT_MESSAGE' | 'ROLLBACK_MESSAGE' | 'UNKNOW';

export interface TransactionListener {
  /** Runs the local transaction after the half message is stored; UNKNOW (or a throw) leaves it to the broker's checks. */
  executeLocalTransaction(message: Message, arg: unknown): Promise<LocalTransactionState> | LocalTransactionState;
  /** The broker asks again for a half message left unknown (first after ~6 s, at most 15 times). */
  checkLocalTransaction(message: MessageExt): Promise<LocalTransactionState> | LocalTransactionState;
}

export interface TransactionSendResult extends SendResult {
  localTransactionState: LocalTransactionState;
}

const END_TRANSACTION_TYPE: Record<LocalTransactionState, number> = { COMMIT_MESSAGE: 0x8, ROLLBACK_MESSAGE: 0xc, UNKNOW: 0 };

export type SendStatus = 'SEND_OK' | 'FLUSH_DISK_TIMEOUT' | 'FLUSH_SLAVE_TIMEOUT' | 'SLAVE_NOT_AVAILABLE';

export interface SendResult {
  sendStatus: SendStatus;
  /** UNIQ_KEY (comma-joined for a batch). */
  msgId: string;
  /** The broker's id: store host + commit log offset (comma-joined for a batch). */
  offsetMsgId: string;
  messageQueue: MessageQueue;
  queueOffset: number;
  transactionId?: string;
  regionId: string;
  traceOn: boolean;
}

export type MessageQueueSelector = (queues: MessageQueue[], message: Message, arg: unknown) => MessageQueue;

export interface SendOptions {
  /** Overrides sendMsgTimeoutMs for this send. */
  timeoutMs?: number;
  /** Send to exactly this queue (no retries). */
  queue?: MessageQueue;
  /** Pick the queue (ordered messages: same key → same queue); no retries, like RocketMQ. */
  selector?: MessageQueueSelector;
  arg?: unknown;
  /** @internal System properties set by the client itself (TRAN_MSG, PGROUP for transactional sends). */
  systemProperties?: Record<string, string>;
}

/** A hash selector: messages with the same sharding key go to the same queue. */
export const selectByHash: MessageQueueSelector = (queues, _message, arg) => {
  const text = String(arg);
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return queues[Math.abs(h) % queues.length]!;
};

const RETRY_RESPONSE_CODES = new Set<number>([
  ResponseCode.TOPIC_NOT_EXIST,
  ResponseCode.SERVICE_NOT_AVAILABLE,
  ResponseCode.SYSTEM_ERROR,
  ResponseCode.SYSTEM_BUSY,
  ResponseCode.NO_PERMISSION,
  ResponseCode.NO_BUYER_ID,
  ResponseCode.NOT_IN_CURRENT_UNIT,
]);

interface PublishInfo {
  route: TopicRouteData;
  queues: MessageQueue[];
  /** Built from TBW102 because the topic has no route yet (the broker creates it on the first send). */
  fromDefault: boolean;
}

function statusOf(code: number): SendStatus | null {
  switch (code) {
    case ResponseCode.SUCCESS: return 'SEND_OK';
    case ResponseCode.FLUSH_DISK_TIMEOUT: return 'FLUSH_DISK_TIMEOUT';
    case ResponseCode.FLUSH_SLAVE_TIMEOUT: return 'FLUSH_SLAVE_TIMEOUT';
    case ResponseCode.SLAVE_NOT_AVAILABLE: return 'SLAVE_NOT_AVAILABLE';
    default: return null;
  }
}

/** Queues a producer may write: writable queue data with a master, sorted by broker name (or orderTopicConf). */
export function publishQueues(topic: string, route: TopicRouteData, clampTo?: number): MessageQueue[] {
  const queues: MessageQueue[] = [];
  if (route.orderTopicConf) {
    for (const part of route.orderTopicConf.split(';')) {
      const [brokerName, nums] = part.split(':');
      if (!brokerName) continue;
      for (let queueId = 0; queueId < Number(nums); queueId++) queues.push({ topic, brokerName, queueId });
    }
    return queues;
  }
  const datas = [...route.queueDatas].sort((a, b) => a.brokerName.localeCompare(b.brokerName));
  for (const qd of datas) {
    if ((qd.perm & 0x2) === 0) continue;
    const broker = route.brokerDatas.find((b) => b.brokerName === qd.brokerName);
    if (!broker?.brokerAddrs['0']) continue;
    const count = clampTo === undefined ? qd.writeQueueNums : Math.min(clampTo, qd.writeQueueNums);
    for (let queueId = 0; queueId < count; queueId++) queues.push({ topic, brokerName: qd.brokerName, queueId });
  }
  return queues;
}

/** MSG_TYPE of an answer to a request (MixAll.REPLY_MESSAGE_FLAG), and the reply topic's suffix. */
const REPLY_MESSAGE_FLAG = 'reply';
const REPLY_TOPIC_POSTFIX = 'REPLY_TOPIC';

export class Producer {
  readonly group: string;
  readonly instance: ClientInstance;
  readonly #options: ProducerOptions;
  readonly #ids: MessageIdGenerator;
  readonly #publish = new Map<string, PublishInfo>();
  readonly #counters = new Map<string, number>();
  /** Brokers avoided after a failed send: until when, and since when (a broker back in a route since then is not). */
  readonly #isolated = new Map<string, { since: number; until: number }>();
  readonly #member: ClientMember;
  #state: 'created' | 'running' | 'closed' = 'created';
  readonly #trace: TraceDispatcher | undefined;

  constructor(options: ProducerOptions) {
    if (!options.groupName || !/^[%|a-zA-Z0-9_-]+$/.test(options.groupName)) {
      throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `producer group "${options.groupName}" is not a valid group name`);
    }
    this.#options = options;
    this.group = options.groupName;
    this.instance = new ClientInstance(options);
    this.#ids = new MessageIdGenerator(this.instance.clientIP);
    this.#member = { kind: 'producer', group: this.group, topics: () => [...this.#publish.keys()] };
    if (options.enableMsgTrace) this.#trace = new TraceDispatcher(options, this.group, options.customizedTraceTopic);
    if (options.transactionListener) this.#member.onCheckTransaction = (request, brokerAddr) => void this.#checkTransaction(request, brokerAddr);
  }

  get clientId(): string {
    return this.instance.clientId;
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') throw new BrokerError('BROKER_ERR_CLOSED', `producer ${this.group} was already started`);
    this.instance.register(this.#member);
    this.instance.start();
    this.#state = 'running';
    this.#trace?.start();
  }

  async shutdown(): Promise<void> {
    if (this.#state === 'closed') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'closed';
    await this.#trace?.shutdown();
    if (wasRunning) await this.instance.unregisterClient({ producerGroup: this.group });
    this.instance.unregister(this.#member);
    await this.instance.shutdown();
  }

  /** The queues a send to this topic may go to. */
  async fetchPublishMessageQueues(topic: string): Promise<MessageQueue[]> {
    this.#assertRunning();
    return (await this.#publishInfo(topic, Date.now() + this.#timeout())).queues;
  }

  /** Sends and waits for the broker's answer; retries on another broker (not for selector or queue sends). */
  async send(message: Message, options: SendOptions = {}): Promise<SendResult> {
    return this.#send(message, options, this.#options.retryTimesWhenSendFailed ?? 2);
  }

  /** Java's callback style: returns at once; exactly one of the callbacks runs. */
  sendAsync(message: Message, callbacks: { onSuccess(result: SendResult): void; onException(err: Error): void }, options: SendOptions = {}): void {
    this.#send(message, options, this.#options.retryTimesWhenSendAsyncFailed ?? 2).then(
      (result) => callbacks.onSuccess(result),
      (err: unknown) => callbacks.onException(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** Fire and forget: written to the connection, no answer, no retry. */
  async sendOneway(message: Message, options: SendOptions = {}): Promise<void> {
    this.#assertRunning();
    validateMessage(message, this.#maxSize());
    const deadline = Date.now() + (options.timeoutMs ?? this.#timeout());
    const info = await this.#publishInfo(message.topic, deadline);
    const mq = options.queue ?? (options.selector ? options.selector(info.queues, message, options.arg) : this.#select(info, undefined));
    const { request, addr } = this.#prepare(message, mq);
    await this.instance.remoting.invokeOneway(addr, request);
  }

  /**
   * Transactional send: the message is stored as a half message (invisible to consumers), the listener's
   * executeLocalTransaction runs, and its answer commits or rolls back (END_TRANSACTION, oneway). UNKNOW
   * leaves the decision to the broker's later CHECK_TRANSACTION_STATE, answered by checkLocalTransaction.
   */
  async sendMessageInTransaction(message: Message, arg?: unknown): Promise<TransactionSendResult> {
    const listener = this.#options.transactionListener;
    if (!listener) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', 'sendMessageInTransaction needs a transactionListener in the producer options');
    if (message.delayLevel) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', 'a transactional message cannot be delayed');
    const result = await this.#send(message, { systemProperties: { [MessageProperty.TRAN_MSG]: 'true', [MessageProperty.PGROUP]: this.group } }, this.#options.retryTimesWhenSendFailed ?? 2);
    let state: LocalTransactionState = 'ROLLBACK_MESSAGE';
    if (result.sendStatus === 'SEND_OK') {
      try {
        state = (await listener.executeLocalTransaction(message, arg)) ?? 'UNKNOW';
      } catch (err) {
        this.instance.logger.warn('local transaction threw; its state is unknown until the broker checks', { msgId: result.msgId, error: errorMessage(err) });
        state = 'UNKNOW';
      }
    }
    const addr = this.instance.masterAddress(result.messageQueue.brokerName);
    const stored = decodeOffsetMsgId(result.offsetMsgId);
    if (addr && stored) {
      await this.#endTransaction(addr, { tranStateTableOffset: result.queueOffset, commitLogOffset: stored.commitLogOffset, msgId: result.msgId, transactionId: result.transactionId ?? result.msgId }, state, false);
    }
    this.#trace?.add([{
      type: 'EndTransaction', timestamp: Date.now(), regionId: result.regionId, groupName: this.group, topic: message.topic, msgId: result.msgId, tags: message.tags,
      keys: Array.isArray(message.keys) ? message.keys.join(' ') : message.keys, storeHost: addr, msgType: 2, transactionId: result.transactionId ?? result.msgId,
      transactionState: state, fromTransactionCheck: false,
    }]);
    return { ...result, localTransactionState: state };
  }

  async #checkTransaction(request: RemotingCommand, brokerAddr: string): Promise<void> {
    const message = request.body ? decodeMessages(request.body)[0] : undefined;
    const ext = request.extFields ?? {};
    if (!message) return;
    let state: LocalTransactionState;
    try {
      state = (await this.#options.transactionListener!.checkLocalTransaction(message)) ?? 'UNKNOW';
    } catch (err) {
      this.instance.logger.warn('transaction check threw; answering UNKNOW', { msgId: message.msgId, error: errorMessage(err) });
      state = 'UNKNOW';
    }
    const uniqKey = message.properties[MessageProperty.UNIQ_KEY] ?? ext.msgId ?? '';
    await this.#endTransaction(brokerAddr, {
      tranStateTableOffset: Number(ext.tranStateTableOffset), commitLogOffset: Number(ext.commitLogOffset), msgId: uniqKey, transactionId: ext.transactionId ?? uniqKey,
    }, state, true).catch((err: unknown) => this.instance.logger.warn('answer to a transaction check failed', { error: errorMessage(err) }));
  }

  async #endTransaction(addr: string, fields: { tranStateTableOffset: number; commitLogOffset: number; msgId: string; transactionId: string }, state: LocalTransactionState, fromCheck: boolean): Promise<void> {
    const request = this.instance.request(RequestCode.END_TRANSACTION, {
      producerGroup: this.group,
      tranStateTableOffset: fields.tranStateTableOffset,
      commitLogOffset: fields.commitLogOffset,
      commitOrRollback: END_TRANSACTION_TYPE[state],
      fromTransactionCheck: fromCheck,
      msgId: fields.msgId,
      transactionId: fields.transactionId,
    });
    await this.instance.remoting.invokeOneway(addr, request);
  }

  /**
   * Request-reply (RocketMQ 4.6+): sends the message with CORRELATION_ID, REPLY_TO_CLIENT (this client) and TTL,
   * then waits for the answer a consumer sends with sendReply(); the broker pushes it to this client. Rejects
   * when the send fails or no answer comes within `timeoutMs` (RocketMQ's messages).
   */
  async request(message: Message, timeoutMs = this.#timeout()): Promise<MessageExt> {
    this.#assertRunning();
    const started = Date.now();
    const correlationId = randomUUID();
    const systemProperties = {
      [MessageProperty.CORRELATION_ID]: correlationId,
      [MessageProperty.REPLY_TO_CLIENT]: this.instance.clientId,
      [MessageProperty.TTL]: String(timeoutMs),
    };
    let answer!: (reply: MessageExt) => void;
    const reply = new Promise<MessageExt>((resolve) => (answer = resolve));
    this.instance.replyWaiters.set(correlationId, answer);
    let timer: NodeJS.Timeout | undefined;
    try {
      try {
        // As RocketMQ: the first request to a topic makes its brokers know this client before the answer comes back.
        if (!this.instance.cachedRoute(message.topic)) {
          await this.#publishInfo(message.topic, started + timeoutMs);
          await this.instance.sendHeartbeatToAllBrokers();
        }
        await this.#send(message, { timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)), systemProperties }, this.#options.retryTimesWhenSendAsyncFailed ?? 2);
      } catch (err) {
        throw new BrokerError('BROKER_ERR_REMOTE', `send request message to <${message.topic}> fail: ${errorMessage(err)}`, { cause: err });
      }
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new BrokerError('BROKER_ERR_REQUEST_TIMEOUT', `send request message to <${message.topic}> OK, but wait reply message timeout, ${timeoutMs} ms.`, { retriable: true })),
          Math.max(0, timeoutMs - (Date.now() - started)),
        );
      });
      return await Promise.race([reply, timedOut]);
    } finally {
      clearTimeout(timer);
      this.instance.replyWaiters.delete(correlationId);
    }
  }

  /** request() with Java's callback style: returns at once; exactly one of the callbacks runs. */
  requestAsync(message: Message, callbacks: { onSuccess(reply: MessageExt): void; onException(err: Error): void }, timeoutMs = this.#timeout()): void {
    this.request(message, timeoutMs).then(
      (reply) => callbacks.onSuccess(reply),
      (err: unknown) => callbacks.onException(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /**
   * Answers a request (RocketMQ's MessageUtil.createReplyMessage + send): the reply goes to the requester's
   * cluster's `<cluster>_REPLY_TOPIC` with SEND_REPLY_MESSAGE_V2, and the broker pushes it to the requester.
   */
  async sendReply(requestMessage: MessageExt, reply: Omit<Message, 'topic'>, options: Omit<SendOptions, 'systemProperties'> = {}): Promise<SendResult> {
    const cluster = requestMessage.properties[MessageProperty.CLUSTER];
    if (!cluster) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `create reply message fail, requestMessage error, property[${MessageProperty.CLUSTER}] is null.`);
    const systemProperties: Record<string, string> = { [MessageProperty.MSG_TYPE]: REPLY_MESSAGE_FLAG };
    for (const name of [MessageProperty.CORRELATION_ID, MessageProperty.REPLY_TO_CLIENT, MessageProperty.TTL]) {
      const value = requestMessage.properties[name];
      if (value !== undefined) systemProperties[name] = value;
    }
    return this.#send({ ...reply, topic: `${cluster}_${REPLY_TOPIC_POSTFIX}` }, { ...options, systemProperties }, this.#options.retryTimesWhenSendFailed ?? 2);
  }

  /** One request carrying several messages of one topic (no delay, no retry topic); ≤ 4 MiB in all. */
  async sendBatch(messages: Message[], options: SendOptions = {}): Promise<SendResult> {
    this.#assertRunning();
    if (messages.length === 0) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', 'a batch needs at least one message');
    const topic = messages[0]!.topic;
    const items: { flag: number; body: Buffer; properties: Record<string, string> }[] = [];
    const ids: string[] = [];
    for (const message of messages) {
      validateMessage(message, this.#maxSize());
      if (message.topic !== topic) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', 'every message of a batch must have the same topic');
      if (message.delayLevel) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', 'a batch cannot carry delayed messages');
      if (topic.startsWith('%RETRY%')) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', 'a batch cannot be sent to a retry topic');
      const id = this.#ids.next();
      ids.push(id);
      items.push({ flag: message.flag ?? 0, body: bodyBuffer(message.body), properties: messageProperties(message, { [MessageProperty.UNIQ_KEY]: id }) });
    }
    const body = encodeBatchBody(items);
    if (body.length > this.#maxSize()) throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `the batch is ${body.length} bytes, over the ${this.#maxSize()}-byte limit`);
    const batchMessage: Message = { topic, body, waitStoreMsgOK: messages[0]!.waitStoreMsgOK !== false };
    return this.#send(batchMessage, options, this.#options.retryTimesWhenSendFailed ?? 2, { batchIds: ids });
  }

  // ---------------------------------------------------------------- internals

  #timeout(): number {
    return this.#options.sendMsgTimeoutMs ?? 3_000;
  }

  #maxSize(): number {
    return this.#options.maxMessageSize ?? MESSAGE_BODY_BYTES_MAX;
  }

  #assertRunning(): void {
    if (this.#state !== 'running') throw new BrokerError('BROKER_ERR_CLOSED', `producer ${this.group} is ${this.#state === 'created' ? 'not started' : 'shut down'}`);
  }

  /** #sendUntraced, and a Pub trace record of the result when tracing is on (as the Java client's send hook). */
  async #send(message: Message, options: SendOptions, retries: number, batch?: { batchIds: string[] }): Promise<SendResult> {
    if (!this.#trace || batch) return this.#sendUntraced(message, options, retries, batch);
    const started = Date.now();
    const result = await this.#sendUntraced(message, options, retries, batch);
    const prepared = options.systemProperties?.[MessageProperty.TRAN_MSG] === 'true';
    this.#trace.add([{
      type: 'Pub', timestamp: started, regionId: result.regionId, groupName: this.group, topic: message.topic, msgId: result.msgId, tags: message.tags,
      keys: Array.isArray(message.keys) ? message.keys.join(' ') : message.keys, storeHost: this.instance.masterAddress(result.messageQueue.brokerName),
      bodyLength: bodyBuffer(message.body).length, costTime: Date.now() - started, msgType: prepared ? 1 : (message.delayLevel ?? 0) > 0 ? 3 : 0,
      offsetMsgId: result.offsetMsgId, success: result.sendStatus === 'SEND_OK',
    }]);
    return result;
  }

  async #sendUntraced(message: Message, options: SendOptions, retries: number, batch?: { batchIds: string[] }): Promise<SendResult> {
    this.#assertRunning();
    if (!batch) validateMessage(message, this.#maxSize());
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? this.#timeout();
    const deadline = started + timeoutMs;
    const info = await this.#publishInfo(message.topic, deadline);
    const uniqKey = batch ? undefined : this.#ids.next();

    if (options.queue || options.selector) {
      const mq = options.queue ?? options.selector!(info.queues, message, options.arg);
      if (!mq || !info.queues.some((q) => q.brokerName === mq.brokerName && q.queueId === mq.queueId)) {
        throw new BrokerError('BROKER_ERR_INVALID_ARGUMENT', `the selected queue ${mq ? `${mq.brokerName}/${mq.queueId}` : '(none)'} is not a writable queue of ${message.topic}`);
      }
      return this.#sendTo(message, mq, deadline, uniqKey, batch, options.systemProperties);
    }

    const attempts = 1 + Math.max(0, retries);
    let lastBroker: string | undefined;
    let lastError: unknown;
    let attempt = 0;
    for (; attempt < attempts; attempt++) {
      if (Date.now() >= deadline) break;
      const mq = this.#select(info, lastBroker);
      try {
        const result = await this.#sendTo(message, mq, deadline, uniqKey, batch, options.systemProperties);
        this.#isolated.delete(mq.brokerName);
        return result;
      } catch (err) {
        lastError = err;
        lastBroker = mq.brokerName;
        if (err instanceof RemoteError) {
          if (!RETRY_RESPONSE_CODES.has(err.responseCode)) throw err;
          if (err.responseCode === ResponseCode.TOPIC_NOT_EXIST) await this.#refresh(message.topic);
        } else if (isBrokerError(err) && err.retriable) {
          const now = Date.now();
          this.#isolated.set(mq.brokerName, { since: now, until: now + (this.#options.brokerIsolationMs ?? 30_000) });
        } else {
          throw err;
        }
        this.instance.logger.debug('send failed, retrying', { topic: message.topic, broker: mq.brokerName, attempt, error: errorMessage(err) });
      }
    }
    const cost = Date.now() - started;
    const reason = lastError === undefined ? `timed out after ${timeoutMs} ms` : errorMessage(lastError);
    const error = new BrokerError(
      isBrokerError(lastError) && lastError.code === 'BROKER_ERR_REMOTE' ? 'BROKER_ERR_REMOTE' : 'BROKER_ERR_REQUEST_TIMEOUT',
      `send [${attempt}] times, still failed, cost [${cost}] ms, topic: ${message.topic}: ${reason}`,
      { retriable: true, cause: lastError },
    );
    throw error;
  }

  #prepare(message: Message, mq: MessageQueue, uniqKey?: string, batch?: { batchIds: string[] }, systemProperties: Record<string, string> = {}): { request: RemotingCommand; addr: string } {
    const addr = this.instance.masterAddress(mq.brokerName);
    if (!addr) throw new BrokerError('BROKER_ERR_NO_ROUTE', `broker ${mq.brokerName} has no master address`, { retriable: true });
    let body = bodyBuffer(message.body);
    let sysFlag = 0;
    const compressOver = this.#options.compressMsgBodyOverHowmuch ?? 4096;
    if (!batch && body.length > compressOver) {
      body = zlib.deflateSync(body, { level: 5 });
      sysFlag |= MessageSysFlag.COMPRESSED;
    }
    const properties = batch
      ? { [MessageProperty.WAIT]: message.waitStoreMsgOK === false ? 'false' : 'true' }
      : messageProperties(message, { ...(uniqKey ? { [MessageProperty.UNIQ_KEY]: uniqKey } : {}), ...systemProperties });
    // A transactional (half) message is flagged PREPARED as well as by its TRAN_MSG property.
    if (properties[MessageProperty.TRAN_MSG] === 'true') sysFlag |= MessageSysFlag.TRANSACTION_PREPARED;
    const isReply = properties[MessageProperty.MSG_TYPE] === REPLY_MESSAGE_FLAG;
    const request = this.instance.request(
      batch ? RequestCode.SEND_BATCH_MESSAGE : isReply ? RequestCode.SEND_REPLY_MESSAGE_V2 : RequestCode.SEND_MESSAGE_V2,
      {
        a: this.group,
        b: mq.topic,
        c: this.#options.createTopicKey ?? 'TBW102',
        d: this.#options.defaultTopicQueueNums ?? 4,
        e: mq.queueId,
        f: sysFlag,
        g: Date.now(),
        h: message.flag ?? 0,
        i: encodePropertiesString(properties),
        j: 0,
        k: false,
        m: Boolean(batch),
      },
      body,
    );
    return { request, addr };
  }

  async #sendTo(message: Message, mq: MessageQueue, deadline: number, uniqKey: string | undefined, batch?: { batchIds: string[] }, systemProperties: Record<string, string> = {}): Promise<SendResult> {
    const { request, addr } = this.#prepare(message, mq, uniqKey, batch, systemProperties);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new BrokerError('BROKER_ERR_REQUEST_TIMEOUT', `send timed out before reaching ${mq.brokerName}`, { retriable: true });
    const response = await this.instance.remoting.invoke(addr, request, remaining);
    const status = statusOf(response.code);
    if (status === null) throw new RemoteError(response.code, response.remark ?? '', responseCodeName(response.code));
    const ext = response.extFields ?? {};
    const result: SendResult = {
      sendStatus: status,
      msgId: batch ? batch.batchIds.join(',') : (uniqKey ?? ext.msgId ?? ''),
      offsetMsgId: ext.msgId ?? '',
      messageQueue: { topic: mq.topic, brokerName: mq.brokerName, queueId: Number(ext.queueId ?? mq.queueId) },
      queueOffset: Number(ext.queueOffset ?? -1),
      regionId: ext.MSG_REGION ?? 'DefaultRegion',
      traceOn: ext.TRACE_ON !== 'false',
    };
    if (ext.transactionId) result.transactionId = ext.transactionId;
    return result;
  }

  #select(info: PublishInfo, lastBroker: string | undefined): MessageQueue {
    const queues = info.queues;
    const topic = queues[0]!.topic;
    let index = this.#counters.get(topic) ?? Math.floor(Math.random() * 1024);
    const now = Date.now();
    // A broker that failed is avoided for a while, unless a route refresh found it back since: missing from a
    // route and then in it again, it registered again (it restarted), whether or not anything was sent meanwhile.
    const usable = (q: MessageQueue) => {
      const isolated = this.#isolated.get(q.brokerName);
      return !isolated || isolated.until <= now || this.instance.brokerReturnedAt(q.brokerName) > isolated.since;
    };
    let fallback: MessageQueue | undefined;
    for (let i = 0; i < queues.length; i++) {
      const q = queues[index++ % queues.length]!;
      if (q.brokerName === lastBroker) continue;
      if (usable(q)) {
        this.#counters.set(topic, index);
        return q;
      }
      fallback ??= q;
    }
    this.#counters.set(topic, index);
    return fallback ?? queues[index % queues.length]!;
  }

  async #refresh(topic: string): Promise<void> {
    this.#publish.delete(topic);
  }

  async #publishInfo(topic: string, deadline: number): Promise<PublishInfo> {
    const cached = this.#publish.get(topic);
    const current = this.instance.cachedRoute(topic);
    if (cached && (cached.route === current || (cached.fromDefault && !current))) return cached;
    if (current) {
      const info = { route: current, queues: publishQueues(topic, current), fromDefault: false };
      if (info.queues.length > 0) {
        this.#publish.set(topic, info);
        return info;
      }
    }
    const route = await this.#withDeadline(this.instance.updateRoute(topic), deadline, topic);
    if (route) {
      const info = { route, queues: publishQueues(topic, route), fromDefault: false };
      if (info.queues.length === 0) throw new BrokerError('BROKER_ERR_NO_ROUTE', `topic ${topic} has no writable queue`, { retriable: true });
      this.#publish.set(topic, info);
      return info;
    }
    const defaultTopic = this.#options.createTopicKey ?? 'TBW102';
    const fallback = await this.#withDeadline(this.instance.updateRoute(defaultTopic), deadline, topic);
    const queues = fallback ? publishQueues(topic, fallback, this.#options.defaultTopicQueueNums ?? 4) : [];
    if (!fallback || queues.length === 0) {
      throw new BrokerError('BROKER_ERR_NO_ROUTE', `no route info of this topic: ${topic} (the NameServers know no route for it and no broker auto-creates topics)`);
    }
    const info = { route: fallback, queues, fromDefault: true };
    this.#publish.set(topic, info);
    return info;
  }

  async #withDeadline<T>(promise: Promise<T>, deadline: number, topic: string): Promise<T> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new BrokerError('BROKER_ERR_REQUEST_TIMEOUT', `route lookup for ${topic} timed out`, { retriable: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        promise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new BrokerError('BROKER_ERR_REQUEST_TIMEOUT', `route lookup for ${topic} timed out`, { retriable: true })), remaining);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
