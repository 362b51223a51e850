/**
 * Lag and throughput history, previewed offset resets, typed delete confirmation and config export/import,
 * in Chromium against the real broker the test run starts (its collector samples every 2 s), with real
 * clients making the traffic.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { parseDocument } from 'yaml';
import { AdminClient } from '../broker-core/client/admin-client';
import { Producer } from '../broker-core/client/producer';
import { PushConsumer } from '../broker-core/client/push-consumer';

const namesrvAddr = process.env.E2E_NAMESRV_ADDR ?? '127.0.0.1:29876';
const BROKER = 'broker-a';
const suffix = () => String(Date.now() % 1_000_000);

let admin: AdminClient;
let brokerAddr: string;
test.beforeAll(async () => {
  admin = new AdminClient({ namesrvAddr });
  brokerAddr = (await admin.masterAddresses()).get(BROKER)!;
});
test.afterAll(async () => {
  await admin?.close();
});

async function createTopic(topic: string, queues = 2): Promise<void> {
  await admin.createOrUpdateTopic(brokerAddr, { topicName: topic, readQueueNums: queues, writeQueueNums: queues, perm: 6 });
}

/** `perQueue` messages on each of the topic's two queues. */
async function fill(topic: string, perQueue: number): Promise<void> {
  const producer = new Producer({ namesrvAddr, groupName: `PG_${topic}` });
  await producer.start();
  try {
    for (let i = 0; i < perQueue; i++) {
      for (const queueId of [0, 1]) await producer.send({ topic, body: `m${i}` }, { queue: { topic, brokerName: BROKER, queueId } });
    }
  } finally {
    await producer.shutdown();
  }
}

async function lagOf(page: Page, group: string): Promise<number> {
  const response = await page.request.get(`/api/consumers/${group}?view=detail`);
  return ((await response.json()) as { lag: number }).lag;
}

test.describe('lag and throughput history', () => {
  test('charts and sparklines of a group and a topic with traffic, and the time to drain', async ({ page }) => {
    test.setTimeout(120_000);
    const topic = `HistT${suffix()}`;
    const group = `CG_hist_${topic}`;
    await createTopic(topic);
    const producer = new Producer({ namesrvAddr, groupName: `PG_${topic}` });
    await producer.start();
    const sending = setInterval(() => void producer.send({ topic, body: 'tick' }).catch(() => undefined), 50);
    // A slow consumer: it consumes, but less than is produced, so the lag grows.
    const consumer = new PushConsumer({ namesrvAddr, groupName: group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', consumeThreadMax: 1, persistConsumerOffsetIntervalMs: 1_000 });
    consumer.subscribe(topic, '*');
    consumer.registerMessageListener(async () => {
      await new Promise((r) => setTimeout(r, 150));
    });
    await consumer.start();
    try {
      await test.step('the collector records the group and the topic', async () => {
        await expect
          .poll(async () => ((await (await page.request.get(`/api/history?kind=group&name=${group}&range=1h`)).json()) as { points: { lag: number | null }[] }).points.filter((p) => (p.lag ?? 0) > 0).length, { timeout: 60_000 })
          .toBeGreaterThanOrEqual(5);
      });

      await test.step('Consumer list: a sparkline of the lag; HISTORY: lag and TPS charts, ranges, time to drain', async () => {
        await page.goto('/consumer');
        await page.getByLabel('Filter by group').fill(group);
        const row = page.getByTestId('consumer-list').locator('tbody tr', { hasText: group });
        await expect(row.getByTestId(`spark-${group}`).locator('path')).toHaveCount(1);
        await expect(row.getByTestId(`spark-${group}`)).toHaveAttribute('aria-label', /^Lag over the last hour: now [\d,]+, at most [\d,]+$/);
        await row.getByRole('button', { name: 'HISTORY' }).click();
        const dialog = page.getByRole('dialog', { name: `HISTORY · ${group}` });
        await expect(dialog.getByTestId('chart-lag').locator('.recharts-line-curve')).toHaveCount(1);
        await expect(dialog.getByTestId('chart-group-tps').locator('.recharts-line-curve')).toHaveCount(2);
        await expect(dialog.getByTestId('chart-lag')).toContainText('msg');
        await expect(dialog.getByTestId('chart-group-tps')).toContainText('msg/s');
        await expect(dialog.getByTestId('drain-estimate')).toContainText(/Time to drain: (not draining — the lag (grew by [\d,.]+|does not fall)|about .+ at [\d.]+ msg\/s net)/);
        await expect(dialog.getByTestId('drain-estimate')).toContainText(/consume [\d.]+ msg\/s, produce [\d.]+ msg\/s/);
        await dialog.getByRole('radio', { name: '7d' }).click();
        await expect(dialog.getByRole('radio', { name: '7d' })).toHaveAttribute('aria-checked', 'true');
        await expect(dialog.getByTestId('chart-lag').locator('.recharts-line-curve')).toHaveCount(1);
        await dialog.getByRole('button', { name: 'Close' }).click();
      });

      await test.step('Topic list: a sparkline of the in TPS; HISTORY: in and out TPS', async () => {
        await page.goto('/topic');
        await page.getByLabel('Filter by name').fill(topic);
        const row = page.getByTestId('topic-list').locator('tr', { has: page.getByText(topic, { exact: true }) });
        await expect(row.getByTestId(`spark-${topic}`).locator('path')).toHaveCount(1);
        await row.getByRole('button', { name: 'HISTORY' }).click();
        const dialog = page.getByRole('dialog', { name: `HISTORY · ${topic}` });
        await expect(dialog.getByTestId('chart-topic-tps').locator('.recharts-line-curve')).toHaveCount(2);
        await expect(dialog).toContainText(/\d+ samples, one every 2 s/);
      });
    } finally {
      clearInterval(sending);
      await consumer.shutdown();
      await producer.shutdown();
    }
  });
});

test.describe('previewed offset resets', () => {
  test('each mode previews per queue, applies, and the lag becomes what the preview said', async ({ page }) => {
    test.setTimeout(120_000);
    const topic = `HistReset${suffix()}`;
    const group = `CG_reset_${topic}`;
    const source = `CG_source_${topic}`;
    await createTopic(topic);
    await fill(topic, 10);
    for (const queueId of [0, 1]) await admin.updateConsumerOffset(brokerAddr, group, topic, queueId, 10);
    await admin.updateConsumerOffset(brokerAddr, source, topic, 0, 3);
    await admin.updateConsumerOffset(brokerAddr, source, topic, 1, 7);
    expect(await lagOf(page, group)).toBe(0);

    await page.goto('/topic');
    await page.getByLabel('Filter by name').fill(topic);
    await page.getByTestId('topic-list').locator('tr', { has: page.getByText(topic, { exact: true }) }).getByRole('button', { name: 'RESET OFFSET' }).click();
    const dialog = page.getByRole('dialog', { name: `RESET OFFSET · ${topic}` });
    await dialog.getByLabel(group, { exact: true }).check();
    const lagLine = dialog.getByTestId(`reset-lag-${group}`);
    const preview = dialog.getByTestId(`reset-preview-${group}`);
    const apply = async () => {
      await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
      await expect(dialog).toContainText(`${group}: done`);
    };

    await test.step('to a time an hour ago: every message again', async () => {
      await dialog.getByRole('button', { name: 'Preview' }).click();
      await expect(lagLine).toContainText('Lag 0 → 20 (+20)');
      await expect(lagLine).toContainText('no client online');
      await expect(preview.locator('tbody tr')).toHaveText([/broker-a\s*0\s*0 – 10\s*10 → 0\s*0 → 10/, /broker-a\s*1\s*0 – 10\s*10 → 0\s*0 → 10/]);
      await apply();
      expect(await lagOf(page, group)).toBe(20);
    });

    await test.step('exact offsets per queue, with a bad one first', async () => {
      await dialog.getByLabel('Exact offset per queue').check();
      await dialog.getByRole('button', { name: 'Preview' }).click();
      await dialog.getByLabel('New offset of broker-a:0').fill('4');
      await dialog.getByLabel('New offset of broker-a:1').fill('99');
      await dialog.getByRole('button', { name: 'Preview' }).click();
      await expect(dialog.locator('#offset-broker-a-1-error')).toHaveText('Queue broker-a:1 takes an offset from 0 to 10');
      await expect(dialog.getByRole('button', { name: 'Apply', exact: true })).toBeDisabled();
      await dialog.getByLabel('New offset of broker-a:1').fill('10');
      await expect(dialog.getByRole('status')).toHaveText('Changed since the preview: preview again before applying.');
      await dialog.getByRole('button', { name: 'Preview' }).click();
      await expect(lagLine).toContainText('Lag 20 → 6 (-14)');
      await apply();
      expect(await lagOf(page, group)).toBe(6);
    });

    await test.step('copied from another group', async () => {
      await dialog.getByLabel('Copy from another group').check();
      await dialog.getByRole('button', { name: 'Preview' }).click();
      await expect(dialog.locator('#sourceGroup-error')).toHaveText('Choose the group to copy offsets from');
      await dialog.locator('input[name=sourceGroup]').fill('CG_nobody_here');
      await dialog.getByRole('button', { name: 'Preview' }).click();
      await expect(dialog.locator('#sourceGroup-error')).toHaveText(`Group "CG_nobody_here" has no offsets on topic ${topic} to copy`);
      await dialog.locator('input[name=sourceGroup]').fill(source);
      await dialog.getByRole('button', { name: 'Preview' }).click();
      await expect(lagLine).toContainText('Lag 6 → 10 (+4)');
      await apply();
      expect(await lagOf(page, group)).toBe(10);
    });

    await test.step('to the end, after someone else moved an offset: apply says so, then applies anyway', async () => {
      await dialog.getByLabel('To the end (skip)').check();
      await dialog.getByRole('button', { name: 'Preview' }).click();
      await expect(lagLine).toContainText('Lag 10 → 0 (-10)');
      await admin.updateConsumerOffset(brokerAddr, group, topic, 0, 5);
      await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
      await expect(dialog.getByRole('alert').filter({ hasText: 'offsets moved since the preview (1 queues): nothing was changed' })).toBeVisible();
      await expect(preview).toContainText('was 3 in the preview');
      expect(await lagOf(page, group)).toBe(8);
      await dialog.getByRole('button', { name: 'Apply anyway' }).click();
      await expect(dialog).toContainText(`${group}: done`);
      expect(await lagOf(page, group)).toBe(0);
    });
  });
});

test.describe('typed confirmation for deletes', () => {
  test('a consumer group is deleted only once its name is typed', async ({ page }) => {
    const group = `CG_delete_${suffix()}`;
    await admin.createOrUpdateSubscriptionGroup(brokerAddr, { groupName: group });
    await page.goto('/consumer');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByLabel('Filter by group').fill(group);
    const row = page.getByTestId('consumer-list').locator('tbody tr', { hasText: group });
    await row.getByRole('button', { name: 'DELETE' }).click();
    const dialog = page.getByRole('dialog', { name: `DELETE · ${group}` });
    const button = dialog.getByRole('button', { name: 'DELETE' });
    await expect(button).toBeDisabled();
    await dialog.locator('input[name=confirm]').fill(group.slice(0, -1));
    await expect(button).toBeDisabled();
    await dialog.locator('input[name=confirm]').fill(group);
    await button.click();
    await expect(dialog).toBeHidden();
    expect(await admin.getSubscriptionGroupConfig(brokerAddr, group)).toBeNull();
    const refused = await page.request.delete(`/api/consumers/${group}?confirm=wrong`);
    expect(refused.status()).toBe(400);
  });
});

test.describe('config export and import', () => {
  test('downloads the cluster as YAML, imports a modified file with a dry-run diff, applies it; bad documents get field messages', async ({ page }) => {
    test.setTimeout(90_000);
    const topic = `HistIo${suffix()}`;
    const group = `CG_io_${topic}`;
    await createTopic(topic);
    await admin.createOrUpdateSubscriptionGroup(brokerAddr, { groupName: group, retryMaxTimes: 16 });
    await page.goto('/config');

    const file = await test.step('download', async () => {
      const download = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Download' }).click();
      const saved = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-e2e-config-')), (await download).suggestedFilename());
      await (await download).saveAs(saved);
      expect(saved).toMatch(/rocketdeck-config-\d{8}-\d{4}\.yaml$/);
      return saved;
    });

    await test.step('bad documents: field messages with where they are', async () => {
      await page.locator('textarea[name=document]').fill(`topics:\n  - name: ${topic}\n    readQueueNums: 5000\n  - name: Other\n    writeQueues: 2\n`);
      await page.getByRole('button', { name: 'Dry run' }).click();
      const errors = page.getByTestId('import-errors');
      await expect(errors).toContainText('topics[0].readQueueNums: Read queues must be at most 1024 (line 3, column 20)');
      await expect(errors).toContainText('topics[1].writeQueues: Unknown field "writeQueues"');
      await page.locator('textarea[name=document]').fill('topics: [\n');
      await page.getByRole('button', { name: 'Dry run' }).click();
      await expect(page.locator('#document-error')).toContainText('Not valid JSON or YAML at line 2');
      await expect(page.getByRole('button', { name: 'Apply' })).toBeDisabled();
    });

    await test.step('upload the downloaded file, modified: the dry run shows the diff', async () => {
      const doc = parseDocument(fs.readFileSync(file, 'utf8'));
      const topics = doc.get('topics') as { items: { get(k: string): unknown; set(k: string, v: unknown): void }[] };
      const entry = topics.items.find((t) => t.get('name') === topic)!;
      entry.set('readQueueNums', 4);
      entry.set('writeQueueNums', 4);
      const groups = doc.get('groups') as { items: { get(k: string): unknown; set(k: string, v: unknown): void }[] };
      groups.items.find((g) => g.get('name') === group)!.set('retryMaxTimes', 5);
      doc.addIn(['topics'], { name: `${topic}New`, readQueueNums: 2, writeQueueNums: 2, brokers: [BROKER] });
      fs.writeFileSync(file, doc.toString());
      await page.locator('input[name=file]').setInputFiles(file);
      await expect(page.locator('textarea[name=document]')).toHaveValue(/retryMaxTimes: 5/);
      await page.getByRole('button', { name: 'Dry run' }).click();
      await expect(page.getByTestId('plan-counts')).toContainText('1 to create · 2 to update');
      const items = page.getByTestId('plan-items');
      await expect(items.locator('tr', { hasText: `${topic}New` })).toContainText('create');
      await expect(items.locator('tr', { has: page.getByText(topic, { exact: true }) })).toContainText('readQueueNums 2 → 4');
      await expect(items.locator('tr', { has: page.getByText(topic, { exact: true }) })).toContainText('writeQueueNums 2 → 4');
      await expect(items.locator('tr', { hasText: group })).toContainText('retryMaxTimes 16 → 5');
    });

    await test.step('apply, then a dry run finds nothing left to do', async () => {
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect(page.getByRole('status')).toHaveText('Applied: 3 writes done, 0 failed.');
      expect(await admin.getTopicConfig(brokerAddr, topic)).toMatchObject({ readQueueNums: 4, writeQueueNums: 4 });
      expect(await admin.getTopicConfig(brokerAddr, `${topic}New`)).toMatchObject({ readQueueNums: 2 });
      expect(await admin.getSubscriptionGroupConfig(brokerAddr, group)).toMatchObject({ retryMaxTimes: 5 });
      await page.getByRole('button', { name: 'Dry run' }).click();
      await expect(page.getByTestId('plan-counts')).toContainText('0 to create · 0 to update');
    });
  });
});

test.describe('bad input to the history, reset and config routes', () => {
  test('answers field errors, never a 500', async ({ request }) => {
    const cases: [string, string, unknown, string][] = [
      ['GET', '/api/history?kind=queue&name=X', undefined, 'kind'],
      ['GET', '/api/history?kind=group&name=bad%20name', undefined, 'name'],
      ['GET', '/api/history?kind=topic&name=T&range=2y', undefined, 'range'],
      ['POST', '/api/history/sparklines', { kind: 'group', names: Array.from({ length: 201 }, (_, i) => `G${i}`) }, 'names'],
      ['POST', '/api/history/sparklines', { kind: 'group', names: ['ok', 'not ok'] }, 'names.1'],
      ['POST', '/api/consumers/G/reset/preview', { topic: 'T', mode: 'time' }, 'timestamp'],
      ['POST', '/api/consumers/G/reset', { topic: 'T', mode: 'end' }, 'expected'],
      ['POST', '/api/consumers/G/reset/preview', { topic: 'T', mode: 'offset', offsets: [{ brokerName: 'broker-a', queueId: -1, offset: 1 }] }, 'offsets.0.queueId'],
      ['POST', '/api/consumers/bad%20group/reset/preview', { topic: 'T', mode: 'end' }, 'group'],
      // Each route does one thing: a preview route asked to apply (or the reverse) says where to go.
      ['POST', '/api/consumers/G/reset/preview', { action: 'apply', topic: 'T', mode: 'end', expected: [] }, 'action'],
      ['POST', '/api/consumers/G/reset', { action: 'preview', topic: 'T', mode: 'end', expected: [] }, 'action'],
      ['POST', '/api/config/import/dry-run', { document: 'topics:\n  - name: A\n    perm: 9\n' }, 'topics[0].perm'],
      ['POST', '/api/config/import', { document: 'topics: []' }, 'planHash'],
      ['POST', '/api/config/import/dry-run', { document: '' }, 'document'],
      ['POST', '/api/config/import/dry-run', { action: 'apply', document: 'topics: []', planHash: 'x' }, 'action'],
      ['GET', '/api/config/export?format=xml', undefined, 'format'],
    ];
    for (const [method, url, data, field] of cases) {
      const response = method === 'GET' ? await request.get(url) : await request.post(url, { data: data as object });
      expect(response.status(), `${method} ${url}`).toBe(400);
      const body = (await response.json()) as { error: { code: string; fields: Record<string, string> } };
      expect(body.error.code, `${method} ${url}`).toBe('invalid_input');
      expect(Object.keys(body.error.fields), `${method} ${url}`).toContain(field);
    }
  });
});
