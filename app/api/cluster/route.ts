/** GET /api/cluster: every broker with its runtime figures (Dashboard and Cluster pages). */
import { getAdmin } from '@/lib/server/admin';
import { ok } from '@/lib/server/api';
import { clusterOverview } from '@/lib/server/cluster-overview';

export const dynamic = 'force-dynamic';

export async function GET() {
  return ok(await clusterOverview(getAdmin(), true));
}
