import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { AdminClient } from '../broker-core/client/admin-client';
import { Producer } from '../broker-core/client/producer';

/**
 * Sign-in, roles, audit and API tokens, in Chromium against the second console of playwright.config.ts (sign-in
 * required, on the first console's cluster, with its own collector). Users are added with the real CLI into that
 * console's data folder; the first admin comes from the one-time password the console wrote at start. The
 * explorer, history, previewed resets and config import are checked for both roles: a read-only user browses,
 * previews and dry-runs (nothing of it in the audit log) but cannot apply; an admin's applies are audited with
 * before and after.
 */
const AUTH = process.env.E2E_AUTH_BASE_URL ?? '';
const HOME = process.env.E2E_AUTH_HOME ?? '';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ADMIN = { name: 'e2e-admin', password: 'admin-e2e-passphrase' };
const VIEWER = { name: 'e2e-viewer', password: 'viewer-e2e-passphrase' };
const topicBody = (topic: string, perm = 6) => ({ topic, clusters: ['DefaultCluster'], readQueueNums: 2, writeQueueNums: 2, perm });
const namesrvAddr = process.env.E2E_NAMESRV_ADDR ?? '127.0.0.1:29876';

/** A topic of 2 queues with 3 messages on each (keys <topic>-0..5), and an offline group committed at 1 on both: lag 4. */
async function seedGroup(topic: string, group: string): Promise<void> {
  const admin = new AdminClient({ namesrvAddr });
  const producer = new Producer({ namesrvAddr, groupName: `PG_${topic}` });
  try {
    const addr = (await admin.masterAddresses()).get('broker-a')!;
    await admin.createOrUpdateTopic(addr, { topicName: topic, readQueueNums: 2, writeQueueNums: 2, perm: 6 });
    await expect.poll(async () => (await admin.getTopicRoute(topic)) !== null, { timeout: 20_000 }).toBe(true);
    await producer.start();
    for (let i = 0; i < 6; i++) await producer.send({ topic, body: `{"n":${i}}`, keys: [`${topic}-${i}`] }, { queue: { topic, brokerName: 'broker-a', queueId: i % 2 } });
    await admin.createOrUpdateSubscriptionGroup(addr, { groupName: group, retryMaxTimes: 16 });
    for (const queueId of [0, 1]) await admin.updateConsumerOffset(addr, group, topic, queueId, 1);
  } finally {
    await producer.shutdown();
    await admin.close();
  }
}

async function sendOne(topic: string, key: string): Promise<void> {
  const producer = new Producer({ namesrvAddr, groupName: `PG_${topic}` });
  await producer.start();
  try {
    await producer.send({ topic, body: 'live', keys: [key] });
  } finally {
    await producer.shutdown();
  }
}

function addUser(user: { name: string; password: string }, role: string): void {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'rocketdeck.mjs'), 'user', 'add', user.name, '--role', role], { env: { ...process.env, ROCKETDECK_HOME: HOME, ROCKETDECK_USER_PASSWORD: user.password }, encoding: 'utf8' });
  if (result.status !== 0 && !result.stderr.includes('already exists')) throw new Error(`rocketdeck user add failed: ${result.stderr}`);
}

async function signIn(page: Page, user: { name: string; password: string }): Promise<void> {
  await page.goto('/login');
  await page.locator('input[name=user]').fill(user.name);
  await page.locator('input[name=password]').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-menu')).toContainText(user.name);
}

test.describe('console sign-in and roles', () => {
  test.skip(!AUTH, 'the sign-in console is started by playwright.config.ts');
  test.use({ baseURL: AUTH });
  let api: APIRequestContext;
  const topic = `E2eAuth${Date.now()}`;

  test.beforeAll(async ({ playwright }) => {
    addUser(ADMIN, 'admin');
    addUser(VIEWER, 'read-only');
    api = await playwright.request.newContext({ baseURL: AUTH });
    expect((await api.post('/api/auth/login', { data: { user: ADMIN.name, password: ADMIN.password } })).status()).toBe(200);
    expect((await api.post('/api/topics', { data: topicBody(topic) })).status()).toBe(201);
  });

  /** Topics and groups the tests made, deleted at the end. */
  const made = { topics: [topic], groups: [] as string[] };
  test.afterAll(async () => {
    for (const g of made.groups) await api.delete(`/api/consumers/${g}?confirm=${g}`);
    for (const t of made.topics) await api.delete(`/api/topics/${t}?confirm=${t}`);
    await api.dispose();
  });

  test('first start: the one-time admin password opens only the password change', async ({ page }) => {
    const file = path.join(HOME, 'console', 'initial-admin-password');
    test.skip(!fs.existsSync(file), 'the one-time password was already changed by an earlier attempt');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await signIn(page, { name: 'admin', password: fs.readFileSync(file, 'utf8').trim() });
    await expect(page).toHaveURL(/\/account\?required=1$/);
    await expect(page.getByRole('status')).toContainText('one-time password');
    await page.goto('/topic');
    await expect(page).toHaveURL(/\/account\?required=1$/);
    expect((await page.request.get('/api/topics')).status()).toBe(403);
    await page.locator('input[name=current]').fill(fs.readFileSync(file, 'utf8').trim());
    await page.locator('input[name=next]').fill('short');
    await page.locator('input[name=confirm]').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.locator('#next-error')).toHaveText('A password has at least 10 characters');
    await page.locator('input[name=next]').fill('my-own-admin-passphrase');
    await page.locator('input[name=confirm]').fill('my-own-admin-passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page).toHaveURL(new RegExp(`${AUTH}/$`));
    await expect(page.getByTestId('user-menu')).toContainText('admin');
    expect(fs.existsSync(file)).toBe(false);
  });

  test('pages and the API need a session; a wrong password is refused on the form', async ({ page }) => {
    await page.goto('/topic');
    await expect(page).toHaveURL(/\/login\?next=%2Ftopic$/);
    const anonymous = await page.request.get('/api/topics');
    expect(anonymous.status()).toBe(401);
    expect((await anonymous.json()).error.code).toBe('unauthenticated');
    await page.locator('input[name=user]').fill(ADMIN.name);
    await page.locator('input[name=password]').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('form').getByRole('alert')).toHaveText('Wrong user name or password');
    await page.locator('input[name=password]').fill('');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('#password-error')).toHaveText('Enter the password');
    await page.locator('input[name=password]').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/topic$/);
    await expect(page.getByTestId('user-menu')).toContainText('e2e-adminadmin');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'rocketdeck-session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  test('a read-only user sees no write buttons, and the API refuses its writes with 403', async ({ page }) => {
    await signIn(page, VIEWER);
    await expect(page.getByTestId('user-menu')).toContainText('read-only');
    await page.goto('/topic');
    const row = page.getByTestId('topic-list').locator('tr', { hasText: topic });
    await expect(row.getByRole('button', { name: 'STATUS' })).toBeVisible();
    for (const name of ['SEND MESSAGE', 'RESET OFFSET', 'SKIP ACCUMULATE', 'DELETE']) await expect(row.getByRole('button', { name })).toHaveCount(0);
    for (const name of ['PREVIEW RESET', 'PREVIEW SKIP']) await expect(row.getByRole('button', { name })).toBeVisible(); // previews only: no Apply inside
    await expect(page.getByRole('button', { name: 'Add / update topic' })).toHaveCount(0);
    await row.getByRole('button', { name: 'TOPIC CONFIG' }).click();
    await expect(page.getByTestId('topic-config')).toContainText('broker-a');
    await expect(page.getByTestId('topic-config').getByRole('button', { name: 'Edit' })).toHaveCount(0);
    await page.keyboard.press('Escape');
    await page.goto('/consumer');
    await expect(page.getByTestId('consumer-list')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Add / update group' })).toHaveCount(0);
    await page.goto('/ops');
    await expect(page.getByTestId('ops-current')).toBeVisible();
    await expect(page.getByRole('button', { name: /switch/i })).toHaveCount(0);
    await expect(page.getByRole('navigation', { name: 'Security' }).getByRole('link')).toHaveText(['Audit', 'API']);

    // The browser's own fetch, same origin, with the session cookie: refused by the server, not just hidden.
    const [status, body] = await page.evaluate(async (t) => {
      const response = await fetch('/api/topics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: `${t}Ro`, clusters: ['DefaultCluster'], readQueueNums: 1, writeQueueNums: 1, perm: 6 }) });
      return [response.status, await response.json()] as const;
    }, topic);
    expect(status).toBe(403);
    expect(body.error.code).toBe('forbidden');
    for (const [method, url] of [['delete', `/api/topics/${topic}?confirm=${topic}`], ['post', '/api/tokens'], ['put', '/api/not-written-yet']] as const) {
      expect((await page.request.fetch(url, { method, data: {} })).status(), `${method} ${url}`).toBe(403);
    }
    expect((await page.request.get('/api/tokens')).status()).toBe(403);
    expect((await api.get(`/api/topics/${topic}?view=route`)).status()).toBe(200);
    expect((await api.get(`/api/topics/${topic}Ro?view=route`)).status()).toBe(404);
  });

  test('a read-only user moves its own session among the saved cluster connections, never to a typed address', async ({ page }) => {
    // The same NameServer under another name: a second saved connection an admin adds.
    const other = namesrvAddr.replace('127.0.0.1', 'localhost');
    expect((await api.post('/api/ops', { data: { action: 'add', namesrvAddr: other } })).status()).toBe(200);
    try {
      await signIn(page, VIEWER);
      await page.goto('/ops');
      await expect(page.getByTestId('ops-current')).toHaveText(namesrvAddr);
      await expect(page.getByText('an admin adds new addresses')).toBeVisible();
      const list = page.getByTestId('namesrv-list');
      await expect(list.getByRole('button', { name: 'Remove' })).toHaveCount(0);
      await list.locator('tr', { hasText: other }).getByRole('button', { name: 'Use' }).click();
      await expect(page.getByTestId('ops-current')).toHaveText(other);
      await expect(page.getByRole('status')).toContainText(other);
      await page.goto('/topic');
      await expect(page.getByTestId('topic-list').locator('tr', { hasText: topic })).toBeVisible(); // pages follow the session's cluster
      await page.goto('/ops');
      await list.locator('tr', { hasText: namesrvAddr }).getByRole('button', { name: 'Use' }).click();
      await expect(page.getByTestId('ops-current')).toHaveText(namesrvAddr);

      const typed = await page.request.post('/api/ops/session', { data: { action: 'use', namesrvAddr: '192.0.2.7:9876' } });
      expect(typed.status()).toBe(400);
      expect((await typed.json()).error.fields.namesrvAddr).toContain('is not a saved cluster connection');
      const bad = await page.request.post('/api/ops/session', { data: { action: 'switch', namesrvAddr: other } });
      expect(bad.status()).toBe(400);
      expect((await page.request.post('/api/ops', { data: { action: 'switch', namesrvAddr: other } })).status()).toBe(403);
      expect((await page.request.post('/api/ops', { data: { action: 'add', namesrvAddr: '192.0.2.7:9876' } })).status()).toBe(403);
    } finally {
      expect((await api.post('/api/ops', { data: { action: 'remove', namesrvAddr: other } })).status()).toBe(200);
    }
  });

  test('an admin writes, and the audit shows who changed what, before and after', async ({ page }) => {
    await signIn(page, ADMIN);
    await page.goto('/topic');
    const row = page.getByTestId('topic-list').locator('tr', { hasText: topic });
    await expect(row.getByRole('button', { name: 'DELETE' })).toBeVisible();
    await row.getByRole('button', { name: 'TOPIC CONFIG' }).click();
    await page.getByTestId('topic-config').getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('dialog', { name: 'Add / update topic' });
    await form.locator('select[name=perm]').selectOption('4');
    await form.getByRole('button', { name: 'Commit' }).click();
    await expect(form.getByRole('status')).toContainText(`Topic ${topic} saved on broker-a`);
    await form.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('navigation', { name: 'Security' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('Action').fill('topic.update');
    await page.getByLabel('Target').fill(topic);
    await page.getByRole('button', { name: 'Filter' }).click();
    const entry = page.getByTestId('audit-list').locator('tbody tr').first();
    await expect(entry).toContainText('e2e-admin');
    await expect(entry).toContainText('topic.update');
    await expect(entry).toContainText('ok');
    await entry.getByRole('button', { name: 'DETAILS' }).click();
    const perm = page.getByTestId('audit-changes').locator('tr', { hasText: 'broker-a.perm' });
    await expect(perm.locator('td').nth(1)).toHaveText('6');
    await expect(perm.locator('td').nth(2)).toHaveText('4');
  });

  test('the audit lists refused writes of a read-only user, filtered by user and result', async ({ page }) => {
    const viewer = await page.context().request;
    expect((await viewer.post('/api/auth/login', { data: { user: VIEWER.name, password: VIEWER.password } })).status()).toBe(200);
    expect((await viewer.post(`/api/topics/${topic}/send`, { data: { body: 'x' } })).status()).toBe(403);
    await page.goto('/audit');
    await page.getByLabel('Who').fill(VIEWER.name);
    await page.getByLabel('Result').selectOption('forbidden');
    await page.getByRole('button', { name: 'Filter' }).click();
    const rows = page.getByTestId('audit-list').locator('tbody tr');
    await expect(rows.first()).toContainText(`POST /api/topics/${topic}/send`);
    await expect(rows.first()).toContainText('forbidden');
    await expect(rows.filter({ hasNotText: 'e2e-viewer' })).toHaveCount(0);
  });

  test('sign-out ends the session on the server', async ({ page }) => {
    await signIn(page, ADMIN);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'rocketdeck-session')!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto('/consumer');
    await expect(page).toHaveURL(/\/login\?next=%2Fconsumer$/);
    // The old cookie value, replayed, is worth nothing: the session is gone from the server.
    const replay = await page.request.get('/api/topics', { headers: { cookie: `rocketdeck-session=${cookie.value}` } });
    expect(replay.status()).toBe(401);
  });

  test('a cross-site POST is refused, with or without the session cookie', async ({ page }) => {
    await signIn(page, ADMIN);
    const victim = `${topic}Csrf`;
    const payload = JSON.stringify(topicBody(victim)).slice(0, -1) + ',"pad":"';
    await page.route('http://evil.test/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<form id="f" method="POST" action="${AUTH}/api/topics" enctype="text/plain"><input name='${payload}' value='"}'></form><script>document.getElementById('f').submit()</script>`,
      }),
    );
    await page.goto('http://evil.test/attack');
    await expect(page.locator('body')).toContainText('cross_site_refused');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'rocketdeck-session')!;
    const forged = await page.request.post('/api/topics', { data: topicBody(victim), headers: { origin: 'http://evil.test', cookie: `rocketdeck-session=${cookie.value}` } });
    expect(forged.status()).toBe(403);
    expect((await forged.json()).error.code).toBe('cross_site_refused');
    expect((await api.get(`/api/topics/${victim}?view=route`)).status()).toBe(404);
  });

  test('API tokens: shown once, read-only gets 403 on a write, admin writes under its name, revoked gets 401', async ({ page, playwright }) => {
    await signIn(page, ADMIN);
    await page.getByRole('navigation', { name: 'Security' }).getByRole('link', { name: 'Access' }).click();
    const stamp = Date.now();
    const create = async (name: string, role: string) => {
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByLabel('Role').first().selectOption(role);
      await page.getByRole('button', { name: 'Create token' }).click();
      await expect(page.getByRole('status')).toContainText(`Token ${name} created`);
      return (await page.getByTestId('token-secret').textContent())!.trim();
    };
    const readOnlySecret = await create(`ro-${stamp}`, 'read-only');
    const adminSecret = await create(`deploy-${stamp}`, 'admin');
    await page.reload();
    await expect(page.getByTestId('token-list')).toContainText(`ro-${stamp}`);
    await expect(page.getByTestId('token-secret')).toHaveCount(0);
    await expect(page.locator('body')).not.toContainText(readOnlySecret);

    const client = (secret: string) => playwright.request.newContext({ baseURL: AUTH, extraHTTPHeaders: { authorization: `Bearer ${secret}` } });
    const readOnly = await client(readOnlySecret);
    expect((await readOnly.get('/api/topics')).status()).toBe(200);
    const refused = await readOnly.post('/api/topics', { data: topicBody(`${topic}Ro`) });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.code).toBe('forbidden');

    const deploy = await client(adminSecret);
    const made = `${topic}Tok`;
    expect((await deploy.post('/api/topics', { data: topicBody(made) })).status()).toBe(201);
    const audit = await (await api.get(`/api/audit?target=${made}&action=topic.create`)).json();
    expect(audit.entries[0]).toMatchObject({ who: `deploy-${stamp}`, kind: 'token', role: 'admin', result: 'ok' });
    expect((await deploy.delete(`/api/topics/${made}?confirm=${made}`)).status()).toBe(200);

    await page.getByTestId('token-list').locator('tr', { hasText: `ro-${stamp}` }).getByRole('button', { name: 'REVOKE' }).click();
    await expect(page.getByTestId('token-list').locator('tr', { hasText: `ro-${stamp}` })).toContainText('revoked');
    const revoked = await readOnly.get('/api/topics');
    expect(revoked.status()).toBe(401);
    expect((await revoked.json()).error.code).toBe('token_revoked');
    expect((await (await client('rdk_not-a-token')).get('/api/topics')).status()).toBe(401);
    await readOnly.dispose();
    await deploy.dispose();
  });

  test('a read-only user browses the explorer and the tail, sees history and sparklines, previews a reset and an import, and cannot apply them', async ({ page }) => {
    test.setTimeout(150_000);
    const t = `${topic}Ro`;
    const group = `CG_ro_${topic}`;
    made.topics.push(t);
    made.groups.push(group);
    await seedGroup(t, group);
    const since = Date.now();
    await signIn(page, VIEWER);

    await test.step('explorer: a scan finds every message; the live tail shows a new one', async () => {
      await page.goto(`/explorer?topic=${t}`);
      const browse = page.getByRole('form', { name: 'Browse' });
      await browse.getByLabel('Oldest').check();
      await browse.getByRole('button', { name: 'Scan' }).click();
      await expect(page.getByTestId('scan-progress')).toContainText('Scanned 6 of 6 · 6 matched');
      await expect(page.getByTestId('scan-results').locator('tbody tr')).toHaveCount(6);
      await expect(page.getByTestId('scan-results')).toContainText(`${t}-5`);
      await page.goto(`/explorer?topic=${t}&tab=tail`);
      const tail = page.getByRole('form', { name: 'Live tail' });
      await tail.getByRole('button', { name: 'Start tail' }).click();
      await expect(page.getByTestId('tail-state')).toHaveText('live');
      await sendOne(t, `${t}-live`); // the group's lag is 5 from here on
      await expect(page.getByTestId('tail-rows')).toContainText(`${t}-live`);
      await tail.getByRole('button', { name: 'Stop' }).click();
    });

    await test.step('consumers: the lag sparkline and the HISTORY chart', async () => {
      await expect
        .poll(async () => ((await (await page.request.get(`/api/history?kind=group&name=${group}&range=1h`)).json()) as { points: { lag: number | null }[] }).points.filter((p) => (p.lag ?? 0) > 0).length, { timeout: 60_000 })
        .toBeGreaterThanOrEqual(3);
      await page.goto('/consumer');
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByLabel('Filter by group').fill(group);
      const row = page.getByTestId('consumer-list').locator('tbody tr', { hasText: group });
      await expect(row.getByTestId(`spark-${group}`).locator('path')).toHaveCount(1);
      await expect(row.getByRole('button', { name: 'DELETE' })).toHaveCount(0);
      await row.getByRole('button', { name: 'HISTORY' }).click();
      const history = page.getByRole('dialog', { name: `HISTORY · ${group}` });
      await expect(history.getByTestId('chart-lag').locator('.recharts-line-curve')).toHaveCount(1);
      await history.getByRole('button', { name: 'Close' }).click();
    });

    await test.step('reset: the preview shows what would change; no Apply, and the API refuses the apply', async () => {
      const row = page.getByTestId('consumer-list').locator('tbody tr', { hasText: group });
      await expect(row.getByRole('button', { name: 'RESET OFFSET' })).toHaveCount(0);
      await row.getByRole('button', { name: 'PREVIEW RESET' }).click();
      await page.getByRole('dialog', { name: `RESET OFFSET · ${group}` }).getByRole('button', { name: t, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: `RESET OFFSET · ${t}` });
      await expect(dialog.getByLabel(group, { exact: true })).toBeChecked();
      await dialog.getByLabel('To the end (skip)').check();
      await dialog.getByRole('button', { name: 'Preview' }).click();
      await expect(dialog.getByTestId(`reset-lag-${group}`)).toContainText('Lag 5 → 0 (-5)');
      await expect(dialog.getByRole('button', { name: 'Apply', exact: true })).toHaveCount(0);
      await expect(dialog).toContainText('Read-only: you can preview; only an admin can apply a reset.');
      await dialog.getByRole('button', { name: 'Close' }).click();

      const preview = await page.request.post(`/api/consumers/${group}/reset/preview`, { data: { topic: t, mode: 'end' } });
      expect(preview.status()).toBe(200);
      const queues = ((await preview.json()) as { preview: { queues: { brokerName: string; queueId: number; before: number; after: number }[] } }).preview.queues;
      const expected = queues.map(({ brokerName, queueId, before, after }) => ({ brokerName, queueId, before, after }));
      for (const data of [{ topic: t, mode: 'end', expected }, { action: 'preview', topic: t, mode: 'end', expected }]) {
        const refused = await page.request.post(`/api/consumers/${group}/reset`, { data });
        expect(refused.status()).toBe(403);
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      }
      expect(((await (await api.get(`/api/consumers/${group}?view=detail`)).json()) as { lag: number }).lag).toBe(5);
    });

    await test.step('config: export and dry run, but no Apply, and the API refuses the import', async () => {
      await page.goto('/config');
      await expect(page.getByRole('link', { name: 'Download' })).toBeVisible();
      const document = `topics:\n  - name: ${t}\n    readQueueNums: 4\n    writeQueueNums: 4\n`;
      await page.locator('textarea[name=document]').fill(document);
      await page.getByRole('button', { name: 'Dry run' }).click();
      await expect(page.getByTestId('plan-counts')).toContainText('0 to create · 1 to update');
      await expect(page.getByTestId('plan-items').locator('tr', { hasText: t })).toContainText('readQueueNums 2 → 4');
      await expect(page.getByRole('button', { name: 'Apply' })).toHaveCount(0);
      await expect(page.getByRole('button', { name: /import/i })).toHaveCount(0);
      await expect(page.getByText('Read-only: the dry run shows what importing this document would change; only an admin can apply it.')).toBeVisible();

      const dry = await page.request.post('/api/config/import/dry-run', { data: { document, cluster: 'DefaultCluster' } });
      expect(dry.status()).toBe(200);
      const { planHash } = ((await dry.json()) as { plan: { planHash: string } }).plan;
      const refused = await page.request.post('/api/config/import', { data: { document, cluster: 'DefaultCluster', planHash } });
      expect(refused.status()).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      const config = (await (await api.get(`/api/topics/${t}?view=config`)).json()) as unknown;
      expect(JSON.stringify(config)).toContain('"readQueueNums":2');
    });

    await test.step('audit: the refused applies are there; scans, sparklines, previews and dry runs are not', async () => {
      type Entries = { entries: { path: string; result: string }[] };
      const entries = async () => ((await (await api.get(`/api/audit?user=${VIEWER.name}&from=${since}&pageSize=200`)).json()) as Entries).entries.map((e) => `${e.path} ${e.result}`);
      await expect.poll(entries).toEqual(expect.arrayContaining([`/api/consumers/${group}/reset forbidden`, '/api/config/import forbidden']));
      expect((await entries()).filter((e) => /explorer\/scans|sparklines|reset\/preview|dry-run/.test(e))).toEqual([]);
    });
  });

  test('an admin applies a reset and an import, and the Audit page shows each with before and after', async ({ page }) => {
    test.setTimeout(120_000);
    const t = `${topic}Adm`;
    const group = `CG_adm_${topic}`;
    made.topics.push(t, `${t}New`);
    made.groups.push(group);
    await seedGroup(t, group);
    await signIn(page, ADMIN);
    const audit = async (action: string, target: string) => {
      await page.goto('/audit');
      await page.getByLabel('Action').fill(action);
      await page.getByLabel('Target').fill(target);
      await page.getByRole('button', { name: 'Filter' }).click();
      const entry = page.getByTestId('audit-list').locator('tbody tr').first();
      await expect(entry).toContainText(action);
      await expect(entry).toContainText('e2e-admin');
      await expect(entry).toContainText('ok');
      await entry.getByRole('button', { name: 'DETAILS' }).click();
      const changes = page.getByTestId('audit-changes');
      return (path: string) => changes.locator('tr', { has: page.getByRole('cell', { name: path, exact: true }) }).locator('td');
    };

    await test.step('reset to the end from the Consumer page', async () => {
      await page.goto('/consumer');
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByLabel('Filter by group').fill(group);
      await page.getByTestId('consumer-list').locator('tbody tr', { hasText: group }).getByRole('button', { name: 'RESET OFFSET' }).click();
      await page.getByRole('dialog', { name: `RESET OFFSET · ${group}` }).getByRole('button', { name: t, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: `RESET OFFSET · ${t}` });
      await dialog.getByLabel('To the end (skip)').check();
      await dialog.getByRole('button', { name: 'Preview' }).click();
      await expect(dialog.getByTestId(`reset-lag-${group}`)).toContainText('Lag 4 → 0 (-4)');
      await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
      await expect(dialog).toContainText(`${group}: done`);
    });

    await test.step('the audit entry: each queue before → after', async () => {
      const cells = await audit('consumer.resetOffset', group);
      for (const queue of ['broker-a:0', 'broker-a:1']) await expect(cells(queue)).toHaveText([queue, '1', '3']);
      await page.getByRole('button', { name: 'Close' }).click();
    });

    await test.step('import a document: one topic updated, one created, one group updated', async () => {
      await page.goto('/config');
      const document = `topics:\n  - name: ${t}\n    readQueueNums: 4\n    writeQueueNums: 4\n  - name: ${t}New\n    readQueueNums: 2\n    writeQueueNums: 2\n    brokers: [broker-a]\ngroups:\n  - name: ${group}\n    retryMaxTimes: 5\n`;
      await page.locator('textarea[name=document]').fill(document);
      await page.getByRole('button', { name: 'Dry run' }).click();
      await expect(page.getByTestId('plan-counts')).toContainText('1 to create · 2 to update');
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect(page.getByRole('status')).toHaveText('Applied: 3 writes done, 0 failed.');
    });

    await test.step('the audit entry: every change per broker, before and after', async () => {
      const cells = await audit('config.import', `${t}New`);
      await expect(cells(`topics.${t}.broker-a.readQueueNums`)).toHaveText([`topics.${t}.broker-a.readQueueNums`, '2', '4']);
      await expect(cells(`topics.${t}New.broker-a.readQueueNums`)).toHaveText([`topics.${t}New.broker-a.readQueueNums`, '–', '2']);
      await expect(cells(`groups.${group}.broker-a.retryMaxTimes`)).toHaveText([`groups.${group}.broker-a.retryMaxTimes`, '16', '5']);
    });
  });

  test('the API page renders the OpenAPI document of every route', async ({ page }) => {
    await signIn(page, VIEWER);
    await page.getByRole('navigation', { name: 'Security' }).getByRole('link', { name: 'API' }).click();
    await expect(page.getByRole('heading', { name: 'Rocketdeck console API' })).toBeVisible();
    const op = page.getByTestId('op-post-/api/topics');
    await op.locator('summary').click();
    await expect(op).toContainText('admin');
    await expect(op.locator('tr', { hasText: 'readQueueNums' })).toContainText('1 to 1024');
    await expect(op.locator('tr', { hasText: 'perm' })).toContainText('2 (write), 4 (read) or 6 (read + write)');
    const doc = await (await page.request.get('/api/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/audit');
  });
});

test.describe('sign-in off (console on loopback)', () => {
  test('everyone is the local admin, writes are still audited, and cross-site writes are still refused', async ({ page, request }) => {
    await page.goto('/');
    await expect(page.getByText('sign-in off')).toBeVisible();
    const name = `E2eLocal${Date.now()}`;
    expect((await request.post('/api/topics', { data: topicBody(name) })).status()).toBe(201);
    const audit = await (await request.get(`/api/audit?target=${name}`)).json();
    expect(audit.entries[0]).toMatchObject({ who: 'local', kind: 'local', action: 'topic.create', result: 'ok', before: { 'broker-a': null } });
    const forged = await request.post('/api/topics', { data: topicBody(`${name}X`), headers: { origin: 'http://evil.test' } });
    expect(forged.status()).toBe(403);
    expect((await request.post('/api/topics', { data: topicBody(`${name}Y`), headers: { host: 'rebound.evil.test' } })).status()).toBe(403);
    expect((await request.delete(`/api/topics/${name}?confirm=${name}`)).status()).toBe(200);
  });
});
