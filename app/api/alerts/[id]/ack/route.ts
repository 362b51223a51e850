/** POST /api/alerts/{id}/ack: someone is on it (the alert stays firing until its condition ends). Admin; audited. */
import { alertIdSchema } from '@/lib/alerts-schema';
import { alertManager } from '@/lib/server/alerts/alert-manager';
import { alertErrorResponse } from '@/lib/server/alerts/routes';
import { invalid, ok } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { requestIdentity } from '@/lib/server/security/route-auth';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, context: { params: Promise<{ id: string }> }) {
  auditDetail(request, { action: 'alert.acknowledge' });
  const id = alertIdSchema.safeParse((await context.params).id);
  if (!id.success) return invalid({ id: 'Not an alert id' });
  try {
    const alert = alertManager().acknowledge(id.data, requestIdentity(request)?.name ?? 'unknown');
    auditDetail(request, { target: alert.subject, after: { acknowledgedBy: alert.acknowledgedBy } });
    return ok({ alert });
  } catch (err) {
    return alertErrorResponse(err);
  }
}
