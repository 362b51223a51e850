/** GET /api/messages/:id/body?topic=: the raw body bytes of one message (by msgId or offsetMsgId), as a download. */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded } from '@/lib/server/api';
import { rawBodyResponse } from '@/lib/server/explorer/message-at';
import { messageLookup } from '@/lib/server/params';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  const lookup = await messageLookup(request, context);
  if (!lookup.ok) return lookup.response;
  const { id, topic } = lookup;
  return guarded(async () => {
    const message = await (await sessionAdmin()).viewMessage(id, topic);
    if (!message) return Response.json({ error: { code: 'message_not_found', message: `No message with id ${id}${topic ? ` in topic "${topic}"` : ''}` } }, { status: 404 });
    return rawBodyResponse(message);
  });
}
