/** POST /api/alerts/rules/{id}/silence {minutes}: no deliveries for that long (0 lifts it). Admin; audited. */
import { alertRuleIdSchema, silenceSchema } from '@/lib/alerts-schema';
import { alertManager } from '@/lib/server/alerts/alert-manager';
import { alertErrorResponse } from '@/lib/server/alerts/routes';
import { invalid, ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, context: { params: Promise<{ id: string }> }) {
  auditDetail(request, { action: 'alert.rule.silence' });
  const id = alertRuleIdSchema.safeParse((await context.params).id);
  if (!id.success) return invalid({ id: 'Not a rule id' });
  const body = await parseBody(request, silenceSchema);
  if (!body.ok) return body.response;
  try {
    const rule = alertManager().silence(id.data, body.value.minutes);
    auditDetail(request, { target: rule.name, after: { silencedUntil: rule.silencedUntil ?? null } });
    return ok({ rule });
  } catch (err) {
    return alertErrorResponse(err);
  }
}
