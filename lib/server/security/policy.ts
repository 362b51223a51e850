/**
 * The console's request policy, applied by proxy.ts to every request before any page or route runs:
 *
 *   1. Host: a console bound to loopback answers only Host names of loopback (stops DNS rebinding).
 *   2. Cross-site writes: a non-GET whose Origin (else Referer) is another host, or whose Sec-Fetch-Site is
 *      cross-site / same-site, is refused (403 cross_site_refused), sign-in on or off. Bearer-token calls are
 *      exempt (a browser cannot attach one cross-site without a CORS preflight, which the console never grants).
 *   3. Identity: token or session (see identity.ts); without one, API calls get 401 and pages go to /login.
 *   4. Role: DENY BY DEFAULT: every method other than GET/HEAD/OPTIONS needs the admin role, except the few
 *      method + path rules in READ_ONLY_WRITES (route-rules.ts: a user's own sign-in, sign-out and password,
 *      and read-like requests such as explorer scans, sparklines, the reset preview and the import dry run).
 *      A route added later is covered without doing anything.
 *
 * Pure: no Next.js imports, so it is unit-tested directly.
 */
import { authRequired, consoleBindHost, extraOrigins, isLoopbackHost } from './config';
import { resolveIdentity, type Identity } from './identity';
import { isReadOnlyWrite } from './route-rules';

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Reached without signing in. */
const PUBLIC_PATHS = new Set(['/login', '/api/auth/login', '/api/auth/session', '/favicon.ico']);
/**
 * Writes a read-only user may make, by method and path (route-rules.ts): its own sign-in, sign-out and
 * password, and the read-like requests. Add a rule only for a request that changes nothing shared.
 */
export { READ_ONLY_WRITES } from './route-rules';
/** Reads only an admin may make (the list of users and tokens). */
const ADMIN_READ_PREFIXES = ['/api/tokens', '/api/users'];
/** Allowed while a forced password change is pending. */
const PASSWORD_CHANGE_PATHS = new Set(['/account', '/api/auth/password', '/api/auth/logout', '/api/auth/session', '/login', '/api/auth/login']);

export interface PolicyRequest {
  method: string;
  pathname: string;
  search: string;
  header(name: string): string | null;
}

export type Decision =
  | { action: 'allow'; identity: Identity | null }
  | { action: 'deny'; status: number; code: string; message: string }
  | { action: 'redirect'; location: string };

const deny = (status: number, code: string, message: string): Decision => ({ action: 'deny', status, code, message });

function hostName(hostHeader: string): string {
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon > -1 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

function originHost(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** Why a write looks cross-site, or null when it comes from the console's own pages (or from no browser at all). */
export function crossSiteProblem(request: PolicyRequest, env: Record<string, string | undefined> = process.env): string | null {
  const fetchSite = request.header('sec-fetch-site')?.toLowerCase();
  if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') return `a ${fetchSite} request`;
  const host = (request.header('host') ?? '').toLowerCase();
  const allowed = extraOrigins(env);
  const origin = request.header('origin');
  const source = origin ?? request.header('referer');
  if (!source) return null;
  if (origin === 'null') return 'an opaque origin';
  const sourceHost = originHost(source);
  if (sourceHost && (sourceHost === host || allowed.some((o) => originHost(o) === sourceHost))) return null;
  return `origin ${origin ? source : (sourceHost ?? 'unknown')} is not this console (${host || 'no Host header'})`;
}

export function decide(request: PolicyRequest, env: Record<string, string | undefined> = process.env): Decision {
  const method = request.method.toUpperCase();
  const { pathname } = request;
  // /metrics is for scrapers: a 401 they can report, never the sign-in page.
  const api = pathname === '/api' || pathname.startsWith('/api/') || pathname === '/metrics';
  const write = !SAFE_METHODS.has(method);

  if (isLoopbackHost(consoleBindHost(env))) {
    const host = hostName(request.header('host') ?? '');
    if (host && !isLoopbackHost(host) && !extraOrigins(env).some((o) => hostName(originHost(o) ?? '') === host)) {
      return deny(403, 'host_not_allowed', `This console listens on loopback only and does not answer for host "${host}"`);
    }
  }

  const bearer = !!request.header('authorization');
  if (write && !bearer) {
    const problem = crossSiteProblem(request, env);
    if (problem) return deny(403, 'cross_site_refused', `Refused a cross-site write (${problem})`);
  }

  const resolved = resolveIdentity({ cookie: request.header('cookie'), authorization: request.header('authorization') }, env);
  if (!resolved.ok) return deny(resolved.status, resolved.code, resolved.message);
  const identity = resolved.identity;

  if (PUBLIC_PATHS.has(pathname)) return { action: 'allow', identity };
  if (!identity) {
    if (api || write || !authRequired(env)) return deny(401, 'unauthenticated', 'Sign in first, or send Authorization: Bearer <API token>');
    return { action: 'redirect', location: `/login?next=${encodeURIComponent(pathname + request.search)}` };
  }
  if (identity.mustChangePassword && !PASSWORD_CHANGE_PATHS.has(pathname)) {
    if (api || write) return deny(403, 'password_change_required', 'Choose a new password first (the first password was a one-time password)');
    return { action: 'redirect', location: '/account?required=1' };
  }
  if (identity.role !== 'admin') {
    if (write && !isReadOnlyWrite(method, pathname)) return deny(403, 'forbidden', `${identity.name} has the ${identity.role} role: only an admin can change things`);
    if (ADMIN_READ_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return deny(403, 'forbidden', 'Only an admin can see this');
  }
  return { action: 'allow', identity };
}

/** Who may call a route, as the policy above decides it (the OpenAPI document states it per operation). */
export function requiredAccess(method: string, pathname: string): 'public' | 'signed-in' | 'admin' {
  if (PUBLIC_PATHS.has(pathname)) return 'public';
  if (!SAFE_METHODS.has(method.toUpperCase())) return isReadOnlyWrite(method, pathname) ? 'signed-in' : 'admin';
  return ADMIN_READ_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`)) ? 'admin' : 'signed-in';
}

/** A `next` target after sign-in that stays on this console (no "//host" or "https://..." redirects). */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/';
  return next.slice(0, 2048);
}
