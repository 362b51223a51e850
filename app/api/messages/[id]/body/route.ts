/** GET /api/messages/:id/body?topic=: the raw body bytes of one message (by msgId or offsetMsgId), as a download. */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid } from '@/lib/server/api';
import { rawBodyResponse } from '@/lib/server/explorer/message-at';
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
    const message = await (await sessionAdmin()).viewMessage(id, topic?.data);
    if (!message) return Response.json({ error: { code: 'message_not_found', message: `No message with id ${id}${topic ? ` in topic "${topic.data}"` : ''}` } }, { status: 404 });
    return rawBodyResponse(message);
  });
}
