/**
 * POST /api/consumers/:group/reset {action: "preview" | "apply", topic, mode: time|offset|copy|end, timestamp?,
 * offsets?: [{brokerName, queueId, offset}], sourceGroup?, expected?}: the per-queue before → after and lag change
 * of resetting the group's offsets on a topic; with action "apply" and the preview's before/after in `expected`,
 * the reset itself — unless the offsets moved since that preview (status "moved", with the new preview).
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { invalidateGroupList } from '@/lib/server/consumers';
import { resetOffsets } from '@/lib/server/offset-reset';
import { groupParam } from '@/lib/server/params';
import { offsetResetSchema } from '@/lib/offset-reset-schema';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, context: { params: Promise<{ group: string }> }) {
  const group = await groupParam(context);
  if (!group) return invalid({ group: 'Not a valid group name' });
  const body = await parseBody(request, offsetResetSchema);
  if (!body.ok) return body.response;
  return guarded(async () => {
    const answer = await resetOffsets(await sessionAdmin(), group, body.value);
    if (!answer.ok) return invalid(answer.fields);
    if (answer.value.status === 'applied') invalidateGroupList();
    return ok(answer.value);
  });
}
