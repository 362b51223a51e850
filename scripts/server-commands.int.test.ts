/**
 * `rocketdeck namesrv` and `rocketdeck broker -c broker.properties` as separate processes, like mqnamesrv and
 * mqbroker: a RocketMQ-style broker.properties starts a broker that registers, serves clients, and leaves its
 * NameServer on SIGTERM; a bad file is refused with the line at fault.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { AdminClient } from '../broker-core/client/admin-client';
import { Producer } from '../broker-core/client/producer';
import { PushConsumer } from '../broker-core/client/push-consumer';
import { freePort, killAllRocketdeckProcesses, spawnRocketdeck } from '../broker-core/testing/rocketdeck-process';
import { parsePrometheusText, sampleValue } from '../broker-core/testing/prometheus-text';
import { waitFor } from '../broker-core/testing/wait-for';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-processes-'));

afterAll(() => {
  killAllRocketdeckProcesses();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const run = (args: string[]) => spawnRocketdeck(args, { ROCKETDECK_HOME: tmp, BROKER_FAST_PORT: 'off' });

it('runs a NameServer and a Broker from a RocketMQ broker.properties as two processes', async () => {
  const namesrvPort = await freePort();
  const brokerPort = await freePort();
  const namesrvAddr = `127.0.0.1:${namesrvPort}`;
  const namesrv = run(['namesrv', '-p', String(namesrvPort)]);
  await namesrv.ready('The Name Server boot success');

  const props = path.join(tmp, 'broker.properties');
  fs.writeFileSync(props, [
    '# as in RocketMQ conf/broker.conf',
    'brokerClusterName = ClusterX',
    'brokerName=broker-x',
    'brokerId=0',
    'deleteWhen=04',
    'fileReservedTime=48',
    'brokerRole=ASYNC_MASTER',
    'brokerIP2=127.0.0.1',
    'flushDiskType=SYNC_FLUSH',
    `listenPort=${brokerPort}`,
    'brokerIP1=127.0.0.1',
    `storePathRootDir=${path.join(tmp, 'store-x')}`,
    'autoCreateTopicEnable=false',
  ].join('\n'));
  const broker = run(['broker', '-n', namesrvAddr, '-c', props]);
  await broker.ready('boot success');
  expect(broker.output()).toContain(`The broker[broker-x, 127.0.0.1:${brokerPort}] boot success`);
  expect(broker.output()).toContain('not used by Rocketdeck: brokerIP2');

  const admin = new AdminClient({ namesrvAddr });
  try {
    const info = await admin.getClusterInfo();
    expect(info.clusterAddrTable.ClusterX).toEqual(['broker-x']);
    const config = await admin.getBrokerConfig(`127.0.0.1:${brokerPort}`);
    expect(config).toMatchObject({ flushDiskType: 'SYNC_FLUSH', fileReservedTime: '48', autoCreateTopicEnable: 'false' });

    await admin.createOrUpdateTopic(`127.0.0.1:${brokerPort}`, { topicName: 'SplitTopic', readQueueNums: 2, writeQueueNums: 2, perm: 6 });
    const producer = new Producer({ namesrvAddr, groupName: 'PG_split' });
    await producer.start();
    const got: string[] = [];
    const consumer = new PushConsumer({ namesrvAddr, groupName: 'CG_split', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
    consumer.subscribe('SplitTopic', '*').registerMessageListener((messages) => void got.push(...messages.map((m) => m.body.toString())));
    await consumer.start();
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'SplitTopic', body: `m${i}` });
    await waitFor(() => got.length >= 5, { timeoutMs: 15_000, message: () => `consumed ${got.length} of 5` });
    await consumer.shutdown();
    await producer.shutdown();

    // SIGTERM: the broker unregisters and exits 0; the NameServer forgets it at once.
    broker.child.kill('SIGTERM');
    expect(await broker.exited).toBe(0);
    expect((await admin.getClusterInfo()).clusterAddrTable.ClusterX ?? []).toEqual([]);
  } finally {
    await admin.close();
  }
  namesrv.child.kill('SIGTERM');
  expect(await namesrv.exited).toBe(0);
}, 90_000);

it('refuses a broker.properties with a wrong value, naming the line, and a broker with no NameServer', async () => {
  const props = path.join(tmp, 'bad.properties');
  fs.writeFileSync(props, 'brokerName=b\nlistenPort=ten-nine-eleven\n');
  const bad = run(['broker', '-n', '127.0.0.1:9', '-c', props]);
  expect(await bad.exited).toBe(1);
  expect(bad.output()).toContain(`${props} line 2: listenPort must be a whole number (got "ten-nine-eleven")`);

  const none = run(['broker']);
  expect(await none.exited).toBe(1);
  expect(none.output()).toContain('no NameServer address: give -n host:port');

  // A file asking for replication is refused rather than started as something that only looks like a slave.
  const slave = path.join(tmp, 'slave.properties');
  fs.writeFileSync(slave, 'brokerName=broker-a\nbrokerId=1\nbrokerRole=SLAVE\n');
  const refused = run(['broker', '-n', '127.0.0.1:9', '-c', slave]);
  expect(await refused.exited).toBe(1);
  expect(refused.output()).toMatch(/line \d: .*not supported.*Apache RocketMQ brokers/);

  const unknown = run(['namesrv', '-x', '1']);
  expect(await unknown.exited).toBe(1);
  expect(unknown.output()).toContain('rocketdeck namesrv: unknown option -x\nusage: rocketdeck namesrv');
}, 30_000);

it('prints each command\'s usage with -h, through the package bin as `npx rocketdeck` runs it', async () => {
  const npx = spawnSync('npx', ['--no-install', 'rocketdeck', 'broker', '-h'], { cwd: path.join(path.dirname(fileURLToPath(import.meta.url)), '..'), encoding: 'utf8', timeout: 60_000 });
  expect(npx.status).toBe(0);
  expect(npx.stdout).toContain('usage: rocketdeck broker [-n host:port[;host:port]] [-c broker.properties]');
  for (const [command, usage] of [['namesrv', 'usage: rocketdeck namesrv'], ['console', 'usage: rocketdeck console'], ['admin', 'usage: rocketdeck admin']] as const) {
    const help = run([command, command === 'admin' ? 'help' : '--help']);
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain(usage);
  }
}, 90_000);

it('reads aclEnable from broker.properties: a bad ROCKETDECK_HOME/conf/plain_acl.yml stops the start naming the line, a good one guards the broker', async () => {
  const aclFile = path.join(tmp, 'conf', 'plain_acl.yml');
  fs.mkdirSync(path.dirname(aclFile), { recursive: true });
  fs.writeFileSync(aclFile, 'accounts:\n  - accessKey: process_admin\n    secretKey: process_secret\n    admin: true\n    defaultTopicPerm: PUBLISH\n');
  const props = path.join(tmp, 'acl.properties');
  const brokerPort = await freePort();
  fs.writeFileSync(props, ['aclEnable=true', `listenPort=${brokerPort}`, 'brokerIP1=127.0.0.1', `storePathRootDir=${path.join(tmp, 'store-acl')}`].join('\n'));
  const bad = run(['broker', '-n', '127.0.0.1:9', '-c', props]);
  expect(await bad.exited).toBe(1);
  expect(bad.output()).toContain(`rocketdeck broker: ${aclFile} line 5: defaultTopicPerm of process_admin: "PUBLISH" is not a permission`);

  fs.writeFileSync(aclFile, 'accounts:\n  - accessKey: process_admin\n    secretKey: process_secret\n    admin: true\n');
  const namesrvPort = await freePort();
  const namesrv = run(['namesrv', '-p', String(namesrvPort)]);
  await namesrv.ready('The Name Server boot success');
  const broker = run(['broker', '-n', `127.0.0.1:${namesrvPort}`, '-c', props]);
  await broker.ready('boot success');
  const unsigned = new AdminClient({ namesrvAddr: `127.0.0.1:${namesrvPort}` });
  const signed = new AdminClient({ namesrvAddr: `127.0.0.1:${namesrvPort}`, credentials: { accessKey: 'process_admin', secretKey: 'process_secret' } });
  try {
    await expect(unsigned.getBrokerConfig(`127.0.0.1:${brokerPort}`)).rejects.toThrow('NO_PERMISSION (16): AclException: No accessKey is configured');
    expect(await signed.getBrokerConfig(`127.0.0.1:${brokerPort}`)).toMatchObject({ aclEnable: 'true', aclFile });
  } finally {
    await unsigned.close();
    await signed.close();
  }
  broker.child.kill('SIGTERM');
  expect(await broker.exited).toBe(0);
  namesrv.child.kill('SIGTERM');
  expect(await namesrv.exited).toBe(0);
}, 60_000);

it('serves Prometheus metrics on METRICS_PORT from a separate broker process, and names a METRICS_PORT in use', async () => {
  const namesrvPort = await freePort();
  const brokerPort = await freePort();
  const metricsPort = await freePort();
  const namesrv = run(['namesrv', '-p', String(namesrvPort)]);
  await namesrv.ready('The Name Server boot success');
  const props = path.join(tmp, 'metrics.properties');
  fs.writeFileSync(props, ['brokerName=broker-p', `listenPort=${brokerPort}`, 'brokerIP1=127.0.0.1', `storePathRootDir=${path.join(tmp, 'store-metrics')}`].join('\n'));
  const env = { ROCKETDECK_HOME: tmp, BROKER_FAST_PORT: 'off', METRICS_HOST: '127.0.0.1' };
  const broker = spawnRocketdeck(['broker', '-n', `127.0.0.1:${namesrvPort}`, '-c', props], { ...env, METRICS_PORT: String(metricsPort) });
  await broker.ready('Prometheus metrics at');
  expect(broker.output()).toContain(`Prometheus metrics at http://127.0.0.1:${metricsPort}/metrics`);
  const producer = new Producer({ namesrvAddr: `127.0.0.1:${namesrvPort}`, groupName: 'PG_prom' });
  try {
    await producer.start();
    for (let i = 0; i < 3; i++) await producer.send({ topic: 'PromTopic', body: `p${i}` });
    const families = parsePrometheusText(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
    expect(sampleValue(families, 'rocketmq_messages_in_total', { node_id: 'broker-p', topic: 'PromTopic' })).toBe(3);
    expect(sampleValue(families, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    const other = path.join(tmp, 'metrics-clash.properties');
    fs.writeFileSync(other, ['brokerName=broker-q', `listenPort=${await freePort()}`, 'brokerIP1=127.0.0.1', `storePathRootDir=${path.join(tmp, 'store-clash')}`].join('\n'));
    const clash = spawnRocketdeck(['broker', '-n', `127.0.0.1:${namesrvPort}`, '-c', other], { ...env, METRICS_PORT: String(metricsPort) });
    expect(await clash.exited).toBe(1);
    expect(clash.output()).toContain(`port ${metricsPort} is already in use: set METRICS_PORT to a free port`);
  } finally {
    await producer.shutdown();
  }
  broker.child.kill('SIGTERM');
  expect(await broker.exited).toBe(0);
  namesrv.child.kill('SIGTERM');
  expect(await namesrv.exited).toBe(0);
}, 60_000);
