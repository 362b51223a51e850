/**
 * GET /api/ops: the NameServer list this browser session uses, the console default and the saved lists.
 * POST /api/ops {action: switch|add|remove|reset, namesrvAddr}: switch this session to a list (only when a
 * NameServer in it answers), save or forget a list, or go back to the default. The choice lives in this
 * browser's cookie: other users of the console keep theirs.
 */
import { cookies } from 'next/headers';
import { AdminClient } from '@broker/client/admin-client';
import { consoleNamesrvAddr, NAMESRV_COOKIE, sessionNamesrvAddr } from '@/lib/server/admin';
import { invalid, ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { saveNamesrvLists, savedNamesrvLists } from '@/lib/server/ops';
import { opsActionSchema as schema, parseNamesrvList } from '@/lib/validation';

export const dynamic = 'force-dynamic';

async function state() {
  const current = await sessionNamesrvAddr();
  const fallback = consoleNamesrvAddr();
  const saved = savedNamesrvLists();
  return { current, default: fallback, usingDefault: current === fallback, saved: [...new Set([fallback, ...saved])] };
}

export async function GET() {
  return ok(await state());
}


export async function POST(request: Request) {
  const body = await parseBody(request, schema);
  if (!body.ok) return body.response;
  const input = body.value;
  auditDetail(request, { action: `ops.${input.action}`, target: 'namesrvAddr' in input ? input.namesrvAddr : '', before: { current: await sessionNamesrvAddr(), saved: savedNamesrvLists() } });
  const jar = await cookies();
  if (input.action === 'reset') {
    jar.delete(NAMESRV_COOKIE);
    return ok({ ...(await state()), current: consoleNamesrvAddr(), usingDefault: true });
  }
  const parsed = parseNamesrvList(input.namesrvAddr);
  if (!parsed.ok) return invalid({ namesrvAddr: parsed.error });
  const list = parsed.list.join(';');
  if (input.action === 'remove') {
    saveNamesrvLists(savedNamesrvLists().filter((s) => s !== list));
    return ok(await state());
  }
  if (input.action === 'add') {
    saveNamesrvLists([...savedNamesrvLists(), list]);
    return ok(await state());
  }
  const probe = new AdminClient({ namesrvAddr: parsed.list, timeoutMs: 2_500 });
  try {
    await probe.getClusterInfo();
  } catch (err) {
    return invalid({ namesrvAddr: `No NameServer answered at ${list}: ${err instanceof Error ? err.message : String(err)}` });
  } finally {
    await probe.close();
  }
  jar.set(NAMESRV_COOKIE, encodeURIComponent(list), { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 30 * 86_400 });
  saveNamesrvLists([...savedNamesrvLists(), list]);
  return ok({ ...(await state()), current: list, usingDefault: list === consoleNamesrvAddr() });
}
