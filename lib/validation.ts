/**
 * Input rules shared by the console's forms (shown beside the field) and its API routes (400 with the same
 * message per field). Names follow RocketMQ's TopicValidator.
 */
import { z } from 'zod';

export const TOPIC_NAME_MAX = 127;
export const NAME_CHARS = /^[%|a-zA-Z0-9_-]+$/;
export const QUEUE_NUMS_MAX = 1024;

import { parseNamesrvList } from '@broker/client/namesrv-list';
import { HISTORY_SPARKLINE_NAMES_MAX } from '@broker/config/limits';
export { isHostPort, parseNamesrvList } from '@broker/client/namesrv-list';

const NUMERIC_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * A number field: numbers arrive from JSON as numbers and from form fields and query strings as text. Nothing
 * else is one (z.coerce would read true as 1, [4] as 4, null and "" as 0).
 */
export function numeric<T extends z.ZodType>(inner: T) {
  return z.preprocess((value) => (typeof value === 'string' && NUMERIC_TEXT.test(value) ? Number(value) : value), inner);
}

/**
 * Strips spaces, tabs and line breaks around a name, and nothing else: String.trim would also strip a BOM or
 * other invisible characters and quietly turn "\ufeffname" into a different, valid name.
 */
const trimSpaces = (value: unknown) => (typeof value === 'string' ? value.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '') : value);

const RESERVED_TOPICS = new Set(['TBW102', 'BenchmarkTest', 'SCHEDULE_TOPIC_XXXX', 'RMQ_SYS_TRANS_HALF_TOPIC', 'RMQ_SYS_TRANS_OP_HALF_TOPIC', 'RMQ_SYS_TRACE_TOPIC', 'OFFSET_MOVED_EVENT', 'SELF_TEST_TOPIC']);

export const topicNameSchema = z.preprocess(
  trimSpaces,
  z
    .string({ error: 'Enter a topic name' })
    .min(1, 'Enter a topic name')
    .max(TOPIC_NAME_MAX, `A topic name has at most ${TOPIC_NAME_MAX} characters`)
    .regex(NAME_CHARS, 'Use only letters, digits, %, |, - and _')
    .refine((t) => !RESERVED_TOPICS.has(t) && !t.startsWith('rmq_sys_'), 'This name is reserved for a system topic'),
);

const queueNums = (label: string) =>
  numeric(
    z
      .number({ error: `${label} must be a number` })
      .int(`${label} must be a whole number`)
      .min(1, `${label} must be at least 1`)
      .max(QUEUE_NUMS_MAX, `${label} must be at most ${QUEUE_NUMS_MAX}`),
  );

export const createTopicSchema = z
  .object({
    topic: topicNameSchema,
    clusters: z.array(z.string()).default([]),
    brokers: z.array(z.string()).default([]),
    readQueueNums: queueNums('Read queues'),
    writeQueueNums: queueNums('Write queues'),
    perm: numeric(z.number({ error: 'Permission must be 2 (write), 4 (read) or 6 (read + write)' }).refine((p) => p === 2 || p === 4 || p === 6, 'Permission must be 2 (write), 4 (read) or 6 (read + write)')),
    messageType: z.enum(['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION']).default('NORMAL'),
  })
  .refine((v) => v.clusters.length + v.brokers.length > 0, { message: 'Choose at least one cluster or broker', path: ['clusters'] });

export type CreateTopicInput = z.infer<typeof createTopicSchema>;

export type TopicKind = 'NORMAL' | 'RETRY' | 'DLQ' | 'SYSTEM';

/** A topic's message type: RocketMQ 5.x's message.type attribute, else FIFO for 4.x ordered topics, else NORMAL. */
export function topicMessageType(config: { order?: boolean; attributes?: Record<string, string> }): string {
  return config.attributes?.['message.type'] ?? config.attributes?.['+message.type'] ?? (config.order ? 'FIFO' : 'NORMAL');
}

export function topicKind(topic: string, systemNames: Set<string>): TopicKind {
  if (topic.startsWith('%RETRY%')) return 'RETRY';
  if (topic.startsWith('%DLQ%')) return 'DLQ';
  if (RESERVED_TOPICS.has(topic) || topic.startsWith('rmq_sys_') || topic.startsWith('RMQ_SYS_') || systemNames.has(topic)) return 'SYSTEM';
  if (topic.endsWith('_REPLY_TOPIC') && systemNames.has(topic.slice(0, -'_REPLY_TOPIC'.length))) return 'SYSTEM';
  return 'NORMAL';
}

export const GROUP_NAME_MAX = 255;

export const groupNameSchema = z.preprocess(
  trimSpaces,
  z
    .string({ error: 'Enter a group name' })
    .min(1, 'Enter a group name')
    .max(GROUP_NAME_MAX, `A group name has at most ${GROUP_NAME_MAX} characters`)
    .regex(NAME_CHARS, 'Use only letters, digits, %, |, - and _'),
);

/** Any existing topic, including retry/DLQ/system ones (for reading, never for creating). */
export const existingTopicSchema = z.preprocess(
  trimSpaces,
  z
    .string({ error: 'Enter a topic' })
    .min(1, 'Enter a topic')
    .max(255, 'A topic name has at most 255 characters')
    .regex(NAME_CHARS, 'Use only letters, digits, %, |, - and _'),
);

export const MESSAGE_BODY_MAX = 4 * 1024 * 1024;
/** Properties the client or broker sets; a user property with one of these names would change delivery. */
const SYSTEM_PROPERTIES = new Set(['KEYS', 'TAGS', 'WAIT', 'DELAY', 'RETRY_TOPIC', 'REAL_TOPIC', 'REAL_QID', 'TRAN_MSG', 'PGROUP', 'MIN_OFFSET', 'MAX_OFFSET', 'BUYER_ID', 'ORIGIN_MESSAGE_ID', 'TRANSFER_FLAG', 'CORRECTION_FLAG', 'MQ2_FLAG', 'RECONSUME_TIME', 'MSG_REGION', 'TRACE_ON', 'UNIQ_KEY', 'MAX_RECONSUME_TIMES', 'CONSUME_START_TIME', 'TRAN_PREPARED_QUEUE_OFFSET', 'TRANSACTION_CHECK_TIMES', 'CHECK_IMMUNITY_TIME_IN_SECONDS', 'INSTANCE_ID', 'CORRELATION_ID', 'REPLY_TO_CLIENT', 'TTL', 'ARRIVE_TIME', 'PUSH_REPLY_TIME', 'CLUSTER', 'MSG_TYPE', '__STARTDELIVERTIME', 'SHARDING_KEY']);

export const sendMessageSchema = z.object({
  tags: z
    .string()
    .trim()
    .max(128, 'A tag has at most 128 characters')
    .refine((t) => !/[|\s]/.test(t), 'One tag, without spaces or |')
    .optional()
    .default(''),
  keys: z
    .string()
    .trim()
    .max(512, 'Keys have at most 512 characters in all')
    .optional()
    .default(''),
  body: z
    .string({ error: 'Enter a message body' })
    .min(1, 'Enter a message body')
    .refine((b) => Buffer.byteLength(b, 'utf8') <= MESSAGE_BODY_MAX, 'A message body has at most 4 MiB'),
  properties: z
    .array(
      z.object({
        key: z.string().trim().min(1, 'Give the property a name').max(64, 'A property name has at most 64 characters').regex(/^[A-Za-z0-9_.-]+$/, 'Use letters, digits, ., - and _').refine((k) => !SYSTEM_PROPERTIES.has(k), 'This name is a system property'),
        value: z.string().max(1024, 'A property value has at most 1024 characters'),
      }),
    )
    .max(32, 'At most 32 properties')
    .optional()
    .default([]),
  delayLevel: numeric(z.number({ error: 'The delay level is 0 (none) to 18' }).int('The delay level is a whole number').min(0, 'The delay level is 0 (none) to 18').max(18, 'The delay level is 0 (none) to 18')).optional().default(0),
});

const timestampMs = (label: string) =>
  numeric(
    z
      .number({ error: `${label} must be a time` })
      .int(`${label} must be a time`)
      .min(0, `${label} must be after 1970`)
      .max(8_640_000_000_000, `${label} is too far in the future`),
  );

export const resetOffsetSchema = z.object({
  groups: z.array(groupNameSchema).min(1, 'Choose at least one consumer group').max(100, 'At most 100 groups at once'),
  timestamp: timestampMs('The time'),
  force: z.boolean().optional().default(true),
});

export const skipAccumulateSchema = z.object({
  groups: z.array(groupNameSchema).min(1, 'Choose at least one consumer group').max(100, 'At most 100 groups at once'),
});

export const subscriptionGroupSchema = z
  .object({
    groupName: groupNameSchema,
    clusters: z.array(z.string()).default([]),
    brokers: z.array(z.string()).default([]),
    consumeEnable: z.boolean().default(true),
    consumeBroadcastEnable: z.boolean().default(true),
    consumeFromMinEnable: z.boolean().default(true),
    consumeMessageOrderly: z.boolean().default(false),
    retryQueueNums: numeric(z.number({ error: 'Retry queues must be a number' }).int('Retry queues must be a whole number').min(0, 'Retry queues must be 0 or more').max(64, 'Retry queues must be at most 64')).default(1),
    retryMaxTimes: numeric(z.number({ error: 'Max retries must be a number' }).int('Max retries must be a whole number').min(-1, 'Max retries must be -1 or more').max(1000, 'Max retries must be at most 1000')).default(16),
    brokerId: numeric(z.number({ error: 'Broker id must be a number' }).int('Broker id must be a whole number').min(0, 'Broker id must be 0 or more').max(1024, 'Broker id must be at most 1024')).default(0),
    whichBrokerWhenConsumeSlowly: numeric(z.number({ error: 'Slave broker id must be a number' }).int('Slave broker id must be a whole number').min(0, 'Slave broker id must be 0 or more').max(1024, 'Slave broker id must be at most 1024')).default(1),
  })
  .refine((v) => v.clusters.length + v.brokers.length > 0, { message: 'Choose at least one cluster or broker', path: ['clusters'] });

export const messageIdSchema = z
  .string({ error: 'Enter a message id' })
  .trim()
  .min(1, 'Enter a message id')
  .regex(/^[0-9A-Fa-f]{32}$|^[0-9A-Fa-f]{56}$/, 'A message id is 32 hexadecimal characters (56 for IPv6 hosts)');

export const PAGE_SIZE_MAX = 100;

export const messageQuerySchema = z
  .object({
    topic: existingTopicSchema,
    begin: timestampMs('The start'),
    end: timestampMs('The end'),
    page: numeric(z.number({ error: 'The page must be a number' }).int('The page must be a whole number').min(1, 'Pages start at 1').max(100_000, 'That page is too far')).default(1),
    pageSize: numeric(z.number({ error: 'The page size must be a number' }).int('The page size must be a whole number').min(1, 'The page size is 1 to 100').max(PAGE_SIZE_MAX, 'The page size is 1 to 100')).default(20),
  })
  .refine((v) => v.begin < v.end, { message: 'The start must be before the end', path: ['end'] });

export const messageKeyQuerySchema = z.object({
  topic: existingTopicSchema,
  key: z.string({ error: 'Enter a key' }).trim().min(1, 'Enter a key').max(128, 'A key has at most 128 characters').refine((k) => !/\s/.test(k), 'One key, without spaces'),
});

export const namesrvSchema = z.object({
  namesrvAddr: z
    .string({ error: 'Enter a NameServer address' })
    .trim()
    .min(1, 'Enter a NameServer address')
    .max(1024, 'The list is too long')
    .refine((text) => parseNamesrvList(text).ok, { error: (issue) => { const r = parseNamesrvList(String(issue.input)); return r.ok ? 'ok' : r.error; } }),
});

// Query and body schemas of routes, here so the OpenAPI document (lib/server/openapi) is generated from them.

/** GET /api/consumers query: filter, system groups, sort, paging, and fresh=1 to rebuild the cached list. */
export const consumerListQuerySchema = z.object({
  q: z.string().max(255, 'The filter has at most 255 characters').default(''),
  system: z.enum(['0', '1'], { error: 'system is 0 or 1' }).default('0'),
  sort: z.enum(['group', 'lag', 'tps', 'clients'], { error: 'sort is group, lag, tps or clients' }).default('group'),
  dir: z.enum(['asc', 'desc'], { error: 'dir is asc or desc' }).default('asc'),
  page: z.coerce.number({ error: 'page must be a number' }).int('page must be a whole number').min(1, 'Pages start at 1').default(1),
  pageSize: z.coerce.number({ error: 'pageSize must be a number' }).int('pageSize must be a whole number').min(1, 'pageSize is 1 to 500').max(500, 'pageSize is 1 to 500').default(50),
  fresh: z.enum(['0', '1']).default('0'),
});

/** yyyy-mm-dd naming a real calendar day (2026-02-30 is not one). */
const isCalendarDay = (day: string) => {
  const t = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().startsWith(day);
};
export const dashboardQuerySchema = z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'The day is yyyy-mm-dd').refine(isCalendarDay, 'That day does not exist').optional() });

/** POST /api/ops body. */
export const opsActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('switch'), ...namesrvSchema.shape }),
  z.object({ action: z.literal('add'), ...namesrvSchema.shape }),
  z.object({ action: z.literal('remove'), ...namesrvSchema.shape }),
  z.object({ action: z.literal('reset') }),
], { error: 'action must be switch, add, remove or reset' });

/** POST /api/ops/session: this session onto a saved cluster connection, or back to the default. */
export const opsSessionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('use'), ...namesrvSchema.shape }),
  z.object({ action: z.literal('reset') }),
], { error: 'action must be use or reset' });

export const producerQuerySchema = z.object({ topic: existingTopicSchema, group: groupNameSchema });

export const resendMessageSchema = z.object({ topic: existingTopicSchema, group: groupNameSchema, clientId: z.string().max(255).optional() });

/** The ranges a history chart covers (their lengths: lib/server/history.ts RANGES). */
export const HISTORY_RANGES = ['1h', '6h', '24h', '7d'] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];
const historyRange = z.enum(HISTORY_RANGES, { error: 'range is 1h, 6h, 24h or 7d' }).default('1h');

/** GET /api/history query: one group's or one topic's series over a range. */
export const historyQuerySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('group'), name: groupNameSchema, range: historyRange }),
  z.object({ kind: z.literal('topic'), name: existingTopicSchema, range: historyRange }),
], { error: 'kind is group or topic' });

/** POST /api/history/sparklines body: the names a list page shows (a body, since 200 names overflow a URL). */
export const sparklinesBodySchema = z.object({
  kind: z.enum(['group', 'topic'], { error: 'kind is group or topic' }),
  // Group names follow the same characters as topics (up to 255): one rule for both.
  names: z.array(existingTopicSchema).max(HISTORY_SPARKLINE_NAMES_MAX, `At most ${HISTORY_SPARKLINE_NAMES_MAX} names at once`),
  range: z.enum(['1h', '6h', '24h'], { error: 'range is 1h, 6h or 24h' }).default('1h'),
});

/** GET /api/config/export query. */
export const configExportQuerySchema = z.object({ format: z.enum(['yaml', 'json'], { error: 'format is yaml or json' }).default('yaml') });

const configImportFields = {
  document: z.string({ error: 'Paste or upload a JSON or YAML document' }).describe('The JSON or YAML document (as exported): { version: 1, topics: [...], groups: [...] }'),
  cluster: z.string().trim().max(255, 'A cluster name has at most 255 characters').optional().describe('The cluster whose masters get the entries that name no brokers'),
};

/** POST /api/config/import/dry-run body: plan only (the route cannot write). */
export const configDryRunSchema = z.object({
  ...configImportFields,
  action: z.literal('dry-run', { error: 'This route only plans: apply with POST /api/config/import' }).optional(),
});

/** POST /api/config/import body: apply the plan the dry run showed (its planHash). */
export const configApplySchema = z.object({
  ...configImportFields,
  action: z.literal('apply', { error: 'This route applies: a dry run is POST /api/config/import/dry-run' }).optional(),
  planHash: z.string({ error: 'Run the dry run first: apply sends the plan it showed' }).min(1, 'Run the dry run first: apply sends the plan it showed').max(64).describe("The dry run's planHash: apply refuses (status changed) when the plan is no longer the same"),
});

export * from './security-validation';
