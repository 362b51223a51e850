/**
 * Several brokers in the console: a second broker process (`rocketdeck broker`, broker-b) joins the cluster of
 * the test run's embedded NameServer + broker-a. The Cluster page shows both, alive, with their own figures;
 * topics are created on a chosen broker and on the whole cluster; broker-b killed with SIGKILL leaves the page
 * (named as departed) and comes back after a restart on its store; the OPS page's health summary follows.
 * broker-b is stopped with SIGTERM at the end (it unregisters), so the other specs see broker-a alone.
 */
import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AdminClient } from '../broker-core/client/admin-client';
import { Producer } from '../broker-core/client/producer';
import { freePort, killAllRocketdeckProcesses, spawnRocketdeck, type RocketdeckProcess } from '../broker-core/testing/rocketdeck-process';

const namesrvAddr = process.env.E2E_NAMESRV_ADDR ?? '127.0.0.1:29876';
const suffix = Date.now() % 100000;
const ON_B = `E2eOnB${suffix}`;
const ON_ALL = `E2eOnAll${suffix}`;

let home = '';
let props = '';
let brokerB: RocketdeckProcess | undefined;

async function startBrokerB(): Promise<RocketdeckProcess> {
  const process = spawnRocketdeck(['broker', '-n', namesrvAddr, '-c', props], { ROCKETDECK_HOME: home, BROKER_FAST_PORT: 'off' });
  await process.ready('boot success');
  return process;
}

function brokerRow(page: Page, name: string) {
  return page.getByTestId('cluster-brokers').locator('tbody tr', { has: page.getByRole('cell', { name, exact: true }) });
}

test.beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-e2e-broker-b-'));
  props = path.join(home, 'broker-b.properties');
  fs.writeFileSync(props, ['brokerClusterName=DefaultCluster', 'brokerName=broker-b', 'brokerId=0', `listenPort=${await freePort()}`, 'brokerIP1=127.0.0.1', `storePathRootDir=${path.join(home, 'store')}`].join('\n'));
  brokerB = await startBrokerB();
});

test.afterAll(async () => {
  await brokerB?.stop('SIGTERM');
  killAllRocketdeckProcesses();
  const admin = new AdminClient({ namesrvAddr });
  try {
    for (const addr of (await admin.masterAddresses()).values()) for (const topic of [ON_B, ON_ALL]) await admin.deleteTopicInBroker(addr, topic).catch(() => undefined);
    for (const topic of [ON_B, ON_ALL]) await admin.deleteTopicInNamesrv(topic).catch(() => undefined);
  } finally {
    await admin.close();
  }
  fs.rmSync(home, { recursive: true, force: true });
});

test('the console shows both brokers, then one, then both; topics go to a chosen broker or the whole cluster', async ({ page }) => {
  test.setTimeout(150_000);

  await test.step('both brokers on the Cluster page, alive', async () => {
    await page.goto('/cluster');
    await expect(brokerRow(page, 'broker-a')).toContainText('alive');
    await expect(brokerRow(page, 'broker-b')).toContainText('alive');
    await expect(page.getByTestId('cluster-namesrvs')).toContainText(`${namesrvAddr}`);
    await expect(page.getByTestId('cluster-namesrvs')).toContainText('2 brokers');
    await expect(page.getByTestId('liveness-badge')).toContainText('2/2 brokers alive');
  });

  await test.step('a topic on broker-b alone, another on the whole cluster', async () => {
    await page.goto('/topic');
    await page.getByRole('button', { name: 'Add / update topic' }).click();
    const create = page.getByRole('dialog', { name: 'Add / update topic' });
    await expect(create.locator('select[name=brokers] option')).toHaveText(['broker-a · DefaultCluster', 'broker-b · DefaultCluster']);
    await create.locator('input[name=topic]').fill(ON_B);
    await create.locator('input[name=writeQueueNums]').fill('2');
    await create.locator('input[name=readQueueNums]').fill('2');
    await create.locator('select[name=brokers]').selectOption('broker-b');
    await create.getByRole('button', { name: 'Commit' }).click();
    await expect(create.getByRole('status')).toHaveText(`Topic ${ON_B} saved on broker-b.`);
    await create.locator('input[name=topic]').fill(ON_ALL);
    await create.locator('input[name=writeQueueNums]').fill('8');
    await create.locator('input[name=readQueueNums]').fill('8');
    await create.locator('select[name=brokers]').selectOption([]);
    await create.locator('select[name=clusters]').selectOption('DefaultCluster');
    await create.getByRole('button', { name: 'Commit' }).click();
    await expect(create.getByRole('status')).toHaveText(`Topic ${ON_ALL} saved on broker-a, broker-b.`);
    await create.getByRole('button', { name: 'Close' }).click();

    const row = page.getByTestId('topic-list').locator('tr', { has: page.getByText(ON_ALL, { exact: true }) });
    await row.getByRole('button', { name: 'STATUS' }).click();
    const status = page.getByRole('dialog', { name: new RegExp(`STATUS · ${ON_ALL}`) });
    await expect(status.getByTestId('topic-status').locator('tbody tr')).toHaveCount(16);
    await expect(status.getByTestId('topic-status')).toContainText('broker-b');
    await status.getByRole('button', { name: 'Close' }).click();
  });

  await test.step('sends spread over both brokers show in each broker\'s own figures', async () => {
    const producer = new Producer({ namesrvAddr, groupName: 'PG_e2e_two_brokers' });
    await producer.start();
    const used = new Set<string>();
    try {
      // 16 queues (8 per broker) in round robin: 16 sends put 8 on each.
      for (let i = 0; i < 16; i++) used.add((await producer.send({ topic: ON_ALL, body: `spread-${i}` })).messageQueue.brokerName);
    } finally {
      await producer.shutdown();
    }
    expect([...used].sort()).toEqual(['broker-a', 'broker-b']);
    await page.goto('/cluster');
    // Columns: cluster, broker, no., address, liveness, version, produce TPS, consume TPS, in yesterday, in today.
    await expect(brokerRow(page, 'broker-b').locator('td').nth(9)).toHaveText(/^([89]|[1-9]\d+)$/);
  });

  await test.step('broker-b killed: one broker left, broker-b named as departed', async () => {
    await brokerB!.stop('SIGKILL');
    await page.goto('/cluster');
    await expect(brokerRow(page, 'broker-a')).toContainText('alive');
    await expect(brokerRow(page, 'broker-b')).toHaveCount(0);
    await expect(page.getByTestId('cluster-departed')).toContainText('broker-b#0 of DefaultCluster');
    await expect(page.getByTestId('liveness-badge')).toContainText('1/1 brokers alive');
  });

  await test.step('broker-b restarted on its store: both again, its topic still on it', async () => {
    brokerB = await startBrokerB();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect(brokerRow(page, 'broker-b')).toContainText('alive');
    await expect(brokerRow(page, 'broker-a')).toContainText('alive');
    await expect(page.getByTestId('cluster-departed')).toHaveCount(0);
    const admin = new AdminClient({ namesrvAddr });
    try {
      expect((await admin.getTopicRoute(ON_B))?.queueDatas.map((q) => q.brokerName)).toEqual(['broker-b']);
    } finally {
      await admin.close();
    }
  });

  await test.step('the OPS page sums the cluster up: NameServer reachable, 2/2 brokers alive, topic count', async () => {
    await page.goto('/ops');
    const row = page.getByTestId('namesrv-list').locator('tr', { hasText: 'console default' });
    await expect(row.getByTestId('health-namesrvs')).toContainText(namesrvAddr);
    await expect(row.getByTestId('health-brokers')).toContainText('2/2 brokers alive');
    await expect(row.getByTestId('health-topics')).toHaveText(/^\d+$/);

    // A saved connection nobody answers says why; a list that was never saved is not probed.
    await page.locator('input[name=namesrvAddr]').fill('127.0.0.1:1');
    await page.getByRole('button', { name: 'Save to the list' }).click();
    const dead = page.getByTestId('namesrv-list').locator('tr', { has: page.getByRole('cell', { name: '127.0.0.1:1', exact: true }) });
    await expect(dead.getByTestId('health-error')).toContainText('no NameServer answered (127.0.0.1:1)');
    await expect(dead.getByTestId('health-namesrvs')).toContainText('unreachable');
    await dead.getByRole('button', { name: 'Remove' }).click();
    await expect(dead).toHaveCount(0);
    const probe = await page.request.get('/api/ops/health?namesrvAddr=10.9.9.9:9876');
    expect(probe.status()).toBe(400);
    expect((await probe.json()).error.fields.namesrvAddr).toContain('is not a saved cluster connection');
    const bad = await page.request.get('/api/ops/health?namesrvAddr=nohost');
    expect((await bad.json()).error.fields.namesrvAddr).toContain('"nohost" is not a NameServer address');
  });
});
