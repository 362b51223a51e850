/**
 * POST /api/config/import/dry-run {document: JSON or YAML text, cluster?}: the plan of importing the document
 * (create / update field by field / unchanged / in the cluster but not in the document, never deleted) with
 * its planHash, or field errors named by their place in the document (`topics[3].readQueueNums`, line, column).
 * This route only reads, so read-only users may call it (lib/server/security/route-rules.ts); applying is
 * POST /api/config/import, admin only.
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { planText } from '@/lib/server/config-io';
import { configDryRunSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  const parsed = await parseBody(request, configDryRunSchema);
  if (!parsed.ok) return parsed.response;
  return guarded(async () => {
    const planned = await planText(await sessionAdmin(), parsed.value.document, parsed.value.cluster);
    if (!planned.ok) return invalid(planned.fields, planned.message);
    return ok({ status: 'plan', plan: planned.plan });
  });
}
