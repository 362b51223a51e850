/** GET /api/status: NameServer reachability and broker liveness for the shell's badge (also the e2e readiness probe). */
import { sessionAdmin } from '@/lib/server/admin';
import { ok } from '@/lib/server/api';
import { clusterOverview } from '@/lib/server/cluster-overview';

export const dynamic = 'force-dynamic';

export async function GET() {
  // Liveness needs a broker answer, not just the NameServer's table: the overview asks every broker.
  const overview = await clusterOverview(await sessionAdmin());
  return ok({
    namesrvAddr: overview.namesrvAddr,
    namesrv: overview.namesrv,
    brokers: overview.brokers.map(({ cluster, brokerName, brokerId, addr, alive, lastSeenAgoMs, error }) => ({ cluster, brokerName, brokerId, addr, alive, lastSeenAgoMs, error })),
    checkedAt: overview.checkedAt,
  });
}
