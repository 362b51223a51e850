/**
 * What the shell and the Dashboard/Cluster pages show about a cluster: the NameServer's answer and, for
 * every broker address, GET_BROKER_RUNTIME_INFO. The time of each broker's last answer is remembered here,
 * so a broker that stops answering shows how long it has been silent; so are the brokers each NameServer list
 * had registered, so a broker that left the NameServers (its connection closed, it unregistered, or it was
 * silent for 120 s) is named for a while instead of silently missing from the table.
 */
import type { AdminClient, NamesrvProbe } from '@broker/client/admin-client';

/** How long a broker that left the NameServers is still named on the Cluster page. */
const DEPARTED_SHOWN_MS = 10 * 60_000;
/** NameServer lists whose registered brokers are remembered (the console keeps at most 8 clients). */
const REGISTERED_LISTS_MAX = 16;
/** Brokers remembered per NameServer list. */
const REGISTERED_BROKERS_MAX = 512;
/** Broker addresses whose last answer time is remembered. */
const LAST_SEEN_MAX = 4096;
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

/** A broker the NameServers had registered and no longer have. */
export interface DepartedBroker {
  cluster: string;
  brokerName: string;
  brokerId: number;
  addr: string;
  /** ms since this console last saw it registered. */
  goneForMs: number;
}

export interface ClusterOverview {
  namesrvAddr: string;
  namesrv: { reachable: boolean; latencyMs?: number; error?: string };
  /** Each NameServer of the list on its own (the Cluster page; absent elsewhere). */
  namesrvs?: NamesrvProbe[];
  clusters: string[];
  brokers: BrokerOverview[];
  departed: DepartedBroker[];
  checkedAt: number;
}

interface Registered {
  cluster: string;
  brokerName: string;
  brokerId: number;
  seenAt: number;
}

const memory = globalThis as unknown as { __rocketdeckLastSeen?: Map<string, number>; __rocketdeckRegistered?: Map<string, Map<string, Registered>> };
const lastSeen = (memory.__rocketdeckLastSeen ??= new Map());
const registered = (memory.__rocketdeckRegistered ??= new Map());

/** Bounded insert into a Map used as an LRU: the oldest entries go first. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
}

/** Records what is registered now and returns what was registered before and is not any more. */
function departedBrokers(namesrvAddr: string, brokers: BrokerOverview[], now: number): DepartedBroker[] {
  const known = registered.get(namesrvAddr) ?? new Map<string, Registered>();
  remember(registered, namesrvAddr, known, REGISTERED_LISTS_MAX);
  for (const b of brokers) remember(known, b.addr, { cluster: b.cluster, brokerName: b.brokerName, brokerId: b.brokerId, seenAt: now }, REGISTERED_BROKERS_MAX);
  const present = new Set(brokers.map((b) => b.addr));
  const departed: DepartedBroker[] = [];
  for (const [addr, entry] of known) {
    if (present.has(addr)) continue;
    if (now - entry.seenAt > DEPARTED_SHOWN_MS) known.delete(addr);
    else departed.push({ cluster: entry.cluster, brokerName: entry.brokerName, brokerId: entry.brokerId, addr, goneForMs: now - entry.seenAt });
  }
  return departed.sort((a, b) => a.brokerName.localeCompare(b.brokerName) || a.brokerId - b.brokerId);
}

const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v.split(' ')[0]));

/** The cluster behind a NameServer list; with `namesrvs`, each NameServer of the list is also asked on its own. */
export async function clusterOverview(admin: AdminClient, options: { namesrvs?: boolean } = {}): Promise<ClusterOverview> {
  const started = Date.now();
  const namesrvAddr = admin.namesrvAddr.join(';');
  const probes = options.namesrvs ? admin.probeNamesrvs() : Promise.resolve(undefined);
  let info;
  try {
    info = await admin.getClusterInfo();
  } catch (err) {
    const namesrvs = await probes;
    return { namesrvAddr, namesrv: { reachable: false, error: err instanceof Error ? err.message : String(err) }, ...(namesrvs ? { namesrvs } : {}), clusters: [], brokers: [], departed: [], checkedAt: Date.now() };
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
        const runtime = await admin.getBrokerRuntimeInfo(b.addr);
        remember(lastSeen, b.addr, Date.now(), LAST_SEEN_MAX);
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
  const namesrvs = await probes;
  const checkedAt = Date.now();
  return {
    namesrvAddr,
    namesrv: { reachable: true, latencyMs },
    ...(namesrvs ? { namesrvs } : {}),
    clusters: Object.keys(info.clusterAddrTable).sort(),
    brokers,
    departed: departedBrokers(namesrvAddr, brokers, checkedAt),
    checkedAt,
  };
}
