/** The OPS page's saved NameServer lists (kept in ROCKETDECK_HOME/console/namesrv.json) and this session's choice. */
import fs from 'node:fs';
import path from 'node:path';
import { cookies } from 'next/headers';
import { AdminClient } from '@broker/client/admin-client';
import { consoleNamesrvAddr, NAMESRV_COOKIE, sessionNamesrvAddr } from './admin';

const MAX_SAVED = 32;

function file(): string {
  return path.join(process.env.ROCKETDECK_HOME || path.resolve('data'), 'console', 'namesrv.json');
}

export function savedNamesrvLists(): string[] {
  try {
    const raw = JSON.parse(fs.readFileSync(file(), 'utf8')) as { saved?: unknown };
    return Array.isArray(raw.saved) ? raw.saved.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

export function saveNamesrvLists(saved: string[]): void {
  const target = file();
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ saved: [...new Set(saved)].slice(0, MAX_SAVED) }, null, 2));
  fs.renameSync(tmp, target);
}

/**
 * Points this browser session at a NameServer list once one of its NameServers answers (the cookie is
 * http-only, same-site strict, 30 days); the error text for the form's field when none does.
 */
export async function switchSession(list: string[]): Promise<{ ok: true } | { ok: false; error: string }> {
  const joined = list.join(';');
  const probe = new AdminClient({ namesrvAddr: list, timeoutMs: 2_500 });
  try {
    await probe.getClusterInfo();
  } catch (err) {
    return { ok: false, error: `No NameServer answered at ${joined}: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    await probe.close();
  }
  (await cookies()).set(NAMESRV_COOKIE, encodeURIComponent(joined), { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 30 * 86_400 });
  return { ok: true };
}

/** This session back on the console's default NameServer list; the OPS state to answer. */
export async function resetSession() {
  (await cookies()).delete(NAMESRV_COOKIE);
  // The request still carries the old cookie, so the state says the default in so many words.
  return { ...(await opsState()), current: consoleNamesrvAddr(), usingDefault: true };
}

/** What GET /api/ops answers: this session's list, the default, and every list it may switch to. */
export async function opsState() {
  const current = await sessionNamesrvAddr();
  const fallback = consoleNamesrvAddr();
  return { current, default: fallback, usingDefault: current === fallback, saved: [...new Set([fallback, ...savedNamesrvLists()])] };
}
