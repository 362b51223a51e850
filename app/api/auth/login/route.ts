/**
 * POST /api/auth/login {user, password}: checks the password (scrypt, timing-safe; an unknown user costs the
 * same), then starts a session in an http-only SameSite=Strict cookie. Failed attempts are limited per address
 * and per user name (429 with Retry-After).
 */
import { NextResponse } from 'next/server';
import { parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { authRequired } from '@/lib/server/security/config';
import { dummyPasswordHash, verifyPassword } from '@/lib/server/security/password';
import { LoginRateLimiter } from '@/lib/server/security/rate-limit';
import { clientAddress, setSessionCookie } from '@/lib/server/security/route-auth';
import { createSession } from '@/lib/server/security/sessions';
import { findUser } from '@/lib/server/security/users';
import { loginSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

const limiter = ((globalThis as unknown as { __rocketdeckLoginLimiter?: LoginRateLimiter }).__rocketdeckLoginLimiter ??= new LoginRateLimiter());

export async function POST(request: Request) {
  auditDetail(request, { action: 'auth.login' });
  if (!authRequired()) return NextResponse.json({ error: { code: 'auth_off', message: 'Sign-in is off on this console (it listens on loopback only): every page is open' } }, { status: 409 });
  const body = await parseBody(request, loginSchema);
  if (!body.ok) return body.response;
  const { user: name, password } = body.value;
  auditDetail(request, { who: name, target: name });
  const address = clientAddress(request);
  const waitMs = limiter.retryAfterMs(address, name);
  if (waitMs > 0) {
    const minutes = Math.ceil(waitMs / 60_000);
    return NextResponse.json({ error: { code: 'too_many_attempts', message: `Too many failed sign-ins: try again in ${minutes} minute${minutes === 1 ? '' : 's'}` } }, { status: 429, headers: { 'retry-after': String(Math.ceil(waitMs / 1000)) } });
  }
  const user = findUser(name);
  const matches = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !matches) {
    limiter.fail(address, name);
    return NextResponse.json({ error: { code: 'invalid_credentials', message: 'Wrong user name or password' } }, { status: 401 });
  }
  limiter.succeed(address, name);
  const session = createSession(user.name, { address, userAgent: request.headers.get('user-agent') ?? '' });
  const response = NextResponse.json({ user: { name: user.name, role: user.role, mustChangePassword: !!user.mustChangePassword } }, { headers: { 'cache-control': 'no-store' } });
  setSessionCookie(response, request, session.id, session.expiresAt);
  return response;
}
