/**
 * GET /api/tokens: every API token (never its secret). POST /api/tokens {name, role, expiresInDays}: creates
 * one and answers its secret, the only time it is shown. Admin only.
 */
import { ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { inputErrorResponse, requireAdmin } from '@/lib/server/security/route-auth';
import { createToken, listTokens } from '@/lib/server/security/tokens';
import { createTokenSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const admin = requireAdmin(request);
  if (!admin.ok) return admin.response;
  return ok({ tokens: listTokens().sort((a, b) => b.createdAt - a.createdAt) });
}

export async function POST(request: Request) {
  auditDetail(request, { action: 'token.create' });
  const admin = requireAdmin(request);
  if (!admin.ok) return admin.response;
  const body = await parseBody(request, createTokenSchema);
  if (!body.ok) return body.response;
  auditDetail(request, { target: body.value.name });
  try {
    const { token, secret } = createToken(body.value, admin.identity.name);
    auditDetail(request, { after: token });
    return ok({ token, secret }, { status: 201 });
  } catch (err) {
    return inputErrorResponse(err);
  }
}
