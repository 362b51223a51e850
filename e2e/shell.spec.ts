import { expect, test } from '@playwright/test';

test.describe('console shell', () => {
  test('shows navigation and NameServer + broker liveness on every page', async ({ page }) => {
    await page.goto('/');
    const badge = page.getByTestId('liveness-badge');
    await expect(badge).toContainText('NameServer reachable');
    await expect(badge).toContainText('1/1 brokers alive');
    const nav = ['Dashboard', 'Cluster', 'Topic', 'Consumer', 'Producer', 'Message', 'Explorer', 'DLQ', 'Trace', 'Alerts', 'Config', 'OPS'];
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText(nav);
    await badge.click();
    await expect(page.getByRole('dialog', { name: 'Cluster liveness' })).toContainText(process.env.E2E_NAMESRV_ADDR ?? '127.0.0.1');
    await page.keyboard.press('Escape');
    for (const name of nav.slice(1)) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name })).toHaveAttribute('aria-current', 'page');
      await expect(page.getByTestId('liveness-badge')).toContainText('1/1 brokers alive');
    }
  });

  test('switches to Chinese and to the dark theme, and remembers both', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: '中文' }).click();
    await expect(page.getByRole('link', { name: '集群' })).toBeVisible();
    await page.getByRole('button', { name: '主题色' }).click();
    await expect(page.locator('html')).toHaveClass(/dark/);
    await page.reload();
    await expect(page.getByRole('link', { name: '集群' })).toBeVisible();
    await expect(page.locator('html')).toHaveClass(/dark/);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Theme' }).click();
    await expect(page.locator('html')).not.toHaveClass(/dark/);
  });
});

test.describe('dashboard and cluster', () => {
  test('lists the embedded broker with its figures, STATUS and CONFIG', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('broker-overview')).toContainText('broker-a#0');
    await expect(page.getByTestId('stat-brokers')).toHaveText('1');
    await page.goto('/cluster');
    const row = page.getByTestId('cluster-brokers').locator('tbody tr').first();
    await expect(row).toContainText('DefaultCluster');
    await expect(row).toContainText('V4_9_4');
    await row.getByRole('button', { name: 'STATUS' }).click();
    const status = page.getByRole('dialog', { name: /STATUS/ });
    await expect(status).toContainText('commitLogMaxOffset');
    await status.getByRole('button', { name: 'Close' }).click();
    await row.getByRole('button', { name: 'CONFIG' }).click();
    await expect(page.getByRole('dialog', { name: /CONFIG/ })).toContainText('flushDiskType');
  });
});

test.describe('topics', () => {
  test('rejects bad input beside the field, creates a topic, shows its queues, deletes it with typed confirmation', async ({ page }) => {
    await page.goto('/topic');
    await page.getByRole('button', { name: 'Add / update topic' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add / update topic' });
    await dialog.locator('input[name=topic]').fill('bad topic!');
    await dialog.locator('input[name=writeQueueNums]').fill('0');
    await dialog.getByRole('button', { name: 'Commit' }).click();
    await expect(dialog.locator('#topic-error')).toHaveText('Use only letters, digits, %, |, - and _');
    await expect(dialog.locator('#writeQueueNums-error')).toHaveText('Write queues must be at least 1');

    await dialog.locator('input[name=topic]').fill('E2eTopic');
    await dialog.locator('input[name=writeQueueNums]').fill('4');
    await dialog.locator('input[name=readQueueNums]').fill('4');
    await dialog.locator('select[name=clusters]').selectOption('DefaultCluster');
    await dialog.getByRole('button', { name: 'Commit' }).click();
    await expect(dialog.getByRole('status')).toContainText('Topic E2eTopic saved on broker-a');
    await dialog.getByRole('button', { name: 'Close' }).click();

    const row = page.getByTestId('topic-list').locator('tr', { hasText: 'E2eTopic' });
    await expect(row).toBeVisible();
    await row.getByRole('button', { name: 'STATUS' }).click();
    await expect(page.getByTestId('topic-status').locator('tbody tr')).toHaveCount(4);
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    await row.getByRole('button', { name: 'DELETE' }).click();
    const del = page.getByRole('dialog', { name: /DELETE/ });
    const confirm = del.getByRole('button', { name: 'DELETE' });
    await del.locator('input[name=confirm]').fill('E2eTopi');
    await expect(confirm).toBeDisabled();
    await del.locator('input[name=confirm]').fill('E2eTopic');
    await confirm.click();
    await expect(page.getByTestId('topic-list')).not.toContainText('E2eTopic');
  });

  test('the API answers field errors, never a 500, for bad input', async ({ request }) => {
    const cases: [unknown, string][] = [
      [{ topic: '', clusters: ['DefaultCluster'], readQueueNums: 1, writeQueueNums: 1, perm: 6 }, 'topic'],
      [{ topic: 'x'.repeat(128), clusters: ['DefaultCluster'], readQueueNums: 1, writeQueueNums: 1, perm: 6 }, 'topic'],
      [{ topic: 'TBW102', clusters: ['DefaultCluster'], readQueueNums: 1, writeQueueNums: 1, perm: 6 }, 'topic'],
      [{ topic: 'Ok', clusters: ['DefaultCluster'], readQueueNums: 99999, writeQueueNums: 1, perm: 6 }, 'readQueueNums'],
      [{ topic: 'Ok', clusters: ['DefaultCluster'], readQueueNums: 1, writeQueueNums: 1.5, perm: 6 }, 'writeQueueNums'],
      [{ topic: 'Ok', clusters: ['DefaultCluster'], readQueueNums: 1, writeQueueNums: 1, perm: 7 }, 'perm'],
      [{ topic: 'Ok', clusters: ['NoSuchCluster'], readQueueNums: 1, writeQueueNums: 1, perm: 6 }, 'clusters'],
      [{ topic: 'Ok', readQueueNums: 1, writeQueueNums: 1, perm: 6 }, 'clusters'],
    ];
    for (const [body, field] of cases) {
      const response = await request.post('/api/topics', { data: body });
      expect(response.status(), JSON.stringify(body)).toBe(400);
      expect(Object.keys((await response.json()).error.fields)).toContain(field);
    }
    const notJson = await request.post('/api/topics', { data: 'not json', headers: { 'content-type': 'application/json' } });
    expect(notJson.status()).toBe(400);
    const badAddr = await request.get('/api/cluster/broker?addr=192.0.2.9:1');
    expect(badAddr.status()).toBe(400);
    const badDelete = await request.delete('/api/topics/E2eNope?confirm=wrong');
    expect(badDelete.status()).toBe(400);
  });

  test('a send to a read-only topic is a refusal the form can explain, not an unreachable cluster', async ({ request }) => {
    const topic = `E2eReadOnly${Date.now()}`;
    const created = await request.post('/api/topics', { data: { topic, clusters: ['DefaultCluster'], readQueueNums: 2, writeQueueNums: 2, perm: 4 } });
    expect(created.status()).toBe(201);
    const sent = await request.post(`/api/topics/${topic}/send`, { data: { body: 'hello', tags: '', keys: '', properties: [], delayLevel: 0 } });
    expect(sent.status()).toBe(422);
    const error = (await sent.json()).error;
    expect(error.code).toBe('no_route');
    expect(error.message).toContain('no writable queue');
    expect((await request.delete(`/api/topics/${topic}?confirm=${topic}`)).status()).toBe(200);
  });
});
