/**
 * GET /api/audit?user=&action=&target=&result=ok|error|<code>&from=&to=&page=&pageSize=: audit entries newest
 * first, filtered and paged on the server (from/to in ms since the epoch, to exclusive).
 */
import { ok, parseQuery } from '@/lib/server/api';
import { queryAudit, retentionDays } from '@/lib/server/audit/audit-log';
import { auditQuerySchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const query = parseQuery(request, auditQuerySchema);
  if (!query.ok) return query.response;
  return ok({ ...queryAudit(query.value), retentionDays: retentionDays() });
}
