/**
 * Beyond one process: a NameServer pair and two broker processes (broker-a, broker-b), each started with
 * `rocketdeck` (scripts/rocketdeck.mjs) on loopback ports, as an operator would run them on separate machines.
 * Rocketdeck's own clients and Admin client are given both NameServers.
 *
 *  1. each broker registers with each NameServer;
 *  2. a topic with queues on both brokers: the producer spreads its sends over both, three consumers of one
 *     group share the eight queues (one of them owns queues on both brokers), a pull consumer sees them all;
 *  3. broker-a killed with SIGKILL: both NameServers drop it at once (its connection closed), every send keeps
 *     succeeding on broker-b within the producer's retry budget, consumers rebalance onto broker-b's queues;
 *     broker-a restarted on its store: back in the routes, it receives sends again and what it held before the
 *     crash is consumed;
 *  4. the first NameServer killed: a new producer, push consumer, pull consumer and the Admin client fail over
 *     to the second; the NameServer restarted: both brokers register with it again (registerNameServerPeriod).
 *
 * No fixed sleeps: every wait is a waitFor on the observable outcome. The 120 s expiry of a silent broker is
 * covered with an injected clock in broker-core/namesrv/namesrv.int.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../broker-core/client/admin-client';
import { Producer, type SendResult } from '../broker-core/client/producer';
import { PullConsumer } from '../broker-core/client/pull-consumer';
import { PushConsumer } from '../broker-core/client/push-consumer';
import { freePort, killAllRocketdeckProcesses, spawnRocketdeck, type RocketdeckProcess } from '../broker-core/testing/rocketdeck-process';
import { waitFor } from '../broker-core/testing/wait-for';

const CLUSTER = 'RdCluster';
const TOPIC = 'SpreadTopic';
const QUEUES_PER_BROKER = 4;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-scale-out-'));
/** Clients refresh routes and rebalance every second here (30 s and 20 s by default) so the test stays short. */
const FAST_CLIENT = { pollNameServerIntervalMs: 1_000, requestTimeoutMs: 3_000 };
const closers: (() => Promise<unknown>)[] = [];

interface NamesrvNode {
  port: number;
  addr: string;
  process: RocketdeckProcess;
}
interface BrokerNode {
  name: string;
  port: number;
  addr: string;
  props: string;
  process: RocketdeckProcess;
}

let ns: NamesrvNode[] = [];
const brokers = new Map<string, BrokerNode>();
let namesrvList = '';

async function startNamesrv(port: number, index: number): Promise<RocketdeckProcess> {
  const node = spawnRocketdeck(['namesrv', '-p', String(port)], { ROCKETDECK_HOME: path.join(tmp, `namesrv-${index}`) });
  await node.ready('The Name Server boot success');
  return node;
}

async function startBroker(node: Omit<BrokerNode, 'process'>): Promise<RocketdeckProcess> {
  const process = spawnRocketdeck(['broker', '-c', node.props], { ROCKETDECK_HOME: path.join(tmp, node.name), BROKER_FAST_PORT: 'off' });
  await process.ready('boot success');
  return process;
}

function adminOn(list: string): AdminClient {
  const admin = new AdminClient({ namesrvAddr: list, timeoutMs: 3_000 });
  closers.push(() => admin.close());
  return admin;
}

async function brokerNamesOn(admin: AdminClient): Promise<string[]> {
  return [...((await admin.getClusterInfo()).clusterAddrTable[CLUSTER] ?? [])].sort();
}

async function routeBrokers(admin: AdminClient): Promise<string[]> {
  const route = await admin.getTopicRoute(TOPIC);
  return (route?.queueDatas ?? []).map((q) => `${q.brokerName}:${q.writeQueueNums}`).sort();
}

beforeAll(async () => {
  const ports = [await freePort(), await freePort()];
  const started = await Promise.all(ports.map((port, index) => startNamesrv(port, index)));
  ns = ports.map((port, index) => ({ port, addr: `127.0.0.1:${port}`, process: started[index]! }));
  namesrvList = ns.map((n) => n.addr).join(';');
  for (const name of ['broker-a', 'broker-b']) {
    const port = await freePort();
    const props = path.join(tmp, `${name}.properties`);
    // RocketMQ's conf/2m-noslave/broker-*.properties, with this machine's ports and folders.
    fs.writeFileSync(props, [
      `brokerClusterName=${CLUSTER}`,
      `brokerName=${name}`,
      'brokerId=0',
      'brokerRole=ASYNC_MASTER',
      'flushDiskType=ASYNC_FLUSH',
      'deleteWhen=04',
      'fileReservedTime=48',
      `listenPort=${port}`,
      'brokerIP1=127.0.0.1',
      `namesrvAddr=${namesrvList}`,
      `storePathRootDir=${path.join(tmp, name, 'store')}`,
      'autoCreateTopicEnable=false',
      'registerNameServerPeriod=10000',
    ].join('\n'));
    brokers.set(name, { name, port, addr: `127.0.0.1:${port}`, props, process: undefined as unknown as RocketdeckProcess });
  }
  await Promise.all([...brokers.values()].map(async (node) => (node.process = await startBroker(node))));
}, 120_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  killAllRocketdeckProcesses();
  fs.rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('two NameServers, two broker processes', () => {
  const produced = new Set<string>();
  const consumed = new Set<string>();
  const consumers: PushConsumer[] = [];
  let producer: Producer;
  let admin: AdminClient;

  const send = async (body: string): Promise<SendResult> => {
    const result = await producer.send({ topic: TOPIC, body });
    produced.add(body);
    return result;
  };
  const owned = () => consumers.map((c) => c.assignedQueues().filter((q) => q.topic === TOPIC).map((q) => `${q.brokerName}/${q.queueId}`).sort());
  const settled = (expected: string[][]) =>
    waitFor(() => JSON.stringify(owned().sort((x, y) => (x[0]! < y[0]! ? -1 : 1))) === JSON.stringify(expected), {
      timeoutMs: 30_000,
      message: () => `queues owned ${JSON.stringify(owned())}, expected ${JSON.stringify(expected)}`,
    });

  it('each broker registers with each NameServer', async () => {
    for (const node of ns) {
      const one = adminOn(node.addr);
      await waitFor(async () => JSON.stringify(await brokerNamesOn(one)) === '["broker-a","broker-b"]', { message: `brokers on ${node.addr}` });
    }
    admin = adminOn(namesrvList);
    const info = await admin.getClusterInfo();
    expect(info.brokerAddrTable['broker-a']?.brokerAddrs['0']).toBe(brokers.get('broker-a')!.addr);
    expect(info.brokerAddrTable['broker-b']?.brokerAddrs['0']).toBe(brokers.get('broker-b')!.addr);
  });

  it('spreads a topic over both brokers: sends go to both, one group shares all queues, a pull consumer sees them all', async () => {
    for (const node of brokers.values()) {
      await admin.createOrUpdateTopic(node.addr, { topicName: TOPIC, readQueueNums: QUEUES_PER_BROKER, writeQueueNums: QUEUES_PER_BROKER, perm: 6 });
    }
    for (const node of ns) {
      const one = adminOn(node.addr);
      await waitFor(async () => JSON.stringify(await routeBrokers(one)) === '["broker-a:4","broker-b:4"]', { message: `route of ${TOPIC} on ${node.addr}` });
    }
    producer = new Producer({ namesrvAddr: namesrvList, groupName: 'PG_spread', ...FAST_CLIENT });
    await producer.start();
    closers.push(() => producer.shutdown());
    const byBroker = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const result = await send(`before-${i}`);
      byBroker.set(result.messageQueue.brokerName, (byBroker.get(result.messageQueue.brokerName) ?? 0) + 1);
    }
    // Round robin over the eight queues sorted by broker: half of the sends land on each broker.
    expect(Object.fromEntries(byBroker)).toEqual({ 'broker-a': 20, 'broker-b': 20 });

    for (let i = 0; i < 3; i++) {
      const consumer = new PushConsumer({
        namesrvAddr: namesrvList, groupName: 'CG_spread', instanceName: `spread-${i}`, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', rebalanceIntervalMs: 1_000, ...FAST_CLIENT,
      });
      consumer.subscribe(TOPIC, '*').registerMessageListener((messages) => void messages.forEach((m) => consumed.add(m.body.toString())));
      await consumer.start();
      consumers.push(consumer);
      closers.push(() => consumer.shutdown());
    }
    // RocketMQ's average allocation over 8 queues sorted by broker then id, 3 clients: 3 + 3 + 2, the middle
    // client owning queues on both brokers.
    await settled([['broker-a/0', 'broker-a/1', 'broker-a/2'], ['broker-a/3', 'broker-b/0', 'broker-b/1'], ['broker-b/2', 'broker-b/3']]);
    await waitFor(() => [...produced].every((body) => consumed.has(body)), { timeoutMs: 30_000, message: () => `consumed ${consumed.size} of ${produced.size}` });

    const puller = new PullConsumer({ namesrvAddr: namesrvList, groupName: 'CG_spread_pull', ...FAST_CLIENT });
    await puller.start();
    closers.push(() => puller.shutdown());
    const queues = await puller.fetchSubscribeMessageQueues(TOPIC);
    expect(queues.map((q) => `${q.brokerName}/${q.queueId}`).sort()).toEqual(['broker-a/0', 'broker-a/1', 'broker-a/2', 'broker-a/3', 'broker-b/0', 'broker-b/1', 'broker-b/2', 'broker-b/3']);
    let pulled = 0;
    for (const queue of queues) pulled += (await puller.pull(queue, '*', 0, 32)).msgFoundList.length;
    expect(pulled).toBe(40);
  }, 90_000);

  it('broker-a killed (SIGKILL): it leaves the routes at once, sends continue on broker-b, it restarts cleanly and takes sends again', async () => {
    const brokerA = brokers.get('broker-a')!;
    // Sent just before the crash and perhaps not consumed yet: broker-a's store must keep them.
    for (let i = 0; i < 8; i++) await send(`at-crash-${i}`);
    expect(await brokerA.process.stop('SIGKILL')).toBe(null);

    // Both NameServers saw broker-a's connection close: it is gone from clusters and routes without waiting 120 s.
    for (const node of ns) {
      const one = adminOn(node.addr);
      await waitFor(async () => JSON.stringify(await brokerNamesOn(one)) === '["broker-b"]', { timeoutMs: 15_000, message: `broker-a still on ${node.addr}` });
      expect(await routeBrokers(one)).toEqual(['broker-b:4']);
    }

    // Every send succeeds: one aimed at broker-a fails to connect and is retried on broker-b within the same
    // send (retryTimesWhenSendFailed 2, sendMsgTimeoutMs 3 s), and broker-a is avoided afterwards.
    const during: string[] = [];
    for (let i = 0; i < 30; i++) during.push((await send(`during-${i}`)).messageQueue.brokerName);
    expect(new Set(during)).toEqual(new Set(['broker-b']));
    await settled([['broker-b/0', 'broker-b/1'], ['broker-b/2'], ['broker-b/3']]);
    await waitFor(() => [...produced].filter((b) => b.startsWith('during-')).every((body) => consumed.has(body)), {
      timeoutMs: 30_000,
      message: () => `consumed ${[...consumed].filter((b) => b.startsWith('during-')).length} of 30 sent during the outage`,
    });

    // Restart on the same store and port: registered with both NameServers at start, in the routes again.
    brokerA.process = await startBroker(brokerA);
    for (const node of ns) {
      const one = adminOn(node.addr);
      await waitFor(async () => JSON.stringify(await routeBrokers(one)) === '["broker-a:4","broker-b:4"]', { timeoutMs: 15_000, message: `broker-a not back on ${node.addr}` });
    }
    await settled([['broker-a/0', 'broker-a/1', 'broker-a/2'], ['broker-a/3', 'broker-b/0', 'broker-b/1'], ['broker-b/2', 'broker-b/3']]);
    // The producer sees the new route within a refresh and writes to broker-a again.
    const after: string[] = [];
    await waitFor(async () => {
      after.push((await send(`after-${after.length}`)).messageQueue.brokerName);
      return after.includes('broker-a');
    }, { timeoutMs: 20_000, message: () => `all ${after.length} sends after the restart went to ${JSON.stringify([...new Set(after)])}` });
    for (let i = 0; i < 8; i++) after.push((await send(`after-${after.length}`)).messageQueue.brokerName);
    expect(after.filter((b) => b === 'broker-a').length).toBeGreaterThanOrEqual(4);
    // Everything ever acknowledged is consumed, including what broker-a held when it was killed.
    await waitFor(() => [...produced].every((body) => consumed.has(body)), {
      timeoutMs: 40_000,
      message: () => `missing ${JSON.stringify([...produced].filter((b) => !consumed.has(b)).slice(0, 10))}`,
    });
  }, 150_000);

  it('the first NameServer killed: new clients and the Admin client fail over to the second; restarted, the brokers register with it again', async () => {
    const first = ns[0]!;
    await first.process.stop('SIGKILL');

    const fresh = adminOn(namesrvList);
    expect(await brokerNamesOn(fresh)).toEqual(['broker-a', 'broker-b']);
    expect(await routeBrokers(fresh)).toEqual(['broker-a:4', 'broker-b:4']);

    const producer2 = new Producer({ namesrvAddr: namesrvList, groupName: 'PG_failover', ...FAST_CLIENT });
    await producer2.start();
    closers.push(() => producer2.shutdown());
    const sent = new Set<string>();
    const brokersUsed = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const result = await producer2.send({ topic: TOPIC, body: `ns-failover-${i}` });
      sent.add(`ns-failover-${i}`);
      brokersUsed.add(result.messageQueue.brokerName);
    }
    expect(brokersUsed).toEqual(new Set(['broker-a', 'broker-b']));

    const got = new Set<string>();
    const consumer = new PushConsumer({ namesrvAddr: namesrvList, groupName: 'CG_failover', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', ...FAST_CLIENT });
    consumer.subscribe(TOPIC, '*').registerMessageListener((messages) => void messages.forEach((m) => got.add(m.body.toString())));
    await consumer.start();
    closers.push(() => consumer.shutdown());
    await waitFor(() => [...sent].every((body) => got.has(body)), { timeoutMs: 30_000, message: () => `consumed ${[...sent].filter((b) => got.has(b)).length} of ${sent.size}` });

    const puller = new PullConsumer({ namesrvAddr: namesrvList, groupName: 'CG_failover_pull', ...FAST_CLIENT });
    await puller.start();
    closers.push(() => puller.shutdown());
    expect((await puller.fetchSubscribeMessageQueues(TOPIC)).length).toBe(2 * QUEUES_PER_BROKER);

    // The clients started before the outage keep sending (their route refreshes now go to the second NameServer).
    for (let i = 0; i < 4; i++) await send(`ns-down-${i}`);

    // Back on its port with empty tables: the brokers' periodic registration (10 s here) fills them again.
    first.process = await startNamesrv(first.port, 0);
    const one = adminOn(first.addr);
    await waitFor(async () => JSON.stringify(await brokerNamesOn(one)) === '["broker-a","broker-b"]', { timeoutMs: 30_000, message: 'brokers not back on the restarted NameServer' });
    expect(await routeBrokers(one)).toEqual(['broker-a:4', 'broker-b:4']);
  }, 120_000);
});
