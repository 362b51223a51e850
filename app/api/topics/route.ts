/** GET /api/topics: every topic with its kind. POST /api/topics: create or update on clusters / brokers. */
import { getAdmin } from '@/lib/server/admin';
import { clusterError, fromZod, invalid, ok, readJson } from '@/lib/server/api';
import { createTopicSchema, topicKind } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET() {
  const admin = getAdmin();
  try {
    const [topics, info] = await Promise.all([admin.getTopicList(), admin.getClusterInfo()]);
    const systemNames = new Set([...Object.keys(info.clusterAddrTable), ...Object.keys(info.brokerAddrTable)]);
    return ok({ topics: topics.map((topic) => ({ topic, kind: topicKind(topic, systemNames) })) });
  } catch (err) {
    return clusterError(err);
  }
}

export async function POST(request: Request) {
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const parsed = createTopicSchema.safeParse(body.value);
  if (!parsed.success) return fromZod(parsed.error);
  const input = parsed.data;
  const admin = getAdmin();
  try {
    const info = await admin.getClusterInfo();
    const targets = new Map<string, string>();
    for (const cluster of input.clusters) {
      const names = info.clusterAddrTable[cluster];
      if (!names) return invalid({ clusters: `Cluster "${cluster}" does not exist` });
      for (const name of names) {
        const addr = info.brokerAddrTable[name]?.brokerAddrs['0'];
        if (addr) targets.set(name, addr);
      }
    }
    for (const name of input.brokers) {
      const addr = info.brokerAddrTable[name]?.brokerAddrs['0'];
      if (!addr) return invalid({ brokers: `Broker "${name}" has no master registered` });
      targets.set(name, addr);
    }
    const attributes = input.messageType === 'NORMAL' ? undefined : { '+message.type': input.messageType };
    for (const addr of targets.values()) {
      await admin.createOrUpdateTopic(addr, {
        topicName: input.topic,
        readQueueNums: input.readQueueNums,
        writeQueueNums: input.writeQueueNums,
        perm: input.perm,
        order: input.messageType === 'FIFO',
        ...(attributes ? { attributes } : {}),
      });
    }
    return ok({ topic: input.topic, brokers: [...targets.keys()].sort() }, { status: 201 });
  } catch (err) {
    return clusterError(err);
  }
}
