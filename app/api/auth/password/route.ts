/**
 * POST /api/auth/password {current, next, confirm}: a signed-in user changes their password. Every other
 * session of the user ends; this browser gets a fresh session.
 */
import { NextResponse } from 'next/server';
import { invalid, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { verifyPassword } from '@/lib/server/security/password';
import { clientAddress, inputErrorResponse, requestIdentity, setSessionCookie } from '@/lib/server/security/route-auth';
import { createSession, deleteSessionsOf } from '@/lib/server/security/sessions';
import { findUser, setPassword } from '@/lib/server/security/users';
import { changePasswordSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  const identity = requestIdentity(request);
  auditDetail(request, { action: 'auth.password', target: identity?.name ?? '' });
  if (identity?.kind !== 'user') return NextResponse.json({ error: { code: 'unauthenticated', message: 'Sign in with a user (not a token) to change a password' } }, { status: 401 });
  const body = await parseBody(request, changePasswordSchema);
  if (!body.ok) return body.response;
  const user = findUser(identity.name);
  if (!user || !(await verifyPassword(body.value.current, user.passwordHash))) return invalid({ current: 'The current password is wrong' });
  try {
    await setPassword(user.name, body.value.next);
  } catch (err) {
    return inputErrorResponse(err);
  }
  deleteSessionsOf(user.name);
  const session = createSession(user.name, { address: clientAddress(request), userAgent: request.headers.get('user-agent') ?? '' });
  const response = NextResponse.json({ changed: true }, { headers: { 'cache-control': 'no-store' } });
  setSessionCookie(response, request, session.id, session.expiresAt);
  return response;
}
