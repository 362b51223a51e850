/**
 * SEND_REPLY_MESSAGE 324 / SEND_REPLY_MESSAGE_V2 325 (request-reply, RocketMQ 4.6+). A requester sends a message
 * with CORRELATION_ID, REPLY_TO_CLIENT (its client id) and TTL; the consumer that handles it sends the answer
 * to `<cluster>_REPLY_TOPIC` with these codes. The broker pushes the answer at once to the requester's connection
 * (PUSH_REPLY_MESSAGE_TO_CLIENT 326, properties + PUSH_REPLY_TIME) and, with storeReplyMessageEnable, also stores
 * it (properties as sent). As RocketMQ's ReplyMessageProcessor: SUCCESS when the push succeeded (msgId "0", or the
 * stored one), SYSTEM_ERROR naming why it did not.
 */
import { BROKER_TO_CLIENT_TIMEOUT_MS } from '../../config/limits';
import { ReplyMessageRequestHeader } from '../../protocol/headers/reply-message-request-header';
import type { SendMessageRequestHeader } from '../../protocol/headers/send-message-request-header';
import { createRequest, createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import type { RemotingConnection } from '../../remoting/remoting-server';
import type { MessageToStore } from '../../store/message-store';
import { errorMessage } from '../../util/errors';
import type { BrokerContext } from '../broker-context';
import { JavaPropertiesMap } from '../message/java-properties-map';
import { parseHostAddress } from '../message/message-util';
import { checkTopic, pickQueueId, putResponse } from './send-message-processor';

export const PROPERTY_MESSAGE_REPLY_TO_CLIENT = 'REPLY_TO_CLIENT';
export const PROPERTY_PUSH_REPLY_TIME = 'PUSH_REPLY_TIME';

function hostText(address: string, port: number): string {
  return `${address}:${port}`;
}

/** Pushes the reply to the requester; null when it got there, else why not. */
async function pushReply(ctx: BrokerContext, header: SendMessageRequestHeader, message: MessageToStore, connection: RemotingConnection): Promise<string | null> {
  const properties = JavaPropertiesMap.parse(header.properties);
  const senderId = properties.get(PROPERTY_MESSAGE_REPLY_TO_CLIENT);
  if (senderId === undefined) return `reply message properties[${PROPERTY_MESSAGE_REPLY_TO_CLIENT}] is null`;
  const channel = ctx.producerManager.findChannel(senderId);
  if (!channel) return `push reply message fail, channel of <${senderId}> not found.`;
  const storeTimestamp = Date.now();
  properties.put(PROPERTY_PUSH_REPLY_TIME, String(storeTimestamp));
  const born = parseHostAddress(connection.remoteAddress);
  const push = createRequest(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, ReplyMessageRequestHeader.encode({
    producerGroup: header.producerGroup,
    topic: header.topic,
    defaultTopic: header.defaultTopic ?? '',
    defaultTopicQueueNums: header.defaultTopicQueueNums,
    queueId: header.queueId,
    sysFlag: header.sysFlag,
    bornTimestamp: header.bornTimestamp,
    flag: header.flag,
    properties: properties.toPropertiesString(),
    reconsumeTimes: header.reconsumeTimes,
    unitMode: header.unitMode,
    bornHost: hostText(born.address, born.port),
    storeHost: hostText(ctx.storeHost.address, ctx.storeHost.port),
    storeTimestamp,
  }), message.body);
  try {
    const answer = await channel.connection.invoke(push, BROKER_TO_CLIENT_TIMEOUT_MS);
    if (answer.code === ResponseCode.SUCCESS) return null;
    ctx.logger.warn('push reply message refused by the requester', { senderId, code: answer.code, remark: answer.remark });
  } catch (err) {
    ctx.logger.warn('push reply message failed', { senderId, error: errorMessage(err) });
  }
  return `push reply message to ${senderId}fail.`;
}

export async function processSendReplyMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
  { header }: { header: SendMessageRequestHeader },
): Promise<RemotingCommand> {
  const checked = checkTopic(ctx, request, header, header.topic);
  if (checked.error) return checked.error;
  const queueId = pickQueueId(checked.config!, header.queueId);
  if (queueId === null) {
    return createResponse(request, ResponseCode.SYSTEM_ERROR, `request queueId[${header.queueId}] is illegal, topic: ${header.topic}`);
  }
  const message: MessageToStore = {
    topic: header.topic,
    queueId,
    flag: header.flag,
    sysFlag: header.sysFlag,
    body: request.body ?? Buffer.alloc(0),
    propertiesString: header.properties,
    bornTimestamp: header.bornTimestamp,
    bornHost: parseHostAddress(connection.remoteAddress),
    storeHost: ctx.storeHost,
    reconsumeTimes: header.reconsumeTimes,
    preparedTransactionOffset: 0,
  };
  const pushFailed = await pushReply(ctx, header, message, connection);
  const pushed = pushFailed === null
    ? createResponse(request, ResponseCode.SUCCESS, undefined, { msgId: '0', queueId, queueOffset: 0, MSG_REGION: 'DefaultRegion', TRACE_ON: 'true' })
    : createResponse(request, ResponseCode.SYSTEM_ERROR, pushFailed, { MSG_REGION: 'DefaultRegion', TRACE_ON: 'true' });
  if (!ctx.config.storeReplyMessageEnable) return pushed;
  const stored = await ctx.store.putMessage(message);
  if (stored.status !== 'PUT_OK' && stored.status !== 'FLUSH_DISK_TIMEOUT') {
    ctx.logger.warn('reply message not stored', { topic: header.topic, status: stored.status });
    return pushed;
  }
  // Stored: the answer carries the stored message's id and offset, its code stays the push's.
  const withIds = putResponse(ctx, request, stored, queueId, header.topic);
  return { ...pushed, extFields: { ...pushed.extFields, ...withIds.extFields } };
}
