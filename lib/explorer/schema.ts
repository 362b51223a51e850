/**
 * Input rules of the message explorer and the live tail, shared by their forms (errors beside the field before
 * anything is sent) and their API routes (400 with the same message per field).
 */
import { z } from 'zod';
import {
  EXPLORER_FILTER_CHARS_MAX,
  EXPLORER_NEWEST_PER_QUEUE_MAX,
  EXPLORER_QUEUES_MAX,
  EXPLORER_RESULTS_MAX,
  EXPLORER_SCAN_MESSAGES_MAX,
  EXPLORER_SCAN_TIME_MS_MAX,
  TAIL_RATE_PER_SECOND_MAX,
} from '@broker/config/limits';
import { existingTopicSchema } from '@/lib/validation';
import { parseJsonFilter } from './json-filter';

/** "brokerName:queueId", the way the explorer names a queue in forms, links and cursors. */
export const QUEUE_REF = /^([A-Za-z0-9_.-]+):(\d{1,4})$/;

export interface QueueRef {
  brokerName: string;
  queueId: number;
}

export function parseQueueRef(text: string): QueueRef | null {
  const m = QUEUE_REF.exec(text.trim());
  return m ? { brokerName: m[1]!, queueId: Number(m[2]) } : null;
}

export const queueRefText = (q: QueueRef): string => `${q.brokerName}:${q.queueId}`;

/** A list from a form (array) or a query string ("a,b"). */
const listOf = (item: z.ZodType<string>, max: number, label: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
    z.array(item).max(max, `At most ${max} ${label}`).default([]),
  );

const flag = z.preprocess((v) => v === true || v === 'true' || v === '1' || v === 'on', z.boolean()).default(false);

const wholeNumber = (label: string, min: number, max: number) =>
  z.coerce.number({ error: `${label} must be a number` }).int(`${label} must be a whole number`).min(min, `${label} is ${min} to ${max.toLocaleString('en-US')}`).max(max, `${label} is ${min} to ${max.toLocaleString('en-US')}`);

const TAG_EXPRESSION = /^\s*[^\s|]+(\s*\|\|\s*[^\s|]+)*\s*$/;

/** The filters both the scan and the tail apply, every one optional; all given ones must hold. */
export const filterShape = {
  tag: z.string().trim().max(255, 'A tag expression has at most 255 characters').default('').refine((t) => t === '' || t === '*' || TAG_EXPRESSION.test(t), 'Tags without spaces, several joined by || (e.g. TagA || TagB)'),
  key: z.string().trim().max(128, 'A key has at most 128 characters').default('').refine((k) => !/\s/.test(k), 'One key, without spaces'),
  property: z
    .string()
    .trim()
    .max(EXPLORER_FILTER_CHARS_MAX, `A property filter has at most ${EXPLORER_FILTER_CHARS_MAX} characters`)
    .default('')
    .refine((p) => p === '' || /^[^=\s][^=]*=[\s\S]*$/.test(p) || /^[^=\s]+$/.test(p), 'Write name=value (or a name alone: the property is set)'),
  body: z.string().max(EXPLORER_FILTER_CHARS_MAX, `A body filter has at most ${EXPLORER_FILTER_CHARS_MAX} characters`).default(''),
  bodyMode: z.enum(['contains', 'regex'], { error: 'Choose contains or regex' }).default('contains'),
  ignoreCase: flag,
  json: z
    .string()
    .trim()
    .max(EXPLORER_FILTER_CHARS_MAX, `A JSON filter has at most ${EXPLORER_FILTER_CHARS_MAX} characters`)
    .default('')
    .superRefine((text, ctx) => {
      if (text === '') return;
      const parsed = parseJsonFilter(text);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
    }),
};

export type FilterInput = { tag: string; key: string; property: string; body: string; bodyMode: 'contains' | 'regex'; ignoreCase: boolean; json: string };

/** The flags a body regex runs with. */
export const regexFlags = (ignoreCase: boolean): string => (ignoreCase ? 'i' : '');

/** The engine's own complaint about a regex, or null when it compiles. */
export function regexError(source: string, ignoreCase: boolean): string | null {
  try {
    new RegExp(source, regexFlags(ignoreCase));
    return null;
  } catch (err) {
    return `Not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}

function checkRegex(v: { body: string; bodyMode: string; ignoreCase: boolean }, ctx: z.RefinementCtx): void {
  if (v.bodyMode !== 'regex' || v.body === '') return;
  const error = regexError(v.body, v.ignoreCase);
  if (error) ctx.addIssue({ code: 'custom', path: ['body'], message: error });
}

const queuesField = listOf(z.string().regex(QUEUE_REF, 'A queue is broker:queueId, e.g. broker-a:0'), EXPLORER_QUEUES_MAX, 'queues');

export const SCAN_DEFAULTS = { newest: 100, maxMessages: 50_000, maxResults: 100, maxSeconds: 15 } as const;

export const scanRequestSchema = z
  .object({
    topic: existingTopicSchema,
    queues: queuesField,
    seek: z.enum(['oldest', 'newest', 'time', 'offset'], { error: 'Choose where to start' }).default('newest'),
    seekTime: z.coerce.number({ error: 'Enter a time' }).int('Enter a time').min(0, 'Enter a time after 1970').max(8_640_000_000_000, 'That time is too far in the future').optional(),
    seekOffset: wholeNumber('The offset', 0, Number.MAX_SAFE_INTEGER).optional(),
    newest: wholeNumber('Newest', 1, EXPLORER_NEWEST_PER_QUEUE_MAX).default(SCAN_DEFAULTS.newest),
    ...filterShape,
    maxMessages: wholeNumber('Messages to scan', 1, EXPLORER_SCAN_MESSAGES_MAX).default(SCAN_DEFAULTS.maxMessages),
    maxResults: wholeNumber('Results', 1, EXPLORER_RESULTS_MAX).default(SCAN_DEFAULTS.maxResults),
    maxSeconds: wholeNumber('Seconds', 1, EXPLORER_SCAN_TIME_MS_MAX / 1000).default(SCAN_DEFAULTS.maxSeconds),
  })
  .superRefine((v, ctx) => {
    if (v.seek === 'time' && v.seekTime === undefined) ctx.addIssue({ code: 'custom', path: ['seekTime'], message: 'Enter the time to start from' });
    if (v.seek === 'offset' && v.seekOffset === undefined) ctx.addIssue({ code: 'custom', path: ['seekOffset'], message: 'Enter the offset to start from' });
    checkRegex(v, ctx);
  });

export type ScanRequest = z.output<typeof scanRequestSchema>;

/** "broker:queueId:offset" list: where a paused tail resumes. */
const cursorField = listOf(z.string().regex(/^[A-Za-z0-9_.-]+:\d{1,4}:\d{1,16}$/, 'A cursor is broker:queueId:offset'), EXPLORER_QUEUES_MAX, 'cursor entries');

export const TAIL_DEFAULT_RATE = 20;

export const tailRequestSchema = z
  .object({
    topic: existingTopicSchema,
    queues: queuesField,
    ...filterShape,
    rate: wholeNumber('The rate', 1, TAIL_RATE_PER_SECOND_MAX).default(TAIL_DEFAULT_RATE),
    cursor: cursorField,
  })
  .superRefine(checkRegex);

export type TailRequest = z.output<typeof tailRequestSchema>;

/** Reads one message by its position (the stable link). */
export const messageAtSchema = z.object({
  topic: existingTopicSchema,
  broker: z.string({ error: 'Enter a broker name' }).trim().min(1, 'Enter a broker name').max(255, 'A broker name has at most 255 characters').regex(/^[A-Za-z0-9_.-]+$/, 'Not a broker name'),
  queue: wholeNumber('The queue id', 0, 9_999),
  offset: wholeNumber('The offset', 0, Number.MAX_SAFE_INTEGER),
  msgId: z
    .string()
    .trim()
    .regex(/^$|^[0-9A-Fa-f]{32}$|^[0-9A-Fa-f]{56}$/, 'A message id is 32 hexadecimal characters (56 for IPv6 hosts)')
    .optional()
    .transform((v) => (v ? v.toUpperCase() : undefined)),
});

export type MessageAt = Omit<z.output<typeof messageAtSchema>, 'msgId'> & { msgId?: string };

/** GET /api/explorer/queues query. */
export const explorerQueuesQuerySchema = z.object({ topic: existingTopicSchema });

/** The :id of /api/explorer/scans/:id. */
export const scanIdSchema = z.string().uuid('Not a scan id');

/** GET /api/explorer/scans/:id query: results from the N-th on (what the poll has not seen yet). */
export const scanPollQuerySchema = z.object({
  after: z.coerce.number({ error: 'after must be a number' }).int('after must be a whole number').min(0, 'after must be 0 or more').default(0),
});
