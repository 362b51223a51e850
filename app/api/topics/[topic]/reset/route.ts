/**
 * POST /api/topics/:topic/reset {groups, timestamp, force}: RESET CONSUMER OFFSET of each group to the time.
 * POST /api/topics/:topic/reset?skip=1 {groups}: SKIP ACCUMULATE (every queue to its max offset).
 * Online groups are reset by their broker, which tells the clients; offline groups have their offsets committed
 * directly. Answers each group's queues with the new offset, or the group's error.
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { groupQueues, invalidateGroupList } from '@/lib/server/consumers';
import { topicParam } from '@/lib/server/params';
import { resetOffsetSchema, skipAccumulateSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, context: { params: Promise<{ topic: string }> }) {
  const topic = await topicParam(context);
  if (!topic) return invalid({ topic: 'Not a valid topic name' });
  const skip = new URL(request.url).searchParams.get('skip') === '1';
  auditDetail(request, { action: skip ? 'offset.skip' : 'offset.reset', target: topic });
  const body = skip ? await parseBody(request, skipAccumulateSchema) : await parseBody(request, resetOffsetSchema);
  if (!body.ok) return body.response;
  const input = body.value as { groups: string[]; timestamp?: number; force?: boolean };
  return guarded(async () => {
    const admin = await sessionAdmin();
    if (!(await admin.getTopicRoute(topic))) return invalid({ topic: `Topic "${topic}" does not exist` });
    const results = [];
    // Offsets per group and queue before and after, for the audit log.
    const offsets = async () => {
      const out: Record<string, Record<string, number>> = {};
      for (const group of input.groups) {
        const queues = await groupQueues(admin, group, topic).then((g) => g.queues).catch(() => []);
        out[group] = Object.fromEntries(queues.map((q) => [`${q.brokerName}:${q.queueId}`, q.consumerOffset]));
      }
      return out;
    };
    auditDetail(request, { target: `${topic} (${input.groups.join(', ')})`, before: await offsets(), detail: skip ? { skip: true } : { timestamp: input.timestamp, force: input.force ?? true } });
    for (const group of input.groups) {
      try {
        const entries = skip ? await admin.skipAccumulatedMessages(topic, group) : await admin.resetOffsetByTimestamp(topic, group, input.timestamp!, input.force ?? true);
        results.push({ group, ok: true, queues: entries.map((e) => ({ brokerName: e.queue.brokerName, queueId: e.queue.queueId, offset: e.offset })) });
      } catch (err) {
        results.push({ group, ok: false, error: err instanceof Error ? err.message : String(err) });
      }
    }
    invalidateGroupList();
    auditDetail(request, { after: Object.fromEntries(results.map((r) => [r.group, r.ok ? Object.fromEntries((r.queues ?? []).map((q) => [`${q.brokerName}:${q.queueId}`, q.offset])) : { error: r.error }])) });
    return ok({ topic, results });
  });
}
