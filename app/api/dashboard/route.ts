/**
 * GET /api/dashboard?day=yyyy-mm-dd: the collector's samples of that day (default today): broker TPS lines,
 * the ten busiest topics and their TPS lines. Broker TOP 10 comes from /api/cluster (today's counters).
 */
import { ok, parseQuery } from '@/lib/server/api';
import { dashboardQuerySchema as query } from '@/lib/validation';
import { consoleNamesrvAddr, sessionNamesrvAddr } from '@/lib/server/admin';
import { defaultCollector, historyStore } from '@/lib/server/collector';
import { dayOf, daySummary } from '@/lib/server/metrics';

export const dynamic = 'force-dynamic';


export async function GET(request: Request) {
  const parsed = parseQuery(request, query);
  if (!parsed.ok) return parsed.response;
  const day = parsed.value.day ?? dayOf(Date.now());
  const collector = defaultCollector();
  const sampled = consoleNamesrvAddr();
  return ok({ ...daySummary(historyStore(), day), collecting: !!collector, collectorError: collector?.lastError ?? null, sampledNamesrv: sampled, otherCluster: (await sessionNamesrvAddr()) !== sampled });
}
