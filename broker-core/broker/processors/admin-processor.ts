/** Admin codes the console and mqadmin use (protocol.md §2.4), plus VIEW_MESSAGE_BY_ID 33 and QUERY_MESSAGE 12. */
import { BROKER_TO_CLIENT_TIMEOUT_MS, HELD_PULL_REQUESTS_MAX, QUERY_MESSAGE_MAX, TOPIC_QUEUE_NUMS_MAX } from '../../config/limits';
import { integerOf, objectOf } from '../../protocol/json-shape';
import { parseJavaJson, stringifyJavaJson } from '../../protocol/fastjson';
import { HeaderFieldError } from '../../protocol/headers/header-schema';
import { RequestCode } from '../../protocol/request-code';
import type { QueryMessageRequestHeader } from '../../protocol/headers/query-message-request-header';
import { ResponseCode } from '../../protocol/response-code';
import { createRequest, createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import type { RemotingConnection } from '../../remoting/remoting-server';
import type { BrokerContext } from '../broker-context';
import { brokerConfigToProperties, MUTABLE_BROKER_CONFIG_KEYS } from '../broker-config';
import { connectionJson } from '../groups/consumer-manager';
import { makeSubscriptionGroupConfig } from '../groups/subscription-group-manager';
import { decodeOffsetMsgIdText } from '../message/message-util';
import { isSystemTopic, makeTopicConfig, TopicValidator } from '../topics/topic-config-manager';
import { Header } from './header';
import { validateGroupName, validateTopicName } from './send-message-processor';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

export async function processUpdateAndCreateTopic(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  const header = new Header(request);
  const topic = header.string('topic');
  const bad = validateTopicName(topic);
  if (bad) return createResponse(request, ResponseCode.SYSTEM_ERROR, bad);
  if (topic === ctx.config.brokerClusterName || isSystemTopic(topic)) {
    return createResponse(request, ResponseCode.SYSTEM_ERROR, `The topic[${topic}] is conflict with system topic.`);
  }
  const config = makeTopicConfig(topic, 16, 6);
  config.readQueueNums = header.int('readQueueNums');
  config.writeQueueNums = header.int('writeQueueNums');
  config.perm = header.int('perm');
  config.topicFilterType = header.optString('topicFilterType') ?? 'SINGLE_TAG';
  config.topicSysFlag = header.optInt('topicSysFlag') ?? 0;
  config.order = header.optBoolean('order') ?? false;
  const attributes = applyTopicAttributes(ctx.topicConfigManager.get(topic)?.attributes ?? {}, header.optString('attributes'));
  if (typeof attributes === 'string') return createResponse(request, ResponseCode.INVALID_PARAMETER, attributes);
  config.attributes = attributes;
  if (config.readQueueNums < 0 || config.writeQueueNums < 0 || config.readQueueNums > TOPIC_QUEUE_NUMS_MAX || config.writeQueueNums > TOPIC_QUEUE_NUMS_MAX) {
    return createResponse(request, ResponseCode.INVALID_PARAMETER, `queue numbers must be within 0..${TOPIC_QUEUE_NUMS_MAX}`);
  }
  ctx.topicConfigManager.update(config);
  ctx.registerBrokerAll();
  await ctx.topicConfigManager.persisted();
  return createResponse(request, ResponseCode.SUCCESS);
}

const TOPIC_ATTRIBUTES: Record<string, readonly string[]> = { 'message.type': ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION', 'MIXED'] };

/**
 * RocketMQ 5.x topic attributes from UPDATE_AND_CREATE_TOPIC's `attributes` header: "+key=value" sets,
 * "-key" removes, comma separated; stored without the sign. Only known keys and values; else the error text.
 */
export function applyTopicAttributes(current: Record<string, string>, text: string | undefined): Record<string, string> | string {
  const next = { ...current };
  if (!text) return next;
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const sign = item[0];
    const [key = '', value] = item.slice(1).split('=', 2);
    const allowed = TOPIC_ATTRIBUTES[key];
    if ((sign !== '+' && sign !== '-') || !allowed) return `unsupported topic attribute "${item}" (supported: +message.type=${TOPIC_ATTRIBUTES['message.type']!.join('|')})`;
    if (sign === '-') delete next[key];
    else if (value !== undefined && allowed.includes(value)) next[key] = value;
    else return `attribute ${key} must be one of ${allowed.join(', ')} (got "${value ?? ''}")`;
  }
  return next;
}

export async function processDeleteTopic(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  const topic = new Header(request).string('topic');
  ctx.topicConfigManager.delete(topic);
  ctx.consumerOffsetManager.removeTopic(topic);
  ctx.store.deleteTopics([topic]);
  ctx.registerBrokerAll();
  await ctx.topicConfigManager.persisted();
  return createResponse(request, ResponseCode.SUCCESS);
}

/**
 * GET_ALL_TOPIC_CONFIG: TopicConfigSerializeWrapper {topicConfigTable, dataVersion}. Rocketdeck extension, asked
 * for with the header field `withMaxOffsets=true` (which RocketMQ brokers ignore): the body also holds
 * `topicMaxOffsetTable` {topic: Σ max offsets of its queues}, so a collector learns every topic's growth in
 * one call instead of one GET_TOPIC_STATS_INFO per topic. Clients that do not ask never see it.
 */
export function processGetAllTopicConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const wrapper = ctx.topicConfigManager.wrapper();
  if (new Header(request).optBoolean('withMaxOffsets') !== true) return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, json(wrapper));
  const topicMaxOffsetTable: Record<string, number> = {};
  for (const [topic, config] of Object.entries(wrapper.topicConfigTable)) {
    let sum = 0;
    for (let queueId = 0; queueId < config.writeQueueNums; queueId++) sum += Math.max(0, ctx.store.getMaxOffsetInQueue(topic, queueId));
    topicMaxOffsetTable[topic] = sum;
  }
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, json({ ...wrapper, topicMaxOffsetTable }));
}

export function processGetTopicConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const topic = new Header(request).string('topic');
  const config = ctx.topicConfigManager.get(topic);
  if (!config) return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `No topic in this broker. topic: ${topic}`);
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, json(config));
}

/** Whole-number fields of a SubscriptionGroupConfig body and the values they may take. */
const GROUP_INTEGER_FIELDS: Record<string, [number, number]> = {
  retryQueueNums: [0, TOPIC_QUEUE_NUMS_MAX],
  retryMaxTimes: [-1, 2 ** 31 - 1],
  brokerId: [0, 2 ** 31 - 1],
  whichBrokerWhenConsumeSlowly: [0, 2 ** 31 - 1],
  groupSysFlag: [0, 2 ** 31 - 1],
  consumeTimeoutMinute: [0, 2 ** 31 - 1],
};

export async function processUpdateAndCreateSubscriptionGroup(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  let raw: Record<string, unknown> | undefined;
  try {
    raw = request.body ? objectOf(parseJavaJson(request.body.toString('utf8'))) : undefined;
  } catch {
    raw = undefined;
  }
  if (!raw || typeof raw.groupName !== 'string') return createResponse(request, ResponseCode.SYSTEM_ERROR, 'the body is not a SubscriptionGroupConfig');
  const bad = validateGroupName(raw.groupName);
  if (bad) return createResponse(request, ResponseCode.SYSTEM_ERROR, bad);
  for (const [field, [min, max]] of Object.entries(GROUP_INTEGER_FIELDS)) {
    if (raw[field] !== undefined && raw[field] !== null && integerOf(raw[field], min, max) === undefined) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `${field} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw[field])?.slice(0, 40)})`);
    }
  }
  if (raw.attributes !== undefined && raw.attributes !== null && !Object.values(objectOf(raw.attributes) ?? { bad: 0 }).every((v) => typeof v === 'string')) {
    return createResponse(request, ResponseCode.SYSTEM_ERROR, 'attributes must be an object of strings');
  }
  ctx.subscriptionGroupManager.update(makeSubscriptionGroupConfig(raw.groupName, raw));
  await ctx.subscriptionGroupManager.persisted();
  return createResponse(request, ResponseCode.SUCCESS);
}

export function processGetAllSubscriptionGroup(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, json(ctx.subscriptionGroupManager.wrapper()));
}

export function processGetSubscriptionGroupConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const group = new Header(request).string('group');
  const config = ctx.subscriptionGroupManager.get(group);
  if (!config) return createResponse(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `No group in this broker. group: ${group}`);
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, json(config));
}

export async function processDeleteSubscriptionGroup(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  const header = new Header(request);
  const group = header.string('groupName');
  ctx.subscriptionGroupManager.delete(group);
  if (header.optBoolean('cleanOffset')) ctx.consumerOffsetManager.removeGroup(group);
  await ctx.subscriptionGroupManager.persisted();
  return createResponse(request, ResponseCode.SUCCESS);
}

/**
 * VIEW_BROKER_STATS_DATA (mqadmin statsAll, RocketMQ Dashboard's collector): a BrokerStatsData of the counter the
 * stats name and key select, {statsMinute, statsHour, statsDay} each {sum, tps, avgpt}; SYSTEM_ERROR with
 * RocketMQ's remark when there is no such counter.
 */
export function processViewBrokerStatsData(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const header = new Header(request);
  const statsName = header.string('statsName');
  const statsKey = header.string('statsKey');
  const counter = ctx.stats.counterFor(statsName, statsKey, ctx.config.brokerClusterName);
  if (!counter) return createResponse(request, ResponseCode.SYSTEM_ERROR, `The stats <${statsName}> <${statsKey}> not exist`);
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, json(counter.windows()));
}

export function processGetBrokerConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const version = ctx.topicConfigManager.dataVersion;
  return createResponse(request, ResponseCode.SUCCESS, undefined, { version: JSON.stringify(version) }, Buffer.from(brokerConfigToProperties(ctx.config)));
}

/** What the run-time changeable numeric settings may be set to. */
const BROKER_CONFIG_INTEGER_BOUNDS: Record<string, [number, number]> = { brokerPermission: [0, 7], defaultTopicQueueNums: [1, TOPIC_QUEUE_NUMS_MAX] };

export function processUpdateBrokerConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const text = request.body?.toString('utf8') ?? '';
  const updates: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf('=');
    if (at > 0 && !line.trimStart().startsWith('#')) updates[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  const rejected = Object.keys(updates).filter((key) => !(MUTABLE_BROKER_CONFIG_KEYS as readonly string[]).includes(key));
  if (rejected.length > 0) return createResponse(request, ResponseCode.SYSTEM_ERROR, `cannot change at run time: ${rejected.join(', ')}`);
  const config = ctx.config as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(updates)) {
    const current = config[key];
    if (typeof current === 'boolean') config[key] = value === 'true';
    else if (typeof current === 'number') {
      const [min, max] = BROKER_CONFIG_INTEGER_BOUNDS[key] ?? [0, 2 ** 31 - 1];
      const n = integerOf(value, min, max);
      if (n === undefined) return createResponse(request, ResponseCode.SYSTEM_ERROR, `${key} must be a whole number from ${min} to ${max}`);
      config[key] = n;
    } else config[key] = value;
  }
  if (Object.keys(updates).length > 0) ctx.registerBrokerAll();
  return createResponse(request, ResponseCode.SUCCESS);
}

export function processGetBrokerRuntimeInfo(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const store = ctx.store.runtimeInfo();
  const stats = ctx.stats;
  const table: Record<string, string> = {
    brokerVersionDesc: 'V4_9_4',
    brokerVersion: '401',
    msgPutTotalYesterdayMorning: String(stats.msgPutTotalYesterdayMorning),
    msgPutTotalTodayMorning: String(stats.msgPutTotalTodayMorning),
    msgPutTotalTodayNow: String(stats.todayPutTotal()),
    msgGetTotalYesterdayMorning: String(stats.msgGetTotalYesterdayMorning),
    msgGetTotalTodayMorning: String(stats.msgGetTotalTodayMorning),
    msgGetTotalTodayNow: String(stats.todayGetTotal()),
    sendThreadPoolQueueSize: '0',
    sendThreadPoolQueueCapacity: '10000',
    pullThreadPoolQueueSize: '0',
    pullThreadPoolQueueCapacity: '100000',
    queryThreadPoolQueueSize: '0',
    queryThreadPoolQueueCapacity: '20000',
    sendThreadPoolQueueHeadWaitTimeMills: '0',
    pullThreadPoolQueueHeadWaitTimeMills: '0',
    queryThreadPoolQueueHeadWaitTimeMills: '0',
    EndTransactionQueueSize: '0',
    EndTransactionThreadPoolQueueCapacity: '100000',
    dispatchBehindBytes: String(store.dispatchBehindBytes),
    pageCacheLockTimeMills: '0',
    earliestMessageTimeStamp: String(store.earliestMessageTimestamp),
    startAcceptSendRequestTimeStamp: '0',
    remainTransientStoreBufferNumbs: '2147483647',
    remainHowManyDataToCommit: '0',
    remainHowManyDataToFlush: String(store.unflushedBytes),
    commitLogDirCapacity: `Total : ${store.storePathRootDir}`,
    bootTimestamp: String(store.bootTimestamp || ctx.bootTimestamp),
    runtime: formatRuntime(Date.now() - ctx.bootTimestamp),
    putMessageEntireTimeMax: String(store.putMessageEntireTimeMaxMs),
    putMessageTimesTotal: String(store.putMessageTimesTotal),
    putMessageFailedTimes: String(store.putMessageFailedTimes),
    putMessageSizeTotal: String(store.putMessageSizeTotal),
    putMessageDistributeTime: '',
    putMessageAverageSize: String(store.putMessageTimesTotal > 0 ? store.putMessageSizeTotal / store.putMessageTimesTotal : 0),
    dispatchMaxBuffer: '0',
    getMessageEntireTimeMax: '0',
    putTps: stats.putTimes.tpsTriple(),
    getFoundTps: stats.getFound.tpsTriple(),
    getMissTps: stats.getMiss.tpsTriple(),
    getTotalTps: [10, 60, 600].map((w) => (stats.getFound.tps(Math.min(w, 600)) + stats.getMiss.tps(Math.min(w, 600))).toFixed(2)).join(' '),
    getTransferedTps: stats.getTransfered.tpsTriple(),
    putLatency99: '0',
    putLatency999: '0',
    commitLogDiskRatio: String(store.commitLogDiskRatio),
    consumeQueueDiskRatio: String(store.consumeQueueDiskRatio),
    commitLogMinOffset: String(store.commitLogMinOffset),
    commitLogMaxOffset: String(store.commitLogMaxOffset),
    // Rocketdeck additions (RocketMQ clients print unknown keys as they are): long-polling pulls held now, and the bound.
    heldPullRequests: String(ctx.holdService.heldCount),
    heldPullRequestsMax: String(HELD_PULL_REQUESTS_MAX),
    clientConnections: String(ctx.clientConnectionCount()),
  };
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, json({ table }));
}

function formatRuntime(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `[ ${Math.floor(s / 86400)} days, ${Math.floor((s % 86400) / 3600)} hours, ${Math.floor((s % 3600) / 60)} minutes, ${s % 60} seconds ]`;
}

function mq(ctx: BrokerContext, topic: string, queueId: number): { brokerName: string; queueId: number; topic: string } {
  return { brokerName: ctx.config.brokerName, queueId, topic };
}

export function processGetTopicStatsInfo(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const topic = new Header(request).string('topic');
  const config = ctx.topicConfigManager.get(topic);
  if (!config) return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist`);
  const offsetTable = new Map<object, unknown>();
  for (let queueId = 0; queueId < config.writeQueueNums; queueId++) {
    const maxOffset = ctx.store.getMaxOffsetInQueue(topic, queueId);
    const minOffset = ctx.store.getMinOffsetInQueue(topic, queueId);
    const lastUpdateTimestamp = maxOffset > 0 ? ctx.store.getMessageStoreTimeStamp(topic, queueId, maxOffset - 1) : 0;
    offsetTable.set(mq(ctx, topic, queueId), { lastUpdateTimestamp, maxOffset, minOffset });
  }
  const body = stringifyJavaJson(new Map<string, unknown>([['offsetTable', offsetTable], ['topicPutTps', ctx.stats.topicPutTps(topic)]]));
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(body));
}

export function processGetConsumeStats(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const header = new Header(request);
  const group = header.string('consumerGroup');
  const onlyTopic = header.optString('topic');
  const topics = onlyTopic ? [onlyTopic] : [...ctx.consumerOffsetManager.whichTopicByConsumer(group)];
  const offsetTable = new Map<object, unknown>();
  let consumeTps = 0;
  for (const topic of topics) {
    const stats = topicConsumeStats(ctx, group, topic);
    if (!stats) continue;
    for (const [queue, offsets] of stats.offsetTable) offsetTable.set(queue, offsets);
    consumeTps += stats.consumeTps;
  }
  const body = stringifyJavaJson(new Map<string, unknown>([['consumeTps', consumeTps], ['offsetTable', offsetTable]]));
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(body));
}

/** One group's offsets on one topic of this broker (a ConsumeStats), or null when the topic is not here. */
function topicConsumeStats(ctx: BrokerContext, group: string, topic: string): { offsetTable: Map<object, unknown>; consumeTps: number } | null {
  const config = ctx.topicConfigManager.get(topic);
  if (!config) return null;
  const offsetTable = new Map<object, unknown>();
  // Only online subscribers of a topic they no longer subscribe to are skipped by Java; we report what we have.
  for (let queueId = 0; queueId < config.readQueueNums; queueId++) {
    const brokerOffset = ctx.store.getMaxOffsetInQueue(topic, queueId);
    let consumerOffset = ctx.consumerOffsetManager.queryOffset(group, topic, queueId);
    if (consumerOffset < 0) consumerOffset = 0;
    const lastTimestamp = consumerOffset > 0 ? ctx.store.getMessageStoreTimeStamp(topic, queueId, consumerOffset - 1) : 0;
    offsetTable.set(mq(ctx, topic, queueId), { brokerOffset, consumerOffset, lastTimestamp, pullOffset: consumerOffset });
  }
  return { offsetTable, consumeTps: ctx.stats.groupGetTps(group, topic) };
}

/**
 * GET_BROKER_CONSUME_STATS (mqadmin brokerConsumeStats; header isOrder): every subscription group of this
 * broker with a ConsumeStats per topic it has offsets on, in one answer — what a collector needs instead of
 * one GET_CONSUME_STATS per group. Body ConsumeStatsList: {brokerAddr, consumeStatsList: [{group: [ConsumeStats]}],
 * totalDiff}. isOrder keeps ordered topics only; a group online without a subscription to a topic skips it (as RocketMQ).
 */
export function processGetBrokerConsumeStats(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const isOrder = new Header(request).optBoolean('isOrder') ?? false;
  const topicsByGroup = ctx.consumerOffsetManager.topicsByGroup();
  const list: Map<string, unknown>[] = [];
  let totalDiff = 0;
  for (const group of ctx.subscriptionGroupManager.table.keys()) {
    const online = ctx.consumerManager.get(group);
    const statsList: Map<string, unknown>[] = [];
    for (const topic of topicsByGroup.get(group) ?? []) {
      if (isOrder && !ctx.topicConfigManager.get(topic)?.order) continue;
      if (online && online.subscriptionTable.size > 0 && !online.subscriptionTable.has(topic)) continue;
      const stats = topicConsumeStats(ctx, group, topic);
      if (!stats) continue;
      for (const offsets of stats.offsetTable.values()) {
        const o = offsets as { brokerOffset: number; consumerOffset: number };
        totalDiff += o.brokerOffset - o.consumerOffset;
      }
      statsList.push(new Map<string, unknown>([['consumeTps', stats.consumeTps], ['offsetTable', stats.offsetTable]]));
    }
    list.push(new Map([[group, statsList]]));
  }
  const body = stringifyJavaJson(new Map<string, unknown>([['brokerAddr', ctx.brokerAddr], ['consumeStatsList', list], ['totalDiff', totalDiff]]));
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(body));
}

export function processGetConsumerConnectionList(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const group = new Header(request).string('consumerGroup');
  const info = ctx.consumerManager.get(group);
  if (!info) return createResponse(request, ResponseCode.CONSUMER_NOT_ONLINE, `the consumer group[${group}] not online`);
  const body = {
    connectionSet: [...info.channels.values()].map(connectionJson),
    consumeFromWhere: info.consumeFromWhere,
    consumeType: info.consumeType,
    messageModel: info.messageModel,
    subscriptionTable: Object.fromEntries([...info.subscriptionTable].map(([topic, sub]) => [topic, { classFilterMode: false, ...sub }])),
  };
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, json(body));
}

export function processGetProducerConnectionList(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const group = new Header(request).string('producerGroup');
  const channels = ctx.producerManager.channels(group);
  if (channels.length === 0) return createResponse(request, ResponseCode.SYSTEM_ERROR, `the producer group[${group}] not exist`);
  const body = { connectionSet: channels.map(connectionJson) };
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, json(body));
}

export function processQueryTopicConsumeByWho(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const topic = new Header(request).string('topic');
  const groups = new Set([...ctx.consumerManager.groupsByTopic(topic), ...ctx.consumerOffsetManager.whichGroupByTopic(topic)]);
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, json({ groupList: [...groups].sort() }));
}

/**
 * INVOKE_BROKER_TO_RESET_OFFSET {topic, group, timestamp, isForce, queueId?, offset?}: the group's new offsets
 * on this broker, pushed to every online client in RESET_CONSUMER_CLIENT_OFFSET (RocketMQ's client-side reset:
 * a live consumer would overwrite a plain offset commit with its own). By time (−1 = the end) for every queue;
 * with RocketMQ 5.x's queueId (≥ 0) one queue only, to `offset` when given (it must lie within the queue's
 * [min, max]) else by time. CONSUMER_NOT_ONLINE when no client is connected: the caller commits offsets itself.
 */
export function processInvokeBrokerToResetOffset(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const header = new Header(request);
  const topic = header.string('topic');
  const group = header.string('group');
  const timestamp = header.number('timestamp');
  const isForce = header.optBoolean('isForce') ?? true;
  const queueId = header.optNumber('queueId') ?? -1;
  const exact = header.optNumber('offset');
  const config = ctx.topicConfigManager.get(topic);
  if (!config) return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `[reset offset] topic[${topic}] not exist`);
  if (queueId >= config.writeQueueNums) return createResponse(request, ResponseCode.SYSTEM_ERROR, `queue ${queueId} does not exist in topic ${topic} (queues 0..${config.writeQueueNums - 1})`);
  if (queueId >= 0 && exact !== undefined && exact !== -1) {
    const min = ctx.store.getMinOffsetInQueue(topic, queueId);
    const max = ctx.store.getMaxOffsetInQueue(topic, queueId);
    if (exact < min || exact > max) return createResponse(request, ResponseCode.SYSTEM_ERROR, `Target offset ${exact} not in consume queue range [${min}-${max}]`);
  }
  const info = ctx.consumerManager.get(group);
  const online = info ? [...info.channels.values()].filter((c) => !c.connection.closed) : [];
  if (online.length === 0) return createResponse(request, ResponseCode.CONSUMER_NOT_ONLINE, `Consumer not online, so can not reset offset, Group: ${group} Topic: ${topic} Timestamp: ${timestamp}`);
  const offsetTable = new Map<object, number>();
  const queues = queueId >= 0 ? [queueId] : Array.from({ length: config.writeQueueNums }, (_, i) => i);
  for (const q of queues) {
    // A queue the group has not committed yet is reset too (RocketMQ refuses the whole reset with SYSTEM_ERROR,
    // which strands a group that consumed but had not committed within its 5 s interval).
    if (queueId >= 0 && exact !== undefined && exact !== -1) {
      offsetTable.set(mq(ctx, topic, q), exact);
      continue;
    }
    const consumerOffset = ctx.consumerOffsetManager.queryOffset(group, topic, q);
    let target = timestamp === -1 ? ctx.store.getMaxOffsetInQueue(topic, q) : ctx.store.getOffsetInQueueByTime(topic, q, timestamp);
    if (!isForce && consumerOffset >= 0 && target >= consumerOffset) target = consumerOffset;
    offsetTable.set(mq(ctx, topic, q), target);
  }
  const body = Buffer.from(stringifyJavaJson(new Map<string, unknown>([['offsetTable', offsetTable]])));
  for (const channel of online) {
    const push = createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, { topic, group, timestamp, isForce }, body);
    try {
      channel.connection.invokeOneway(push);
    } catch (err) {
      ctx.logger.warn('reset offset push failed', { clientId: channel.clientId, error: (err as Error).message });
    }
  }
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, body);
}

async function forwardToClient(ctx: BrokerContext, request: RemotingCommand, group: string, clientId: string, body?: Buffer): Promise<RemotingCommand> {
  const channel = ctx.consumerManager.findChannel(group, clientId);
  if (!channel) return createResponse(request, ResponseCode.SYSTEM_ERROR, `The Consumer <${clientId}> not online`);
  const forward = createRequest(request.code, request.extFields, body ?? request.body);
  try {
    const reply = await channel.connection.invoke(forward, BROKER_TO_CLIENT_TIMEOUT_MS);
    return createResponse(request, reply.code, reply.remark, reply.extFields, reply.body);
  } catch (err) {
    return createResponse(request, ResponseCode.SYSTEM_ERROR, `invoke consumer <${clientId}> failed: ${(err as Error).message}`);
  }
}

export function processGetConsumerRunningInfo(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  const header = new Header(request);
  return forwardToClient(ctx, request, header.string('consumerGroup'), header.string('clientId'));
}

export function processConsumeMessageDirectly(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> | RemotingCommand {
  const header = new Header(request);
  const msgId = header.string('msgId');
  const decoded = decodeOffsetMsgIdText(msgId);
  if (!decoded) return createResponse(request, ResponseCode.SYSTEM_ERROR, `bad msgId ${msgId}`);
  const record = ctx.store.lookMessageByOffset(decoded.commitLogOffset);
  if (!record) return createResponse(request, ResponseCode.SYSTEM_ERROR, `no message at commit-log offset ${decoded.commitLogOffset}`);
  return forwardToClient(ctx, request, header.string('consumerGroup'), header.string('clientId'), record);
}

export function processViewMessageById(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const commitLogOffset = new Header(request).number('offset');
  const record = ctx.store.lookMessageByOffset(commitLogOffset);
  if (!record) return createResponse(request, ResponseCode.SYSTEM_ERROR, `can not find message by the offset, ${commitLogOffset}`);
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, record);
}

export function processQueryMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
  _connection: RemotingConnection,
  { header }: { header: QueryMessageRequestHeader },
): RemotingCommand {
  const { topic, key } = header;
  if (!header._UNIQUE_KEY_QUERY && header.maxNum === undefined) throw new HeaderFieldError('the custom field <maxNum> is null');
  const maxNum = Math.min(header._UNIQUE_KEY_QUERY ? 32 : header.maxNum!, QUERY_MESSAGE_MAX);
  const result = ctx.store.queryMessage(topic, key, maxNum, header.beginTimestamp, header.endTimestamp);
  const ext = { indexLastUpdateTimestamp: result.indexLastUpdateTimestamp, indexLastUpdatePhyoffset: result.indexLastUpdatePhyoffset };
  if (result.messages.length === 0) return createResponse(request, ResponseCode.QUERY_NOT_FOUND, 'can not find message, maybe time range not correct', ext);
  return createResponse(request, ResponseCode.SUCCESS, undefined, ext, Buffer.concat(result.messages));
}


/**
 * GET_TIMER_METRICS 61 (RocketMQ 5.x): timer messages waiting per real topic, as TimerMetricsSerializeWrapper
 * `{"timingCount":{"<topic>":{"count":n,"timeStamp":ms}},"dataVersion":{...}}`.
 */
export function processGetTimerMetrics(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const now = Date.now();
  const timingCount: Record<string, { count: number; timeStamp: number }> = {};
  for (const [topic, count] of [...ctx.timer.pendingByTopic()].sort(([a], [b]) => (a < b ? -1 : 1))) timingCount[topic] = { count, timeStamp: now };
  const body = { timingCount, dataVersion: { timestamp: now, counter: 0, stateVersion: 0 } };
  return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, Buffer.from(JSON.stringify(body)));
}
