/** POST /api/topics/:topic/send {tags, keys, body, properties, delayLevel}: SEND MESSAGE; answers RocketMQ's SendResult. */
import { sessionProducer } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { topicParam } from '@/lib/server/params';
import { sendMessageSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, context: { params: Promise<{ topic: string }> }) {
  const topic = await topicParam(context);
  if (!topic) return invalid({ topic: 'Not a valid topic name' });
  auditDetail(request, { action: 'message.send', target: topic });
  const body = await parseBody(request, sendMessageSchema);
  if (!body.ok) return body.response;
  const input = body.value;
  return guarded(async () => {
    const producer = await sessionProducer();
    const properties = Object.fromEntries(input.properties.map((p) => [p.key, p.value]));
    const result = await producer.send({
      topic,
      body: input.body,
      ...(input.tags ? { tags: input.tags } : {}),
      ...(input.keys ? { keys: input.keys.split(/\s+/).filter(Boolean) } : {}),
      ...(input.delayLevel > 0 ? { delayLevel: input.delayLevel } : {}),
      properties,
    });
    auditDetail(request, { after: { msgId: result.msgId, sendStatus: result.sendStatus, queue: result.messageQueue, queueOffset: result.queueOffset }, detail: { tags: input.tags, keys: input.keys, bodyBytes: Buffer.byteLength(input.body) } });
    return ok({ sendStatus: result.sendStatus, msgId: result.msgId, offsetMsgId: result.offsetMsgId, messageQueue: result.messageQueue, queueOffset: result.queueOffset, regionId: result.regionId });
  });
}
