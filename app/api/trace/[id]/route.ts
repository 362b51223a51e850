/** GET /api/trace/:id?traceTopic=: the trace of one message (the client's msgId) from RMQ_SYS_TRACE_TOPIC, as a timeline. */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok } from '@/lib/server/api';
import { messageIdParam } from '@/lib/server/params';
import { buildTimeline } from '@/lib/server/trace';
import { existingTopicSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  const id = await messageIdParam(context);
  if (!id) return invalid({ id: 'A message id is 32 hexadecimal characters (56 for IPv6 hosts)' });
  const topicText = new URL(request.url).searchParams.get('traceTopic') || 'RMQ_SYS_TRACE_TOPIC';
  const traceTopic = existingTopicSchema.safeParse(topicText);
  if (!traceTopic.success) return invalid({ traceTopic: traceTopic.error.issues[0]?.message ?? 'Not a valid topic name' });
  return guarded(async () => {
    const admin = await sessionAdmin();
    return ok(buildTimeline(id, await admin.queryTrace(id, traceTopic.data)));
  });
}
