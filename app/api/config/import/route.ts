/**
 * POST /api/config/import {action: "dry-run" | "apply", document: JSON or YAML text, cluster?, planHash?}:
 * the plan (create / update field by field / unchanged / in the cluster but not in the document, never
 * deleted), or field errors named by their place in the document (`topics[3].readQueueNums`, line, column).
 * "apply" needs the dry run's planHash and refuses with the new plan (status "changed") when it differs.
 */
import { z } from 'zod';
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { applyImport, parseConfig, planImport } from '@/lib/server/config-io';
import { invalidateGroupList } from '@/lib/server/consumers';

export const dynamic = 'force-dynamic';

const body = z.object({
  action: z.enum(['dry-run', 'apply'], { error: 'action is dry-run or apply' }),
  document: z.string({ error: 'Paste or upload a JSON or YAML document' }),
  cluster: z.string().trim().max(255, 'A cluster name has at most 255 characters').optional(),
  planHash: z.string().max(64).optional(),
}).refine((v) => v.action === 'dry-run' || !!v.planHash, { message: 'Run the dry run first: apply sends the plan it showed', path: ['planHash'] });

export async function POST(request: Request) {
  const parsed = await parseBody(request, body);
  if (!parsed.ok) return parsed.response;
  const input = parsed.value;
  const document = parseConfig(input.document);
  if (!document.ok) return invalid(document.fields, 'The document has errors');
  return guarded(async () => {
    const admin = await sessionAdmin();
    const planned = await planImport(admin, document.document, input.cluster || undefined);
    if (!planned.ok) return invalid(planned.fields);
    const plan = planned.plan;
    if (input.action === 'dry-run') return ok({ status: 'plan', plan });
    if (plan.planHash !== input.planHash) return ok({ status: 'changed', plan });
    const results = await applyImport(admin, document.document, plan);
    invalidateGroupList();
    return ok({ status: 'applied', plan, results, failed: results.filter((r) => !r.ok).length });
  });
}
