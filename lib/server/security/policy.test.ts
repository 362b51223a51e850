/**
 * The request policy, table-driven over real users/sessions/tokens files: sign-in, roles (deny by default for
 * every non-GET, routes nobody wrote yet included), cross-site writes, loopback Host names, forced password change.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../security-validation';
import { authRequired } from './config';
import { writeJsonFile } from './json-file';
import { decide, requiredAccess, safeNextPath, type Decision } from './policy';
import { isReadLikeWrite, matchesTemplate } from './route-rules';
import { createSession, SESSION_COOKIE } from './sessions';
import { useTempHome } from './testing';
import { createToken, revokeToken } from './tokens';
import { usersFile } from './users';

const ON = { ROCKETDECK_CONSOLE_AUTH: 'on', ROCKETDECK_CONSOLE_HOST: '0.0.0.0' };
const OFF_LOOPBACK = { ROCKETDECK_CONSOLE_AUTH: 'auto', ROCKETDECK_CONSOLE_HOST: '127.0.0.1' };

function request(method: string, url: string, headers: Record<string, string> = {}) {
  const parsed = new URL(url, 'http://console.test:8899');
  const all: Record<string, string> = { host: 'console.test:8899', ...headers };
  return { method, pathname: parsed.pathname, search: parsed.search, header: (name: string) => all[name.toLowerCase()] ?? null };
}

function summary(decision: Decision): string {
  if (decision.action === 'allow') return `allow ${decision.identity ? `${decision.identity.name}/${decision.identity.role}` : 'nobody'}`;
  if (decision.action === 'redirect') return `redirect ${decision.location}`;
  return `${decision.status} ${decision.code}`;
}

function writeUsers(users: { name: string; role: Role; mustChangePassword?: boolean; passwordChangedAt?: number }[]): void {
  writeJsonFile(usersFile(), { version: 1, users: users.map((u) => ({ passwordHash: 'scrypt$not-checked-here', createdAt: 0, passwordChangedAt: 0, ...u })) });
}

describe('request policy', () => {
  useTempHome();
  let cookie: Record<string, string>;
  let bearer: Record<string, string>;

  beforeEach(() => {
    writeUsers([{ name: 'ann', role: 'admin' }, { name: 'rita', role: 'read-only' }, { name: 'newbie', role: 'admin', mustChangePassword: true }]);
    const session = (user: string) => `${SESSION_COOKIE}=${createSession(user, { address: '', userAgent: '' }).id}`;
    cookie = { admin: session('ann'), reader: session('rita'), newbie: session('newbie') };
    const token = (name: string, role: Role) => `Bearer ${createToken({ name, role, expiresInDays: 0 }, 'ann').secret}`;
    bearer = { admin: token('deploy', 'admin'), reader: token('grafana', 'read-only') };
  });

  const same = { origin: 'http://console.test:8899', 'sec-fetch-site': 'same-origin' };

  it.each([
    ['page, signed out', 'GET', '/topic?x=1', {}, 'redirect /login?next=%2Ftopic%3Fx%3D1'],
    ['API read, signed out', 'GET', '/api/topics', {}, '401 unauthenticated'],
    ['Prometheus scrape, signed out: 401, not the sign-in page', 'GET', '/metrics', {}, '401 unauthenticated'],
    ['the sign-in page and API are open', 'GET', '/login', {}, 'allow nobody'],
    ['sign-in POST is open', 'POST', '/api/auth/login', same, 'allow nobody'],
  ])('%s', (_, method, url, headers, expected) => {
    expect(summary(decide(request(method, url, headers), ON))).toBe(expected);
  });

  it.each([
    ['admin writes', 'admin', 'POST', '/api/topics', 'allow ann/admin'],
    ['admin deletes', 'admin', 'DELETE', '/api/topics/T?confirm=T', 'allow ann/admin'],
    ['read-only reads', 'reader', 'GET', '/api/topics', 'allow rita/read-only'],
    ['read-only POST', 'reader', 'POST', '/api/topics', '403 forbidden'],
    ['read-only DELETE', 'reader', 'DELETE', '/api/consumers/G?confirm=G', '403 forbidden'],
    ['read-only PUT on a route written later', 'reader', 'PUT', '/api/explorer/saved-searches/1', '403 forbidden'],
    ['read-only PATCH on a page path', 'reader', 'PATCH', '/topic', '403 forbidden'],
    ['read-only POST to an unknown API', 'reader', 'POST', '/api/acl/accounts', '403 forbidden'],
    ['read-only signs out', 'reader', 'POST', '/api/auth/logout', 'allow rita/read-only'],
    ['read-only changes own password', 'reader', 'POST', '/api/auth/password', 'allow rita/read-only'],
    ['read-only moves its session to a saved cluster', 'reader', 'POST', '/api/ops/session', 'allow rita/read-only'],
    ['read-only switches to a typed address', 'reader', 'POST', '/api/ops', '403 forbidden'],
    ['read-only lists tokens', 'reader', 'GET', '/api/tokens', '403 forbidden'],
    ['read-only lists users', 'reader', 'GET', '/api/users', '403 forbidden'],
    ['admin lists tokens', 'admin', 'GET', '/api/tokens', 'allow ann/admin'],
    ['one-time password: API', 'newbie', 'GET', '/api/topics', '403 password_change_required'],
    ['one-time password: page', 'newbie', 'GET', '/topic', 'redirect /account?required=1'],
    ['one-time password: the change itself', 'newbie', 'POST', '/api/auth/password', 'allow newbie/admin'],
  ])('session: %s', (_, who, method, url, expected) => {
    expect(summary(decide(request(method, url, { ...same, cookie: cookie[who]! }), ON))).toBe(expected);
  });

  it.each([
    ['admin token writes', 'admin', 'POST', '/api/topics', 'allow deploy/admin'],
    ['read-only token reads', 'reader', 'GET', '/api/consumers', 'allow grafana/read-only'],
    ['read-only token scrapes /metrics', 'reader', 'GET', '/metrics', 'allow grafana/read-only'],
    ['read-only token writes', 'reader', 'POST', '/api/topics', '403 forbidden'],
  ])('token: %s', (_, who, method, url, expected) => {
    expect(summary(decide(request(method, url, { authorization: bearer[who]! }), ON))).toBe(expected);
  });

  // Read-like POST/DELETE (route-rules.ts): allowed to read-only users by method AND exact path shape; the
  // applies they preview, and anything that merely looks like them, stay admin-only.
  const SCAN = '/api/explorer/scans/0b0f8f9e-3c1a-4d5e-9f00-1234567890ab';
  it.each([
    ['starts an explorer scan', 'POST', '/api/explorer/scans', 'allow rita/read-only'],
    ['cancels an explorer scan', 'DELETE', SCAN, 'allow rita/read-only'],
    ['asks for sparklines', 'POST', '/api/history/sparklines', 'allow rita/read-only'],
    ['previews an offset reset', 'POST', '/api/consumers/CG_billing/reset/preview', 'allow rita/read-only'],
    ['previews a reset of a group with %RETRY%-like characters', 'POST', '/api/consumers/CG%7Cx%25/reset/preview', 'allow rita/read-only'],
    ['dry-runs a config import', 'POST', '/api/config/import/dry-run', 'allow rita/read-only'],
    ['applies an offset reset', 'POST', '/api/consumers/CG_billing/reset', '403 forbidden'],
    ['applies an offset reset, asking with a query string', 'POST', '/api/consumers/CG_billing/reset?action=preview', '403 forbidden'],
    ['applies a config import', 'POST', '/api/config/import', '403 forbidden'],
    ['applies a config import, asking with a query string', 'POST', '/api/config/import?dry-run=1', '403 forbidden'],
    ['PUTs to the scans', 'PUT', '/api/explorer/scans', '403 forbidden'],
    ['DELETEs the scan list', 'DELETE', '/api/explorer/scans', '403 forbidden'],
    ['POSTs to one scan', 'POST', SCAN, '403 forbidden'],
    ['DELETEs below a scan', 'DELETE', `${SCAN}/x`, '403 forbidden'],
    ['DELETEs the sparklines', 'DELETE', '/api/history/sparklines', '403 forbidden'],
    ['previews with an empty group segment', 'POST', '/api/consumers//reset/preview', '403 forbidden'],
    ['POSTs below the preview', 'POST', '/api/consumers/G/reset/preview/apply', '403 forbidden'],
    ['POSTs to the dry run with a trailing slash', 'POST', '/api/config/import/dry-run/', '403 forbidden'],
    ['POSTs to the dry run in other letters', 'POST', '/api/config/import/Dry-Run', '403 forbidden'],
    ['POSTs to a topic reset (the older route)', 'POST', '/api/topics/T/reset', '403 forbidden'],
  ])('read-only session %s', (_, method, url, expected) => {
    expect(summary(decide(request(method, url, { ...same, cookie: cookie.reader! }), ON))).toBe(expected);
  });

  it.each([
    ['starts a scan', 'POST', '/api/explorer/scans', 'allow grafana/read-only'],
    ['asks for sparklines', 'POST', '/api/history/sparklines', 'allow grafana/read-only'],
    ['previews a reset', 'POST', '/api/consumers/G/reset/preview', 'allow grafana/read-only'],
    ['dry-runs an import', 'POST', '/api/config/import/dry-run', 'allow grafana/read-only'],
    ['applies a reset', 'POST', '/api/consumers/G/reset', '403 forbidden'],
    ['applies an import', 'POST', '/api/config/import', '403 forbidden'],
  ])('read-only token %s', (_, method, url, expected) => {
    expect(summary(decide(request(method, url, { authorization: bearer.reader! }), ON))).toBe(expected);
  });

  it('still refuses read-like POSTs cross-site and without a session', () => {
    expect(summary(decide(request('POST', '/api/explorer/scans', { origin: 'http://evil.test', cookie: cookie.reader! }), ON))).toBe('403 cross_site_refused');
    expect(summary(decide(request('POST', '/api/consumers/G/reset/preview', same), ON))).toBe('401 unauthenticated');
  });

  it('refuses unknown, malformed, revoked and expired tokens with 401, sign-in on or off', () => {
    const { token, secret } = createToken({ name: 'old', role: 'admin', expiresInDays: 0 }, 'ann');
    revokeToken(token.id, 'ann');
    for (const env of [ON, OFF_LOOPBACK]) {
      const host: Record<string, string> = env === ON ? {} : { host: '127.0.0.1:8899' };
      expect(summary(decide(request('GET', '/api/topics', { ...host, authorization: `Bearer ${secret}` }), env))).toBe('401 token_revoked');
      expect(summary(decide(request('GET', '/api/topics', { ...host, authorization: 'Bearer rdk_nope' }), env))).toBe('401 invalid_token');
      expect(summary(decide(request('GET', '/api/topics', { ...host, authorization: 'Basic YTpi' }), env))).toBe('401 invalid_token');
    }
  });

  it('ends a session whose user was removed or changed password after it began', () => {
    writeUsers([{ name: 'ann', role: 'admin', passwordChangedAt: Date.now() + 1000 }, { name: 'newbie', role: 'admin' }]);
    expect(summary(decide(request('GET', '/api/topics', { cookie: cookie.admin! }), ON))).toBe('401 unauthenticated');
    expect(summary(decide(request('GET', '/api/topics', { cookie: cookie.reader! }), ON))).toBe('401 unauthenticated');
    expect(summary(decide(request('GET', '/api/topics', { cookie: `${SESSION_COOKIE}=forged` }), ON))).toBe('401 unauthenticated');
  });

  it.each([
    ['another origin', { origin: 'http://evil.test' }, '403 cross_site_refused'],
    ['the same host on another port', { origin: 'http://console.test:9999' }, '403 cross_site_refused'],
    ['an opaque origin (sandboxed frame, file:)', { origin: 'null' }, '403 cross_site_refused'],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }, '403 cross_site_refused'],
    ['Sec-Fetch-Site same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }, '403 cross_site_refused'],
    ['a foreign Referer without Origin', { referer: 'http://evil.test/page' }, '403 cross_site_refused'],
    ['its own origin', { origin: 'http://console.test:8899', 'sec-fetch-site': 'same-origin' }, 'allow ann/admin'],
    ['no browser headers at all (curl)', {}, 'allow ann/admin'],
  ])('a write from %s', (_, headers, expected) => {
    expect(summary(decide(request('POST', '/api/topics', { ...headers, cookie: cookie.admin! }), ON))).toBe(expected);
  });

  it('refuses cross-site writes with sign-in off too, and lets reads through', () => {
    const local = { host: '127.0.0.1:8899' };
    expect(summary(decide(request('POST', '/api/topics', { ...local, origin: 'http://evil.test' }), OFF_LOOPBACK))).toBe('403 cross_site_refused');
    expect(summary(decide(request('POST', '/api/topics', { ...local, 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' }), OFF_LOOPBACK))).toBe('403 cross_site_refused');
    expect(summary(decide(request('POST', '/api/topics', { ...local, origin: 'http://127.0.0.1:8899' }), OFF_LOOPBACK))).toBe('allow local/admin');
    expect(summary(decide(request('GET', '/api/topics', { ...local, origin: 'http://evil.test' }), OFF_LOOPBACK))).toBe('allow local/admin');
  });

  it('accepts writes from an origin listed in ROCKETDECK_CONSOLE_ORIGINS (behind a reverse proxy)', () => {
    const env = { ...ON, ROCKETDECK_CONSOLE_ORIGINS: 'https://mq.example.com' };
    expect(summary(decide(request('POST', '/api/topics', { origin: 'https://mq.example.com', cookie: cookie.admin! }), env))).toBe('allow ann/admin');
    expect(summary(decide(request('POST', '/api/topics', { origin: 'https://mq.example.org', cookie: cookie.admin! }), env))).toBe('403 cross_site_refused');
  });

  it('answers only loopback Host names when bound to loopback (DNS rebinding)', () => {
    for (const host of ['127.0.0.1:8899', 'localhost:8899', '[::1]:8899']) expect(summary(decide(request('GET', '/api/topics', { host }), OFF_LOOPBACK)), host).toBe('allow local/admin');
    expect(summary(decide(request('GET', '/api/topics', { host: 'rebind.evil.test:8899' }), OFF_LOOPBACK))).toBe('403 host_not_allowed');
    expect(summary(decide(request('GET', '/api/topics', { host: 'mq.lan:8899', cookie: cookie.admin! }), ON))).toBe('allow ann/admin');
  });
});

describe('when sign-in is required', () => {
  it.each([
    [{}, false],
    [{ HOST: '0.0.0.0' }, true],
    [{ ROCKETDECK_CONSOLE_HOST: '192.168.1.5' }, true],
    [{ ROCKETDECK_CONSOLE_HOST: '127.0.0.1', HOST: '0.0.0.0' }, false],
    [{ ROCKETDECK_CONSOLE_HOST: '::1' }, false],
    [{ ROCKETDECK_CONSOLE_HOST: 'localhost' }, false],
    [{ ROCKETDECK_CONSOLE_AUTH: 'on' }, true],
    [{ ROCKETDECK_CONSOLE_AUTH: 'off', HOST: '0.0.0.0' }, false],
    [{ ROCKETDECK_CONSOLE_AUTH: 'maybe' }, true],
  ])('%j → %s', (env, expected) => {
    expect(authRequired(env)).toBe(expected);
  });
});

describe('helpers', () => {
  it('keeps sign-in redirects on this console', () => {
    expect(safeNextPath('/topic?x=1')).toBe('/topic?x=1');
    for (const bad of ['//evil.test', 'https://evil.test', '/\\evil.test', '/login?next=/x', '', null]) expect(safeNextPath(bad), String(bad)).toBe('/');
  });

  it('states who may call a route', () => {
    expect(requiredAccess('post', '/api/auth/login')).toBe('public');
    expect(requiredAccess('get', '/api/topics')).toBe('signed-in');
    expect(requiredAccess('post', '/api/topics')).toBe('admin');
    expect(requiredAccess('post', '/api/auth/logout')).toBe('signed-in');
    expect(requiredAccess('get', '/api/tokens/x')).toBe('admin');
    expect(requiredAccess('post', '/api/explorer/scans')).toBe('signed-in');
    expect(requiredAccess('delete', '/api/explorer/scans/x')).toBe('signed-in');
    expect(requiredAccess('post', '/api/consumers/x/reset/preview')).toBe('signed-in');
    expect(requiredAccess('post', '/api/consumers/x/reset')).toBe('admin');
    expect(requiredAccess('post', '/api/config/import/dry-run')).toBe('signed-in');
    expect(requiredAccess('post', '/api/config/import')).toBe('admin');
  });

  it('matches path templates one segment per {name}, the rest literally', () => {
    expect(matchesTemplate('/api/consumers/{group}/reset/preview', '/api/consumers/G/reset/preview')).toBe(true);
    expect(matchesTemplate('/api/consumers/{group}/reset/preview', '/api/consumers/a%2Fb/reset/preview')).toBe(true);
    expect(matchesTemplate('/api/consumers/{group}/reset/preview', '/api/consumers/a/b/reset/preview')).toBe(false);
    expect(matchesTemplate('/api/consumers/{group}/reset/preview', '/api/consumers//reset/preview')).toBe(false);
    expect(matchesTemplate('/api/explorer/scans', '/api/explorer/scans/')).toBe(false);
    expect(matchesTemplate('/api/explorer/scans', '/api/explorer/Scans')).toBe(false);
    expect(isReadLikeWrite('post', '/api/history/sparklines')).toBe(true);
    expect(isReadLikeWrite('POST', '/api/auth/logout')).toBe(false); // an account write: allowed, and audited
  });
});
