/** Master broker addresses chosen by cluster and broker names in a form, or the field error to show. */
import type { AdminClient } from '@broker/client/admin-client';

export async function resolveTargets(admin: AdminClient, clusters: string[], brokers: string[]): Promise<{ ok: true; targets: Map<string, string> } | { ok: false; fields: Record<string, string> }> {
  const info = await admin.getClusterInfo();
  const targets = new Map<string, string>();
  for (const cluster of clusters) {
    const names = info.clusterAddrTable[cluster];
    if (!names) return { ok: false, fields: { clusters: `Cluster "${cluster}" does not exist` } };
    for (const name of names) {
      const addr = info.brokerAddrTable[name]?.brokerAddrs['0'];
      if (addr) targets.set(name, addr);
    }
  }
  for (const name of brokers) {
    const addr = info.brokerAddrTable[name]?.brokerAddrs['0'];
    if (!addr) return { ok: false, fields: { brokers: `Broker "${name}" has no master registered` } };
    targets.set(name, addr);
  }
  if (targets.size === 0) return { ok: false, fields: { clusters: 'The chosen clusters have no master broker' } };
  return { ok: true, targets };
}
