/**
 * GET /api/topics/:topic?view=status|route: per-queue offsets on every broker, or the NameServer route.
 * DELETE /api/topics/:topic?confirm=<topic>: delete on every broker serving it and on the NameServers.
 */
import { getAdmin } from '@/lib/server/admin';
import { clusterError, invalid, ok } from '@/lib/server/api';
import { topicNameSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

function checkName(raw: string) {
  const name = decodeURIComponent(raw);
  // Retry and DLQ topics are readable here even though their names cannot be created by hand.
  return /^[%|a-zA-Z0-9_-]{1,255}$/.test(name) ? name : null;
}

export async function GET(request: Request, context: { params: Promise<{ topic: string }> }) {
  const topic = checkName((await context.params).topic);
  if (!topic) return invalid({ topic: 'Not a valid topic name' });
  const view = new URL(request.url).searchParams.get('view') ?? 'status';
  const admin = getAdmin();
  try {
    const route = await admin.getTopicRoute(topic);
    if (!route) return ok({ topic, exists: false, route: null, queues: [] }, { status: 404 });
    if (view === 'route') return ok({ topic, exists: true, route });
    const queues = [];
    for (const broker of route.brokerDatas) {
      const addr = broker.brokerAddrs['0'];
      if (!addr) continue;
      const stats = await admin.getTopicStats(addr, topic);
      for (const { queue, offset } of stats.offsetTable) queues.push({ brokerName: queue.brokerName, queueId: queue.queueId, ...offset });
    }
    return ok({ topic, exists: true, route, queues });
  } catch (err) {
    return clusterError(err);
  }
}

export async function DELETE(request: Request, context: { params: Promise<{ topic: string }> }) {
  const topic = checkName((await context.params).topic);
  if (!topic) return invalid({ topic: 'Not a valid topic name' });
  const confirm = new URL(request.url).searchParams.get('confirm');
  if (confirm !== topic) return invalid({ confirm: `Type the topic name (${topic}) to confirm` });
  if (!topicNameSchema.safeParse(topic).success && !topic.startsWith('%')) return invalid({ topic: 'System topics cannot be deleted here' });
  const admin = getAdmin();
  try {
    const route = await admin.getTopicRoute(topic);
    if (!route) return invalid({ topic: `Topic "${topic}" does not exist` });
    for (const broker of route.brokerDatas) {
      const addr = broker.brokerAddrs['0'];
      if (addr) await admin.deleteTopicInBroker(addr, topic);
    }
    await admin.deleteTopicInNamesrv(topic);
    return ok({ topic, deleted: true });
  } catch (err) {
    return clusterError(err);
  }
}
