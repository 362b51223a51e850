/**
 * GET /api/topics/:topic?view=status|route|config|consumers: per-queue offsets on every broker, the NameServer
 * route, the topic config on each broker, or the groups consuming it with their lag per queue (CONSUMER MANAGE).
 * DELETE /api/topics/:topic?confirm=<topic>: delete on every broker serving it and on the NameServers.
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { groupQueues } from '@/lib/server/consumers';
import { topicParam } from '@/lib/server/params';
import { topicNameSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

const VIEWS = ['status', 'route', 'config', 'consumers'] as const;

export async function GET(request: Request, context: { params: Promise<{ topic: string }> }) {
  const topic = await topicParam(context);
  if (!topic) return invalid({ topic: 'Not a valid topic name' });
  const view = new URL(request.url).searchParams.get('view') ?? 'status';
  if (!VIEWS.includes(view as (typeof VIEWS)[number])) return invalid({ view: `view must be one of ${VIEWS.join(', ')}` });
  return guarded(async () => {
    const admin = await sessionAdmin();
    const route = await admin.getTopicRoute(topic);
    if (!route) return ok({ topic, exists: false, error: { code: 'topic_not_found', message: `Topic "${topic}" does not exist (no NameServer route)` } }, { status: 404 });
    const masters = route.brokerDatas.map((b) => ({ brokerName: b.brokerName, addr: b.brokerAddrs['0'] })).filter((b): b is { brokerName: string; addr: string } => !!b.addr);
    if (view === 'route') return ok({ topic, exists: true, route });
    if (view === 'config') {
      const configs = await Promise.all(masters.map(async (b) => ({ ...b, config: await admin.getTopicConfig(b.addr, topic) })));
      return ok({ topic, exists: true, configs });
    }
    if (view === 'consumers') {
      const groups = await admin.queryTopicConsumeByWho(topic);
      const rows = await Promise.all(groups.map(async (group) => ({ group, ...(await groupQueues(admin, group, topic)) })));
      return ok({ topic, exists: true, groups: rows });
    }
    const queues = [];
    for (const b of masters) {
      const stats = await admin.getTopicStats(b.addr, topic);
      for (const { queue, offset } of stats.offsetTable) queues.push({ brokerName: queue.brokerName, queueId: queue.queueId, ...offset });
    }
    return ok({ topic, exists: true, route, queues });
  });
}

export async function DELETE(request: Request, context: { params: Promise<{ topic: string }> }) {
  const topic = await topicParam(context);
  if (!topic) return invalid({ topic: 'Not a valid topic name' });
  auditDetail(request, { action: 'topic.delete', target: topic });
  const confirm = new URL(request.url).searchParams.get('confirm');
  if (confirm !== topic) return invalid({ confirm: `Type the topic name (${topic}) to confirm` });
  if (!topicNameSchema.safeParse(topic).success && !topic.startsWith('%')) return invalid({ topic: 'System topics cannot be deleted here' });
  return guarded(async () => {
    const admin = await sessionAdmin();
    const route = await admin.getTopicRoute(topic);
    if (!route) return invalid({ topic: `Topic "${topic}" does not exist` });
    const before: Record<string, unknown> = {};
    for (const broker of route.brokerDatas) if (broker.brokerAddrs['0']) before[broker.brokerName] = await admin.getTopicConfig(broker.brokerAddrs['0'], topic).catch(() => null);
    auditDetail(request, { before });
    for (const broker of route.brokerDatas) {
      const addr = broker.brokerAddrs['0'];
      if (addr) await admin.deleteTopicInBroker(addr, topic);
    }
    await admin.deleteTopicInNamesrv(topic);
    return ok({ topic, deleted: true });
  });
}
