/**
 * POST /api/config/import {document: JSON or YAML text, cluster?, planHash}: applies the document's plan, but
 * only when it is still the plan the dry run (POST /api/config/import/dry-run) showed: otherwise nothing is
 * written and the answer is the new plan (status "changed"). Admin only; the audit entry (config.import) holds
 * each created / updated topic and group per broker, before and after.
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { alertManager } from '@/lib/server/alerts/alert-manager';
import { applyImport, importAudit, planText } from '@/lib/server/config-io';
import { invalidateGroupList } from '@/lib/server/consumers';
import { configApplySchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  auditDetail(request, { action: 'config.import' });
  const parsed = await parseBody(request, configApplySchema);
  if (!parsed.ok) return parsed.response;
  const input = parsed.value;
  return guarded(async () => {
    const admin = await sessionAdmin();
    const planned = await planText(admin, input.document, input.cluster);
    if (!planned.ok) return invalid(planned.fields, planned.message);
    const { plan } = planned;
    if (plan.planHash !== input.planHash) {
      auditDetail(request, { detail: { applied: false, reason: 'the plan changed since the dry run', planHash: plan.planHash, dryRunPlanHash: input.planHash, counts: plan.counts } });
      return ok({ status: 'changed', plan });
    }
    const results = await applyImport(admin, planned.document, plan);
    invalidateGroupList();
    const alertRules = planned.document.alertRules ? alertManager().importRules(planned.document.alertRules) : undefined;
    const failed = results.filter((r) => !r.ok).length;
    auditDetail(request, { ...importAudit(plan, results), detail: { applied: true, cluster: input.cluster ?? null, planHash: plan.planHash, counts: plan.counts, writes: results.length, failed, ...(alertRules ? { alertRules } : {}) } });
    return ok({ status: 'applied', plan, results, failed, ...(alertRules ? { alertRules } : {}) });
  });
}
