/**
 * GET /api/messages/:id?topic=: one message by the client's msgId (UNIQ_KEY, needs the topic) or the broker's
 * offsetMsgId, with every stored field, all properties, the body rendered safely, and each consuming group's
 * delivery status, and the broker holding it (for its stable explorer link).
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, ok } from '@/lib/server/api';
import { brokerNameOf, messageTrack, toMessageView } from '@/lib/server/messages';
import { messageLookup } from '@/lib/server/params';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  const lookup = await messageLookup(request, context);
  if (!lookup.ok) return lookup.response;
  const { id, topic } = lookup;
  return guarded(async () => {
    const admin = await sessionAdmin();
    const message = await admin.viewMessage(id, topic);
    if (!message) {
      return Response.json({ error: { code: 'message_not_found', message: `No message with id ${id}${topic ? ` in topic "${topic}"` : ''}. A client msgId is found only together with its topic.` } }, { status: 404 });
    }
    const view = toMessageView(message);
    const [track, brokerName] = await Promise.all([messageTrack(admin, view), brokerNameOf(admin, view.storeHost)]);
    return ok({ message: view, track, brokerName });
  });
}
