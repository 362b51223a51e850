/**
 * GET /api/messages/:id?topic=: one message by the client's msgId (UNIQ_KEY, needs the topic) or the broker's
 * offsetMsgId, with every stored field, all properties, the body rendered safely, and each consuming group's
 * delivery status, and the broker holding it (for its stable explorer link).
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok } from '@/lib/server/api';
import { brokerNameOf, messageTrack, toMessageView } from '@/lib/server/messages';
import { messageIdParam } from '@/lib/server/params';
import { existingTopicSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  const id = await messageIdParam(context);
  if (!id) return invalid({ id: 'A message id is 32 hexadecimal characters (56 for IPv6 hosts)' });
  const topicText = new URL(request.url).searchParams.get('topic');
  const topic = topicText ? existingTopicSchema.safeParse(topicText) : null;
  if (topic && !topic.success) return invalid({ topic: topic.error.issues[0]?.message ?? 'Not a valid topic name' });
  return guarded(async () => {
    const admin = await sessionAdmin();
    const message = await admin.viewMessage(id, topic?.data);
    if (!message) {
      return Response.json({ error: { code: 'message_not_found', message: `No message with id ${id}${topic ? ` in topic "${topic.data}"` : ''}. A client msgId is found only together with its topic.` } }, { status: 404 });
    }
    const view = toMessageView(message);
    const [track, brokerName] = await Promise.all([messageTrack(admin, view), brokerNameOf(admin, view.storeHost)]);
    return ok({ message: view, track, brokerName });
  });
}
