/**
 * The console's pages in Chromium against the real broker started by the test run, with real clients
 * (Rocketdeck's Producer and PushConsumer over TCP) making the traffic the pages show.
 */
import { expect, test, type Page } from '@playwright/test';
import { AdminClient } from '../broker-core/client/admin-client';
import { Producer } from '../broker-core/client/producer';
import { PushConsumer } from '../broker-core/client/push-consumer';

const namesrvAddr = process.env.E2E_NAMESRV_ADDR ?? '127.0.0.1:29876';

/** A datetime-local value in this machine's time zone (the browser runs here too). */
function localInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

async function createTopic(topic: string, queues = 2): Promise<void> {
  const admin = new AdminClient({ namesrvAddr });
  try {
    for (const addr of (await admin.masterAddresses()).values()) await admin.createOrUpdateTopic(addr, { topicName: topic, readQueueNums: queues, writeQueueNums: queues, perm: 6 });
  } finally {
    await admin.close();
  }
}

function topicRow(page: Page, topic: string) {
  return page.getByTestId('topic-list').locator('tr', { has: page.getByText(topic, { exact: true }) });
}

test.describe('topic → message → consumer → reset, end to end', () => {
  test('sends from the form, finds by key and id, sees the lag drop to 0 and come back after a reset, deletes the topic', async ({ page }) => {
    test.setTimeout(120_000);
    const topic = `E2eFlow${Date.now() % 100000}`;
    const group = `CG_${topic}`;
    await page.goto('/topic');
    await page.getByRole('button', { name: 'Add / update topic' }).click();
    const create = page.getByRole('dialog', { name: 'Add / update topic' });
    await create.locator('input[name=topic]').fill(topic);
    await create.locator('input[name=writeQueueNums]').fill('2');
    await create.locator('input[name=readQueueNums]').fill('2');
    await create.getByRole('button', { name: 'Commit' }).click();
    await expect(create.getByRole('status')).toContainText(`Topic ${topic} saved on broker-a`);
    await create.getByRole('button', { name: 'Close' }).click();

    // SEND MESSAGE: bad input first, then a real message.
    await topicRow(page, topic).getByRole('button', { name: 'SEND MESSAGE' }).click();
    const send = page.getByRole('dialog', { name: new RegExp(`SEND MESSAGE · ${topic}`) });
    await send.locator('input[name=tags]').fill('two tags');
    await send.getByRole('button', { name: 'Send' }).click();
    await expect(send.locator('#tags-error')).toHaveText('One tag, without spaces or |');
    await expect(send.locator('#body-error')).toHaveText('Enter a message body');
    await send.locator('input[name=tags]').fill('TagE2e');
    await send.locator('input[name=keys]').fill('e2e-key-1');
    await send.locator('textarea[name=body]').fill('{"order":42,"note":"<b>not html</b>"}');
    await send.getByRole('button', { name: 'Add property' }).click();
    await send.getByLabel('Name 1').fill('UNIQ_KEY');
    await send.getByRole('button', { name: 'Send' }).click();
    await expect(send.getByRole('alert').filter({ hasText: 'This name is a system property' })).toBeVisible();
    await send.getByLabel('Name 1').fill('color');
    await send.getByLabel('Value 1').fill('red');
    await send.getByRole('button', { name: 'Send' }).click();
    const result = send.getByRole('region', { name: 'Send result' });
    await expect(result).toContainText('SEND_OK');
    const msgId = (await result.locator('tr', { hasText: /^msgId/ }).locator('td').nth(1).textContent())!.trim();
    expect(msgId).toMatch(/^[0-9A-F]{32}$/);
    await send.getByRole('button', { name: 'Close' }).click();

    // Find it by key, then by id; the body is shown as text, never as HTML.
    await page.getByRole('link', { name: 'Message' }).click();
    await page.getByRole('tab', { name: 'Message key' }).click();
    await page.locator('input[name=key-topic]').fill(topic);
    await page.locator('input[name=key]').fill('e2e-key-1');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByTestId('message-list')).toContainText(msgId);
    await page.getByRole('tab', { name: 'Message id' }).click();
    await page.locator('input[name=id-topic]').fill(topic);
    await page.locator('input[name=id]').fill('not-an-id');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.locator('#id-error')).toContainText('32 hexadecimal characters');
    await page.locator('input[name=id]').fill(msgId);
    await page.getByRole('button', { name: 'Search' }).click();
    const detail = page.getByRole('dialog', { name: new RegExp(msgId) });
    await expect(detail.getByTestId('message-body')).toContainText('"note": "<b>not html</b>"');
    await expect(detail.locator('b', { hasText: 'not html' })).toHaveCount(0);
    await expect(detail).toContainText('color');
    await expect(detail).toContainText('user property');
    await detail.getByRole('button', { name: 'Close' }).click();

    // A real consumer takes it; CONSUMER MANAGE shows lag 0.
    let consumed = 0;
    const consumer = new PushConsumer({ namesrvAddr, groupName: group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
    consumer.subscribe(topic, '*');
    consumer.registerMessageListener((messages) => {
      consumed += messages.length;
    });
    await consumer.start();
    try {
      await expect.poll(() => consumed, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
      await consumer.persistOffsets();
      await page.goto('/topic');
      await topicRow(page, topic).getByRole('button', { name: 'CONSUMER MANAGE' }).click();
      await expect(page.getByTestId(`lag-${group}`)).toHaveText('Lag: 0', { timeout: 20_000 });
      await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    } finally {
      await consumer.shutdown();
    }

    // RESET OFFSET to an hour ago: the group is behind by the one message again.
    await topicRow(page, topic).getByRole('button', { name: 'RESET OFFSET' }).click();
    const reset = page.getByRole('dialog', { name: new RegExp(`RESET OFFSET · ${topic}`) });
    await reset.getByRole('button', { name: 'Preview' }).click();
    await expect(reset.locator('#groups-error')).toHaveText('Choose at least one consumer group');
    await reset.getByLabel(group).check();
    await reset.locator('input[name=timestamp]').fill(localInput(Date.now() - 3_600_000));
    await reset.getByRole('button', { name: 'Preview' }).click();
    await expect(reset.getByTestId(`reset-lag-${group}`)).toContainText('Lag 0 → 1');
    await reset.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(reset).toContainText(`${group}: done`);
    await reset.getByRole('button', { name: 'Close' }).click();
    await topicRow(page, topic).getByRole('button', { name: 'CONSUMER MANAGE' }).click();
    await expect(page.getByTestId(`lag-${group}`)).toHaveText('Lag: 1', { timeout: 20_000 });
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    // The Consumer page lists the group with that lag, and its CONSUME DETAIL per queue.
    await page.getByRole('link', { name: 'Consumer' }).click();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByLabel('Filter by group').fill(group);
    const groupRow = page.getByTestId('consumer-list').locator('tbody tr', { hasText: group });
    await expect(groupRow).toContainText('offline');
    await groupRow.getByRole('button', { name: 'CONSUME DETAIL' }).click();
    await expect(page.getByTestId('detail-lag')).toHaveText('1');
    await expect(page.getByTestId('consume-detail').locator('tbody tr', { hasText: new RegExp(`^${topic}`) })).toHaveCount(2);
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    // DELETE with typed confirmation.
    await page.goto('/topic');
    await topicRow(page, topic).getByRole('button', { name: 'DELETE' }).click();
    const del = page.getByRole('dialog', { name: /DELETE/ });
    await del.locator('input[name=confirm]').fill(topic);
    await del.getByRole('button', { name: 'DELETE' }).click();
    await expect(page.getByTestId('topic-list')).not.toContainText(topic);
  });
});

test.describe('typed topics', () => {
  test('a topic created as FIFO or DELAY shows its type and the type filter finds it', async ({ page }) => {
    await page.goto('/topic');
    for (const [name, type] of [['E2eFifo', 'FIFO'], ['E2eDelayed', 'DELAY']] as const) {
      await page.getByRole('button', { name: 'Add / update topic' }).click();
      const create = page.getByRole('dialog', { name: 'Add / update topic' });
      await create.locator('input[name=topic]').fill(name);
      await create.locator('select[name=messageType]').selectOption(type);
      await create.getByRole('button', { name: 'Commit' }).click();
      await expect(create.getByRole('status')).toContainText(`Topic ${name} saved`);
      await create.getByRole('button', { name: 'Close' }).click();
    }
    await expect(topicRow(page, 'E2eFifo')).toContainText('FIFO');
    await page.getByLabel('Message type').selectOption('DELAY');
    await expect(page.getByTestId('topic-list').locator('tbody tr')).toHaveCount(1);
    await expect(topicRow(page, 'E2eDelayed')).toContainText('DELAY');
  });
});

test.describe('consumer, producer and DLQ pages', () => {
  test('shows a live group\'s clients and subscriptions, a producer group\'s connections, and creates/deletes a group with field errors', async ({ page }) => {
    const topic = 'E2eLive';
    await createTopic(topic);
    const producer = new Producer({ namesrvAddr, groupName: 'PG_e2e_live' });
    const consumer = new PushConsumer({ namesrvAddr, groupName: 'CG_e2e_live', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
    consumer.subscribe(topic, 'TagA || TagB').registerMessageListener(() => undefined);
    await producer.start();
    await consumer.start();
    try {
      await producer.send({ topic, body: 'hello', tags: 'TagA' });
      await page.goto('/consumer');
      await page.getByRole('button', { name: 'Refresh' }).click();
      const row = page.getByTestId('consumer-list').locator('tbody tr', { hasText: 'CG_e2e_live' });
      await expect(row).toContainText('CLUSTERING');
      await expect(row).toContainText('CONSUME_PASSIVELY');
      await row.getByRole('button', { name: 'CLIENT' }).click();
      await expect(page.getByTestId('consumer-clients').locator('tbody tr')).toHaveCount(1);
      await expect(page.getByTestId('consumer-subscriptions')).toContainText('TagA || TagB');
      await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
      await row.getByRole('button', { name: 'CONFIG' }).click();
      await expect(page.getByRole('dialog')).toContainText('retryMaxTimes');
      await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

      await page.getByRole('link', { name: 'Producer' }).click();
      await page.locator('input[name=topic]').fill(topic);
      await page.locator('input[name=group]').fill('bad group!');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(page.locator('#group-error')).toHaveText('Use only letters, digits, %, |, - and _');
      await page.locator('input[name=group]').fill('PG_e2e_live');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(page.getByTestId('producer-connections').locator('tbody tr')).toHaveCount(1);
      await expect(page.getByTestId('producer-connections')).toContainText('V4_9_4');
    } finally {
      await consumer.shutdown();
      await producer.shutdown();
    }

    await page.goto('/consumer');
    await page.getByRole('button', { name: 'Add / update group' }).click();
    const form = page.getByRole('dialog', { name: 'Add / update group' });
    await form.locator('input[name=groupName]').fill('CG_e2e_form');
    await form.locator('input[name=retryMaxTimes]').fill('-5');
    await form.getByRole('button', { name: 'Commit' }).click();
    await expect(form.locator('#retryMaxTimes-error')).toHaveText('Max retries must be -1 or more');
    await form.locator('input[name=retryMaxTimes]').fill('3');
    await form.getByRole('button', { name: 'Commit' }).click();
    await expect(form.getByRole('status')).toContainText('Group CG_e2e_form saved on broker-a');
    await form.getByRole('button', { name: 'Close' }).click();
    const created = page.getByTestId('consumer-list').locator('tbody tr', { hasText: 'CG_e2e_form' });
    await expect(created).toBeVisible();
    await created.getByRole('button', { name: 'DELETE' }).click();
    const del = page.getByRole('dialog', { name: /DELETE/ });
    await del.locator('input[name=confirm]').fill('CG_e2e_form');
    await del.getByRole('button', { name: 'DELETE' }).click();
    await expect(page.getByTestId('consumer-list')).not.toContainText('CG_e2e_form');
  });

  test('finds a dead-lettered message on the DLQ page and resends it to its group', async ({ page }) => {
    const topic = 'E2eDlq';
    const group = 'CG_e2e_dlq';
    await createTopic(topic, 1);
    const producer = new Producer({ namesrvAddr, groupName: 'PG_e2e_dlq' });
    await producer.start();
    const seen = new Map<string, number>();
    const consumer = new PushConsumer({ namesrvAddr, groupName: group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', maxReconsumeTimes: 0 });
    consumer.subscribe(topic, '*').registerMessageListener((messages) => {
      const m = messages[0]!;
      const times = (seen.get(m.msgId) ?? 0) + 1;
      seen.set(m.msgId, times);
      // Fails the first delivery (straight to the DLQ, as no retries are allowed); takes the resend.
      return times === 1 ? 'RECONSUME_LATER' : 'CONSUME_SUCCESS';
    });
    await consumer.start();
    try {
      const sent = await producer.send({ topic, body: 'poison pill', keys: ['dlq-1'] });
      await expect.poll(() => seen.get(sent.msgId) ?? 0, { timeout: 20_000 }).toBe(1);
      await page.goto('/dlq');
      await page.locator('input[name=group]').fill(group);
      await expect(async () => {
        await page.getByRole('button', { name: 'Search' }).click();
        await expect(page.getByTestId('dlq-list')).toContainText(sent.msgId, { timeout: 2_000 });
      }).toPass({ timeout: 20_000 });
      await page.getByLabel(`Select ${sent.msgId}`).check();
      await page.getByRole('button', { name: 'RESEND 1 selected' }).click();
      await expect(page.getByRole('status')).toContainText(`${sent.msgId}: CR_SUCCESS`);
      expect(seen.get(sent.msgId)).toBe(2);
    } finally {
      await consumer.shutdown();
      await producer.shutdown();
    }
  });
});

test.describe('message trace', () => {
  test('shows a traced message from its send to a failed attempt and the retry that consumed it', async ({ page }) => {
    await createTopic('E2eTraced', 1);
    const producer = new Producer({ namesrvAddr, groupName: 'PG_e2e_traced', enableMsgTrace: true });
    await producer.start();
    let attempts = 0;
    const consumer = new PushConsumer({ namesrvAddr, groupName: 'CG_e2e_traced', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', enableMsgTrace: true });
    consumer.subscribe('E2eTraced', '*').registerMessageListener(() => (++attempts === 1 ? 'RECONSUME_LATER' : 'CONSUME_SUCCESS'));
    await consumer.start();
    try {
      const sent = await producer.send({ topic: 'E2eTraced', body: 'traced in the browser', keys: ['e2e-trace'] });
      // Retries of this broker wait 10 s (level 3), so the second attempt shows up after that.
      await page.goto('/trace');
      await page.locator('input[name=id]').fill('not hex');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(page.locator('#id-error')).toContainText('32 hexadecimal characters');
      await page.locator('input[name=id]').fill(sent.msgId);
      await page.getByRole('button', { name: 'Search' }).click();
      const send = page.getByRole('region', { name: 'Send' });
      await expect(send).toContainText('PG_e2e_traced', { timeout: 15_000 });
      await expect(send).toContainText('SEND_OK');
      const group = page.getByRole('region', { name: 'CG_e2e_traced' });
      await expect(group.locator('tbody tr').first()).toContainText('FAILED', { timeout: 15_000 });
      await expect(group.locator('tbody tr')).toHaveCount(2, { timeout: 30_000 });
      await expect(group.locator('tbody tr').nth(1)).toContainText('SUCCESS');
      await expect(group.getByRole('heading')).toHaveText(/CG_e2e_traced\s*consumed$/);
      // The same trace from the message's key.
      await page.goto('/trace');
      await page.locator('input[name=key-topic]').fill('E2eTraced');
      await page.locator('input[name=key]').fill('e2e-trace');
      await page.getByRole('button', { name: 'Find by key' }).click();
      await page.getByTestId('trace-key-results').getByRole('button', { name: sent.msgId }).click();
      await expect(page.getByRole('region', { name: 'Send' })).toContainText('PG_e2e_traced');
    } finally {
      await consumer.shutdown();
      await producer.shutdown();
    }
  });
});

test.describe('dashboard and OPS', () => {
  test('the dashboard shows TOP 10 bars and TPS lines with units from the collector', async ({ page }) => {
    await page.goto('/');
    for (const title of ['Broker TOP 10 (messages today)', 'Topic TOP 10 (messages in the day)', 'Broker TPS today', 'Topic TPS (TOP 10)']) {
      await expect(page.getByRole('region', { name: title })).toBeVisible();
    }
    // The e2e server samples every 2 s: after two samples the broker line has a time axis and a unit.
    await expect(page.getByRole('region', { name: 'Broker TPS today' }).locator('.recharts-line')).not.toHaveCount(0, { timeout: 20_000 });
    await expect(page.getByRole('region', { name: 'Broker TPS today' })).toContainText('/s');
  });

  test('OPS validates the NameServer address, refuses an unreachable one, saves and removes a list', async ({ page }) => {
    await page.goto('/ops');
    await expect(page.getByTestId('ops-current')).toHaveText(namesrvAddr);
    const field = page.locator('input[name=namesrvAddr]');
    await field.fill('localhost');
    await page.getByRole('button', { name: 'Switch' }).click();
    await expect(page.locator('#namesrvAddr-error')).toContainText('"localhost" is not a NameServer address');
    await field.fill('127.0.0.1:1');
    await page.getByRole('button', { name: 'Switch' }).click();
    await expect(page.locator('#namesrvAddr-error')).toContainText('No NameServer answered at 127.0.0.1:1');
    await expect(page.getByTestId('ops-current')).toHaveText(namesrvAddr);
    await field.fill('10.255.255.1:9876');
    await page.getByRole('button', { name: 'Save to the list' }).click();
    const saved = page.getByTestId('namesrv-list').locator('tr', { hasText: '10.255.255.1:9876' });
    await expect(saved).toBeVisible();
    await saved.getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByTestId('namesrv-list')).not.toContainText('10.255.255.1:9876');
    // Switching to the same cluster by a list with a second (dead) NameServer works: one answers.
    await field.fill(`${namesrvAddr};127.0.0.1:1`);
    await page.getByRole('button', { name: 'Switch' }).click();
    await expect(page.getByTestId('ops-current')).toHaveText(`${namesrvAddr};127.0.0.1:1`);
    await page.getByTestId('namesrv-list').locator('tr', { hasText: 'console default' }).getByRole('button', { name: 'Use' }).click();
    await expect(page.getByTestId('ops-current')).toHaveText(namesrvAddr);
  });

  test('every new API route answers bad input with field errors, never a 500', async ({ request }) => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/topics/Nope%20Topic/send', { body: 'x' }, 'topic'],
      ['POST', '/api/topics/TBW102/send', { body: '' }, 'body'],
      ['POST', '/api/topics/TBW102/send', { body: 'x', delayLevel: 19 }, 'delayLevel'],
      ['POST', '/api/topics/TBW102/send', { body: 'x', properties: [{ key: 'DELAY', value: '1' }] }, 'properties.0.key'],
      ['POST', '/api/topics/TBW102/reset', { groups: [], timestamp: 0 }, 'groups'],
      ['POST', '/api/topics/TBW102/reset', { groups: ['G'], timestamp: 'yesterday' }, 'timestamp'],
      ['POST', '/api/topics/TBW102/reset?skip=1', { groups: ['bad group'] }, 'groups.0'],
      ['POST', '/api/consumers', { groupName: 'G', clusters: ['DefaultCluster'], retryQueueNums: 999 }, 'retryQueueNums'],
      ['POST', '/api/consumers', { groupName: '', clusters: ['DefaultCluster'] }, 'groupName'],
      ['POST', '/api/consumers', { groupName: 'G', clusters: ['NoSuchCluster'] }, 'clusters'],
      ['GET', '/api/consumers?sort=bogus', null, 'sort'],
      ['GET', '/api/consumers?page=0', null, 'page'],
      ['GET', '/api/consumers/bad%20group?view=detail', null, 'group'],
      ['DELETE', '/api/consumers/G?confirm=H', null, 'confirm'],
      ['GET', '/api/producers?topic=T', null, 'group'],
      ['GET', '/api/messages?topic=TBW102&begin=10&end=5', null, 'end'],
      ['GET', '/api/messages?topic=TBW102&begin=x&end=5', null, 'begin'],
      ['GET', '/api/messages?topic=TBW102&begin=1&end=5&pageSize=1000', null, 'pageSize'],
      ['GET', '/api/messages?topic=NoSuchTopicE2e&begin=1&end=5', null, 'topic'],
      ['GET', '/api/messages?topic=TBW102&key=', null, 'key'],
      ['GET', '/api/messages/XYZ', null, 'id'],
      ['POST', '/api/messages/0123456789ABCDEF0123456789ABCDEF/resend', { topic: 'T', group: 'NobodyOnline' }, 'group'],
      ['POST', '/api/ops', { action: 'switch', namesrvAddr: 'host:99999' }, 'namesrvAddr'],
      ['POST', '/api/ops', { action: 'explode' }, 'action'],
      ['GET', '/api/dashboard?day=yesterday', null, 'day'],
    ];
    for (const [method, url, body, field] of cases) {
      const response = await request.fetch(url, { method, ...(body === null ? {} : { data: body }) });
      expect(response.status(), `${method} ${url}`).toBe(400);
      const error = (await response.json()).error;
      expect(Object.keys(error.fields ?? {}), `${method} ${url}: ${JSON.stringify(error)}`).toContain(field);
    }
    const notJson = await request.post('/api/consumers', { data: '{oops', headers: { 'content-type': 'application/json' } });
    expect(notJson.status()).toBe(400);
    const unknownId = await request.get('/api/messages/0123456789ABCDEF0123456789ABCDEF?topic=TBW102');
    expect(unknownId.status()).toBe(404);
    expect((await unknownId.json()).error.code).toBe('message_not_found');
  });
});
