/** A message's trace as the Message Trace page shows it: the send, then each group's consume attempts. */
import type { TraceRecord } from '@broker/client/trace';

export interface TraceAttempt {
  requestId: string;
  startedAt: number | null;
  retryTimes: number;
  costTime: number | null;
  /** null while only the SubBefore record exists (still consuming, or the client died). */
  success: boolean | null;
  contextCode: number | null;
}

export interface TraceTimeline {
  msgId: string;
  pub: { at: number | null; group: string | null; topic: string | null; tags: string | null; keys: string | null; storeHost: string | null; costTime: number | null; success: boolean; offsetMsgId: string | null; bodyLength: number | null; msgType: number | null } | null;
  transaction: { at: number | null; state: string | null; fromCheck: boolean }[];
  groups: { group: string; attempts: TraceAttempt[]; consumed: boolean }[];
  records: number;
}

export function buildTimeline(msgId: string, records: TraceRecord[]): TraceTimeline {
  const pubRecord = records.find((r) => r.type === 'Pub');
  const attempts = new Map<string, TraceAttempt & { group: string }>();
  for (const r of records) {
    if (r.type !== 'SubBefore' && r.type !== 'SubAfter') continue;
    const id = r.requestId ?? `${r.groupName}-${r.timestamp}`;
    const a = attempts.get(id) ?? { requestId: id, group: r.groupName ?? '', startedAt: null, retryTimes: 0, costTime: null, success: null, contextCode: null };
    if (r.type === 'SubBefore') {
      a.startedAt = r.timestamp ?? null;
      a.retryTimes = r.retryTimes ?? 0;
      a.group = r.groupName ?? a.group;
    } else {
      a.costTime = r.costTime ?? null;
      a.success = r.success ?? null;
      a.contextCode = r.contextCode ?? null;
      if (!a.group && r.groupName) a.group = r.groupName;
      a.startedAt ??= r.timestamp ?? null;
    }
    attempts.set(id, a);
  }
  const groups = new Map<string, TraceAttempt[]>();
  for (const { group, ...attempt } of attempts.values()) groups.set(group, [...(groups.get(group) ?? []), attempt]);
  return {
    msgId,
    pub: pubRecord
      ? {
          at: pubRecord.timestamp ?? null, group: pubRecord.groupName ?? null, topic: pubRecord.topic ?? null, tags: pubRecord.tags ?? null, keys: pubRecord.keys ?? null,
          storeHost: pubRecord.storeHost ?? null, costTime: pubRecord.costTime ?? null, success: pubRecord.success !== false, offsetMsgId: pubRecord.offsetMsgId ?? null,
          bodyLength: pubRecord.bodyLength ?? null, msgType: pubRecord.msgType ?? null,
        }
      : null,
    transaction: records.filter((r) => r.type === 'EndTransaction').map((r) => ({ at: r.timestamp ?? null, state: r.transactionState ?? null, fromCheck: r.fromTransactionCheck === true })),
    groups: [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([group, list]) => {
      const sorted = list.sort((x, y) => (x.startedAt ?? 0) - (y.startedAt ?? 0) || x.retryTimes - y.retryTimes);
      return { group, attempts: sorted, consumed: sorted.some((x) => x.success === true) };
    }),
    records: records.length,
  };
}
