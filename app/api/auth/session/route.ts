/** GET /api/auth/session: whether sign-in is required, and who this request is (null when signed out). */
import { ok } from '@/lib/server/api';
import { authRequired } from '@/lib/server/security/config';
import { requestIdentity } from '@/lib/server/security/route-auth';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const identity = requestIdentity(request);
  return ok({
    authRequired: authRequired(),
    user: identity ? { name: identity.name, role: identity.role, kind: identity.kind, mustChangePassword: !!identity.mustChangePassword } : null,
  });
}
