/**
 * GET /api/consumers/:group?view=connection|detail|config: the group's clients and subscriptions, its offsets
 * and lag per queue, or its subscription group config on each broker.
 * DELETE /api/consumers/:group?confirm=<group>: delete the subscription group (and its offsets) on every broker.
 */
import { sessionAdmin } from '@/lib/server/admin';
import { guarded, invalid, ok } from '@/lib/server/api';
import { auditDetail } from '@/lib/server/audit/recorder';
import { groupConfigs, groupQueues, invalidateGroupList } from '@/lib/server/consumers';
import { groupParam } from '@/lib/server/params';
import { versionName } from '@broker/protocol/language-code';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, context: { params: Promise<{ group: string }> }) {
  const group = await groupParam(context);
  if (!group) return invalid({ group: 'Not a valid group name' });
  const view = new URL(request.url).searchParams.get('view') ?? 'connection';
  return guarded(async () => {
    const admin = await sessionAdmin();
    switch (view) {
      case 'connection': {
        const connection = await admin.examineConsumerConnection(group);
        return ok({
          group,
          online: !!connection && connection.connections.length > 0,
          connections: (connection?.connections ?? []).map((c) => ({ ...c, versionDesc: versionName(c.version) })),
          subscriptions: connection?.subscriptions ?? [],
          consumeType: connection?.consumeType ?? null,
          messageModel: connection?.messageModel ?? null,
          consumeFromWhere: connection?.consumeFromWhere ?? null,
        });
      }
      case 'detail':
        return ok({ group, ...(await groupQueues(admin, group)) });
      case 'config':
        return ok({ group, configs: await groupConfigs(admin, group) });
      default:
        return invalid({ view: 'view must be connection, detail or config' });
    }
  });
}

export async function DELETE(request: Request, context: { params: Promise<{ group: string }> }) {
  const group = await groupParam(context);
  if (!group) return invalid({ group: 'Not a valid group name' });
  auditDetail(request, { action: 'group.delete', target: group });
  if (new URL(request.url).searchParams.get('confirm') !== group) return invalid({ confirm: `Type the group name (${group}) to confirm` });
  return guarded(async () => {
    const admin = await sessionAdmin();
    const configs = await groupConfigs(admin, group);
    if (configs.length === 0) return invalid({ group: `Group "${group}" does not exist on any broker` });
    auditDetail(request, { before: Object.fromEntries(configs.map((c) => [c.brokerName, c.config])) });
    for (const { addr } of configs) await admin.deleteSubscriptionGroup(addr, group, true);
    invalidateGroupList();
    return ok({ group, deleted: configs.map((c) => c.brokerName) });
  });
}
