/**
 * GET /api/consumers?q=&system=0|1&sort=group|lag|tps|clients&dir=asc|desc&page=&pageSize=&fresh=1: consumer
 * groups with clients, version, type, mode, TPS and lag, filtered, sorted and paged on the server over a list
 * cached for 10 s. POST /api/consumers: create or update a subscription group on clusters / brokers.
 */
import { z } from 'zod';
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody, parseQuery } from '@/lib/server/api';
import { groupList, invalidateGroupList, type GroupSummary } from '@/lib/server/consumers';
import { resolveTargets } from '@/lib/server/targets';
import { subscriptionGroupSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

const listQuery = z.object({
  q: z.string().max(255, 'The filter has at most 255 characters').default(''),
  system: z.enum(['0', '1'], { error: 'system is 0 or 1' }).default('0'),
  sort: z.enum(['group', 'lag', 'tps', 'clients'], { error: 'sort is group, lag, tps or clients' }).default('group'),
  dir: z.enum(['asc', 'desc'], { error: 'dir is asc or desc' }).default('asc'),
  page: z.coerce.number({ error: 'page must be a number' }).int('page must be a whole number').min(1, 'Pages start at 1').default(1),
  pageSize: z.coerce.number({ error: 'pageSize must be a number' }).int('pageSize must be a whole number').min(1, 'pageSize is 1 to 500').max(500, 'pageSize is 1 to 500').default(50),
  fresh: z.enum(['0', '1']).default('0'),
});

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
    for (const addr of resolved.targets.values()) await admin.createOrUpdateSubscriptionGroup(addr, config);
    invalidateGroupList();
    return ok({ group: config.groupName, brokers: [...resolved.targets.keys()].sort() }, { status: 201 });
  });
}
