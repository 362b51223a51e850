/**
 * GET /api/ops: the NameServer list this browser session uses, the console default and the saved lists.
 * POST /api/ops {action: switch|add|remove|reset, namesrvAddr} (admins): switch this session to any list (only
 * when a NameServer in it answers; the list is then saved), save or forget a list, or go back to the default.
 * The choice lives in this browser's cookie: other users of the console keep theirs. Read-only users switch
 * among the saved lists with POST /api/ops/session.
 */
import { consoleNamesrvAddr, sessionNamesrvAddr } from '@/lib/server/admin';
import { invalid, ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { opsState, resetSession, saveNamesrvLists, savedNamesrvLists, switchSession } from '@/lib/server/ops';
import { opsActionSchema as schema, parseNamesrvList } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET() {
  return ok(await opsState());
}

export async function POST(request: Request) {
  const body = await parseBody(request, schema);
  if (!body.ok) return body.response;
  const input = body.value;
  auditDetail(request, { action: `ops.${input.action}`, target: 'namesrvAddr' in input ? input.namesrvAddr : '', before: { current: await sessionNamesrvAddr(), saved: savedNamesrvLists() } });
  if (input.action === 'reset') return ok(await resetSession());
  const parsed = parseNamesrvList(input.namesrvAddr);
  if (!parsed.ok) return invalid({ namesrvAddr: parsed.error });
  const list = parsed.list.join(';');
  if (input.action === 'remove') {
    saveNamesrvLists(savedNamesrvLists().filter((s) => s !== list));
    return ok(await opsState());
  }
  if (input.action === 'add') {
    saveNamesrvLists([...savedNamesrvLists(), list]);
    return ok(await opsState());
  }
  const switched = await switchSession(parsed.list);
  if (!switched.ok) return invalid({ namesrvAddr: switched.error });
  saveNamesrvLists([...savedNamesrvLists(), list]);
  return ok({ ...(await opsState()), current: list, usingDefault: list === consoleNamesrvAddr() });
}
