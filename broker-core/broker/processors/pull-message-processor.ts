/** PULL_MESSAGE 11 with long polling (protocol.md §2.6 PULL). */
import { PULL_BYTES_MAX, PULL_MESSAGES_MAX } from '../../config/limits';
import { PullSysFlag, type PullMessageRequestHeader } from '../../protocol/headers/pull-message-request-header';
import { ResponseCode } from '../../protocol/response-code';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import type { RemotingConnection } from '../../remoting/remoting-server';
import type { BrokerContext } from '../broker-context';
import { buildSubscriptionData, tagsCodeFilter, type SubscriptionData } from '../filter/subscription';
import { isPermReadable } from '../topics/topic-config-manager';

const SHORT_POLLING_MS = 1_000;

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

  let subscription: SubscriptionData | null;
  if ((sysFlag & PullSysFlag.SUBSCRIPTION) !== 0) {
    const expressionType = header.expressionType;
    // As RocketMQ with enablePropertyFilter=false: SQL92 is understood but refused; an unknown type does not parse.
    if (expressionType === 'SQL92') return createResponse(request, ResponseCode.SYSTEM_ERROR, `The broker does not support consumer to filter message by ${expressionType}`);
    if (expressionType !== 'TAG') return createResponse(request, ResponseCode.SUBSCRIPTION_PARSE_FAILED, `parse the consumer's subscription failed: expression type ${expressionType} is unknown`);
    subscription = buildSubscriptionData(topic, header.subscription, subVersion);
    if (!subscription) return createResponse(request, ResponseCode.SUBSCRIPTION_PARSE_FAILED, `parse the consumer's subscription[${header.subscription}] failed, group: ${group}`);
  } else {
    // From the heartbeat; lenient when the heartbeat has not arrived yet (clients re-check tags themselves).
    subscription = ctx.consumerManager.get(group)?.subscriptionTable.get(topic) ?? null;
  }

  const result = ctx.store.getMessage(group, topic, queueId, queueOffset, maxMsgNums, tagsCodeFilter(subscription), Math.min(maxMsgBytes ?? PULL_BYTES_MAX, PULL_BYTES_MAX));
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
    const filter = tagsCodeFilter(subscription);
    ctx.metrics.markLongPolling(request);
    return ctx.holdService.hold(topic, queueId, queueOffset, holdMs, filter, async () => {
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
