/** The console's Admin client signs with ROCKETDECK_CONSOLE_ACCESS_KEY / _SECRET_KEY against a broker with ACL on. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '@broker/testing/start-test-cluster';
import { consoleCredentials, getAdmin } from './admin';

let cluster: TestCluster;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-console-acl-'));
const saved = { ak: process.env.ROCKETDECK_CONSOLE_ACCESS_KEY, sk: process.env.ROCKETDECK_CONSOLE_SECRET_KEY };

beforeAll(async () => {
  const aclFile = path.join(dir, 'plain_acl.yml');
  fs.writeFileSync(aclFile, 'accounts:\n  - accessKey: console_ak\n    secretKey: console_sk\n    admin: true\n');
  cluster = await startTestCluster({ broker: { aclEnable: true, aclFile } });
}, 30_000);

afterAll(async () => {
  await getAdmin(cluster.namesrvAddr).close();
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [name, value] of [['ROCKETDECK_CONSOLE_ACCESS_KEY', saved.ak], ['ROCKETDECK_CONSOLE_SECRET_KEY', saved.sk]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

it('has no credentials unless both variables are set, and signs with them when they are', async () => {
  delete process.env.ROCKETDECK_CONSOLE_ACCESS_KEY;
  process.env.ROCKETDECK_CONSOLE_SECRET_KEY = 'console_sk';
  expect(consoleCredentials()).toBeUndefined();
  process.env.ROCKETDECK_CONSOLE_ACCESS_KEY = 'console_ak';
  expect(consoleCredentials()).toEqual({ accessKey: 'console_ak', secretKey: 'console_sk' });

  const admin = getAdmin(cluster.namesrvAddr);
  expect((await admin.getBrokerRuntimeInfo(cluster.brokerAddr)).brokerVersionDesc).toBeTruthy();
  await admin.createOrUpdateTopic(cluster.brokerAddr, { topicName: 'FromConsole', readQueueNums: 1, writeQueueNums: 1, perm: 6 });
  expect(await admin.getTopicConfig(cluster.brokerAddr, 'FromConsole')).toMatchObject({ topicName: 'FromConsole' });
});
