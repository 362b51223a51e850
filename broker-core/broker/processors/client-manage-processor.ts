/**
 * HEART_BEAT 34, UNREGISTER_CLIENT 35, GET_CONSUMER_LIST_BY_GROUP 38, QUERY_/UPDATE_CONSUMER_OFFSET 14/15,
 * SEARCH_OFFSET_BY_TIMESTAMP 29, GET_MAX_/MIN_OFFSET 30/31, GET_EARLIEST_MSG_STORETIME 32, LOCK_/UNLOCK_BATCH_MQ 41/42.
 */
import { parseJavaJson } from '../../protocol/fastjson';
import type { ConsumerDataJson, HeartbeatData } from '../../protocol/bodies/heartbeat-data';
import { integerOf, objectOf, objectsOf, textOf } from '../../protocol/json-shape';
import type {
  GetConsumerListByGroupRequestHeader,
  QueryConsumerOffsetRequestHeader,
  UnregisterClientRequestHeader,
  UpdateConsumerOffsetRequestHeader,
} from '../../protocol/headers/client-request-headers';
import { ResponseCode } from '../../protocol/response-code';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import type { RemotingConnection } from '../../remoting/remoting-server';
import type { BrokerContext } from '../broker-context';
import { ExpressionType, heartbeatTagSubscription, isTagType, sql92FilterOf, sql92Subscription, type SubscriptionData } from '../filter/subscription';
import { PermName, RETRY_GROUP_TOPIC_PREFIX } from '../topics/topic-config-manager';
import { Header } from './header';
import { validateGroupName, validateTopicName } from './send-message-processor';

function parseBody<T>(request: RemotingCommand): T | null {
  if (!request.body || request.body.length === 0) return null;
  try {
    return parseJavaJson(request.body.toString('utf8')) as T;
  } catch {
    return null;
  }
}

/**
 * Of a decoded heartbeat, the groups and subscriptions that can be registered: groups whose names are not
 * legal group names and subscriptions to illegal topic names are skipped (the Java client never sends them;
 * nothing is auto-created from them).
 */
function registrable(body: HeartbeatData): { consumers: ConsumerDataJson[]; producers: string[] } {
  const consumers = body.consumerDataSet.flatMap((consumer) => {
    if (validateGroupName(consumer.groupName) !== null) return [];
    return [{ ...consumer, subscriptionDataSet: consumer.subscriptionDataSet.filter((sub) => validateTopicName(sub.topic) === null) }];
  });
  const producers = body.producerDataSet.map((producer) => producer.groupName).filter((group) => validateGroupName(group) === null);
  return { consumers, producers };
}

export function processHeartbeat(ctx: BrokerContext, request: RemotingCommand, connection: RemotingConnection, { body }: { body: HeartbeatData }): RemotingCommand {
  const data = registrable(body);
  const clientId = body.clientID ?? connection.remoteAddress;
  connection.attributes.set('clientId', clientId);
  connection.attributes.set('language', request.language);
  connection.attributes.set('version', request.version);
  const grpc = body.grpc;
  const channel = {
    connection,
    clientId,
    language: request.language,
    version: request.version,
    ...(grpc ? { protocol: 'gRPC', ...(grpc.clientVersion ? { clientVersion: grpc.clientVersion } : {}), ...(grpc.clientAddr ? { clientAddr: grpc.clientAddr } : {}) } : {}),
  };

  for (const consumer of data.consumers) {
    const group = consumer.groupName;
    const groupConfig = ctx.subscriptionGroupManager.findOrCreate(group);
    if (!groupConfig) continue;
    if (groupConfig.retryQueueNums > 0) {
      const retry = ctx.topicConfigManager.createTopicIfAbsent(RETRY_GROUP_TOPIC_PREFIX + group, groupConfig.retryQueueNums, PermName.PERM_READ | PermName.PERM_WRITE);
      if (retry.created) ctx.registerBrokerAll();
    }
    const subscriptions: SubscriptionData[] = [];
    for (const sub of consumer.subscriptionDataSet) {
      const subVersion = sub.subVersion ?? Date.now();
      // Kept as stated, as RocketMQ does: a selector that does not compile makes pulls answer FILTER_DATA_NOT_EXIST.
      const data = isTagType(sub.expressionType)
        ? heartbeatTagSubscription(sub.topic, sub.subString, subVersion)
        : sql92Subscription(sub.topic, sub.subString, subVersion);
      if (data) {
        if (sub.expressionType && !isTagType(sub.expressionType)) data.expressionType = sub.expressionType;
        subscriptions.push(data);
      }
    }
    const notify = ctx.config.notifyConsumerIdsChangedEnable && groupConfig.notifyConsumerIdsChangedEnable;
    ctx.consumerManager.register(
      group,
      channel,
      consumer.consumeType ?? 'CONSUME_PASSIVELY',
      consumer.messageModel ?? 'CLUSTERING',
      consumer.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET',
      subscriptions,
      notify,
    );
  }
  for (const group of data.producers) ctx.producerManager.register(group, channel);
  return createResponse(request, ResponseCode.SUCCESS);
}

/**
 * CHECK_CLIENT_CONFIG 46: a consumer with an SQL92 subscription asks, before it starts, whether this broker
 * filters by it (body CheckClientRequestBody {clientId, group, subscriptionData}). Tag subscriptions always pass;
 * others need enablePropertyFilter and a selector that compiles (else SUBSCRIPTION_PARSE_FAILED with the reason).
 */
export function processCheckClientConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const body = objectOf(parseBody<unknown>(request));
  const subscriptionData = objectOf(body?.subscriptionData);
  if (!subscriptionData) return createResponse(request, ResponseCode.SUCCESS);
  const expressionType = textOf(subscriptionData.expressionType);
  if (isTagType(expressionType)) return createResponse(request, ResponseCode.SUCCESS);
  if (!ctx.config.enablePropertyFilter) {
    return createResponse(request, ResponseCode.SYSTEM_ERROR, `The broker does not support consumer to filter message by ${expressionType}`);
  }
  if (expressionType !== ExpressionType.SQL92) {
    return createResponse(request, ResponseCode.SUBSCRIPTION_PARSE_FAILED, `expression type ${expressionType} is not supported (TAG or SQL92)`);
  }
  try {
    sql92FilterOf(textOf(subscriptionData.subString) ?? '');
  } catch (err) {
    return createResponse(request, ResponseCode.SUBSCRIPTION_PARSE_FAILED, err instanceof Error ? err.message : String(err));
  }
  return createResponse(request, ResponseCode.SUCCESS);
}

export function processUnregisterClient(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
  { header }: { header: UnregisterClientRequestHeader },
): RemotingCommand {
  const { producerGroup, consumerGroup } = header;
  if (producerGroup) ctx.producerManager.unregister(producerGroup, connection.id);
  if (consumerGroup) {
    const config = ctx.subscriptionGroupManager.get(consumerGroup);
    const notify = ctx.config.notifyConsumerIdsChangedEnable && (config?.notifyConsumerIdsChangedEnable ?? true);
    ctx.consumerManager.unregister(consumerGroup, connection.id, notify);
  }
  return createResponse(request, ResponseCode.SUCCESS);
}

export function processGetConsumerListByGroup(
  ctx: BrokerContext,
  request: RemotingCommand,
  _connection: RemotingConnection,
  { header }: { header: GetConsumerListByGroupRequestHeader },
): RemotingCommand {
  const group = header.consumerGroup;
  const ids = ctx.consumerManager.clientIds(group);
  if (ids.length === 0) return createResponse(request, ResponseCode.SYSTEM_ERROR, `no consumer for this group, ${group}`);
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(JSON.stringify({ consumerIdList: ids })));
}

export function processQueryConsumerOffset(
  ctx: BrokerContext,
  request: RemotingCommand,
  _connection: RemotingConnection,
  { header }: { header: QueryConsumerOffsetRequestHeader },
): RemotingCommand {
  const { consumerGroup: group, topic, queueId } = header;
  const stored = ctx.consumerOffsetManager.queryOffset(group, topic, queueId);
  if (stored >= 0) return createResponse(request, ResponseCode.SUCCESS, undefined, { offset: stored });
  if (header.setZeroIfNotFound === false) return createResponse(request, ResponseCode.QUERY_NOT_FOUND, 'Not found, do not set to zero, maybe this group boot first');
  const minOffset = ctx.store.getMinOffsetInQueue(topic, queueId);
  if (minOffset <= 0) return createResponse(request, ResponseCode.SUCCESS, undefined, { offset: 0 });
  return createResponse(request, ResponseCode.QUERY_NOT_FOUND, 'Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first');
}

export function processUpdateConsumerOffset(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
  { header }: { header: UpdateConsumerOffsetRequestHeader },
): RemotingCommand {
  ctx.consumerOffsetManager.commitOffset(connection.remoteAddress, header.consumerGroup, header.topic, header.queueId, header.commitOffset);
  return createResponse(request, ResponseCode.SUCCESS);
}

export function processGetMaxOffset(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const header = new Header(request);
  return createResponse(request, ResponseCode.SUCCESS, undefined, { offset: ctx.store.getMaxOffsetInQueue(header.string('topic'), header.int('queueId')) });
}

export function processGetMinOffset(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const header = new Header(request);
  return createResponse(request, ResponseCode.SUCCESS, undefined, { offset: ctx.store.getMinOffsetInQueue(header.string('topic'), header.int('queueId')) });
}

export function processSearchOffsetByTimestamp(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const header = new Header(request);
  const boundary = (header.optString('boundaryType') ?? 'lower').toLowerCase() === 'upper' ? 'upper' : 'lower';
  const queueOffset = ctx.store.getOffsetInQueueByTime(header.string('topic'), header.int('queueId'), header.number('timestamp'), boundary);
  return createResponse(request, ResponseCode.SUCCESS, undefined, { offset: queueOffset });
}

export function processGetEarliestMsgStoretime(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const header = new Header(request);
  return createResponse(request, ResponseCode.SUCCESS, undefined, { timestamp: ctx.store.getEarliestMessageTime(header.string('topic'), header.int('queueId')) });
}

interface MessageQueueJson {
  topic: string;
  brokerName: string;
  queueId: number;
}

function mqKey(mq: MessageQueueJson): string {
  return `${mq.topic}\u0001${mq.brokerName}\u0001${mq.queueId}`;
}

/** The lock / unlock request body (LockBatchRequestBody): client, group, and the queues that are well formed. */
function lockBatchBody(request: RemotingCommand): { clientId: string; consumerGroup: string; mqSet: MessageQueueJson[] } | null {
  const body = objectOf(parseBody<unknown>(request));
  const clientId = textOf(body?.clientId);
  const consumerGroup = textOf(body?.consumerGroup);
  if (!clientId || !consumerGroup) return null;
  const mqSet = objectsOf(body?.mqSet).flatMap((mq) => {
    const topic = textOf(mq.topic);
    const brokerName = textOf(mq.brokerName);
    const queueId = integerOf(mq.queueId, 0, 2 ** 31 - 1);
    return topic && brokerName && queueId !== undefined ? [{ topic, brokerName, queueId }] : [];
  });
  return { clientId, consumerGroup, mqSet };
}

export function processLockBatchMq(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const body = lockBatchBody(request);
  if (!body) return createResponse(request, ResponseCode.SYSTEM_ERROR, 'the lock request body is missing consumerGroup or clientId');
  const mqs = new Map(body.mqSet.map((mq) => [mqKey(mq), mq] as const));
  const locked = ctx.lockManager.tryLockBatch(body.consumerGroup, [...mqs.keys()], body.clientId);
  const lockOKMQSet = locked.map((key) => {
    const mq = mqs.get(key)!;
    return { brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic };
  });
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(JSON.stringify({ lockOKMQSet })));
}

export function processUnlockBatchMq(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const body = lockBatchBody(request);
  if (!body) return createResponse(request, ResponseCode.SYSTEM_ERROR, 'the unlock request body is missing consumerGroup or clientId');
  ctx.lockManager.unlockBatch(body.consumerGroup, body.mqSet.map(mqKey), body.clientId);
  return createResponse(request, ResponseCode.SUCCESS);
}
