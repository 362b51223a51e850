/**
 * The requests of a previewed offset reset, shared by the routes and the dialog: one group on one topic, by
 * time, to exact offsets per queue, copied from another group, or to the end. The preview has its own route
 * (POST /api/consumers/:group/reset/preview, open to read-only users: it cannot write); the apply
 * (POST /api/consumers/:group/reset, admin only) carries the preview's per-queue before/after, which the server
 * checks again before writing.
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

const expectedQueues = z.array(z.object({ brokerName, queueId, before: queueOffset, after: queueOffset })).max(RESET_QUEUES_MAX, `At most ${RESET_QUEUES_MAX} queues`);

/** What to reset: the same fields for a preview and an apply. */
const resetFields = {
  topic: existingTopicSchema,
  mode: z.enum(resetModes, { error: 'Choose how to reset: time, offset, copy or end' }),
  timestamp: z.coerce.number({ error: 'Choose a time' }).int('Choose a time').min(0, 'The time must be after 1970').max(8_640_000_000_000, 'The time is too far in the future').optional(),
  offsets: z.array(z.object({ brokerName, queueId, offset: queueOffset })).max(RESET_QUEUES_MAX, `At most ${RESET_QUEUES_MAX} queues`).optional(),
  sourceGroup: groupNameSchema.optional(),
};

function checkReset(v: { action: 'preview' | 'apply'; mode: ResetMode; timestamp?: number; offsets?: { brokerName: string; queueId: number }[]; sourceGroup?: string; expected?: unknown }, ctx: z.RefinementCtx): void {
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
}

/**
 * POST /api/consumers/:group/reset/preview: a preview only (the route cannot apply, so read-only users may
 * call it). `action` may be left out; any value but "preview" is refused.
 */
export const offsetResetPreviewSchema = z
  .object({
    action: z.literal('preview', { error: 'This route only previews: apply with POST /api/consumers/:group/reset' }).default('preview'),
    ...resetFields,
  })
  .superRefine(checkReset);

/**
 * POST /api/consumers/:group/reset: apply, with the preview's per-queue before/after in `expected` (admin only).
 * `action` may be left out; any value but "apply" is refused.
 */
export const offsetResetApplySchema = z
  .object({
    action: z.literal('apply', { error: 'This route applies: a preview is POST /api/consumers/:group/reset/preview' }).default('apply'),
    ...resetFields,
    expected: expectedQueues.optional(),
    /** What apply does when the offsets moved since the preview: refuse (default), or apply anyway (a live group keeps consuming). */
    ifMoved: z.enum(['refuse', 'apply'], { error: 'ifMoved is refuse or apply' }).default('refuse'),
  })
  .superRefine(checkReset);

/** Either request, told apart by `action` (what lib/server/offset-reset.ts takes). */
export const offsetResetSchema = z.discriminatedUnion('action', [offsetResetPreviewSchema, offsetResetApplySchema], { error: 'action is preview or apply' });

export type OffsetResetInput = z.infer<typeof offsetResetSchema>;
/** One queue of the preview an apply sends back. */
export type ExpectedQueue = z.infer<typeof expectedQueues>[number];

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
