/**
 * One message by its position: topic, broker, queue and queue offset (what the explorer's stable links name),
 * read with a single PULL_MESSAGE. When the link also names the msgId and the position no longer holds that
 * message (retention removed it, the topic was recreated), the msgId is looked up instead, and the answer says so.
 */
import type { AdminClient } from '@broker/client/admin-client';
import type { MessageExt } from '@broker/client/message';
import type { MessageAt } from '@/lib/explorer/schema';
import { bodyKindOf, TOOLS_CONSUMER_GROUP } from '../messages';

export type MessageAtResult =
  | { ok: true; message: MessageExt; brokerName: string; foundBy: 'position' | 'id'; note?: string }
  | { ok: false; fields: Record<string, string> }
  | { ok: false; notFound: string };

export async function messageAt(admin: AdminClient, at: MessageAt): Promise<MessageAtResult> {
  const route = await admin.getTopicRoute(at.topic);
  if (!route) return { ok: false, fields: { topic: `Topic "${at.topic}" does not exist` } };
  const addr = route.brokerDatas.find((b) => b.brokerName === at.broker)?.brokerAddrs['0'];
  if (!addr) return { ok: false, fields: { broker: `Topic "${at.topic}" has no queues on broker "${at.broker}"` } };
  const readQueues = route.queueDatas.find((q) => q.brokerName === at.broker)?.readQueueNums ?? 0;
  if (at.queue >= readQueues) return { ok: false, fields: { queue: `Broker "${at.broker}" has ${readQueues} readable queues of "${at.topic}" (0 to ${readQueues - 1})` } };
  const pulled = await admin.pullOnce(addr, { consumerGroup: TOOLS_CONSUMER_GROUP, topic: at.topic, queueId: at.queue, offset: at.offset, maxNums: 1 });
  const there = pulled.messages.find((m) => m.queueOffset === at.offset);
  const sameId = (m: MessageExt) => !at.msgId || m.msgId === at.msgId || m.offsetMsgId === at.msgId;
  if (there && sameId(there)) return { ok: true, message: there, brokerName: at.broker, foundBy: 'position' };
  const where = `${at.broker}:${at.queue} offset ${at.offset}`;
  if (at.msgId) {
    const byId = await admin.viewMessage(at.msgId, at.topic).catch(() => null);
    if (byId) {
      const note = there ? `${where} now holds another message; this is ${at.msgId}, found by its id` : `${where} holds no message any more; this is ${at.msgId}, found by its id`;
      return { ok: true, message: byId, brokerName: at.broker, foundBy: 'id', note };
    }
  }
  const range = `the queue holds offsets ${pulled.minOffset} to ${Math.max(pulled.minOffset, pulled.maxOffset - 1)}`;
  return { ok: false, notFound: `No message${at.msgId ? ` ${at.msgId}` : ''} at ${where} (${pulled.maxOffset > pulled.minOffset ? range : 'the queue is empty'})` };
}

/** The raw body as a download: never rendered by the browser, whatever the bytes are. */
export function rawBodyResponse(message: MessageExt): Response {
  const kind = bodyKindOf(message.body, message.bodyCompressed);
  const extension = kind === 'json' ? 'json' : kind === 'text' ? 'txt' : 'bin';
  return new Response(new Uint8Array(message.body), {
    headers: {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${message.msgId}.${extension}"`,
      'content-length': String(message.body.length),
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'no-store',
    },
  });
}
