/** GET /api/alerts: alert rules, the alerts pending or firing, the newest events (history), the collector's state. */
import { alertsOverview } from '@/lib/server/alerts/routes';
import { ok, parseQuery } from '@/lib/server/api';
import { alertEventsQuerySchema } from '@/lib/alerts-schema';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const query = parseQuery(request, alertEventsQuerySchema);
  if (!query.ok) return query.response;
  return ok(alertsOverview(query.value.limit));
}
