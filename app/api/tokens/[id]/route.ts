/** DELETE /api/tokens/:id: revokes a token at once (its next use answers 401). Admin only. */
import { invalid, ok } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { inputErrorResponse, requireAdmin } from '@/lib/server/security/route-auth';
import { listTokens, revokeToken } from '@/lib/server/security/tokens';

export const dynamic = 'force-dynamic';

export async function DELETE(request: Request, context: { params: Promise<{ id: string }> }) {
  const { id } = await context.params;
  auditDetail(request, { action: 'token.revoke', target: id });
  const admin = requireAdmin(request);
  if (!admin.ok) return admin.response;
  if (!/^[0-9a-f]{16}$/.test(id)) return invalid({ id: 'A token id is 16 hexadecimal characters' });
  const before = listTokens().find((t) => t.id === id);
  if (before) auditDetail(request, { target: before.name, before });
  try {
    const token = revokeToken(id, admin.identity.name);
    auditDetail(request, { after: token });
    return ok({ token });
  } catch (err) {
    return inputErrorResponse(err);
  }
}
