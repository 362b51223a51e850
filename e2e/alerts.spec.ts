/**
 * The Alerts page in Chromium against the real product (its collector samples every 2 s): a rule form with bad
 * input shows each error beside its field and adds nothing; a good rule on a lagging group fires (real messages,
 * an offline group), is delivered to a real local webhook receiver, is acknowledged from the page, shows in the
 * history, and is silenced and deleted from the page. The rule travels with the config export.
 */
import http from 'node:http';
import { expect, test } from '@playwright/test';
import { AdminClient } from '../broker-core/client/admin-client';
import { Producer } from '../broker-core/client/producer';

const namesrvAddr = process.env.E2E_NAMESRV_ADDR ?? '127.0.0.1:29876';

test('alert rules: field errors, firing on real lag, webhook, acknowledge, history, silence, delete', async ({ page, request }) => {
  const suffix = String(Date.now() % 1_000_000);
  const topic = `E2eAlertTopic${suffix}`;
  const group = `CG_e2e_alert_${suffix}`;
  const bodies: Record<string, unknown>[] = [];
  const receiver = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  const admin = new AdminClient({ namesrvAddr });
  const producer = new Producer({ namesrvAddr, groupName: `PG_${topic}` });
  try {
    await test.step('bad input: errors beside the fields, nothing added', async () => {
      await page.goto('/alerts');
      await expect(page.getByRole('heading', { name: 'Alerts', exact: true })).toBeVisible();
      await page.getByLabel('Threshold (messages)').fill('-3');
      await page.getByLabel('For (minutes)').fill('2.5');
      await page.getByLabel('Webhook URL (optional)').fill('ftp://example');
      await page.getByRole('button', { name: 'Add rule' }).click();
      await expect(page.locator('#name-error')).toHaveText('Enter a name');
      await expect(page.locator('#target-error')).toHaveText('Enter what to watch (a name, or *)');
      await expect(page.locator('#threshold-error')).toHaveText('The threshold cannot be negative');
      await expect(page.locator('#forMinutes-error')).toHaveText('Whole minutes');
      await expect(page.locator('#webhookUrl-error')).toHaveText('A webhook is an http:// or https:// address');
      // The server says the same to a client that skips the form.
      const refused = await request.post('/api/alerts/rules', { data: { name: 'x', kind: 'online_clients', target: '*', threshold: 1 } });
      expect(refused.status()).toBe(400);
      expect((await refused.json()).error.fields.target).toBe('Name one consumer group for this condition');
    });

    await test.step('a lagging group fires the rule; the webhook gets it', async () => {
      const addr = (await admin.masterAddresses()).get('broker-a')!;
      await admin.createOrUpdateTopic(addr, { topicName: topic, readQueueNums: 1, writeQueueNums: 1, perm: 6 });
      await admin.createOrUpdateSubscriptionGroup(addr, { groupName: group });
      await admin.updateConsumerOffset(addr, group, topic, 0, 0);
      await producer.start();
      for (let i = 0; i < 12; i++) await producer.send({ topic, body: `m${i}` });

      await page.getByRole('textbox', { name: /^Name/ }).fill(`lag ${suffix}`);
      await page.getByLabel('Group, broker or topic (* for every one)').fill(group);
      await page.getByLabel('Threshold (messages)').fill('5');
      await page.getByLabel('For (minutes)').fill('0');
      await page.getByLabel('Webhook URL (optional)').fill(hook);
      await page.getByLabel('Payload').selectOption('slack');
      await page.getByRole('button', { name: 'Add rule' }).click();
      await expect(page.getByRole('status')).toHaveText(`Rule "lag ${suffix}" added.`);
      await expect(page.locator('#threshold-error')).toHaveCount(0);
      const active = page.getByTestId('active-alerts').getByRole('row').filter({ hasText: group });
      await expect(active).toContainText('firing', { timeout: 30_000 });
      await expect(active).toContainText('lag 12 messages');
      await expect.poll(() => bodies.map((b) => String(b.text ?? '')).find((t) => t.includes(`[FIRING] lag ${suffix}: ${group}`)), { timeout: 15_000 }).toBeTruthy();
    });

    await test.step('acknowledge, history, silence, export, delete', async () => {
      const active = page.getByTestId('active-alerts').getByRole('row').filter({ hasText: group });
      await active.getByRole('button', { name: 'Acknowledge' }).click();
      await expect(active).toContainText('by local');
      await expect(page.getByTestId('alert-history').getByRole('row').filter({ hasText: group }).first()).toContainText('delivered (200)');
      const rule = page.getByTestId('alert-rules').getByRole('row').filter({ hasText: `lag ${suffix}` });
      await rule.getByRole('button', { name: 'Silence 1 h' }).click();
      await expect(rule).toContainText('silenced until');
      const exported = await request.get('/api/config/export?format=json');
      expect(((await exported.json()) as { alertRules: { name: string }[] }).alertRules.map((r) => r.name)).toContain(`lag ${suffix}`);
      page.once('dialog', (dialog) => void dialog.accept());
      await rule.getByRole('button', { name: 'Delete' }).click();
      await expect(page.getByTestId('alert-rules').getByRole('row').filter({ hasText: `lag ${suffix}` })).toHaveCount(0);
      await expect(page.getByTestId('active-alerts').getByRole('row').filter({ hasText: group })).toHaveCount(0);
    });
  } finally {
    await producer.shutdown();
    await admin.close();
    receiver.close();
  }
});
