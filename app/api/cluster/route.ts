/** GET /api/cluster: every broker with its runtime figures, each NameServer of the list, brokers that left (Dashboard and Cluster pages). */
import { sessionAdmin } from '@/lib/server/admin';
import { ok } from '@/lib/server/api';
import { clusterOverview } from '@/lib/server/cluster-overview';

export const dynamic = 'force-dynamic';

export async function GET() {
  return ok(await clusterOverview(await sessionAdmin(), { namesrvs: true }));
}
