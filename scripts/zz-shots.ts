import { chromium } from '@playwright/test';
import { PushConsumer } from '../broker-core/client/push-consumer';
const consumer = new PushConsumer({ namesrvAddr: '127.0.0.1:9876', groupName: 'CG_orders' } as any);
consumer.subscribe('Orders', '*').registerMessageListener(async () => 'CONSUME_SUCCESS' as any);
await consumer.start();
await new Promise((r) => setTimeout(r, 6000));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const width = Number(process.env.W ?? 1440);
const page = await browser.newPage({ viewport: { width, height: 900 } });
for (const p of (process.env.PAGES ?? '/,/cluster,/topic,/consumer,/producer,/message,/dlq,/ops,/explorer,/trace,/audit,/config,/api-docs,/access,/account').split(',')) {
  await page.goto(`http://127.0.0.1:8899${p}`);
  await page.waitForTimeout(2500);
  await page.screenshot({ path: `/tmp/shots/${width}${p.replace(/\//g, '_') || '_'}.png` });
}
await browser.close();
await consumer.shutdown();
process.exit(0);
