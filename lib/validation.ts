/**
 * Input rules shared by the console's forms (shown beside the field) and its API routes (400 with the same
 * message per field). Names follow RocketMQ's TopicValidator.
 */
import { z } from 'zod';

export const TOPIC_NAME_MAX = 127;
export const NAME_CHARS = /^[%|a-zA-Z0-9_-]+$/;
export const QUEUE_NUMS_MAX = 1024;

export function isHostPort(text: string): boolean {
  const m = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(text);
  return !!m && Number(m[2]) > 0 && Number(m[2]) <= 65535;
}

const RESERVED_TOPICS = new Set(['TBW102', 'BenchmarkTest', 'SCHEDULE_TOPIC_XXXX', 'RMQ_SYS_TRANS_HALF_TOPIC', 'RMQ_SYS_TRANS_OP_HALF_TOPIC', 'RMQ_SYS_TRACE_TOPIC', 'OFFSET_MOVED_EVENT', 'SELF_TEST_TOPIC']);

export const topicNameSchema = z
  .string({ error: 'Enter a topic name' })
  .trim()
  .min(1, 'Enter a topic name')
  .max(TOPIC_NAME_MAX, `A topic name has at most ${TOPIC_NAME_MAX} characters`)
  .regex(NAME_CHARS, 'Use only letters, digits, %, |, - and _')
  .refine((t) => !RESERVED_TOPICS.has(t) && !t.startsWith('rmq_sys_'), 'This name is reserved for a system topic');

const queueNums = (label: string) =>
  z.coerce
    .number({ error: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .min(1, `${label} must be at least 1`)
    .max(QUEUE_NUMS_MAX, `${label} must be at most ${QUEUE_NUMS_MAX}`);

export const createTopicSchema = z
  .object({
    topic: topicNameSchema,
    clusters: z.array(z.string()).default([]),
    brokers: z.array(z.string()).default([]),
    readQueueNums: queueNums('Read queues'),
    writeQueueNums: queueNums('Write queues'),
    perm: z.coerce.number().refine((p) => p === 2 || p === 4 || p === 6, 'Permission must be 2 (write), 4 (read) or 6 (read + write)'),
    messageType: z.enum(['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION']).default('NORMAL'),
  })
  .refine((v) => v.clusters.length + v.brokers.length > 0, { message: 'Choose at least one cluster or broker', path: ['clusters'] });

export type CreateTopicInput = z.infer<typeof createTopicSchema>;

export type TopicKind = 'NORMAL' | 'RETRY' | 'DLQ' | 'SYSTEM';

export function topicKind(topic: string, systemNames: Set<string>): TopicKind {
  if (topic.startsWith('%RETRY%')) return 'RETRY';
  if (topic.startsWith('%DLQ%')) return 'DLQ';
  if (RESERVED_TOPICS.has(topic) || topic.startsWith('rmq_sys_') || topic.startsWith('RMQ_SYS_') || systemNames.has(topic)) return 'SYSTEM';
  if (topic.endsWith('_REPLY_TOPIC') && systemNames.has(topic.slice(0, -'_REPLY_TOPIC'.length))) return 'SYSTEM';
  return 'NORMAL';
}
