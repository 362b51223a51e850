/**
 * POP receipt handles and the offset-info strings of a POP_MESSAGE response, in RocketMQ 5.x's text formats
 * (remoting ExtraInfoUtil, common ReceiptHandle). Pure: no broker state.
 *
 * extraInfo (what a remoting client puts in ACK_MESSAGE / CHANGE_MESSAGE_INVISIBLETIME `extraInfo`, and what the
 * POP_CK property of a popped message holds), fields separated by one space:
 *
 *   ckQueueOffset popTime invisibleTime reviveQid retryFlag brokerName queueId [msgQueueOffset [commitLogOffset]]
 *
 *   retryFlag  "0" the topic itself, "1" the POP retry topic `%RETRY%<group>_<topic>`, "2" the v2 one `%RETRY%<group>+<topic>`
 *   reviveQid  999 (POP_ORDER_REVIVE_QUEUE) marks a FIFO (orderly) pop
 *
 * A gRPC receipt handle (ReceiptHandle.encode) is the same with the message's queue offset and commit-log offset
 * appended: 9 fields. Every form parses here; the queue offset may also come from the request header.
 *
 * Response header infos, entries joined by ';', fields by ' ':
 *   startOffsetInfo  `retryFlag queueId startOffset`
 *   msgOffsetInfo    `retryFlag queueId off1,off2,...`
 *   orderCountInfo   `retryFlag qo<queueId>%<queueOffset> count` (count = deliveries before this one)
 */
import { RETRY_GROUP_TOPIC_PREFIX } from '../topics/topic-config-manager';

export const KEY_SEPARATOR = ' ';
export const POP_ORDER_REVIVE_QUEUE = 999;
export const RETRY_FLAG_NORMAL = '0';
export const RETRY_FLAG_V1 = '1';
export const RETRY_FLAG_V2 = '2';

export interface ReceiptHandle {
  ckQueueOffset: number;
  popTime: number;
  invisibleTime: number;
  reviveQid: number;
  retryFlag: string;
  brokerName: string;
  queueId: number;
  /** The message's queue offset; absent in the 7-field form (then the request header carries it). */
  queueOffset?: number;
  /** Present in the gRPC (9-field) form. */
  commitLogOffset?: number;
}

/** `%RETRY%<group>_<topic>`: the POP retry topic (RocketMQ KeyBuilder v1, the default with enableRetryTopicV2=false). */
export function popRetryTopic(topic: string, group: string): string {
  return `${RETRY_GROUP_TOPIC_PREFIX}${group}_${topic}`;
}

export function popRetryTopicV2(topic: string, group: string): string {
  return `${RETRY_GROUP_TOPIC_PREFIX}${group}+${topic}`;
}

export function retryFlagOf(topic: string): string {
  if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) && topic.includes('+')) return RETRY_FLAG_V2;
  if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return RETRY_FLAG_V1;
  return RETRY_FLAG_NORMAL;
}

/** The topic a handle's message is stored in: the POP retry topic when its flag says so. */
export function realTopicOf(topic: string, group: string, retryFlag: string): string {
  if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return topic;
  if (retryFlag === RETRY_FLAG_V1) return popRetryTopic(topic, group);
  if (retryFlag === RETRY_FLAG_V2) return popRetryTopicV2(topic, group);
  return topic;
}

const INTEGER = /^-?\d{1,19}$/;

function integer(text: string | undefined): number | null {
  if (text === undefined || !INTEGER.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

/** Parses an extraInfo / receipt handle; null when it is not one (wrong field count, not numbers, unknown retry flag). */
export function parseReceiptHandle(text: string): ReceiptHandle | null {
  if (typeof text !== 'string' || text.length > 1024) return null;
  const fields = text.split(KEY_SEPARATOR);
  if (fields.length < 7 || fields.length > 9) return null;
  const ckQueueOffset = integer(fields[0]);
  const popTime = integer(fields[1]);
  const invisibleTime = integer(fields[2]);
  const reviveQid = integer(fields[3]);
  const retryFlag = fields[4]!;
  const brokerName = fields[5]!;
  const queueId = integer(fields[6]);
  if (ckQueueOffset === null || popTime === null || invisibleTime === null || reviveQid === null || queueId === null) return null;
  if (retryFlag !== RETRY_FLAG_NORMAL && retryFlag !== RETRY_FLAG_V1 && retryFlag !== RETRY_FLAG_V2) return null;
  if (!brokerName || queueId < 0 || popTime < 0 || invisibleTime < 0) return null;
  const handle: ReceiptHandle = { ckQueueOffset, popTime, invisibleTime, reviveQid, retryFlag, brokerName, queueId };
  if (fields.length >= 8) {
    const queueOffset = integer(fields[7]);
    if (queueOffset === null || queueOffset < 0) return null;
    handle.queueOffset = queueOffset;
  }
  if (fields.length === 9) {
    const commitLogOffset = integer(fields[8]);
    if (commitLogOffset === null || commitLogOffset < 0) return null;
    handle.commitLogOffset = commitLogOffset;
  }
  return handle;
}

/** ExtraInfoUtil.buildExtraInfo (8 fields), or with a commit-log offset the gRPC receipt handle (9 fields). */
export function buildReceiptHandle(handle: ReceiptHandle): string {
  const fields: (string | number)[] = [handle.ckQueueOffset, handle.popTime, handle.invisibleTime, handle.reviveQid, handle.retryFlag, handle.brokerName, handle.queueId];
  if (handle.queueOffset !== undefined) fields.push(handle.queueOffset);
  if (handle.queueOffset !== undefined && handle.commitLogOffset !== undefined) fields.push(handle.commitLogOffset);
  return fields.join(KEY_SEPARATOR);
}

export function startOffsetInfoEntry(topic: string, queueId: number, startOffset: number): string {
  return `${retryFlagOf(topic)} ${queueId} ${startOffset}`;
}

export function msgOffsetInfoEntry(topic: string, queueId: number, queueOffsets: readonly number[]): string {
  return `${retryFlagOf(topic)} ${queueId} ${queueOffsets.join(',')}`;
}

export function orderCountInfoEntry(topic: string, queueId: number, queueOffset: number, count: number): string {
  return `${retryFlagOf(topic)} qo${queueId}%${queueOffset} ${count}`;
}

/** parseStartOffsetInfo / parseMsgOffsetInfo / parseOrderCountInfo: `retryFlag@queueKey` → value text. */
export function parseOffsetInfo(text: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  if (!text) return map;
  for (const entry of text.split(';')) {
    const fields = entry.split(KEY_SEPARATOR);
    if (fields.length !== 3) throw new RangeError(`bad offset info entry: ${entry}`);
    map.set(`${fields[0]}@${fields[1]}`, fields[2]!);
  }
  return map;
}
