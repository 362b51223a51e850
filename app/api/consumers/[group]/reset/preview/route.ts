/**
 * POST /api/consumers/:group/reset/preview {topic, mode: time|offset|copy|end, timestamp?, offsets?, sourceGroup?}:
 * the per-queue before → after and the lag change a reset of the group's offsets on the topic would make. Writes
 * nothing, whatever the body says (so read-only users may call it: lib/server/security/route-rules.ts); the reset
 * itself is POST /api/consumers/:group/reset, admin only.
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok, parseBody } from '@/lib/server/api';
import { previewReset } from '@/lib/server/offset-reset';
import { groupParam } from '@/lib/server/params';
import { offsetResetPreviewSchema, type ResetAnswer } from '@/lib/offset-reset-schema';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, context: { params: Promise<{ group: string }> }) {
  const group = await groupParam(context);
  if (!group) return invalid({ group: 'Not a valid group name' });
  const body = await parseBody(request, offsetResetPreviewSchema);
  if (!body.ok) return body.response;
  return guarded(async () => {
    const preview = await previewReset(await sessionAdmin(), group, body.value);
    if (!preview.ok) return invalid(preview.fields);
    return ok({ status: 'preview', preview: preview.value } satisfies ResetAnswer);
  });
}
