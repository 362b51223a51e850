/**
 * The explorer's server side against a real NameServer + Broker over TCP, with messages sent by the project's
 * Producer: every seek and filter finds exactly the messages it should, each bound stops a scan with its reason,
 * a catastrophic regex is stopped, a cancel stops a scan; the live tail sees new messages, caps its rate, holds
 * one pull per queue on its own connection and lets go of all of it when stopped, and never gets an offset.
 */
import { describe, expect, it } from 'vitest';
import { Producer } from '@broker/client/producer';
import { useTestCluster } from '@broker/testing/use-test-cluster';
import { waitFor } from '@broker/testing/wait-for';
import { TAIL_SESSIONS_MAX } from '@broker/config/limits';
import { scanRequestSchema } from '@/lib/explorer/schema';
import { TOOLS_CONSUMER_GROUP, type MessageRow } from '../messages';
import { compileFilters } from './filters';
import { messageAt, rawBodyResponse } from './message-at';
import { cancelScan, readScan, startScan } from './scan-registry';
import { adminPull, planScan, runScan, topicQueues, type ScanOutcome } from './scanner';
import { openTail, tailStarts, tailStatus, type TailEvent } from './tail';
import { tailResponse } from './tail-stream';
import { SseParser, type SseEvent } from '@/lib/explorer/sse-client';
import { tailRequestSchema } from '@/lib/explorer/schema';

const fixture = useTestCluster();
const TOPIC = 'ExplorerTopic';
const COUNT = 120;

interface Sent {
  i: number;
  msgId: string;
  queueId: number;
  queueOffset: number;
}

let seeded: Promise<Sent[]> | null = null;

/** 120 messages over 2 queues: every 3rd JSON with a status, every 5th tagged Blue, keys k-<i>, a property per parity. */
function seed(): Promise<Sent[]> {
  seeded ??= (async () => {
    const { admin, cluster } = fixture;
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: TOPIC, readQueueNums: 2, writeQueueNums: 2, perm: 6 });
    await waitFor(async () => (await admin.getTopicRoute(TOPIC)) !== null);
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_explorer' });
    await producer.start();
    fixture.closeLater(() => producer.shutdown());
    const sent: Sent[] = [];
    for (let i = 0; i < COUNT; i++) {
      const body = i % 3 === 0 ? JSON.stringify({ order: { id: i, status: i % 2 ? 'PAID' : 'NEW', amount: i * 10 } }) : i === 7 ? Buffer.from([0xff, 0xfe, 0x00, i]) : `plain text number ${i} <script>alert(${i})</script>`;
      const r = await producer.send({ topic: TOPIC, body, tags: i % 5 === 0 ? 'Blue' : 'Red', keys: [`k-${i}`], properties: { parity: i % 2 ? 'odd' : 'even', ...(i === 11 ? { only11: 'yes' } : {}) } });
      sent.push({ i, msgId: r.msgId, queueId: r.messageQueue.queueId, queueOffset: r.queueOffset });
    }
    return sent;
  })();
  return seeded;
}

async function scan(input: Record<string, unknown>): Promise<{ outcome: ScanOutcome; rows: MessageRow[] }> {
  const request = scanRequestSchema.parse({ topic: TOPIC, seek: 'oldest', maxResults: 500, ...input });
  const plan = await planScan(fixture.admin, request);
  if (!plan.ok) throw new Error(JSON.stringify(plan.fields));
  const filters = compileFilters(request);
  const rows: MessageRow[] = [];
  try {
    const outcome = await runScan(plan.queues, filters, { maxMessages: request.maxMessages, maxResults: request.maxResults, maxMs: request.maxSeconds * 1000 }, adminPull(fixture.admin), {
      onMatches: (messages, queue) => rows.push(...messages.map((m) => ({ msgId: m.msgId, queueId: m.queueId, queueOffset: m.queueOffset, brokerName: queue.brokerName, body: m.body.toString('utf8'), storeTimestamp: m.storeTimestamp }) as unknown as MessageRow)),
      shouldStop: () => null,
    }, request.seek === 'newest' ? 'backward' : 'forward');
    return { outcome, rows };
  } finally {
    await filters.close();
  }
}

const indexes = async (rows: MessageRow[]) => {
  const sent = await seed();
  return rows.map((r) => sent.find((s) => s.msgId === r.msgId)!.i).sort((a, b) => a - b);
};
const range = (n: number, keep: (i: number) => boolean) => Array.from({ length: n }, (_, i) => i).filter(keep);

describe('explorer scan', () => {
  it('reads every message from the oldest, over both queues', async () => {
    await seed();
    const { outcome, rows } = await scan({});
    expect(outcome).toMatchObject({ stopReason: 'end', scanned: COUNT, matched: COUNT });
    expect(await indexes(rows)).toEqual(range(COUNT, () => true));
  });

  it.each([
    ['tag', { tag: 'Blue' }, (i: number) => i % 5 === 0],
    ['tag expression', { tag: 'Blue || Green' }, (i: number) => i % 5 === 0],
    ['key', { key: 'k-42' }, (i: number) => i === 42],
    ['property k=v', { property: 'parity=odd' }, (i: number) => i % 2 === 1],
    ['property name alone', { property: 'only11' }, (i: number) => i === 11],
    ['body substring', { body: 'number 10 ' }, (i: number) => i === 10],
    ['body substring, ignoring case', { body: '<SCRIPT>ALERT(13)', ignoreCase: true }, (i: number) => i === 13],
    ['body regex', { body: '^plain text number 1\\d ', bodyMode: 'regex' }, (i: number) => i >= 10 && i < 20 && i % 3 !== 0 && i !== 7],
    ['JSON filter', { json: '$.order.status == "PAID" && $.order.amount > 500' }, (i: number) => i % 3 === 0 && i % 2 === 1 && i * 10 > 500],
    ['JSON filter with a bare path', { json: 'order.id' }, (i: number) => i % 3 === 0],
    ['every filter at once', { tag: 'Blue', property: 'parity=even', json: '$.order.status == "NEW"' }, (i: number) => i % 5 === 0 && i % 2 === 0 && i % 3 === 0],
  ])('filters on %s', async (_name, filter, expected) => {
    const { outcome, rows } = await scan(filter);
    expect(outcome.stopReason).toBe('end');
    expect(await indexes(rows)).toEqual(range(COUNT, expected));
  });

  it('seeks to the newest N of each queue, an offset, and a time', async () => {
    const sent = await seed();
    const newest = await scan({ seek: 'newest', newest: 3 });
    expect(newest.outcome.scanned).toBe(6);
    for (const q of [0, 1]) {
      const last = sent.filter((s) => s.queueId === q).slice(-3).map((s) => s.queueOffset);
      expect(newest.rows.filter((r) => r.queueId === q).map((r) => r.queueOffset)).toEqual(last.reverse());
    }
    // Newest first: a results bound keeps the newest of the queue, over several windows of one pull.
    const newestCut = await scan({ seek: 'newest', newest: 50, queues: ['broker-a:0'], maxResults: 40 });
    expect(newestCut.outcome).toMatchObject({ stopReason: 'maxResults', matched: 40, scanned: 50 });
    expect(newestCut.rows.map((r) => r.queueOffset).sort((a, b) => a - b)).toEqual(sent.filter((s) => s.queueId === 0).slice(-40).map((s) => s.queueOffset));
    const newestAll = await scan({ seek: 'newest', newest: 50, queues: ['broker-a:0'], tag: 'Blue' });
    expect(await indexes(newestAll.rows)).toEqual(sent.filter((s) => s.queueId === 0).slice(-50).filter((s) => s.i % 5 === 0).map((s) => s.i));
    const fromOffset = await scan({ seek: 'offset', seekOffset: 55, queues: ['broker-a:1'] });
    expect(fromOffset.rows.map((r) => r.queueOffset)).toEqual(sent.filter((s) => s.queueId === 1 && s.queueOffset >= 55).map((s) => s.queueOffset));
    const all = (await scan({})).rows.sort((a, b) => a.storeTimestamp - b.storeTimestamp);
    const pivot = all[80]!.storeTimestamp;
    const fromTime = await scan({ seek: 'time', seekTime: pivot });
    expect(fromTime.rows.every((r) => r.storeTimestamp >= pivot)).toBe(true);
    expect(fromTime.rows.length).toBe(all.filter((r) => r.storeTimestamp >= pivot).length);
    const future = await scan({ seek: 'time', seekTime: Date.now() + 3_600_000 });
    expect(future.outcome).toMatchObject({ stopReason: 'end', scanned: 0 });
  });

  it('stops at the first bound: messages scanned, results kept', async () => {
    await seed();
    const byCount = await scan({ maxMessages: 50 });
    expect(byCount.outcome.stopReason).toBe('maxMessages');
    expect(byCount.outcome.scanned).toBe(50);
    expect(byCount.rows).toHaveLength(50);
    const byResults = await scan({ tag: 'Blue', maxResults: 3 });
    expect(byResults.outcome).toMatchObject({ stopReason: 'maxResults', matched: 3 });
    expect(byResults.rows).toHaveLength(3);
  });

  it('stops a catastrophic regex instead of hanging, and says why', async () => {
    const { admin, cluster } = fixture;
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'ExplorerRegex', readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    await waitFor(async () => (await admin.getTopicRoute('ExplorerRegex')) !== null);
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_regex' });
    await producer.start();
    try {
      await producer.send({ topic: 'ExplorerRegex', body: `${'a'.repeat(40)}!` });
    } finally {
      await producer.shutdown();
    }
    const { outcome } = await scan({ topic: 'ExplorerRegex', body: '^(a+)+$', bodyMode: 'regex' });
    expect(outcome.stopReason).toBe('regexTimeout');
    expect(outcome.error).toMatch(/took more than 2000 ms over 1 messages/);
  });

  it('plans with field errors for a missing topic or queue', async () => {
    await seed();
    expect(await planScan(fixture.admin, scanRequestSchema.parse({ topic: 'NoSuchTopicHere' }))).toEqual({ ok: false, fields: { topic: 'Topic "NoSuchTopicHere" does not exist' } });
    expect(await planScan(fixture.admin, scanRequestSchema.parse({ topic: TOPIC, queues: ['broker-a:9'] }))).toEqual({ ok: false, fields: { queues: 'The topic has no readable queue broker-a:9' } });
  });

  it('runs as a job: polled for new results, cancelled before its next pull', async () => {
    await seed();
    const started = await startScan(fixture.admin, scanRequestSchema.parse({ topic: TOPIC, seek: 'oldest', maxResults: 500 }));
    if (!started.ok) throw new Error('not started');
    const id = started.snapshot.id;
    expect(started.snapshot).toMatchObject({ state: 'running', total: COUNT });
    const done = await waitFor(() => (readScan(id)?.state === 'done' ? readScan(id) : null));
    expect(done).toMatchObject({ stopReason: 'end', scanned: COUNT, matched: COUNT, resultsFrom: 0 });
    expect(readScan(id, 100)!.results).toHaveLength(COUNT - 100);
    expect(readScan(id, 100)!.results[0]).toMatchObject({ topic: TOPIC, brokerName: 'broker-a', bodyKind: expect.any(String) });

    const cancelled = await startScan(fixture.admin, scanRequestSchema.parse({ topic: TOPIC, seek: 'oldest', maxResults: 500 }));
    if (!cancelled.ok) throw new Error('not started');
    cancelScan(cancelled.snapshot.id);
    const stopped = await waitFor(() => (readScan(cancelled.snapshot.id)?.state === 'done' ? readScan(cancelled.snapshot.id) : null));
    expect(stopped.stopReason).toBe('cancelled');
    expect(stopped.scanned).toBeLessThan(COUNT);
    expect(readScan('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });
});

describe('message by position (stable link) and raw body', () => {
  it('opens a message by topic, broker, queue and offset, checks its id, and falls back to the id', async () => {
    const sent = await seed();
    const target = sent[42]!;
    const at = { topic: TOPIC, broker: 'broker-a', queue: target.queueId, offset: target.queueOffset };
    const found = await messageAt(fixture.admin, { ...at, msgId: target.msgId });
    expect(found).toMatchObject({ ok: true, foundBy: 'position', message: { msgId: target.msgId, keys: ['k-42'] } });
    const other = sent.find((s) => s.queueId === target.queueId && s.queueOffset === target.queueOffset + 1)!;
    const moved = await messageAt(fixture.admin, { ...at, msgId: other.msgId });
    expect(moved).toMatchObject({ ok: true, foundBy: 'id', message: { msgId: other.msgId }, note: expect.stringContaining('now holds another message') });
    expect(await messageAt(fixture.admin, { ...at, offset: 10_000 })).toMatchObject({ ok: false, notFound: expect.stringMatching(/^No message at broker-a:\d offset 10000 \(the queue holds offsets 0 to \d+\)$/) });
    expect(await messageAt(fixture.admin, { ...at, broker: 'broker-z' })).toEqual({ ok: false, fields: { broker: `Topic "${TOPIC}" has no queues on broker "broker-z"` } });
    expect(await messageAt(fixture.admin, { ...at, queue: 7 })).toEqual({ ok: false, fields: { queue: `Broker "broker-a" has 2 readable queues of "${TOPIC}" (0 to 1)` } });
  });

  it('serves the raw bytes as a download that a browser never renders', async () => {
    const sent = await seed();
    const binary = sent[7]!;
    const found = await messageAt(fixture.admin, { topic: TOPIC, broker: 'broker-a', queue: binary.queueId, offset: binary.queueOffset });
    if (!found.ok) throw new Error('not found');
    const response = rawBodyResponse(found.message);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0xff, 0xfe, 0x00, 7]));
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${binary.msgId}.bin"`,
      'x-content-type-options': 'nosniff',
      'content-length': '4',
    });
  });
});

describe('live tail', () => {
  it('streams new messages from the end, caps the rate, and lets go of its pulls and connections when stopped', async () => {
    const { admin, cluster } = fixture;
    const topic = 'ExplorerTail';
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: topic, readQueueNums: 2, writeQueueNums: 2, perm: 6 });
    await waitFor(async () => (await admin.getTopicRoute(topic)) !== null);
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_tail' });
    await producer.start();
    fixture.closeLater(() => producer.shutdown());
    await producer.send({ topic, body: 'before the tail' });
    const heldBefore = cluster.broker.holdService.heldCount;
    const connectionsBefore = cluster.broker.connectionCount;

    const events: TailEvent[] = [];
    const queues = (await topicQueues(admin, topic))!;
    const filters = { tag: '', key: '', property: '', body: '', bodyMode: 'contains' as const, ignoreCase: false, json: '' };
    const opened = openTail(admin.namesrvAddr, tailStarts(queues, []), filters, 5, (e) => events.push(e));
    if (!opened.ok) throw new Error(opened.busy);
    const { tail } = opened;
    try {
      // One pull held per queue, on one more connection.
      await waitFor(() => cluster.broker.holdService.heldCount === heldBefore + 2, { message: () => `held ${cluster.broker.holdService.heldCount}` });
      expect(cluster.broker.connectionCount).toBe(connectionsBefore + 1);
      expect(tailStatus()).toEqual({ tails: 1, pullsInFlight: 2 });

      await producer.send({ topic, body: 'first live' });
      await waitFor(() => events.some((e) => e.event === 'message' && e.data.preview === 'first live'));
      expect(events.some((e) => e.event === 'message' && e.data.preview === 'before the tail')).toBe(false);

      // A burst beyond the cap: at most 5 a second go through, the rest are counted.
      await Promise.all(Array.from({ length: 60 }, (_, i) => producer.send({ topic, body: `burst ${i}` })));
      await waitFor(() => tail.stats.received === 61, { message: () => JSON.stringify(tail.stats) });
      expect(tail.stats.skipped).toBeGreaterThan(0);
      expect(tail.stats.forwarded + tail.stats.skipped).toBe(61);
      expect(events.filter((e) => e.event === 'message')).toHaveLength(tail.stats.forwarded);
    } finally {
      await tail.stop();
    }
    expect(events.at(-1)).toEqual({ event: 'end', data: { reason: 'stopped' } });
    const lastStats = events.filter((e) => e.event === 'stats').at(-1);
    expect(lastStats?.event === 'stats' && lastStats.data.cursor.length).toBe(2);
    await waitFor(() => cluster.broker.holdService.heldCount === heldBefore, { timeoutMs: 2_000, message: () => `still held: ${cluster.broker.holdService.heldCount}` });
    await waitFor(() => cluster.broker.connectionCount === connectionsBefore, { timeoutMs: 2_000 });
    expect(tailStatus()).toEqual({ tails: 0, pullsInFlight: 0 });
    // Pulls without commits: the tools group has no offset, and no one is said to consume the topic.
    expect(cluster.broker.consumerOffsetManager.whichGroupByTopic(topic).size).toBe(0);
    expect(cluster.broker.consumerOffsetManager.queryOffsets(TOOLS_CONSUMER_GROUP, topic).size).toBe(0);
    expect(await admin.queryTopicConsumeByWho(topic)).not.toContain(TOOLS_CONSUMER_GROUP);
  });

  it('resumes from a cursor and applies the filters', async () => {
    const { admin, cluster } = fixture;
    const topic = 'ExplorerTail2';
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: topic, readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    await waitFor(async () => (await admin.getTopicRoute(topic)) !== null);
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_tail2' });
    await producer.start();
    fixture.closeLater(() => producer.shutdown());
    for (let i = 0; i < 6; i++) await producer.send({ topic, body: JSON.stringify({ n: i }), tags: i % 2 ? 'Odd' : 'Even' });
    const queues = (await topicQueues(admin, topic))!;
    const events: TailEvent[] = [];
    const filters = { tag: 'Odd', key: '', property: '', body: '', bodyMode: 'contains' as const, ignoreCase: false, json: '$.n >= 3' };
    const opened = openTail(admin.namesrvAddr, tailStarts(queues, ['broker-a:0:2']), filters, 100, (e) => events.push(e));
    if (!opened.ok) throw new Error(opened.busy);
    try {
      await waitFor(() => events.filter((e) => e.event === 'message').length === 2);
      await producer.send({ topic, body: JSON.stringify({ n: 7 }), tags: 'Odd' });
      await producer.send({ topic, body: JSON.stringify({ n: 9 }), tags: 'Even' });
      await waitFor(() => events.filter((e) => e.event === 'message').length === 3);
    } finally {
      await opened.tail.stop();
    }
    expect(events.flatMap((e) => (e.event === 'message' ? [e.data.preview] : []))).toEqual(['{"n":3}', '{"n":5}', '{"n":7}']);
  });

  it('as server-sent events: start and stats at once, messages as they come; a cancelled stream or an aborted request stops the tail', async () => {
    const { admin, cluster } = fixture;
    const topic = 'ExplorerSse';
    await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: topic, readQueueNums: 2, writeQueueNums: 2, perm: 6 });
    await waitFor(async () => (await admin.getTopicRoute(topic)) !== null);
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_sse' });
    await producer.start();
    fixture.closeLater(() => producer.shutdown());
    const heldBefore = cluster.broker.holdService.heldCount;

    const opened = await tailResponse(admin, tailRequestSchema.parse({ topic, body: 'wanted' }), new AbortController().signal);
    if (!opened.ok) throw new Error(JSON.stringify(opened));
    expect(opened.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(opened.response.headers.get('cache-control')).toContain('no-transform');
    const reader = opened.response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    const events: SseEvent[] = [];
    const readUntil = async (done: () => boolean) => {
      while (!done()) {
        const { value, done: ended } = await reader.read();
        if (ended) throw new Error('the stream ended');
        events.push(...parser.feed(value));
      }
    };
    await readUntil(() => events.some((e) => e.event === 'stats'));
    expect(events[0]).toMatchObject({ event: 'start' });
    expect(JSON.parse(events[0]!.data)).toMatchObject({ queues: ['broker-a:0', 'broker-a:1'], rate: 20 });
    await waitFor(() => cluster.broker.holdService.heldCount === heldBefore + 2);
    await producer.send({ topic, body: 'not this one' });
    await producer.send({ topic, body: 'the wanted one' });
    await readUntil(() => events.some((e) => e.event === 'message'));
    expect(events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data).preview)).toEqual(['the wanted one']);
    await reader.cancel();
    await waitFor(() => tailStatus().tails === 0 && cluster.broker.holdService.heldCount === heldBefore, { timeoutMs: 3_000, message: () => JSON.stringify(tailStatus()) });

    const aborted = new AbortController();
    const second = await tailResponse(admin, tailRequestSchema.parse({ topic }), aborted.signal);
    if (!second.ok) throw new Error(JSON.stringify(second));
    await waitFor(() => cluster.broker.holdService.heldCount === heldBefore + 2);
    aborted.abort();
    await waitFor(() => tailStatus().tails === 0 && cluster.broker.holdService.heldCount === heldBefore, { timeoutMs: 3_000 });

    expect(await tailResponse(admin, tailRequestSchema.parse({ topic: 'NoSuchTopicForTail' }), new AbortController().signal)).toEqual({ ok: false, fields: { topic: 'Topic "NoSuchTopicForTail" does not exist' } });
  });

  it('refuses a tail beyond TAIL_SESSIONS_MAX, and takes one again once another stops', async () => {
    const { admin } = fixture;
    const queues = (await topicQueues(admin, 'ExplorerTail2'))!;
    const filters = { tag: '', key: '', property: '', body: '', bodyMode: 'contains' as const, ignoreCase: false, json: '' };
    const open = () => openTail(admin.namesrvAddr, tailStarts(queues, []), filters, 10, () => undefined);
    const tails = Array.from({ length: TAIL_SESSIONS_MAX }, open).map((r) => (r.ok ? r.tail : null));
    try {
      expect(tails.every(Boolean)).toBe(true);
      expect(open()).toEqual({ ok: false, busy: `${TAIL_SESSIONS_MAX} live tails are open (at most ${TAIL_SESSIONS_MAX}): close one first` });
      await tails[0]!.stop();
      const again = open();
      expect(again.ok).toBe(true);
      if (again.ok) tails[0] = again.tail;
    } finally {
      await Promise.all(tails.map((t) => t?.stop()));
    }
    expect(tailStatus()).toEqual({ tails: 0, pullsInFlight: 0 });
  });
});
