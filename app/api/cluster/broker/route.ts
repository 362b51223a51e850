/** GET /api/cluster/broker?addr=host:port&view=status|config: one broker's runtime figures or configuration. */
import { sessionAdmin } from '@/lib/server/admin';
import { clusterError, invalid, ok } from '@/lib/server/api';
import { isHostPort } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const url = new URL(request.url);
  const addr = url.searchParams.get('addr') ?? '';
  const view = url.searchParams.get('view') ?? 'status';
  if (!isHostPort(addr)) return invalid({ addr: 'Give the broker address as host:port, e.g. 127.0.0.1:10911' });
  if (view !== 'status' && view !== 'config') return invalid({ view: 'view must be "status" or "config"' });
  const admin = await sessionAdmin();
  // Only brokers of the managed cluster: the console is not a proxy to arbitrary addresses.
  const masters = await admin.getClusterInfo().catch((err: unknown) => err as Error);
  if (masters instanceof Error) return clusterError(masters);
  const known = Object.values(masters.brokerAddrTable).some((b) => Object.values(b.brokerAddrs).includes(addr));
  if (!known) return invalid({ addr: `${addr} is not a broker of this cluster` });
  try {
    const table = view === 'status' ? await admin.getBrokerRuntimeInfo(addr) : await admin.getBrokerConfig(addr);
    return ok({ addr, view, table });
  } catch (err) {
    return clusterError(err);
  }
}
