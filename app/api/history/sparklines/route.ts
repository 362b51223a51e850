/**
 * POST /api/history/sparklines {kind: group|topic, names: [...], range?: 1h|6h|24h}: one small line per name —
 * a group's lag or a topic's in TPS — for the rows a list page shows, from one read of the history store.
 */
import { z } from 'zod';
import { HISTORY_SPARKLINE_NAMES_MAX } from '@broker/config/limits';
import { ok, parseBody } from '@/lib/server/api';
import { historyStore } from '@/lib/server/collector';
import { sparklines } from '@/lib/server/history';
import { existingTopicSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

/** Points per sparkline. */
const SPARKLINE_POINTS = 30;

const body = z.object({
  kind: z.enum(['group', 'topic'], { error: 'kind is group or topic' }),
  // Group names follow the same characters as topics (up to 255): one rule for both.
  names: z.array(existingTopicSchema).max(HISTORY_SPARKLINE_NAMES_MAX, `At most ${HISTORY_SPARKLINE_NAMES_MAX} names at once`),
  range: z.enum(['1h', '6h', '24h'], { error: 'range is 1h, 6h or 24h' }).default('1h'),
});

export async function POST(request: Request) {
  const parsed = await parseBody(request, body);
  if (!parsed.ok) return parsed.response;
  const { kind, names, range } = parsed.value;
  return ok({ kind, range, points: SPARKLINE_POINTS, lines: sparklines(historyStore(), kind, names, range, SPARKLINE_POINTS) });
}
