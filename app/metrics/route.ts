/**
 * GET /metrics: the console's Prometheus endpoint (lib/server/prometheus.ts). Sign-in rules as for every GET:
 * open on a loopback console with sign-in off, otherwise a session or `Authorization: Bearer <API token>` (a
 * read-only token is enough); without one, 401 (never a redirect to the sign-in page).
 */
import { consoleMetricsText, PROMETHEUS_CONTENT_TYPE } from '@/lib/server/prometheus';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    return new Response(await consoleMetricsText(), { headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' } });
  } catch (err) {
    process.stderr.write(`metrics scrape failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return Response.json({ error: { code: 'internal_server_error', message: 'The metrics could not be read; the console log says why' } }, { status: 500 });
  }
}
