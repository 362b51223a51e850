/**
 * The console's /metrics text against a real NameServer + Broker: the cluster read over the protocol (the same
 * families a broker's METRICS_PORT serves), a broker that stops answering shown as down, and the internal
 * families of a broker running in this process added beside them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerInProcessBroker } from '@broker/broker/metrics/in-process-brokers';
import { Producer } from '@broker/client/producer';
import { parsePrometheusText, sampleValue } from '@broker/testing/prometheus-text';
import { startTestCluster, type TestCluster } from '@broker/testing/start-test-cluster';
import { waitFor } from '@broker/testing/wait-for';
import { getAdmin } from './admin';
import { consoleMetricsText } from './prometheus';

let cluster: TestCluster;
const saved = process.env.ROCKETDECK_CONSOLE_NAMESRV_ADDR;

beforeAll(async () => {
  cluster = await startTestCluster({ broker: { brokerName: 'broker-c', brokerClusterName: 'ConsoleCluster' } });
  process.env.ROCKETDECK_CONSOLE_NAMESRV_ADDR = cluster.namesrvAddr;
}, 30_000);

afterAll(async () => {
  await getAdmin(cluster.namesrvAddr).close();
  await cluster?.stop();
  if (saved === undefined) delete process.env.ROCKETDECK_CONSOLE_NAMESRV_ADDR;
  else process.env.ROCKETDECK_CONSOLE_NAMESRV_ADDR = saved;
});

it('reads every master over the protocol; messages in move with real sends; in-process internals are added', async () => {
  const broker = { cluster: 'ConsoleCluster', node_type: 'broker', node_id: 'broker-c' };
  const first = parsePrometheusText(await consoleMetricsText());
  expect(sampleValue(first, 'rocketdeck_broker_up', broker)).toBe(1);
  expect(sampleValue(first, 'rocketdeck_namesrv_up')).toBe(1);
  expect(sampleValue(first, 'rocketdeck_storage_disk_ratio', broker)).toBeGreaterThan(0);
  expect(sampleValue(first, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  expect(first.has('rocketmq_rpc_latency')).toBe(false);

  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_console_metrics', clientIP: '127.0.0.1' });
  await producer.start();
  try {
    for (let i = 0; i < 7; i++) await producer.send({ topic: 'ConsoleMetricsTopic', body: `c${i}` });
  } finally {
    await producer.shutdown();
  }
  const unregister = registerInProcessBroker({ brokerName: 'broker-c', internals: cluster.broker.metrics.internals });
  try {
    // One read of the cluster serves scrapes for a few seconds; the sends show in the next read.
    await waitFor(async () => sampleValue(parsePrometheusText(await consoleMetricsText()), 'rocketmq_messages_in_total', { ...broker, topic: 'ConsoleMetricsTopic' }) === 7, {
      timeoutMs: 20_000,
      message: 'messages in never reached 7',
    });
    const text = parsePrometheusText(await consoleMetricsText());
    expect(sampleValue(text, 'rocketmq_rpc_latency', { ...broker, request_code: 'send_message_v2' }, '_count')).toBeGreaterThanOrEqual(7);
    expect(sampleValue(text, 'rocketdeck_connections', broker)).toBeGreaterThanOrEqual(1);

    // Every metric the Grafana dashboard in docs/ queries is one this console serves.
    const dashboard = JSON.parse(fs.readFileSync(path.join(__dirname, '../../docs/grafana-dashboard.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const queried = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b((?:rocketmq|rocketdeck|process)_[a-z_]+)/g)].map((m) => m[1]!.replace(/_bucket$/, '')))));
    expect(queried.size).toBeGreaterThan(10);
    expect([...queried].filter((name) => !text.has(name))).toEqual([]);
  } finally {
    unregister();
  }
}, 60_000);

it('shows a broker that stopped answering as down', async () => {
  await cluster.broker.shutdown();
  try {
    await waitFor(async () => {
      const families = parsePrometheusText(await consoleMetricsText());
      return sampleValue(families, 'rocketdeck_broker_up', { node_id: 'broker-c' }) !== 1;
    }, { timeoutMs: 20_000, message: 'broker-c still up' });
  } finally {
    await cluster.restartBroker();
  }
}, 60_000);
