/**
 * The OPS page's health summary and the Cluster page's overview against a real NameServer + Broker: each
 * NameServer of a list on its own, a dead one shown rather than hidden by failover, NameServers that do not
 * know the same brokers flagged, application topics counted, a list nobody answers explained, and a broker
 * that left the NameServers remembered as departed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AdminClient } from '@broker/client/admin-client';
import { NamesrvController } from '@broker/namesrv/namesrv-controller';
import { startTestCluster, type TestCluster } from '@broker/testing/start-test-cluster';
import { clusterHealth } from './cluster-health';
import { clusterOverview } from './cluster-overview';

let cluster: TestCluster;
let empty: NamesrvController;

beforeAll(async () => {
  cluster = await startTestCluster();
  // A NameServer no broker registered with (a broker whose namesrvAddr forgot it).
  empty = new NamesrvController({ port: 0, host: '127.0.0.1' });
  await empty.start();
  const admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'HealthTopic', readQueueNums: 1, writeQueueNums: 1, perm: 6 });
  await admin.close();
}, 30_000);

afterAll(async () => {
  await empty?.shutdown();
  await cluster?.stop();
}, 30_000);

it('sums up a list with a live NameServer, a dead one and one that knows no broker', async () => {
  const emptyAddr = `127.0.0.1:${empty.port}`;
  const health = await clusterHealth([cluster.namesrvAddr, '127.0.0.1:1', emptyAddr]);
  expect(health.reachable).toBe(true);
  expect(health.namesrvs.map((n) => [n.addr, n.reachable, n.brokerNames])).toEqual([
    [cluster.namesrvAddr, true, ['broker-a']],
    ['127.0.0.1:1', false, undefined],
    [emptyAddr, true, []],
  ]);
  expect(health.namesrvs[1]!.error).toContain('ECONNREFUSED');
  expect(health.unevenRegistration).toBe(true);
  expect(health.brokers).toEqual({ total: 1, alive: 1, notAnswering: [] });
  expect(health.clusters).toEqual(['DefaultCluster']);
  // TBW102, the cluster and broker topics, retry and system topics are not counted.
  expect(health.topics).toBe(1);
});

it('explains a list nobody answers', async () => {
  const health = await clusterHealth(['127.0.0.1:1']);
  expect(health).toMatchObject({ reachable: false, topics: null, brokers: { total: 0, alive: 0 }, unevenRegistration: false });
  expect(health.error).toMatch(/^no NameServer answered \(127\.0\.0\.1:1\): .*ECONNREFUSED/);
});

it('names a broker that left the NameServers as departed, and forgets it when it is back', async () => {
  const admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
  try {
    expect((await clusterOverview(admin)).departed).toEqual([]);
    await cluster.broker.shutdown();
    const gone = await clusterOverview(admin);
    expect(gone.brokers).toEqual([]);
    expect(gone.departed).toMatchObject([{ cluster: 'DefaultCluster', brokerName: 'broker-a', brokerId: 0, addr: cluster.brokerAddr }]);
    await cluster.restartBroker();
    const back = await clusterOverview(admin);
    expect(back.brokers.map((b) => [b.brokerName, b.alive])).toEqual([['broker-a', true]]);
    expect(back.departed).toEqual([]);
  } finally {
    await admin.close();
  }
});
