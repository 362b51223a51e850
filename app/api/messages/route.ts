/**
 * GET /api/messages?topic=&begin=&end=&page=&pageSize=: a topic's messages stored in [begin, end), paged on
 * the server. GET /api/messages?topic=&key=: messages with that key (the broker's index), newest first.
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseQuery } from '@/lib/server/api';
import { queryTopicPage, toMessageRow } from '@/lib/server/messages';
import { messageKeyQuerySchema, messageQuerySchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  if (new URL(request.url).searchParams.has('key')) {
    const parsed = parseQuery(request, messageKeyQuerySchema);
    if (!parsed.ok) return parsed.response;
    const { topic, key } = parsed.value;
    return guarded(async () => {
      const admin = await sessionAdmin();
      const route = await admin.getTopicRoute(topic);
      if (!route) return invalid({ topic: `Topic "${topic}" does not exist` });
      const found = await admin.queryMessageByKey(topic, key, { maxNum: 64 });
      const info = await admin.getClusterInfo();
      const nameOf = (host: string) => Object.values(info.brokerAddrTable).find((b) => Object.values(b.brokerAddrs).includes(host))?.brokerName ?? host;
      return ok({ topic, key, messages: found.map((m) => toMessageRow(m, nameOf(`${m.storeHost.address}:${m.storeHost.port}`))) });
    });
  }
  const parsed = parseQuery(request, messageQuerySchema);
  if (!parsed.ok) return parsed.response;
  const { topic, begin, end, page, pageSize } = parsed.value;
  return guarded(async () => {
    const result = await queryTopicPage(await sessionAdmin(), topic, begin, end, page, pageSize);
    if (!result) return invalid({ topic: `Topic "${topic}" does not exist` });
    return ok(result);
  });
}
