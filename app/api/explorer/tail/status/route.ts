/** GET /api/explorer/tail/status: live tails open, their pulls waiting at brokers, and scans running (0 once every browser left). */
import { ok } from '@/lib/server/api';
import { runningScans } from '@/lib/server/explorer/scan-registry';
import { tailStatus } from '@/lib/server/explorer/tail';

export const dynamic = 'force-dynamic';

export function GET() {
  return ok({ ...tailStatus(), scans: runningScans() });
}
