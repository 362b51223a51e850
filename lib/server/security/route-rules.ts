/**
 * Non-GET requests that the policy lets a read-only user (or token) make, by method AND path. Two kinds:
 *
 *   - account writes: a user's own sign-in, sign-out, password and session cluster (audited like every write);
 *   - read-like requests: POST/DELETE only because their input is large or because they stop a job, yet they
 *     change nothing shared (no broker, cluster, user or file state). Browsing messages is reading, a preview is
 *     reading. These are NOT recorded in the audit log (a scan polled by every open Explorer tab would flood
 *     it), except when the proxy refuses them (401/403), which is recorded as any refusal is.
 *
 * A route that both previews and applies must not be listed: split the preview into its own route whose handler
 * cannot apply (POST /api/consumers/:group/reset/preview, POST /api/config/import/dry-run), so a rule on the
 * path alone cannot be abused by changing the body.
 *
 * Paths are OpenAPI-style templates: `{name}` matches exactly one non-empty path segment, everything else
 * matches literally and case-sensitively (as Next routes do). Anything that does not match falls back to
 * the policy's default: admin only.
 */

export interface RouteRule {
  method: 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  path: string;
  /** Why a read-only user may call it. */
  why: string;
}

export const ACCOUNT_WRITES: readonly RouteRule[] = [
  { method: 'POST', path: '/api/auth/login', why: 'signing in' },
  { method: 'POST', path: '/api/auth/logout', why: 'ending one’s own session' },
  { method: 'POST', path: '/api/auth/password', why: 'changing one’s own password' },
  { method: 'POST', path: '/api/ops/session', why: 'moving one’s own browser session to a cluster connection an admin saved' },
];

export const READ_LIKE_WRITES: readonly RouteRule[] = [
  { method: 'POST', path: '/api/explorer/scans', why: 'starts a bounded scan that reads messages (no consumer offset is committed)' },
  { method: 'DELETE', path: '/api/explorer/scans/{id}', why: 'stops a scan (a read) before its bound' },
  { method: 'POST', path: '/api/history/sparklines', why: 'reads the history store for the names in the body' },
  { method: 'POST', path: '/api/consumers/{group}/reset/preview', why: 'computes the offsets a reset would set; the route cannot apply' },
  { method: 'POST', path: '/api/config/import/dry-run', why: 'plans an import against the cluster; the route cannot apply' },
];

function segments(path: string): string[] {
  return path.split('/').slice(1);
}

/** Whether `pathname` (as the request has it, still percent-encoded) is an instance of the rule's template. */
export function matchesTemplate(template: string, pathname: string): boolean {
  const want = segments(template);
  const got = segments(pathname);
  if (want.length !== got.length) return false;
  return want.every((w, i) => (/^\{[^/{}]+\}$/.test(w) ? got[i]!.length > 0 : w === got[i]));
}

const matches = (rules: readonly RouteRule[], method: string, pathname: string) => {
  const m = method.toUpperCase();
  return rules.some((r) => r.method === m && matchesTemplate(r.path, pathname));
};

/** A write that changes nothing shared: allowed for read-only users, and not audited unless refused. */
export function isReadLikeWrite(method: string, pathname: string): boolean {
  return matches(READ_LIKE_WRITES, method, pathname);
}

/** Every non-GET a read-only user may make: the account writes and the read-like requests. */
export const READ_ONLY_WRITES: readonly RouteRule[] = [...ACCOUNT_WRITES, ...READ_LIKE_WRITES];

export function isReadOnlyWrite(method: string, pathname: string): boolean {
  return matches(READ_ONLY_WRITES, method, pathname);
}
