/**
 * Every request passes here before any page or route handler (Next.js 16 proxy, Node.js runtime): the policy
 * in lib/server/security/policy.ts decides (host, cross-site writes, sign-in, role: non-GET needs admin by
 * default). Writes also need the audit recorder's request id, so a console started without `npm start`'s
 * recorder refuses writes instead of making unrecorded ones.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { REQUEST_ID_HEADER } from '@/lib/server/audit/recorder';
import { decide, SAFE_METHODS } from '@/lib/server/security/policy';

const SECURITY_HEADERS: Record<string, string> = {
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

function refuse(status: number, code: string, message: string): NextResponse {
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...SECURITY_HEADERS };
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="rocketdeck"';
  return NextResponse.json({ error: { code, message } }, { status, headers });
}

export function proxy(request: NextRequest): NextResponse {
  let decision;
  try {
    decision = decide({ method: request.method, pathname: request.nextUrl.pathname, search: request.nextUrl.search, header: (name) => request.headers.get(name) });
  } catch (err) {
    // An unreadable users/sessions/tokens file: fail closed, and say which file.
    return refuse(503, 'security_files_unreadable', (err as Error).message);
  }
  if (decision.action === 'deny') return refuse(decision.status, decision.code, decision.message);
  if (decision.action === 'redirect') return NextResponse.redirect(new URL(decision.location, request.url), { headers: SECURITY_HEADERS });
  if (!SAFE_METHODS.has(request.method.toUpperCase()) && !request.headers.get(REQUEST_ID_HEADER)) {
    return refuse(503, 'audit_unavailable', 'Writes are refused: the audit recorder is not running (start the console with npm start or rocketdeck console)');
  }
  const response = NextResponse.next();
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|icon.svg).*)'],
};
