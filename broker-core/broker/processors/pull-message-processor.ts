/** PULL_MESSAGE 11 with long polling (protocol.md §2.6 PULL). */
import { PULL_BYTES_MAX, PULL_MESSAGES_MAX } from '../../config/limits';
import { PullSysFlag, type PullMessageRequestHeader } from '../../protocol/headers/pull-message-request-header';
import { ResponseCode } from '../../protocol/response-code';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import type { RemotingConnection } from '../../remoting/remoting-server';
import type { BrokerContext } from '../broker-context';
import { pullFilterOf } from '../filter/message-filter';
import type { Sql92Filter } from '../filter/sql92';
import { buildSubscriptionData, ExpressionType, isTagType, sql92FilterOf, sql92Subscription, type SubscriptionData } from '../filter/subscription';
import { isPermReadable } from '../topics/topic-config-manager';

const SHORT_POLLING_MS = 1_000;

function compiledOrUndefined(expression: string): Sql92Filter | undefined {
  try {
    return sql92FilterOf(expression);
  } catch {
    return undefined;
  }
}

export async function processPullMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
  { header }: { header: PullMessageRequestHeader },
): Promise<RemotingCommand> {
  return pull(ctx, request, connection, header, true);
}

async function pull(ctx: BrokerContext, request: RemotingCommand, connection: RemotingConnection, header: PullMessageRequestHeader, allowSuspend: boolean): Promise<RemotingCommand> {
  const { consumerGroup: group, topic, queueId, queueOffset, sysFlag, commitOffset, suspendTimeoutMillis, subVersion, maxMsgBytes } = header;
  const maxMsgNums = Math.max(1, Math.min(header.maxMsgNums, PULL_MESSAGES_MAX));

  if (!isPermReadable(ctx.config.brokerPermission)) {
    return createResponse(request, ResponseCode.NO_PERMISSION, `the broker[${ctx.config.brokerIP1}] pulling message is forbidden`);
  }
  const groupConfig = ctx.subscriptionGroupManager.findOrCreate(group);
  if (!groupConfig) return createResponse(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group [${group}] does not exist`);
  if (!groupConfig.consumeEnable) return createResponse(request, ResponseCode.NO_PERMISSION, `subscription group no permission, ${group}`);
  const topicConfig = ctx.topicConfigManager.get(topic);
  if (!topicConfig) return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist, apply first please!`);
  if (!isPermReadable(topicConfig.perm)) return createResponse(request, ResponseCode.NO_PERMISSION, `the topic[${topic}] pulling message is forbidden`);
  if (queueId < 0 || queueId >= topicConfig.readQueueNums) {
    return createResponse(request, ResponseCode.SYSTEM_ERROR, `queueId[${queueId}] is illegal, topic:[${topic}] topicConfig.readQueueNums:[${topicConfig.readQueueNums}] consumer:[${connection.remoteAddress}]`);
  }

  // The subscription: from the request when it carries one, else from the group's heartbeat (as RocketMQ).
  let subscription: SubscriptionData | null;
  let sql92: Sql92Filter | undefined;
  if ((sysFlag & PullSysFlag.SUBSCRIPTION) !== 0) {
    const expressionType = header.expressionType;
    const subString = header.subscription;
    if (isTagType(expressionType)) {
      subscription = buildSubscriptionData(topic, subString, subVersion);
    } else if (expressionType === ExpressionType.SQL92) {
      subscription = sql92Subscription(topic, subString, subVersion);
      sql92 = subscription ? compiledOrUndefined(subscription.subString) : undefined;
      // RocketMQ would deliver everything here (its filter data is left null); a consumer must never get what it filtered out.
      if (!sql92) subscription = null;
    } else {
      subscription = null;
    }
    if (!subscription) return createResponse(request, ResponseCode.SUBSCRIPTION_PARSE_FAILED, `parse the consumer's subscription[${subString}] failed, group: ${group}`);
  } else {
    const groupInfo = ctx.consumerManager.get(group);
    if (!groupInfo) return createResponse(request, ResponseCode.SUBSCRIPTION_NOT_EXIST, "the consumer's group info not exist");
    if (!groupConfig.consumeBroadcastEnable && groupInfo.messageModel === 'BROADCASTING') {
      return createResponse(request, ResponseCode.NO_PERMISSION, `the consumer group[${group}] can not consume by broadcast way`);
    }
    subscription = groupInfo.subscriptionTable.get(topic) ?? null;
    if (!subscription) return createResponse(request, ResponseCode.SUBSCRIPTION_NOT_EXIST, "the consumer's subscription not exist");
    if (subscription.subVersion < subVersion) return createResponse(request, ResponseCode.SUBSCRIPTION_NOT_LATEST, "the consumer's subscription not latest");
    if (!isTagType(subscription.expressionType)) {
      sql92 = subscription.expressionType === ExpressionType.SQL92 ? compiledOrUndefined(subscription.subString) : undefined;
      if (!sql92) return createResponse(request, ResponseCode.FILTER_DATA_NOT_EXIST, "The broker's consumer filter data is not exist!Your expression may be wrong!");
    }
  }
  if (!isTagType(subscription.expressionType) && !ctx.config.enablePropertyFilter) {
    return createResponse(request, ResponseCode.SYSTEM_ERROR, `The broker does not support consumer to filter message by ${subscription.expressionType}`);
  }
  const filter = pullFilterOf(subscription, sql92);

  const result = ctx.store.getMessage(group, topic, queueId, queueOffset, maxMsgNums, filter.tagsCode, Math.min(maxMsgBytes ?? PULL_BYTES_MAX, PULL_BYTES_MAX), filter.record);
  const ext = { suggestWhichBrokerId: 0, nextBeginOffset: result.nextBeginOffset, minOffset: result.minOffset, maxOffset: result.maxOffset };
  let response: RemotingCommand;
  switch (result.status) {
    case 'FOUND':
      response = createResponse(request, ResponseCode.SUCCESS, undefined, ext, Buffer.concat(result.messages));
      ctx.stats.recordGet(group, topic, result.messages.length);
      break;
    case 'NO_MATCHED_MESSAGE':
    case 'MESSAGE_WAS_REMOVING':
      response = createResponse(request, ResponseCode.PULL_RETRY_IMMEDIATELY, 'no matched message', ext);
      break;
    case 'NO_MATCHED_LOGIC_QUEUE':
    case 'NO_MESSAGE_IN_QUEUE':
      response =
        queueOffset !== 0
          ? createResponse(request, ResponseCode.PULL_OFFSET_MOVED, 'the queue is empty', ext)
          : createResponse(request, ResponseCode.PULL_NOT_FOUND, 'no message in queue', ext);
      break;
    case 'OFFSET_FOUND_NULL':
    case 'OFFSET_OVERFLOW_ONE':
      response = createResponse(request, ResponseCode.PULL_NOT_FOUND, 'no new message', ext);
      break;
    default: // OFFSET_OVERFLOW_BADLY, OFFSET_TOO_SMALL
      response = createResponse(request, ResponseCode.PULL_OFFSET_MOVED, `offset ${queueOffset} moved: ${result.status}`, ext);
  }
  if (result.status !== 'FOUND') ctx.stats.recordGet(group, topic, 0);

  if (allowSuspend && (sysFlag & PullSysFlag.COMMIT_OFFSET) !== 0 && commitOffset >= 0) {
    ctx.consumerOffsetManager.commitOffset(connection.remoteAddress, group, topic, queueId, commitOffset);
  }

  if (response.code === ResponseCode.PULL_NOT_FOUND && allowSuspend && (sysFlag & PullSysFlag.SUSPEND) !== 0 && ctx.holdService.hasCapacity()) {
    const holdMs = ctx.config.longPollingEnable ? suspendTimeoutMillis : SHORT_POLLING_MS;
    ctx.metrics.markLongPolling(request);
    return ctx.holdService.hold(topic, queueId, queueOffset, holdMs, filter.tagsCode, async () => {
      if (connection.closed) return response;
      try {
        return await pull(ctx, request, connection, header, false);
      } catch (err) {
        return createResponse(request, ResponseCode.SYSTEM_ERROR, err instanceof Error ? err.message : String(err));
      }
    }, connection.id);
  }
  return response;
}
