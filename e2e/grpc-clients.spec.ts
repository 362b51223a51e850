/**
 * RocketMQ 5.x clients (rocketmq-client-nodejs over the embedded broker's gRPC endpoint) on the Consumer and
 * Producer pages: online, with protocol gRPC, language, their own version and address.
 */
import { expect, test } from '@playwright/test';
import { AdminClient } from '../broker-core/client/admin-client';
import { nodeClient, quietNodeClientLogger } from '../broker-core/testing/rocketmq-client-nodejs';
import { waitFor } from '../broker-core/testing/wait-for';

const namesrvAddr = process.env.E2E_NAMESRV_ADDR ?? '127.0.0.1:29876';
const endpoints = process.env.E2E_GRPC_ENDPOINT ?? '127.0.0.1:31081';

test('gRPC producers and consumers show as online gRPC clients with language, version and address', async ({ page }) => {
  const topic = `E2eGrpc${Date.now() % 100000}`;
  const group = `CG_${topic}`;
  const admin = new AdminClient({ namesrvAddr });
  try {
    for (const addr of (await admin.masterAddresses()).values()) await admin.createOrUpdateTopic(addr, { topicName: topic, readQueueNums: 2, writeQueueNums: 2, perm: 6 });
    await waitFor(async () => (await admin.getTopicRoute(topic)) !== null, { timeoutMs: 10_000 });
  } finally {
    await admin.close();
  }
  const logger = quietNodeClientLogger();
  const producer = new nodeClient.Producer({ endpoints, topic, logger });
  const consumer = new nodeClient.SimpleConsumer({ endpoints, consumerGroup: group, subscriptions: new Map([[topic, 'TagA']]), awaitDuration: 5_000, logger });
  await producer.startup();
  await consumer.startup();
  try {
    await producer.send({ topic, tag: 'TagA', body: Buffer.from('from a 5.x client') });
    await test.step('the consumer group is online, its client a gRPC one', async () => {
      await page.goto('/consumer');
      await page.getByRole('button', { name: 'Refresh' }).click();
      const row = page.getByTestId('consumer-list').locator('tbody tr', { hasText: group });
      await expect(row).toContainText('CONSUME_ACTIVELY');
      await expect(row).toContainText('gRPC 1.0.8');
      await row.getByRole('button', { name: 'CLIENT' }).click();
      const clients = page.getByTestId('consumer-clients');
      await expect(clients.locator('tbody tr')).toHaveCount(1);
      await expect(clients).toContainText('gRPC');
      await expect(clients).toContainText('NODE_JS');
      await expect(clients).toContainText('1.0.8');
      await expect(clients).toContainText(/127\.0\.0\.1:\d+/);
      await expect(page.getByTestId('consumer-subscriptions')).toContainText('TagA');
      await page.screenshot({ path: test.info().outputPath('consumer-grpc-client.png') });
      await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    });
    await test.step('the producer is listed under its topic (the group 5.x producers register with)', async () => {
      await page.getByRole('link', { name: 'Producer' }).click();
      await page.locator('input[name=topic]').fill(topic);
      await page.locator('input[name=group]').fill(topic);
      await page.getByRole('button', { name: 'Search' }).click();
      const connections = page.getByTestId('producer-connections');
      await expect(connections.locator('tbody tr')).toHaveCount(1);
      await expect(connections).toContainText('gRPC');
      await expect(connections).toContainText('NODE_JS');
      await expect(connections).toContainText('1.0.8');
      await page.screenshot({ path: test.info().outputPath('producer-grpc-client.png') });
    });
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
  }
});
