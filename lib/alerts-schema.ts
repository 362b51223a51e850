/**
 * Alert rules as the form, the API, the rules file and the config document write them (one schema for all).
 *
 *   kind            subject (target)               threshold means                      fires when
 *   lag             a consumer group, or *          messages                             lag > threshold for `forMinutes`
 *   drain_time      a consumer group, or *          minutes                              time to drain > threshold (or the lag does not drain)
 *   online_clients  a consumer group                clients                              online clients < threshold
 *   dlq_growth      a consumer group, or *          messages                             %DLQ%<group> gained > threshold since the last sample
 *   broker_offline  a broker name, or *             (none)                               a broker seen before does not answer
 *   disk_ratio      a broker name, or *             percent                              the store's disk is fuller than threshold %
 *   tps_drop        a topic, or * (all brokers)     percent                              in-TPS fell by more than threshold % below its
 *                                                                                        average over the previous samples
 * Each condition must hold `forMinutes` (0: at the first sample) before the alert fires.
 */
import { z } from 'zod';

export const ALERT_KINDS = ['lag', 'drain_time', 'online_clients', 'dlq_growth', 'broker_offline', 'disk_ratio', 'tps_drop'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const WEBHOOK_FORMATS = ['json', 'slack', 'dingtalk'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** Which subject each kind watches, and what its threshold counts (for labels and checks). */
export const ALERT_KIND_INFO: Record<AlertKind, { subject: 'group' | 'broker' | 'topic'; unit: string; wildcard: boolean; threshold: boolean }> = {
  lag: { subject: 'group', unit: 'messages', wildcard: true, threshold: true },
  drain_time: { subject: 'group', unit: 'minutes', wildcard: true, threshold: true },
  online_clients: { subject: 'group', unit: 'clients', wildcard: false, threshold: true },
  dlq_growth: { subject: 'group', unit: 'messages', wildcard: true, threshold: true },
  broker_offline: { subject: 'broker', unit: '', wildcard: true, threshold: false },
  disk_ratio: { subject: 'broker', unit: '%', wildcard: true, threshold: true },
  tps_drop: { subject: 'topic', unit: '%', wildcard: true, threshold: true },
};

const NAME_CHARS = /^[%|a-zA-Z0-9_.*-]+$/;

const number = (label: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : Number(v)) : v),
    z.number({ error: `Enter ${label}` }).refine(Number.isFinite, `Enter ${label} as a number`),
  );

export const alertRuleInputSchema = z
  .object({
    name: z.string({ error: 'Enter a name' }).trim().min(1, 'Enter a name').max(100, 'A name has at most 100 characters'),
    kind: z.enum(ALERT_KINDS, { error: `The condition is one of ${ALERT_KINDS.join(', ')}` }),
    target: z.string({ error: 'Enter what to watch' }).trim().min(1, 'Enter what to watch (a name, or *)').max(255, 'At most 255 characters').regex(NAME_CHARS, 'Use letters, digits, %, |, ., -, _ or * alone'),
    threshold: number('a threshold').pipe(z.number().min(0, 'The threshold cannot be negative').max(1e12, 'The threshold is too large')).optional(),
    forMinutes: number('minutes').pipe(z.number().int('Whole minutes').min(0, 'At least 0 minutes').max(1440, 'At most 1440 minutes (a day)')).default(0),
    webhookUrl: z
      .string()
      .trim()
      .max(2048, 'At most 2048 characters')
      .refine((url) => url === '' || /^https?:\/\/[^\s/]+/.test(url), 'A webhook is an http:// or https:// address')
      .optional()
      .default(''),
    webhookFormat: z.enum(WEBHOOK_FORMATS, { error: 'The format is json, slack or dingtalk' }).default('json'),
    enabled: z.boolean().default(true),
  })
  .superRefine((rule, ctx) => {
    const info = ALERT_KIND_INFO[rule.kind];
    if (rule.target === '*' && !info.wildcard) ctx.addIssue({ code: 'custom', path: ['target'], message: 'Name one consumer group for this condition' });
    if (rule.target !== '*' && rule.target.includes('*')) ctx.addIssue({ code: 'custom', path: ['target'], message: 'Use * alone for every one' });
    if (info.threshold && rule.threshold === undefined) ctx.addIssue({ code: 'custom', path: ['threshold'], message: `Enter a threshold (${info.unit})` });
    if ((rule.kind === 'disk_ratio' || rule.kind === 'tps_drop') && rule.threshold !== undefined && rule.threshold > 100) {
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'A percentage is at most 100' });
    }
    if (rule.kind === 'online_clients' && rule.threshold !== undefined && !Number.isInteger(rule.threshold)) ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'Clients are counted in whole numbers' });
  });

export type AlertRuleInput = z.infer<typeof alertRuleInputSchema>;

export interface AlertRule extends AlertRuleInput {
  id: string;
  createdAt: number;
  updatedAt: number;
  /** No deliveries until then (ms since the epoch); alerts are still tracked and shown. */
  silencedUntil?: number;
}

export const alertRuleIdSchema = z.string().regex(/^[0-9a-f]{12}$/, 'Not a rule id');
export const alertIdSchema = z.string().min(1).max(600);
export const silenceSchema = z.object({ minutes: number('minutes').pipe(z.number().int('Whole minutes').min(0, 'At least 0 (0 lifts the silence)').max(10_080, 'At most 10080 minutes (a week)')) });
export const alertEventsQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
