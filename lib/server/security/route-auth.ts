/**
 * What route handlers need from the security layer: the identity of the request (the proxy already let it
 * through), the client's address, and the session cookie.
 */
import { NextResponse } from 'next/server';
import { CLIENT_ADDRESS_HEADER } from '@/lib/server/audit/recorder';
import { resolveIdentity, type Identity } from './identity';
import { isSecurityInputError } from './input-error';
import { SESSION_COOKIE } from './sessions';

export function requestIdentity(request: Request): Identity | null {
  const resolved = resolveIdentity({ cookie: request.headers.get('cookie'), authorization: request.headers.get('authorization') });
  return resolved.ok ? resolved.identity : null;
}

/** The TCP peer as the recorder saw it, else "unknown" (a console started without the recorder). */
export function clientAddress(request: Request): string {
  return request.headers.get(CLIENT_ADDRESS_HEADER) || 'unknown';
}

export function forbidden(message = 'Only an admin can do this'): NextResponse {
  return NextResponse.json({ error: { code: 'forbidden', message } }, { status: 403 });
}

/** The admin identity, or the 403 to answer (a second check behind the proxy's). */
export function requireAdmin(request: Request): { ok: true; identity: Identity } | { ok: false; response: NextResponse } {
  const identity = requestIdentity(request);
  if (identity?.role === 'admin') return { ok: true, identity };
  return { ok: false, response: identity ? forbidden() : NextResponse.json({ error: { code: 'unauthenticated', message: 'Sign in first' } }, { status: 401 }) };
}

function secure(request: Request): boolean {
  return new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https';
}

export function setSessionCookie(response: NextResponse, request: Request, id: string, expiresAt: number): void {
  response.cookies.set(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'strict', path: '/', secure: secure(request), expires: new Date(expiresAt) });
}

export function clearSessionCookie(response: NextResponse, request: Request): void {
  response.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/', secure: secure(request), maxAge: 0 });
}

/** The answer to a refusal of the users or tokens store (field error, 404 or 409); any other fault is rethrown. */
export function inputErrorResponse(err: unknown): NextResponse {
  if (!isSecurityInputError(err)) throw err;
  const code = err.status === 404 ? 'not_found' : err.status === 409 ? 'conflict' : 'invalid_input';
  return NextResponse.json({ error: { code, message: err.message, fields: { [err.field]: err.message } } }, { status: err.status });
}
