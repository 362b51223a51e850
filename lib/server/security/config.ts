/**
 * Where the console keeps its security files, and whether sign-in is required.
 *
 *   ROCKETDECK_CONSOLE_AUTH  auto (default) | on | off. "auto" requires sign-in when the console listens on an
 *                            address other than loopback (HOST=0.0.0.0, a LAN address, ...).
 *   ROCKETDECK_CONSOLE_HOST  the bind address, set by `npm start` from HOST (HOST itself is read as a fallback).
 *   ROCKETDECK_CONSOLE_ORIGINS  extra origins allowed to send writes, e.g. "https://mq.example.com" behind a proxy.
 *
 * No Next.js imports: the proxy, the route handlers, `npm start` and the CLI all read this module.
 */
import path from 'node:path';

export type AuthMode = 'auto' | 'on' | 'off';

export function consoleHome(): string {
  return path.join(process.env.ROCKETDECK_HOME || path.resolve('data'), 'console');
}

export function authMode(env: Record<string, string | undefined> = process.env): AuthMode {
  const raw = (env.ROCKETDECK_CONSOLE_AUTH ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'auto') return 'auto';
  if (raw === 'on' || raw === 'true' || raw === '1') return 'on';
  if (raw === 'off' || raw === 'false' || raw === '0') return 'off';
  throw new Error(`ROCKETDECK_CONSOLE_AUTH=${raw} is not valid: use auto, on or off`);
}

export function consoleBindHost(env: Record<string, string | undefined> = process.env): string {
  return (env.ROCKETDECK_CONSOLE_HOST || env.HOST || '127.0.0.1').trim();
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can reach the console. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare.endsWith('.localhost') || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::ffff:127.0.0.1';
}

/** Whether every request must carry a session or a token. An unreadable setting fails closed (sign-in on). */
export function authRequired(env: Record<string, string | undefined> = process.env): boolean {
  let mode: AuthMode;
  try {
    mode = authMode(env);
  } catch {
    return true;
  }
  if (mode === 'on') return true;
  if (mode === 'off') return false;
  return !isLoopbackHost(consoleBindHost(env));
}

/** One line for the start banner: why sign-in is on or off. */
export function describeAuth(env: Record<string, string | undefined> = process.env): string {
  const mode = authMode(env);
  const host = consoleBindHost(env);
  if (mode === 'on') return 'sign-in required (ROCKETDECK_CONSOLE_AUTH=on)';
  if (mode === 'off') return `sign-in off (ROCKETDECK_CONSOLE_AUTH=off)${isLoopbackHost(host) ? '' : ` although the console listens on ${host}`}`;
  return isLoopbackHost(host) ? `sign-in off: the console listens on ${host} only (ROCKETDECK_CONSOLE_AUTH=on to require it)` : `sign-in required: the console listens on ${host}`;
}

/** Origins allowed besides the request's own host (reverse proxies that rewrite Host). */
export function extraOrigins(env: Record<string, string | undefined> = process.env): string[] {
  return (env.ROCKETDECK_CONSOLE_ORIGINS ?? '').split(/[\s,;]+/).map((s) => s.trim().replace(/\/$/, '').toLowerCase()).filter(Boolean);
}
