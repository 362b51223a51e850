/**
 * The request of a previewed offset reset (POST /api/consumers/:group/reset), shared by the route and the
 * dialog: one group on one topic, by time, to exact offsets per queue, copied from another group, or to the
 * end. `apply` carries the preview's per-queue before/after, which the server checks again before writing.
 */
import { z } from 'zod';
import { existingTopicSchema, groupNameSchema } from '@/lib/validation';

/** Queues one reset may name (RocketMQ allows 1024 per topic and broker; a few brokers). */
export const RESET_QUEUES_MAX = 4096;

const queueOffset = z.coerce.number({ error: 'Enter an offset' }).int('An offset is a whole number').min(0, 'An offset is 0 or more').max(Number.MAX_SAFE_INTEGER, 'That offset is too large');
const brokerName = z.string({ error: 'Name the broker' }).trim().min(1, 'Name the broker').max(255, 'A broker name has at most 255 characters');
const queueId = z.coerce.number({ error: 'A queue id is a number' }).int('A queue id is a whole number').min(0, 'A queue id is 0 or more').max(65_535, 'A queue id is at most 65535');

export const resetModes = ['time', 'offset', 'copy', 'end'] as const;
export type ResetMode = (typeof resetModes)[number];

export const offsetResetSchema = z
  .object({
    action: z.enum(['preview', 'apply'], { error: 'action is preview or apply' }),
    topic: existingTopicSchema,
    mode: z.enum(resetModes, { error: 'Choose how to reset: time, offset, copy or end' }),
    timestamp: z.coerce.number({ error: 'Choose a time' }).int('Choose a time').min(0, 'The time must be after 1970').max(8_640_000_000_000, 'The time is too far in the future').optional(),
    offsets: z.array(z.object({ brokerName, queueId, offset: queueOffset })).max(RESET_QUEUES_MAX, `At most ${RESET_QUEUES_MAX} queues`).optional(),
    sourceGroup: groupNameSchema.optional(),
    expected: z.array(z.object({ brokerName, queueId, before: queueOffset, after: queueOffset })).max(RESET_QUEUES_MAX, `At most ${RESET_QUEUES_MAX} queues`).optional(),
    /** What apply does when the offsets moved since the preview: refuse (default), or apply anyway (a live group keeps consuming). */
    ifMoved: z.enum(['refuse', 'apply'], { error: 'ifMoved is refuse or apply' }).default('refuse'),
  })
  .superRefine((v, ctx) => {
    if (v.mode === 'time' && v.timestamp === undefined) ctx.addIssue({ code: 'custom', path: ['timestamp'], message: 'Choose a time' });
    if (v.mode === 'offset' && v.action === 'apply' && !v.offsets?.length) ctx.addIssue({ code: 'custom', path: ['offsets'], message: 'Give at least one queue a new offset' });
    if (v.mode === 'copy' && !v.sourceGroup) ctx.addIssue({ code: 'custom', path: ['sourceGroup'], message: 'Choose the group to copy offsets from' });
    if (v.action === 'apply' && !v.expected) ctx.addIssue({ code: 'custom', path: ['expected'], message: 'Preview the reset first: apply sends the preview it was shown' });
    const seen = new Set<string>();
    v.offsets?.forEach((o, i) => {
      const key = `${o.brokerName}:${o.queueId}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['offsets', i, 'queueId'], message: `Queue ${key} is given twice` });
      seen.add(key);
    });
  });

export type OffsetResetInput = z.infer<typeof offsetResetSchema>;

export interface QueuePreview {
  brokerName: string;
  queueId: number;
  minOffset: number;
  /** The queue's max offset (next message to be stored). */
  brokerOffset: number;
  /** Committed offset now (0 when the group never committed on it). */
  before: number;
  after: number;
  lagBefore: number;
  lagAfter: number;
  /** copy: the source group had no offset on this queue, so it stays as it is. */
  sourceMissing?: boolean;
}

export interface ResetPreview {
  group: string;
  topic: string;
  mode: ResetMode;
  /** Clients of the group online now (the reset is pushed to them by their brokers). */
  clients: number;
  queues: QueuePreview[];
  lagBefore: number;
  lagAfter: number;
  at: number;
}

export interface MovedQueue {
  brokerName: string;
  queueId: number;
  expectedBefore: number | null;
  before: number | null;
  expectedAfter: number | null;
  after: number | null;
}

export type ResetAnswer =
  | { status: 'preview'; preview: ResetPreview }
  | { status: 'moved'; preview: ResetPreview; moved: MovedQueue[] }
  | { status: 'applied'; preview: ResetPreview; changed: number; pushedToClients: boolean; moved: MovedQueue[] };
