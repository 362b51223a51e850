/**
 * Who is asking: a bearer token, else a session cookie (when sign-in is required), else, with sign-in off, the
 * machine's own operator ("local", admin). The proxy, the route handlers and the audit recorder all ask here.
 */
import type { Role } from '../../security-validation';
import { authRequired } from './config';
import { findSession, SESSION_COOKIE } from './sessions';
import { findToken } from './tokens';
import { findUser } from './users';

export interface Identity {
  kind: 'user' | 'token' | 'local';
  name: string;
  role: Role;
  mustChangePassword?: boolean;
  /** The session id (from the cookie) of a signed-in user. */
  sessionId?: string;
  tokenId?: string;
}

export const LOCAL_IDENTITY: Identity = Object.freeze({ kind: 'local', name: 'local', role: 'admin' });

export type IdentityResult = { ok: true; identity: Identity | null } | { ok: false; status: 401; code: string; message: string };

export interface CredentialHeaders {
  cookie?: string | null;
  authorization?: string | null;
}

export function cookieValue(cookieHeader: string | null | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

const TOKEN_REFUSED: Record<'unknown' | 'revoked' | 'expired', string> = {
  unknown: 'The API token is not known',
  revoked: 'The API token was revoked',
  expired: 'The API token has expired',
};

export function resolveIdentity(headers: CredentialHeaders, env: Record<string, string | undefined> = process.env): IdentityResult {
  const authorization = headers.authorization?.trim();
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) return { ok: false, status: 401, code: 'invalid_token', message: 'Authorization must be "Bearer <token>"' };
    const found = findToken(match[1]!);
    if (!found.ok) return { ok: false, status: 401, code: found.reason === 'unknown' ? 'invalid_token' : `token_${found.reason}`, message: TOKEN_REFUSED[found.reason] };
    return { ok: true, identity: { kind: 'token', name: found.token.name, role: found.token.role, tokenId: found.token.id } };
  }
  if (!authRequired(env)) return { ok: true, identity: LOCAL_IDENTITY };
  const sessionId = cookieValue(headers.cookie, SESSION_COOKIE);
  const session = findSession(sessionId);
  if (!session) return { ok: true, identity: null };
  const user = findUser(session.user);
  // A session outlives neither its user nor a password change made after it began.
  if (!user || user.passwordChangedAt > session.createdAt) return { ok: true, identity: null };
  return { ok: true, identity: { kind: 'user', name: user.name, role: user.role, sessionId, ...(user.mustChangePassword ? { mustChangePassword: true } : {}) } };
}
