/**
 * GET /api/config/export?format=yaml|json: the cluster's topics and subscription groups as a document to
 * download (normal topics and non-system groups, one entry per name and configuration with its brokers), and the
 * console's alert rules.
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, parseQuery } from '@/lib/server/api';
import { alertManager } from '@/lib/server/alerts/alert-manager';
import { exportConfig, formatDocument } from '@/lib/server/config-io';
import { configExportQuerySchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const parsed = parseQuery(request, configExportQuerySchema);
  if (!parsed.ok) return parsed.response;
  const format = parsed.value.format;
  return guarded(async () => {
    // The console's alert rules travel with the cluster's topics and groups.
    const document = { ...(await exportConfig(await sessionAdmin())), alertRules: alertManager().exportRules() };
    const stamp = document.exportedAt.slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
    return new Response(formatDocument(document, format), {
      headers: {
        'content-type': format === 'json' ? 'application/json; charset=utf-8' : 'application/yaml; charset=utf-8',
        'content-disposition': `attachment; filename="rocketdeck-config-${stamp}.${format === 'json' ? 'json' : 'yaml'}"`,
        'cache-control': 'no-store',
      },
    });
  });
}
