/**
 * What the shell and the Dashboard/Cluster pages show about a cluster: the NameServer's answer and, for
 * every broker address, GET_BROKER_RUNTIME_INFO. The time of each broker's last answer is remembered here,
 * so a broker that stops answering shows how long it has been silent.
 */
import type { AdminClient } from '@broker/client/admin-client';
import { responseCodeName } from '@broker/protocol/response-code';

export interface BrokerOverview {
  cluster: string;
  brokerName: string;
  brokerId: number;
  role: 'MASTER' | 'SLAVE';
  addr: string;
  alive: boolean;
  /** ms since the broker last answered this console, null when it never did. */
  lastSeenAgoMs: number | null;
  error?: string;
  /** The broker answered, with an error response (an ACL refusal is NO_PERMISSION 16): its code and remark. */
  refused?: { responseCode: number; responseCodeName: string; remark: string };
  version?: string;
  bootTimestamp?: number;
  putTps?: number;
  getTps?: number;
  inTotalToday?: number;
  inTotalYesterday?: number;
  outTotalToday?: number;
  outTotalYesterday?: number;
  commitLogMaxOffset?: number;
  runtime?: Record<string, string>;
}

export interface ClusterOverview {
  namesrvAddr: string;
  namesrv: { reachable: boolean; latencyMs?: number; error?: string };
  clusters: string[];
  brokers: BrokerOverview[];
  checkedAt: number;
}

const lastSeen = ((globalThis as unknown as { __rocketdeckLastSeen?: Map<string, number> }).__rocketdeckLastSeen ??= new Map());

const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v.split(' ')[0]));

export async function clusterOverview(admin: AdminClient, withRuntime = true): Promise<ClusterOverview> {
  const started = Date.now();
  const namesrvAddr = admin.namesrvAddr.join(';');
  let info;
  try {
    info = await admin.getClusterInfo();
  } catch (err) {
    return { namesrvAddr, namesrv: { reachable: false, error: err instanceof Error ? err.message : String(err) }, clusters: [], brokers: [], checkedAt: Date.now() };
  }
  const latencyMs = Date.now() - started;
  const brokers: BrokerOverview[] = [];
  for (const [cluster, names] of Object.entries(info.clusterAddrTable)) {
    for (const name of names) {
      for (const [id, addr] of Object.entries(info.brokerAddrTable[name]?.brokerAddrs ?? {})) {
        brokers.push({ cluster, brokerName: name, brokerId: Number(id), role: id === '0' ? 'MASTER' : 'SLAVE', addr, alive: false, lastSeenAgoMs: null });
      }
    }
  }
  await Promise.all(
    brokers.map(async (b) => {
      try {
        const runtime = withRuntime ? await admin.getBrokerRuntimeInfo(b.addr) : {};
        lastSeen.set(b.addr, Date.now());
        b.alive = true;
        b.version = runtime.brokerVersionDesc;
        b.bootTimestamp = num(runtime.bootTimestamp);
        b.putTps = num(runtime.putTps);
        b.getTps = num(runtime.getTransferedTps);
        // RocketMQ's counters are cumulative: today = now − this morning; yesterday = this morning − yesterday morning.
        const diff = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : Math.max(0, a - b));
        b.inTotalToday = diff(num(runtime.msgPutTotalTodayNow), num(runtime.msgPutTotalTodayMorning));
        b.inTotalYesterday = diff(num(runtime.msgPutTotalTodayMorning), num(runtime.msgPutTotalYesterdayMorning));
        b.outTotalToday = diff(num(runtime.msgGetTotalTodayNow), num(runtime.msgGetTotalTodayMorning));
        b.outTotalYesterday = diff(num(runtime.msgGetTotalTodayMorning), num(runtime.msgGetTotalYesterdayMorning));
        b.commitLogMaxOffset = num(runtime.commitLogMaxOffset);
        b.runtime = runtime;
      } catch (err) {
        b.error = err instanceof Error ? err.message : String(err);
        const answer = err as { code?: string; responseCode?: number; remark?: string };
        if (answer.code === 'BROKER_ERR_REMOTE' && typeof answer.responseCode === 'number') b.refused = { responseCode: answer.responseCode, responseCodeName: responseCodeName(answer.responseCode), remark: answer.remark ?? '' };
      }
      const seen = lastSeen.get(b.addr);
      b.lastSeenAgoMs = seen === undefined ? null : Date.now() - seen;
    }),
  );
  brokers.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.brokerName.localeCompare(b.brokerName) || a.brokerId - b.brokerId);
  return { namesrvAddr, namesrv: { reachable: true, latencyMs }, clusters: Object.keys(info.clusterAddrTable).sort(), brokers, checkedAt: Date.now() };
}
