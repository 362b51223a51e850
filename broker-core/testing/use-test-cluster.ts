/**
 * Vitest hooks for a file of client tests: a NameServer + Broker (startTestCluster) and an AdminClient on it
 * before all tests; afterwards, everything registered with `closeLater` is closed (last first), then the
 * admin client and the cluster.
 */
import { afterAll, beforeAll } from 'vitest';
import { AdminClient } from '../client/admin-client';
import { startTestCluster, type TestCluster, type TestClusterOptions } from './start-test-cluster';

export interface ClusterFixture {
  readonly cluster: TestCluster;
  readonly admin: AdminClient;
  /** Closed after the file's tests, in reverse order (clients before the cluster they talk to). */
  closeLater(close: () => Promise<unknown>): void;
}

export function useTestCluster(options: TestClusterOptions = {}): ClusterFixture {
  let cluster: TestCluster | undefined;
  let admin: AdminClient | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    cluster = await startTestCluster(options);
    admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
  }, 30_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await admin?.close();
    await cluster?.stop();
  }, 60_000);
  return {
    get cluster() {
      if (!cluster) throw new Error('the test cluster is not started yet (use it inside tests or hooks)');
      return cluster;
    },
    get admin() {
      if (!admin) throw new Error('the test cluster is not started yet (use it inside tests or hooks)');
      return admin;
    },
    closeLater: (close) => void closers.push(close),
  };
}
