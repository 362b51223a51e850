/** GET /api/users: console users and roles. POST /api/users {name, role, password}: adds one. Admin only. */
import { ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { inputErrorResponse, requireAdmin } from '@/lib/server/security/route-auth';
import { addUser, listUsers } from '@/lib/server/security/users';
import { createUserSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const admin = requireAdmin(request);
  if (!admin.ok) return admin.response;
  return ok({ users: listUsers() });
}

export async function POST(request: Request) {
  auditDetail(request, { action: 'user.create' });
  const admin = requireAdmin(request);
  if (!admin.ok) return admin.response;
  const body = await parseBody(request, createUserSchema);
  if (!body.ok) return body.response;
  auditDetail(request, { target: body.value.name });
  try {
    const user = await addUser(body.value.name, body.value.role, body.value.password);
    auditDetail(request, { after: user });
    return ok({ user }, { status: 201 });
  } catch (err) {
    return inputErrorResponse(err);
  }
}
