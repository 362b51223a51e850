/**
 * GET /api/explorer/tail?topic=&queues=&tag=&key=&property=&body=&bodyMode=&ignoreCase=&json=&rate=&cursor=: a live
 * tail as server-sent events (see lib/server/explorer/tail-stream.ts). 400 with field errors for bad input,
 * 429 when TAIL_SESSIONS_MAX tails are open.
 */
import { NextResponse } from 'next/server';
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, parseQuery } from '@/lib/server/api';
import { tailRequestSchema } from '@/lib/explorer/schema';
import { tailResponse } from '@/lib/server/explorer/tail-stream';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const parsed = parseQuery(request, tailRequestSchema);
  if (!parsed.ok) return parsed.response;
  return guarded(async () => {
    const opened = await tailResponse(await sessionAdmin(), parsed.value, request.signal);
    if (opened.ok) return opened.response;
    if ('fields' in opened) return invalid(opened.fields);
    return NextResponse.json({ error: { code: 'too_many_tails', message: opened.busy } }, { status: 429 });
  });
}
