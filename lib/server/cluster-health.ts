/**
 * The health summary of one saved cluster connection (OPS page): each NameServer of the list on its own, the
 * brokers registered and how many answer, and the number of topics, or why the cluster could not be reached.
 * A short-lived Admin client is used and closed, so checking many saved lists does not evict the clients the
 * browser sessions work with.
 */
import { AdminClient, type NamesrvProbe } from '@broker/client/admin-client';
import { clusterOverview } from '@/lib/server/cluster-overview';
import { topicKind } from '@/lib/validation';

/** A health check never waits longer than this per request: a dead address must not hold the page. */
const HEALTH_TIMEOUT_MS = 2_500;

export interface ClusterHealth {
  namesrvAddr: string;
  /** At least one NameServer of the list answered. */
  reachable: boolean;
  namesrvs: NamesrvProbe[];
  clusters: string[];
  brokers: { total: number; alive: number; notAnswering: string[] };
  /** Topics an application would use (retry, DLQ and system topics left out); null when unknown. */
  topics: number | null;
  /** Brokers known to some NameServers of the list but not to others. */
  unevenRegistration: boolean;
  error?: string;
  checkedAt: number;
}

export async function clusterHealth(namesrvAddr: string[]): Promise<ClusterHealth> {
  const admin = new AdminClient({ namesrvAddr, timeoutMs: HEALTH_TIMEOUT_MS });
  try {
    const overview = await clusterOverview(admin, { namesrvs: true });
    const namesrvs = overview.namesrvs ?? [];
    const base = { namesrvAddr: overview.namesrvAddr, namesrvs, checkedAt: overview.checkedAt };
    if (!overview.namesrv.reachable) {
      return { ...base, reachable: false, clusters: [], brokers: { total: 0, alive: 0, notAnswering: [] }, topics: null, unevenRegistration: false, error: overview.namesrv.error };
    }
    const names = new Set([...overview.clusters, ...overview.brokers.map((b) => b.brokerName)]);
    let topics: number | null = null;
    let error: string | undefined;
    try {
      topics = (await admin.getTopicList()).filter((topic) => topicKind(topic, names) === 'NORMAL').length;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const answered = namesrvs.filter((n) => n.reachable).map((n) => (n.brokerNames ?? []).join(','));
    return {
      ...base,
      reachable: true,
      clusters: overview.clusters,
      brokers: {
        total: overview.brokers.length,
        alive: overview.brokers.filter((b) => b.alive).length,
        notAnswering: overview.brokers.filter((b) => !b.alive).map((b) => `${b.brokerName}#${b.brokerId}`),
      },
      topics,
      unevenRegistration: new Set(answered).size > 1,
      ...(error ? { error } : {}),
    };
  } finally {
    await admin.close();
  }
}
