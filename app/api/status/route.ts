/** GET /api/status: NameServer reachability and broker liveness for the shell's badge (also the e2e readiness probe). */
import { sessionAdmin } from '@/lib/server/admin';
import { ok } from '@/lib/server/api';
import { clusterOverview } from '@/lib/server/cluster-overview';

export const dynamic = 'force-dynamic';

export async function GET() {
  const admin = await sessionAdmin();
  const overview = await clusterOverview(admin, false);
  // Liveness needs a broker answer, not just the NameServer's table.
  await Promise.all(
    overview.brokers.map(async (b) => {
      try {
        await admin.getBrokerRuntimeInfo(b.addr);
        b.alive = true;
        b.lastSeenAgoMs = 0;
      } catch (err) {
        b.alive = false;
        b.error = err instanceof Error ? err.message : String(err);
      }
    }),
  );
  return ok({
    namesrvAddr: overview.namesrvAddr,
    namesrv: overview.namesrv,
    brokers: overview.brokers.map(({ cluster, brokerName, brokerId, addr, alive, lastSeenAgoMs, error }) => ({ cluster, brokerName, brokerId, addr, alive, lastSeenAgoMs, error })),
    checkedAt: overview.checkedAt,
  });
}
