/**
 * RocketMQ 5.x POP over remoting, on the broker's PopService (broker/pop/pop-service.ts):
 *
 * POP_MESSAGE 200050
 *   request  consumerGroup, topic, queueId (-1 = all), maxMsgNums (≤ 32), invisibleTime (ms), pollTime (ms), bornTime,
 *            initMode (0 MAX, 1 MIN), expType?, exp?, order?, attemptId?
 *   response popTime, invisibleTime, reviveQid (999 = FIFO), restNum, startOffsetInfo?, msgOffsetInfo?, orderCountInfo?;
 *            body = stored records back to back (as PULL_MESSAGE); a retry copy carries the asked topic and POP_CK.
 *            SUCCESS, or POLLING_TIMEOUT (nothing within the poll), POLLING_FULL, INVALID_PARAMETER (batch, queue,
 *            invisible time), TOPIC_NOT_EXIST, SUBSCRIPTION_GROUP_NOT_EXIST, SUBSCRIPTION_PARSE_FAILED, NO_PERMISSION
 * ACK_MESSAGE 200051                  consumerGroup, topic, queueId, extraInfo, offset
 * CHANGE_MESSAGE_INVISIBLETIME 200053 the same + invisibleTime; response popTime, invisibleTime, reviveQid
 *   SUCCESS; INVALID_PARAMETER for a malformed extraInfo or an invisible time out of range; NO_MESSAGE for a stale
 *   handle (acked, delivered again since, or past its invisible time); TOPIC_NOT_EXIST
 * BATCH_ACK_MESSAGE 200151
 *   body {brokerName, acks: [{c consumerGroup, t topic, r retry flag, so startOffset, q queueId, rq reviveQueueId,
 *   pt popTime, it invisibleTime, b base64 of java.util.BitSet.toByteArray(): bit i acks offset so + i}]}
 *   SUCCESS when anything was acked (a remark counts stale offsets), NO_MESSAGE when nothing could be
 * QUERY_ASSIGNMENT 400
 *   body {topic, consumerGroup, clientId, strategyName, messageModel} → {messageQueueAssignments: [{messageQueue:
 *   {topic, brokerName, queueId: -1}, mode: "POP", attachments: {}}]}: every consumer pops every broker's queues
 *   (RocketMQ's allocate4Pop with popShareQueueNum ≤ 0); retry topics are assigned in PULL mode, queue by queue.
 */
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import type { RemotingConnection } from '../../remoting/remoting-server';
import type { BrokerContext } from '../broker-context';
import { realTopicOf } from '../pop/pop-receipt';
import type { PopHandleStatus, PopReceiveStatus } from '../pop/pop-service';
import { RETRY_GROUP_TOPIC_PREFIX } from '../topics/topic-config-manager';
import type { DecodedRequest } from '../../protocol/requests';

const RECEIVE_CODES: Record<Exclude<PopReceiveStatus, 'FOUND'>, number> = {
  NO_NEW_MESSAGE: ResponseCode.POLLING_TIMEOUT,
  POLLING_FULL: ResponseCode.POLLING_FULL,
  TOPIC_NOT_EXIST: ResponseCode.TOPIC_NOT_EXIST,
  SUBSCRIPTION_GROUP_NOT_EXIST: ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
  NO_PERMISSION: ResponseCode.NO_PERMISSION,
  INVALID_PARAMETER: ResponseCode.INVALID_PARAMETER,
  ILLEGAL_INVISIBLE_TIME: ResponseCode.INVALID_PARAMETER,
  SUBSCRIPTION_PARSE_FAILED: ResponseCode.SUBSCRIPTION_PARSE_FAILED,
  SYSTEM_BUSY: ResponseCode.SYSTEM_BUSY,
};

const HANDLE_CODES: Record<PopHandleStatus, number> = {
  OK: ResponseCode.SUCCESS,
  INVALID_HANDLE: ResponseCode.INVALID_PARAMETER,
  EXPIRED_HANDLE: ResponseCode.NO_MESSAGE,
  TOPIC_NOT_EXIST: ResponseCode.TOPIC_NOT_EXIST,
  ILLEGAL_INVISIBLE_TIME: ResponseCode.INVALID_PARAMETER,
  SYSTEM_ERROR: ResponseCode.SYSTEM_ERROR,
};

export async function processPopMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
  { header }: DecodedRequest<typeof RequestCode.POP_MESSAGE>,
): Promise<RemotingCommand> {
  const { consumerGroup: group, topic, queueId, maxMsgNums, invisibleTime, pollTime, initMode, expType, exp, order } = header;
  if (maxMsgNums > 32) return createResponse(request, ResponseCode.INVALID_PARAMETER, `the broker[${ctx.config.brokerIP1}] pop message's num is greater than 32`);
  if (expType !== 'TAG' && expType !== 'SQL92') return createResponse(request, ResponseCode.SUBSCRIPTION_PARSE_FAILED, `parse the consumer's subscription failed: expression type ${expType} is unknown`);

  const result = await ctx.pop.receive({
    group,
    topic,
    queueId,
    batch: maxMsgNums,
    invisibleMs: invisibleTime,
    pollMs: pollTime,
    initMode,
    fifo: order,
    ...(exp !== undefined ? { filter: { type: expType as 'TAG' | 'SQL92', expression: exp } } : {}),
    clientAddress: connection.remoteAddress,
    cancelled: () => connection.closed,
  });
  const ext = {
    popTime: result.popTime,
    invisibleTime: result.invisibleMs || invisibleTime,
    reviveQid: result.reviveQid,
    restNum: result.restNum,
    startOffsetInfo: result.startOffsetInfo || undefined,
    msgOffsetInfo: result.msgOffsetInfo || undefined,
    orderCountInfo: result.orderCountInfo || undefined,
  };
  if (result.status === 'FOUND') {
    ctx.stats.recordGet(group, topic, result.messages.length);
    return createResponse(request, ResponseCode.SUCCESS, 'FOUND', ext, Buffer.concat(result.messages.map((message) => message.record)));
  }
  return createResponse(request, RECEIVE_CODES[result.status], result.remark ?? result.status, ext);
}

export async function processAckMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
  _connection: RemotingConnection,
  { header }: DecodedRequest<typeof RequestCode.ACK_MESSAGE>,
): Promise<RemotingCommand> {
  const result = await ctx.pop.ack({ group: header.consumerGroup, topic: header.topic, queueId: header.queueId, receiptHandle: header.extraInfo, queueOffset: header.offset });
  return createResponse(request, HANDLE_CODES[result.status], result.remark);
}

export async function processChangeInvisibleTime(
  ctx: BrokerContext,
  request: RemotingCommand,
  _connection: RemotingConnection,
  { header }: DecodedRequest<typeof RequestCode.CHANGE_MESSAGE_INVISIBLETIME>,
): Promise<RemotingCommand> {
  const result = await ctx.pop.changeInvisible({
    group: header.consumerGroup,
    topic: header.topic,
    queueId: header.queueId,
    receiptHandle: header.extraInfo,
    queueOffset: header.offset,
    invisibleMs: header.invisibleTime,
  });
  if (result.status !== 'OK') return createResponse(request, HANDLE_CODES[result.status], result.remark);
  return createResponse(request, ResponseCode.SUCCESS, undefined, { popTime: result.popTime, invisibleTime: result.invisibleMs, reviveQid: result.reviveQid });
}

export async function processBatchAckMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
  _connection: RemotingConnection,
  { body: entries }: DecodedRequest<typeof RequestCode.BATCH_ACK_MESSAGE>,
): Promise<RemotingCommand> {
  if (entries.length === 0) return createResponse(request, ResponseCode.NO_MESSAGE, 'no ack in the body');
  let acked = 0;
  let stale = 0;
  for (const entry of entries) {
    const topic = realTopicOf(entry.topic, entry.group, entry.retry);
    if (!ctx.topicConfigManager.get(topic)) {
      stale += entry.offsets.length;
      continue;
    }
    const result = await ctx.pop.ackOffsets(entry.group, topic, entry.queueId, entry.popTime, entry.offsets);
    acked += result.acked;
    stale += result.stale;
  }
  if (acked === 0) return createResponse(request, ResponseCode.NO_MESSAGE, `nothing acked: ${stale} offsets were acked before, delivered again or past their invisible time`);
  return createResponse(request, ResponseCode.SUCCESS, stale > 0 ? `${acked} acked, ${stale} stale` : undefined);
}

export async function processQueryAssignment(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  let body: { topic?: unknown; consumerGroup?: unknown; messageModel?: unknown };
  try {
    body = JSON.parse((request.body ?? Buffer.alloc(0)).toString('utf8')) as typeof body;
  } catch {
    return createResponse(request, ResponseCode.SYSTEM_ERROR, 'the query assignment body is not JSON');
  }
  const topic = typeof body?.topic === 'string' ? body.topic : '';
  if (!topic) return createResponse(request, ResponseCode.SYSTEM_ERROR, 'the query assignment body has no topic');
  const queues = await ctx.topicRouteQueues(topic);
  const retry = topic.startsWith(RETRY_GROUP_TOPIC_PREFIX);
  let assignments: { messageQueue: { topic: string; brokerName: string; queueId: number }; mode: string; attachments: Record<string, string> }[] | null = null;
  if (queues) {
    assignments = [];
    for (const { brokerName, readQueueNums } of queues) {
      if (retry) {
        for (let queueId = 0; queueId < readQueueNums; queueId++) assignments.push({ messageQueue: { topic, brokerName, queueId }, mode: 'PULL', attachments: {} });
      } else if (readQueueNums > 0) {
        assignments.push({ messageQueue: { topic, brokerName, queueId: -1 }, mode: 'POP', attachments: {} });
      }
    }
  }
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(JSON.stringify({ messageQueueAssignments: assignments })));
}
