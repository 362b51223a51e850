/**
 * Safe offset resets: a preview of each queue's committed offset before and after and the lag change, and an
 * apply that computes the preview again and refuses, showing what moved, when it differs from the one the
 * operator saw. Apply writes exact per-queue offsets with AdminClient.resetQueueOffsets (UPDATE_CONSUMER_OFFSET
 * plus the broker's RESET_CONSUMER_CLIENT_OFFSET push to online clients), so what is applied is what was previewed.
 */
import { RemoteError } from '@broker/util/errors';
import type { AdminClient } from '@broker/client/admin-client';
import type { ExpectedQueue, MovedQueue, OffsetResetInput, QueuePreview, ResetAnswer, ResetPreview } from '@/lib/offset-reset-schema';

type Fields = Record<string, string>;
type Result<T> = { ok: true; value: T } | { ok: false; fields: Fields };

const key = (q: { brokerName: string; queueId: number }) => `${q.brokerName}:${q.queueId}`;

/** Each queue's offsets now, and where the reset would put them. */
export async function previewReset(admin: AdminClient, group: string, input: OffsetResetInput): Promise<Result<ResetPreview>> {
  if (input.mode === 'copy' && input.sourceGroup === group) return { ok: false, fields: { sourceGroup: 'Choose another group than the one being reset' } };
  const route = await admin.getTopicRoute(input.topic);
  if (!route) return { ok: false, fields: { topic: `Topic "${input.topic}" does not exist` } };
  const queues: (QueuePreview & { addr: string })[] = [];
  for (const broker of [...route.brokerDatas].sort((a, b) => a.brokerName.localeCompare(b.brokerName))) {
    const addr = broker.brokerAddrs['0'];
    if (!addr) continue;
    const [stats, consume] = await Promise.all([
      admin.getTopicStats(addr, input.topic),
      admin.getConsumeStats(addr, group, input.topic).catch((err: unknown) => {
        if (err instanceof RemoteError) return null; // the group is unknown on this broker: nothing committed
        throw err;
      }),
    ]);
    const committed = new Map((consume?.offsetTable ?? []).map((o) => [o.queue.queueId, o.consumerOffset]));
    for (const { queue, offset } of stats.offsetTable) {
      const before = committed.get(queue.queueId) ?? 0;
      queues.push({ addr, brokerName: queue.brokerName, queueId: queue.queueId, minOffset: offset.minOffset, brokerOffset: offset.maxOffset, before, after: before, lagBefore: 0, lagAfter: 0 });
    }
  }
  const targets = await targetsOf(admin, input, queues);
  if (!targets.ok) return targets;
  for (const q of queues) {
    const target = targets.value.get(key(q));
    if (target === null) q.sourceMissing = true;
    else if (target !== undefined) q.after = target;
    q.lagBefore = Math.max(0, q.brokerOffset - q.before);
    q.lagAfter = Math.max(0, q.brokerOffset - q.after);
  }
  const connection = await admin.examineConsumerConnection(group).catch(() => null);
  return {
    ok: true,
    value: {
      group, topic: input.topic, mode: input.mode, clients: connection?.connections.length ?? 0,
      queues: queues.map(({ addr: _addr, ...q }) => q),
      lagBefore: queues.reduce((s, q) => s + q.lagBefore, 0),
      lagAfter: queues.reduce((s, q) => s + q.lagAfter, 0),
      at: Date.now(),
    },
  };
}

/** Target offset per queue key (null: copy source has none there; absent: unchanged), or field errors. */
async function targetsOf(admin: AdminClient, input: OffsetResetInput, queues: (QueuePreview & { addr: string })[]): Promise<Result<Map<string, number | null>>> {
  const out = new Map<string, number | null>();
  switch (input.mode) {
    case 'end':
      for (const q of queues) out.set(key(q), q.brokerOffset);
      return { ok: true, value: out };
    case 'time':
      for (const q of queues) out.set(key(q), await admin.searchOffset(q.addr, input.topic, q.queueId, input.timestamp!));
      return { ok: true, value: out };
    case 'offset': {
      const byKey = new Map(queues.map((q) => [key(q), q]));
      const fields: Fields = {};
      (input.offsets ?? []).forEach((o, i) => {
        const q = byKey.get(key(o));
        if (!q) fields[`offsets.${i}.queueId`] = `Topic ${input.topic} has no queue ${o.queueId} on ${o.brokerName}`;
        else if (o.offset < q.minOffset || o.offset > q.brokerOffset) fields[`offsets.${i}.offset`] = `Queue ${key(o)} takes an offset from ${q.minOffset} to ${q.brokerOffset}`;
        else out.set(key(o), o.offset);
      });
      return Object.keys(fields).length ? { ok: false, fields } : { ok: true, value: out };
    }
    case 'copy': {
      // The source's stats without a topic list only topics it committed offsets on (one call per broker).
      const source = input.sourceGroup!;
      const offsets = new Map<string, number>();
      for (const addr of new Set(queues.map((q) => q.addr))) {
        const stats = await admin.getConsumeStats(addr, source).catch((err: unknown) => {
          if (err instanceof RemoteError) return null;
          throw err;
        });
        for (const o of stats?.offsetTable ?? []) if (o.queue.topic === input.topic) offsets.set(key(o.queue), o.consumerOffset);
      }
      if (offsets.size === 0) return { ok: false, fields: { sourceGroup: `Group "${source}" has no offsets on topic ${input.topic} to copy` } };
      // A source offset outside what the queue still holds is clamped into it (messages expired since).
      for (const q of queues) {
        const offset = offsets.get(key(q));
        out.set(key(q), offset === undefined ? null : Math.min(q.brokerOffset, Math.max(q.minOffset, offset)));
      }
      return { ok: true, value: out };
    }
  }
}

/** Queues whose offsets differ from what the operator was shown (end mode: the end may move, the offsets not). */
export function movedSince(preview: ResetPreview, expected: ExpectedQueue[]): MovedQueue[] {
  const shown = new Map(expected.map((e) => [key(e), e]));
  const moved: MovedQueue[] = [];
  for (const q of preview.queues) {
    const e = shown.get(key(q));
    shown.delete(key(q));
    const afterMoved = preview.mode !== 'end' && e !== undefined && e.after !== q.after;
    if (!e || e.before !== q.before || afterMoved) moved.push({ brokerName: q.brokerName, queueId: q.queueId, expectedBefore: e?.before ?? null, before: q.before, expectedAfter: e?.after ?? null, after: q.after });
  }
  for (const e of shown.values()) moved.push({ brokerName: e.brokerName, queueId: e.queueId, expectedBefore: e.before, before: null, expectedAfter: e.after, after: null });
  return moved;
}

/**
 * Preview, or apply after checking the offsets did not move since the preview the operator confirmed (or, with
 * ifMoved "apply", applying the fresh preview anyway and saying what moved). `beforeWrite` sees the queues about
 * to change just before anything is written (the route records them in the audit log, so a write that fails
 * half way is still recorded with what it was about to do).
 */
export async function resetOffsets(admin: AdminClient, group: string, input: OffsetResetInput, beforeWrite?: (preview: ResetPreview, changes: QueuePreview[]) => void): Promise<Result<ResetAnswer>> {
  const preview = await previewReset(admin, group, input);
  if (!preview.ok) return preview;
  if (input.action === 'preview') return { ok: true, value: { status: 'preview', preview: preview.value } };
  const moved = movedSince(preview.value, input.expected!);
  if (moved.length > 0 && input.ifMoved === 'refuse') return { ok: true, value: { status: 'moved', preview: preview.value, moved } };
  const changes = preview.value.queues.filter((q) => q.after !== q.before);
  beforeWrite?.(preview.value, changes);
  const results = await admin.resetQueueOffsets(group, changes.map((q) => ({ queue: { topic: input.topic, brokerName: q.brokerName, queueId: q.queueId }, offset: q.after })));
  return { ok: true, value: { status: 'applied', preview: preview.value, changed: changes.length, pushedToClients: results.some((r) => r.pushedToClients), moved } };
}

/** The queues a reset changes, "broker:queueId" → committed offset before and after (the audit entry's before/after). */
export function resetAudit(changes: QueuePreview[]): { before: Record<string, number>; after: Record<string, number> } {
  return {
    before: Object.fromEntries(changes.map((q) => [key(q), q.before])),
    after: Object.fromEntries(changes.map((q) => [key(q), q.after])),
  };
}
