/** POST /api/alerts/rules/{id}/test: sends one test event to the rule's webhook now; answers the event with its delivery. Admin. */
import { alertRuleIdSchema } from '@/lib/alerts-schema';
import { alertManager } from '@/lib/server/alerts/alert-manager';
import { alertErrorResponse } from '@/lib/server/alerts/routes';
import { invalid, ok } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, context: { params: Promise<{ id: string }> }) {
  auditDetail(request, { action: 'alert.rule.test' });
  const id = alertRuleIdSchema.safeParse((await context.params).id);
  if (!id.success) return invalid({ id: 'Not a rule id' });
  try {
    const event = await alertManager().test(id.data);
    auditDetail(request, { target: event.ruleName, after: event.delivery });
    return ok({ event });
  } catch (err) {
    return alertErrorResponse(err);
  }
}
