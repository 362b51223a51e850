/** GET /api/topics: every topic with its kind. POST /api/topics: create or update on clusters / brokers. */
import type { TopicConfig } from '@broker/client/admin-client';
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { resolveTargets } from '@/lib/server/targets';
import { createTopicSchema, topicKind, topicMessageType } from '@/lib/validation';

export const dynamic = 'force-dynamic';

export async function GET() {
  return guarded(async () => {
    const admin = await sessionAdmin();
    const [topics, info, masters] = await Promise.all([admin.getTopicList(), admin.getClusterInfo(), admin.masterAddresses()]);
    const systemNames = new Set([...Object.keys(info.clusterAddrTable), ...Object.keys(info.brokerAddrTable)]);
    // One GET_ALL_TOPIC_CONFIG per broker gives each topic's message type (5.x attribute, else the order flag).
    const types = new Map<string, string>();
    const tables = await Promise.all([...masters.values()].map((addr) => admin.getAllTopicConfig(addr).catch(() => ({}) as Record<string, TopicConfig>)));
    for (const table of tables) {
      for (const [name, config] of Object.entries(table)) types.set(name, topicMessageType(config));
    }
    return ok({ topics: topics.sort().map((topic) => ({ topic, kind: topicKind(topic, systemNames), messageType: types.get(topic) ?? 'NORMAL' })) });
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
    const config = { topicName: input.topic, readQueueNums: input.readQueueNums, writeQueueNums: input.writeQueueNums, perm: input.perm, order: input.messageType === 'FIFO', ...(attributes ? { attributes } : {}) };
    const before: Record<string, unknown> = {};
    for (const [brokerName, addr] of resolved.targets) before[brokerName] = await admin.getTopicConfig(addr, input.topic).catch(() => null);
    const exists = Object.values(before).some(Boolean);
    auditDetail(request, { action: exists ? 'topic.update' : 'topic.create', target: input.topic, before });
    for (const addr of resolved.targets.values()) await admin.createOrUpdateTopic(addr, config);
    // After: as the brokers now hold it (read back, so unchanged fields compare equal).
    const after: Record<string, unknown> = {};
    for (const [brokerName, addr] of resolved.targets) after[brokerName] = await admin.getTopicConfig(addr, input.topic).catch(() => config);
    auditDetail(request, { after });
    return ok({ topic: input.topic, brokers: [...resolved.targets.keys()].sort() }, { status: 201 });
  });
}
