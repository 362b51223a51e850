/**
 * The properties string of every record the broker writes, made the way RocketMQ 4.9.4's broker makes it: the
 * same puts and removes on a HashMap (JavaPropertiesMap), written out at the same moments. What a consumer reads
 * back (and each record's size) then matches the Java broker's byte for byte. The moments, from the Java source:
 *
 *   send            parse the request's string, put CLUSTER; a WAIT the client sent is taken out for the stored
 *                   string and put back (last) in the map, so later re-encodings (delay, half message) have it.
 *   batch           each message's own string as sent, then (with a separator unless it ends with one) the
 *                   request-level string: parse + CLUSTER (WAIT kept).
 *   delay           (commit log, for a message that is not a prepared or rolled-back transaction) put DELAY
 *                   clamped to the table, REAL_TOPIC, REAL_QID; write.
 *   half message    put REAL_TOPIC, REAL_QID; write.
 *   check           parse the half message, put TRANSACTION_CHECK_TIMES; write.
 *   commit / timeup parse the stored string and write it again (DELAY, REAL_TOPIC, REAL_QID, TRAN_MSG, WAIT stay).
 *   op message      a new map: TAGS=d, WAIT=true.
 *   send back       parse the stored message, put RETRY_TOPIC (when absent), WAIT=false, DELAY (level, or 0 for
 *                   the dead-letter queue), ORIGIN_MESSAGE_ID (kept, else the stored message's offsetMsgId); write;
 *                   then the commit log's delay step.
 */
import { JavaPropertiesMap } from './java-properties-map';
import { PROPERTY_SEPARATOR } from './message-util';

export const MessageConst = {
  PROPERTY_WAIT_STORE_MSG_OK: 'WAIT',
  PROPERTY_CLUSTER: 'CLUSTER',
  PROPERTY_DELAY_TIME_LEVEL: 'DELAY',
  PROPERTY_REAL_TOPIC: 'REAL_TOPIC',
  PROPERTY_REAL_QUEUE_ID: 'REAL_QID',
  PROPERTY_RETRY_TOPIC: 'RETRY_TOPIC',
  PROPERTY_ORIGIN_MESSAGE_ID: 'ORIGIN_MESSAGE_ID',
  PROPERTY_TRANSACTION_CHECK_TIMES: 'TRANSACTION_CHECK_TIMES',
  PROPERTY_TAGS: 'TAGS',
} as const;

/** A send's properties: the string stored and the map the rest of the path goes on with. */
export function sendProperties(requestProperties: string | undefined, clusterName: string): { map: JavaPropertiesMap; stored: string } {
  const map = JavaPropertiesMap.parse(requestProperties);
  map.put(MessageConst.PROPERTY_CLUSTER, clusterName);
  const wait = map.get(MessageConst.PROPERTY_WAIT_STORE_MSG_OK);
  if (wait === undefined) return { map, stored: map.toPropertiesString() };
  map.remove(MessageConst.PROPERTY_WAIT_STORE_MSG_OK);
  const stored = map.toPropertiesString();
  map.put(MessageConst.PROPERTY_WAIT_STORE_MSG_OK, wait);
  return { map, stored };
}

/** The request-level part every message of a batch gets: the request's properties and CLUSTER. */
export function batchLevelProperties(requestProperties: string | undefined, clusterName: string): string {
  return JavaPropertiesMap.parse(requestProperties).put(MessageConst.PROPERTY_CLUSTER, clusterName).toPropertiesString();
}

/** One batched message's stored string: its own, a separator when needed, the request-level part. */
export function batchedMessageProperties(own: string, batchLevel: string): string {
  if (own.length === 0 || batchLevel.length === 0) return own + batchLevel;
  return own.endsWith(PROPERTY_SEPARATOR) ? own + batchLevel : own + PROPERTY_SEPARATOR + batchLevel;
}

/** The DELAY level a message asks for (0 = none), as Message.getDelayTimeLevel reads it. */
export function delayLevelOf(map: JavaPropertiesMap): number {
  const level = Number(map.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL) ?? 0);
  return Number.isInteger(level) ? level : 0;
}

/**
 * The commit log's delay step: a message with DELAY > 0 goes to the schedule topic, its real topic and queue
 * kept; null when it is not delayed. `maxLevel` is the size of the delay table.
 */
export function delayedProperties(map: JavaPropertiesMap, topic: string, queueId: number, maxLevel: number): { level: number; stored: string } | null {
  let level = delayLevelOf(map);
  if (level <= 0) return null;
  if (level > maxLevel) {
    level = maxLevel;
    map.put(MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(level));
  }
  map.put(MessageConst.PROPERTY_REAL_TOPIC, topic);
  map.put(MessageConst.PROPERTY_REAL_QUEUE_ID, String(queueId));
  return { level, stored: map.toPropertiesString() };
}

/** A prepared transactional message turned into a half message. */
export function halfMessageProperties(map: JavaPropertiesMap, topic: string, queueId: number): string {
  map.put(MessageConst.PROPERTY_REAL_TOPIC, topic);
  map.put(MessageConst.PROPERTY_REAL_QUEUE_ID, String(queueId));
  return map.toPropertiesString();
}

/** A stored string read and written again (schedule time-up, transaction commit, check-max discard). */
export function rewrittenProperties(stored: string): string {
  return JavaPropertiesMap.parse(stored).toPropertiesString();
}

/** A half message put back for the next check, with its check count. */
export function checkedHalfProperties(stored: string, checkTimes: number): string {
  return JavaPropertiesMap.parse(stored).put(MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES, String(checkTimes)).toPropertiesString();
}

/** The op message that marks a half message done (`new Message(opTopic, "d", body)`). */
export const OP_MESSAGE_PROPERTIES = JavaPropertiesMap.of([[MessageConst.PROPERTY_TAGS, 'd'], [MessageConst.PROPERTY_WAIT_STORE_MSG_OK, 'true']]).toPropertiesString();

/**
 * CONSUMER_SEND_MSG_BACK: the stored message's properties as re-put to the retry topic (delayLevel > 0, then
 * the delay step applies) or the dead-letter queue (delayLevel 0). Returns the map (for the delay step) and the
 * string written when there is no delay.
 */
export function sendBackProperties(
  original: { propertiesString: string; topic: string; offsetMsgId: string },
  delayLevel: number,
): { map: JavaPropertiesMap; stored: string } {
  const map = JavaPropertiesMap.parse(original.propertiesString);
  if (map.get(MessageConst.PROPERTY_RETRY_TOPIC) === undefined) map.put(MessageConst.PROPERTY_RETRY_TOPIC, original.topic);
  map.put(MessageConst.PROPERTY_WAIT_STORE_MSG_OK, 'false');
  map.put(MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(delayLevel));
  const origin = map.get(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID);
  map.put(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID, origin && origin.trim() !== '' ? origin : original.offsetMsgId);
  return { map, stored: map.toPropertiesString() };
}
