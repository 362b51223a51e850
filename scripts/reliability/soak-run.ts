/**
 * Load held for a while. A NameServer and a Broker run as child processes (`rocketdeck namesrv` / `broker`);
 * this process opens `connections` client instances against them: producers sending to `topics` topics,
 * PushConsumers (long polling, so the broker holds pulls) and idle consumers that only heartbeat, in `groups`
 * groups. Two more consumers run in their own processes and die without unregistering: one is SIGKILLed (its
 * socket closes), one SIGSTOPped (its socket stays open and silent until the broker's idle-channel limit,
 * serverChannelMaxIdleTimeSeconds, closes it). Every `sampleIntervalMs` the broker's RSS, open descriptors and
 * sockets (/proc), held pulls and client connections (GET_BROKER_RUNTIME_INFO) are sampled, and the idle groups
 * are checked to still have their client. Used by soak.int.test.ts (short) and soak.ts (5 minutes, 200
 * connections, 1,000 topics, 200 groups).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdminClient } from '../../broker-core/client/admin-client';
import { Producer } from '../../broker-core/client/producer';
import { PullConsumer } from '../../broker-core/client/pull-consumer';
import { PushConsumer } from '../../broker-core/client/push-consumer';
import { HELD_PULL_REQUESTS_MAX } from '../../broker-core/config/limits';
import { freeBrokerPort, freePort, processFdCount, processRssBytes, processSocketCount, startBrokerProcess, startNamesrvProcess, type ServerProcess } from '../../broker-core/testing/server-processes';
import { waitFor } from '../../broker-core/testing/wait-for';
import { errorMessage } from '../../broker-core/util/errors';

export interface SoakOptions {
  durationMs: number;
  /** Client instances (each holds its own connection to the broker). */
  connections: number;
  topics: number;
  groups: number;
  queuesPerTopic?: number;
  sampleIntervalMs?: number;
  /** Broker serverChannelMaxIdleTimeSeconds (RocketMQ default 120). */
  idleTimeoutSeconds?: number;
  /** Client heartbeat interval (RocketMQ default 30 000 ms); must be well under the idle timeout. */
  heartbeatIntervalMs?: number;
  /** Messages per second over all producers. */
  sendRatePerSecond?: number;
  /** Topics each PushConsumer subscribes to. */
  topicsPerConsumer?: number;
  log?: (line: string) => void;
}

export interface SoakSample {
  atMs: number;
  rssBytes: number;
  fds: number;
  sockets: number;
  heldPulls: number;
  clientConnections: number;
  sent: number;
  consumed: number;
  idleGroupsAlive: number;
}

export interface SoakSummary {
  durationMs: number;
  clientInstances: number;
  producers: number;
  pushConsumers: number;
  idleConsumers: number;
  topics: number;
  groups: number;
  samples: SoakSample[];
  /** The sample taken once the load was up (the reference for growth). */
  baseline: SoakSample;
  final: SoakSample;
  rssMaxBytes: number;
  heldPullsMax: number;
  heldPullsLimit: number;
  sent: number;
  consumed: number;
  sendErrors: number;
  idleGroups: number;
  /** Samples in which some idle group had no client (a live client dropped: must be 0). */
  samplesWithIdleGroupMissing: number;
  /** ms from the SIGKILL / SIGSTOP until the broker listed no client in that group (null: never). */
  killedClientGoneMs: number | null;
  stoppedClientGoneMs: number | null;
  idleTimeoutSeconds: number;
  brokerErrors: string[];
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over items with at most `limit` at once. */
async function inBatches<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

function spawnDoomedClient(namesrvAddr: string, group: string, topic: string, heartbeatMs: number): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'soak-client.ts'), namesrvAddr, group, topic, String(heartbeatMs)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ROCKETDECK_LOG_LEVEL: 'error' } });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const ready = waitFor(() => out.includes('ready '), { timeoutMs: 60_000, message: () => `soak client ${group} not ready: ${out}` }).then(() => undefined);
  return { child, ready };
}

export async function runSoak(options: SoakOptions): Promise<SoakSummary> {
  const log = options.log ?? (() => {});
  const queuesPerTopic = options.queuesPerTopic ?? 2;
  const idleTimeoutSeconds = options.idleTimeoutSeconds ?? 120;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 30_000;
  const sampleIntervalMs = options.sampleIntervalMs ?? 5_000;
  const sendRate = options.sendRatePerSecond ?? 200;
  const topicsPerConsumer = Math.min(options.topicsPerConsumer ?? 5, options.topics);
  const producerCount = Math.max(2, Math.ceil(options.connections * 0.1));
  const consumerCount = Math.max(options.groups, options.connections - producerCount);
  const pushCount = Math.round(consumerCount * 0.7);
  const idleCount = consumerCount - pushCount;
  const topics = Array.from({ length: options.topics }, (_, i) => `SoakTopic_${i}`);
  const groupOf = (i: number) => `CG_soak_${i % options.groups}`;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketdeck-soak-'));
  const namesrvPort = await freePort();
  const namesrvAddr = `127.0.0.1:${namesrvPort}`;
  const brokerPort = await freeBrokerPort();
  const brokerAddr = `127.0.0.1:${brokerPort}`;
  let namesrv: ServerProcess | undefined;
  let broker: ServerProcess | undefined;
  const admin = new AdminClient({ namesrvAddr, timeoutMs: 10_000 });
  const clientOptions = { namesrvAddr, heartbeatBrokerIntervalMs: heartbeatIntervalMs, requestTimeoutMs: 10_000 };
  const producers = Array.from({ length: producerCount }, (_, i) => new Producer({ ...clientOptions, groupName: `PG_soak_${i}`, sendMsgTimeoutMs: 10_000 }));
  let consumed = 0;
  const pushConsumers = Array.from({ length: pushCount }, (_, i) => {
    const consumer = new PushConsumer({ ...clientOptions, groupName: groupOf(i), consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET' });
    for (let j = 0; j < topicsPerConsumer; j++) consumer.subscribe(topics[(i * topicsPerConsumer + j) % topics.length]!, '*');
    consumer.registerMessageListener(async (messages) => {
      consumed += messages.length;
    });
    return consumer;
  });
  const idleConsumers = Array.from({ length: idleCount }, (_, i) => new PullConsumer({ ...clientOptions, groupName: groupOf(pushCount + i) }));
  const idleGroups = [...new Set(idleConsumers.map((c) => c.group))].filter((g) => !pushConsumers.some((p) => p.group === g));
  const doomed: ChildProcess[] = [];
  const samples: SoakSample[] = [];
  let sent = 0;
  let sendErrors = 0;
  let running = true;

  try {
    namesrv = await startNamesrvProcess(namesrvPort, path.join(dir, 'namesrv-home'), { ROCKETDECK_LOG_LEVEL: 'warn' });
    broker = await startBrokerProcess(
      namesrvAddr,
      dir,
      { brokerName: 'broker-soak', brokerClusterName: 'SoakCluster', listenPort: brokerPort, brokerIP1: '127.0.0.1', storePathRootDir: path.join(dir, 'store'), serverChannelMaxIdleTimeSeconds: idleTimeoutSeconds, autoCreateTopicEnable: false, mappedFileSizeCommitLog: 64 * 1024 * 1024 },
      { ROCKETDECK_LOG_LEVEL: 'warn' },
    );
    const brokerPid = broker.pid;
    log(`broker pid ${brokerPid} on ${brokerAddr}; creating ${topics.length} topics`);
    await inBatches(topics, 16, (topicName) => admin.createOrUpdateTopic(brokerAddr, { topicName, readQueueNums: queuesPerTopic, writeQueueNums: queuesPerTopic, perm: 6 }));
    await waitFor(async () => (await admin.getTopicRoute(topics[topics.length - 1]!)) !== null, { timeoutMs: 30_000 });

    log(`starting ${producers.length} producers, ${pushConsumers.length} push consumers, ${idleConsumers.length} idle consumers`);
    await inBatches([...producers, ...pushConsumers, ...idleConsumers], 16, (client) => client.start());
    // Idle consumers register their group with a heartbeat that names it; fetching a topic's queues starts that.
    await inBatches(idleConsumers, 16, (c) => c.fetchSubscribeMessageQueues(topics[0]!));
    // Every queue of every topic gets a message, so its consume-queue file is open before the baseline.
    await inBatches(topics, 16, async (topic) => {
      for (let queueId = 0; queueId < queuesPerTopic; queueId++) {
        await producers[0]!.send({ topic, body: 'warm-up' }, { queue: { topic, brokerName: 'broker-soak', queueId } });
        sent++;
      }
    });

    const killed = spawnDoomedClient(namesrvAddr, 'CG_soak_doomed_killed', topics[0]!, heartbeatIntervalMs);
    const stopped = spawnDoomedClient(namesrvAddr, 'CG_soak_doomed_stopped', topics[0]!, heartbeatIntervalMs);
    doomed.push(killed.child, stopped.child);
    await Promise.all([killed.ready, stopped.ready]);
    const groupOnline = async (group: string) => ((await admin.getConsumerConnectionList(brokerAddr, group).catch(() => null))?.connections.length ?? 0) > 0;
    await waitFor(async () => (await groupOnline('CG_soak_doomed_killed')) && (await groupOnline('CG_soak_doomed_stopped')), { timeoutMs: 30_000, message: 'the doomed clients never showed up' });

    const started = Date.now();
    const senders = producers.map(async (producer) => {
      const intervalMs = (1000 * producers.length) / sendRate;
      while (running) {
        const topic = topics[Math.floor(Math.random() * topics.length)]!;
        try {
          await producer.send({ topic, body: `soak ${Date.now()}` });
          sent++;
        } catch {
          sendErrors++;
        }
        await sleep(intervalMs);
      }
    });

    let killedAt = 0;
    let killedClientGoneMs: number | null = null;
    let stoppedClientGoneMs: number | null = null;
    const watchDoomed = (async () => {
      await sleep(Math.min(options.durationMs / 4, 60_000));
      killedAt = Date.now();
      killed.child.kill('SIGKILL');
      stopped.child.kill('SIGSTOP');
      log('killed one client process (SIGKILL) and froze another (SIGSTOP), neither unregistered');
      while (running && (killedClientGoneMs === null || stoppedClientGoneMs === null)) {
        if (killedClientGoneMs === null && !(await groupOnline('CG_soak_doomed_killed'))) killedClientGoneMs = Date.now() - killedAt;
        if (stoppedClientGoneMs === null && !(await groupOnline('CG_soak_doomed_stopped'))) stoppedClientGoneMs = Date.now() - killedAt;
        await sleep(250);
      }
    })();

    let samplesWithIdleGroupMissing = 0;
    while (Date.now() - started < options.durationMs) {
      await sleep(sampleIntervalMs);
      const runtime = await admin.getBrokerRuntimeInfo(brokerAddr).catch(() => ({}) as Record<string, string>);
      let idleGroupsAlive = 0;
      await inBatches(idleGroups, 16, async (group) => {
        if (await groupOnline(group)) idleGroupsAlive++;
      });
      if (idleGroupsAlive < idleGroups.length) samplesWithIdleGroupMissing++;
      const sample: SoakSample = {
        atMs: Date.now() - started,
        rssBytes: processRssBytes(brokerPid) ?? -1,
        fds: processFdCount(brokerPid) ?? -1,
        sockets: processSocketCount(brokerPid) ?? -1,
        heldPulls: Number(runtime.heldPullRequests ?? -1),
        clientConnections: Number(runtime.clientConnections ?? -1),
        sent,
        consumed,
        idleGroupsAlive,
      };
      samples.push(sample);
      log(
        `t=${(sample.atMs / 1000).toFixed(0)}s rss=${(sample.rssBytes / 1048576).toFixed(1)}MiB fds=${sample.fds} sockets=${sample.sockets} heldPulls=${sample.heldPulls} ` +
          `connections=${sample.clientConnections} sent=${sent} consumed=${consumed} idleGroupsAlive=${idleGroupsAlive}/${idleGroups.length}`,
      );
    }
    running = false;
    await Promise.all(senders);
    await watchDoomed;

    const baseline = samples[Math.min(samples.length - 1, Math.max(1, Math.floor(samples.length / 5)))]!;
    const brokerErrors = broker.output().split('\n').filter((line) => / ERROR |uncaught|unhandled/i.test(line)).slice(0, 20);
    return {
      durationMs: Date.now() - started,
      clientInstances: producers.length + pushConsumers.length + idleConsumers.length,
      producers: producers.length,
      pushConsumers: pushConsumers.length,
      idleConsumers: idleConsumers.length,
      topics: topics.length,
      groups: new Set([...pushConsumers, ...idleConsumers].map((c) => c.group)).size,
      samples,
      baseline,
      final: samples[samples.length - 1]!,
      rssMaxBytes: Math.max(...samples.map((s) => s.rssBytes)),
      heldPullsMax: Math.max(...samples.map((s) => s.heldPulls)),
      heldPullsLimit: HELD_PULL_REQUESTS_MAX,
      sent,
      consumed,
      sendErrors,
      idleGroups: idleGroups.length,
      samplesWithIdleGroupMissing,
      killedClientGoneMs,
      stoppedClientGoneMs,
      idleTimeoutSeconds,
      brokerErrors,
    };
  } finally {
    running = false;
    for (const child of doomed) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await inBatches([...producers, ...pushConsumers, ...idleConsumers], 32, (client) => client.shutdown().catch((err: unknown) => log(`shutdown: ${errorMessage(err)}`)));
    await admin.close();
    await broker?.stop();
    await namesrv?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
