/**
 * Console sessions, server-side: a random 256-bit id goes to the browser in an http-only SameSite=Strict
 * cookie; ROCKETDECK_HOME/console/sessions.json keeps only its SHA-256, the user and the expiry, so a copy of
 * the file cannot be replayed as a cookie. A session ends at its expiry (ROCKETDECK_SESSION_HOURS, default 12),
 * at logout, when its user is removed, or when the password changes (older sessions are dropped).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { consoleHome } from './config';
import { readJsonFile, updateJsonFile } from './json-file';
import { SESSION_TTL_HOURS_DEFAULT, SESSIONS_MAX } from './limits';

export const SESSION_COOKIE = 'rocketdeck-session';

export interface StoredSession {
  idHash: string;
  user: string;
  createdAt: number;
  expiresAt: number;
  address: string;
  userAgent: string;
}

interface SessionsFile {
  version: number;
  sessions: StoredSession[];
}

const EMPTY: SessionsFile = { version: 1, sessions: [] };
export const sessionsFile = (): string => path.join(consoleHome(), 'sessions.json');

export function sessionTtlMs(env: Record<string, string | undefined> = process.env): number {
  const hours = Number(env.ROCKETDECK_SESSION_HOURS);
  return (Number.isFinite(hours) && hours > 0 && hours <= 24 * 30 ? hours : SESSION_TTL_HOURS_DEFAULT) * 3_600_000;
}

export const hashSessionId = (id: string): string => crypto.createHash('sha256').update(id).digest('hex');

/** Creates a session; returns the id for the cookie (the only place it exists in clear). */
export function createSession(user: string, meta: { address: string; userAgent: string }, now = Date.now()): { id: string; expiresAt: number } {
  const id = crypto.randomBytes(32).toString('base64url');
  const session: StoredSession = { idHash: hashSessionId(id), user, createdAt: now, expiresAt: now + sessionTtlMs(), address: meta.address.slice(0, 64), userAgent: meta.userAgent.slice(0, 256) };
  updateJsonFile(sessionsFile(), EMPTY, (current) => {
    const live = current.sessions.filter((s) => s.expiresAt > now);
    const next = [...live, session].slice(-SESSIONS_MAX);
    return { next: { version: 1, sessions: next }, result: undefined };
  });
  return { id, expiresAt: session.expiresAt };
}

/** The live session of a cookie value, or null. */
export function findSession(id: string | undefined, now = Date.now()): StoredSession | null {
  if (!id || id.length > 128) return null;
  const idHash = hashSessionId(id);
  const file = readJsonFile<SessionsFile>(sessionsFile(), EMPTY);
  const session = (file.sessions ?? []).find((s) => s.idHash === idHash);
  return session && session.expiresAt > now ? session : null;
}

export function deleteSession(id: string | undefined): void {
  if (!id) return;
  const idHash = hashSessionId(id);
  updateJsonFile(sessionsFile(), EMPTY, (current) => ({ next: { version: 1, sessions: current.sessions.filter((s) => s.idHash !== idHash) }, result: undefined }));
}

/** Ends every session of a user except `keepId` (after a password change or a removal). */
export function deleteSessionsOf(user: string, keepId?: string): void {
  const keep = keepId ? hashSessionId(keepId) : null;
  updateJsonFile(sessionsFile(), EMPTY, (current) => ({ next: { version: 1, sessions: current.sessions.filter((s) => s.user !== user || s.idHash === keep) }, result: undefined }));
}
