/** GET /api/topics: every topic with its kind. POST /api/topics: create or update on clusters / brokers. */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { resolveTargets } from '@/lib/server/targets';
import { createTopicSchema, topicKind } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET() {
  return guarded(async () => {
    const admin = await sessionAdmin();
    const [topics, info] = await Promise.all([admin.getTopicList(), admin.getClusterInfo()]);
    const systemNames = new Set([...Object.keys(info.clusterAddrTable), ...Object.keys(info.brokerAddrTable)]);
    return ok({ topics: topics.sort().map((topic) => ({ topic, kind: topicKind(topic, systemNames) })) });
  });
}

export async function POST(request: Request) {
  const body = await parseBody(request, createTopicSchema);
  if (!body.ok) return body.response;
  const input = body.value;
  return guarded(async () => {
    const admin = await sessionAdmin();
    const resolved = await resolveTargets(admin, input.clusters, input.brokers);
    if (!resolved.ok) return invalid(resolved.fields);
    const attributes = input.messageType === 'NORMAL' ? undefined : { '+message.type': input.messageType };
    for (const addr of resolved.targets.values()) {
      await admin.createOrUpdateTopic(addr, {
        topicName: input.topic,
        readQueueNums: input.readQueueNums,
        writeQueueNums: input.writeQueueNums,
        perm: input.perm,
        order: input.messageType === 'FIFO',
        ...(attributes ? { attributes } : {}),
      });
    }
    return ok({ topic: input.topic, brokers: [...resolved.targets.keys()].sort() }, { status: 201 });
  });
}
