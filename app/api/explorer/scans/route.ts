/**
 * POST /api/explorer/scans {topic, queues?, seek, seekTime?, seekOffset?, newest?, tag?, key?, property?, body?,
 * bodyMode?, ignoreCase?, json?, maxMessages?, maxResults?, maxSeconds?}: starts a bounded scan (201 with its
 * first snapshot); poll GET /api/explorer/scans/:id, cancel with DELETE. 429 when too many scans run.
 */
import { NextResponse } from 'next/server';
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { scanRequestSchema } from '@/lib/explorer/schema';
import { startScan } from '@/lib/server/explorer/scan-registry';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  const body = await parseBody(request, scanRequestSchema);
  if (!body.ok) return body.response;
  return guarded(async () => {
    const started = await startScan(await sessionAdmin(), body.value);
    if (started.ok) return ok(started.snapshot, { status: 201 });
    if ('fields' in started) return invalid(started.fields);
    return NextResponse.json({ error: { code: 'too_many_scans', message: started.busy } }, { status: 429 });
  });
}
