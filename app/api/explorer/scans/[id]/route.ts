/**
 * GET /api/explorer/scans/:id?after=N: the scan's progress and its results from the N-th on (a poll asks only for
 * what it has not seen). DELETE: cancel it (it stops before its next pull). 404 for an unknown or forgotten scan.
 */
import { invalid, ok, parseQuery } from '@/lib/server/api';
import { scanIdSchema, scanPollQuerySchema } from '@/lib/explorer/schema';
import { cancelScan, readScan } from '@/lib/server/explorer/scan-registry';

export const dynamic = 'force-dynamic';

const notFound = (id: string) => Response.json({ error: { code: 'scan_not_found', message: `No scan ${id}: it ended more than 5 minutes ago, or the console restarted` } }, { status: 404 });

async function scanId(context: { params: Promise<{ id: string }> }): Promise<string | null> {
  const parsed = scanIdSchema.safeParse((await context.params).id);
  return parsed.success ? parsed.data : null;
}

export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  const id = await scanId(context);
  if (!id) return invalid({ id: 'Not a scan id' });
  const query = parseQuery(request, scanPollQuerySchema);
  if (!query.ok) return query.response;
  const snapshot = readScan(id, query.value.after);
  return snapshot ? ok(snapshot) : notFound(id);
}

export async function DELETE(_request: Request, context: { params: Promise<{ id: string }> }) {
  const id = await scanId(context);
  if (!id) return invalid({ id: 'Not a scan id' });
  const snapshot = cancelScan(id);
  return snapshot ? ok(snapshot) : notFound(id);
}
