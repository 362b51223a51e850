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
import { decodeBatchBody, decodePropertiesString, encodePropertiesString, parseHostAddress, readStoredRecord } from '../message/message-util';
import {
  DLQ_GROUP_TOPIC_PREFIX,
  NOT_SENDABLE_TOPICS,
  PermName,
  RETRY_GROUP_TOPIC_PREFIX,
  TopicValidator,
  isPermWriteable,
  type TopicConfig,
} from '../topics/topic-config-manager';

const PROPERTY_DELAY = 'DELAY';
const PROPERTY_REAL_TOPIC = 'REAL_TOPIC';
const PROPERTY_REAL_QUEUE_ID = 'REAL_QID';
const PROPERTY_RETRY_TOPIC = 'RETRY_TOPIC';
const PROPERTY_ORIGIN_MESSAGE_ID = 'ORIGIN_MESSAGE_ID';
const PROPERTY_TRANSACTION_PREPARED = 'TRAN_MSG';
const PROPERTY_MAX_RECONSUME_TIMES = 'MAX_RECONSUME_TIMES';
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

function putResponse(ctx: BrokerContext, request: RemotingCommand, result: PutMessageResult, queueId: number, topic: string): RemotingCommand {
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
function checkTopic(ctx: BrokerContext, request: RemotingCommand, header: SendMessageRequestHeader, topic: string): CheckedTopic {
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

function pickQueueId(config: TopicConfig, requested: number): number | null {
  if (requested < 0) return Math.floor(Math.random() * Math.max(1, config.writeQueueNums));
  if (requested >= Math.max(config.readQueueNums, config.writeQueueNums)) return null;
  return requested;
}

/** Moves a DELAY message into SCHEDULE_TOPIC_XXXX (queue = level − 1), keeping the real topic/queue. */
/** Redirects a delayed message to SCHEDULE_TOPIC_XXXX; true when it changed the message's properties. */
function applyDelay(ctx: BrokerContext, message: MessageToStore, props: Record<string, string>): boolean {
  const level = Number(props[PROPERTY_DELAY] ?? 0);
  if (!(level > 0)) return false;
  if ((message.sysFlag & TRANSACTION_TYPE_MASK) === TRANSACTION_PREPARED_TYPE || (message.sysFlag & TRANSACTION_TYPE_MASK) === TRANSACTION_ROLLBACK_TYPE) return false;
  const clamped = Math.min(level, delayLevelCount(ctx));
  props[PROPERTY_DELAY] = String(clamped);
  props[PROPERTY_REAL_TOPIC] = message.topic;
  props[PROPERTY_REAL_QUEUE_ID] = String(message.queueId);
  message.topic = TopicValidator.RMQ_SYS_SCHEDULE_TOPIC;
  message.queueId = clamped - 1;
  return true;
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
  const props = decodePropertiesString(propertiesText);
  const prepared = props[PROPERTY_TRANSACTION_PREPARED] === 'true';
  if (prepared && ctx.config.rejectTransactionMessage) {
    return createResponse(request, ResponseCode.NO_PERMISSION, `the broker[${ctx.config.brokerIP1}] sending transaction message is forbidden`);
  }
  if (prepared && (isBatch || topic.startsWith(RETRY_GROUP_TOPIC_PREFIX))) {
    return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, 'transactional messages cannot be batched or sent to a retry topic');
  }
  const bornHost = parseHostAddress(connection.remoteAddress);

  // Retries that exhausted their attempts go to the dead-letter queue.
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
      delete props[PROPERTY_DELAY];
    }
  }

  if (!isBatch) {
    delete props.WAIT;
    props.CLUSTER = ctx.config.brokerClusterName;
    if (maxReconsumeTimesHeader !== undefined && props[PROPERTY_MAX_RECONSUME_TIMES] === undefined && topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) {
      props[PROPERTY_MAX_RECONSUME_TIMES] = String(maxReconsumeTimesHeader);
    }
    const propertiesString = encodePropertiesString(props);
    if (Buffer.byteLength(propertiesString) > MESSAGE_PROPERTIES_BYTES_MAX) {
      return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `the message properties are longer than ${MESSAGE_PROPERTIES_BYTES_MAX} bytes`);
    }
    const message: MessageToStore = {
      topic,
      queueId,
      flag,
      sysFlag,
      body,
      propertiesString,
      bornTimestamp,
      bornHost,
      storeHost: ctx.storeHost,
      reconsumeTimes,
      preparedTransactionOffset: 0,
    };
    if (prepared) {
      // Half message: hidden in RMQ_SYS_TRANS_HALF_TOPIC until END_TRANSACTION (or a check) decides.
      delete props[PROPERTY_DELAY];
      message.propertiesString = encodePropertiesString(props);
      ctx.transaction.toHalf(message);
    } else if (applyDelay(ctx, message, props)) {
      message.propertiesString = encodePropertiesString(props);
    }
    const result = await ctx.store.putMessage(message);
    return putResponse(ctx, request, result, queueId, topic);
  }

  // Batch
  if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, 'retry topics do not accept batches');
  if (Number(props[PROPERTY_DELAY] ?? 0) > 0) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, 'batch messages cannot be delayed');
  let inner;
  try {
    inner = decodeBatchBody(body);
  } catch (err) {
    return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `malformed batch body: ${(err as Error).message}`);
  }
  if (inner.length === 0) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, 'empty batch');
  delete props.WAIT;
  props.CLUSTER = ctx.config.brokerClusterName;
  const messages: MessageToStore[] = [];
  for (const one of inner) {
    const merged = { ...decodePropertiesString(one.properties), ...props };
    delete merged.WAIT;
    const propertiesString = encodePropertiesString(merged);
    if (Buffer.byteLength(propertiesString) > MESSAGE_PROPERTIES_BYTES_MAX) {
      return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, `the message properties are longer than ${MESSAGE_PROPERTIES_BYTES_MAX} bytes`);
    }
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
  const { offset: commitLogOffset, group, originMsgId } = header;
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
  const props = { ...original.properties };
  if (!props[PROPERTY_RETRY_TOPIC]) props[PROPERTY_RETRY_TOPIC] = original.topic;
  delete props.WAIT;

  const maxReconsumeTimes = maxReconsumeTimesHeader ?? groupConfig.retryMaxTimes;
  let topic = retryTopic;
  let queueId = Math.floor(Math.random() * Math.max(1, retry.config.writeQueueNums));
  if (original.reconsumeTimes >= maxReconsumeTimes || delayLevel < 0) {
    const dlq = ctx.topicConfigManager.createTopicIfAbsent(DLQ_GROUP_TOPIC_PREFIX + group, 1, PermName.PERM_READ | PermName.PERM_WRITE);
    if (dlq.created) ctx.registerBrokerAll();
    topic = dlq.config.topicName;
    queueId = 0;
    delete props[PROPERTY_DELAY];
  } else {
    if (delayLevel === 0) delayLevel = 3 + original.reconsumeTimes;
    props[PROPERTY_DELAY] = String(delayLevel);
  }
  if (!props[PROPERTY_ORIGIN_MESSAGE_ID]) props[PROPERTY_ORIGIN_MESSAGE_ID] = originMsgId || props.UNIQ_KEY || '';
  const message: MessageToStore = {
    topic,
    queueId,
    flag: original.flag,
    sysFlag: original.sysFlag & ~TRANSACTION_TYPE_MASK & ~0x30,
    body: original.body,
    propertiesString: '',
    bornTimestamp: original.bornTimestamp,
    bornHost: parseHostAddress(connection.remoteAddress),
    storeHost: ctx.storeHost,
    reconsumeTimes: original.reconsumeTimes + 1,
    preparedTransactionOffset: 0,
  };
  applyDelay(ctx, message, props);
  message.propertiesString = encodePropertiesString(props);
  const result = await ctx.store.putMessage(message);
  if (result.status === 'PUT_OK') return createResponse(request, ResponseCode.SUCCESS);
  return createResponse(request, ResponseCode.SYSTEM_ERROR, result.remark ?? result.status);
}

