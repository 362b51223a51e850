/**
 * Rocketdeck's clients against a master/slave broker group, as Apache RocketMQ runs one for HA: while the
 * master (brokerId 0) is down its slave (brokerId 1) stays in the routes, producers cannot write to the group,
 * and consumers keep reading it from the slave; when the master returns, reads go back to it.
 *
 * Rocketdeck brokers do not replicate (the CLI refuses brokerId 1), so the "slave" here is a second in-process
 * BrokerController registered as broker-a#1 on a copy of the master's store taken while the master was stopped:
 * it holds what the master held, which is what a caught-up slave holds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BrokerController } from '../broker/broker-controller';
import { NamesrvController } from '../namesrv/namesrv-controller';
import { DefaultMessageStore } from '../store/default-message-store';
import { silentLogger } from '../util/logger';
import { waitFor } from '../testing/wait-for';
import { AdminClient } from './admin-client';
import { Producer } from './producer';
import { PullConsumer } from './pull-consumer';
import { PushConsumer } from './push-consumer';

const TOPIC = 'HaTopic';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-slave-read-'));
const closers: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

function broker(namesrvAddr: string, brokerId: number, dir: string, listenPort = 0): BrokerController {
  // 1 MiB commit-log files, so copying the store is quick.
  const store = new DefaultMessageStore({ storePathRootDir: dir, commitLogFileBytes: 1024 * 1024, consumeQueueEntriesPerFile: 1_000 });
  const controller = new BrokerController({ brokerName: 'broker-a', brokerId, listenPort, fastListenPort: null, brokerIP1: '127.0.0.1', namesrvAddr: [namesrvAddr], storePathRootDir: dir }, { store, logger: silentLogger });
  closers.push(() => controller.shutdown());
  return controller;
}

it('reads a master/slave group from the slave while the master is down, and from the master again when it returns', async () => {
  const namesrv = new NamesrvController({ port: 0, host: '127.0.0.1' });
  await namesrv.start();
  closers.push(() => namesrv.shutdown());
  const namesrvAddr = `127.0.0.1:${namesrv.port}`;
  const client = { namesrvAddr, clientIP: '127.0.0.1', pollNameServerIntervalMs: 500 };
  const admin = new AdminClient({ namesrvAddr });
  closers.push(() => admin.close());

  const masterDir = path.join(tmp, 'master');
  let master = broker(namesrvAddr, 0, masterDir);
  await master.start();
  const masterPort = master.port;
  await admin.createOrUpdateTopic(master.brokerAddr, { topicName: TOPIC, readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  const producer = new Producer({ ...client, groupName: 'PG_ha' });
  await producer.start();
  closers.push(() => producer.shutdown());
  const before = Array.from({ length: 10 }, (_, i) => `before-${i}`);
  for (const body of before) await producer.send({ topic: TOPIC, body });

  // The slave: what the master stored, under broker-a#1.
  await master.shutdown();
  fs.cpSync(masterDir, path.join(tmp, 'slave'), { recursive: true });
  const slave = broker(namesrvAddr, 1, path.join(tmp, 'slave'));
  master = broker(namesrvAddr, 0, masterDir, masterPort);
  await master.start();
  await slave.start();
  expect((await admin.getClusterInfo()).brokerAddrTable['broker-a']?.brokerAddrs).toEqual({ 0: master.brokerAddr, 1: slave.brokerAddr });

  // The master goes away: the group stays in the route through its slave, without a writable queue.
  await master.shutdown();
  const route = await admin.getTopicRoute(TOPIC);
  expect(route?.brokerDatas[0]?.brokerAddrs).toEqual({ 1: slave.brokerAddr });
  expect(route?.queueDatas.map((q) => q.brokerName)).toEqual(['broker-a']);
  await waitFor(async () => {
    await producer.send({ topic: TOPIC, body: 'nowhere' }, { timeoutMs: 1_000 }).then(() => { throw new Error('a send succeeded without a master'); }, (err: Error) => err);
    return true;
  });

  const got = new Set<string>();
  const consumer = new PushConsumer({ ...client, groupName: 'CG_ha', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', rebalanceIntervalMs: 500,
    // A pull held by the slave returns within 2 s (15 s by default), so the next one goes to the returned master.
    brokerSuspendMaxTimeMillis: 2_000 });
  consumer.subscribe(TOPIC, '*').registerMessageListener((messages) => void messages.forEach((m) => got.add(m.body.toString())));
  await consumer.start();
  closers.push(() => consumer.shutdown());
  await waitFor(() => before.every((body) => got.has(body)), { timeoutMs: 20_000, message: () => `consumed ${got.size} of ${before.length} from the slave` });

  const puller = new PullConsumer({ ...client, groupName: 'CG_ha_pull' });
  await puller.start();
  closers.push(() => puller.shutdown());
  let pulled = 0;
  for (const queue of await puller.fetchSubscribeMessageQueues(TOPIC)) pulled += (await puller.pull(queue, '*', 0)).msgFoundList.length;
  expect(pulled).toBe(before.length);

  // The master is back: writes go to it, and the consumer reads what only the master has (no replication here).
  master = broker(namesrvAddr, 0, masterDir, masterPort);
  await master.start();
  await waitFor(async () => (await producer.send({ topic: TOPIC, body: 'after' }, { timeoutMs: 1_000 }).then(() => true, () => false)), { timeoutMs: 15_000, message: 'no send reached the returned master' });
  await waitFor(() => got.has('after'), { timeoutMs: 20_000, message: 'the message sent to the returned master was not consumed' });
}, 90_000);
