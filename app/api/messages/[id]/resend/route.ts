/**
 * POST /api/messages/:id/resend {topic, group, clientId?}: asks one online client of the group to consume the
 * message again (CONSUME_MESSAGE_DIRECTLY through the broker) and answers how it went.
 */
import { z } from 'zod';
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { messageIdParam } from '@/lib/server/params';
import { existingTopicSchema, groupNameSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

const schema = z.object({ topic: existingTopicSchema, group: groupNameSchema, clientId: z.string().max(255).optional() });

export async function POST(request: Request, context: { params: Promise<{ id: string }> }) {
  const id = await messageIdParam(context);
  if (!id) return invalid({ id: 'A message id is 32 hexadecimal characters (56 for IPv6 hosts)' });
  const body = await parseBody(request, schema);
  if (!body.ok) return body.response;
  const { topic, group, clientId } = body.value;
  return guarded(async () => {
    const admin = await sessionAdmin();
    const connection = await admin.examineConsumerConnection(group);
    const clients = connection?.connections.map((c) => c.clientId) ?? [];
    if (clients.length === 0) return invalid({ group: `Group "${group}" has no online client to consume the message` });
    const target = clientId ?? clients[0]!;
    if (!clients.includes(target)) return invalid({ clientId: `Client ${target} is not online in group "${group}"` });
    const result = await admin.consumeMessageDirectly(group, target, topic, id);
    return ok({ group, clientId: target, ...result });
  });
}
