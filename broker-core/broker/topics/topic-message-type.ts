/**
 * RocketMQ 5.x topic message types: the topic attribute `message.type` (NORMAL, FIFO, DELAY, TRANSACTION, MIXED;
 * set with UPDATE_AND_CREATE_TOPIC's `attributes` "+message.type=FIFO", kept in topics.json without the sign) and
 * the type of a message, read from its properties as TopicMessageType.parseFromMessageProperty does.
 *
 * The check (the Apache Proxy's DefaultTopicMessageTypeValidator): a topic accepts messages of its own type, MIXED
 * accepts all. The gRPC endpoint checks every topic, an untyped one counting as NORMAL (TopicConfig's default);
 * remoting sends are checked only on topics whose type was set, so 4.x clients keep working on untyped topics.
 */
import { DLQ_GROUP_TOPIC_PREFIX, RETRY_GROUP_TOPIC_PREFIX, type TopicConfig } from './topic-config-manager';

export const TOPIC_MESSAGE_TYPES = ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION', 'MIXED'] as const;
export type TopicMessageType = (typeof TOPIC_MESSAGE_TYPES)[number];
export const MESSAGE_TYPE_ATTRIBUTE = 'message.type';

/** The topic's declared type, or undefined when none was set. */
export function declaredMessageType(config: TopicConfig): TopicMessageType | undefined {
  const value = config.attributes?.[MESSAGE_TYPE_ATTRIBUTE] ?? config.attributes?.[`+${MESSAGE_TYPE_ATTRIBUTE}`];
  return (TOPIC_MESSAGE_TYPES as readonly string[]).includes(value ?? '') ? (value as TopicMessageType) : undefined;
}

/** TopicConfig.getTopicMessageType: the declared type, else NORMAL. */
export function topicMessageTypeOf(config: TopicConfig): TopicMessageType {
  return declaredMessageType(config) ?? 'NORMAL';
}

/** A message's properties: a plain record, or anything with get (JavaPropertiesMap). */
export type MessageProperties = Readonly<Record<string, string>> | { get(name: string): string | undefined };

function reader(props: MessageProperties): (name: string) => string | undefined {
  if (typeof (props as { get?: unknown }).get === 'function') return (name) => (props as { get(name: string): string | undefined }).get(name);
  const record = props as Readonly<Record<string, string>>;
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}

/** TopicMessageType.parseFromMessageProperty. */
export function messageTypeOf(props: MessageProperties): Exclude<TopicMessageType, 'MIXED'> {
  const read = reader(props);
  if (read('TRAN_MSG') === 'true') return 'TRANSACTION';
  if (read('DELAY') !== undefined || read('TIMER_DELIVER_MS') !== undefined || read('TIMER_DELAY_SEC') !== undefined || read('TIMER_DELAY_MS') !== undefined) return 'DELAY';
  if (read('__SHARDINGKEY') !== undefined) return 'FIFO';
  return 'NORMAL';
}

/** Null when the topic takes the message; else the Proxy's refusal text. Retry and DLQ topics take everything. */
export function checkTopicMessageType(config: TopicConfig, props: MessageProperties, options: { untypedIsNormal: boolean }): string | null {
  if (config.topicName.startsWith(RETRY_GROUP_TOPIC_PREFIX) || config.topicName.startsWith(DLQ_GROUP_TOPIC_PREFIX)) return null;
  const declared = declaredMessageType(config);
  if (!declared && !options.untypedIsNormal) return null;
  const expected = declared ?? 'NORMAL';
  const actual = messageTypeOf(props);
  if (expected === 'MIXED' || expected === actual) return null;
  return `TopicMessageType validate failed, the expected type is ${expected}, but actual type is ${actual}`;
}
