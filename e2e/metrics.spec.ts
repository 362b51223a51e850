/**
 * GET /metrics on the console port, scraped as Prometheus scrapes it: the npm start console (sign-in off on
 * loopback: open like every GET) shows its cluster and its embedded broker's latency histograms, and the figures
 * move with real sends; the sign-in console refuses a scrape without a token (401, not the sign-in page) and
 * serves one with a read-only API token.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { Producer } from '../broker-core/client/producer';
import { parsePrometheusText, sampleValue } from '../broker-core/testing/prometheus-text';

const namesrvAddr = process.env.E2E_NAMESRV_ADDR ?? '127.0.0.1:29876';
const AUTH = process.env.E2E_AUTH_BASE_URL ?? '';
const HOME = process.env.E2E_AUTH_HOME ?? '';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const broker = { cluster: 'DefaultCluster', node_id: 'broker-a' };

test('the console serves Prometheus metrics that move with real sends', async ({ request }) => {
  const topic = `E2eMetrics${Date.now() % 1_000_000}`;
  const producer = new Producer({ namesrvAddr, groupName: `PG_${topic}` });
  await producer.start();
  try {
    for (let i = 0; i < 5; i++) await producer.send({ topic, body: `m${i}` });
  } finally {
    await producer.shutdown();
  }
  await expect.poll(async () => {
    const response = await request.get('/metrics');
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('text/plain; version=0.0.4');
    return sampleValue(parsePrometheusText(await response.text()), 'rocketmq_messages_in_total', { ...broker, topic });
  }, { timeout: 20_000 }).toBe(5);
  const families = parsePrometheusText(await (await request.get('/metrics')).text());
  expect(sampleValue(families, 'rocketdeck_broker_up', broker)).toBe(1);
  // The embedded broker runs in the console's process: its send latency histogram is there too.
  expect(sampleValue(families, 'rocketmq_rpc_latency', { ...broker, request_code: 'send_message_v2' }, '_count')).toBeGreaterThanOrEqual(5);
  expect(sampleValue(families, 'process_resident_memory_bytes')).toBeGreaterThan(0);
});

test('a console with sign-in asks a scraper for an API token', async ({ playwright }) => {
  test.skip(!AUTH, 'the sign-in console is started by playwright.config.ts');
  const anonymous = await playwright.request.newContext({ baseURL: AUTH });
  const refused = await anonymous.get('/metrics', { maxRedirects: 0 });
  expect(refused.status()).toBe(401);
  expect(refused.headers()['www-authenticate']).toContain('Bearer');

  const admin = { name: 'e2e-metrics-admin', password: 'metrics-admin-passphrase' };
  const added = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'rocketdeck.mjs'), 'user', 'add', admin.name, '--role', 'admin'], { env: { ...process.env, ROCKETDECK_HOME: HOME, ROCKETDECK_USER_PASSWORD: admin.password }, encoding: 'utf8' });
  expect(added.status === 0 || added.stderr.includes('already exists'), added.stderr).toBe(true);
  const session = await playwright.request.newContext({ baseURL: AUTH });
  expect((await session.post('/api/auth/login', { data: { user: admin.name, password: admin.password } })).status()).toBe(200);
  const created = await session.post('/api/tokens', { data: { name: `prometheus-${Date.now()}`, role: 'read-only', expiresInDays: 1 } });
  expect(created.status()).toBe(201);
  const { secret } = (await created.json()) as { secret: string };
  const scraper = await playwright.request.newContext({ baseURL: AUTH, extraHTTPHeaders: { authorization: `Bearer ${secret}` } });
  const scraped = await scraper.get('/metrics');
  expect(scraped.status()).toBe(200);
  expect(sampleValue(parsePrometheusText(await scraped.text()), 'rocketdeck_broker_up', broker)).toBe(1);
  await Promise.all([anonymous.dispose(), session.dispose(), scraper.dispose()]);
});
