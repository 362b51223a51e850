/**
 * POST /api/topics/:topic/reset {groups, timestamp, force}: RESET CONSUMER OFFSET of each group to the time.
 * POST /api/topics/:topic/reset?skip=1 {groups}: SKIP ACCUMULATE (every queue to its max offset).
 * Online groups are reset by their broker, which tells the clients; offline groups have their offsets committed
 * directly. Answers each group's queues with the new offset, or the group's error.
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { invalidateGroupList } from '@/lib/server/consumers';
import { topicParam } from '@/lib/server/params';
import { resetOffsetSchema, skipAccumulateSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, context: { params: Promise<{ topic: string }> }) {
  const topic = await topicParam(context);
  if (!topic) return invalid({ topic: 'Not a valid topic name' });
  const skip = new URL(request.url).searchParams.get('skip') === '1';
  const body = skip ? await parseBody(request, skipAccumulateSchema) : await parseBody(request, resetOffsetSchema);
  if (!body.ok) return body.response;
  const input = body.value as { groups: string[]; timestamp?: number; force?: boolean };
  return guarded(async () => {
    const admin = await sessionAdmin();
    if (!(await admin.getTopicRoute(topic))) return invalid({ topic: `Topic "${topic}" does not exist` });
    const results = [];
    for (const group of input.groups) {
      try {
        const entries = skip ? await admin.skipAccumulatedMessages(topic, group) : await admin.resetOffsetByTimestamp(topic, group, input.timestamp!, input.force ?? true);
        results.push({ group, ok: true, queues: entries.map((e) => ({ brokerName: e.queue.brokerName, queueId: e.queue.queueId, offset: e.offset })) });
      } catch (err) {
        results.push({ group, ok: false, error: err instanceof Error ? err.message : String(err) });
      }
    }
    invalidateGroupList();
    return ok({ topic, results });
  });
}
