/**
 * Alert rules evaluated by the real collector on a real NameServer + Broker, delivered to a real local HTTP
 * receiver: lag, online clients, DLQ growth, disk ratio, TPS drop and broker offline fire and resolve with real
 * traffic; JSON, Slack and DingTalk payloads arrive in their shapes; acknowledge and silence work; the rules and
 * the history survive a new manager on the same folder.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AdminClient } from '@broker/client/admin-client';
import { Producer } from '@broker/client/producer';
import { PushConsumer } from '@broker/client/push-consumer';
import { freePort } from '@broker/testing/rocketdeck-process';
import { startTestCluster, type TestCluster } from '@broker/testing/start-test-cluster';
import { waitFor } from '@broker/testing/wait-for';
import { alertRuleInputSchema, type AlertRuleInput } from '@/lib/alerts-schema';
import { HistoryStore } from '../history-store';
import { MetricsCollector } from '../metrics';
import { AlertManager, type AlertEvent } from './alert-manager';

const TOPIC = 'AlertTopic';
const GROUP = 'CG_alert';
let cluster: TestCluster;
let admin: AdminClient;
let receiver: http.Server;
let receiverUrl: string;
const received: { path: string; body: Record<string, unknown> }[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-alerts-'));

beforeAll(async () => {
  cluster = await startTestCluster({ broker: { brokerName: 'broker-al' } });
  admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
  receiver = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(req.url === '/broken' ? 500 : 200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
}, 30_000);

afterAll(async () => {
  receiver?.close();
  await admin?.close();
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const rule = (input: Partial<AlertRuleInput> & Pick<AlertRuleInput, 'name' | 'kind' | 'target'>) => alertRuleInputSchema.parse(input);
const fired = (events: AlertEvent[], name: string, state = 'firing') => events.filter((e) => e.ruleName === name && e.state === state);

async function send(producer: Producer, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await producer.send({ topic: TOPIC, body: `a${i}` }, { queue: { topic: TOPIC, brokerName: 'broker-al', queueId: i % 2 } });
}

it('fires, delivers, acknowledges, silences and resolves on real traffic', async () => {
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: TOPIC, readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  await admin.createOrUpdateSubscriptionGroup(cluster.brokerAddr, { groupName: GROUP, retryMaxTimes: 0 });
  for (const queueId of [0, 1]) await admin.updateConsumerOffset(cluster.brokerAddr, GROUP, TOPIC, queueId, 0);
  const manager = new AlertManager(path.join(dir, 'alerts'));
  const collector = new MetricsCollector(admin, { store: new HistoryStore({ dir: path.join(dir, 'metrics') }) });
  let events: AlertEvent[] = [];
  const sample = async () => {
    const s = await collector.sampleOnce();
    expect(s, collector.lastError ?? '').not.toBeNull();
    events = await manager.evaluate({ sample: s!, brokers: collector.lastBrokers, runtime: collector.lastRuntime, history: collector.store, admin });
    return events;
  };
  manager.createRule(rule({ name: 'lag', kind: 'lag', target: GROUP, threshold: 5, webhookUrl: `${receiverUrl}/json`, webhookFormat: 'json' }));
  manager.createRule(rule({ name: 'nobody', kind: 'online_clients', target: GROUP, threshold: 1, webhookUrl: `${receiverUrl}/slack`, webhookFormat: 'slack' }));
  manager.createRule(rule({ name: 'dlq', kind: 'dlq_growth', target: '*', threshold: 0, webhookUrl: `${receiverUrl}/dingtalk`, webhookFormat: 'dingtalk' }));
  const disk = manager.createRule(rule({ name: 'disk', kind: 'disk_ratio', target: '*', threshold: 0, webhookUrl: `${receiverUrl}/broken` }));
  manager.createRule(rule({ name: 'tps', kind: 'tps_drop', target: TOPIC, threshold: 50, webhookUrl: `${receiverUrl}/json` }));
  manager.createRule(rule({ name: 'offline', kind: 'broker_offline', target: '*', webhookUrl: `${receiverUrl}/json` }));
  manager.createRule(rule({ name: 'drain', kind: 'drain_time', target: GROUP, threshold: 30 }));
  manager.createRule(rule({ name: 'slow to fire', kind: 'lag', target: GROUP, threshold: 5, forMinutes: 10 }));

  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_alert', clientIP: '127.0.0.1' });
  await producer.start();
  try {
    await send(producer, 10);
    await sample();
    // Lag 10 > 5 at once; nobody online; the disk is fuller than 0 %; nothing to compare a TPS with yet.
    expect(fired(events, 'lag')).toHaveLength(1);
    expect(fired(events, 'lag')[0]).toMatchObject({ subject: GROUP, value: 10, delivery: { ok: true, status: 200 } });
    expect(fired(events, 'nobody')[0]).toMatchObject({ value: 0, delivery: { ok: true } });
    expect(fired(events, 'disk')[0]!.delivery).toMatchObject({ ok: false, status: 500, error: 'the receiver answered 500' });
    expect(fired(events, 'tps')).toHaveLength(0);
    expect(fired(events, 'slow to fire')).toHaveLength(0);
    expect(manager.active().find((a) => a.ruleId === manager.rules().find((r) => r.name === 'slow to fire')!.id)?.state).toBe('pending');
    const json = received.find((r) => r.path === '/json')!.body;
    expect(json).toMatchObject({ source: 'rocketdeck', state: 'firing', alert: { rule: { name: 'lag', kind: 'lag' }, subject: GROUP, value: 10, threshold: 5 } });
    const slack = received.find((r) => r.path === '/slack')!.body;
    expect(Object.keys(slack)).toEqual(['text']);
    expect(slack.text).toContain('[FIRING] nobody: CG_alert');

    // Acknowledged: still firing, nothing delivered again while it holds; silenced: recorded, not delivered.
    const lagAlert = manager.active().find((a) => a.subject === GROUP && a.state === 'firing' && a.message.includes('lag'))!;
    manager.acknowledge(lagAlert.id, 'ann');
    manager.silence(disk.id, 60);
    const before = received.length;
    await send(producer, 40);
    await sample();
    expect(fired(events, 'lag')).toHaveLength(0);
    expect(manager.active().find((a) => a.id === lagAlert.id)).toMatchObject({ state: 'firing', acknowledgedBy: 'ann', value: 50 });
    expect(received.length).toBe(before);
    // Nobody consumes while messages arrive: the lag does not drain (no webhook: recorded only).
    expect(fired(events, 'drain')[0]).toMatchObject({ subject: GROUP, delivery: { skipped: 'no_webhook' } });
    expect(fired(events, 'drain')[0]!.message).toContain('the lag does not drain');

    // A failing consumer fills the DLQ (DingTalk payload); the group is online (resolved); its lag drains.
    const consumer = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: GROUP, clientIP: '127.0.0.1', maxReconsumeTimes: 0 });
    consumer.subscribe(TOPIC, '*').registerMessageListener((messages) => (messages.some((m) => m.body.toString() === 'a3') ? 'RECONSUME_LATER' : 'CONSUME_SUCCESS'));
    await consumer.start();
    try {
      const resolvedOrDlq: AlertEvent[] = [];
      await waitFor(async () => {
        resolvedOrDlq.push(...(await sample()));
        return fired(resolvedOrDlq, 'dlq').length > 0 && fired(resolvedOrDlq, 'lag', 'resolved').length > 0 && fired(resolvedOrDlq, 'nobody', 'resolved').length > 0;
      }, { timeoutMs: 60_000, intervalMs: 1_000, message: () => `events so far: ${resolvedOrDlq.map((e) => `${e.ruleName} ${e.state}`).join(', ')}` });
      expect(fired(resolvedOrDlq, 'dlq')[0]).toMatchObject({ subject: GROUP });
      const ding = received.find((r) => r.path === '/dingtalk')!.body as { msgtype: string; markdown: { title: string; text: string } };
      expect(ding.msgtype).toBe('markdown');
      expect(ding.markdown.title).toBe(`[FIRING] dlq: ${GROUP}`);
      expect(fired(resolvedOrDlq, 'lag', 'resolved')[0]!.delivery).toMatchObject({ ok: true });
    } finally {
      await consumer.shutdown();
    }

    // Traffic, then none: the topic's in-TPS dropped by 100 % against its recent average.
    await send(producer, 30);
    await sample();
    await sample();
    expect(fired(events, 'tps')[0]).toMatchObject({ subject: TOPIC, value: 100 });
  } finally {
    await producer.shutdown();
  }

  // The broker stops: offline fires (and every other rule's subject is gone); back, it resolves.
  await cluster.broker.shutdown();
  try {
    const offline = await collector.sampleOnce().then(() => manager.evaluate({ sample: collector.lastSample!, brokers: collector.lastBrokers, runtime: collector.lastRuntime, history: collector.store, admin }));
    expect(fired(offline, 'offline')[0]).toMatchObject({ subject: 'broker-al#0', delivery: { ok: true } });
  } finally {
    await cluster.restartBroker();
  }
  await waitFor(async () => fired(await sample(), 'offline', 'resolved').length > 0, { timeoutMs: 30_000, intervalMs: 1_000, message: 'offline never resolved' });

  // A new manager on the same folder (a restart) has the rules, the firing alerts and the history.
  const again = new AlertManager(path.join(dir, 'alerts'));
  expect(again.rules().map((r) => r.name)).toEqual(['lag', 'nobody', 'dlq', 'disk', 'tps', 'offline', 'drain', 'slow to fire']);
  expect(again.active().length).toBe(manager.active().length);
  expect(again.events().map((e) => `${e.ruleName} ${e.state}`)).toContain('lag firing');
}, 180_000);

it('sends a test event to a rule\'s webhook, and says why a receiver cannot be reached', async () => {
  const manager = new AlertManager(path.join(dir, 'alerts-test'));
  const good = manager.createRule(rule({ name: 'test me', kind: 'lag', target: '*', threshold: 1, webhookUrl: `${receiverUrl}/test`, webhookFormat: 'slack' }));
  const event = await manager.test(good.id);
  expect(event).toMatchObject({ state: 'test', delivery: { ok: true, status: 200 } });
  expect(received.at(-1)).toMatchObject({ path: '/test', body: { text: expect.stringContaining('[TEST] test me') } });
  const closed = manager.createRule(rule({ name: 'nobody listens', kind: 'lag', target: '*', threshold: 1, webhookUrl: `http://127.0.0.1:${await freePort()}/hook` }));
  expect((await manager.test(closed.id)).delivery).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
});

it('imports the rules of a config document by name: created, replaced, left alone; the export holds no ids', () => {
  const manager = new AlertManager(path.join(dir, 'alerts-import'));
  const kept = manager.createRule(rule({ name: 'kept', kind: 'disk_ratio', target: '*', threshold: 80 }));
  manager.silence(kept.id, 30);
  manager.createRule(rule({ name: 'changed', kind: 'lag', target: 'CG_a', threshold: 10 }));
  const document = [rule({ name: 'kept', kind: 'disk_ratio', target: '*', threshold: 80 }), rule({ name: 'changed', kind: 'lag', target: 'CG_a', threshold: 99 }), rule({ name: 'new', kind: 'broker_offline', target: '*' })];
  expect(manager.planRules(document)).toEqual([{ name: 'kept', action: 'unchanged' }, { name: 'changed', action: 'update' }, { name: 'new', action: 'create' }]);
  expect(manager.importRules(document)).toEqual({ created: ['new'], updated: ['changed'], unchanged: ['kept'] });
  expect(manager.rules().find((r) => r.name === 'kept')).toMatchObject({ id: kept.id, silencedUntil: expect.any(Number) });
  expect(manager.rules().find((r) => r.name === 'changed')?.threshold).toBe(99);
  expect(manager.exportRules().every((r) => !('id' in r) && !('silencedUntil' in r))).toBe(true);
  expect(manager.importRules(document)).toEqual({ created: [], updated: [], unchanged: ['kept', 'changed', 'new'] });
});
