/**
 * GET /api/explorer/message?topic=&broker=&queue=&offset=[&msgId=]: the message at that position (the explorer's
 * stable link), with every field, the body rendered safely and each group's delivery status. With msgId, a
 * position that now holds another message (or none) falls back to the id, and `note` says so.
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseQuery } from '@/lib/server/api';
import { messageAtSchema } from '@/lib/explorer/schema';
import { messageAt } from '@/lib/server/explorer/message-at';
import { messageTrack, toMessageView } from '@/lib/server/messages';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const parsed = parseQuery(request, messageAtSchema);
  if (!parsed.ok) return parsed.response;
  return guarded(async () => {
    const admin = await sessionAdmin();
    const found = await messageAt(admin, parsed.value);
    if (!found.ok) return 'fields' in found ? invalid(found.fields) : Response.json({ error: { code: 'message_not_found', message: found.notFound } }, { status: 404 });
    const view = toMessageView(found.message);
    return ok({ message: view, brokerName: found.brokerName, foundBy: found.foundBy, note: found.note ?? null, track: await messageTrack(admin, view) });
  });
}
