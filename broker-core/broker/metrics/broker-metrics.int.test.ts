/**
 * A broker's Prometheus endpoint (METRICS_PORT) scraped over HTTP while real clients send and consume: the text
 * parses as Prometheus would parse it, and the figures move with the traffic (messages in, out, lag, the send
 * and pull latency histograms, flushes, held pulls, connections).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Producer } from '../../client/producer';
import { PushConsumer } from '../../client/push-consumer';
import { AdminClient } from '../../client/admin-client';
import { parsePrometheusText, sampleValue, type Family } from '../../testing/prometheus-text';
import { startTestCluster, type TestCluster } from '../../testing/start-test-cluster';
import { waitFor } from '../../testing/wait-for';
import { silentLogger } from '../../util/logger';
import { startMetricsServer, type MetricsServer } from './metrics-server';

let cluster: TestCluster;
let server: MetricsServer;

beforeAll(async () => {
  cluster = await startTestCluster({ broker: { brokerName: 'broker-m', brokerClusterName: 'MetricsCluster', flushDiskType: 'SYNC_FLUSH' } });
  server = await startMetricsServer(cluster.broker.metrics, 0, '127.0.0.1', silentLogger);
});

afterAll(async () => {
  await server?.close();
  await cluster?.stop();
});

async function scrape(): Promise<Map<string, Family>> {
  const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return parsePrometheusText(await response.text());
}

it('answers 404 off /metrics and 405 to a POST', async () => {
  expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
  expect((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status).toBe(405);
});

it('shows real traffic: messages in and out, lag, latencies, flushes, connections and held pulls', async () => {
  const topic = 'MetricsTopic';
  const group = 'CG_metrics';
  const broker = { cluster: 'MetricsCluster', node_type: 'broker', node_id: 'broker-m' };
  const admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: topic, readQueueNums: 2, writeQueueNums: 2, perm: 6 });

  const before = await scrape();
  expect(sampleValue(before, 'rocketmq_messages_in_total', { ...broker, topic })).toBe(0);
  expect(before.get('rocketmq_messages_in_total')?.type).toBe('counter');
  expect(before.get('rocketmq_rpc_latency')?.type).toBe('histogram');
  expect(sampleValue(before, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
  expect(sampleValue(before, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  const sendsBefore = sampleValue(before, 'rocketmq_rpc_latency', { ...broker, request_code: 'send_message_v2', response_code: 'success' }, '_count') ?? 0;
  const flushesBefore = sampleValue(before, 'rocketdeck_storage_flush_latency', broker, '_count') ?? 0;

  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_metrics', clientIP: '127.0.0.1' });
  await producer.start();
  try {
    for (let i = 0; i < 20; i++) await producer.send({ topic, body: `m${i}` });
    const sent = await scrape();
    expect(sampleValue(sent, 'rocketmq_messages_in_total', { ...broker, topic, is_system: 'false', is_retry: 'false' })).toBe(20);
    expect(sampleValue(sent, 'rocketmq_rpc_latency', { ...broker, request_code: 'send_message_v2', response_code: 'success' }, '_count')).toBe(sendsBefore + 20);
    // SYNC_FLUSH: every acknowledged send waited for an fdatasync.
    expect(sampleValue(sent, 'rocketdeck_storage_flush_latency', broker, '_count')).toBeGreaterThan(flushesBefore);
    expect(sampleValue(sent, 'rocketdeck_broker_messages_total', { ...broker, direction: 'put' })).toBeGreaterThanOrEqual(20);
    // The TPS window counts whole seconds: the sends show once their second is over.
    await waitFor(async () => (sampleValue(await scrape(), 'rocketdeck_broker_tps', { ...broker, direction: 'put' }) ?? 0) > 0, { timeoutMs: 5_000, message: 'put TPS stays 0' });
    expect(sampleValue(sent, 'rocketdeck_commitlog_size_bytes', broker)).toBeGreaterThan(20 * 50);
    const ratio = sampleValue(sent, 'rocketdeck_storage_disk_ratio', broker)!;
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
    expect(sampleValue(sent, 'rocketmq_producer_connections', broker)).toBeGreaterThanOrEqual(1);

    // A consumer that takes 12 of the 20 and stops committing leaves lag 8; committed offsets are messages out.
    let taken = 0;
    const consumer = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: group, clientIP: '127.0.0.1', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', consumeMessageBatchMaxSize: 1 });
    consumer.subscribe(topic, '*').registerMessageListener(async () => {
      taken++;
      if (taken > 12) await new Promise(() => undefined); // hangs: nothing more is committed
      return 'CONSUME_SUCCESS' as const;
    });
    await consumer.start();
    try {
      await waitFor(async () => {
        const now = await scrape();
        return sampleValue(now, 'rocketmq_messages_out_total', { ...broker, topic, consumer_group: group }) === 12 && sampleValue(now, 'rocketmq_consumer_lag_messages', { ...broker, topic, consumer_group: group }) === 8;
      }, { timeoutMs: 30_000, message: () => `taken ${taken}` });
      const consumed = await scrape();
      expect(sampleValue(consumed, 'rocketmq_consumer_connections', { ...broker, consumer_group: group, consume_mode: 'push' })).toBe(1);
      expect(sampleValue(consumed, 'rocketmq_rpc_latency', { ...broker, request_code: 'pull_message', response_code: 'success' }, '_count')).toBeGreaterThan(0);
      expect(sampleValue(consumed, 'rocketdeck_connections', broker)).toBeGreaterThanOrEqual(2);
    } finally {
      await consumer.shutdown();
    }
  } finally {
    await producer.shutdown();
    await admin.close();
  }
});

it('counts a pull held by long polling, and its latency includes the wait', async () => {
  const topic = 'MetricsIdleTopic';
  const broker = { cluster: 'MetricsCluster', node_type: 'broker', node_id: 'broker-m' };
  const admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: topic, readQueueNums: 1, writeQueueNums: 1, perm: 6 });
  const consumer = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: 'CG_metrics_idle', clientIP: '127.0.0.1' });
  consumer.subscribe(topic, '*').registerMessageListener(() => 'CONSUME_SUCCESS');
  await consumer.start();
  try {
    await waitFor(async () => (sampleValue(await scrape(), 'rocketdeck_held_pulls', broker) ?? 0) >= 1, { timeoutMs: 20_000, message: 'no pull held' });
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_metrics_idle', clientIP: '127.0.0.1' });
    await producer.start();
    await producer.send({ topic, body: 'wake' });
    await producer.shutdown();
    await waitFor(async () => (sampleValue(await scrape(), 'rocketmq_rpc_latency', { ...broker, request_code: 'pull_message', is_long_polling: 'true' }, '_count') ?? 0) >= 1, {
      timeoutMs: 20_000,
      message: 'no long-polling pull answered',
    });
  } finally {
    await consumer.shutdown();
    await admin.close();
  }
});
