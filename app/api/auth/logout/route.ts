/** POST /api/auth/logout: ends this browser's session (server-side) and clears its cookie. */
import { NextResponse } from 'next/server';
import { auditDetail } from '@/lib/server/audit/recorder';
import { clearSessionCookie } from '@/lib/server/security/route-auth';
import { deleteSession, SESSION_COOKIE } from '@/lib/server/security/sessions';
import { cookieValue } from '@/lib/server/security/identity';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  auditDetail(request, { action: 'auth.logout' });
  deleteSession(cookieValue(request.headers.get('cookie'), SESSION_COOKIE));
  const response = NextResponse.json({ signedOut: true }, { headers: { 'cache-control': 'no-store' } });
  clearSessionCookie(response, request);
  return response;
}
