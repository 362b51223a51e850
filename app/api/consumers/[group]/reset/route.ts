/**
 * POST /api/consumers/:group/reset {topic, mode: time|offset|copy|end, timestamp?, offsets?, sourceGroup?,
 * expected, ifMoved?}: resets the group's offsets on the topic to what the preview
 * (POST /api/consumers/:group/reset/preview) showed, whose per-queue before/after comes back in `expected` —
 * unless the offsets moved since that preview (status "moved", with the new preview; nothing written). Admin
 * only; the audit entry (consumer.resetOffset) holds each changed queue's offset before and after.
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { invalidateGroupList } from '@/lib/server/consumers';
import { resetAudit, resetOffsets } from '@/lib/server/offset-reset';
import { groupParam } from '@/lib/server/params';
import { offsetResetApplySchema } from '@/lib/offset-reset-schema';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, context: { params: Promise<{ group: string }> }) {
  auditDetail(request, { action: 'consumer.resetOffset' });
  const group = await groupParam(context);
  if (!group) return invalid({ group: 'Not a valid group name' });
  const body = await parseBody(request, offsetResetApplySchema);
  if (!body.ok) return body.response;
  const input = body.value;
  const how = { topic: input.topic, mode: input.mode, ...(input.timestamp !== undefined ? { timestamp: input.timestamp } : {}), ...(input.sourceGroup ? { sourceGroup: input.sourceGroup } : {}), ifMoved: input.ifMoved };
  auditDetail(request, { target: `${group} @ ${input.topic}` });
  return guarded(async () => {
    let planned: ReturnType<typeof resetAudit> | null = null;
    const answer = await resetOffsets(await sessionAdmin(), group, input, (_preview, changes) => {
      // Recorded before the writes: a reset failing half way still shows what it was about to set.
      planned = resetAudit(changes);
      auditDetail(request, { before: planned.before, detail: { ...how, about: planned.after } });
    });
    if (!answer.ok) return invalid(answer.fields);
    const outcome = answer.value;
    if (outcome.status === 'moved') auditDetail(request, { detail: { ...how, applied: false, reason: 'the offsets moved since the preview', moved: outcome.moved } });
    if (outcome.status === 'applied') {
      invalidateGroupList();
      auditDetail(request, { after: planned!.after, detail: { ...how, applied: true, changed: outcome.changed, pushedToClients: outcome.pushedToClients, ...(outcome.moved.length ? { movedSincePreview: outcome.moved } : {}) } });
    }
    return ok(outcome);
  });
}
