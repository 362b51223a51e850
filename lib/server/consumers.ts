/**
 * Consumer groups as the Consumer page shows them. The list is built from one GET_ALL_SUBSCRIPTIONGROUP_CONFIG
 * per master, then per group and broker one GET_CONSUME_STATS and one GET_CONSUMER_CONNECTION_LIST, at most
 * 32 in flight, and cached for 10 s per NameServer list: a page view is one cached read, not N+1 calls.
 */
import type { AdminClient, ConsumeStats, ConsumerConnection, SubscriptionGroupConfig } from '@broker/client/admin-client';
import { versionName } from '@broker/protocol/language-code';
import { mapLimit, TtlCache } from './concurrency';

export interface GroupSummary {
  group: string;
  system: boolean;
  brokers: string[];
  clients: number;
  version: string | null;
  consumeType: string | null;
  messageModel: string | null;
  consumeTps: number;
  /** Messages behind, summed over every queue (broker max offset − committed offset). */
  lag: number;
  topics: string[];
  /** Newest store time the group has consumed up to (ms), 0 when it never consumed. */
  lastConsumeTimestamp: number;
  orderly: boolean;
}

export interface GroupList {
  groups: GroupSummary[];
  builtAt: number;
  buildMs: number;
}

const SYSTEM_GROUPS = new Set(['TOOLS_CONSUMER', 'FILTERSRV_CONSUMER', '__MONITOR_CONSUMER', 'CID_ONS-HTTP-PROXY', 'CID_ONSAPI_PERMISSION', 'CID_ONSAPI_OWNER', 'CID_ONSAPI_PULL', 'SELF_TEST_C_GROUP', 'CID_SYS_RMQ_TRANS', 'CLIENT_INNER_PRODUCER', 'SELF_TEST_P_GROUP', 'rocketdeck_console_producer']);

export function isSystemGroup(group: string): boolean {
  return SYSTEM_GROUPS.has(group) || group.startsWith('CID_RMQ_SYS_');
}

const listCache = ((globalThis as unknown as { __rocketdeckGroups?: TtlCache<GroupList> }).__rocketdeckGroups ??= new TtlCache<GroupList>(10_000, 16));

export function invalidateGroupList(): void {
  listCache.invalidate();
}

export function lagOf(stats: ConsumeStats): number {
  return stats.offsetTable.reduce((sum, o) => sum + Math.max(0, o.brokerOffset - o.consumerOffset), 0);
}

async function buildGroupList(admin: AdminClient): Promise<GroupList> {
  const started = Date.now();
  const masters = await admin.masterAddresses();
  const groups = await admin.getAllConsumerGroups();
  const entries = [...groups.entries()];
  const summaries = await mapLimit(entries, 32, async ([group, { brokers, config }]) => {
    const summary: GroupSummary = {
      group, system: isSystemGroup(group), brokers: [...brokers].sort(), clients: 0, version: null, consumeType: null, messageModel: null,
      consumeTps: 0, lag: 0, topics: [], lastConsumeTimestamp: 0, orderly: Boolean(config.consumeMessageOrderly),
    };
    const topics = new Set<string>();
    for (const brokerName of brokers) {
      const addr = masters.get(brokerName);
      if (!addr) continue;
      const [stats, connection] = await Promise.all([
        admin.getConsumeStats(addr, group).catch(() => null),
        summary.clients > 0 ? Promise.resolve(null) : admin.getConsumerConnectionList(addr, group).catch(() => null),
      ]);
      if (stats) {
        summary.consumeTps += stats.consumeTps;
        summary.lag += lagOf(stats);
        for (const o of stats.offsetTable) {
          if (!o.queue.topic.startsWith('%RETRY%')) topics.add(o.queue.topic);
          summary.lastConsumeTimestamp = Math.max(summary.lastConsumeTimestamp, o.lastTimestamp);
        }
      }
      if (connection && connection.connections.length > 0) applyConnection(summary, connection);
    }
    summary.topics = [...topics].sort();
    return summary;
  });
  summaries.sort((a, b) => a.group.localeCompare(b.group));
  return { groups: summaries, builtAt: Date.now(), buildMs: Date.now() - started };
}

function applyConnection(summary: GroupSummary, connection: ConsumerConnection): void {
  summary.clients = connection.connections.length;
  // A gRPC (5.x) client's own version says more than RocketMQ's V5_0_0 it registers with.
  const versions = [...new Set(connection.connections.map((c) => (c.protocol === 'gRPC' && c.clientVersion ? `gRPC ${c.clientVersion}` : versionName(c.version))))];
  summary.version = versions.sort().join(', ');
  summary.consumeType = connection.consumeType || null;
  summary.messageModel = connection.messageModel || null;
}

export function groupList(admin: AdminClient, options: { fresh?: boolean } = {}): Promise<GroupList> {
  return listCache.get(admin.namesrvAddr.join(';'), () => buildGroupList(admin), options);
}

export interface GroupQueueRow {
  topic: string;
  brokerName: string;
  queueId: number;
  brokerOffset: number;
  consumerOffset: number;
  lag: number;
  lastTimestamp: number;
}

/** Per queue offsets and lag of one group (CONSUME DETAIL), over every broker that has the group. */
export async function groupQueues(admin: AdminClient, group: string, topic?: string): Promise<{ consumeTps: number; lag: number; queues: GroupQueueRow[] }> {
  const stats = await admin.examineConsumeStats(group, topic);
  const queues = stats.offsetTable.map((o) => ({
    topic: o.queue.topic, brokerName: o.queue.brokerName, queueId: o.queue.queueId,
    brokerOffset: o.brokerOffset, consumerOffset: o.consumerOffset, lag: Math.max(0, o.brokerOffset - o.consumerOffset), lastTimestamp: o.lastTimestamp,
  }));
  return { consumeTps: stats.consumeTps, lag: lagOf(stats), queues };
}

/** The group's subscription group config on every master that has it. */
export async function groupConfigs(admin: AdminClient, group: string): Promise<{ brokerName: string; addr: string; config: SubscriptionGroupConfig }[]> {
  const masters = await admin.masterAddresses();
  const out: { brokerName: string; addr: string; config: SubscriptionGroupConfig }[] = [];
  for (const [brokerName, addr] of [...masters].sort()) {
    const config = await admin.getSubscriptionGroupConfig(addr, group).catch(() => null);
    if (config) out.push({ brokerName, addr, config });
  }
  return out;
}
