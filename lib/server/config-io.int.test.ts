/**
 * Export and import against a real broker: the export reads back as an all-unchanged plan; a modified
 * document plans creates and field-level updates and lists what it lacks without deleting it; apply writes
 * exactly that (re-planning shows nothing left to do); a plan that changed since the dry run is refused;
 * brokers and clusters the cluster does not have are field errors.
 */
import { describe, expect, it } from 'vitest';
import { useTestCluster } from '@broker/testing/use-test-cluster';
import { applyImport, exportConfig, formatDocument, importAudit, parseConfig, planImport, type ConfigDocument } from './config-io';

const fixture = useTestCluster();

function parse(text: string): ConfigDocument {
  const parsed = parseConfig(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.fields));
  return parsed.document;
}

describe('export, then import a modified document', () => {
  it('plans create / update / unchanged / not in the file, applies it, and re-plans to nothing', async () => {
    const { admin, cluster } = fixture;
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'IoKeep', readQueueNums: 4, writeQueueNums: 4, perm: 6 });
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'IoChange', readQueueNums: 4, writeQueueNums: 4, perm: 6 });
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'IoLeftOut', readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    await admin.createOrUpdateSubscriptionGroup(cluster.brokerAddr, { groupName: 'CG_io', retryMaxTimes: 16 });

    const exported = await exportConfig(admin);
    expect(exported.topics.find((t) => t.name === 'IoChange')).toEqual({ name: 'IoChange', readQueueNums: 4, writeQueueNums: 4, perm: 6, order: false, messageType: 'NORMAL', brokers: ['broker-a'] });
    expect(exported.groups.find((g) => g.name === 'CG_io')).toMatchObject({ name: 'CG_io', retryMaxTimes: 16, consumeEnable: true, brokers: ['broker-a'] });
    expect(exported.topics.some((t) => t.name.startsWith('%') || t.name === 'TBW102')).toBe(false);
    const yaml = formatDocument(exported, 'yaml');
    const same = await planImport(admin, parse(yaml));
    expect(same.ok && same.plan.counts).toEqual({ create: 0, update: 0, unchanged: exported.topics.length + exported.groups.length, notInFile: 0 });

    // Modify: change one topic's queues and type, leave one out, add a topic and a group, change a group setting.
    const modified = {
      ...exported,
      topics: [
        ...exported.topics.filter((t) => t.name !== 'IoLeftOut' && t.name !== 'IoChange'),
        { name: 'IoChange', readQueueNums: 8, writeQueueNums: 8, messageType: 'FIFO' },
        { name: 'IoNew', readQueueNums: 2, writeQueueNums: 2 },
      ],
      groups: [...exported.groups.filter((g) => g.name !== 'CG_io'), { name: 'CG_io', retryMaxTimes: 3 }, { name: 'CG_io_new', consumeMessageOrderly: true, brokers: ['broker-a'] }],
    };
    const document = parse(formatDocument(modified, 'json'));
    expect((await planImport(admin, document)).ok).toBe(false); // entries without brokers need a cluster
    const planned = await planImport(admin, document, 'DefaultCluster');
    if (!planned.ok) throw new Error(JSON.stringify(planned.fields));
    const plan = planned.plan;
    const item = (name: string) => plan.items.find((i) => i.name === name)!;
    expect(item('IoKeep')).toMatchObject({ action: 'unchanged' });
    expect(item('IoChange')).toMatchObject({
      action: 'update',
      path: `topics[${modified.topics.length - 2}]`,
      brokers: [{ brokerName: 'broker-a', action: 'update', changes: [{ field: 'readQueueNums', before: 4, after: 8 }, { field: 'writeQueueNums', before: 4, after: 8 }, { field: 'messageType', before: 'NORMAL', after: 'FIFO' }] }],
    });
    expect(item('IoNew')).toMatchObject({ action: 'create', brokers: [{ brokerName: 'broker-a', action: 'create' }] });
    expect(item('CG_io')).toMatchObject({ action: 'update', brokers: [{ changes: [{ field: 'retryMaxTimes', before: 16, after: 3 }] }] });
    expect(item('CG_io_new')).toMatchObject({ action: 'create' });
    expect(plan.notInFile).toEqual([{ kind: 'topic', name: 'IoLeftOut', brokers: ['broker-a'] }]);
    expect(plan.counts).toMatchObject({ create: 2, update: 2, notInFile: 1 });

    const results = await applyImport(admin, document, plan);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => `${r.action} ${r.name}`).sort()).toEqual(['create CG_io_new', 'create IoNew', 'update CG_io', 'update IoChange']);
    const changed = await admin.getTopicConfig(cluster.brokerAddr, 'IoChange');
    expect(changed).toMatchObject({ readQueueNums: 8, writeQueueNums: 8, order: true, attributes: { 'message.type': 'FIFO' } });
    expect(await admin.getSubscriptionGroupConfig(cluster.brokerAddr, 'CG_io')).toMatchObject({ retryMaxTimes: 3, consumeEnable: true });
    expect(await admin.getSubscriptionGroupConfig(cluster.brokerAddr, 'CG_io_new')).toMatchObject({ consumeMessageOrderly: true });
    expect(await admin.getTopicConfig(cluster.brokerAddr, 'IoLeftOut')).not.toBeNull(); // listed, never deleted

    // The audit entry: each created / updated entry per broker, the planned fields before (none for a create) and after.
    const audit = importAudit(plan, results);
    expect(audit.target.split(', ').sort()).toEqual(['group CG_io', 'group CG_io_new', 'topic IoChange', 'topic IoNew']);
    expect(audit.before).toEqual({ topics: { IoChange: { 'broker-a': { readQueueNums: 4, writeQueueNums: 4, messageType: 'NORMAL' } } }, groups: { CG_io: { 'broker-a': { retryMaxTimes: 16 } } } });
    expect(audit.after.topics!.IoChange).toEqual({ 'broker-a': { readQueueNums: 8, writeQueueNums: 8, messageType: 'FIFO' } });
    expect(audit.after.topics!.IoNew!['broker-a']).toMatchObject({ readQueueNums: 2, writeQueueNums: 2 });
    expect(audit.after.groups).toMatchObject({ CG_io: { 'broker-a': { retryMaxTimes: 3 } }, CG_io_new: { 'broker-a': { consumeMessageOrderly: true } } });
    const failed = importAudit(plan, results.map((r) => (r.name === 'IoNew' ? { ...r, ok: false, error: 'CODE 16' } : r)));
    expect(failed.after.topics!.IoNew).toEqual({ 'broker-a': { error: 'CODE 16' } });

    const again = await planImport(admin, document, 'DefaultCluster');
    expect(again.ok && again.plan.counts).toMatchObject({ create: 0, update: 0, notInFile: 1 });
    expect(again.ok && again.plan.planHash).not.toBe(plan.planHash); // what the old dry run planned is no longer what would happen
  });

  it('names brokers and clusters that do not exist', async () => {
    const document = parse('topics:\n  - name: IoX\n    brokers: [broker-a, broker-zz]\n  - name: IoY\n');
    expect(await planImport(fixture.admin, document, 'NoCluster')).toEqual({ ok: false, fields: { cluster: 'Cluster "NoCluster" does not exist', 'topics[0].brokers[1]': 'Broker "broker-zz" has no master in this cluster' } });
  });
});
