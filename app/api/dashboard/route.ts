/**
 * GET /api/dashboard?day=yyyy-mm-dd: the collector's samples of that day (default today): broker TPS lines,
 * the ten busiest topics and their TPS lines. Broker TOP 10 comes from /api/cluster (today's counters).
 */
import { z } from 'zod';
import { ok, parseQuery } from '@/lib/server/api';
import { consoleNamesrvAddr, sessionNamesrvAddr } from '@/lib/server/admin';
import { defaultCollector, historyStore } from '@/lib/server/collector';
import { dayOf, daySummary } from '@/lib/server/metrics';

export const dynamic = 'force-dynamic';

/** yyyy-mm-dd naming a real calendar day (2026-02-30 is not one). */
const isCalendarDay = (day: string) => { const t = Date.parse(`${day}T00:00:00Z`); return Number.isFinite(t) && new Date(t).toISOString().startsWith(day); };
const query = z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'The day is yyyy-mm-dd').refine(isCalendarDay, 'That day does not exist').optional() });

export async function GET(request: Request) {
  const parsed = parseQuery(request, query);
  if (!parsed.ok) return parsed.response;
  const day = parsed.value.day ?? dayOf(Date.now());
  const collector = defaultCollector();
  const sampled = consoleNamesrvAddr();
  return ok({ ...daySummary(historyStore(), day), collecting: !!collector, collectorError: collector?.lastError ?? null, sampledNamesrv: sampled, otherCluster: (await sessionNamesrvAddr()) !== sampled });
}
