/**
 * GET /api/ops/health?namesrvAddr=<list>: the health summary of one cluster connection the OPS page lists (a
 * saved list, the console default or this session's). Other addresses are refused: the console does not probe
 * arbitrary hosts for whoever asks.
 */
import { invalid, ok, parseQuery } from '@/lib/server/api';
import { clusterHealth } from '@/lib/server/cluster-health';
import { consoleNamesrvAddr, sessionNamesrvAddr } from '@/lib/server/admin';
import { savedNamesrvLists } from '@/lib/server/ops';
import { namesrvSchema, parseNamesrvList } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const query = parseQuery(request, namesrvSchema);
  if (!query.ok) return query.response;
  const parsed = parseNamesrvList(query.value.namesrvAddr);
  if (!parsed.ok) return invalid({ namesrvAddr: parsed.error });
  const list = parsed.list.join(';');
  const listed = new Set([consoleNamesrvAddr(), await sessionNamesrvAddr(), ...savedNamesrvLists()]);
  if (!listed.has(list)) return invalid({ namesrvAddr: `${list} is not a saved cluster connection; save it on the OPS page first` });
  return ok(await clusterHealth(parsed.list));
}
