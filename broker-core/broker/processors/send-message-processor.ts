/** SEND_MESSAGE 10, SEND_MESSAGE_V2 310, SEND_BATCH_MESSAGE 320, CONSUMER_SEND_MSG_BACK 36. */
import { GROUP_NAME_CHARS_MAX, MESSAGE_PROPERTIES_BYTES_MAX, NAME_PATTERN, SYSTEM_TOPIC_NAME_CHARS_MAX, TOPIC_NAME_CHARS_MAX } from '../../config/limits';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import type { ConsumerSendMsgBackRequestHeader } from '../../protocol/headers/consumer-send-msg-back-request-header';
import type { SendMessageRequestHeader } from '../../protocol/headers/send-message-request-header';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import type { RemotingConnection } from '../../remoting/remoting-server';
import type { MessageToStore, PutMessageResult } from '../../store/message-store';
import type { BrokerContext } from '../broker-context';
import type { JavaPropertiesMap } from '../message/java-properties-map';
import { createOffsetMsgIdText, decodeBatchBody, decodePropertiesString, parseHostAddress, readStoredRecord } from '../message/message-util';
import { batchedMessageProperties, batchLevelProperties, delayedProperties, delayLevelOf, halfMessageProperties, sendBackProperties, sendProperties } from '../message/reput-properties';
import {
  DLQ_GROUP_TOPIC_PREFIX,
  NOT_SENDABLE_TOPICS,
  PermName,
  RETRY_GROUP_TOPIC_PREFIX,
  TopicValidator,
  isPermWriteable,
  type TopicConfig,
} from '../topics/topic-config-manager';
import { checkTopicMessageType } from '../topics/topic-message-type';

const PROPERTY_TRANSACTION_PREPARED = 'TRAN_MSG';
const TRANSACTION_TYPE_MASK = 0xc;
const TRANSACTION_PREPARED_TYPE = 0x4;
const TRANSACTION_ROLLBACK_TYPE = 0xc;

export function delayLevelCount(ctx: BrokerContext): number {
  return ctx.config.messageDelayLevel.split(/\s+/).filter(Boolean).length;
}

export function validateTopicName(topic: string): string | null {
  if (!topic) return 'the topic is blank';
  const max = topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) || topic.startsWith(DLQ_GROUP_TOPIC_PREFIX) ? SYSTEM_TOPIC_NAME_CHARS_MAX : TOPIC_NAME_CHARS_MAX;
  if (topic.length > max) return `the topic is longer than ${max} characters`;
  if (!NAME_PATTERN.test(topic)) return `the topic[${topic}] contains illegal characters; allowed: ^[%|a-zA-Z0-9_-]+$`;
  return null;
}

export function validateGroupName(group: string): string | null {
  if (!group) return 'the group is blank';
  if (group.length > GROUP_NAME_CHARS_MAX) return `the group is longer than ${GROUP_NAME_CHARS_MAX} characters`;
  if (!NAME_PATTERN.test(group)) return `the group[${group}] contains illegal characters`;
  return null;
}

export function putResponse(ctx: BrokerContext, request: RemotingCommand, result: PutMessageResult, queueId: number, topic: string): RemotingCommand {
  const append = result.appendResult;
  const ext = append
    ? { msgId: append.msgId, queueId, queueOffset: append.queueOffset, MSG_REGION: 'DefaultRegion', TRACE_ON: 'true' }
    : undefined;
  switch (result.status) {
    case 'PUT_OK':
      ctx.stats.recordPut(topic, append?.messageCount ?? 1);
      return createResponse(request, ResponseCode.SUCCESS, undefined, ext);
    case 'FLUSH_DISK_TIMEOUT':
      ctx.stats.recordPut(topic, append?.messageCount ?? 1);
      return createResponse(request, ResponseCode.FLUSH_DISK_TIMEOUT, result.remark ?? 'flush disk timeout', ext);
    case 'MESSAGE_ILLEGAL':
    case 'PROPERTIES_SIZE_EXCEEDED':
      return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, result.remark ?? 'the message is illegal, maybe msg body or properties length not matched');
    case 'SERVICE_NOT_AVAILABLE':
      return createResponse(request, ResponseCode.SERVICE_NOT_AVAILABLE, result.remark ?? 'service not available now');
    case 'OS_PAGE_CACHE_BUSY':
      return createResponse(request, ResponseCode.SYSTEM_BUSY, result.remark ?? '[PC_SYNCHRONIZED]broker busy, start flow control for a while');
    default:
      return createResponse(request, ResponseCode.SYSTEM_ERROR, result.remark ?? `store error: ${result.status}`);
  }
}

interface CheckedTopic {
  config?: TopicConfig;
  error?: RemotingCommand;
}

/** Broker writable, topic legal and sendable, topic exists or is auto-created. */
export function checkTopic(ctx: BrokerContext, request: RemotingCommand, header: SendMessageRequestHeader, topic: string): CheckedTopic {
  if (!isPermWriteable(ctx.config.brokerPermission)) {
    return { error: createResponse(request, ResponseCode.NO_PERMISSION, `the broker[${ctx.config.brokerIP1}] sending message is forbidden`) };
  }
  const bad = validateTopicName(topic);
  if (bad) return { error: createResponse(request, ResponseCode.SYSTEM_ERROR, bad) };
  if (NOT_SENDABLE_TOPICS.has(topic)) return { error: createResponse(request, ResponseCode.NO_PERMISSION, `Sending message to topic[${topic}] is forbidden.`) };
  let config = ctx.topicConfigManager.get(topic);
  if (!config) {
    const sysFlag = header.unitMode ? 1 : 0;
    if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) {
      const created = ctx.topicConfigManager.createTopicIfAbsent(topic, 1, PermName.PERM_READ | PermName.PERM_WRITE);
      config = created.config;
      if (created.created) ctx.registerBrokerAll();
    } else {
      const defaultTopic = header.defaultTopic ?? TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC;
      const created = ctx.topicConfigManager.createTopicInSendMessageMethod(topic, defaultTopic, header.defaultTopicQueueNums, sysFlag);
      if (created) {
        config = created;
        ctx.logger.info('auto-created topic', { topic, queueNums: created.writeQueueNums });
        ctx.registerBrokerAll();
      }
    }
    if (!config) {
      return { error: createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist, apply first please!`) };
    }
  }
  if (!isPermWriteable(config.perm)) return { error: createResponse(request, ResponseCode.NO_PERMISSION, `the topic[${topic}] sending message is forbidden`) };
  return { config };
}

export function pickQueueId(config: TopicConfig, requested: number): number | null {
  if (requested < 0) return Math.floor(Math.random() * Math.max(1, config.writeQueueNums));
  if (requested >= Math.max(config.readQueueNums, config.writeQueueNums)) return null;
  return requested;
}

/**
 * The commit log's delay step (RocketMQ CommitLog.putMessage): a message that is not a prepared or rolled-back
 * transaction and has DELAY > 0 goes to SCHEDULE_TOPIC_XXXX (queue = level - 1), its real topic and queue kept
 * in its properties. Changes the message in place; false when it is not delayed.
 */
function applyDelay(ctx: BrokerContext, message: MessageToStore, props: JavaPropertiesMap): boolean {
  const transactionType = message.sysFlag & TRANSACTION_TYPE_MASK;
  if (transactionType === TRANSACTION_PREPARED_TYPE || transactionType === TRANSACTION_ROLLBACK_TYPE) return false;
  const delayed = delayedProperties(props, message.topic, message.queueId, delayLevelCount(ctx));
  if (!delayed) return false;
  message.propertiesString = delayed.stored;
  message.topic = TopicValidator.RMQ_SYS_SCHEDULE_TOPIC;
  message.queueId = delayed.level - 1;
  return true;
}

function propertiesTooLong(request: RemotingCommand, propertiesString: string): RemotingCommand | null {
  if (Buffer.byteLength(propertiesString) <= MESSAGE_PROPERTIES_BYTES_MAX) return null;
  return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `the message properties are longer than ${MESSAGE_PROPERTIES_BYTES_MAX} bytes`);
}

export async function processSendMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
  { header }: { header: SendMessageRequestHeader },
): Promise<RemotingCommand> {
  const isBatch = request.code === RequestCode.SEND_BATCH_MESSAGE || header.batch;
  let topic = header.topic;
  const requestedQueueId = header.queueId;
  const { sysFlag, bornTimestamp, flag, reconsumeTimes } = header;
  const propertiesText = header.properties;
  const maxReconsumeTimesHeader = header.maxReconsumeTimes;

  const checked = checkTopic(ctx, request, header, topic);
  if (checked.error) return checked.error;
  let topicConfig = checked.config!;
  let queueId = pickQueueId(topicConfig, requestedQueueId);
  if (queueId === null) {
    return createResponse(request, ResponseCode.SYSTEM_ERROR, `request queueId[${requestedQueueId}] is illegal, topic: ${topic} writeQueueNums/readQueueNums: ${topicConfig.writeQueueNums}/${topicConfig.readQueueNums}`);
  }
  const body = request.body ?? Buffer.alloc(0);
  if (body.length > ctx.config.maxMessageSizeBytes) {
    return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `the message body size ${body.length} is over the limit of ${ctx.config.maxMessageSizeBytes} bytes`);
  }
  const { map: props, stored } = sendProperties(propertiesText, ctx.config.brokerClusterName);
  const prepared = props.get(PROPERTY_TRANSACTION_PREPARED)?.toLowerCase() === 'true';
  if (prepared && ctx.config.rejectTransactionMessage) {
    return createResponse(request, ResponseCode.NO_PERMISSION, `the broker[${ctx.config.brokerIP1}] sending transaction message is forbidden`);
  }
  if (prepared && (isBatch || topic.startsWith(RETRY_GROUP_TOPIC_PREFIX))) {
    return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, 'transactional messages cannot be batched or sent to a retry topic');
  }
  const bornHost = parseHostAddress(connection.remoteAddress);
  if (ctx.config.enableTopicMessageTypeCheck && !isBatch) {
    const refused = checkTopicMessageType(topicConfig, props, { untypedIsNormal: false });
    if (refused) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, refused);
  }

  // Retries that exhausted their attempts go to the dead-letter queue (a DELAY the client sent still applies, as in RocketMQ).
  if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) && !isBatch) {
    const group = topic.slice(RETRY_GROUP_TOPIC_PREFIX.length);
    const groupConfig = ctx.subscriptionGroupManager.findOrCreate(group);
    if (!groupConfig) return createResponse(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group not exist, ${group}`);
    const maxReconsumeTimes = maxReconsumeTimesHeader ?? groupConfig.retryMaxTimes;
    if (reconsumeTimes >= maxReconsumeTimes) {
      const dlq = ctx.topicConfigManager.createTopicIfAbsent(DLQ_GROUP_TOPIC_PREFIX + group, 1, PermName.PERM_READ | PermName.PERM_WRITE);
      if (dlq.created) ctx.registerBrokerAll();
      topic = dlq.config.topicName;
      topicConfig = dlq.config;
      queueId = 0;
    }
  }

  if (!isBatch) {
    const tooLong = propertiesTooLong(request, stored);
    if (tooLong) return tooLong;
    const message: MessageToStore = {
      topic,
      queueId,
      flag,
      sysFlag,
      body,
      propertiesString: stored,
      bornTimestamp,
      bornHost,
      storeHost: ctx.storeHost,
      reconsumeTimes,
      preparedTransactionOffset: 0,
    };
    if (prepared) {
      // Half message: hidden in RMQ_SYS_TRANS_HALF_TOPIC until END_TRANSACTION (or a check) decides. A DELAY is
      // dropped (RocketMQ's producer clears it before sending a transactional message).
      props.remove('DELAY');
      ctx.transaction.toHalf(message, halfMessageProperties(props, message.topic, message.queueId));
    } else {
      // Timer messages (TIMER_DELIVER_MS / TIMER_DELAY_SEC / TIMER_DELAY_MS) first, then delay levels, as RocketMQ 5.x.
      const timer = ctx.timer.transform(message, props);
      if (timer.kind === 'ILLEGAL') return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, timer.remark);
      if (timer.kind === 'NOT_TIMER') applyDelay(ctx, message, props);
    }
    const result = await ctx.store.putMessage(message);
    return putResponse(ctx, request, result, queueId, topic);
  }

  // Batch
  if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, 'retry topics do not accept batches');
  if (delayLevelOf(props) > 0) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, 'batch messages cannot be delayed');
  let inner;
  try {
    inner = decodeBatchBody(body);
  } catch (err) {
    return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `malformed batch body: ${(err as Error).message}`);
  }
  if (inner.length === 0) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, 'empty batch');
  const batchLevel = batchLevelProperties(propertiesText, ctx.config.brokerClusterName);
  const messages: MessageToStore[] = [];
  for (const one of inner) {
    const propertiesString = batchedMessageProperties(one.properties, batchLevel);
    const tooLong = propertiesTooLong(request, propertiesString);
    if (tooLong) return tooLong;
    const refused = ctx.config.enableTopicMessageTypeCheck ? checkTopicMessageType(topicConfig, decodePropertiesString(propertiesString), { untypedIsNormal: false }) : null;
    if (refused) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, refused);
    messages.push({ topic, queueId, flag: one.flag, sysFlag, body: one.body, propertiesString, bornTimestamp, bornHost, storeHost: ctx.storeHost, reconsumeTimes, preparedTransactionOffset: 0 });
  }
  const result = await ctx.store.putMessages(messages);
  return putResponse(ctx, request, result, queueId, topic);
}

/** CONSUMER_SEND_MSG_BACK: the consumer failed a message; re-deliver it later via the retry topic, or dead-letter it. */
export async function processConsumerSendMsgBack(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
  { header }: { header: ConsumerSendMsgBackRequestHeader },
): Promise<RemotingCommand> {
  const { offset: commitLogOffset, group } = header;
  let delayLevel = header.delayLevel;
  const maxReconsumeTimesHeader = header.maxReconsumeTimes;
  const groupConfig = ctx.subscriptionGroupManager.findOrCreate(group);
  if (!groupConfig) return createResponse(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group not exist, ${group}`);
  if (!isPermWriteable(ctx.config.brokerPermission)) return createResponse(request, ResponseCode.NO_PERMISSION, 'the broker is not writable');
  if (groupConfig.retryQueueNums <= 0) return createResponse(request, ResponseCode.SUCCESS);

  const retryTopic = RETRY_GROUP_TOPIC_PREFIX + group;
  const retry = ctx.topicConfigManager.createTopicIfAbsent(retryTopic, groupConfig.retryQueueNums, PermName.PERM_READ | PermName.PERM_WRITE);
  if (retry.created) ctx.registerBrokerAll();
  const raw = ctx.store.lookMessageByOffset(commitLogOffset);
  if (!raw) return createResponse(request, ResponseCode.SYSTEM_ERROR, `look message by offset failed, ${commitLogOffset}`);
  const original = readStoredRecord(raw);
  const maxReconsumeTimes = maxReconsumeTimesHeader ?? groupConfig.retryMaxTimes;
  let topic = retryTopic;
  let queueId = Math.floor(Math.random() * Math.max(1, retry.config.writeQueueNums));
  if (original.reconsumeTimes >= maxReconsumeTimes || delayLevel < 0) {
    const dlq = ctx.topicConfigManager.createTopicIfAbsent(DLQ_GROUP_TOPIC_PREFIX + group, 1, PermName.PERM_READ | PermName.PERM_WRITE);
    if (dlq.created) ctx.registerBrokerAll();
    topic = dlq.config.topicName;
    queueId = 0;
    delayLevel = 0;
  } else if (delayLevel === 0) {
    delayLevel = 3 + original.reconsumeTimes;
  }
  // RocketMQ's ORIGIN_MESSAGE_ID is the first delivery's offsetMsgId (the header's originMsgId is not used).
  const offsetMsgId = createOffsetMsgIdText(original.storeHost, original.commitLogOffset);
  const { map: props, stored } = sendBackProperties({ propertiesString: original.propertiesString, topic: original.topic, offsetMsgId }, delayLevel);
  const message: MessageToStore = {
    topic,
    queueId,
    flag: original.flag,
    sysFlag: original.sysFlag,
    body: original.body,
    propertiesString: stored,
    bornTimestamp: original.bornTimestamp,
    bornHost: original.bornHost,
    storeHost: original.storeHost,
    reconsumeTimes: original.reconsumeTimes + 1,
    preparedTransactionOffset: 0,
  };
  applyDelay(ctx, message, props);
  const result = await ctx.store.putMessage(message);
  if (result.status === 'PUT_OK') return createResponse(request, ResponseCode.SUCCESS);
  return createResponse(request, ResponseCode.SYSTEM_ERROR, result.remark ?? result.status);
}

