/**
 * apache.rocketmq.v2.MessagingService: every RPC of the 5.x API, answered from the brokers through the
 * BrokerGateway with the brokers' own request codes. Outcomes are statuses in the response (status.ts);
 * a handler never leaves a call unanswered: a fault becomes INTERNAL_SERVER_ERROR with its message.
 *
 * Per call, the client is the `x-mq-client-id` header (CLIENT_ID_REQUIRED without it); its session
 * (client-sessions.ts) carries its Settings, which the Telemetry stream delivers first. What each RPC does is
 * written above its handler.
 */
import type * as grpc from '@grpc/grpc-js';
import { ResponseCode } from '../protocol/response-code';
import { MQVersion } from '../protocol/language-code';
import { RequestCode } from '../protocol/request-code';
import { createRequest, createResponse, type RemotingCommand } from '../protocol/remoting-command';
import { decodeOffsetMsgIdText, encodePropertiesString, readStoredRecord, type StoredRecord } from '../broker/message/message-util';
import { validateGroupName, validateTopicName } from '../broker/processors/send-message-processor';
import type { TopicRouteData } from '../client/admin-client';
import { GRPC_BROKER_REQUEST_TIMEOUT_MS, GRPC_SEND_MESSAGES_PER_REQUEST_MAX } from '../config/limits';
import type { Logger } from '../util/logger';
import type { BrokerGateway } from './broker-gateway';
import { ClientSessions, type ClientSession } from './client-sessions';
import type * as pb from './grpc-types';
import { durationMs, durationOf, timestampMs, toGrpcMessage, toMessageToSend, type MessageToSend } from './message-converter';
import { GrpcStatusError, OK, status, statusOfError, statusOfResponse } from './status';

export interface MessagingServiceOptions {
  gateway: BrokerGateway;
  logger: Logger;
  /** The largest body a send may carry (the broker's maxMessageSize): the Settings' maxBodySize. */
  maxBodySizeBytes: number;
  /** Whether sends are checked against the topic's message type (the Settings' validateMessageType). */
  validateMessageType: boolean;
  /** The endpoint's own address, for routes when the client's request names none. */
  advertisedEndpoint: () => pb.Endpoints;
  /** Checks a call's credentials and permissions (ACL); throws GrpcStatusError UNAUTHORIZED / FORBIDDEN. */
  authorize?: (call: CallInfo, need: AccessNeed) => void;
}

/** What a call needs from the ACL: the RocketMQ permissions on topics and groups. */
export interface AccessNeed {
  pub?: string[];
  subTopics?: string[];
  subGroups?: string[];
}

export interface CallInfo {
  method: string;
  metadata: grpc.Metadata;
  peer: string;
}

const PERM_READ = 0x4;
const PERM_WRITE = 0x2;
/** PULL_MESSAGE sysFlag bits (PullSysFlag). */
const PULL_FLAG_SUSPEND = 0x2;
const PULL_FLAG_SUBSCRIPTION = 0x4;

/** Stored records back to back (a PULL_MESSAGE / POP_MESSAGE body). */
export function decodeRecords(body: Buffer | undefined): StoredRecord[] {
  const records: StoredRecord[] = [];
  if (!body) return records;
  let position = 0;
  while (position + 4 <= body.length) {
    const size = body.readInt32BE(position);
    if (size <= 0 || position + size > body.length) break;
    records.push(readStoredRecord(body.subarray(position, position + size)));
    position += size;
  }
  return records;
}

/** RocketMQ's producer retry policy the Proxy hands producers (grpcClientProducerMaxAttempts, backoff 10 ms → 1 s, ×2). */
const PRODUCER_BACKOFF: pb.RetryPolicy = {
  max_attempts: 3,
  exponential_backoff: { initial: durationOf(10), max: durationOf(1_000), multiplier: 2 },
};
/** Consumer redelivery backoff (RocketMQ's default ExponentialRetryPolicy: 1 s → 2 h, ×2); attempts from the group. */
const CONSUMER_BACKOFF = { initial: durationOf(1_000), max: durationOf(7_200_000), multiplier: 2 };
/** What the Proxy tells consumers (grpcClientConsumerLongPollingBatchSize, grpcClientConsumerMaxLongPollingTimeoutMillis). */
const CONSUMER_RECEIVE_BATCH_SIZE = 32;
const CONSUMER_LONG_POLLING_MS = 20_000;
/** retryMaxTimes of a group RocketMQ has not heard of yet (SubscriptionGroupConfig's default). */
const DEFAULT_RETRY_MAX_TIMES = 16;

/** A peer as grpc-js reports it ("ipv4:1.2.3.4:5", "1.2.3.4:5", "[::1]:5") → "ip:port". */
export function peerAddress(peer: string): string {
  const text = peer.replace(/^ipv[46]:/, '');
  if (text.startsWith('[')) return text;
  const colons = text.split(':').length - 1;
  if (colons > 1) {
    const at = text.lastIndexOf(':');
    return `[${text.slice(0, at)}]${text.slice(at)}`;
  }
  return text;
}

function metadataText(metadata: grpc.Metadata, key: string): string {
  const value = metadata.get(key)[0];
  return value === undefined ? '' : String(value);
}

/** transaction_id: where the half message is, so EndTransaction can find it on its broker. */
export function encodeTransactionId(brokerName: string, commitLogOffset: number, queueOffset: number): string {
  return `${brokerName}:${commitLogOffset}:${queueOffset}`;
}

export function decodeTransactionId(id: string): { brokerName: string; commitLogOffset: number; queueOffset: number } | null {
  const last = id.lastIndexOf(':');
  const middle = id.lastIndexOf(':', last - 1);
  if (middle <= 0) return null;
  const commitLogOffset = Number(id.slice(middle + 1, last));
  const queueOffset = Number(id.slice(last + 1));
  if (!Number.isSafeInteger(commitLogOffset) || commitLogOffset < 0 || !Number.isSafeInteger(queueOffset) || queueOffset < 0) return null;
  return { brokerName: id.slice(0, middle), commitLogOffset, queueOffset };
}

/** A stable, spread hash of a message group (FNV-1a), to keep one group on one queue. */
function groupHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function permissionOf(perm: number): pb.Permission {
  const readable = (perm & PERM_READ) !== 0;
  const writable = (perm & PERM_WRITE) !== 0;
  if (readable && writable) return 'READ_WRITE';
  if (readable) return 'READ';
  if (writable) return 'WRITE';
  return 'NONE';
}

/** What queues of a topic of this type accept (RouteActivity.parseTopicMessageType). */
export function acceptedMessageTypes(topicType: string): pb.MessageType[] {
  switch (topicType) {
    case 'NORMAL': return ['NORMAL'];
    case 'FIFO': return ['FIFO'];
    case 'DELAY': return ['DELAY'];
    case 'TRANSACTION': return ['TRANSACTION'];
    case 'MIXED': return ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION'];
    default: return ['MESSAGE_TYPE_UNSPECIFIED'];
  }
}

function typeAccepted(topicType: string, messageType: pb.MessageType): boolean {
  if (topicType === 'MIXED' || topicType === 'UNSPECIFIED') return true;
  return topicType === messageType;
}

function resourceName(resource: pb.Resource | null | undefined): string {
  return resource?.name ?? '';
}

function checkTopic(topic: string): void {
  const bad = validateTopicName(topic);
  if (bad) throw new GrpcStatusError('ILLEGAL_TOPIC', bad);
}

function checkGroup(group: string): void {
  const bad = validateGroupName(group);
  if (bad) throw new GrpcStatusError('ILLEGAL_CONSUMER_GROUP', bad);
}

type Unary<Req, Res> = (session: ClientSession, request: Req, call: CallInfo) => Promise<Res>;

export class MessagingService {
  readonly #options: MessagingServiceOptions;
  readonly #logger: Logger;
  readonly sessions: ClientSessions;
  /** Round-robin position per topic for sends without a message group. */
  readonly #nextQueue = new Map<string, number>();

  constructor(options: MessagingServiceOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.sessions = new ClientSessions({
      gateway: options.gateway,
      logger: options.logger,
      onEnd: (session) => this.#unregister(session),
      onBrokerRequest: (session) => (brokerName, request) => this.#brokerRequest(session, brokerName, request),
    });
  }

  get #gateway(): BrokerGateway {
    return this.#options.gateway;
  }

  start(): void {
    this.sessions.start();
  }

  async shutdown(): Promise<void> {
    for (const session of this.sessions.all()) session.telemetry?.end();
    await this.sessions.shutdown();
  }

  /** The handler table for grpc.Server.addService. */
  handlers(): grpc.UntypedServiceImplementation {
    return {
      QueryRoute: this.#unary('QueryRoute', (s, r: pb.QueryRouteRequest, c) => this.queryRoute(s, r, c)),
      Heartbeat: this.#unary('Heartbeat', (s, r: pb.HeartbeatRequest, c) => this.heartbeat(s, r, c)),
      SendMessage: this.#unary('SendMessage', (s, r: pb.SendMessageRequest, c) => this.sendMessage(s, r, c)),
      QueryAssignment: this.#unary('QueryAssignment', (s, r: pb.QueryAssignmentRequest, c) => this.queryAssignment(s, r, c)),
      ReceiveMessage: (call: grpc.ServerWritableStream<pb.ReceiveMessageRequest, unknown>) => this.#unsupportedStream(call, 'ReceiveMessage'),
      AckMessage: this.#unary('AckMessage', async () => ({ status: status('NOT_IMPLEMENTED', 'AckMessage: POP consumption is not available on this broker yet'), entries: [] })),
      ForwardMessageToDeadLetterQueue: this.#unary('ForwardMessageToDeadLetterQueue', async () => ({ status: status('NOT_IMPLEMENTED', 'ForwardMessageToDeadLetterQueue: POP consumption is not available on this broker yet') })),
      PullMessage: (call: grpc.ServerWritableStream<pb.PullMessageRequest, unknown>) => this.pullMessage(call),
      UpdateOffset: this.#unary('UpdateOffset', (s, r: pb.UpdateOffsetRequest, c) => this.updateOffset(s, r, c)),
      GetOffset: this.#unary('GetOffset', (s, r: pb.GetOffsetRequest, c) => this.getOffset(s, r, c)),
      QueryOffset: this.#unary('QueryOffset', (s, r: pb.QueryOffsetRequest, c) => this.queryOffset(s, r, c)),
      EndTransaction: this.#unary('EndTransaction', (s, r: pb.EndTransactionRequest, c) => this.endTransaction(s, r, c)),
      Telemetry: (call: grpc.ServerDuplexStream<pb.TelemetryCommand, pb.TelemetryCommand>) => this.telemetry(call),
      NotifyClientTermination: this.#unary('NotifyClientTermination', (s, r: pb.NotifyClientTerminationRequest) => this.notifyClientTermination(s, r)),
      ChangeInvisibleDuration: this.#unary('ChangeInvisibleDuration', async () => ({ status: status('NOT_IMPLEMENTED', 'ChangeInvisibleDuration: POP consumption is not available on this broker yet'), receipt_handle: '' })),
      RecallMessage: this.#unary('RecallMessage', (s, r: pb.RecallMessageRequest, c) => this.recallMessage(s, r, c)),
      SyncLiteSubscription: this.#unary('SyncLiteSubscription', async () => ({ status: status('NOT_IMPLEMENTED', 'Lite topics (SyncLiteSubscription) are not supported by Rocketdeck') })),
    };
  }

  // ------------------------------------------------------------------ plumbing

  #callInfo(method: string, call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>): CallInfo {
    return { method, metadata: call.metadata, peer: call.getPeer() };
  }

  /** The caller's session (created on its first call); CLIENT_ID_REQUIRED without x-mq-client-id. */
  #session(info: CallInfo, localAddress: string): ClientSession {
    const clientId = metadataText(info.metadata, 'x-mq-client-id');
    if (!clientId) throw new GrpcStatusError('CLIENT_ID_REQUIRED', 'the x-mq-client-id header is required');
    if (clientId.length > 256) throw new GrpcStatusError('BAD_REQUEST', 'x-mq-client-id is longer than 256 characters');
    return this.sessions.touch(clientId, peerAddress(info.peer), localAddress, metadataText(info.metadata, 'x-mq-language'), metadataText(info.metadata, 'x-mq-client-version'));
  }

  #localAddress(): string {
    const endpoint = this.#options.advertisedEndpoint().addresses[0];
    return endpoint ? `${endpoint.host}:${endpoint.port}` : '';
  }

  #authorize(info: CallInfo, need: AccessNeed): void {
    this.#options.authorize?.(info, need);
  }

  #unary<Req, Res extends object>(method: string, handler: Unary<Req, Res>): grpc.handleUnaryCall<Req, Res | { status: pb.Status }> {
    return (call, callback) => {
      const info = this.#callInfo(method, call);
      let session: ClientSession;
      try {
        session = this.#session(info, this.#localAddress());
      } catch (err) {
        callback(null, { status: statusOfError(err) });
        return;
      }
      handler(session, call.request, info).then(
        (response) => callback(null, response),
        (err: unknown) => {
          const answer = statusOfError(err);
          if (answer.code === 'INTERNAL_SERVER_ERROR') this.#logger.warn('gRPC call failed', { method, clientId: session.clientId, error: answer.message });
          callback(null, { status: answer });
        },
      );
    };
  }

  #unsupportedStream(call: grpc.ServerWritableStream<unknown, unknown>, method: string): void {
    call.write({ status: status('NOT_IMPLEMENTED', `${method}: POP consumption is not available on this broker yet`) });
    call.end();
  }

  async #invoke(session: ClientSession, brokerName: string, request: RemotingCommand, timeoutMs = GRPC_BROKER_REQUEST_TIMEOUT_MS): Promise<RemotingCommand> {
    request.language = session.language;
    request.version = MQVersion.V5_0_0;
    return session.link.invoke(brokerName, request, timeoutMs);
  }

  async #routeOf(topic: string): Promise<TopicRouteData> {
    const route = await this.#gateway.route(topic);
    if (!route) throw new GrpcStatusError('TOPIC_NOT_FOUND', `topic ${topic} not found`);
    return route;
  }

  async #topicType(topic: string, route: TopicRouteData): Promise<string> {
    return (await this.#gateway.topicInfo(topic, route))?.messageType ?? 'NORMAL';
  }

  // ------------------------------------------------------------------ QueryRoute

  /**
   * QueryRoute: the topic's queues on every broker of its route, split as the Proxy splits them (read-only,
   * write-only, read-write, none), each broker pointing at this endpoint: the address the client used (the
   * request's endpoints) or, when it sent none, the endpoint's own. accept_message_types from the topic's type.
   */
  async queryRoute(_session: ClientSession, request: pb.QueryRouteRequest, call: CallInfo): Promise<{ status: pb.Status; message_queues: pb.MessageQueue[] }> {
    const topic = resourceName(request.topic);
    checkTopic(topic);
    this.#authorize(call, {});
    const route = await this.#routeOf(topic);
    const accepted = acceptedMessageTypes(await this.#topicType(topic, route));
    const endpoints = request.endpoints && request.endpoints.addresses.length > 0 ? request.endpoints : this.#options.advertisedEndpoint();
    const queues: pb.MessageQueue[] = [];
    const resource: pb.Resource = { resource_namespace: request.topic?.resource_namespace ?? '', name: topic };
    for (const queueData of route.queueDatas) {
      const broker: pb.Broker = { name: queueData.brokerName, id: 0, endpoints };
      const perm = queueData.perm;
      let readOnly = 0, writeOnly = 0, readWrite = 0, none = 0;
      if ((perm & PERM_READ) && (perm & PERM_WRITE)) {
        readWrite = Math.min(queueData.readQueueNums, queueData.writeQueueNums);
        readOnly = queueData.readQueueNums - readWrite;
        writeOnly = queueData.writeQueueNums - readWrite;
      } else if (perm & PERM_WRITE) {
        writeOnly = queueData.writeQueueNums;
      } else if (perm & PERM_READ) {
        readOnly = queueData.readQueueNums;
      } else {
        none = Math.max(1, queueData.readQueueNums, queueData.writeQueueNums);
      }
      let id = 0;
      const add = (count: number, permission: pb.Permission) => {
        for (let i = 0; i < count; i++) queues.push({ topic: resource, id: id++, permission, broker, accept_message_types: accepted });
      };
      add(readOnly, 'READ');
      add(writeOnly, 'WRITE');
      add(readWrite, 'READ_WRITE');
      add(none, 'NONE');
    }
    return { status: OK, message_queues: queues };
  }

  // ------------------------------------------------------------------ QueryAssignment

  /**
   * QueryAssignment (push consumers): one queue per readable broker, id -1 (the broker picks queues when
   * popping), or for a FIFO group (consumeMessageOrderly) every read queue, so each is consumed in order.
   */
  async queryAssignment(_session: ClientSession, request: pb.QueryAssignmentRequest, call: CallInfo): Promise<{ status: pb.Status; assignments: { message_queue: pb.MessageQueue }[] }> {
    const topic = resourceName(request.topic);
    const group = resourceName(request.group);
    checkTopic(topic);
    checkGroup(group);
    this.#authorize(call, { subTopics: [topic], subGroups: [group] });
    const route = await this.#routeOf(topic);
    const groupConfig = await this.#gateway.groupConfig(group, route.queueDatas.map((q) => q.brokerName));
    const fifo = groupConfig?.consumeMessageOrderly === true;
    const endpoints = request.endpoints && request.endpoints.addresses.length > 0 ? request.endpoints : this.#options.advertisedEndpoint();
    const resource: pb.Resource = { resource_namespace: request.topic?.resource_namespace ?? '', name: topic };
    const assignments: { message_queue: pb.MessageQueue }[] = [];
    for (const queueData of route.queueDatas) {
      if (!(queueData.perm & PERM_READ) || queueData.readQueueNums <= 0) continue;
      const broker: pb.Broker = { name: queueData.brokerName, id: 0, endpoints };
      const permission = permissionOf(queueData.perm);
      if (fifo) {
        for (let id = 0; id < queueData.readQueueNums; id++) assignments.push({ message_queue: { topic: resource, id, permission, broker, accept_message_types: [] } });
      } else {
        assignments.push({ message_queue: { topic: resource, id: -1, permission, broker, accept_message_types: [] } });
      }
    }
    if (assignments.length === 0) return { status: status('FORBIDDEN', 'no readable queue'), assignments };
    return { status: OK, assignments };
  }

  // ------------------------------------------------------------------ Telemetry

  /**
   * Telemetry: the client's Settings arrive first; the answer is the server's Settings (producer: maxBodySize,
   * validateMessageType, backoff; consumer: receive batch, long polling, fifo and attempts from the group), and
   * the client is registered with its brokers at once. Later the stream carries RecoverOrphanedTransactionCommand
   * to producers (transaction check-back). Stream errors are ended with a status command, never left open.
   */
  telemetry(call: grpc.ServerDuplexStream<pb.TelemetryCommand, pb.TelemetryCommand>): void {
    const info = this.#callInfo('Telemetry', call);
    let session: ClientSession;
    try {
      session = this.#session(info, this.#localAddress());
      this.#authorize(info, {});
    } catch (err) {
      call.write({ status: statusOfError(err) });
      call.end();
      return;
    }
    const finished = () => {
      if (session.telemetry === call) session.telemetry = null;
      session.lastSeenMs = Date.now();
    };
    call.on('data', (command: pb.TelemetryCommand) => {
      session.lastSeenMs = Date.now();
      if (command.command === 'settings' && command.settings) {
        this.#onSettings(session, call, info, command.settings).catch((err: unknown) => {
          const answer = statusOfError(err);
          if (answer.code === 'INTERNAL_SERVER_ERROR') this.#logger.warn('client settings failed', { clientId: session.clientId, error: answer.message });
          if (!call.writableEnded) call.write({ status: answer });
        });
      }
      // thread_stack_trace and verify_message_result answer commands this endpoint does not send.
    });
    call.on('end', () => {
      finished();
      if (!call.writableEnded) call.end();
    });
    call.on('error', finished);
    call.on('cancelled', finished);
  }

  async #onSettings(session: ClientSession, call: grpc.ServerDuplexStream<pb.TelemetryCommand, pb.TelemetryCommand>, info: CallInfo, settings: pb.Settings): Promise<void> {
    const clientType = settings.client_type ?? 'CLIENT_TYPE_UNSPECIFIED';
    if (settings.publishing) {
      if (clientType !== 'PRODUCER') throw new GrpcStatusError('BAD_REQUEST', `publishing settings require the PRODUCER client type, not ${clientType}`);
      const topics = settings.publishing.topics.map((t) => t.name);
      for (const topic of topics) checkTopic(topic);
      // A producer's registration needs only a known account (as a remoting producer's heartbeat); each send checks PUB.
      this.#authorize(info, {});
    } else if (settings.subscription) {
      if (!['PUSH_CONSUMER', 'SIMPLE_CONSUMER', 'PULL_CONSUMER'].includes(clientType)) {
        throw new GrpcStatusError('BAD_REQUEST', `subscription settings require a consumer client type, not ${clientType}`);
      }
      const group = resourceName(settings.subscription.group);
      checkGroup(group);
      const topics = settings.subscription.subscriptions.map((s) => resourceName(s.topic));
      for (const topic of topics) checkTopic(topic);
      this.#authorize(info, { subTopics: topics, subGroups: [group] });
    } else {
      throw new GrpcStatusError('BAD_REQUEST', 'there is no publishing or subscription data in settings');
    }
    session.settings = settings;
    session.settingsVersion = Date.now();
    session.telemetry = call;
    const reply = await this.#serverSettings(session);
    if (!call.writableEnded) call.write({ status: OK, settings: reply });
    await this.#register(session);
  }

  /** The Settings the server answers with: the client's own, completed as the Apache Proxy completes them. */
  async #serverSettings(session: ClientSession): Promise<pb.Settings> {
    const settings = session.settings!;
    if (settings.publishing) {
      return {
        ...settings,
        backoff_policy: PRODUCER_BACKOFF,
        publishing: { ...settings.publishing, max_body_size: this.#options.maxBodySizeBytes, validate_message_type: this.#options.validateMessageType },
      };
    }
    const subscription = settings.subscription!;
    const group = resourceName(subscription.group);
    const brokerNames = new Set<string>();
    for (const topic of session.topics) {
      const route = await this.#gateway.route(topic).catch(() => null);
      for (const queueData of route?.queueDatas ?? []) brokerNames.add(queueData.brokerName);
    }
    const groupConfig = await this.#gateway.groupConfig(group, [...brokerNames]);
    return {
      ...settings,
      backoff_policy: { max_attempts: (groupConfig?.retryMaxTimes ?? DEFAULT_RETRY_MAX_TIMES) + 1, exponential_backoff: CONSUMER_BACKOFF },
      subscription: {
        ...subscription,
        fifo: groupConfig?.consumeMessageOrderly === true,
        receive_batch_size: CONSUMER_RECEIVE_BATCH_SIZE,
        long_polling_timeout: durationOf(CONSUMER_LONG_POLLING_MS),
      },
    };
  }

  // ------------------------------------------------------------------ Heartbeat, NotifyClientTermination

  /** Heartbeat: the client is (re-)registered with the brokers of its topics, as a remoting client's heartbeat does. */
  async heartbeat(session: ClientSession, request: pb.HeartbeatRequest, call: CallInfo): Promise<{ status: pb.Status }> {
    if (!session.settings) return { status: status('UNRECOGNIZED_CLIENT_TYPE', 'cannot find client settings for this client') };
    if (!session.isProducer) {
      const group = resourceName(request.group) || session.consumerGroup || '';
      checkGroup(group);
      this.#authorize(call, { subGroups: [group], subTopics: session.topics });
    }
    await this.#register(session);
    return { status: OK };
  }

  /** The HEART_BEAT a remoting client of this kind would send, to every broker of the client's topics. */
  async #register(session: ClientSession): Promise<void> {
    const brokerNames = new Set<string>();
    for (const topic of session.topics) {
      const route = await this.#gateway.route(topic).catch(() => null);
      for (const queueData of route?.queueDatas ?? []) brokerNames.add(queueData.brokerName);
    }
    const local = this.#gateway.localBrokerName;
    if (local && !session.isProducer) brokerNames.add(local);
    const body = Buffer.from(JSON.stringify(this.#heartbeatBody(session)));
    await Promise.all([...brokerNames].map(async (brokerName) => {
      try {
        const response = await this.#invoke(session, brokerName, createRequest(RequestCode.HEART_BEAT, undefined, body));
        if (response.code === ResponseCode.SUCCESS) session.registeredBrokers.add(brokerName);
        else this.#logger.debug('heartbeat refused', { brokerName, code: response.code, remark: response.remark });
      } catch (err) {
        this.#logger.debug('heartbeat failed', { brokerName, error: (err as Error).message });
      }
    }));
  }

  /**
   * HeartbeatData: producers register under each topic they publish to (the Proxy's convention: a transaction
   * check for a topic goes to the producers registered under the topic's name); consumers under their group,
   * with their subscriptions. The extra fields `protocol`, `clientVersion` and `clientAddr` let the broker show
   * what kind of client this is (RocketMQ brokers ignore fields they do not know).
   */
  #heartbeatBody(session: ClientSession): Record<string, unknown> {
    const settings = session.settings!;
    const common = { clientID: session.clientId, protocol: 'gRPC', clientVersion: session.clientVersion, clientAddr: session.remoteAddress };
    if (settings.publishing) {
      return { ...common, producerDataSet: session.topics.map((topic) => ({ groupName: topic })), consumerDataSet: [] };
    }
    const subscription = settings.subscription!;
    return {
      ...common,
      producerDataSet: [],
      consumerDataSet: [{
        groupName: resourceName(subscription.group),
        consumeType: session.clientType === 'SIMPLE_CONSUMER' || session.clientType === 'PULL_CONSUMER' ? 'CONSUME_ACTIVELY' : 'CONSUME_PASSIVELY',
        messageModel: 'CLUSTERING',
        consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
        unitMode: false,
        subscriptionDataSet: subscription.subscriptions.map((entry) => ({
          topic: resourceName(entry.topic),
          subString: entry.expression?.expression || '*',
          expressionType: entry.expression?.type === 'SQL' ? 'SQL92' : 'TAG',
          subVersion: session.settingsVersion,
          classFilterMode: false,
          tagsSet: [],
          codeSet: [],
        })),
      }],
    };
  }

  /** NotifyClientTermination: the client leaves; it is unregistered from its brokers and its session ends. */
  async notifyClientTermination(session: ClientSession, _request: pb.NotifyClientTerminationRequest): Promise<{ status: pb.Status }> {
    if (!session.settings) {
      await this.sessions.end(session);
      return { status: status('UNRECOGNIZED_CLIENT_TYPE', 'cannot find client settings for this client') };
    }
    await this.sessions.end(session);
    return { status: OK };
  }

  /** UNREGISTER_CLIENT for each group, on each broker the client was registered with. */
  async #unregister(session: ClientSession): Promise<void> {
    if (!session.settings) return;
    const groups = session.isProducer ? session.topics.map((topic) => ({ producerGroup: topic })) : [{ consumerGroup: session.consumerGroup ?? '' }];
    await Promise.all([...session.registeredBrokers].flatMap((brokerName) => groups.map(async (group) => {
      try {
        await this.#invoke(session, brokerName, createRequest(RequestCode.UNREGISTER_CLIENT, { clientID: session.clientId, ...group }));
      } catch (err) {
        this.#logger.debug('unregister failed', { brokerName, error: (err as Error).message });
      }
    })));
  }

  /** Requests a broker sends this client: transaction checks go to its Telemetry stream; the rest are answered here. */
  #brokerRequest(session: ClientSession, brokerName: string, request: RemotingCommand): RemotingCommand | null {
    switch (request.code) {
      case RequestCode.CHECK_TRANSACTION_STATE:
        this.#checkTransaction(session, brokerName, request);
        return null;
      case RequestCode.NOTIFY_CONSUMER_IDS_CHANGED:
        return null; // gRPC consumers do not rebalance on their side
      default:
        return createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, `gRPC client ${session.clientId} does not answer request code ${request.code} (it speaks the 5.x API)`);
    }
  }

  /** CHECK_TRANSACTION_STATE → RecoverOrphanedTransactionCommand on the producer's Telemetry stream. */
  #checkTransaction(session: ClientSession, brokerName: string, request: RemotingCommand): void {
    const ext = request.extFields ?? {};
    const commitLogOffset = Number(ext.commitLogOffset);
    const queueOffset = Number(ext.tranStateTableOffset);
    if (!request.body || !Number.isSafeInteger(commitLogOffset) || !Number.isSafeInteger(queueOffset)) return;
    let message: pb.Message;
    try {
      const record = readStoredRecord(request.body);
      message = toGrpcMessage(record, { topic: record.properties.REAL_TOPIC ?? record.topic });
    } catch (err) {
      this.#logger.warn('transaction check carried an unreadable message', { brokerName, error: (err as Error).message });
      return;
    }
    const sent = session.push({ recover_orphaned_transaction_command: { message, transaction_id: encodeTransactionId(brokerName, commitLogOffset, queueOffset) } });
    if (!sent) this.#logger.debug('transaction check not delivered: the producer has no Telemetry stream open', { clientId: session.clientId });
  }

  // ------------------------------------------------------------------ SendMessage

  /**
   * SendMessage: each message is converted (message-converter.ts), checked against the topic's type, put on a
   * writable queue of the topic (a message group always on the same queue; otherwise round robin over every
   * broker's queues) and sent to that broker as SEND_MESSAGE with the producer group = topic.
   */
  async sendMessage(session: ClientSession, request: pb.SendMessageRequest, call: CallInfo): Promise<{ status: pb.Status; entries: pb.SendResultEntry[] }> {
    const messages = request.messages ?? [];
    if (messages.length === 0) throw new GrpcStatusError('MESSAGE_CORRUPTED', 'no message to send');
    if (messages.length > GRPC_SEND_MESSAGES_PER_REQUEST_MAX) throw new GrpcStatusError('PAYLOAD_TOO_LARGE', `a send carries at most ${GRPC_SEND_MESSAGES_PER_REQUEST_MAX} messages`);
    const topic = resourceName(messages[0]!.topic);
    checkTopic(topic);
    if (messages.some((m) => resourceName(m.topic) !== topic)) throw new GrpcStatusError('MESSAGE_CORRUPTED', 'topic in message is not same');
    this.#authorize(call, { pub: [topic] });
    const now = Date.now();
    const converted = messages.map((message) => toMessageToSend(message, this.#options.maxBodySizeBytes, now));
    const route = await this.#routeOf(topic);
    if (this.#options.validateMessageType) {
      const topicType = await this.#topicType(topic, route);
      for (const message of converted) {
        if (!typeAccepted(topicType, message.messageType)) {
          throw new GrpcStatusError('MESSAGE_PROPERTY_CONFLICT_WITH_TYPE', `the topic ${topic} accepts ${topicType} messages, not ${message.messageType}`);
        }
      }
    }
    const writable: { brokerName: string; queueId: number }[] = [];
    for (const queueData of route.queueDatas) {
      if (!(queueData.perm & PERM_WRITE)) continue;
      for (let queueId = 0; queueId < queueData.writeQueueNums; queueId++) writable.push({ brokerName: queueData.brokerName, queueId });
    }
    if (writable.length === 0) throw new GrpcStatusError('FORBIDDEN', `topic ${topic} has no writable queue`);
    const entries: pb.SendResultEntry[] = [];
    for (const message of converted) entries.push(await this.#sendOne(session, message, writable));
    const codes = new Set(entries.map((e) => e.status.code));
    const overall = codes.size === 1 ? entries[0]!.status : status('MULTIPLE_RESULTS');
    return { status: codes.size === 1 && overall.code === 'OK' ? OK : overall, entries };
  }

  #pickQueue(topic: string, message: MessageToSend, writable: { brokerName: string; queueId: number }[]): { brokerName: string; queueId: number } {
    const group = message.properties.__SHARDINGKEY;
    if (group !== undefined) return writable[groupHash(group) % writable.length]!;
    const next = (this.#nextQueue.get(topic) ?? Math.floor(Math.random() * writable.length)) + 1;
    this.#nextQueue.set(topic, next % 1_000_000_000);
    return writable[next % writable.length]!;
  }

  async #sendOne(session: ClientSession, message: MessageToSend, writable: { brokerName: string; queueId: number }[]): Promise<pb.SendResultEntry> {
    const target = this.#pickQueue(message.topic, message, writable);
    const command = createRequest(RequestCode.SEND_MESSAGE, {
      producerGroup: message.topic,
      topic: message.topic,
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: target.queueId,
      sysFlag: message.sysFlag,
      bornTimestamp: message.bornTimestamp,
      flag: 0,
      properties: encodePropertiesString(message.properties),
      reconsumeTimes: 0,
      unitMode: false,
      batch: false,
    }, message.body);
    const response = await this.#invoke(session, target.brokerName, command);
    const failed = (answer: pb.Status): pb.SendResultEntry => ({ status: answer, message_id: message.messageId, transaction_id: '', offset: 0, recall_handle: '' });
    if (response.code !== ResponseCode.SUCCESS) {
      if (response.code === ResponseCode.TOPIC_NOT_EXIST) this.#gateway.invalidate(message.topic);
      return failed(statusOfResponse(response));
    }
    const ext = response.extFields ?? {};
    const queueOffset = Number(ext.queueOffset ?? 0);
    let transactionId = '';
    if (message.messageType === 'TRANSACTION') {
      const decoded = ext.msgId ? decodeOffsetMsgIdText(ext.msgId) : null;
      if (!decoded) return failed(status('INTERNAL_SERVER_ERROR', 'the broker did not say where the half message is'));
      transactionId = encodeTransactionId(target.brokerName, decoded.commitLogOffset, queueOffset);
    }
    return { status: OK, message_id: message.messageId, transaction_id: transactionId, offset: queueOffset, recall_handle: '' };
  }

  // ------------------------------------------------------------------ EndTransaction

  /** EndTransaction: END_TRANSACTION to the broker holding the half message (transaction_id says which, and where). */
  async endTransaction(session: ClientSession, request: pb.EndTransactionRequest, call: CallInfo): Promise<{ status: pb.Status }> {
    const topic = resourceName(request.topic);
    checkTopic(topic);
    this.#authorize(call, { pub: [topic] });
    const where = decodeTransactionId(request.transaction_id);
    if (!where) throw new GrpcStatusError('INVALID_TRANSACTION_ID', `transaction id ${JSON.stringify(request.transaction_id.slice(0, 80))} is not one this endpoint issued`);
    const commitOrRollback = request.resolution === 'COMMIT' ? 8 : request.resolution === 'ROLLBACK' ? 12 : 0;
    const response = await this.#invoke(session, where.brokerName, createRequest(RequestCode.END_TRANSACTION, {
      producerGroup: topic,
      tranStateTableOffset: where.queueOffset,
      commitLogOffset: where.commitLogOffset,
      commitOrRollback,
      fromTransactionCheck: request.source === 'SOURCE_SERVER_CHECK',
      msgId: request.message_id,
      transactionId: request.message_id,
    }));
    if (response.code !== ResponseCode.SUCCESS) return { status: statusOfResponse(response) };
    return { status: OK };
  }

  // ------------------------------------------------------------------ PullMessage and offsets (pull consumers)

  /** The broker a request's message_queue names, checked against the topic's route; and its queue id. */
  async #queueOf(mq: pb.MessageQueue | null): Promise<{ topic: string; brokerName: string; queueId: number }> {
    const topic = resourceName(mq?.topic);
    checkTopic(topic);
    const brokerName = mq?.broker?.name ?? '';
    const route = await this.#routeOf(topic);
    const queueData = route.queueDatas.find((q) => q.brokerName === brokerName);
    if (!queueData) throw new GrpcStatusError('BAD_REQUEST', `broker ${JSON.stringify(brokerName)} holds no queue of topic ${topic}`);
    const queueId = mq!.id;
    if (!Number.isInteger(queueId) || queueId < 0 || queueId >= Math.max(queueData.readQueueNums, queueData.writeQueueNums)) {
      throw new GrpcStatusError('BAD_REQUEST', `queue ${queueId} is not a queue of topic ${topic} on ${brokerName}`);
    }
    return { topic, brokerName, queueId };
  }

  /**
   * PullMessage (server stream): PULL_MESSAGE from the given queue and offset; the stream is the status, the
   * messages, then next_offset. Nothing new within the long polling time is MESSAGE_NOT_FOUND; an offset outside
   * the queue is ILLEGAL_OFFSET (next_offset says where to go on).
   */
  pullMessage(call: grpc.ServerWritableStream<pb.PullMessageRequest, unknown>): void {
    const info = this.#callInfo('PullMessage', call);
    const finish = (items: unknown[]) => {
      for (const item of items) if (!call.writableEnded && !call.cancelled) call.write(item);
      if (!call.writableEnded) call.end();
    };
    void (async () => {
      const session = this.#session(info, this.#localAddress());
      const request = call.request;
      const group = resourceName(request.group);
      checkGroup(group);
      const { topic, brokerName, queueId } = await this.#queueOf(request.message_queue);
      this.#authorize(info, { subTopics: [topic], subGroups: [group] });
      if (!Number.isSafeInteger(request.offset) || request.offset < 0) throw new GrpcStatusError('ILLEGAL_OFFSET', `offset ${request.offset} is not a queue offset`);
      const filter = request.filter_expression;
      const pollMs = Math.min(Math.max(durationMs(request.long_polling_timeout) ?? 0, 0), CONSUMER_LONG_POLLING_MS);
      const response = await this.#invoke(session, brokerName, createRequest(RequestCode.PULL_MESSAGE, {
        consumerGroup: group,
        topic,
        queueId,
        queueOffset: request.offset,
        maxMsgNums: Math.max(1, Math.min(request.batch_size || CONSUMER_RECEIVE_BATCH_SIZE, CONSUMER_RECEIVE_BATCH_SIZE)),
        sysFlag: PULL_FLAG_SUBSCRIPTION | (pollMs > 0 ? PULL_FLAG_SUSPEND : 0),
        commitOffset: 0,
        suspendTimeoutMillis: pollMs,
        subscription: filter?.expression || '*',
        subVersion: 0,
        expressionType: filter?.type === 'SQL' ? 'SQL92' : 'TAG',
      }), pollMs + GRPC_BROKER_REQUEST_TIMEOUT_MS);
      const nextOffset = Number(response.extFields?.nextBeginOffset ?? request.offset);
      if (response.code === ResponseCode.SUCCESS) {
        const messages = decodeRecords(response.body).map((record) => ({ message: toGrpcMessage(record, { topic }) }));
        return [{ status: OK }, ...messages, { next_offset: nextOffset }];
      }
      if (response.code === ResponseCode.PULL_NOT_FOUND || response.code === ResponseCode.PULL_RETRY_IMMEDIATELY) {
        return [{ status: status('MESSAGE_NOT_FOUND', 'no new message') }, { next_offset: nextOffset }];
      }
      if (response.code === ResponseCode.PULL_OFFSET_MOVED) return [{ status: status('ILLEGAL_OFFSET', `offset ${request.offset} is outside the queue`) }, { next_offset: nextOffset }];
      return [{ status: statusOfResponse(response) }];
    })().then(finish, (err: unknown) => finish([{ status: statusOfError(err) }]));
  }

  /** UpdateOffset: UPDATE_CONSUMER_OFFSET of the group on the queue's broker. */
  async updateOffset(session: ClientSession, request: pb.UpdateOffsetRequest, call: CallInfo): Promise<{ status: pb.Status }> {
    const group = resourceName(request.group);
    checkGroup(group);
    const { topic, brokerName, queueId } = await this.#queueOf(request.message_queue);
    this.#authorize(call, { subTopics: [topic], subGroups: [group] });
    if (!Number.isSafeInteger(request.offset) || request.offset < 0) throw new GrpcStatusError('ILLEGAL_OFFSET', `offset ${request.offset} is not a queue offset`);
    const response = await this.#invoke(session, brokerName, createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: group, topic, queueId, commitOffset: request.offset }));
    return { status: response.code === ResponseCode.SUCCESS ? OK : statusOfResponse(response) };
  }

  /** GetOffset: the group's committed offset on the queue (OFFSET_NOT_FOUND when it never committed one). */
  async getOffset(session: ClientSession, request: pb.GetOffsetRequest, call: CallInfo): Promise<{ status: pb.Status; offset: number }> {
    const group = resourceName(request.group);
    checkGroup(group);
    const { topic, brokerName, queueId } = await this.#queueOf(request.message_queue);
    this.#authorize(call, { subTopics: [topic], subGroups: [group] });
    const response = await this.#invoke(session, brokerName, createRequest(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: group, topic, queueId, setZeroIfNotFound: false }));
    if (response.code !== ResponseCode.SUCCESS) return { status: response.code === ResponseCode.QUERY_NOT_FOUND ? status('OFFSET_NOT_FOUND', response.remark ?? 'no offset committed') : statusOfResponse(response), offset: 0 };
    return { status: OK, offset: Number(response.extFields?.offset ?? 0) };
  }

  /** QueryOffset: the queue's first offset (BEGINNING), end (END), or the first message stored at or after a time. */
  async queryOffset(session: ClientSession, request: pb.QueryOffsetRequest, call: CallInfo): Promise<{ status: pb.Status; offset: number }> {
    const { topic, brokerName, queueId } = await this.#queueOf(request.message_queue);
    this.#authorize(call, { subTopics: [topic] });
    let command: RemotingCommand;
    if (request.query_offset_policy === 'TIMESTAMP') {
      const timestamp = timestampMs(request.timestamp);
      if (timestamp === undefined) throw new GrpcStatusError('BAD_REQUEST', 'query_offset_policy TIMESTAMP needs a timestamp');
      command = createRequest(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, { topic, queueId, timestamp });
    } else {
      command = createRequest(request.query_offset_policy === 'END' ? RequestCode.GET_MAX_OFFSET : RequestCode.GET_MIN_OFFSET, { topic, queueId });
    }
    const response = await this.#invoke(session, brokerName, command);
    if (response.code !== ResponseCode.SUCCESS) return { status: statusOfResponse(response), offset: 0 };
    return { status: OK, offset: Number(response.extFields?.offset ?? 0) };
  }

  // ------------------------------------------------------------------ RecallMessage

  /** RecallMessage: RECALL_MESSAGE to the brokers of the topic (a broker without it answers NOT_IMPLEMENTED). */
  async recallMessage(session: ClientSession, request: pb.RecallMessageRequest, call: CallInfo): Promise<{ status: pb.Status; message_id: string }> {
    const topic = resourceName(request.topic);
    checkTopic(topic);
    this.#authorize(call, { pub: [topic] });
    if (!request.recall_handle) throw new GrpcStatusError('BAD_REQUEST', 'recall_handle is empty');
    const route = await this.#routeOf(topic);
    const brokerName = route.queueDatas[0]!.brokerName;
    const response = await this.#invoke(session, brokerName, createRequest(RequestCode.RECALL_MESSAGE, { topic, recallHandle: request.recall_handle, producerGroup: topic }));
    if (response.code === ResponseCode.REQUEST_CODE_NOT_SUPPORTED) return { status: status('NOT_IMPLEMENTED', 'recalling messages is not supported by this broker'), message_id: '' };
    if (response.code !== ResponseCode.SUCCESS) return { status: statusOfResponse(response), message_id: '' };
    return { status: OK, message_id: response.extFields?.msgId ?? '' };
  }
}
