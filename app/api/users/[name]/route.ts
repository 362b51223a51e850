/**
 * PATCH /api/users/:name {role}: changes a user's role (effective on their next request).
 * DELETE /api/users/:name: removes a user and ends their sessions. The last admin stays. Admin only.
 */
import { invalid, ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { inputErrorResponse, requireAdmin } from '@/lib/server/security/route-auth';
import { deleteSessionsOf } from '@/lib/server/security/sessions';
import { findUser, listUsers, removeUser, setRole } from '@/lib/server/security/users';
import { updateUserSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

async function target(request: Request, context: { params: Promise<{ name: string }> }, action: string) {
  const name = decodeURIComponent((await context.params).name);
  auditDetail(request, { action, target: name });
  const admin = requireAdmin(request);
  if (!admin.ok) return { ok: false as const, response: admin.response };
  if (!findUser(name)) return { ok: false as const, response: invalid({ name: `No user "${name}"` }) };
  auditDetail(request, { before: listUsers().find((u) => u.name === name) });
  return { ok: true as const, name };
}

export async function PATCH(request: Request, context: { params: Promise<{ name: string }> }) {
  const found = await target(request, context, 'user.role');
  if (!found.ok) return found.response;
  const body = await parseBody(request, updateUserSchema);
  if (!body.ok) return body.response;
  try {
    setRole(found.name, body.value.role);
  } catch (err) {
    return inputErrorResponse(err);
  }
  const user = listUsers().find((u) => u.name === found.name);
  auditDetail(request, { after: user });
  return ok({ user });
}

export async function DELETE(request: Request, context: { params: Promise<{ name: string }> }) {
  const found = await target(request, context, 'user.remove');
  if (!found.ok) return found.response;
  try {
    removeUser(found.name);
  } catch (err) {
    return inputErrorResponse(err);
  }
  deleteSessionsOf(found.name);
  return ok({ removed: found.name });
}
