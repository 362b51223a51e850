/** GET /api/explorer/message/body?topic=&broker=&queue=&offset=[&msgId=]: the raw body bytes of that message, as a download. */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, parseQuery } from '@/lib/server/api';
import { messageAtSchema } from '@/lib/explorer/schema';
import { messageAt, rawBodyResponse } from '@/lib/server/explorer/message-at';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const parsed = parseQuery(request, messageAtSchema);
  if (!parsed.ok) return parsed.response;
  return guarded(async () => {
    const found = await messageAt(await sessionAdmin(), parsed.value);
    if (!found.ok) return 'fields' in found ? invalid(found.fields) : Response.json({ error: { code: 'message_not_found', message: found.notFound } }, { status: 404 });
    return rawBodyResponse(found.message);
  });
}
