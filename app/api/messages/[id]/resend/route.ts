/**
 * POST /api/messages/:id/resend {topic, group, clientId?}: asks one online client of the group to consume the
 * message again (CONSUME_MESSAGE_DIRECTLY through the broker) and answers how it went.
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { messageIdParam } from '@/lib/server/params';
import { resendMessageSchema as schema } from '@/lib/validation';

export const dynamic = 'force-dynamic';


export async function POST(request: Request, context: { params: Promise<{ id: string }> }) {
  const id = await messageIdParam(context);
  if (!id) return invalid({ id: 'A message id is 32 hexadecimal characters (56 for IPv6 hosts)' });
  const body = await parseBody(request, schema);
  if (!body.ok) return body.response;
  const { topic, group, clientId } = body.value;
  auditDetail(request, { action: 'message.resend', target: `${id} (${group})`, detail: { topic, group, clientId } });
  return guarded(async () => {
    const admin = await sessionAdmin();
    const connection = await admin.examineConsumerConnection(group);
    const clients = connection?.connections.map((c) => c.clientId) ?? [];
    if (clients.length === 0) return invalid({ group: `Group "${group}" has no online client to consume the message` });
    const target = clientId ?? clients[0]!;
    if (!clients.includes(target)) return invalid({ clientId: `Client ${target} is not online in group "${group}"` });
    const result = await admin.consumeMessageDirectly(group, target, topic, id);
    auditDetail(request, { after: { clientId: target, consumeResult: result.consumeResult } });
    return ok({ group, clientId: target, ...result });
  });
}
