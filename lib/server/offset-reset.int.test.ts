/**
 * Previewed offset resets against a real broker, with a real PushConsumer online for the group: each mode's
 * preview (per-queue before → after, lag change), apply doing what the preview showed (the live consumer gets
 * the messages again from the new offsets), apply refusing when the offsets moved since the preview, and the
 * field errors of bad requests.
 */
import { describe, expect, it } from 'vitest';
import type { MessageExt } from '@broker/client/message';
import { Producer } from '@broker/client/producer';
import { PushConsumer } from '@broker/client/push-consumer';
import { useTestCluster } from '@broker/testing/use-test-cluster';
import { waitFor } from '@broker/testing/wait-for';
import { offsetResetSchema, type ExpectedQueue, type ResetAnswer, type ResetPreview } from '@/lib/offset-reset-schema';
import { resetOffsets } from './offset-reset';

const fixture = useTestCluster();
const TOPIC = 'SafeReset';
const PER_QUEUE = 10;
let middle = 0; // a time between the 5th and 6th message of each queue

async function setup(): Promise<void> {
  const { admin, cluster } = fixture;
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: TOPIC, readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_safe_reset' });
  await producer.start();
  try {
    for (let i = 0; i < PER_QUEUE; i++) {
      if (i === 5) {
        await new Promise((r) => setTimeout(r, 20)); // store times strictly apart around the boundary
        middle = Date.now();
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const queueId of [0, 1]) await producer.send({ topic: TOPIC, body: `m${i}` }, { queue: { topic: TOPIC, brokerName: 'broker-a', queueId } });
    }
  } finally {
    await producer.shutdown();
  }
}

async function live(group: string): Promise<MessageExt[]> {
  const received: MessageExt[] = [];
  const consumer = new PushConsumer({ namesrvAddr: fixture.cluster.namesrvAddr, groupName: group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
  consumer.subscribe(TOPIC, '*');
  consumer.registerMessageListener((messages) => void received.push(...messages));
  await consumer.start();
  fixture.closeLater(() => consumer.shutdown());
  await waitFor(() => received.length >= 2 * PER_QUEUE, { timeoutMs: 20_000 });
  await consumer.persistOffsets();
  received.length = 0;
  return received;
}

async function run(group: string, input: Record<string, unknown>): Promise<ResetAnswer> {
  const parsed = offsetResetSchema.parse({ topic: TOPIC, ...input });
  const answer = await resetOffsets(fixture.admin, group, parsed);
  if (!answer.ok) throw new Error(`field errors: ${JSON.stringify(answer.fields)}`);
  return answer.value;
}

const rows = (p: ResetPreview) => p.queues.map((q) => [q.queueId, q.before, q.after, q.lagBefore, q.lagAfter]);
const expectedOf = (p: ResetPreview): ExpectedQueue[] => p.queues.map(({ brokerName, queueId, before, after }) => ({ brokerName, queueId, before, after }));

describe('previewed resets with the group online', () => {
  it('by time: previews each queue, then the live consumer gets exactly those messages again', async () => {
    await setup();
    const received = await live('CG_safe_time');
    const preview = await run('CG_safe_time', { action: 'preview', mode: 'time', timestamp: middle });
    expect(preview.status).toBe('preview');
    expect(preview.preview).toMatchObject({ clients: 1, lagBefore: 0, lagAfter: 10 });
    expect(rows(preview.preview)).toEqual([[0, 10, 5, 0, 5], [1, 10, 5, 0, 5]]);
    const applied = await run('CG_safe_time', { action: 'apply', mode: 'time', timestamp: middle, expected: expectedOf(preview.preview) });
    expect(applied).toMatchObject({ status: 'applied', changed: 2, pushedToClients: true });
    await waitFor(() => received.length >= 10, { timeoutMs: 20_000 });
    expect(received.map((m) => `${m.queueId}:${m.queueOffset}`).sort()).toEqual(['0:5', '0:6', '0:7', '0:8', '0:9', '1:5', '1:6', '1:7', '1:8', '1:9']);
  });

  it('to exact offsets per queue, copied from another group, and to the end', async () => {
    const received = await live('CG_safe_exact');
    const exact = { mode: 'offset', offsets: [{ brokerName: 'broker-a', queueId: 1, offset: 8 }] };
    const preview = await run('CG_safe_exact', { action: 'preview', ...exact });
    expect(rows(preview.preview)).toEqual([[0, 10, 10, 0, 0], [1, 10, 8, 0, 2]]);
    expect(await run('CG_safe_exact', { action: 'apply', ...exact, expected: expectedOf(preview.preview) })).toMatchObject({ status: 'applied', changed: 1 });
    await waitFor(() => received.length >= 2, { timeoutMs: 20_000 });
    expect(received.map((m) => `${m.queueId}:${m.queueOffset}`).sort()).toEqual(['1:8', '1:9']);

    // Copy: an offline group with offsets 3 and 7 is the source.
    await fixture.admin.updateConsumerOffset(fixture.cluster.brokerAddr, 'CG_safe_source', TOPIC, 0, 3);
    await fixture.admin.updateConsumerOffset(fixture.cluster.brokerAddr, 'CG_safe_source', TOPIC, 1, 7);
    await waitFor(async () => (await fixture.admin.queryConsumerOffset(fixture.cluster.brokerAddr, 'CG_safe_exact', TOPIC, 1)) === 10, { timeoutMs: 15_000 });
    const copy = await run('CG_safe_exact', { action: 'preview', mode: 'copy', sourceGroup: 'CG_safe_source' });
    expect(rows(copy.preview)).toEqual([[0, 10, 3, 0, 7], [1, 10, 7, 0, 3]]);
    received.length = 0;
    await run('CG_safe_exact', { action: 'apply', mode: 'copy', sourceGroup: 'CG_safe_source', expected: expectedOf(copy.preview) });
    await waitFor(() => received.length >= 10, { timeoutMs: 20_000 });
    expect(received.filter((m) => m.queueId === 0).map((m) => m.queueOffset).sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(received.filter((m) => m.queueId === 1).map((m) => m.queueOffset).sort((a, b) => a - b)).toEqual([7, 8, 9]);

    // The source group itself (offline) to the end: its lag goes from 10 to 0.
    const end = await run('CG_safe_source', { action: 'preview', mode: 'end' });
    expect(end.preview).toMatchObject({ clients: 0, lagBefore: 10, lagAfter: 0 });
    expect(await run('CG_safe_source', { action: 'apply', mode: 'end', expected: expectedOf(end.preview) })).toMatchObject({ status: 'applied', pushedToClients: false });
    expect((await run('CG_safe_source', { action: 'preview', mode: 'end' })).preview.lagBefore).toBe(0);
  });

  it('refuses to apply when offsets moved since the preview, shows the new preview, and applies it when told to', async () => {
    const { admin, cluster } = fixture;
    await admin.updateConsumerOffset(cluster.brokerAddr, 'CG_safe_moved', TOPIC, 0, 2);
    await admin.updateConsumerOffset(cluster.brokerAddr, 'CG_safe_moved', TOPIC, 1, 2);
    const preview = await run('CG_safe_moved', { action: 'preview', mode: 'end' });
    await admin.updateConsumerOffset(cluster.brokerAddr, 'CG_safe_moved', TOPIC, 1, 6); // someone else moved it
    const answer = await run('CG_safe_moved', { action: 'apply', mode: 'end', expected: expectedOf(preview.preview) });
    expect(answer.status).toBe('moved');
    if (answer.status !== 'moved') return;
    expect(answer.moved).toEqual([{ brokerName: 'broker-a', queueId: 1, expectedBefore: 2, before: 6, expectedAfter: 10, after: 10 }]);
    expect(await admin.queryConsumerOffset(cluster.brokerAddr, 'CG_safe_moved', TOPIC, 0)).toBe(2); // nothing written
    // The operator looked at the new preview and applies anyway: done, and told again what had moved.
    const anyway = await run('CG_safe_moved', { action: 'apply', mode: 'end', expected: expectedOf(preview.preview), ifMoved: 'apply' });
    expect(anyway).toMatchObject({ status: 'applied', changed: 2, moved: [{ queueId: 1, expectedBefore: 2, before: 6 }] });
    expect(await admin.queryConsumerOffset(cluster.brokerAddr, 'CG_safe_moved', TOPIC, 1)).toBe(10);
  });

  it('answers bad requests with field errors that name the field', async () => {
    const fields = async (group: string, input: Record<string, unknown>) => {
      const parsed = offsetResetSchema.safeParse({ topic: TOPIC, ...input });
      if (!parsed.success) return Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message]));
      const answer = await resetOffsets(fixture.admin, group, parsed.data);
      return answer.ok ? {} : answer.fields;
    };
    expect(await fields('G', { action: 'preview', mode: 'time' })).toEqual({ timestamp: 'Choose a time' });
    expect(await fields('G', { action: 'apply', mode: 'end' })).toEqual({ expected: 'Preview the reset first: apply sends the preview it was shown' });
    expect(await fields('G', { action: 'preview', mode: 'offset', offsets: [{ brokerName: 'broker-a', queueId: 0, offset: 'ten' }] })).toEqual({ 'offsets.0.offset': 'Enter an offset' });
    expect(await fields('G', { action: 'preview', mode: 'offset', offsets: [{ brokerName: 'broker-a', queueId: 1, offset: 11 }, { brokerName: 'broker-a', queueId: 5, offset: 1 }] })).toEqual({
      'offsets.0.offset': 'Queue broker-a:1 takes an offset from 0 to 10',
      'offsets.1.queueId': `Topic ${TOPIC} has no queue 5 on broker-a`,
    });
    expect(await fields('G', { action: 'preview', mode: 'copy', sourceGroup: 'CG_nobody' })).toEqual({ sourceGroup: `Group "CG_nobody" has no offsets on topic ${TOPIC} to copy` });
    expect(await fields('G', { action: 'preview', mode: 'copy', sourceGroup: 'G' })).toEqual({ sourceGroup: 'Choose another group than the one being reset' });
    expect(await fields('G', { action: 'preview', mode: 'end', topic: 'NoSuchTopic' })).toEqual({ topic: 'Topic "NoSuchTopic" does not exist' });
    expect(await fields('G', { action: 'preview', mode: 'sideways' })).toEqual({ mode: 'Choose how to reset: time, offset, copy or end' });
  });
});
