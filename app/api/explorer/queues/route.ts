/** GET /api/explorer/queues?topic=: the topic's readable queues with their min and max offsets (the explorer's queue picker). */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseQuery } from '@/lib/server/api';
import { explorerQueuesQuerySchema, queueRefText } from '@/lib/explorer/schema';
import { topicQueues } from '@/lib/server/explorer/scanner';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const parsed = parseQuery(request, explorerQueuesQuerySchema);
  if (!parsed.ok) return parsed.response;
  const { topic } = parsed.value;
  return guarded(async () => {
    const queues = await topicQueues(await sessionAdmin(), topic);
    if (!queues) return invalid({ topic: `Topic "${topic}" does not exist` });
    return ok({ topic, queues: queues.map((q) => ({ queue: queueRefText(q), brokerName: q.brokerName, queueId: q.queueId, minOffset: q.minOffset, maxOffset: q.maxOffset })) });
  });
}
