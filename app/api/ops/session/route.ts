/**
 * POST /api/ops/session {action: use, namesrvAddr} | {action: reset}: this browser session (any signed-in user,
 * read-only too) moves to one of the console's cluster connections: the default or a list an admin saved on the
 * OPS page. It changes nothing shared, only this session's cookie; an address that is not saved is refused, so
 * the console connects only where an admin let it.
 */
import { consoleNamesrvAddr, sessionNamesrvAddr } from '@/lib/server/admin';
import { invalid, ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { opsState, resetSession, savedNamesrvLists, switchSession } from '@/lib/server/ops';
import { opsSessionSchema, parseNamesrvList } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  const body = await parseBody(request, opsSessionSchema);
  if (!body.ok) return body.response;
  const input = body.value;
  auditDetail(request, { action: `ops.session.${input.action}`, target: input.action === 'use' ? input.namesrvAddr : consoleNamesrvAddr(), before: { current: await sessionNamesrvAddr() } });
  if (input.action === 'reset') return ok(await resetSession());
  const parsed = parseNamesrvList(input.namesrvAddr);
  if (!parsed.ok) return invalid({ namesrvAddr: parsed.error });
  const list = parsed.list.join(';');
  if (list === consoleNamesrvAddr()) return ok(await resetSession());
  if (!savedNamesrvLists().includes(list)) return invalid({ namesrvAddr: `${list} is not a saved cluster connection; an admin saves it on the OPS page first` });
  const switched = await switchSession(parsed.list);
  if (!switched.ok) return invalid({ namesrvAddr: switched.error });
  return ok({ ...(await opsState()), current: list, usingDefault: false });
}
