/** GET /api/producers?topic=&group=: the connections of a producer group on the brokers of a topic. */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, ok, parseQuery } from '@/lib/server/api';
import { producerQuerySchema } from '@/lib/validation';
import { versionName } from '@broker/protocol/language-code';

export const dynamic = 'force-dynamic';


export async function GET(request: Request) {
  const parsed = parseQuery(request, producerQuerySchema);
  if (!parsed.ok) return parsed.response;
  const { topic, group } = parsed.value;
  return guarded(async () => {
    const admin = await sessionAdmin();
    if (!(await admin.getTopicRoute(topic))) return ok({ topic, group, exists: false, connections: [] });
    const connections = await admin.examineProducerConnections(topic, group);
    return ok({ topic, group, exists: true, connections: connections.map((c) => ({ ...c, versionDesc: versionName(c.version) })) });
  });
}
