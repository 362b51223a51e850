/** PUT /api/alerts/rules/{id}: replace a rule; DELETE: remove it (its alerts end). Admin; audited with before/after. */
import { alertRuleIdSchema, alertRuleInputSchema } from '@/lib/alerts-schema';
import { alertManager } from '@/lib/server/alerts/alert-manager';
import { alertErrorResponse } from '@/lib/server/alerts/routes';
import { invalid, ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export async function PUT(request: Request, context: Context) {
  auditDetail(request, { action: 'alert.rule.update' });
  const id = alertRuleIdSchema.safeParse((await context.params).id);
  if (!id.success) return invalid({ id: 'Not a rule id' });
  const body = await parseBody(request, alertRuleInputSchema);
  if (!body.ok) return body.response;
  auditDetail(request, { target: body.value.name });
  try {
    const { before, after } = alertManager().updateRule(id.data, body.value);
    auditDetail(request, { before, after });
    return ok({ rule: after });
  } catch (err) {
    return alertErrorResponse(err);
  }
}

export async function DELETE(request: Request, context: Context) {
  auditDetail(request, { action: 'alert.rule.delete' });
  const id = alertRuleIdSchema.safeParse((await context.params).id);
  if (!id.success) return invalid({ id: 'Not a rule id' });
  try {
    const rule = alertManager().deleteRule(id.data);
    auditDetail(request, { target: rule.name, before: rule });
    return ok({ deleted: rule.id });
  } catch (err) {
    return alertErrorResponse(err);
  }
}
