/**
 * GET /api/history?kind=group|topic&name=&range=1h|6h|24h|7d: the collector's series of one group (lag, consume
 * TPS, produce TPS into its queues, with the time-to-drain estimate) or topic (in / out TPS) over the range,
 * averaged into at most HISTORY_CHART_POINTS_MAX points.
 */
import { consoleNamesrvAddr, sessionNamesrvAddr } from '@/lib/server/admin';
import { ok, parseQuery } from '@/lib/server/api';
import { defaultCollector, historyStore } from '@/lib/server/collector';
import { chart, drainEstimate } from '@/lib/server/history';
import { historyQuerySchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const parsed = parseQuery(request, historyQuerySchema);
  if (!parsed.ok) return parsed.response;
  const { kind, name, range } = parsed.value;
  const { raw, ...series } = chart(historyStore(), kind, name, range);
  const collector = defaultCollector();
  const sampled = consoleNamesrvAddr();
  return ok({
    ...series,
    ...(kind === 'group' ? { drain: drainEstimate(raw) } : {}),
    intervalMs: collector?.intervalMs ?? null,
    collecting: !!collector,
    collectorError: collector?.lastError ?? null,
    otherCluster: (await sessionNamesrvAddr()) !== sampled,
    sampledNamesrv: sampled,
  });
}
