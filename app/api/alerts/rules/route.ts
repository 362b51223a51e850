/** POST /api/alerts/rules: create an alert rule (admin; audited as alert.rule.create). */
import { alertRuleInputSchema } from '@/lib/alerts-schema';
import { alertManager } from '@/lib/server/alerts/alert-manager';
import { alertErrorResponse } from '@/lib/server/alerts/routes';
import { ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  auditDetail(request, { action: 'alert.rule.create' });
  const body = await parseBody(request, alertRuleInputSchema);
  if (!body.ok) return body.response;
  auditDetail(request, { target: body.value.name });
  try {
    const rule = alertManager().createRule(body.value);
    auditDetail(request, { after: rule });
    return ok({ rule }, { status: 201 });
  } catch (err) {
    return alertErrorResponse(err);
  }
}
