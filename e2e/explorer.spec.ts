/**
 * The message explorer in Chromium against the real broker of the test run, with messages sent by the project's
 * Producer over TCP: every filter finds what it should (and bad filters are answered beside their field), a
 * long scan is cancelled, a message opens by its stable link with its JSON, text or binary body shown as text,
 * and the live tail follows a producer running during the test: rows appear, pause holds them (and the
 * server's pulls are gone), resume catches up, and the rate cap counts what it skipped.
 */
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { AdminClient } from '../broker-core/client/admin-client';
import { Producer } from '../broker-core/client/producer';
import type { Message } from '../broker-core/client/message';

const namesrvAddr = process.env.E2E_NAMESRV_ADDR ?? '127.0.0.1:29876';

async function createTopic(topic: string, queues: number): Promise<void> {
  const admin = new AdminClient({ namesrvAddr });
  try {
    for (const addr of (await admin.masterAddresses()).values()) await admin.createOrUpdateTopic(addr, { topicName: topic, readQueueNums: queues, writeQueueNums: queues, perm: 6 });
    await expect.poll(async () => (await admin.getTopicRoute(topic)) !== null, { timeout: 20_000 }).toBe(true);
  } finally {
    await admin.close();
  }
}

async function withProducer<T>(fn: (producer: Producer) => Promise<T>): Promise<T> {
  const producer = new Producer({ namesrvAddr, groupName: `PG_e2e_explorer_${Date.now() % 100000}` });
  await producer.start();
  try {
    return await fn(producer);
  } finally {
    await producer.shutdown();
  }
}

const browse = (page: Page) => page.getByRole('form', { name: 'Browse' });
const tail = (page: Page) => page.getByRole('form', { name: 'Live tail' });

async function scan(page: Page, fields: Record<string, string>): Promise<void> {
  const form = browse(page);
  for (const name of ['tag', 'key', 'property', 'body', 'json']) await form.locator(`input[name=${name}]`).fill(fields[name] ?? '');
  await form.locator('select[name=bodyMode]').selectOption(fields.bodyMode ?? 'contains');
  await form.getByRole('button', { name: 'Scan' }).click();
  await expect(page.getByTestId('scan-stop')).toBeVisible();
}

const resultKeys = async (page: Page) => (await page.getByTestId('scan-results').locator('tbody tr td:nth-child(5)').allTextContents()).sort();

test.describe('message explorer', () => {
  test('finds seeded messages with each filter, and answers bad filters beside their field', async ({ page }) => {
    test.setTimeout(120_000);
    const topic = `E2eExplore${Date.now() % 100000}`;
    await createTopic(topic, 2);
    await withProducer(async (producer) => {
      for (let i = 0; i < 24; i++) {
        const body = i % 3 === 0 ? JSON.stringify({ order: { id: i, status: i % 2 ? 'PAID' : 'NEW', amount: i * 10 } }) : `shipment ${i} <script>alert(${i})</script>`;
        await producer.send({ topic, body, tags: i % 4 === 0 ? 'Blue' : 'Red', keys: [`ek-${i}`], properties: { region: i % 2 ? 'eu' : 'us' } });
      }
    });
    await page.goto(`/explorer?topic=${topic}`);
    await browse(page).getByLabel('Oldest').check();
    await scan(page, {});
    await expect(page.getByTestId('scan-progress')).toContainText('Scanned 24 of 24 · 24 matched');
    await expect(page.getByTestId('scan-stop')).toHaveText('Reached the end of the queues.');
    await expect(page.getByTestId('scan-results').locator('tbody tr')).toHaveCount(24);

    const expectKeys = async (fields: Record<string, string>, keep: (i: number) => boolean) => {
      await scan(page, fields);
      const want = Array.from({ length: 24 }, (_, i) => i).filter(keep).map((i) => `ek-${i}`).sort();
      await expect.poll(() => resultKeys(page)).toEqual(want);
    };
    await test.step('tag, key, property', async () => {
      await expectKeys({ tag: 'Blue' }, (i) => i % 4 === 0);
      await expectKeys({ key: 'ek-7' }, (i) => i === 7);
      await expectKeys({ property: 'region=eu' }, (i) => i % 2 === 1);
    });
    await test.step('body substring and regex', async () => {
      await expectKeys({ body: 'alert(11)' }, (i) => i === 11);
      await expectKeys({ body: '^shipment 1\\d ', bodyMode: 'regex' }, (i) => i >= 10 && i < 20 && i % 3 !== 0);
    });
    await test.step('JSON filter', async () => {
      await expectKeys({ json: '$.order.status == "PAID" && $.order.amount > 50' }, (i) => i % 3 === 0 && i % 2 === 1 && i > 5);
      await expectKeys({ json: 'order.id', tag: 'Blue' }, (i) => i % 3 === 0 && i % 4 === 0);
    });
    await test.step('bad input: errors beside the fields, nothing scanned', async () => {
      const form = browse(page);
      await form.locator('input[name=property]').fill('=x');
      await form.locator('select[name=bodyMode]').selectOption('regex');
      await form.locator('input[name=body]').fill('(unclosed');
      await form.locator('input[name=json]').fill('$.order.status = "PAID"');
      await form.locator('input[name=maxMessages]').fill('0');
      await form.getByRole('button', { name: 'Scan' }).click();
      await expect(form.locator('#property-error')).toHaveText('Write name=value (or a name alone: the property is set)');
      await expect(form.locator('#body-error')).toContainText('Not a valid regular expression');
      await expect(form.locator('#json-error')).toHaveText('Use == to compare (a single = is not an operator) (column 16)');
      await expect(form.locator('#maxMessages-error')).toHaveText('Messages to scan is 1 to 1,000,000');
      await expect(page.getByTestId('scan-progress')).toContainText('Scanned 24 of 24'); // still the last scan's
      // The server says the same for a request that skips the page's checks.
      const response = await page.request.post('/api/explorer/scans', { data: { topic, bodyMode: 'regex', body: '(unclosed', json: '$.a = 1', queues: ['broker-a:9'] } });
      expect(response.status()).toBe(400);
      expect((await response.json()).error.fields).toMatchObject({ body: expect.stringContaining('Not a valid regular expression'), json: expect.stringContaining('Use ==') });
      const queue = await page.request.post('/api/explorer/scans', { data: { topic, queues: ['broker-a:9'] } });
      expect((await queue.json()).error.fields).toEqual({ queues: 'The topic has no readable queue broker-a:9' });
    });
  });

  test('cancels a long scan', async ({ page }) => {
    test.setTimeout(180_000);
    const topic = `E2eLongScan${Date.now() % 100000}`;
    await createTopic(topic, 4);
    const total = 300_000;
    await withProducer(async (producer) => {
      for (let i = 0; i < total; i += 1000) {
        const batch: Message[] = Array.from({ length: 1000 }, (_, j) => ({ topic, body: `{"n":${i + j},"status":"NEW"}` }));
        await producer.sendBatch(batch);
      }
    });
    await page.goto(`/explorer?topic=${topic}`);
    const form = browse(page);
    await form.getByLabel('Oldest').check();
    await form.locator('input[name=maxMessages]').fill('1000000');
    await form.locator('input[name=maxSeconds]').fill('60');
    await form.locator('input[name=json]').fill('$.status == "PAID"');
    await form.getByRole('button', { name: 'Scan' }).click();
    await expect(page.getByTestId('scan-progress')).toContainText(/Scanned [1-9][\d,]* of 300,000 · 0 matched/);
    await expect(page.getByTestId('scan-progress')).toContainText('running');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('scan-stop')).toHaveText('Cancelled.');
    const scanned = Number((await page.getByTestId('scan-progress').textContent())!.match(/Scanned ([\d,]+)/)![1]!.replace(/,/g, ''));
    expect(scanned).toBeLessThan(total);
    await expect.poll(async () => (await (await page.request.get('/api/explorer/tail/status')).json()).scans).toBe(0);
  });

  test('opens messages by their stable links: JSON tree, text with its charset, binary as hex, raw download, bodies never HTML', async ({ page }) => {
    test.setTimeout(90_000);
    const topic = `E2eLinks${Date.now() % 100000}`;
    await createTopic(topic, 2);
    const html = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> café';
    const sent = await withProducer(async (producer) => ({
      json: await producer.send({ topic, body: '{"order":{"id":12345678901234567890,"status":"PAID","items":[{"sku":"A1"},{"sku":"B2"}]}}', keys: ['lk-json'] }),
      text: await producer.send({ topic, body: html, keys: ['lk-text'] }),
      binary: await producer.send({ topic, body: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x41]), keys: ['lk-binary'] }),
      big: await producer.send({ topic, body: `${'x'.repeat(300_000)}TAIL`, keys: ['lk-big'] }),
    }));
    const link = (r: typeof sent.json) => `/explorer/message?topic=${topic}&broker=${r.messageQueue.brokerName}&queue=${r.messageQueue.queueId}&offset=${r.queueOffset}&msgId=${r.msgId}`;

    await test.step('from a scan row to its link', async () => {
      await page.goto(`/explorer?topic=${topic}`);
      await browse(page).getByLabel('Oldest').check();
      await scan(page, { key: 'lk-json' });
      await page.getByTestId('scan-results').getByRole('link', { name: 'Link' }).click();
      await expect(page).toHaveURL(new RegExp(`/explorer/message\\?topic=${topic}&broker=broker-a&queue=${sent.json.messageQueue.queueId}&offset=${sent.json.queueOffset}&msgId=${sent.json.msgId}`));
    });
    await test.step('JSON: a tree, and pretty print with the big number exact', async () => {
      await expect(page.getByTestId('body-kind')).toHaveText('JSON');
      const tree = page.getByTestId('json-tree');
      await expect(tree).toContainText('"sku": "B2"');
      await expect(tree).toContainText('12345678901234567890');
      await tree.locator('summary', { hasText: '"items"' }).click(); // collapse
      await expect(tree.getByText('"sku": "B2"')).toBeHidden();
      await page.getByRole('button', { name: 'Pretty' }).click();
      await expect(page.getByTestId('message-body')).toContainText('"id": 12345678901234567890,');
      await expect(page.getByTestId('message-properties')).toContainText('Keys the producer set');
    });
    await test.step('text: charset shown, <script> and <img onerror> shown as text', async () => {
      await page.goto(link(sent.text));
      await expect(page.getByTestId('body-kind')).toHaveText('TEXT');
      await expect(page.getByTestId('body-charset')).toHaveText('UTF-8');
      await expect(page.getByTestId('message-body')).toHaveText(html);
      await expect(page.locator('main img')).toHaveCount(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    });
    await test.step('binary: hex dump and base64, raw bytes downloaded as an attachment', async () => {
      await page.goto(link(sent.binary));
      await expect(page.getByTestId('body-kind')).toHaveText('BINARY');
      await expect(page.getByTestId('body-notes')).toContainText('Binary: not valid UTF-8');
      await expect(page.getByTestId('message-body')).toContainText('00000000  de ad be ef 00 ff 41');
      await expect(page.getByTestId('message-body')).toContainText('|......A|');
      await page.getByRole('button', { name: 'Base64' }).click();
      await expect(page.getByTestId('message-body')).toHaveText('3q2+7wD/QQ==');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download raw' }).click()]);
      expect(download.suggestedFilename()).toBe(`${sent.binary.msgId}.bin`);
      expect(fs.readFileSync(await download.path())).toEqual(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x41]));
      const raw = await page.request.get(`/api/explorer/message/body?topic=${topic}&broker=broker-a&queue=${sent.text.messageQueue.queueId}&offset=${sent.text.queueOffset}`);
      expect(raw.headers()).toMatchObject({ 'content-type': 'application/octet-stream', 'x-content-type-options': 'nosniff' });
      expect(raw.headers()['content-disposition']).toMatch(/^attachment; filename="[0-9A-F]{32}\.txt"$/);
      expect(await raw.text()).toBe(html);
    });
    await test.step('a large body says it is cut', async () => {
      await page.goto(link(sent.big));
      await expect(page.getByTestId('body-notes')).toHaveText('Truncated: showing the first 256 KiB of 293 KiB; download it for all of it');
    });
    await test.step('links that no longer point at their message', async () => {
      const other = link(sent.text).replace(`msgId=${sent.text.msgId}`, `msgId=${sent.json.msgId}`);
      await page.goto(other);
      await expect(page.getByRole('note')).toContainText('now holds another message');
      await expect(page.getByTestId('body-kind')).toHaveText('JSON');
      await page.goto(`/explorer/message?topic=${topic}&broker=broker-a&queue=1&offset=999`);
      await expect(page.locator('main').getByRole('alert')).toContainText('No message at broker-a:1 offset 999');
      await page.goto(`/explorer/message?topic=${topic}&broker=broker-a&queue=x`);
      await expect(page.locator('main').getByRole('alert')).toContainText('queue: The queue id must be a number');
    });
    await test.step('the Message page detail links to the same place', async () => {
      await page.goto('/message');
      await page.getByRole('tab', { name: 'Message id' }).click();
      await page.locator('input[name=id-topic]').fill(topic);
      await page.locator('input[name=id]').fill(sent.text.msgId);
      await page.getByRole('button', { name: 'Search' }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.getByTestId('body-charset')).toHaveText('UTF-8');
      await expect(dialog.getByTestId('message-link')).toHaveAttribute('href', link(sent.text));
    });
  });

  test('live tail: follows a running producer, pauses without holding pulls, resumes from where it was, caps the rate', async ({ page }) => {
    test.setTimeout(150_000);
    const topic = `E2eTail${Date.now() % 100000}`;
    await createTopic(topic, 2);
    const producer = new Producer({ namesrvAddr, groupName: `PG_e2e_tail_${Date.now() % 100000}` });
    await producer.start();
    let sent = 0;
    let sending = true;
    const running = (async () => {
      while (sending) {
        await producer.send({ topic, body: JSON.stringify({ n: sent }), keys: [`tk-${sent}`], tags: 'Live' });
        sent++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const status = async () => {
      const { tails, pullsInFlight } = (await (await page.request.get('/api/explorer/tail/status')).json()) as { tails: number; pullsInFlight: number };
      return { tails, pullsInFlight };
    };
    const rows = page.getByTestId('tail-rows').locator('tbody tr');
    // Send → row delay, read in the page as each row appears (producer and browser share this machine's clock).
    await page.addInitScript(() => {
      const delays: number[] = [];
      (window as unknown as { __tailDelays: number[] }).__tailDelays = delays;
      new MutationObserver((records) => {
        const now = Date.now(); // the wall clock, like bornTimestamp (timeOrigin + now() drifts from it)
        for (const r of records) for (const n of r.addedNodes) if (n instanceof HTMLElement) for (const tr of n.matches('tr[data-born]') ? [n] : n.querySelectorAll<HTMLElement>('tr[data-born]')) if (tr.closest('[data-testid=tail-rows]')) delays.push(now - Number(tr.dataset.born));
      }).observe(document, { childList: true, subtree: true });
    });
    try {
      await page.goto(`/explorer?topic=${topic}&tab=tail`);
      await tail(page).locator('input[name=tail-rate]').fill('100');
      await tail(page).getByRole('button', { name: 'Start tail' }).click();
      await expect(page.getByTestId('tail-state')).toHaveText('live');
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(10);
      await expect.poll(status).toEqual({ tails: 1, pullsInFlight: 2 });
      // Delays while live (later rows include ones held back by the pause and the rate cap).
      const delays = (await page.evaluate(() => (window as unknown as { __tailDelays: number[] }).__tailDelays)).sort((a, b) => a - b);
      const median = delays[Math.floor(delays.length / 2)]!;
      const note = `send → row shown while live: median ${median.toFixed(0)} ms, max ${delays[delays.length - 1]!.toFixed(0)} ms over ${delays.length} rows`;
      test.info().annotations.push({ type: 'tail delay', description: note });
      process.stdout.write(`live tail delay (measured in the browser): ${note}\n`);

      await test.step('pause: rows stay, the server holds nothing', async () => {
        await tail(page).getByRole('button', { name: 'Pause' }).click();
        await expect(page.getByTestId('tail-state')).toHaveText('paused');
        await expect.poll(status).toEqual({ tails: 0, pullsInFlight: 0 });
        const shown = await rows.count();
        const sentAtPause = sent;
        await expect.poll(() => sent, { timeout: 20_000 }).toBeGreaterThanOrEqual(sentAtPause + 15);
        expect(await rows.count()).toBe(shown);
        const whilePaused = `tk-${sentAtPause + 5}`;
        await tail(page).getByRole('button', { name: 'Resume' }).click();
        await expect(page.getByTestId('tail-state')).toHaveText('live');
        await expect(page.getByTestId('tail-rows')).toContainText(whilePaused); // sent while paused, not missed
        await expect.poll(() => rows.count()).toBeGreaterThan(shown + 15);
      });

      await test.step('rate cap: a burst beyond 2/s is counted as skipped', async () => {
        await tail(page).getByRole('button', { name: 'Stop' }).click();
        await tail(page).locator('input[name=tail-rate]').fill('2');
        await tail(page).getByRole('button', { name: 'Start tail' }).click();
        await expect(page.getByTestId('tail-state')).toHaveText('live');
        await Promise.all(Array.from({ length: 40 }, (_, i) => producer.send({ topic, body: `burst ${i}`, tags: 'Burst' })));
        await expect(page.getByTestId('tail-skipped')).toHaveText(/skipped [1-9]\d* \(over 2\/s\)/);
        const skipped = Number((await page.getByTestId('tail-skipped').textContent())!.match(/skipped (\d+)/)![1]);
        const shown = Number((await page.getByTestId('tail-shown').textContent())!.match(/shown (\d+)/)![1]);
        expect(skipped + shown).toBeGreaterThanOrEqual(40);
      });

      await test.step('closing the page stops the tail and its pulls', async () => {
        await page.goto('/');
        await expect.poll(status, { timeout: 10_000 }).toEqual({ tails: 0, pullsInFlight: 0 });
      });
    } finally {
      sending = false;
      await running;
      await producer.shutdown();
    }
  });
});
