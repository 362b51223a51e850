/**
 * GET /api/consumers?q=&system=0|1&sort=group|lag|tps|clients&dir=asc|desc&page=&pageSize=&fresh=1: consumer
 * groups with clients, version, type, mode, TPS and lag, filtered, sorted and paged on the server over a list
 * cached for 10 s. POST /api/consumers: create or update a subscription group on clusters / brokers.
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody, parseQuery } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { groupConfigs, groupList, invalidateGroupList, type GroupSummary } from '@/lib/server/consumers';
import { resolveTargets } from '@/lib/server/targets';
import { consumerListQuerySchema as listQuery, subscriptionGroupSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';


const sorters: Record<string, (a: GroupSummary, b: GroupSummary) => number> = {
  group: (a, b) => a.group.localeCompare(b.group),
  lag: (a, b) => a.lag - b.lag,
  tps: (a, b) => a.consumeTps - b.consumeTps,
  clients: (a, b) => a.clients - b.clients,
};

export async function GET(request: Request) {
  const query = parseQuery(request, listQuery);
  if (!query.ok) return query.response;
  const q = query.value;
  return guarded(async () => {
    const list = await groupList(await sessionAdmin(), { fresh: q.fresh === '1' });
    const needle = q.q.trim().toLowerCase();
    const matching = list.groups.filter((g) => (q.system === '1' || !g.system) && (!needle || g.group.toLowerCase().includes(needle)));
    const sorter = sorters[q.sort]!;
    matching.sort((a, b) => (q.dir === 'asc' ? sorter(a, b) : sorter(b, a)) || a.group.localeCompare(b.group));
    const pages = Math.max(1, Math.ceil(matching.length / q.pageSize));
    const page = Math.min(q.page, pages);
    return ok({
      groups: matching.slice((page - 1) * q.pageSize, page * q.pageSize),
      total: matching.length,
      all: list.groups.length,
      page,
      pages,
      builtAt: list.builtAt,
      buildMs: list.buildMs,
    });
  });
}

export async function POST(request: Request) {
  const body = await parseBody(request, subscriptionGroupSchema);
  if (!body.ok) return body.response;
  const { clusters, brokers, ...config } = body.value;
  return guarded(async () => {
    const admin = await sessionAdmin();
    const resolved = await resolveTargets(admin, clusters, brokers);
    if (!resolved.ok) return invalid(resolved.fields);
    const existing = new Map((await groupConfigs(admin, config.groupName)).map((c) => [c.brokerName, c.config]));
    const before = Object.fromEntries([...resolved.targets.keys()].map((b) => [b, existing.get(b) ?? null]));
    auditDetail(request, { action: existing.size > 0 ? 'group.update' : 'group.create', target: config.groupName, before });
    for (const addr of resolved.targets.values()) await admin.createOrUpdateSubscriptionGroup(addr, config);
    const now = new Map((await groupConfigs(admin, config.groupName)).map((c) => [c.brokerName, c.config]));
    auditDetail(request, { after: Object.fromEntries([...resolved.targets.keys()].map((b) => [b, now.get(b) ?? config])) });
    invalidateGroupList();
    return ok({ group: config.groupName, brokers: [...resolved.targets.keys()].sort() }, { status: 201 });
  });
}
