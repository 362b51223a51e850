/**
 * POST /api/history/sparklines {kind: group|topic, names: [...], range?: 1h|6h|24h}: one small line per name —
 * a group's lag or a topic's in TPS — for the rows a list page shows, from one read of the history store.
 */
import { ok, parseBody } from '@/lib/server/api';
import { historyStore } from '@/lib/server/collector';
import { sparklines } from '@/lib/server/history';
import { sparklinesBodySchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

/** Points per sparkline. */
const SPARKLINE_POINTS = 30;

export async function POST(request: Request) {
  const parsed = await parseBody(request, sparklinesBodySchema);
  if (!parsed.ok) return parsed.response;
  const { kind, names, range } = parsed.value;
  return ok({ kind, range, points: SPARKLINE_POINTS, lines: sparklines(historyStore(), kind, names, range, SPARKLINE_POINTS) });
}
